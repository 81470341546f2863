package session

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"keyhole/credentials"
	"keyhole/httpclient"
	"keyhole/practice"
)

// header is an Authorizer that sends a fixed credential value, for the
// schemes whose real authorizers are not what a test is about.
type header struct {
	scheme, name, value string
}

func (h header) Scheme() string { return h.scheme }
func (h header) Apply(r *httpclient.Request, ch *httpclient.Challenge) error {
	name := h.name
	if name == "" {
		name = credentials.HeaderFor(ch)
	}
	r.Header.Set(name, h.value)
	return nil
}

func bearer(tok string) header { return header{scheme: "Bearer", value: "Bearer " + tok} }

// token signs claims into a JWT; the key does not matter, keyhole never verifies.
func token(t *testing.T, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte("test key"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func startPractice(t *testing.T) *practice.Server {
	t.Helper()
	srv, err := practice.Start(practice.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// challenger answers every request with status and the given headers, unless
// ok accepts it.
func challenger(t *testing.T, status int, headers map[string]string, body string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range headers {
			w.Header()[http.CanonicalHeaderKey(k)] = []string{v}
		}
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// send runs the loop: one Send per auth (nil for none), and returns the last attempt.
func send(t *testing.T, o httpclient.Options, rawURL string, auths ...credentials.Authorizer) (*Session, *Attempt) {
	t.Helper()
	s := New(httpclient.New(o), httpclient.Request{Method: "GET", URL: rawURL})
	if len(auths) == 0 {
		auths = []credentials.Authorizer{nil}
	}
	for _, a := range auths {
		if _, err := s.Send(context.Background(), a); err != nil {
			t.Fatal(err)
		}
	}
	return s, s.Last()
}

func codes(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Code)
	}
	return out
}

func finding(t *testing.T, a *Attempt, code string) Finding {
	t.Helper()
	for _, f := range a.Findings {
		if f.Code == code {
			if f.Message == "" || f.Next == "" || f.Severity == "" {
				t.Errorf("%s: incomplete finding %+v", code, f)
			}
			for _, s := range []string{f.Message, f.Next} {
				if nestedParens(s) {
					t.Errorf("%s: parentheses inside parentheses read badly: %q", code, s)
				}
			}
			return f
		}
	}
	t.Fatalf("status %d: want finding %s, got %v (err %v)", a.Status(), code, codes(a.Findings), a.Exchange.Err)
	return Finding{}
}

// nestedParens reports a parenthesis opened inside another, "(407 (it
// offers NTLM))".
func nestedParens(s string) bool {
	depth := 0
	for _, r := range s {
		switch r {
		case '(':
			if depth++; depth > 1 {
				return true
			}
		case ')':
			depth--
		}
	}
	return false
}

func noFinding(t *testing.T, a *Attempt, code string) {
	t.Helper()
	if slices.Contains(codes(a.Findings), code) {
		t.Errorf("unexpected finding %s in %v", code, codes(a.Findings))
	}
}

func TestDiagnosePractice(t *testing.T) {
	p := startPractice(t)
	alice := credentials.Basic{User: practice.User, Password: practice.Password}
	follow := httpclient.Options{FollowRedirects: true}

	t.Run("missing-credentials", func(t *testing.T) {
		_, a := send(t, httpclient.Options{}, p.URL+"/basic")
		f := finding(t, a, "missing-credentials")
		if !strings.Contains(f.Message, "Basic") {
			t.Errorf("message does not name the offered scheme: %q", f.Message)
		}
	})
	t.Run("scheme-mismatch", func(t *testing.T) {
		_, a := send(t, httpclient.Options{}, p.URL+"/basic", nil, credentials.Bearer{Token: "abc"})
		f := finding(t, a, "scheme-mismatch")
		if !strings.Contains(f.Message, "Bearer") || !strings.Contains(f.Next, "Basic") {
			t.Errorf("scheme-mismatch should name sent and offered schemes: %+v", f)
		}
		noFinding(t, a, "credentials-rejected")
	})
	t.Run("credentials-rejected", func(t *testing.T) {
		_, a := send(t, httpclient.Options{}, p.URL+"/basic", nil, credentials.Basic{User: "alice", Password: "wrong"})
		f := finding(t, a, "credentials-rejected")
		if !strings.Contains(f.Message, "same challenge") {
			t.Errorf("the second 401 came with the same challenge: %q", f.Message)
		}
		if strings.Contains(f.Message+f.Next, "wrong") {
			t.Errorf("finding leaks the password: %+v", f)
		}
	})
	t.Run("success", func(t *testing.T) {
		_, a := send(t, httpclient.Options{}, p.URL+"/basic", nil, alice)
		if a.Status() != 200 {
			t.Fatalf("status %d", a.Status())
		}
		if f := finding(t, a, "success"); f.Message != "Worked: Basic credentials accepted." {
			t.Errorf("success message %q", f.Message)
		}
	})
	t.Run("no success without a failure first", func(t *testing.T) {
		_, a := send(t, httpclient.Options{}, p.URL+"/basic", alice)
		noFinding(t, a, "success")
	})
	t.Run("token-invalid", func(t *testing.T) {
		_, a := send(t, httpclient.Options{}, p.URL+"/bearer", nil, credentials.Bearer{Token: "not-the-token"})
		finding(t, a, "token-invalid")
		noFinding(t, a, "credentials-rejected")
	})
	t.Run("empty-basic-credentials", func(t *testing.T) {
		_, a := send(t, httpclient.Options{}, p.URL+"/basic", nil, credentials.Basic{})
		if got := a.Exchange.Request.Header.Get("Authorization"); got != "Basic Og==" {
			t.Fatalf("sent %q", got)
		}
		finding(t, a, "empty-basic-credentials")
	})
	t.Run("credentials-in-url", func(t *testing.T) {
		u, _ := url.Parse(p.URL + "/basic")
		u.User = url.UserPassword(practice.User, practice.Password)
		_, a := send(t, httpclient.Options{}, u.String())
		if a.Status() != 200 {
			t.Fatalf("net/http sends URL userinfo as Basic; status %d", a.Status())
		}
		f := finding(t, a, "credentials-in-url")
		if strings.Contains(f.Message, practice.Password) {
			t.Errorf("finding leaks the password: %q", f.Message)
		}
		// Wrong ones are rejected credentials, not missing ones.
		u.User = url.UserPassword(practice.User, "not-it")
		_, b := send(t, httpclient.Options{}, u.String())
		finding(t, b, "credentials-in-url")
		finding(t, b, "credentials-rejected")
		noFinding(t, b, "missing-credentials")
	})
	t.Run("no-challenge", func(t *testing.T) {
		_, a := send(t, httpclient.Options{}, p.URL+"/no-challenge")
		if a.Status() != 401 || len(a.Exchange.Challenges) != 0 {
			t.Fatalf("practice /no-challenge answered %d with %v", a.Status(), a.Exchange.Challenges)
		}
		finding(t, a, "no-challenge")
		// With no scheme offered, "pick a scheme it offers" is no advice.
		if f := finding(t, a, "missing-credentials"); strings.Contains(f.Next, "it offers") {
			t.Errorf("missing-credentials without a challenge: %q", f.Next)
		}
	})
	t.Run("forbidden", func(t *testing.T) {
		_, a := send(t, httpclient.Options{}, p.URL+"/forbidden", nil, alice)
		if a.Status() != 403 {
			t.Fatalf("status %d", a.Status())
		}
		f := finding(t, a, "forbidden")
		if !strings.Contains(f.Next, "Do not resend") {
			t.Errorf("forbidden must say not to resend: %q", f.Next)
		}
		noFinding(t, a, "success")
	})
	t.Run("auth-dropped-on-redirect", func(t *testing.T) {
		_, a := send(t, follow, p.URL+"/redirect", alice)
		if a.Status() != 401 || len(a.Exchange.Redirects) != 1 {
			t.Fatalf("status %d, hops %+v", a.Status(), a.Exchange.Redirects)
		}
		finding(t, a, "auth-dropped-on-redirect")
		// The target never saw the credentials: neither rejected nor missing.
		noFinding(t, a, "credentials-rejected")
		noFinding(t, a, "missing-credentials")
		if a.Findings[0].Code != "auth-dropped-on-redirect" || a.Findings[0].Severity != Error {
			t.Errorf("the dropped credentials are the cause and come first: %+v", a.Findings)
		}
		e := Explain(a)
		if len(e.Next) == 0 || e.Next[0].Kind != "trust-redirect" || !strings.Contains(e.Next[0].URL, "/redirect/target") {
			t.Errorf("trusting the redirect is not the first action: %+v", e.Next)
		}
		// Without credentials nothing is dropped, and the target's 401 is
		// missing credentials as usual.
		_, b := send(t, follow, p.URL+"/redirect")
		finding(t, b, "missing-credentials")
		noFinding(t, b, "auth-dropped-on-redirect")
		// Trusting the hop fixes it, and success says so.
		s, _ := send(t, follow, p.URL+"/redirect", alice)
		s.SetClient(httpclient.New(httpclient.Options{FollowRedirects: true, TrustRedirects: true}))
		if _, err := s.Send(context.Background(), alice); err != nil {
			t.Fatal(err)
		}
		last := s.Last()
		if last.Status() != 200 {
			t.Fatalf("trusted redirect: status %d", last.Status())
		}
		if f := finding(t, last, "success"); !strings.Contains(f.Message, "redirect") {
			t.Errorf("success should say the redirect was trusted: %q", f.Message)
		}
	})
	t.Run("login-redirect", func(t *testing.T) {
		_, a := send(t, follow, p.URL+"/session")
		finding(t, a, "login-redirect")
		_, b := send(t, httpclient.Options{}, p.URL+"/session")
		if b.Status()/100 != 3 {
			t.Fatalf("without following, /session answered %d", b.Status())
		}
		finding(t, b, "login-redirect")
		if !slices.ContainsFunc(Explain(b).Next, func(x Action) bool { return x.Kind == "clear-cookies" }) {
			t.Errorf("no clear-cookies action")
		}
	})
	t.Run("success after an automatic retry", func(t *testing.T) {
		// The DPoP lesson: Run retries on its own with the server's nonce.
		o := &credentials.OAuth2{ClientID: practice.ClientID, ClientSecret: practice.ClientSecret, TokenURL: p.URL + "/oauth/token"}
		s := New(httpclient.New(httpclient.Options{}), httpclient.Request{Method: "GET", URL: p.URL + "/dpop"})
		at, _ := OriginFor(p.URL)
		s.Run(context.Background(), &Wallet{Offers: []*Offer{{Auth: o, Origin: at}}}, Policy{})
		a := s.Last()
		if a.Status() != 200 || a.Auto == "" {
			t.Fatalf("status %d, auto %q", a.Status(), a.Auto)
		}
		finding(t, a, "success")
	})
	t.Run("proxy-auth-required", func(t *testing.T) {
		_, a := send(t, httpclient.Options{}, p.URL+"/proxy")
		if a.Status() != 407 {
			t.Fatalf("status %d", a.Status())
		}
		finding(t, a, "proxy-auth-required")
		noFinding(t, a, "no-challenge")
		e := Explain(a)
		if len(e.Next) == 0 || e.Next[0].Kind != "proxy-credentials" || e.Next[0].Scheme != "Basic" {
			t.Errorf("first action should be Basic proxy credentials: %+v", e.Next)
		}
		if len(e.Wants) != 1 || !strings.HasPrefix(e.Wants[0], "proxy: Basic") {
			t.Errorf("wants %q", e.Wants)
		}
		_, w := send(t, httpclient.Options{}, p.URL+"/proxy", nil, credentials.Basic{User: practice.User, Password: "nope"})
		if f := finding(t, w, "credentials-rejected"); !strings.Contains(f.Message, "proxy refused") {
			t.Errorf("a proxy's rejection: %q", f.Message)
		}
		// Answering the proxy's challenge puts the credentials in Proxy-Authorization.
		_, b := send(t, httpclient.Options{}, p.URL+"/proxy", nil, alice)
		if b.Status() != 200 || b.Exchange.Request.Header.Get("Proxy-Authorization") == "" {
			t.Fatalf("status %d, sent %v", b.Status(), b.Exchange.Request.Header)
		}
		finding(t, b, "success")
	})
}

func TestDiagnoseTransportError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now: connection refused
	_, a := send(t, httpclient.Options{}, "http://"+addr+"/")
	f := finding(t, a, "transport-error")
	if n := strings.Count(strings.ToLower(f.Next), "nothing listens"); n != 1 {
		t.Errorf("refused connection explained as %q; want \"nothing listens\" said once", f.Next)
	}
	if Explain(a).Next[0].Kind != "retry" {
		t.Errorf("want a retry action")
	}
}

// TestDiagnoseServers provokes each finding with a loopback server that sends
// the real headers of the case.
func TestDiagnoseServers(t *testing.T) {
	now := time.Now()
	read := token(t, jwt.MapClaims{"sub": "alice", "scope": "read", "exp": now.Add(time.Hour).Unix()})
	expired := token(t, jwt.MapClaims{"sub": "alice", "exp": now.Add(-5 * time.Minute).Unix()})
	early := token(t, jwt.MapClaims{"sub": "alice", "nbf": now.Add(2 * time.Hour).Unix(), "exp": now.Add(3 * time.Hour).Unix()})
	future := token(t, jwt.MapClaims{"sub": "alice", "iat": now.Add(5 * time.Minute).Unix(), "exp": now.Add(time.Hour).Unix()})
	otherAud := token(t, jwt.MapClaims{"sub": "alice", "aud": "https://other.example", "exp": now.Add(time.Hour).Unix()})

	cases := []struct {
		code    string
		status  int
		headers map[string]string
		body    string
		auth    credentials.Authorizer
		check   func(t *testing.T, f Finding)
	}{
		{code: "token-expired", status: 401,
			headers: map[string]string{"WWW-Authenticate": `Bearer realm="example", error="invalid_token", error_description="The access token expired"`},
			auth:    bearer("opaque-token"),
			check: func(t *testing.T, f Finding) {
				if !strings.Contains(f.Message, "The access token expired") {
					t.Errorf("message should quote the server: %q", f.Message)
				}
			}},
		{code: "token-expired", status: 401,
			headers: map[string]string{"WWW-Authenticate": `Bearer realm="api"`},
			auth:    bearer(expired),
			check: func(t *testing.T, f Finding) {
				if !strings.Contains(f.Message, "5m") {
					t.Errorf("message should say how long ago: %q", f.Message)
				}
			}},
		{code: "token-not-yet-valid", status: 401,
			headers: map[string]string{"WWW-Authenticate": `Bearer realm="api", error="invalid_token"`},
			auth:    bearer(early)},
		{code: "clock-skew", status: 200,
			headers: map[string]string{"Date": now.Add(5 * time.Minute).UTC().Format(http.TimeFormat)},
			check: func(t *testing.T, f Finding) {
				if !strings.Contains(f.Message, "behind") {
					t.Errorf("the local clock is behind the server's: %q", f.Message)
				}
			}},
		{code: "clock-skew", status: 401,
			headers: map[string]string{"WWW-Authenticate": `Bearer realm="api", error="invalid_token", error_description="token used before issued"`},
			auth:    bearer(future),
			check: func(t *testing.T, f Finding) {
				if !strings.Contains(f.Message, "iat") {
					t.Errorf("should blame the token's iat: %q", f.Message)
				}
			}},
		{code: "insufficient-scope", status: 403,
			headers: map[string]string{"WWW-Authenticate": `Bearer realm="api", error="insufficient_scope", scope="read write", error_uri="https://docs.example/scopes"`},
			auth:    bearer(read),
			check: func(t *testing.T, f Finding) {
				if !strings.Contains(f.Message, "missing 'write'") {
					t.Errorf("should name the missing scope: %q", f.Message)
				}
				if f.DocURL != "https://docs.example/scopes" {
					t.Errorf("DocURL %q", f.DocURL)
				}
			}},
		{code: "wrong-audience", status: 401,
			headers: map[string]string{"WWW-Authenticate": `Bearer scope="", error="invalid_token", error_description="the token does not have a valid audience"`},
			auth:    bearer("opaque")},
		{code: "wrong-audience", status: 401,
			headers: map[string]string{"WWW-Authenticate": `Bearer realm="api"`},
			auth:    bearer(otherAud),
			check: func(t *testing.T, f Finding) {
				if !strings.Contains(f.Message, "https://other.example") {
					t.Errorf("should name the token's aud: %q", f.Message)
				}
			}},
		{code: "invalid-request", status: 400,
			headers: map[string]string{"WWW-Authenticate": `Bearer realm="api", error="invalid_request", error_description="token sent twice"`},
			auth:    bearer("abc")},
		{code: "step-up-required", status: 401,
			headers: map[string]string{"WWW-Authenticate": `Bearer error="insufficient_user_authentication", error_description="A different authentication level is required", acr_values="myACR", max_age="300"`},
			auth:    bearer("abc"),
			check: func(t *testing.T, f Finding) {
				if !strings.Contains(f.Message, "myACR") || !strings.Contains(f.Message, "300") {
					t.Errorf("should give acr_values and max_age: %q", f.Message)
				}
			}},
		{code: "dpop-nonce-required", status: 401,
			headers: map[string]string{"WWW-Authenticate": `DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof"`, "DPoP-Nonce": "eyJ7S_zG.eyJH0-Z.HX4w-7v"},
			auth:    header{scheme: "DPoP", value: "DPoP abc"},
			check: func(t *testing.T, f Finding) {
				if !strings.Contains(f.Message, "eyJ7S_zG.eyJH0-Z.HX4w-7v") {
					t.Errorf("should show the nonce: %q", f.Message)
				}
			}},
		{code: "digest-stale-nonce", status: 401,
			headers: map[string]string{"WWW-Authenticate": `Digest realm="r", nonce="new", stale=true, qop="auth", algorithm=SHA-256`},
			auth:    header{scheme: "Digest", value: `Digest username="alice", realm="r", nonce="old", uri="/", response="0123", qop=auth, nc=00000001, cnonce="c"`}},
		{code: "credentials-rejected", status: 401,
			headers: map[string]string{"WWW-Authenticate": `Digest realm="r", nonce="new", qop="auth", algorithm=SHA-256`},
			auth:    header{scheme: "Digest", value: `Digest username="alice", realm="r", nonce="old", uri="/", response="0123", qop=auth, nc=00000001, cnonce="c"`},
			check: func(t *testing.T, f Finding) {
				if !strings.Contains(f.Message, "without stale=true") {
					t.Errorf("digest rejection: %q", f.Message)
				}
			}},
		{code: "credentials-rejected", status: 401, body: "invalid api key",
			auth: header{scheme: "apikey", name: "X-API-Key", value: "k-123"},
			check: func(t *testing.T, f Finding) {
				if !strings.Contains(f.Message, "X-Api-Key") || !strings.Contains(f.Message, "invalid api key") {
					t.Errorf("api key rejection: %q", f.Message)
				}
			}},
		{code: "credentials-rejected", status: 401, body: "user alice: password 'hunter22' is wrong",
			headers: map[string]string{"WWW-Authenticate": `Basic realm="r"`},
			auth:    credentials.Basic{User: "alice", Password: "hunter22"},
			check: func(t *testing.T, f Finding) {
				if strings.Contains(f.Message, "hunter22") || !strings.Contains(f.Message, "password '"+credentials.Redacted+"'") {
					t.Errorf("a password the server echoed must be masked: %q", f.Message)
				}
			}},
		{code: "malformed-challenge", status: 401,
			headers: map[string]string{"WWW-Authenticate": `realm="x"`}},
		{code: "malformed-challenge", status: 401,
			headers: map[string]string{"WWW-Authenticate": `Basic realm="basic`},
			check: func(t *testing.T, f Finding) {
				if f.Severity != Error {
					t.Errorf("severity %s", f.Severity)
				}
			}},
		// STANDARDS.md #24, as AWS API Gateway sends it: no commas between
		// parameters; the parser recovers them and the audience is still read.
		{code: "wrong-audience", status: 401,
			headers: map[string]string{"WWW-Authenticate": `Bearer scope="" error="invalid_token" error_description="the token does not have a valid audience"`},
			auth:    bearer("opaque")},
		{code: "resource-metadata", status: 401,
			headers: map[string]string{"WWW-Authenticate": `Bearer resource_metadata="https://resource.example.com/.well-known/oauth-protected-resource"`}},
		{code: "credentials-rejected", status: 401, body: "bad \x1b[2Jkey\u009b",
			auth: header{scheme: "apikey", name: "X-API-Key", value: "k-123"},
			check: func(t *testing.T, f Finding) {
				if strings.ContainsRune(f.Message, 0x1b) || strings.ContainsRune(f.Message, 0x9b) || !strings.Contains(f.Message, `\x1b[2J`) {
					t.Errorf("server text not made safe: %q", f.Message)
				}
			}},
	}
	for _, c := range cases {
		t.Run(c.code, func(t *testing.T) {
			srv := challenger(t, c.status, c.headers, c.body)
			auths := []credentials.Authorizer{nil}
			if c.auth != nil {
				auths = append(auths, c.auth)
			}
			_, a := send(t, httpclient.Options{}, srv.URL+"/resource", auths...)
			f := finding(t, a, c.code)
			if c.check != nil {
				c.check(t, f)
			}
		})
	}
}

// TestDiagnosePlainHTTP sends credentials to a non-loopback name over plain
// http; a loopback server plays the proxy, so nothing leaves the machine.
func TestDiagnosePlainHTTP(t *testing.T) {
	var gotURL string
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotURL = r.URL.String()
		fmt.Fprintln(w, "ok")
	}))
	defer proxy.Close()
	pu, _ := url.Parse(proxy.URL)
	o := httpclient.Options{Proxy: http.ProxyURL(pu)}
	_, a := send(t, o, "http://api.keyhole.test/v1", credentials.Basic{User: "alice", Password: "pw"})
	if gotURL != "http://api.keyhole.test/v1" {
		t.Fatalf("the proxy saw %q", gotURL)
	}
	f := finding(t, a, "credentials-over-plain-http")
	if !strings.Contains(f.Message, "api.keyhole.test") {
		t.Errorf("message %q", f.Message)
	}
	// Loopback over http is how local development works: no warning.
	p := startPractice(t)
	_, b := send(t, httpclient.Options{}, p.URL+"/basic", credentials.Basic{User: "alice", Password: "pw"})
	noFinding(t, b, "credentials-over-plain-http")
}

