package main

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"keyhole/internal/oidctest"
)

// tls_client_auth (RFC 8705) against oidc-provider behind mutual TLS: the
// client is known by its certificate, the token endpoint is the server's
// mtls_endpoint_aliases one, and the token is bound to the certificate,
// which the resource checks on its own connection.
func TestOIDCTLSClientAuth(t *testing.T) {
	ca := oidctest.NewCA(t)
	as := oidctest.StartTLS(t, ca)
	tlsArgs := []string{"--cacert", ca.CAFile, "--client-id", "cc-mtls", "--client-auth", "tls_client_auth", "--scope", "read"}
	t.Run("with the certificate", func(t *testing.T) {
		r := keyhole(t, runOpts{}, append([]string{"send", "--json", "--cert", ca.ClientCert, "--key", ca.ClientKey}, append(tlsArgs, as.TLSOrigin+"/api/mtls")...)...)
		s := readSent(t, r)
		if s.final != 200 || s.count("token") != 1 {
			t.Fatalf("final %d after %v, want 200 after 1 token request: %q\n%s", s.final, s.purposes, s.autos, r.stderr)
		}
		autos := strings.Join(s.autos, "\n")
		if !strings.Contains(autos, "client authentication tls_client_auth") || !strings.Contains(autos, "mtls_endpoint_aliases, RFC 8705 §5") {
			t.Errorf("the token request does not say how the client authenticated and where:\n%s", autos)
		}
		if !strings.Contains(s.doc, as.TLSOrigin+"/tenant-a/token") || !strings.Contains(s.doc, "client_id=cc-mtls") || strings.Contains(s.doc, "client_secret=") {
			t.Errorf("the token request did not go to the mutual-TLS endpoint with the client id alone:\n%s", s.doc)
		}
	})
	t.Run("token endpoint on another origin, given by the user", func(t *testing.T) {
		// The resource is on the plain origin: the certificate goes to the
		// token endpoint only because the user named it (--token-url).
		r := keyhole(t, runOpts{}, append([]string{"send", "--json", "--auth", "oauth2", "--cert", ca.ClientCert, "--key", ca.ClientKey,
			"--token-url", as.TLSOrigin + "/tenant-a/token", "--resource", as.Origin + "/api/aud"}, append(tlsArgs, as.Origin+"/api/aud")...)...)
		s := readSent(t, r)
		if s.final != 200 || s.count("token") != 1 {
			t.Fatalf("final %d after %v, want 200 after 1 token request: %q\n%s", s.final, s.purposes, s.autos, r.stderr)
		}
	})
	t.Run("without it", func(t *testing.T) {
		r := keyhole(t, runOpts{}, append([]string{"send"}, append(tlsArgs, as.TLSOrigin+"/api/mtls")...)...)
		if r.code == exitOK || !strings.Contains(r.stderr, "token request refused (invalid_client)") || !strings.Contains(r.stderr, "give the client certificate and its key") || !strings.Contains(r.stderr, "With keyhole send: --cert and --key.") {
			t.Fatalf("exit %d; want the token endpoint's invalid_client explained:\n%s", r.code, r.stderr)
		}
	})
}

// certSeen serves h over https with the test CA's certificate, asking every
// client for a certificate, and records for each path whether one came.
type certSeen struct {
	mu   sync.Mutex
	with map[string]bool
}

func (c *certSeen) serve(t *testing.T, ca *oidctest.CA, h http.HandlerFunc) string {
	c.with = map[string]bool{}
	return ca.ServeTLS(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		c.with[r.URL.Path] = c.with[r.URL.Path] || len(r.TLS.PeerCertificates) > 0
		c.mu.Unlock()
		h(w, r)
	}), true)
}

func (c *certSeen) any() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var got []string
	for p, w := range c.with {
		if w {
			got = append(got, p)
		}
	}
	return got
}

// The attacker: a server the user sent nothing to asks for a client
// certificate; keyhole must not show it the one given with --cert.
func TestClientCertOnlyToItsOrigins(t *testing.T) {
	ca := oidctest.NewCA(t)
	cert := []string{"--cert", ca.ClientCert, "--key", ca.ClientKey, "--cacert", ca.CAFile}

	t.Run("a redirect to another origin", func(t *testing.T) {
		var other, first certSeen
		elsewhere := other.serve(t, ca, func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })
		elsewhere = strings.Replace(elsewhere, "127.0.0.1", "localhost", 1)
		start := first.serve(t, ca, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, elsewhere+"/landing", http.StatusFound)
		})
		r := keyhole(t, runOpts{}, append([]string{"send", "-L"}, append(cert, start+"/")...)...)
		if r.code != exitOK {
			t.Fatalf("exit %d:\n%s", r.code, r.stderr)
		}
		if got := first.any(); len(got) != 1 {
			t.Errorf("the origin the certificate was given for did not get it: %v", got)
		}
		if got := other.any(); len(got) != 0 {
			t.Errorf("the redirect's origin was shown the client certificate at %v", got)
		}
	})

	t.Run("a token endpoint a server named", func(t *testing.T) {
		var as, rs certSeen
		var lateAS, lateRS late[string]
		asURL := as.serve(t, ca, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			switch r.URL.Path {
			case "/.well-known/oauth-authorization-server":
				json.NewEncoder(w).Encode(map[string]any{"issuer": lateAS.get(), "token_endpoint": lateAS.get() + "/token",
					"token_endpoint_auth_methods_supported": []string{"tls_client_auth"}})
			case "/token":
				json.NewEncoder(w).Encode(map[string]any{"access_token": "at-from-elsewhere", "token_type": "Bearer", "expires_in": 300})
			default:
				http.NotFound(w, r)
			}
		})
		asURL = strings.Replace(asURL, "127.0.0.1", "localhost", 1)
		lateAS.set(asURL)
		rsURL := rs.serve(t, ca, func(w http.ResponseWriter, r *http.Request) {
			switch {
			case r.URL.Path == "/.well-known/oauth-protected-resource/api":
				w.Header().Set("Content-Type", "application/json")
				json.NewEncoder(w).Encode(map[string]any{"resource": lateRS.get() + "/api", "authorization_servers": []string{lateAS.get()}})
			case r.Header.Get("Authorization") == "Bearer at-from-elsewhere":
				w.Write([]byte("ok"))
			default:
				w.Header().Set("WWW-Authenticate", `Bearer resource_metadata="`+lateRS.get()+`/.well-known/oauth-protected-resource/api"`)
				w.WriteHeader(http.StatusUnauthorized)
			}
		})
		lateRS.set(rsURL)
		args := append([]string{"send", "--client-id", "c1", "--client-auth", "tls"}, cert...)
		r := keyhole(t, runOpts{}, append(args, rsURL+"/api")...)
		if r.code == exitOK || !strings.Contains(r.stderr, "held back the client certificate from "+asURL+"/token") || !strings.Contains(r.stderr, "--trust") {
			t.Fatalf("exit %d; want the certificate held back from the named token endpoint:\n%s", r.code, r.stderr)
		}
		if got := as.any(); len(got) != 0 {
			t.Errorf("the authorization server named by the resource was shown the client certificate at %v", got)
		}
		// Trusted (--trust: credentials may go there), it gets the
		// certificate, and the token works.
		r = keyhole(t, runOpts{}, append(args, "--trust", asURL, rsURL+"/api")...)
		if r.code != exitOK {
			t.Fatalf("with --trust: exit %d:\n%s", r.code, r.stderr)
		}
		if got := as.any(); !slices.Contains(got, "/token") {
			t.Errorf("with --trust, the certificate went to %v, not to the token endpoint", got)
		}
	})
}
