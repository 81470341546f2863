package ui

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// What the OAuth 2.0 client asks the user to give reaches the status line
// as the run's error: it names the form's field, never keyhole send's flag
// (send adds those itself, refusalFlags). Against a resource on 127.0.0.1
// whose authorization server, on localhost, registers no one.
func TestOAuthNeedsNameTheFormsField(t *testing.T) {
	ln, err := net.Listen("tcp", "localhost:0")
	if err != nil {
		t.Fatal(err)
	}
	as := httptest.NewUnstartedServer(nil)
	as.Listener = ln
	asURL := strings.Replace("http://"+ln.Addr().String(), "127.0.0.1", "localhost", 1)
	as.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/.well-known/oauth-authorization-server" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"issuer": asURL, "authorization_endpoint": asURL + "/authorize",
			"token_endpoint": asURL + "/token", "code_challenge_methods_supported": []string{"S256"}})
	})
	as.Start()
	t.Cleanup(as.Close)
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	mux.HandleFunc("/api", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Bearer resource_metadata="`+srv.URL+`/prm"`)
		w.WriteHeader(http.StatusUnauthorized)
	})
	mux.HandleFunc("/prm", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"resource": srv.URL + "/api", "authorization_servers": []string{asURL}})
	})
	flag := regexp.MustCompile(`keyhole send|(^|[\s(])--?[a-zA-Z]`)
	for _, c := range []struct {
		values []string // Token URL, Client id, Client secret
		want   string
	}{
		{nil, "register keyhole there by hand and give its client id (Client id)"},
		{[]string{"", "me", "s3cret"}, "it goes there only if you trust " + asURL + ", or when you give the token URL yourself (Token URL)"},
	} {
		m := sized(t, New(Options{URL: srv.URL + "/api"}), 120, 40)
		m = toOAuthForm(t, m)
		m = fill(t, m, c.values...)
		if !m.statusErr || !strings.Contains(m.Status(), c.want) || flag.MatchString(m.Status()) {
			t.Errorf("%q: status %q, want %q and no flag", c.values, m.Status(), c.want)
		}
	}
}
