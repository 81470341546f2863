package main

import (
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
