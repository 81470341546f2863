package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"keyhole/credentials"
	"keyhole/internal/oidctest"
)

// signIn runs the built keyhole like keyhole(), reading its stderr as a
// user would: when it prints a URL to open (authorization code) or a code to
// enter (device flow), the browser step is played against oidc-provider's
// pages.
func signIn(t *testing.T, args ...string) result {
	t.Helper()
	return signInReading(t, false, args...)
}

// signInOneStream is signIn with stdout and stderr on one pipe, as a
// terminal shows them: the result's stdout holds both, in the order keyhole
// wrote them.
func signInOneStream(t *testing.T, args ...string) result {
	t.Helper()
	return signInReading(t, true, args...)
}

func signInReading(t *testing.T, oneStream bool, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	home := t.TempDir()
	cmd.Env = []string{"HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, ".config"), "PATH=/usr/bin:/bin", "TERM=dumb",
		credentials.NoKeychainEnv + "=1"}
	var out strings.Builder
	cmd.Stdout = &out
	var pr io.Reader
	var pw *os.File // the write end of the one stream, closed here once keyhole holds it
	if oneStream {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		pr, pw, cmd.Stdout, cmd.Stderr = r, w, w, w
	} else {
		p, err := cmd.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		pr = p
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if pw != nil {
		pw.Close()
	}
	var read strings.Builder // the stream read: stderr, or both
	var wg sync.WaitGroup
	var browseErr error
	s := bufio.NewScanner(pr)
	for s.Scan() {
		line := s.Text()
		read.WriteString(line + "\n")
		open := ""
		if u, ok := strings.CutPrefix(line, "Open this URL to sign in: "); ok {
			open = u
		} else if rest, ok := strings.CutPrefix(line, "To sign in, open "); ok {
			if u, code, ok := strings.Cut(rest, " and enter the code "); ok {
				open = u + "?user_code=" + code
			}
		}
		if open != "" {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := oidctest.Browse(ctx, open); err != nil {
					browseErr = err
				}
			}()
		}
	}
	io.Copy(io.Discard, pr)
	err := cmd.Wait()
	wg.Wait()
	if browseErr != nil {
		t.Logf("browser step: %v", browseErr)
	}
	r := result{stdout: out.String(), stderr: read.String()}
	if oneStream {
		r.stdout, r.stderr = read.String(), ""
	}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("keyhole %q: %v", args, err)
	}
	return r
}

// sent summarises a --json run: the purpose of each attempt and why
// keyhole sent it, and the final status.
type sent struct {
	purposes []string
	autos    []string
	final    int
	doc      string
}

func (s sent) count(purpose string) int {
	n := 0
	for _, p := range s.purposes {
		if p == purpose {
			n++
		}
	}
	return n
}

func readSent(t *testing.T, r result) sent {
	t.Helper()
	var doc struct {
		Final    struct{ Status int }
		Attempts []struct {
			Purpose string
			Auto    string
			Note    string
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("--json output is not JSON: %v\nstdout:\n%s\nstderr:\n%s", err, r.stdout, r.stderr)
	}
	s := sent{final: doc.Final.Status, doc: r.stdout}
	for _, a := range doc.Attempts {
		s.purposes = append(s.purposes, a.Purpose)
		s.autos = append(s.autos, a.Auto)
	}
	return s
}

// noSecrets fails t when any of secrets appears in what keyhole printed.
func noSecrets(t *testing.T, r result, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if s != "" && strings.Contains(r.all(), s) {
			t.Errorf("a secret (%.6s…) was printed", s)
		}
	}
}

func TestOIDCClientCredentialsWithResource(t *testing.T) {
	as := oidctest.Start(t)
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"discovered from the challenge", nil},
		{"token URL under the tenant path", []string{"--token-url", as.Issuer + "/token"}},
		{"resource given", []string{"--resource", as.Origin + "/api/aud", "--token-url", as.Issuer + "/token"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"send", "--json", "--client-id", "cc-basic", "--client-secret", oidctest.Secret, "--scope", "read"}, tc.args...)
			r := keyhole(t, runOpts{}, append(args, as.Origin+"/api/aud")...)
			s := readSent(t, r)
			if s.final != 200 || s.count("token") != 1 {
				t.Fatalf("final %d after %d token requests, want 200 after 1: %v %q\n%s", s.final, s.count("token"), s.purposes, s.autos, r.stderr)
			}
			if !strings.Contains(s.doc, "resource=") {
				t.Errorf("no resource= in the token request:\n%s", s.doc)
			}
			noSecrets(t, r, oidctest.Secret)
		})
	}
}

