package practice

import (
	"context"
	"errors"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"keyhole/credentials"
	"keyhole/httpclient"
	"keyhole/internal/oidctest"
	"keyhole/session"
)

// TestLessonStepsTick plays each lesson the way its steps say, through
// keyhole's own loop against a running practice server, and checks that
// every step ticks (Lesson.Progress), and that the lesson is not done before
// its last step: "done" means every step's check passed, not only a 200.
func TestLessonStepsTick(t *testing.T) {
	var mu sync.Mutex
	skew := time.Duration(0) // how far the server's clock is ahead of ours
	s := start(t, Options{Now: func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return time.Now().Add(skew)
	}})
	alice := credentials.Basic{User: User, Password: Password}
	wrong := credentials.Basic{User: User, Password: "nope"}
	client := func(scope, resource string) *credentials.OAuth2 {
		o := &credentials.OAuth2{ClientID: ClientID, ClientSecret: ClientSecret, TokenURL: s.URL + "/oauth/token", Resource: resource}
		if scope != "" {
			o.Scopes = []string{scope}
		}
		return o
	}
	type step struct {
		draft   string // "" keeps the draft; "POST path body" posts a form
		header  string // "Name: value" the user types into the draft
		auth    credentials.Authorizer
		trust   bool          // resend credentials across origins from now on
		times   int           // send this many times (default 1)
		timeout time.Duration // give up after this long (the user cancels)
		ahead   time.Duration // move the server's clock ahead first
	}
	dpop := &credentials.OAuth2{ClientID: ClientID, ClientSecret: ClientSecret, TokenURL: s.URL + "/oauth/token", DPoP: true}
	digest := &credentials.Digest{User: User, Password: Password}
	jwt := client("", "")
	code := func(id, secret, tokenURL, authURL string) *credentials.OAuth2 {
		return &credentials.OAuth2{Grant: credentials.GrantAuthorizationCode, ClientID: id, ClientSecret: secret,
			TokenURL: tokenURL, AuthURL: authURL, OpenBrowser: browse}
	}
	noRealm := t.TempDir() + "/krb5.conf"
	if err := os.WriteFile(noRealm, []byte("[libdefaults]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	scripts := map[string][]step{
		"basic":         {{draft: "/basic"}, {auth: wrong}, {auth: alice}},
		"bearer":        {{draft: "/bearer"}, {auth: credentials.Bearer{Token: "guess"}}, {auth: credentials.Bearer{Token: Token}}},
		"digest":        {{draft: "/digest"}, {auth: &credentials.Digest{User: User, Password: "nope"}}, {auth: digest, times: 12}},
		"digest-sha512": {{draft: "/digest/sha512"}, {auth: &credentials.Digest{User: User, Password: Password}}, {auth: &credentials.Digest{User: User, Password: "nope"}}},
		"apikey":        {{draft: "/apikey"}, {header: "Authorization: Bearer " + apiKey}, {header: "Authorization: ", auth: credentials.APIKey{Value: apiKey}}},
		"registry":      {{draft: "/registry/v2/"}, {auth: &credentials.RegistryToken{}}, {auth: credentials.Bearer{Token: "made-up"}}},
		"jwt":           {{draft: "/jwt"}, {auth: jwt}, {auth: jwt, ahead: 2 * time.Minute}},
		"scoped":        {{draft: "/scoped"}, {auth: client("", "")}, {auth: client("read:secrets", "")}},
		"skew":          {{draft: "/skew"}, {auth: client("", "")}},
		"wrong-resource": {{draft: "/wrong-resource"}, {auth: &credentials.OAuth2{ClientID: ClientID, ClientSecret: ClientSecret}},
			{draft: "/jwt"}}, // the same client, kept: /jwt's own metadata, not /wrong-resource's remembered challenge
		"dpop":         {{draft: "/dpop"}, {auth: dpop}},
		"multi":        {{draft: "/multi"}, {draft: "/multi/split"}, {draft: "/multi", auth: digest}},
		"no-challenge": {{draft: "/no-challenge"}, {auth: alice}},
		"forbidden":    {{draft: "/forbidden"}, {auth: alice}, {auth: credentials.Basic{User: Admin, Password: AdminPassword}}},
		"proxy":        {{draft: "/proxy"}, {header: "Authorization: Basic YWxpY2U6d29uZGVybGFuZA=="}, {header: "Authorization: ", auth: alice}},
		"redirect":     {{draft: "/redirect", auth: alice}, {auth: alice, trust: true}},
		"session": {{draft: "/session"}, {draft: "POST /login user=alice&password=wonderland&next=%2Fsession"}, {draft: "/session"},
			{draft: "/logout?server-only=1"}, {draft: "/session"}, {draft: "POST /login user=alice&password=wonderland&next=%2Fsession"}, {draft: "/session"}},
		"hostile": {{draft: "/hostile"}, {auth: alice}},
		"slow":    {{draft: "/slow?ms=3000", timeout: 100 * time.Millisecond}, {draft: "/slow?ms=1"}, {auth: alice}},
		"ntlm": {{draft: NTLMPath}, {auth: &credentials.NTLM{User: `PRACTICE\alice`, Password: Password}},
			{auth: &credentials.NTLM{User: `PRACTICE\alice`, Password: "nope"}}},
		"proxy-digest": {{draft: ProxyDigestPath}, {auth: &credentials.Digest{User: User, Password: Password}}},
		"audience":     {{draft: "/aud"}, {auth: client("", "")}},
		"tenant":       {{draft: TenantPath + "/api"}, {auth: &credentials.OAuth2{ClientID: ClientID, ClientSecret: ClientSecret}}},
		"client-auth": {{draft: "/client-auth"},
			{auth: &credentials.OAuth2{ClientID: PostClientID, ClientSecret: PostClientSecret, TokenURL: s.URL + "/oauth/token"}}},
		"par": {{draft: ParPath}, {auth: code(ParClientID, ParClientSecret, s.URL+"/oauth/token", s.URL+"/oauth/authorize")},
			{auth: code(ParClientID, ParClientSecret, s.URL+"/oauth/token", "")}},
		"mcp-register": {{draft: MCPRegisterPath}, {auth: code("", "", "", "")}},
		"mcp-cimd": {{draft: MCPDocumentPath}, {auth: code(s.URL+ImpostorDocumentPath, "", "", "")},
			{auth: code(s.URL+ClientDocumentPath, "", "", "")}},
		// No realm and no ticket cache: no KDC is asked, NTLM goes inside Negotiate.
		"negotiate": {{draft: NegotiatePath}, {auth: &credentials.Negotiate{Config: noRealm, CCache: noRealm + ".ccache",
			NTLM: &credentials.NTLM{User: `PRACTICE\alice`, Password: Password}}}},
	}
	for _, l := range Lessons() {
		t.Run(l.ID, func(t *testing.T) {
			if len(l.Ticks) != len(l.Steps) {
				t.Fatalf("%d steps but %d checks: every step needs a check (practice/ticks.go)", len(l.Steps), len(l.Ticks))
			}
			script, ok := scripts[l.ID]
			if !ok && l.Play != nil {
				// A lesson a scheme registered says how it is played: the
				// answers are its description's Build, from the values the
				// learner types into its form's fields in order.
				script, ok = nil, true
				for _, p := range l.Play {
					if p.Answer == "" {
						script = append(script, step{draft: l.Path})
						continue
					}
					d, _ := credentials.Describe(p.Answer)
					v := map[string]string{}
					for i, x := range p.Values {
						v[d.Fields[i].Key] = x
					}
					a, err := d.Build(v)
					if err != nil {
						t.Fatalf("lesson %q plays %s: %v", l.ID, p.Answer, err)
					}
					script = append(script, step{auth: a})
				}
			}
			if !ok {
				t.Fatalf("no script plays lesson %q: add one", l.ID)
			}
			mu.Lock()
			skew = 0
			mu.Unlock()
			c := httpclient.New(httpclient.Options{FollowRedirects: true, NewJar: true})
			sess := session.New(c, httpclient.Request{Method: "GET", URL: s.URL + l.Path, Header: http.Header{}})
			var all []*session.Attempt
			var seenAll []Seen
			w := &session.Wallet{} // what the user entered during the lesson, as the TUI keeps it
			status := 0            // the last request's status: a 407 is answered at the proxy
			for i, st := range script {
				if st.trust {
					sess.SetClient(httpclient.New(httpclient.Options{FollowRedirects: true, TrustRedirects: true, NewJar: true}))
				}
				d := sess.Draft()
				if st.draft != "" {
					d = httpclient.Request{Method: "GET", URL: s.URL + st.draft, Header: http.Header{}}
					if form, ok := strings.CutPrefix(st.draft, "POST "); ok {
						path, body, _ := strings.Cut(form, " ")
						d = httpclient.Request{Method: "POST", URL: s.URL + path, Body: []byte(body),
							Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}}
					}
				}
				if name, value, ok := strings.Cut(st.header, ": "); ok {
					if value == "" {
						d.Header.Del(name)
					} else {
						d.Header.Set(name, value)
					}
				}
				sess.SetDraft(d)
				if st.ahead != 0 {
					mu.Lock()
					skew = st.ahead
					mu.Unlock()
				}
				for range max(st.times, 1) {
					ctx, cancel := context.WithCancel(context.Background())
					if st.timeout != 0 {
						ctx, cancel = context.WithTimeout(context.Background(), st.timeout)
					}
					// As the TUI does: the step's credentials are an offer in
					// the wallet, bound to the practice server and preferred,
					// and the lesson's policy holds.
					if st.auth != nil {
						origin, _ := session.OriginFor(s.URL)
						w.Offers = slices.DeleteFunc(w.Offers, func(o *session.Offer) bool { return o.Auth.Scheme() == st.auth.Scheme() })
						w.Prefer(w.Add(&session.Offer{Auth: st.auth, Origin: origin, Source: "form",
							Proxy: status == 407, Upfront: upfront(st.auth)}))
					}
					out := sess.Run(ctx, w, session.Policy{NoAutoRefresh: l.NoAutoRefresh, NoAutoStepUp: l.NoAutoStepUp})
					cancel()
					all = append(all, out.Attempts...)
					seenAll = append(seenAll, seenOfRun(out)...)
					for _, a := range out.Attempts {
						if a.Purpose == session.PurposeRequest {
							status = a.Status()
						}
					}
				}
				if ticked := l.Progress(s.URL, seenAll); Done(ticked) && i < len(script)-1 {
					t.Errorf("done after step %d of the script, before its end: %v", i+1, ticked)
				}
			}
			if ticked := l.Progress(s.URL, seenAll); !Done(ticked) {
				var codes []string
				for _, a := range all {
					codes = append(codes, a.CarriedWords()+"→"+http.StatusText(a.Status()))
					for _, f := range a.Findings {
						codes = append(codes, f.Code)
					}
				}
				t.Errorf("steps ticked %v; attempts and findings: %q", ticked, codes)
			}
		})
	}
}

