package practice

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strings"
	"testing"

	"keyhole/credentials"
	"keyhole/httpclient"
	"keyhole/session"
)

// findingCodes are the codes session.Diagnose gives, as the brief lists them.
var findingCodes = []string{
	"missing-credentials", "scheme-mismatch", "credentials-rejected", "digest-stale-nonce",
	"token-invalid", "token-expired", "token-not-yet-valid", "clock-skew", "insufficient-scope",
	"wrong-audience", "invalid-request", "step-up-required", "dpop-nonce-required", "no-challenge",
	"proxy-auth-required", "forbidden", "auth-dropped-on-redirect", "login-redirect",
	"credentials-over-plain-http", "credentials-in-url", "empty-basic-credentials",
	"malformed-challenge", "resource-metadata", "resource-mismatch", "token-pending",
	"ntlm-challenge", "token-request-failed", "negotiate-no-ticket", "negotiate-ticket",
}

func TestLessonsAreComplete(t *testing.T) {
	ls := Lessons()
	if ls[0].ID != "basic" || ls[0].Path != "/basic" {
		t.Fatalf("first lesson %q %s, want basic /basic", ls[0].ID, ls[0].Path)
	}
	seen := map[string]bool{}
	for _, l := range ls {
		if seen[l.ID] {
			t.Errorf("lesson ID %q twice", l.ID)
		}
		seen[l.ID] = true
		for name, v := range map[string]string{"ID": l.ID, "Title": l.Title, "Teaches": l.Teaches, "Method": l.Method,
			"Path": l.Path, "Credentials": l.Credentials, "Try": l.Try, "Checks": l.Checks} {
			if v == "" {
				t.Errorf("lesson %q has no %s", l.ID, name)
			}
		}
		if len(l.Steps) < 3 {
			t.Errorf("lesson %q has %d steps, want the request, the answer and the retry at least", l.ID, len(l.Steps))
		}
		if l.Goal == (Goal{}) {
			t.Errorf("lesson %q has an empty goal", l.ID)
		}
		for _, code := range strings.Split(l.Goal.Finding, "|") {
			if code != "" && !slices.Contains(findingCodes, code) {
				t.Errorf("lesson %q wants finding %q, which Diagnose does not give", l.ID, code)
			}
		}
	}
	for _, id := range []string{"basic", "bearer", "digest", "digest-sha512", "apikey", "registry", "jwt", "scoped",
		"skew", "wrong-resource", "dpop", "multi", "no-challenge", "forbidden", "proxy", "redirect", "session", "hostile", "slow"} {
		if !seen[id] {
			t.Errorf("no lesson %q", id)
		}
	}
}

// TestLessonPathsAreServed checks each lesson's path against a running
// server. Paths other files serve are checked once they are listed.
func TestLessonPathsAreServed(t *testing.T) {
	s := start(t, Options{})
	listed := map[string]bool{}
	for _, e := range s.Endpoints() {
		listed[e.Path] = true
	}
	for _, l := range Lessons() {
		if !listed[l.Path] {
			switch l.ID {
			case "digest", "digest-sha512", "apikey", "registry", "jwt", "scoped", "skew", "dpop":
				t.Logf("lesson %q: %s not served yet (schemes.go/oauth.go)", l.ID, l.Path)
				continue
			}
			t.Errorf("lesson %q: %s is not in Endpoints()", l.ID, l.Path)
			continue
		}
		u := s.URL + l.Path
		if l.ID == "slow" {
			u += "?ms=1"
		}
		req, _ := http.NewRequest(l.Method, u, nil)
		resp, err := noRedirects.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode < 300 {
			t.Errorf("lesson %q: %s %s answered %d without credentials; a lesson starts with a refusal", l.ID, l.Method, l.Path, resp.StatusCode)
		}
	}
}

