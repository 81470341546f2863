package ui

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"keyhole/practice"
	"keyhole/session"
)

var ctrlG = tea.KeyPressMsg{Code: 'g', Mod: tea.ModCtrl}

const deviceGrant = "urn:ietf:params:oauth:grant-type:device_code"

// driveOAuth runs cmd and what follows from it (see settle), also feeding back
// the OAuth prompts and calling onPrompt
// with the model that shows each one (to approve it the way a person
// would; a message it returns, a key, is sent to the model), and collects
// what was put on the clipboard.
func driveOAuth(t *testing.T, m Model, cmd tea.Cmd, onPrompt func(Model) tea.Msg) (Model, []string) {
	t.Helper()
	msgs := make(chan tea.Msg, 64)
	pending := 0
	run := func(c tea.Cmd) {
		if c == nil {
			return
		}
		pending++
		go func() { msgs <- c() }()
	}
	run(cmd)
	var clip []string
	deadline := time.After(90 * time.Second)
	for pending > 0 {
		select {
		case msg := <-msgs:
			pending--
			switch msg := msg.(type) {
			case tea.BatchMsg:
				for _, c := range msg {
					run(c)
				}
			case oauthPromptMsg:
				next, c := m.Update(msg)
				m = next.(Model)
				run(c)
				if onPrompt == nil {
					break
				}
				if reply := onPrompt(m); reply != nil {
					next, c := m.Update(reply)
					m = next.(Model)
					run(c)
				}
			default:
				if strings.Contains(fmt.Sprintf("%T", msg), "Clipboard") {
					clip = append(clip, fmt.Sprint(msg))
				}
				if ours(msg) {
					next, c := m.Update(msg)
					m = next.(Model)
					run(c)
				}
			}
		case <-deadline:
			t.Fatal("driveOAuth: commands still running after 90s")
		}
	}
	return m, clip
}

// key1 sends one key press and drives what it starts.
func key1(t *testing.T, m Model, k tea.Msg, onPrompt func(Model) tea.Msg) (Model, []string) {
	t.Helper()
	next, cmd := m.Update(k)
	return driveOAuth(t, next.(Model), cmd, onPrompt)
}

// toOAuthForm sends the URL, expects the 401 and picks the OAuth 2.0 answer.
func toOAuthForm(t *testing.T, m Model) Model {
	t.Helper()
	m = press(t, m, enter)
	if m.Focused() != "picker" {
		t.Fatalf("after the first send focus = %s (status %q)", m.Focused(), m.Status())
	}
	for i := 0; ; i++ {
		if o, _ := m.chal.picked(); o.Mode == "oauth2" || o.Mode == "dpop" {
			break
		}
		if i > 10 {
			t.Fatal("no OAuth 2.0 answer in the picker")
		}
		m = press(t, m, down)
	}
	m = press(t, m, enter)
	if m.Focused() != "form" || m.form.idx != 0 || m.form.fields[0].label != "Token URL" {
		t.Fatalf("after picking OAuth: focus %s field %d", m.Focused(), m.form.idx)
	}
	return m
}

func countPurpose(as []*session.Attempt, purpose string) int {
	n := 0
	for _, a := range as {
		if a.Purpose == purpose {
			n++
		}
	}
	return n
}

func grantOf(a *session.Attempt) string {
	if a.Exchange == nil || a.Exchange.Request == nil {
		return ""
	}
	f, _ := url.ParseQuery(string(a.Exchange.Request.Body))
	return f.Get("grant_type")
}

