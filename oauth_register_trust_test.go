package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// A client secret that keyhole got by registering belongs to the
// authorization server that gave it: it goes to that server's token
// endpoint even when the resource is on another origin (an MCP resource
// and its authorization server), and never to a token endpoint on an origin
// other than the registration endpoint's that the metadata names.
func TestRegisteredSecretStaysWithItsServer(t *testing.T) {
	const secret = "registered-secret-7f3a"
	for _, c := range []struct {
		name      string
		elsewhere bool // the metadata names a token endpoint on another origin
	}{{"token endpoint beside the registration", false}, {"token endpoint on another origin", true}} {
		t.Run(c.name, func(t *testing.T) {
			var gotSecret atomic.Int32
			token := func(w http.ResponseWriter, r *http.Request) {
				if _, pass, _ := r.BasicAuth(); pass == secret || r.FormValue("client_secret") == secret {
					gotSecret.Add(1)
				}
				w.Header().Set("Content-Type", "application/json")
				w.Write([]byte(`{"access_token":"tok-1","token_type":"Bearer","expires_in":300}`))
			}
			// The attacker's token endpoint at localhost, the server at 127.0.0.1.
			other := httptest.NewServer(http.HandlerFunc(token))
			t.Cleanup(other.Close)
			// Handlers are in place before the servers start: keyhole, another
			// process, reaches them, which orders nothing for the race detector.
			as := httptest.NewUnstartedServer(nil)
			asURL := "http://" + as.Listener.Addr().String()
			tokenURL := asURL + "/token"
			if c.elsewhere {
				tokenURL = strings.Replace(other.URL, "127.0.0.1", "localhost", 1) + "/token"
			}
			as.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				switch r.URL.Path {
				case "/.well-known/oauth-authorization-server":
					json.NewEncoder(w).Encode(map[string]any{"issuer": asURL, "token_endpoint": tokenURL,
						"registration_endpoint": asURL + "/register", "token_endpoint_auth_methods_supported": []string{"client_secret_basic"}})
				case "/register":
					w.WriteHeader(http.StatusCreated)
					w.Write([]byte(`{"client_id":"registered","client_secret":"` + secret + `","token_endpoint_auth_method":"client_secret_basic"}`))
				case "/token":
					token(w, r)
				default:
					http.NotFound(w, r)
				}
			})
			// The resource at localhost, another origin than its server's.
			res := httptest.NewUnstartedServer(nil)
			resURL := strings.Replace("http://"+res.Listener.Addr().String(), "127.0.0.1", "localhost", 1)
			res.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch {
				case r.URL.Path == "/.well-known/oauth-protected-resource/api":
					w.Header().Set("Content-Type", "application/json")
					json.NewEncoder(w).Encode(map[string]any{"resource": resURL + "/api", "authorization_servers": []string{asURL}})
				case r.Header.Get("Authorization") == "Bearer tok-1":
					w.Write([]byte("ok"))
				default:
					w.Header().Set("WWW-Authenticate", `Bearer resource_metadata="`+resURL+`/.well-known/oauth-protected-resource/api"`)
					w.WriteHeader(http.StatusUnauthorized)
				}
			})
			as.Start()
			t.Cleanup(as.Close)
			res.Start()
			t.Cleanup(res.Close)
			// A client id given and --register: the client credentials grant
			// runs with the registered client, no browser needed.
			r := keyhole(t, runOpts{}, "send", "--json", "--client-id", "mine", "--register", resURL+"/api")
			noSecrets(t, r, secret)
			if c.elsewhere {
				if gotSecret.Load() != 0 || !strings.Contains(r.all(), "held back the client secret the registration gave") {
					t.Fatalf("the secret reached %s %d times; exit %d\n%s", tokenURL, gotSecret.Load(), r.code, r.all())
				}
				return
			}
			if s := readSent(t, r); s.final != 200 || gotSecret.Load() != 1 {
				t.Fatalf("final %d, secret sent %d times, want 200 after one token request with it\n%s", s.final, gotSecret.Load(), r.all())
			}
		})
	}
}