// TestLabLessonsCanBeCompleted does what each lab lesson's last step says,
// against a running server, and checks that the status reaches the goal.
func TestLabLessonsCanBeCompleted(t *testing.T) {
	s := start(t, Options{})
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Transport: &http.Transport{Proxy: nil}}
	do := func(path string, edit func(*http.Request)) int {
		t.Helper()
		return get(t, c, s.URL+path, edit).status
	}
	alice := basicAuth(User, Password)
	final := map[string]func() int{
		"basic": func() int { return do("/basic", alice) },
		"bearer": func() int {
			return do("/bearer", func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+Token) })
		},
		"multi":        func() int { return do("/multi", alice) },
		"no-challenge": func() int { return do("/no-challenge", alice) },
		"forbidden":    func() int { return do("/forbidden", basicAuth(Admin, AdminPassword)) },
		"proxy": func() int {
			return do("/proxy", func(r *http.Request) { r.Header.Set("Proxy-Authorization", "Basic YWxpY2U6d29uZGVybGFuZA==") })
		},
		"redirect": func() int {
			// Trusting the hop: send the credentials to the target as well.
			u, _ := url.Parse(s.URL)
			return get(t, c, "http://localhost:"+u.Port()+"/redirect/target", alice).status
		},
		"session": func() int {
			resp, err := c.PostForm(s.URL+"/login", url.Values{"user": {User}, "password": {Password}})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return do("/session", nil)
		},
		"hostile": func() int { return do("/hostile", alice) },
		"jwt":     func() int { return do("/jwt", tokenFor(t, s, "")) },
		"scoped":  func() int { return do("/scoped", tokenFor(t, s, ScopeSecrets)) },
		"slow":    func() int { return do("/slow?ms=1", alice) },
	}
	for _, l := range Lessons() {
		f, ok := final[l.ID]
		if !ok {
			continue
		}
		// The finding is the session's to give; here the status must match.
		if status := f(); !l.Goal.Reached(status, strings.Split(l.Goal.Finding, "|")) {
			t.Errorf("lesson %q: last step answered %d, goal %+v not reached", l.ID, status, l.Goal)
		}
	}
}

func TestGoalReached(t *testing.T) {
	for _, c := range []struct {
		g      Goal
		status int
		codes  []string
		want   bool
	}{
		{Goal{Status: 200}, 200, nil, true},
		{Goal{Status: 200}, 401, nil, false},
		{Goal{Status: 200, Finding: "forbidden"}, 200, []string{"missing-credentials", "forbidden"}, true},
		{Goal{Status: 200, Finding: "forbidden"}, 200, []string{"missing-credentials"}, false},
		{Goal{Status: 200, Finding: "forbidden"}, 403, []string{"forbidden"}, false},
		{Goal{Finding: "clock-skew"}, 401, []string{"clock-skew"}, true},
		{Goal{Finding: "clock-skew"}, 200, nil, false},
		{Goal{}, 200, []string{"forbidden"}, false},
		{Goal{Status: 200, Finding: "negotiate-no-ticket|negotiate-ticket"}, 200, []string{"negotiate-ticket"}, true},
		{Goal{Status: 200, Finding: "negotiate-no-ticket|negotiate-ticket"}, 200, []string{"negotiate-no-ticket"}, true},
		{Goal{Status: 200, Finding: "negotiate-no-ticket|negotiate-ticket"}, 200, []string{"ntlm-challenge"}, false},
	} {
		if got := c.g.Reached(c.status, c.codes); got != c.want {
			t.Errorf("%+v.Reached(%d, %q) = %v, want %v", c.g, c.status, c.codes, got, c.want)
		}
	}
}

func TestLessonFor(t *testing.T) {
	if l, ok := LessonFor("/slow?ms=500"); !ok || l.ID != "slow" {
		t.Errorf("LessonFor(/slow?ms=500) = %q, %v", l.ID, ok)
	}
	if _, ok := LessonFor("/nowhere"); ok {
		t.Error("LessonFor(/nowhere) found a lesson")
	}
}

// tokenFor gets an access token from the practice token endpoint with the
// client credentials grant and returns a request editor that sends it.
func tokenFor(t *testing.T, s *Server, scope string) func(*http.Request) {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}}
	if scope != "" {
		form.Set("scope", scope)
	}
	req, _ := http.NewRequest("POST", s.URL+"/oauth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(ClientID, ClientSecret)
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("token endpoint: status %d, %v", resp.StatusCode, err)
	}
	return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok.AccessToken) }
}