// codeTokens runs the authorization code flow for clientID as another
// program would (x/oauth2, the browser step played by oidctest), for the
// refresh tests' starting tokens.
func codeTokens(t *testing.T, as *oidctest.Server, clientID, resource string) *oauth2.Token {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	codes := make(chan string, 1)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case codes <- r.URL.Query().Get("code"):
		default:
		}
	})}
	go srv.Serve(ln)
	defer srv.Close()
	c := &oauth2.Config{ClientID: clientID, Scopes: []string{"read", "offline_access"}, RedirectURL: "http://" + ln.Addr().String() + "/callback",
		Endpoint: oauth2.Endpoint{AuthURL: as.Issuer + "/auth", TokenURL: as.Issuer + "/token", AuthStyle: oauth2.AuthStyleInParams}}
	v := oauth2.GenerateVerifier()
	res := oauth2.SetAuthURLParam("resource", resource)
	ctx := context.Background()
	if _, err := oidctest.Browse(ctx, c.AuthCodeURL("st", oauth2.S256ChallengeOption(v), oauth2.SetAuthURLParam("prompt", "consent"), res)); err != nil {
		t.Fatal(err)
	}
	tok, err := c.Exchange(ctx, <-codes, oauth2.VerifierOption(v), res)
	if err != nil {
		t.Fatal(err)
	}
	if tok.RefreshToken == "" {
		t.Fatal("oidc-provider issued no refresh token")
	}
	return tok
}

func TestOIDCAuthorizationCodeWithPKCE(t *testing.T) {
	as := oidctest.Start(t)
	r := signIn(t, "send", "--json", "--client-id", "app", "--grant", "authorization_code", as.Origin+"/api/aud")
	s := readSent(t, r)
	// The server offers PAR: the pushed authorization request, then the
	// token request.
	if s.final != 200 || s.count("token") != 2 {
		t.Fatalf("final %d after %d token requests, want 200 after 2: %v %q\n%s", s.final, s.count("token"), s.purposes, s.autos, r.stderr)
	}
	if !strings.Contains(s.doc, "code_verifier") || !strings.Contains(s.doc, "resource=") {
		t.Errorf("the token request lacks code_verifier or resource:\n%s", s.doc)
	}
}

func TestOIDCDeviceCode(t *testing.T) {
	as := oidctest.Start(t)
	r := signIn(t, "send", "--json", "--client-id", "app", "--grant", "device_code", as.Origin+"/api/aud")
	s := readSent(t, r)
	// The device authorization request, then polls until the user approved.
	if s.final != 200 || s.count("token") < 2 {
		t.Fatalf("final %d after %d token requests, want 200: %v %q\n%s", s.final, s.count("token"), s.purposes, s.autos, r.stderr)
	}
}

func TestOIDCDeviceURLGivenByFlag(t *testing.T) {
	as := oidctest.Start(t)
	r := signIn(t, "send", "--json", "--client-id", "app", "--grant", "device_code", "--auth", "oauth2", "--scope", "read",
		"--token-url", as.Issuer+"/token", "--device-url", as.Issuer+"/device/auth", "--resource", as.Origin+"/api/aud", as.Origin+"/api/aud")
	s := readSent(t, r)
	if s.final != 200 || s.count("discovery") != 0 {
		t.Fatalf("final %d after %v, want 200 without discovery %q\n%s", s.final, s.purposes, s.autos, r.stderr)
	}
}

func TestOIDCRefresh(t *testing.T) {
	as := oidctest.Start(t)
	t.Run("refresh token alone", func(t *testing.T) {
		tok := codeTokens(t, as, "app", as.Origin+"/api/aud")
		r := keyhole(t, runOpts{}, "send", "--json", "--client-id", "app", "--grant", "refresh_token", "--refresh-token", tok.RefreshToken, as.Origin+"/api/aud")
		s := readSent(t, r)
		if s.final != 200 || s.count("token") != 1 {
			t.Fatalf("final %d after %d token requests, want 200 after 1: %v %q\n%s", s.final, s.count("token"), s.purposes, s.autos, r.stderr)
		}
		noSecrets(t, r, tok.RefreshToken, tok.AccessToken)
	})
	t.Run("expired token beside the refresh token", func(t *testing.T) {
		tok := codeTokens(t, as, "app-short", as.Origin+"/api/aud")
		time.Sleep(time.Until(tok.Expiry) + time.Second) // a 5-second token
		r := keyhole(t, runOpts{}, "send", "--json", "--client-id", "app-short", "--token", tok.AccessToken, "--refresh-token", tok.RefreshToken, as.Origin+"/api/aud")
		s := readSent(t, r)
		if s.final != 200 || s.count("token") != 1 {
			t.Fatalf("final %d after %d token requests, want 200 after 1: %v %q\n%s", s.final, s.count("token"), s.purposes, s.autos, r.stderr)
		}
		if !strings.Contains(strings.Join(s.autos, "\n"), "token expired: refreshing") {
			t.Errorf("the refresh does not say the token expired: %q", s.autos)
		}
		noSecrets(t, r, tok.RefreshToken, tok.AccessToken)
	})
}