// From a 401 on /jwt with the token URL left empty, the TUI discovers the
// authorization server, gets a token with client credentials and shows 200.
func TestOAuthDiscoveryClientCredentials(t *testing.T) {
	m := started(t, 120, 40)
	m.compose.url.SetValue(m.srv.URL + "/jwt")
	m = toOAuthForm(t, m)
	s := strings.Join(strings.Fields(screen(m)), " ") // the side pane wraps the note
	// The Client id still empty: keyhole would register and sign a user in.
	mustContain(t, s, "OAuth 2.0 · auto: authorization code + PKCE, registering keyhole", "ctrl+g grant", "resource_metadata (RFC 9728)")
	if !strings.Contains(m.form.note, "endpoints will be discovered from resource_metadata") {
		t.Errorf("form note %q", m.form.note)
	}
	if l := line(screen(m), "Client id"); !strings.Contains(l, "e.g. "+practice.ClientID) {
		t.Errorf("the Client ID field lacks the practice hint: %q", l)
	}
	m = press(t, m, tab)
	m = press(t, m, keys(practice.ClientID)...)
	mustContain(t, screen(m), "OAuth 2.0 · auto: client credentials")
	m = press(t, m, tab)
	m = press(t, m, keys(practice.ClientSecret)...)
	m = press(t, m, tab, enter)
	as := m.sess.Attempts()
	if last := m.sess.Last(); last.Status() != 200 || last.Scheme != "Bearer" {
		t.Fatalf("last attempt %d %q (status %q)", last.Status(), last.Scheme, m.Status())
	}
	if countPurpose(as, session.PurposeDiscovery) == 0 || countPurpose(as, session.PurposeToken) != 1 {
		t.Fatalf("discovery %d, token %d attempts; want discovery and one token request",
			countPurpose(as, session.PurposeDiscovery), countPurpose(as, session.PurposeToken))
	}
	if m.Focused() != "url" {
		t.Fatalf("focus after the 200: %s", m.Focused())
	}
}

// ctrl+g cycles the grants, from auto (no grant given) through each of
// them and back; each shows its own fields, and what was typed in a field
// both grants have stays.
func TestOAuthGrantChooser(t *testing.T) {
	m := started(t, 120, 40)
	m.compose.url.SetValue(m.srv.URL + "/jwt")
	m = toOAuthForm(t, m)
	m = press(t, m, tab)
	m = press(t, m, keys("my-client")...)
	want := []struct {
		title  string
		fields string
	}{
		{"client credentials", "Token URL,Client id,Client secret,Scope,Resource,Client auth,Client key,Register"},
		{"authorization code + PKCE", "Token URL,Client id,Client secret,Scope,Resource,Auth URL,Client auth,Client key,Register"},
		{"device code", "Token URL,Client id,Client secret,Scope,Resource,Device URL,Client auth,Client key,Register"},
		{"password — deprecated (RFC 9700)", "Token URL,Client id,Client secret,User,Password,Scope,Resource,Client auth,Client key,Register"},
		{"refresh token", "Token URL,Client id,Client secret,Refresh token,Scope,Resource,Client auth,Client key,Register"},
		{"auto: client credentials", "Token URL,Client id,Client secret,Scope,Resource,Client auth,Client key,Register"},
	}
	for _, w := range want {
		m = press(t, m, ctrlG)
		var labels []string
		for _, f := range m.form.fields {
			labels = append(labels, f.label)
		}
		if got := strings.Join(labels, ","); got != w.fields {
			t.Errorf("%s: fields %s, want %s", w.title, got, w.fields)
		}
		if m.form.value("client_id") != "my-client" || m.form.idx != 0 || m.Focused() != "form" {
			t.Errorf("%s: client id %q, field %d, focus %s", w.title, m.form.value("client_id"), m.form.idx, m.Focused())
		}
		mustContain(t, screen(m), "OAuth 2.0 · "+w.title)
		if w.title == "refresh token" {
			m = press(t, m, tab, tab, tab)
			m = press(t, m, keys("rt-secret-value")...)
			if l := line(screen(m), "Refresh token"); strings.Contains(l, "rt-secret-value") {
				t.Errorf("the refresh token shows: %q", l)
			}
		}
	}
	// The password grant refuses an empty user name before sending anything.
	m = press(t, m, ctrlG, ctrlG, ctrlG, ctrlG)
	n := len(m.sess.Attempts())
	m = press(t, m, tab, tab, tab, tab, tab, enter)
	if len(m.sess.Attempts()) != n || !strings.Contains(m.Status(), "needs the user name and password") {
		t.Fatalf("password grant without a user: %d attempts, status %q", len(m.sess.Attempts())-n, m.Status())
	}
}

