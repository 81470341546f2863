package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"keyhole/practice"
)

// The practice server's PAR and MCP-style lessons through keyhole send:
// the same steps the lessons teach, headless, the browser played by
// oidctest.Browse (--serve-client-metadata is TestServeClientMetadataAtThePracticeServer's).
func TestSendPracticePARAndMCP(t *testing.T) {
	srv := startPractice(t)
	par := []string{"send", srv.URL + practice.ParPath, "--grant", "authorization_code", "--client-id", practice.ParClientID,
		"--client-secret", practice.ParClientSecret, "--token-url", srv.URL + "/oauth/token"}

	r := signIn(t, append(par, "--auth-url", srv.URL+"/oauth/authorize")...)
	if r.code == 0 || !strings.Contains(r.stderr, "authorization step refused (invalid_request)") || !strings.Contains(r.stderr, "(PAR, RFC 9126)") {
		t.Fatalf("par-client without PAR: exit %d\n%s", r.code, r.all())
	}
	for name, args := range map[string][]string{
		"PAR discovered":          par,
		"registration":            {"send", srv.URL + practice.MCPRegisterPath, "--register"},
		"registration unasked":    {"send", srv.URL + practice.MCPRegisterPath, "--auth", "oauth2"},
		"code grant, no id":       {"send", srv.URL + practice.MCPRegisterPath, "--grant", "authorization_code"},
		"the practice's document": {"send", srv.URL + practice.MCPDocumentPath, "--client-id", srv.URL + practice.ClientDocumentPath},
	} {
		r := signIn(t, args...)
		if r.code != 0 || !strings.Contains(r.stdout, `"ok":true`) {
			t.Errorf("%s: exit %d\n%s", name, r.code, r.all())
		}
		for _, secret := range []string{practice.ParClientSecret, "code_verifier", "access_token"} {
			if strings.Contains(r.all(), secret) {
				t.Errorf("%s: the output holds %q", name, secret)
			}
		}
	}
}

// Without a client id, keyhole send registers by itself where the server
// offers registration, says so in the attempt's reason, and sends no secret
// there; --register=false forbids it, and a server that offers no way to
// become its client gets an error that names what to give.
func TestSendRegistersWithoutClientID(t *testing.T) {
	srv := startPractice(t)
	r := signIn(t, "send", "--json", "--auth", "oauth2", srv.URL+practice.MCPRegisterPath)
	s := readSent(t, r)
	if s.final != 200 || s.count("token") != 3 {
		t.Fatalf("final %d after %v, want 200 after a registration, a push and a token request: %q\n%s", s.final, s.purposes, s.autos, r.stderr)
	}
	if autos := strings.Join(s.autos, "\n"); !strings.Contains(autos, "no client id was given and the authorization server offers registration_endpoint, so keyhole registers itself") {
		t.Errorf("the registration does not say why: %q", s.autos)
	}

	r = keyhole(t, runOpts{}, "send", "--auth", "oauth2", "--register=false", srv.URL+practice.MCPRegisterPath)
	if r.code == 0 || !strings.Contains(r.stderr, "needs its client id (Client id): registering keyhole with the authorization server is turned off (Register no). With keyhole send: --client-id or --register (not --register=false).") {
		t.Errorf("--register=false without a client id: exit %d\n%s", r.code, r.all())
	}
	// An authorization server that offers neither registration nor
	// documents, then one that takes documents only.
	for _, c := range []struct {
		documents bool
		want      string
	}{
		{false, "offers no registration_endpoint (RFC 7591) nor Client ID Metadata Documents: register keyhole there by hand and give its client id (Client id). With keyhole send: --client-id."},
		{true, "it takes Client ID Metadata Documents: give the URL of one as the client id (Client id, https://…/client.json: a document you host). " +
			"With keyhole send: --client-id or --serve-client-metadata (a document served on this machine)."},
	} {
		as := noRegistration(t, c.documents)
		r = keyhole(t, runOpts{}, "send", "--auth", "oauth2", as+"/api")
		if r.code == 0 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("documents %v: exit %d, want %q\n%s", c.documents, r.code, c.want, r.all())
		}
	}
}

// noRegistration starts an MCP-style resource on loopback whose
// authorization server offers no registration_endpoint (and takes Client ID
// Metadata Documents when documents is set), and returns its URL.
func noRegistration(t *testing.T, documents bool) string {
	// The handler is in place before the server starts: keyhole, another
	// process, reaches it, which orders nothing for the race detector.
	srv := httptest.NewUnstartedServer(nil)
	b := "http://" + srv.Listener.Addr().String()
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var doc map[string]any
		switch r.URL.Path {
		case "/api":
			w.Header().Set("WWW-Authenticate", `Bearer resource_metadata="`+b+`/.well-known/oauth-protected-resource/api"`)
			w.WriteHeader(http.StatusUnauthorized)
			return
		case "/.well-known/oauth-protected-resource/api":
			doc = map[string]any{"resource": b + "/api", "authorization_servers": []string{b}}
		case "/.well-known/oauth-authorization-server":
			doc = map[string]any{"issuer": b, "authorization_endpoint": b + "/authorize", "token_endpoint": b + "/token",
				"code_challenge_methods_supported": []string{"S256"}, "client_id_metadata_document_supported": documents}
		default:
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(doc)
	})
	srv.Start()
	t.Cleanup(srv.Close)
	return b
}
