package session

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"keyhole/credentials"
	"keyhole/httpclient"
	"keyhole/practice"
)

func TestDescribe(t *testing.T) {
	cases := []struct{ header, want string }{
		{`Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe"`,
			"Digest, SHA-256, realm 'http-auth@example.org', qop auth or auth-int, nonce is fresh"},
		{`Digest realm="r", nonce="n", stale=true, qop="auth", userhash=true, algorithm=SHA-512-256`,
			"Digest, SHA-512-256, realm 'r', qop auth, user name hashed, nonce is stale: recompute with the new one"},
		{`Digest realm="r", nonce="n"`, "Digest, MD5 (default), realm 'r', no qop (RFC 2069 style), nonce is fresh"},
		{`Bearer realm="api", error="invalid_token", error_description="The access token expired"`, "Bearer, realm 'api', token rejected: expired"},
		{`Bearer realm="api"`, "Bearer, realm 'api', wants a token"},
		{`Bearer realm="api", error="insufficient_scope", scope="read:secrets"`, "Bearer, realm 'api', scope 'read:secrets', token lacks scope"},
		{`Bearer error="insufficient_user_authentication", acr_values="phr", max_age=300`, "Bearer, stronger sign-in needed (acr_values phr) (max_age 300 s)"},
		{`Bearer resource_metadata="https://rs.example/.well-known/oauth-protected-resource"`, "Bearer, wants a token, metadata at https://rs.example/.well-known/oauth-protected-resource"},
		{`DPoP algs="ES256 PS256"`, "DPoP, proof algorithms ES256 PS256"},
		{`Basic realm="practice", charset="UTF-8"`, "Basic, realm 'practice', UTF-8"},
		{`Negotiate RA==`, "Negotiate, a malformed Negotiate token: negotiate: the token is neither SPNEGO nor Kerberos nor NTLM: not a valid SPNEGO token: asn1: syntax error: truncated tag or length"},
		{`Negotiate`, "Negotiate, wants a Kerberos ticket for HTTP/host (SPNEGO), from kinit's credential cache"},
		{`NTLM`, "NTLM, wants NTLM: a three-leg exchange on one connection, starting with a type 1 message"},
		{`Newauth realm="apps", type=1`, "Newauth, realm 'apps', keyhole cannot answer this scheme"},
	}
	for _, c := range cases {
		chs, _ := httpclient.ParseChallenges(c.header)
		if len(chs) != 1 {
			t.Fatalf("%s: parsed %d challenges", c.header, len(chs))
		}
		if got := Describe(chs[0]); got != c.want {
			t.Errorf("Describe(%s)\n got %q\nwant %q", c.header, got, c.want)
		}
	}
}

// TestDescribeHostile reads the practice server's hostile challenge: nothing
// a terminal would act on may come through.
func TestDescribeHostile(t *testing.T) {
	p := startPractice(t)
	_, a := send(t, httpclient.Options{}, p.URL+"/hostile")
	e := Explain(a)
	if len(e.Wants) == 0 {
		t.Fatal("no challenge explained")
	}
	var all []string
	all = append(all, e.Wants...)
	for _, f := range e.Why {
		all = append(all, f.Message, f.Next)
	}
	for _, s := range all {
		if strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) }) {
			t.Errorf("control character reaches the terminal: %q", s)
		}
	}
}

func TestExplainMulti(t *testing.T) {
	p := startPractice(t)
	for _, path := range []string{"/multi", "/multi/split"} {
		_, a := send(t, httpclient.Options{}, p.URL+path)
		e := Explain(a)
		if len(e.Wants) != 3 {
			t.Fatalf("%s: wants %q", path, e.Wants)
		}
		var picks []string
		for _, x := range e.Next {
			if x.Kind == "pick-scheme" {
				picks = append(picks, x.Scheme)
			}
		}
		if !slices.Equal(picks, []string{"Digest", "Basic"}) {
			t.Errorf("%s: pick order %v, want strongest first and no Newauth", path, picks)
		}
		if i := Strongest(a.Exchange.Challenges); i < 0 || !a.Exchange.Challenges[i].Is("Digest") {
			t.Errorf("%s: Strongest = %d", path, i)
		}
		if len(e.Why) == 0 || e.Why[0].Code != "missing-credentials" {
			t.Errorf("%s: why %v", path, codes(e.Why))
		}
	}
}