func TestOIDCDPoP(t *testing.T) {
	as := oidctest.Start(t)
	r := keyhole(t, runOpts{}, "send", "--json", "--client-id", "cc-dpop", "--client-secret", oidctest.Secret, "--scope", "read", as.Origin+"/api/dpop")
	s := readSent(t, r)
	// The token endpoint and the resource each ask for a nonce once.
	if s.final != 200 || s.count("token") != 2 || s.count("request") != 3 {
		t.Fatalf("final %d after %v, want 200 after 2 token requests and 3 requests: %q\n%s", s.final, s.purposes, s.autos, r.stderr)
	}
	noSecrets(t, r, oidctest.Secret)
}

func TestOIDCRejectionsSayWhy(t *testing.T) {
	as := oidctest.Start(t)
	// Sent before any challenge, the first token is asked without a
	// resource and is for the server's default audience: the resource
	// refuses it, and the retry says so rather than "token expired".
	r := keyhole(t, runOpts{}, "send", "--json", "--auth", "oauth2", "--client-id", "cc-basic", "--client-secret", oidctest.Secret,
		"--token-url", as.Issuer+"/token", "--scope", "read", as.Origin+"/api/aud")
	s := readSent(t, r)
	autos := strings.Join(s.autos, "\n")
	if s.final != 200 || s.count("token") != 2 {
		t.Fatalf("final %d after %v, want 200 after 2 token requests: %q\n%s", s.final, s.purposes, s.autos, r.stderr)
	}
	if !strings.Contains(autos, "another audience") || strings.Contains(autos, "expired") {
		t.Errorf("the retries do not say the token was for another audience:\n%s", autos)
	}
}

func TestOIDCAuthorizationStepErrorsAreTheirs(t *testing.T) {
	as := oidctest.Start(t)
	r := signIn(t, "send", "--client-id", "app", "--grant", "authorization_code", "--resource", "http://127.0.0.1:1/unknown",
		"--auth-url", as.Issuer+"/auth", "--token-url", as.Issuer+"/token", as.Origin+"/api/aud")
	if r.code == exitOK || !strings.Contains(r.stderr, "authorization step refused (invalid_target)") || strings.Contains(r.stderr, "token request") {
		t.Fatalf("exit %d; want the authorization step's invalid_target explained:\n%s", r.code, r.stderr)
	}
}

func TestOIDCInvalidClientRetriedWithTheRightMethod(t *testing.T) {
	as := oidctest.Start(t)
	// cc-basic authenticates with its secret. Given a key as well, keyhole
	// starts with private_key_jwt, is told invalid_client, and tries the
	// secret the way the server lists next.
	r := keyhole(t, runOpts{}, "send", "--json", "--client-id", "cc-basic", "--client-secret", oidctest.Secret, "--client-key", clientKey(t, nil), "--scope", "read",
		"--token-url", as.Issuer+"/token", "--resource", as.Origin+"/api/aud", as.Origin+"/api/aud")
	s := readSent(t, r)
	autos := strings.Join(s.autos, "\n")
	if s.final != 200 || s.count("token") != 2 {
		t.Fatalf("final %d after %v, want 200 after 2 token requests: %q\n%s", s.final, s.purposes, s.autos, r.stderr)
	}
	if !strings.Contains(autos, "invalid_client with private_key_jwt: retrying with client_secret_basic") {
		t.Errorf("the retry does not say why:\n%s", autos)
	}
	noSecrets(t, r, oidctest.Secret)
}

func TestOIDCWrongClientAuthExplained(t *testing.T) {
	jwk := ""
	clientKey(t, &jwk)
	as := oidctest.Start(t, "CLIENT_JWK="+jwk)
	// cc-jwt authenticates with its key; forced to Basic with a secret, the
	// refusal says how keyhole authenticated and what in it may be wrong.
	r := keyhole(t, runOpts{}, "send", "--client-id", "cc-jwt", "--client-secret", oidctest.Secret, "--client-auth", "basic",
		"--token-url", as.Issuer+"/token", as.Origin+"/api/aud")
	if r.code == exitOK || !strings.Contains(r.stderr, "token request refused (invalid_client)") ||
		!strings.Contains(r.stderr, "keyhole authenticated with client_secret_basic (as asked") || !strings.Contains(r.stderr, "form-encodes") {
		t.Fatalf("exit %d:\n%s", r.code, r.stderr)
	}
	noSecrets(t, r, oidctest.Secret)
}

// clientKey is oidctest.ClientKey's path; jwk, when not nil, gets its public JWK.
func clientKey(t *testing.T, jwk *string) string {
	path, j := oidctest.ClientKey(t)
	if jwk != nil {
		*jwk = j
	}
	return path
}

