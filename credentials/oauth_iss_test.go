package credentials_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"keyhole/credentials"
	"keyhole/httpclient"
)

// An authorization response whose iss is not the issuer that the metadata
// named is refused before the code goes anywhere (RFC 9207 mix-up defence),
// and an error at the redirect is explained as the authorization step's.
func TestAuthorizationResponseIssuerIsChecked(t *testing.T) {
	var tokens atomic.Int32
	var iss, errCode string
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	defer srv.Close()
	mux.HandleFunc("/.well-known/oauth-authorization-server", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"issuer": srv.URL, "authorization_endpoint": srv.URL + "/authorize",
			"token_endpoint": srv.URL + "/token", "code_challenge_methods_supported": []string{"S256"},
			"authorization_response_iss_parameter_supported": true})
	})
	mux.HandleFunc("/authorize", func(w http.ResponseWriter, r *http.Request) {
		q := url.Values{"state": {r.URL.Query().Get("state")}}
		if errCode != "" {
			q.Set("error", errCode)
		} else {
			q.Set("code", "the-code")
		}
		if iss != "" {
			q.Set("iss", iss)
		}
		http.Redirect(w, r, r.URL.Query().Get("redirect_uri")+"?"+q.Encode(), http.StatusFound)
	})
	mux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		tokens.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"access_token":"t","token_type":"Bearer"}`))
	})
	run := func() error {
		o := &credentials.OAuth2{Grant: credentials.GrantAuthorizationCode, ClientID: "app", TokenURL: srv.URL + "/token"}
		o.OpenBrowser = func(u string) error {
			resp, err := http.Get(u) // the browser follows the redirect to keyhole's callback
			if err == nil {
				resp.Body.Close()
			}
			return err
		}
		return o.Prepare(t.Context(), httpclient.New(httpclient.Options{}).Recorder(func(string, *httpclient.Exchange) {}), nil)
	}
	for _, tc := range []struct{ iss, errCode, want string }{
		{"http://127.0.0.1:1/other", "", "RFC 9207"},
		{"", "", "carries no iss"},
		{srv.URL, "invalid_request", "authorization step refused (invalid_request)"},
	} {
		iss, errCode = tc.iss, tc.errCode
		err := run()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("iss %q error %q: got %v, want one about %q", tc.iss, tc.errCode, err, tc.want)
		}
	}
	if n := tokens.Load(); n != 0 {
		t.Errorf("%d token requests; the code must not be exchanged", n)
	}
	iss, errCode = srv.URL, ""
	if err := run(); err != nil || tokens.Load() != 1 {
		t.Fatalf("with the right iss: %v, %d token requests", err, tokens.Load())
	}
}
