package main

import (
	"encoding/pem"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"keyhole/internal/oidctest"
)

// invalidClientServer is a resource that wants a Bearer token and a token
// endpoint on the same https origin that refuses every client
// (invalid_client), and the file of the certificate to trust it with.
func invalidClientServer(t *testing.T) (*httptest.Server, string) {
	t.Helper()
	srv := oidctest.InvalidClientServer(t)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	return srv, ca
}

// The likely cause of an invalid_client is said in words true in every
// face (session's TestTokenRefusalNamesNoFlags); keyhole send adds, in its
// own output, the flags that give what it asks for.
func TestSendTokenRefusalNamesTheFlags(t *testing.T) {
	srv, ca := invalidClientServer(t)
	for _, c := range []struct {
		args  []string
		cause string // the shared words
		flags string // send's own
	}{
		{[]string{"--client-id", "c1"},
			"give a client secret or a client key", "With keyhole send: --client-secret or --client-key."},
		{[]string{"--client-id", "c1", "--client-secret", "a+b/c=d", "--client-auth", "basic"},
			"try client auth post", "With keyhole send: --client-auth post."},
		{[]string{"--client-id", "c1", "--client-auth", "tls"},
			"give the client certificate and its key", "With keyhole send: --cert and --key."},
	} {
		args := append(append([]string{"send", "--cacert", ca, "--auth", "oauth2", "--token-url", srv.URL + "/token"}, c.args...), srv.URL+"/api")
		r := keyhole(t, runOpts{}, args...)
		wantCode(t, r, exitAuth, args...)
		if !strings.Contains(r.stderr, "token request refused (invalid_client)") || !strings.Contains(r.stderr, c.cause) || !strings.Contains(r.stderr, c.flags) {
			t.Errorf("%q: stderr lacks %q and %q:\n%s", c.args, c.cause, c.flags, r.stderr)
		}
	}
}

// An endpoint discovery did not find is asked for by the form's field
// name in the shared words, and by its flag in send's.
func TestSendMissingEndpointNamesTheFlag(t *testing.T) {
	srv, ca := invalidClientServer(t)
	args := []string{"send", "--cacert", ca, "--auth", "oauth2", "--client-id", "c1", "--grant", "authorization_code", "--token-url", srv.URL + "/token", srv.URL + "/api"}
	r := keyhole(t, runOpts{}, args...)
	want := "the authorization_code grant needs the authorization endpoint and discovery did not find it; give its URL (Auth URL). With keyhole send: --auth-url."
	if r.code == exitOK || !strings.Contains(r.stderr, want) {
		t.Errorf("exit %d, stderr lacks %q:\n%s", r.code, want, r.stderr)
	}
}

// What the OAuth 2.0 client refuses to be built from is said in the form's
// words (session's TestOAuthBuildNeedsNameNoFlags), and keyhole send adds
// the flag that gives what it asks for.
func TestSendOAuthBuildNeedsNameTheFlag(t *testing.T) {
	srv, ca := invalidClientServer(t)
	missing := filepath.Join(t.TempDir(), "missing.pem")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--client-id", "c1", "--grant", "refresh_token"},
			"the refresh_token grant needs a refresh token (Refresh token). With keyhole send: --refresh-token."},
		{[]string{"--client-id", "c1", "--grant", "password"},
			"the password grant needs the user name and password (User and Password). With keyhole send: -u USER[:PASSWORD]."},
		{[]string{"--register=false"},
			"needs its client id (Client id): registering keyhole with the authorization server is turned off (Register no). With keyhole send: --client-id or --register (not --register=false)."},
		{[]string{"--client-id", "c1", "--resource", "ftp://127.0.0.1/api"},
			`Resource "ftp://127.0.0.1/api" is not an http:// or https:// URL. With keyhole send: --resource.`},
		{[]string{"--client-id", "c1", "--grant", "authorization_code", "--auth-url", "authorize"},
			`Auth URL "authorize" is not an http:// or https:// URL. With keyhole send: --auth-url.`},
		{[]string{"--client-id", "c1", "--grant", "device_code", "--device-url", "device"},
			`Device URL "device" is not an http:// or https:// URL. With keyhole send: --device-url.`},
		{[]string{"--client-id", "c1", "--client-auth", "bogus"},
			`Client auth "bogus" is not one keyhole knows; use basic, post, private_key_jwt, tls or none. With keyhole send: --client-auth.`},
		{[]string{"--client-id", "c1", "--client-key", missing},
			"Client key: cannot read " + missing + ": no such file or directory. With keyhole send: --client-key."},
		{[]string{"--client-id", "c1", "--client-auth", "private_key_jwt"},
			"client auth private_key_jwt needs the client's key (Client key, a PEM file). With keyhole send: --client-key."},
	} {
		args := append(append([]string{"send", "--cacert", ca, "--auth", "oauth2", "--token-url", srv.URL + "/token"}, c.args...), srv.URL+"/api")
		r := keyhole(t, runOpts{}, args...)
		wantCode(t, r, exitUsage, args...)
		if !strings.Contains(r.stderr, c.want) {
			t.Errorf("%q: stderr lacks %q:\n%s", c.args, c.want, r.stderr)
		}
	}
}