func TestOIDCPrivateKeyJWT(t *testing.T) {
	jwk := ""
	path := clientKey(t, &jwk)
	as := oidctest.Start(t, "CLIENT_JWK="+jwk)
	r := keyhole(t, runOpts{}, "send", "--json", "--client-id", "cc-jwt", "--client-key", path, "--scope", "read", as.Origin+"/api/aud")
	s := readSent(t, r)
	if s.final != 200 || s.count("token") != 1 || !strings.Contains(s.doc, "client_assertion_type") {
		t.Fatalf("final %d after %v, want 200 after 1 token request with an assertion: %q\n%s", s.final, s.purposes, s.autos, r.stderr)
	}
}

func TestOIDCDynamicRegistration(t *testing.T) {
	as := oidctest.Start(t)
	// An MCP-style resource: a bare 401 with resource_metadata, no client id
	// known. keyhole reads the metadata, registers, signs in with PKCE and
	// resource=, and retries: asked to (--register), and by itself when
	// only told to answer with OAuth 2.0, as an MCP client does.
	for _, ask := range []string{"--register", "--auth=oauth2"} {
		r := signIn(t, "send", "--json", ask, as.Origin+"/mcp")
		s := readSent(t, r)
		// The registration, the pushed authorization request (the server
		// offers PAR) and the token request.
		if s.final != 200 || s.count("token") != 3 {
			t.Fatalf("%s: final %d after %v, want 200 after a registration, a push and a token request: %q\n%s", ask, s.final, s.purposes, s.autos, r.stderr)
		}
		autos := strings.Join(s.autos, "\n")
		if !strings.Contains(autos, "client registration (RFC 7591): no client id was given") || !strings.Contains(autos, "pushed authorization request (RFC 9126)") {
			t.Errorf("%s: the steps do not say why: %q", ask, s.autos)
		}
	}
}

func TestOIDCPushedAuthorizationRequest(t *testing.T) {
	as := oidctest.Start(t)
	r := signIn(t, "send", "--json", "--client-id", "par-app", "--grant", "authorization_code", as.Origin+"/api/aud")
	s := readSent(t, r)
	if s.final != 200 || s.count("token") != 2 {
		t.Fatalf("final %d after %v, want 200 after the pushed request and a token request: %q\n%s", s.final, s.purposes, s.autos, r.stderr)
	}
	if !strings.Contains(strings.Join(s.autos, "\n"), "pushed authorization request (RFC 9126)") {
		t.Errorf("the push does not say why: %q", s.autos)
	}
}

// clientDocument serves a Client ID Metadata Document over https (with the
// test CA's certificate) as a user would host one, and returns its URL and
// how many times it was fetched.
func clientDocument(t *testing.T, ca *oidctest.CA) (string, *atomic.Int32) {
	t.Helper()
	var fetched atomic.Int32
	var id late[string]
	id.set(ca.ServeTLS(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/keyhole/client.json" {
			http.NotFound(w, r)
			return
		}
		fetched.Add(1)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"client_id": id.get(), "client_name": "keyhole under test", "redirect_uris": []string{"http://127.0.0.1/callback"},
			"grant_types": []string{"authorization_code", "refresh_token"}, "response_types": []string{"code"},
			"token_endpoint_auth_method": "none", "application_type": "native",
		})
	}), false) + "/keyhole/client.json")
	return id.get(), &fetched
}

// The OAuth client's extras are profile fields like any (the description's
// keys): 'profile save --client-auth private_key_jwt --client-key FILE'
// saves them and send --profile signs its token request with the key.
func TestOIDCPrivateKeyJWTFromAProfile(t *testing.T) {
	jwk := ""
	path := clientKey(t, &jwk)
	as := oidctest.Start(t, "CLIENT_JWK="+jwk)
	env := []string{"XDG_CONFIG_HOME=" + t.TempDir()}
	r := keyhole(t, runOpts{env: env}, "profile", "save", "jwt", "--scheme", "oauth2", "--client-id", "cc-jwt",
		"--client-auth", "private_key_jwt", "--client-key", path, "--scope", "read", "--resource", as.Origin+"/api/aud")
	wantCode(t, r, 0, "profile save")
	r = keyhole(t, runOpts{env: env}, "send", "--json", "--profile", "jwt", as.Origin+"/api/aud")
	s := readSent(t, r)
	if s.final != 200 || s.count("token") != 1 || !strings.Contains(s.doc, "client_assertion_type") || !strings.Contains(s.doc, "resource=") {
		t.Fatalf("final %d after %v, want 200 after 1 token request with an assertion and resource=: %q\n%s", s.final, s.purposes, s.autos, r.stderr)
	}
}