// The device flow against the practice server: the code is shown over the
// panes and copied, the test approves it on the practice page, the polls
// (with the server's one slow_down) are token attempts, and the retry is 200.
func TestOAuthDeviceFlow(t *testing.T) {
	m := started(t, 120, 40)
	m.compose.url.SetValue(m.srv.URL + "/jwt")
	m = toOAuthForm(t, m)
	m = press(t, m, ctrlG, ctrlG, ctrlG)
	if m.form.choice != "device_code" {
		t.Fatalf("grant %q", m.form.choice)
	}
	m = press(t, m, tab)
	m = press(t, m, keys(practice.ClientID)...)
	m = press(t, m, tab)
	m = press(t, m, keys(practice.ClientSecret)...)
	m = press(t, m, tab)
	var shown string
	var approved bool
	approvedc := make(chan bool, 1)
	m, clip := key1(t, m, enter, func(m Model) tea.Msg {
		shown = screen(m)
		code := m.OAuthPrompt()
		if code == "" {
			return nil
		}
		// Approve after the first poll, as a person would take a moment,
		// so the practice server's one slow_down shows in the timeline.
		go func() {
			for end := time.Now().Add(30 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
				if slices.ContainsFunc(m.sess.Attempts(), func(a *session.Attempt) bool { return grantOf(a) == deviceGrant }) {
					break
				}
			}
			if n, last := m.devicePolls(); n != 1 || last != "slow_down" {
				t.Errorf("the prompt counts %d polls, last %q; want 1, slow_down", n, last)
			}
			resp, err := http.PostForm(m.srv.URL+"/oauth/device/approve", url.Values{"user_code": {code}, "action": {"approve"}})
			if err != nil {
				approvedc <- false
				return
			}
			resp.Body.Close()
			approvedc <- resp.StatusCode == 200
		}()
		return nil
	})
	approved = <-approvedc
	if !approved {
		t.Fatalf("the device code was never shown and approved (status %q)", m.Status())
	}
	mustContain(t, shown, "Device authorization", "/oauth/device/approve", "waiting for approval", "slow_down honoured", "esc cancels")
	if len(clip) == 0 || !strings.Contains(clip[0], "/oauth/device/approve?user_code=") {
		t.Errorf("clipboard got %q; want the verification URI with the code", clip)
	}
	if last := m.sess.Last(); last.Status() != 200 {
		t.Fatalf("after approval: %d (status %q)", last.Status(), m.Status())
	}
	slow, polls := false, 0
	for _, a := range m.tl.attempts {
		if grantOf(a) == deviceGrant {
			polls++
			slow = slow || strings.Contains(string(a.Exchange.Response.Body), "slow_down")
		}
	}
	if polls < 2 || !slow {
		t.Fatalf("%d polls in the timeline, slow_down seen %v; want the slow_down and the token", polls, slow)
	}
	if m.prompt != nil || m.help.shown {
		t.Fatal("the device prompt stays after the 200")
	}
}

// esc while the device code is shown cancels the grant.
func TestOAuthDeviceFlowEscCancels(t *testing.T) {
	m := started(t, 120, 40)
	m.compose.url.SetValue(m.srv.URL + "/jwt")
	m = toOAuthForm(t, m)
	m = press(t, m, ctrlG, ctrlG, ctrlG, tab)
	m = press(t, m, keys(practice.ClientID)...)
	m = press(t, m, tab)
	m = press(t, m, keys(practice.ClientSecret)...)
	m = press(t, m, tab)
	m, _ = key1(t, m, enter, func(p Model) tea.Msg {
		if p.OAuthPrompt() == "" {
			t.Error("no device code shown")
		}
		return esc
	})
	if m.sending || m.prompt != nil || !m.statusErr || !strings.Contains(m.Status(), "canceled") ||
		!strings.Contains(m.Status(), "enter on the last field starts again") || m.Focused() != "form" {
		t.Fatalf("after esc: sending %v, prompt %v, status %q", m.sending, m.prompt, m.Status())
	}
}