func TestDiagnoseTable(t *testing.T) {
	now := time.Date(2026, 11, 27, 4, 0, 0, 0, time.UTC)
	resp := func(status int, h ...string) *httpclient.Response {
		hdr := http.Header{"Date": {now.Format(http.TimeFormat)}}
		for i := 0; i+1 < len(h); i += 2 {
			hdr.Add(h[i], h[i+1])
		}
		return &httpclient.Response{Status: status, Header: hdr, URL: "https://api.example/x"}
	}
	attempt := func(auth string, r *httpclient.Response) *Attempt {
		h := http.Header{}
		if auth != "" {
			h.Set("Authorization", auth)
		}
		ex := &httpclient.Exchange{Request: &httpclient.Request{Method: "GET", URL: "https://api.example/x", Header: h}, Response: r}
		if r != nil {
			ex.Challenges, ex.Problems = httpclient.ParseHeader(r.Header, httpclient.WWWAuthenticate)
		}
		scheme, _, _ := strings.Cut(auth, " ")
		return &Attempt{Purpose: PurposeRequest, Scheme: scheme, Exchange: ex}
	}
	cases := []struct {
		name string
		in   Input
		want []string
	}{
		{"nil attempt", Input{}, nil},
		{"200 alone", Input{Attempt: attempt("", resp(200)), Now: now}, nil},
		{"401 bearer no creds", Input{Attempt: attempt("", resp(401, "WWW-Authenticate", `Bearer realm="a"`)), Now: now}, []string{"missing-credentials"}},
		{"401 bearer invalid, local clock off", Input{Attempt: attempt("Bearer x", resp(401, "WWW-Authenticate", `Bearer error="invalid_token"`)), Now: now.Add(-10 * time.Minute)}, []string{"token-invalid", "clock-skew"}},
		{"403 no creds", Input{Attempt: attempt("", resp(403)), Now: now}, []string{"forbidden"}},
		{"403 scope opaque", Input{Attempt: attempt("Bearer x", resp(403, "WWW-Authenticate", `Bearer error="insufficient_scope", scope="a"`)), Now: now}, []string{"insufficient-scope"}},
		{"success after transport error", Input{Attempt: attempt("", resp(204)), Previous: &Attempt{Exchange: &httpclient.Exchange{Err: fmt.Errorf("connection refused")}}, Now: now}, []string{"success"}},
		{"no success after 200", Input{Attempt: attempt("", resp(200)), Previous: attempt("", resp(200)), Now: now}, nil},
		{"407 wrong scheme", Input{Attempt: attempt("", resp(407, "Proxy-Authenticate", `Basic realm="p"`)), Now: now}, []string{"proxy-auth-required"}},
		{"digest without credentials", Input{Attempt: attempt("", resp(401, "WWW-Authenticate", `Digest realm="r", nonce="n"`)), Now: now}, []string{"missing-credentials"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.in.Attempt != nil {
				// ParseHeader labels proxy challenges only from the proxy header.
				if r := c.in.Attempt.Exchange.Response; r != nil && r.Status == 407 {
					c.in.Attempt.Exchange.Challenges, _ = httpclient.ParseHeader(r.Header, httpclient.ProxyAuthenticate)
				}
			}
			got := codes(Diagnose(c.in))
			if !slices.Equal(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestDiagnoseTokenEndpoint(t *testing.T) {
	srv := challenger(t, 401, map[string]string{"Content-Type": "application/json"},
		`{"error":"invalid_client","error_description":"client authentication failed","error_uri":"https://as.example/errors#invalid_client"}`)
	s := New(httpclient.New(httpclient.Options{}), httpclient.Request{Method: "GET", URL: srv.URL + "/api"})
	o := &credentials.OAuth2{ClientID: "c", ClientSecret: "s", TokenURL: srv.URL + "/token"}
	made, err := s.Send(context.Background(), o)
	if err == nil {
		t.Fatal("a refused token request must be an error")
	}
	// After invalid_client keyhole reads the server's metadata for the other
	// ways to send the client secret; each try is an attempt of its own and
	// none is the request itself.
	if len(made) == 0 || len(made) != len(s.Attempts()) {
		t.Fatalf("made %d attempts, session holds %d", len(made), len(s.Attempts()))
	}
	var last *Attempt
	for _, a := range made {
		if a.Purpose != PurposeToken && a.Purpose != PurposeDiscovery || a.Auto == "" {
			t.Fatalf("attempt %d: purpose %q auto %q", a.N, a.Purpose, a.Auto)
		}
		if a.Purpose == PurposeToken {
			last = a
		}
	}
	f := finding(t, last, "token-request-failed")
	if f.DocURL != "https://as.example/errors#invalid_client" || !strings.Contains(f.Message, "invalid_client") {
		t.Errorf("finding %+v", f)
	}
	if strings.Contains(f.Message+f.Next, "\"s\"") {
		t.Errorf("leaks the secret: %+v", f)
	}
}

// TestDiagnoseHostileHeaders sends to the practice /hostile?headers=7bit,
// whose headers carry ESC and BEL, which Go refuses: keyhole reads the answer
// again as sent (issue 17 item 5), and the finding says why it looks odd.
func TestDiagnoseHostileHeaders(t *testing.T) {
	p := startPractice(t)
	_, a := send(t, httpclient.Options{}, p.URL+"/hostile?headers=7bit")
	if a.Status() != 401 {
		t.Fatalf("status %d, err %v", a.Status(), a.Exchange.Err)
	}
	f := finding(t, a, "header-control-characters")
	if !strings.Contains(f.Message, "control characters") || !strings.Contains(f.Next, "hostile") {
		t.Errorf("finding %+v", f)
	}
}

// TestDiagnoseResourceMismatch reads metadata fetched from the practice
// server's well-known locations with no Input.Resource: the resource is the
// one the metadata URL was built from.
func TestDiagnoseResourceMismatch(t *testing.T) {
	p := startPractice(t)
	c := httpclient.New(httpclient.Options{})
	for _, tc := range []struct {
		path, resource string
		mismatch       bool
	}{
		{"/.well-known/oauth-protected-resource/jwt", "", false},
		{"/.well-known/oauth-protected-resource/wrong-resource", "", true},
		{"/.well-known/oauth-protected-resource/jwt", p.URL + "/jwt?x=1", false},
		{"/.well-known/oauth-protected-resource/jwt", p.URL + "/scoped", true},
	} {
		a := &Attempt{Purpose: PurposeDiscovery, Exchange: c.Do(context.Background(), &httpclient.Request{Method: "GET", URL: p.URL + tc.path})}
		a.Findings = Diagnose(Input{Attempt: a, Resource: tc.resource, Now: time.Now()})
		if got := slices.Contains(codes(a.Findings), "resource-mismatch"); got != tc.mismatch {
			t.Errorf("%s for %q: findings %v, want mismatch %v", tc.path, tc.resource, codes(a.Findings), tc.mismatch)
		}
		if got := slices.Contains(codes(a.Findings), "resource-metadata"); got == tc.mismatch {
			t.Errorf("%s for %q: findings %v; resource-metadata only for metadata that can be used", tc.path, tc.resource, codes(a.Findings))
		}
	}
}

// TestDiagnoseDevicePolling polls the practice token endpoint for a device
// code nobody approved: its first answer is slow_down, the next
// authorization_pending, and both are steps of RFC 8628 polling, not errors.
func TestDiagnoseDevicePolling(t *testing.T) {
	p := startPractice(t)
	c := httpclient.New(httpclient.Options{})
	post := func(path string, form url.Values) *httpclient.Exchange {
		t.Helper()
		h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
		h.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(practice.ClientID+":"+practice.ClientSecret)))
		ex := c.Do(context.Background(), &httpclient.Request{Method: "POST", URL: p.URL + path, Header: h, Body: []byte(form.Encode())})
		if ex.Err != nil {
			t.Fatal(ex.Err)
		}
		return ex
	}
	var dev struct {
		DeviceCode string `json:"device_code"`
	}
	if ex := post("/oauth/device", url.Values{}); json.Unmarshal(ex.Response.Body, &dev) != nil || dev.DeviceCode == "" {
		t.Fatalf("device authorization: %d %s", ex.Response.Status, ex.Response.Body)
	}
	poll := url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"}, "device_code": {dev.DeviceCode}}
	for _, want := range []string{"slow_down", "authorization_pending"} {
		a := &Attempt{Purpose: PurposeToken, Exchange: post("/oauth/token", poll)}
		a.Findings = Diagnose(Input{Attempt: a, Now: time.Now()})
		if !strings.Contains(string(a.Exchange.Response.Body), want) {
			t.Fatalf("the practice server answered %s, want %s", a.Exchange.Response.Body, want)
		}
		noFinding(t, a, "token-request-failed")
		f := finding(t, a, "token-pending")
		if f.Severity != Info {
			t.Errorf("%s: severity %s, want info", want, f.Severity)
		}
		msg := map[string]string{"slow_down": "poll more slowly (+5 s)", "authorization_pending": "waiting for the user to approve the device code"}[want]
		if !strings.Contains(f.Message, msg) {
			t.Errorf("%s: message %q lacks %q", want, f.Message, msg)
		}
	}
}

// BenchmarkDiagnose measures the diagnosis of a rejected JWT with a server
// Date, the costliest common case (it decodes the token).
func BenchmarkDiagnose(b *testing.B) {
	now := time.Now()
	tok, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"scope": "read", "exp": now.Add(-time.Minute).Unix(), "aud": "https://other.example"}).SignedString([]byte("k"))
	h := http.Header{"Date": {now.UTC().Format(http.TimeFormat)}, "Www-Authenticate": {`Bearer realm="api", error="invalid_token", error_description="The access token expired"`}}
	ex := &httpclient.Exchange{
		Request:  &httpclient.Request{Method: "GET", URL: "https://api.example/x", Header: http.Header{"Authorization": {"Bearer " + tok}}},
		Response: &httpclient.Response{Status: 401, Header: h, URL: "https://api.example/x", Body: []byte("expired")},
	}
	ex.Challenges, ex.Problems = httpclient.ParseHeader(h, httpclient.WWWAuthenticate)
	in := Input{Attempt: &Attempt{Purpose: PurposeRequest, Scheme: "Bearer", Exchange: ex}, Now: now}
	b.ReportAllocs()
	for b.Loop() {
		if len(Diagnose(in)) == 0 {
			b.Fatal("no finding")
		}
	}
}

// FuzzDiagnose feeds server-controlled bytes (the challenge, the Date, the
// body) and a user-controlled Authorization through Diagnose, Explain and
// Describe: no panic, and nothing a terminal would act on in the output.
func FuzzDiagnose(f *testing.F) {
	f.Add(401, `Bearer realm="api", error="invalid_token", error_description="The access token expired"`, "Fri, 27 Nov 2026 04:00:00 GMT", "Bearer eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.x", `{"error":"invalid_client"}`)
	f.Add(403, `Bearer error="insufficient_scope", scope="a b", error_uri="https://d.example/"`, "", "Bearer abc", "no")
	f.Add(401, `Digest realm="r", nonce="n", stale=true, qop="auth, auth-int"`, "bad date", `Digest username="u", response="r"`, "")
	f.Add(407, "Basic realm=\"\x1b[2J\"", "", "Basic Og==", "\x9b31m")
	f.Add(401, `DPoP error="use_dpop_nonce", algs="ES256"`, "", "DPoP x", "")
	f.Add(200, "", "Mon, 01 Jan 2001 00:00:00 GMT", "", `<form><input type="password"></form>`)
	f.Add(403, "", "Fri, 27 Nov 2026 05:00:00 GMT", "AWS4-HMAC-SHA256 Credential=AKID/20261127/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0",
		"<Error><Code>RequestTimeTooSkewed</Code><RequestTime>20261127T040000Z</RequestTime><ServerTime>2026-11-27T05:00:00Z</ServerTime></Error>")
	f.Add(403, "", "", "AWS4-HMAC-SHA256 Credential=AKID/20261127/us-east-1/s3/aws4_request",
		"<Error><Code>SignatureDoesNotMatch</Code><StringToSign>AWS4-HMAC-SHA256\n20261127T040000Z\n20261127/eu-west-1/s3/aws4_request\nab</StringToSign></Error>")
	f.Add(400, "", "", "", `{"__type":"com.amazon#ExpiredTokenException","message":"\u009b2J"}`)
	// Found by fuzzing: the sent scheme was quoted unescaped (credentials-over-plain-http).
	f.Add(401, "0", "", "\x00", "0")
	now := time.Date(2026, 11, 27, 4, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, status int, challenge, date, auth, body string) {
		h := http.Header{"Content-Type": {"text/html"}}
		for _, name := range []string{"WWW-Authenticate", "Proxy-Authenticate", "Dpop-Nonce"} {
			h.Set(name, challenge)
		}
		h.Set("Date", date)
		h.Set("Location", "/"+challenge)
		ex := &httpclient.Exchange{
			Request:  &httpclient.Request{Method: "GET", URL: "http://api.example/x", Header: http.Header{"Authorization": {auth}}},
			Response: &httpclient.Response{Status: status, Header: h, URL: "http://api.example/" + body, Body: []byte(body)},
		}
		ex.Challenges, ex.Problems = httpclient.ParseHeader(h, httpclient.WWWAuthenticate)
		pc, pp := httpclient.ParseHeader(h, httpclient.ProxyAuthenticate)
		ex.Challenges, ex.Problems = append(ex.Challenges, pc...), append(ex.Problems, pp...)
		for _, purpose := range []string{PurposeRequest, PurposeToken, PurposeDiscovery} {
			a := &Attempt{Purpose: purpose, Exchange: ex}
			a.Findings = Diagnose(Input{Attempt: a, Previous: &Attempt{Exchange: ex}, Now: now})
			e := Explain(a)
			texts := slices.Clone(e.Wants)
			for _, f := range e.Why {
				texts = append(texts, f.Message, f.Next, f.DocURL)
			}
			for _, x := range e.Next {
				texts = append(texts, x.Label, x.URL)
			}
			for _, s := range texts {
				if strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) }) {
					t.Fatalf("control character in %q", s)
				}
			}
		}
	})
}

