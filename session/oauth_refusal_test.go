package session

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"keyhole/credentials"
	"keyhole/httpclient"
)

// A token endpoint's refusal reaches the TUI's status line as it is (the
// Outcome's Err), so its likely cause is said in words true in every face:
// no keyhole send flag. send names its flags itself (refusalFlags).
func TestTokenRefusalNamesNoFlags(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"error":"invalid_client"}`))
	})
	mux.HandleFunc("/api", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="api"`)
		w.WriteHeader(http.StatusUnauthorized)
	})
	srv := httptest.NewTLSServer(mux) // tls_client_auth is for an https token endpoint alone
	t.Cleanup(srv.Close)
	at, _ := OriginFor(srv.URL)
	flag := regexp.MustCompile(`keyhole send|(^|[\s(])--?[a-zA-Z]`)
	for _, c := range []struct {
		values map[string]string
		cause  string
		give   []string
	}{
		{map[string]string{"client_id": "c1"}, "give a client secret or a client key", []string{"client_secret", "client_key"}},
		{map[string]string{"client_id": "c1", "client_secret": "a+b/c=d", "client_auth": "basic"}, "try client auth post", []string{"client_auth=post"}},
		{map[string]string{"client_id": "c1", "client_auth": "tls"}, "give the client certificate and its key", []string{credentials.GiveClientCert}},
	} {
		c.values["token_url"] = srv.URL + "/token"
		d, _ := credentials.Describe("oauth2")
		auth, err := d.Build(c.values)
		if err != nil {
			t.Fatalf("%v: %v", c.values, err)
		}
		s := New(httpclient.New(httpclient.Options{TLS: srv.Client().Transport.(*http.Transport).TLSClientConfig}), httpclient.Request{Method: "GET", URL: srv.URL + "/api", Header: http.Header{}})
		out := s.Run(context.Background(), &Wallet{Offers: []*Offer{{Auth: auth, Origin: at}}}, Policy{})
		var r *credentials.TokenRefusal
		if out.Err == nil || !strings.Contains(out.Err.Error(), c.cause) {
			t.Errorf("%v: Err %v, want the likely cause %q", c.values, out.Err, c.cause)
			continue
		}
		if flag.MatchString(out.Err.Error()) {
			t.Errorf("%v: the refusal names a face's flag: %q", c.values, out.Err)
		}
		if !errors.As(out.Err, &r) || !slices.Equal(r.Give, c.give) {
			t.Errorf("%v: Give %v, want %v", c.values, r, c.give)
		}
	}
}