// Authorization code + PKCE with no browser: the URL is shown and copied,
// the test approves on the consent page, the loopback redirect completes.
func TestOAuthAuthorizationCodeShowsURL(t *testing.T) {
	m := started(t, 120, 40)
	m.browser = func(string) error { return errors.New("no graphical session") }
	m.compose.url.SetValue(m.srv.URL + "/jwt")
	m = toOAuthForm(t, m)
	m = press(t, m, ctrlG, ctrlG, tab)
	m = press(t, m, keys(practice.ClientID)...)
	m = press(t, m, tab)
	m = press(t, m, keys(practice.ClientSecret)...)
	m = press(t, m, tab)
	var shown string
	m, clip := key1(t, m, enter, func(m Model) tea.Msg {
		shown = screen(m)
		u := m.OAuthPrompt()
		// The consent page's form posts back to the same URL; the client
		// follows the redirect to keyhole's loopback listener.
		resp, err := http.PostForm(u, url.Values{"action": {"approve"}})
		if err != nil {
			t.Errorf("consent: %v", err)
			return nil
		}
		resp.Body.Close()
		return nil
	})
	mustContain(t, shown, "Authorization code + PKCE", "No browser was opened", "/oauth/authorize", "copied to the clipboard", "esc cancels")
	// The practice server offers PAR (RFC 9126): the request was pushed,
	// PKCE with it, and the URL carries only client_id and request_uri.
	if len(clip) == 0 || !strings.Contains(clip[0], "request_uri=urn") || strings.Contains(clip[0], "code_challenge") {
		t.Errorf("clipboard got %q", clip)
	}
	if last := m.sess.Last(); last.Status() != 200 {
		t.Fatalf("authorization code: %d (status %q)", last.Status(), m.Status())
	}
}

// /scoped with a token lacking read:secrets: the 403 shows the
// insufficient_scope finding. The insufficient-scope lesson turns keyhole's
// automatic scope step-up off, so the learner sees the 403 stay (issue 21,
// item 7: it used to solve itself with no input) and its step tick.
func TestOAuthInsufficientScopeInTheLesson(t *testing.T) {
	m := started(t, 120, 40)
	m.compose.url.SetValue(m.srv.URL + "/scoped")
	m = toOAuthForm(t, m)
	m = press(t, m, tab)
	m = press(t, m, keys(practice.ClientID)...)
	m = press(t, m, tab)
	m = press(t, m, keys(practice.ClientSecret)...)
	m = press(t, m, tab, enter)
	var forbidden, retry *session.Attempt
	for _, a := range m.tl.attempts {
		if a.Purpose != session.PurposeRequest {
			continue
		}
		if a.Status() == 403 {
			forbidden = a
		}
		if strings.Contains(a.Auto, "asking for scope "+practice.ScopeSecrets) {
			retry = a
		}
	}
	if m.lesson.l.ID != "scoped" {
		t.Fatalf("lesson %q, want the insufficient-scope lesson to follow the URL", m.lesson.l.ID)
	}
	if forbidden == nil || retry != nil {
		t.Fatalf("403 %v, automatic retry %v (status %q): in the lesson the 403 must stay for the learner", forbidden != nil, retry, m.Status())
	}
	found := false
	for _, f := range forbidden.Findings {
		found = found || f.Code == "insufficient-scope"
	}
	if !found {
		t.Fatal("the 403 has no insufficient-scope finding")
	}
	if len(m.lesson.ticked) < 2 || !m.lesson.ticked[1] || m.lesson.done {
		t.Fatalf("steps ticked %v, done %v: the 403 step must tick and the lesson not be done yet", m.lesson.ticked, m.lesson.done)
	}
	m = toTimeline(t, m)
	for m.resp.n != forbidden.N {
		m = press(t, m, up)
	}
	mustContain(t, screen(m), "403", "insufficient_scope")
}