// upfront is what the TUI's form decides for an answer: once entered it goes
// with every request to its origin, unless its scheme only answers a
// challenge (Digest, NTLM, registry tokens).
func upfront(a credentials.Authorizer) bool {
	switch a.(type) {
	case *credentials.Digest, *credentials.NTLM, *credentials.RegistryToken:
		return false
	}
	return true
}

// seenOfRun is what the checks look at in a run: its attempts, and the
// authorization step it ended on when the redirect brought an error.
func seenOfRun(out session.Outcome) []Seen {
	s := seen(out.Attempts)
	if ae := (*credentials.AuthorizationError)(nil); errors.As(out.Err, &ae) {
		s = append(s, Seen{Purpose: PurposeAuthorization, Error: ae.Code})
	}
	return s
}

// browse is the user's browser on the practice server's pages: it opens
// the URL (a refused request comes straight back to keyhole's redirect) and
// approves on the consent page. What went wrong shows in keyhole's run.
func browse(u string) error {
	go oidctest.Browse(context.Background(), u)
	return nil
}

// seen is what the checks look at in each attempt, as the TUI fills it.
func seen(as []*session.Attempt) []Seen {
	var out []Seen
	for _, a := range as {
		if a.Exchange == nil || a.Exchange.Request == nil {
			continue
		}
		s := Seen{Purpose: a.Purpose, Method: a.Exchange.Request.Method, URL: a.Exchange.Request.URL, Status: a.Status()}
		for _, f := range a.Findings {
			s.Findings = append(s.Findings, f.Code)
		}
		for _, c := range a.Carried {
			name := strings.ToLower(c.Scheme)
			if c.Proxy {
				name = "proxy " + name
			}
			s.Carried = append(s.Carried, name)
		}
		out = append(out, s)
	}
	return out
}