// A token endpoint's refusal is about the client, not a resource request: a
// 401 invalid_client gets the token-endpoint finding only, whichever way the
// client authenticated (Basic, the form, a private_key_jwt assertion in the
// body), with or without a WWW-Authenticate, JSON error or not.
func TestDiagnoseTokenEndpointOnlyItsFindings(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	invalid := `{"error":"invalid_client","error_description":"client authentication failed"}`
	servers := map[string]*httptest.Server{
		"json":           challenger(t, 401, map[string]string{"Content-Type": "application/json"}, invalid),
		"json+challenge": challenger(t, 401, map[string]string{"Content-Type": "application/json", "WWW-Authenticate": `Basic realm="as"`}, invalid),
		"plain":          challenger(t, 401, map[string]string{"Content-Type": "text/plain"}, "go away"),
	}
	for name, srv := range servers {
		for _, how := range []string{credentials.AuthBasic, credentials.AuthPost, credentials.AuthPrivateKeyJWT} {
			t.Run(name+"/"+how, func(t *testing.T) {
				s := New(httpclient.New(httpclient.Options{}), httpclient.Request{Method: "GET", URL: srv.URL + "/api"})
				o := &credentials.OAuth2{ClientID: "c", ClientSecret: "s", TokenURL: srv.URL + "/token", ClientAuth: how}
				if how == credentials.AuthPrivateKeyJWT {
					o.ClientSecret, o.ClientKey = "", key
				}
				made, _ := s.Send(context.Background(), o)
				n := 0
				for _, a := range made {
					if a.Purpose != PurposeToken {
						continue
					}
					n++
					if got := codes(a.Findings); !slices.Equal(got, []string{"token-request-failed"}) {
						t.Errorf("token attempt %d (%d): findings %v, want only token-request-failed", a.N, a.Status(), got)
					}
				}
				if n == 0 {
					t.Fatalf("no token request among %d attempts", len(made))
				}
			})
		}
	}
}