func TestExplainActions(t *testing.T) {
	p := startPractice(t)
	ctx := context.Background()
	has := func(e Explanation, kind string) bool {
		return slices.ContainsFunc(e.Next, func(a Action) bool { return a.Kind == kind && a.Label != "" })
	}

	_, a := send(t, httpclient.Options{}, p.URL+"/no-challenge")
	if !has(Explain(a), "use-api-key") {
		t.Errorf("no-challenge: %+v", Explain(a).Next)
	}

	s := New(httpclient.New(httpclient.Options{}), httpclient.Request{Method: "GET", URL: p.URL + "/bearer"})
	s.Send(ctx, nil)
	s.Send(ctx, credentials.Bearer{Token: "stale"})
	if !has(Explain(s.Last()), "refresh-token") {
		t.Errorf("token-invalid: %+v", Explain(s.Last()).Next)
	}

	srv := challenger(t, 403, map[string]string{"WWW-Authenticate": `Bearer error="insufficient_scope", scope="read:secrets", error_uri="https://docs.example/scopes"`}, "")
	_, a = send(t, httpclient.Options{}, srv.URL, bearer("abc"))
	e := Explain(a)
	if !has(e, "ask-scope") || !has(e, "open-docs") {
		t.Errorf("insufficient-scope: %+v", e.Next)
	}
	for _, x := range e.Next {
		if x.Kind == "ask-scope" && !strings.Contains(x.Label, "read:secrets") {
			t.Errorf("ask-scope label %q", x.Label)
		}
		if x.Kind == "open-docs" && x.URL != "https://docs.example/scopes" {
			t.Errorf("open-docs URL %q", x.URL)
		}
	}

	_, a = send(t, httpclient.Options{}, p.URL+"/jwt")
	if !has(Explain(a), "fetch-metadata") {
		t.Errorf("resource-metadata: %+v", Explain(a).Next)
	}

	// A documentation link that is not http(s) is never offered.
	srv = challenger(t, 401, map[string]string{"WWW-Authenticate": `Bearer error="invalid_token", error_uri="javascript:alert(1)"`}, "")
	_, a = send(t, httpclient.Options{}, srv.URL, bearer("abc"))
	if has(Explain(a), "open-docs") {
		t.Errorf("offered a javascript: link: %+v", Explain(a).Next)
	}

	_, a = send(t, httpclient.Options{}, p.URL+"/basic", credentials.Basic{User: practice.User, Password: practice.Password})
	if e := Explain(a); len(e.Next) != 0 || len(e.Wants) != 0 {
		t.Errorf("a 200 needs nothing: %+v", e)
	}
	if e := Explain(nil); e.Wants != nil || e.Why != nil || e.Next != nil {
		t.Errorf("Explain(nil) = %+v", e)
	}
}

// resource-mismatch says what to check; it links the metadata's documentation
// only when that is on the requested resource's origin, as the metadata
// itself may be an impostor's.
func TestExplainResourceMismatch(t *testing.T) {
	p := startPractice(t)
	c := httpclient.New(httpclient.Options{})
	discover := func(u string) *Attempt {
		a := &Attempt{Purpose: PurposeDiscovery, Exchange: c.Do(context.Background(), &httpclient.Request{Method: "GET", URL: u})}
		a.Findings = Diagnose(Input{Attempt: a, Now: time.Now()})
		return a
	}
	docsAction := func(a *Attempt) (Action, bool) {
		for _, x := range Explain(a).Next {
			if x.Kind == "open-docs" {
				return x, true
			}
		}
		return Action{}, false
	}

	a := discover(p.URL + "/.well-known/oauth-protected-resource/wrong-resource")
	x, ok := docsAction(a)
	if !ok || !strings.Contains(x.Label, "another resource") || !strings.HasPrefix(x.URL, p.URL) {
		t.Errorf("practice wrong-resource: %+v (findings %v)", Explain(a).Next, codes(a.Findings))
	}

	var base string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		doc := base + "/docs"
		if r.URL.Query().Has("foreign") {
			doc = "https://impostor.example/docs"
		}
		fmt.Fprintf(w, `{"resource":"%s/elsewhere","authorization_servers":["https://as.example"],"resource_documentation":%q}`, base, doc)
	}))
	defer srv.Close()
	base = srv.URL
	a = discover(srv.URL + "/.well-known/oauth-protected-resource/api")
	if x, ok := docsAction(a); !ok || x.URL != srv.URL+"/docs" || !strings.Contains(x.Label, "check the URL") {
		t.Errorf("same-origin docs: %+v (findings %v)", Explain(a).Next, codes(a.Findings))
	}
	if n := len(Explain(a).Next); n != 1 {
		t.Errorf("want one action, got %+v", Explain(a).Next)
	}
	a = discover(srv.URL + "/.well-known/oauth-protected-resource/api?foreign=1")
	if x, ok := docsAction(a); !ok || x.URL != "" {
		t.Errorf("an impostor's docs link was offered: %+v", Explain(a).Next)
	}
}
