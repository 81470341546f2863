package credentials

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"keyhole/httpclient"
)

func TestWellKnownLocations(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"https://rs.example/api/v1/", "https://rs.example/.well-known/oauth-protected-resource/api/v1"},
		{"https://rs.example", "https://rs.example/.well-known/oauth-protected-resource"},
		{"http://127.0.0.1:8401/jwt?x=1#f", "http://127.0.0.1:8401/.well-known/oauth-protected-resource/jwt"},
	} {
		got, err := ProtectedResourceMetadataURL(c.in)
		if err != nil || got != c.want {
			t.Errorf("%s: %q %v, want %q", c.in, got, err, c.want)
		}
	}
	if got, _ := AuthorizationServerMetadataURL("https://as.example/tenant1"); got != "https://as.example/.well-known/oauth-authorization-server/tenant1" {
		t.Errorf("RFC 8414 §3.1 example: %q", got)
	}
}

func challengeFor(meta string) *httpclient.Challenge {
	return &httpclient.Challenge{Scheme: "Bearer", Params: []httpclient.Param{{Name: "resource_metadata", Value: meta}}}
}

func TestDiscoverRefusesNonHTTPMetadata(t *testing.T) {
	for _, u := range []string{"file:///etc/passwd", "gopher://127.0.0.1/x", "http:///nohost"} {
		if _, err := Discover(t.Context(), http.DefaultClient, "", challengeFor(u)); err == nil || !strings.Contains(err.Error(), "refusing") {
			t.Errorf("%s: %v", u, err)
		}
	}
}

// asServer serves protected resource metadata for /api and authorization
// server metadata shaped by the test.
func asServer(t *testing.T, as func(base string) (path string, doc any)) *httptest.Server {
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/.well-known/oauth-protected-resource/api":
			json.NewEncoder(w).Encode(map[string]any{"resource": srv.URL + "/api", "authorization_servers": []string{srv.URL}, "resource_documentation": srv.URL + "/docs"})
			return
		}
		if path, doc := as(srv.URL); r.URL.Path == path {
			json.NewEncoder(w).Encode(doc)
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestDiscoverReportsIssuerMismatchAndMissingPKCE(t *testing.T) {
	srv := asServer(t, func(base string) (string, any) {
		return "/.well-known/oauth-authorization-server", map[string]any{"issuer": "https://evil.example", "token_endpoint": base + "/token"}
	})
	d, err := Discover(t.Context(), nil, srv.URL+"/api", nil)
	if err != nil {
		t.Fatal(err)
	}
	if d.TokenURL != srv.URL+"/token" || d.ResourceDocumentation != srv.URL+"/docs" || d.ResourceMismatch {
		t.Fatalf("%+v", d)
	}
	p := strings.Join(d.Problems, "\n")
	if !strings.Contains(p, "RFC 8414 §3.3") || !strings.Contains(p, "PKCE S256") {
		t.Fatalf("problems:\n%s", p)
	}
}

func TestDiscoverFallsBackToOpenIDConfiguration(t *testing.T) {
	srv := asServer(t, func(base string) (string, any) {
		return "/.well-known/openid-configuration", map[string]any{"issuer": base, "token_endpoint": base + "/token", "code_challenge_methods_supported": []string{"S256"}}
	})
	d, err := Discover(t.Context(), nil, srv.URL+"/api", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(d.MetadataURL, "/.well-known/openid-configuration") || len(d.Problems) != 0 {
		t.Fatalf("%s %q", d.MetadataURL, d.Problems)
	}
}

func TestDiscoverCapsMetadataSize(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"resource":"` + strings.Repeat("a", maxMetadata) + `"}`))
	}))
	defer srv.Close()
	_, err := Discover(t.Context(), nil, "", challengeFor(srv.URL+"/meta"))
	if err == nil || !strings.Contains(err.Error(), "larger than 1 MiB") {
		t.Fatalf("err = %v", err)
	}
}

func TestDiscoverRejectsHTMLMetadata(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<html>login</html>"))
	}))
	defer srv.Close()
	if _, err := Discover(t.Context(), nil, "", challengeFor(srv.URL+"/meta")); err == nil || !strings.Contains(err.Error(), "not JSON") {
		t.Fatalf("err = %v", err)
	}
}