// TestLessonsThroughKeyholesLoop plays each lesson's steps with keyhole's own
// loop (session.Send, the diagnosis, the redirect rules) against a running
// server, and checks that the lesson's goal is reached: the final status,
// and the finding the lesson is about among those shown on the way.
func TestLessonsThroughKeyholesLoop(t *testing.T) {
	s := start(t, Options{})
	alice := credentials.Basic{User: User, Password: Password}
	wrong := credentials.Basic{User: User, Password: "nope"}
	type step struct {
		draft string // "" keeps the draft; "POST path body" posts a form
		auth  credentials.Authorizer
		trust bool   // resend credentials across origins from now on
		fails string // the Send error must contain this; "" means no error
	}
	client := func(scope string) *credentials.OAuth2 {
		o := &credentials.OAuth2{ClientID: ClientID, ClientSecret: ClientSecret, TokenURL: s.URL + "/oauth/token"}
		if scope != "" {
			o.Scopes = []string{scope}
		}
		return o
	}
	scripts := map[string][]step{
		"basic":         {{draft: "/basic"}, {auth: wrong}, {auth: alice}},
		"bearer":        {{draft: "/bearer"}, {auth: credentials.Bearer{Token: "guess"}}, {auth: credentials.Bearer{Token: Token}}},
		"digest":        {{draft: "/digest"}, {auth: &credentials.Digest{User: User, Password: "nope"}}, {auth: &credentials.Digest{User: User, Password: Password}}},
		"digest-sha512": {{draft: "/digest/sha512"}, {auth: &credentials.Digest{User: User, Password: Password}}},
		"apikey":        {{draft: "/apikey"}, {auth: credentials.APIKey{Value: apiKey}}},
		"multi":         {{draft: "/multi"}, {auth: &credentials.Digest{User: User, Password: Password}}},
		"no-challenge":  {{draft: "/no-challenge"}, {auth: alice}},
		"forbidden":     {{draft: "/forbidden"}, {auth: alice}, {auth: credentials.Basic{User: Admin, Password: AdminPassword}}},
		"proxy":         {{draft: "/proxy"}, {auth: alice}},
		"proxy-digest":  {{draft: ProxyDigestPath}, {auth: &credentials.Digest{User: User, Password: Password}}},
		"redirect":      {{draft: "/redirect", auth: alice}, {auth: alice, trust: true}},
		"session":       {{draft: "/session"}, {draft: "POST /login user=alice&password=wonderland&next=%2Fsession"}},
		"hostile":       {{draft: "/hostile"}, {auth: alice}},
		"slow":          {{draft: "/slow?ms=1"}, {auth: alice}},
		"registry":      {{draft: "/registry/v2/"}, {auth: credentials.Bearer{Token: "made-up"}}, {auth: &credentials.RegistryToken{}}},
		"jwt":           {{draft: "/jwt"}, {auth: client("")}},
		"scoped":        {{draft: "/scoped"}, {auth: client("")}},
		"skew": {{draft: "/skew"}, {auth: client("")},
			{auth: &credentials.OAuth2{ClientID: ClientID, ClientSecret: ClientSecret, TokenURL: s.URL + "/oauth/token", Resource: s.URL + "/skew"}}},
		"wrong-resource": {{draft: "/wrong-resource"},
			{auth: &credentials.OAuth2{ClientID: ClientID, ClientSecret: ClientSecret}, fails: "somewhere-else"}},
		"dpop":     {{draft: "/dpop"}, {auth: &credentials.OAuth2{ClientID: ClientID, ClientSecret: ClientSecret, TokenURL: s.URL + "/oauth/token", DPoP: true}}},
		"audience": {{draft: "/aud"}, {auth: client("")}},
		"tenant":   {{draft: TenantPath + "/api"}, {auth: &credentials.OAuth2{ClientID: ClientID, ClientSecret: ClientSecret}}},
		"client-auth": {{draft: "/client-auth"},
			{auth: &credentials.OAuth2{ClientID: PostClientID, ClientSecret: PostClientSecret, TokenURL: s.URL + "/oauth/token"}}},
	}
	for _, l := range Lessons() {
		script, ok := scripts[l.ID]
		if !ok {
			continue
		}
		t.Run(l.ID, func(t *testing.T) {
			c := httpclient.New(httpclient.Options{FollowRedirects: true, NewJar: true})
			sess := session.New(c, httpclient.Request{Method: "GET", URL: s.URL + l.Path, Header: http.Header{}})
			var codes []string
			var last *session.Attempt
			for _, st := range script {
				if st.trust {
					sess.SetClient(httpclient.New(httpclient.Options{FollowRedirects: true, TrustRedirects: true, NewJar: true}))
				}
				if st.draft != "" {
					d := httpclient.Request{Method: "GET", URL: s.URL + st.draft, Header: http.Header{}}
					if form, ok := strings.CutPrefix(st.draft, "POST "); ok {
						path, body, _ := strings.Cut(form, " ")
						d = httpclient.Request{Method: "POST", URL: s.URL + path, Body: []byte(body),
							Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}}
					}
					sess.SetDraft(d)
				}
				made, err := sess.Send(context.Background(), st.auth)
				if st.fails == "" && err != nil {
					t.Fatalf("Send: %v", err)
				}
				if st.fails != "" && (err == nil || !strings.Contains(err.Error(), st.fails)) {
					t.Fatalf("Send: err %v, want one about %q", err, st.fails)
				}
				for _, a := range made {
					for _, f := range a.Findings {
						codes = append(codes, f.Code)
						if strings.ContainsFunc(f.Message+f.Next, func(r rune) bool { return r < 0x20 || r >= 0x7f && r < 0xa0 }) {
							t.Errorf("finding %s carries a control character: %q", f.Code, f.Message)
						}
					}
					last = a
				}
			}
			if !l.Goal.Reached(last.Status(), codes) {
				t.Errorf("goal %+v not reached: last status %d, findings %q", l.Goal, last.Status(), codes)
			}
		})
	}
}