// After the access token expires, the next send replaces it before the
// request: with client credentials by running the grant again (the practice
// server, like RFC 6749 §4.4.3 advises, gives no refresh token), with the
// password grant by a refresh_token request. The timeline labels it and the
// status line says so.
func TestOAuthExpiredTokenRefreshed(t *testing.T) {
	for _, tc := range []struct {
		name, grant, note string
		grants            int // ctrl+g presses
		extra             func(t *testing.T, m Model) Model
	}{
		{"client credentials", "client_credentials", "token expired: fetched a new one", 0, nil},
		{"password", "refresh_token", "token expired: refreshed", 4, func(t *testing.T, m Model) Model {
			m = press(t, m, tab)
			m = press(t, m, keys(practice.User)...)
			m = press(t, m, tab)
			return press(t, m, keys(practice.Password)...)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, err := practice.Start(practice.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { srv.Close() })
			srv.SetTokenTTL(2 * time.Second)
			m := New(Options{URL: srv.URL + "/jwt"})
			m = sized(t, settle(t, m, m.Init()), 200, 50) // room for the timeline's reasons
			m = toOAuthForm(t, m)
			for range tc.grants {
				m = press(t, m, ctrlG)
			}
			m = press(t, m, tab)
			m = press(t, m, keys(practice.ClientID)...)
			m = press(t, m, tab)
			m = press(t, m, keys(practice.ClientSecret)...)
			if tc.extra != nil {
				m = tc.extra(t, m)
			}
			m = press(t, m, tab, enter)
			if last := m.sess.Last(); last.Status() != 200 {
				t.Fatalf("first token: %d (status %q)", last.Status(), m.Status())
			}
			before := len(m.sess.Attempts())
			time.Sleep(3 * time.Second) // past the 2 s token's expiry
			m = press(t, m, tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl})
			made := m.sess.Attempts()[before:]
			if len(made) != 2 || made[0].Purpose != session.PurposeToken || grantOf(made[0]) != tc.grant ||
				!strings.HasPrefix(made[0].Auto, "token expired") || made[1].Status() != 200 {
				for _, a := range made {
					t.Logf("attempt %d %s %q %d %q", a.N, a.Purpose, grantOf(a), a.Status(), a.Auto)
				}
				t.Fatalf("after expiry: want a %s token attempt labelled 'token expired' and a 200", tc.grant)
			}
			if !strings.Contains(m.Status(), tc.note) {
				t.Fatalf("status %q lacks %q", m.Status(), tc.note)
			}
			if l := line(screen(m), "auto: token expire"); !strings.Contains(l, "[token request]") || !strings.Contains(l, "↻") {
				t.Fatalf("the timeline does not show the token request's reason:\n%s", screen(m))
			}
		})
	}
}

// A browser that opens: keyhole hands it the authorization URL and still
// shows it; the test approves on the consent page as the browser's user.
func TestOAuthAuthorizationCodeOpensBrowser(t *testing.T) {
	m := started(t, 120, 40)
	opened := make(chan string, 1)
	m.browser = func(u string) error {
		opened <- u
		return nil
	}
	m.compose.url.SetValue(m.srv.URL + "/jwt")
	m = toOAuthForm(t, m)
	m = press(t, m, ctrlG, ctrlG, tab)
	m = press(t, m, keys(practice.ClientID)...)
	m = press(t, m, tab)
	m = press(t, m, keys(practice.ClientSecret)...)
	m = press(t, m, tab)
	var shown string
	m, _ = key1(t, m, enter, func(m Model) tea.Msg {
		// The "browser" is approved only once keyhole shows the URL too.
		shown = screen(m)
		if resp, err := http.PostForm(m.OAuthPrompt(), url.Values{"action": {"approve"}}); err == nil {
			resp.Body.Close()
		}
		return nil
	})
	select {
	case u := <-opened:
		if !strings.HasPrefix(u, m.srv.URL+"/oauth/authorize?") {
			t.Fatalf("browser opened %q", u)
		}
	default:
		t.Fatal("the browser was not opened")
	}
	mustContain(t, shown, "Your browser was opened", "/oauth/authorize")
	if last := m.sess.Last(); last.Status() != 200 {
		t.Fatalf("authorization code: %d (status %q)", last.Status(), m.Status())
	}
}