// faceFlag finds a flag of keyhole send, or its name, in a text every
// face shows: "(-u", " --trust", "keyhole send".
var faceFlag = regexp.MustCompile(`keyhole send|(^|[\s(])--?[a-zA-Z]`)

// A finding is shown by every face, so its Next names no face's flag or
// key (keyhole send's --auth, -u): what a face can do for the user is the
// finding's Do, which each face words its own way. Every practice lesson,
// sent without credentials and with a wrong password. The run's errors,
// which the TUI shows as they are, are swept the same way by
// TestTokenRefusalNamesNoFlags and TestOAuthNeedsNameNoFlags, and what
// the forms refuse to build from by TestBuildRefusalsNameNoFlags.
func TestFindingsNameNoFacesFlags(t *testing.T) {
	p := startPractice(t)
	at, _ := OriginFor(p.URL)
	curl := regexp.MustCompile(`curl [^,.;)]*`) // curl's flags are the reference client's, named as such
	wrong := []credentials.Authorizer{nil, credentials.Basic{User: practice.User, Password: "nope"},
		&credentials.NTLM{User: `PRACTICE\alice`, Password: "nope"}}
	for _, l := range practice.Lessons() {
		for _, auth := range wrong {
			w := &Wallet{}
			if auth != nil {
				// As the TUI's form gives them: a Message names the
				// offer's Source, which each face words itself.
				w.Add(&Offer{Auth: auth, Origin: at, Source: "the form"})
			}
			s := New(httpclient.New(httpclient.Options{FollowRedirects: true}), httpclient.Request{Method: l.Method, URL: p.URL + l.Path, Header: http.Header{}})
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second) // the slow lesson
			out := s.Run(ctx, w, Policy{})
			cancel()
			for _, a := range out.Attempts {
				for _, f := range a.Findings {
					for _, text := range []string{f.Message, f.Next} {
						if faceFlag.MatchString(curl.ReplaceAllString(text, "")) {
							t.Errorf("%s: %s names a face's flag: %q", l.Path, f.Code, text)
						}
					}
				}
			}
			if out.Err != nil && faceFlag.MatchString(curl.ReplaceAllString(out.Err.Error(), "")) {
				t.Errorf("%s: the run's error names a face's flag: %q", l.Path, out.Err)
			}
		}
	}
	// A proxy that wants Kerberos: the step is answering its Negotiate,
	// which keyhole send takes as -U : and the TUI from the picker.
	proxy := challenger(t, 407, map[string]string{"Proxy-Authenticate": "Negotiate"}, "")
	_, a := send(t, httpclient.Options{}, proxy.URL)
	f := finding(t, a, "proxy-auth-required")
	if faceFlag.MatchString(curl.ReplaceAllString(f.Next, "")) || f.Do.Kind != "proxy-credentials" || f.Do.Scheme != "Negotiate" {
		t.Errorf("proxy Negotiate: %+v", f)
	}
}
