package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"keyhole/credentials"
	"keyhole/practice"
)

// sendSignIn runs the built keyhole send against the practice server and
// plays the user's browser on the practice server's pages: when keyhole
// prints the URL to open, it opens it (a refused request comes straight back
// to keyhole's redirect) and approves on the consent page.
func sendSignIn(t *testing.T, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append([]string{"send"}, args...)...)
	home := t.TempDir()
	cmd.Env = []string{"HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, ".config"), "PATH=/usr/bin:/bin", "TERM=dumb",
		credentials.NoKeychainEnv + "=1"} // no DISPLAY: keyhole prints the URL
	var out strings.Builder
	cmd.Stdout = &out
	pr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var errOut strings.Builder
	s := bufio.NewScanner(pr)
	for s.Scan() {
		errOut.WriteString(s.Text() + "\n")
		if u, ok := strings.CutPrefix(s.Text(), "Open this URL to sign in: "); ok {
			go func() {
				resp, err := http.Get(u)
				if err != nil {
					return // keyhole's run says what went wrong
				}
				resp.Body.Close()
				if resp.Request.URL.Path == "/oauth/authorize" {
					if resp, err = http.PostForm(u, url.Values{"action": {"approve"}}); err == nil {
						resp.Body.Close()
					}
				}
			}()
		}
	}
	io.Copy(io.Discard, pr)
	err = cmd.Wait()
	r := result{stdout: out.String(), stderr: errOut.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("keyhole send %q: %v", args, err)
	}
	return r
}

// The practice server's PAR and MCP-style lessons through keyhole send:
// the same steps the lessons teach, headless.
func TestSendPracticePARAndMCP(t *testing.T) {
	srv, err := practice.Start(practice.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	par := []string{srv.URL + practice.ParPath, "--grant", "authorization_code", "--client-id", practice.ParClientID,
		"--client-secret", practice.ParClientSecret, "--token-url", srv.URL + "/oauth/token"}

	r := sendSignIn(t, append(par, "--auth-url", srv.URL+"/oauth/authorize")...)
	if r.code == 0 || !strings.Contains(r.stderr, "authorization step refused (invalid_request)") || !strings.Contains(r.stderr, "(PAR, RFC 9126)") {
		t.Fatalf("par-client without PAR: exit %d\n%s", r.code, r.all())
	}
	for name, args := range map[string][]string{
		"PAR discovered":                par,
		"registration":                  {srv.URL + practice.MCPRegisterPath, "--register"},
		"the practice's document":       {srv.URL + practice.MCPDocumentPath, "--client-id", srv.URL + practice.ClientDocumentPath},
		"keyhole's own served document": {srv.URL + practice.MCPDocumentPath, "--serve-client-metadata"},
	} {
		r := sendSignIn(t, args...)
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
