package ui

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"keyhole/practice"
)

func TestPracticeOpensOnTheBasicLesson(t *testing.T) {
	m := started(t, 120, 40)
	if got, want := m.compose.url.Value(), m.srv.URL+"/basic"; got != want {
		t.Fatalf("URL = %q, want %q", got, want)
	}
	if m.Focused() != "url" {
		t.Fatalf("focus = %s, want url", m.Focused())
	}
	l := practice.Lessons()[0]
	mustContain(t, screen(m), "Lesson: "+l.Title, "alice / wonderland")
}

func TestBasicLoopByKeyboard(t *testing.T) {
	m := started(t, 120, 40)
	m = press(t, m, enter)
	if n := len(m.sess.Attempts()); n != 1 {
		t.Fatalf("attempts after enter = %d, want 1", n)
	}
	if m.Focused() != "picker" {
		t.Fatalf("after the 401 focus = %s, want picker (status %q)", m.Focused(), m.Status())
	}
	if o, _ := m.chal.picked(); o.Mode != "basic" {
		t.Fatalf("preselected %q, want basic", o.Mode)
	}
	mustContain(t, screen(m), "401 Unauthorized", `realm="practice"`, "Answer with")

	m = press(t, m, enter)
	if m.Focused() != "form" || m.form.kind != "basic" || m.form.idx != 0 {
		t.Fatalf("after picking: focus %s, form %q field %d", m.Focused(), m.form.kind, m.form.idx)
	}
	m = press(t, m, keys("alice")...)
	m = press(t, m, tab)
	m = press(t, m, keys(practice.Password)...)
	if l := line(screen(m), "Password"); strings.Contains(l, practice.Password) || !strings.Contains(l, "••••") {
		t.Fatalf("the password field shows %q; want it masked", l)
	}
	m = press(t, m, enter)

	as := m.sess.Attempts()
	if len(as) != 2 || as[1].Status() != 200 || as[1].Scheme != "Basic" {
		t.Fatalf("attempts = %d, last %d %q; want 2, 200 Basic (status %q)", len(as), as[len(as)-1].Status(), as[len(as)-1].Scheme, m.Status())
	}
	if !m.lesson.done {
		t.Error("lesson not marked done after the 200")
	}
	s := screen(m)
	mustContain(t, s, "200 OK", `"user": "alice"`, "✓ done")
	if l := line(s, "Authorization:"); !strings.Contains(l, "Basic") || !strings.Contains(l, "•••") {
		t.Errorf("the Authorization header is not shown masked: %q", l)
	}
	if strings.Contains(s, "YWxpY2U6d29uZGVybGFuZA") {
		t.Error("the Authorization value is shown unmasked")
	}
}

func TestWrongPasswordKeepsTheLoopGoing(t *testing.T) {
	m := started(t, 120, 40)
	m = press(t, m, enter, enter)
	m = press(t, m, keys("alice")...)
	m = press(t, m, tab)
	m = press(t, m, keys("wrong")...)
	m = press(t, m, enter)
	if got := m.sess.Last().Status(); got != 401 {
		t.Fatalf("wrong password answered %d, want 401", got)
	}
	// The cursor waits in the emptied Password field, the user name kept:
	// typing goes where it belongs.
	if m.Focused() != "form" || m.form.fields[m.form.idx].label != "Password" {
		t.Fatalf("focus = %s field %d, want the form's Password field (status %q)", m.Focused(), m.form.idx, m.Status())
	}
	if u, p := m.form.value("user"), m.form.value("password"); u != "alice" || p != "" {
		t.Fatalf("form after rejection: user %q password %q; want alice and empty", u, p)
	}
	mustContain(t, screen(m), "refused")
	m = press(t, m, keys("wonderland")...)
	m = press(t, m, enter)
	as := m.sess.Attempts()
	if len(as) != 3 || as[2].Status() != 200 {
		t.Fatalf("attempts = %d, last status %d; want 3 and 200", len(as), as[len(as)-1].Status())
	}
}

func TestColonInBasicUserIsRefusedBeforeSending(t *testing.T) {
	m := started(t, 120, 40)
	m = press(t, m, enter, enter)
	m = press(t, m, keys("al:ice")...)
	m = press(t, m, tab)
	m = press(t, m, keys("x")...)
	m = press(t, m, enter)
	if n := len(m.sess.Attempts()); n != 1 {
		t.Fatalf("attempts = %d, want 1: nothing may be sent", n)
	}
	if !m.statusErr || !strings.Contains(m.Status(), "cannot contain ':'") {
		t.Fatalf("status = %q, want the credentials package's error", m.Status())
	}
}

func TestRevealToggles(t *testing.T) {
	m := started(t, 120, 40)
	m = press(t, m, enter, enter)
	m = press(t, m, keys("alice")...)
	m = press(t, m, tab)
	m = press(t, m, keys("wonderland")...)
	m = press(t, m, ctrlR)
	if !strings.Contains(line(screen(m), "Password"), "wonderland") {
		t.Fatal("ctrl+r in the password field does not reveal it")
	}
	m = press(t, m, ctrlR)
	if strings.Contains(line(screen(m), "Password"), "wonderland") {
		t.Fatal("second ctrl+r does not mask it again")
	}
	m = press(t, m, enter)
	for m.Focused() != "timeline" {
		m = press(t, m, tab)
	}
	m = press(t, m, ctrlR)
	mustContain(t, screen(m), "Basic YWxpY2U6d29uZGVybGFuZA==")
	m = press(t, m, ctrlR)
	if strings.Contains(screen(m), "YWxpY2U6d29uZGVybGFuZA") {
		t.Fatal("credentials still shown after masking")
	}
}

func TestTimelineSelectsAnAttempt(t *testing.T) {
	m := started(t, 120, 40)
	m = press(t, m, enter, enter)
	m = press(t, m, keys("alice")...)
	m = press(t, m, tab)
	m = press(t, m, keys("wonderland")...)
	m = press(t, m, enter)
	for m.Focused() != "timeline" {
		m = press(t, m, tab)
	}
	m = press(t, m, up)
	if m.resp.n != 1 {
		t.Fatalf("shown attempt = %d, want 1", m.resp.n)
	}
	mustContain(t, screen(m), "401 Unauthorized", "send Basic credentials")
	m = press(t, m, down)
	mustContain(t, screen(m), "200 OK", `"ok": true`)
}

func TestEscCancelsTheRequestInFlight(t *testing.T) {
	arrived := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		<-r.Context().Done() // answer never comes; only the client's cancel ends this
	}))
	defer srv.Close()
	m := New(Options{URL: srv.URL + "/slow"})
	m = sized(t, m, 120, 40)
	next, cmd := m.Update(enter)
	m = next.(Model)
	if !m.sending || !strings.Contains(screen(m), "esc cancels") {
		t.Fatalf("not shown as sending: %q", m.Status())
	}
	// The request runs in its Cmd on another goroutine while Update, on this
	// one, takes esc: as in the program.
	msgs := make(chan tea.Msg, 4)
	batch, _ := cmd().(tea.BatchMsg)
	for _, c := range batch {
		go func() { msgs <- c() }()
	}
	<-arrived
	next, _ = m.Update(esc)
	m = next.(Model)
	for range batch {
		if msg := <-msgs; ours(msg) {
			m = settle(t, m, func() tea.Msg { return msg })
		}
	}
	as := m.sess.Attempts()
	if len(as) != 1 || as[0].Exchange.Err == nil || !strings.Contains(as[0].Exchange.Err.Error(), "cancel") {
		t.Fatalf("attempt after esc: %+v", as)
	}
	mustContain(t, screen(m), "cancelled")
	if m.sending {
		t.Fatal("still marked as sending")
	}
}

func TestSendAgainKeepsCredentialsForTheSameOriginOnly(t *testing.T) {
	m := started(t, 120, 40)
	m = press(t, m, enter, enter)
	m = press(t, m, keys("alice")...)
	m = press(t, m, tab)
	m = press(t, m, keys("wonderland")...)
	m = press(t, m, enter)
	m = press(t, m, esc, enter) // back to the URL, send again
	if a := m.sess.Last(); a.Status() != 200 || a.Scheme != "Basic" {
		t.Fatalf("resend to the same origin: %d %q, want 200 with Basic", a.Status(), a.Scheme)
	}
	// Same server, other spelling of the host: another origin, so no credentials.
	m.compose.url.SetValue(strings.Replace(m.srv.URL, "127.0.0.1", "localhost", 1) + "/basic")
	m = press(t, m, enter)
	if a := m.sess.Last(); a.Scheme != "" || a.Exchange.Request.Header.Get("Authorization") != "" {
		t.Fatalf("credentials went to another origin: scheme %q", a.Scheme)
	}
	m.compose.url.SetValue(m.srv.URL + "/basic")
	m = press(t, m, esc, tea.KeyPressMsg{Code: 'x', Mod: tea.ModCtrl}, enter)
	if a := m.sess.Last(); a.Scheme != "" || a.Status() != 401 {
		t.Fatalf("after ctrl+x: %d %q, want 401 without credentials", a.Status(), a.Scheme)
	}
}

func TestAPIKeyAndRegistryForms(t *testing.T) {
	m := started(t, 120, 40)
	m.compose.url.SetValue(m.srv.URL + "/apikey")
	m = press(t, m, enter)
	for o, _ := m.chal.picked(); o.Mode != "apikey"; o, _ = m.chal.picked() {
		m = press(t, m, down)
	}
	m = press(t, m, enter, tab) // name left empty: X-API-Key
	m = press(t, m, keys("practice-key")...)
	m = press(t, m, tab, enter) // in: header
	if a := m.sess.Last(); a.Status() != 200 || a.Exchange.Request.Header.Get("X-API-Key") != "practice-key" {
		t.Fatalf("api key: %d (%s)", a.Status(), m.Status())
	}

	m.compose.url.SetValue(m.srv.URL + "/registry/v2/")
	m = press(t, m, esc, enter)
	if o, _ := m.chal.picked(); o.Mode != "registry" {
		t.Fatalf("a registry challenge preselects %q, want registry (%s)", o.Mode, m.Status())
	}
	m = press(t, m, enter, tab, enter) // anonymous: both fields empty
	if a := m.sess.Last(); a.Status() != 200 {
		t.Fatalf("registry token: %d (%s)", a.Status(), m.Status())
	}
	if n := len(m.tl.attempts); n < 5 {
		t.Fatalf("timeline has %d rows; the token request should be one of them", n)
	}
}

func TestComposeMethodAndHeaders(t *testing.T) {
	var got *http.Request
	u := serve(t, func(w http.ResponseWriter, r *http.Request) { got = r })
	m := New(Options{URL: u + "/x"})
	m = sized(t, m, 120, 40)
	m = press(t, m, shiftTab, tea.KeyPressMsg{Code: tea.KeyRight}, tea.KeyPressMsg{Code: tea.KeyRight}) // GET → POST → PUT
	m = press(t, m, tab, tab)
	m = press(t, m, keys("X-One: 1")...)
	m = press(t, m, enter)
	m = press(t, m, keys("X-Two: a b")...)
	m = press(t, m, tab)
	m = press(t, m, keys("hello")...)
	m = press(t, m, tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl})
	if got == nil || got.Method != "PUT" || got.Header.Get("X-One") != "1" || got.Header.Get("X-Two") != "a b" {
		t.Fatalf("server saw %+v", got)
	}
	m.compose.headers.SetValue("no colon here")
	m = press(t, m, tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl})
	if n := len(m.sess.Attempts()); n != 1 || !strings.Contains(m.Status(), "not \"Name: value\"") {
		t.Fatalf("bad header line: %d attempts, status %q", n, m.Status())
	}
}

func TestOAuthClientCredentialsForm(t *testing.T) {
	m := started(t, 120, 40)
	m.compose.url.SetValue(m.srv.URL + "/jwt")
	m = press(t, m, enter)
	for o, _ := m.chal.picked(); o.Mode != "oauth2"; o, _ = m.chal.picked() {
		m = press(t, m, down)
	}
	m = press(t, m, enter)
	m = press(t, m, keys(m.srv.URL+"/oauth/token")...)
	m = press(t, m, tab)
	m = press(t, m, keys("practice-client")...)
	m = press(t, m, tab)
	m = press(t, m, keys("practice-secret")...)
	if l := line(screen(m), "Client secret"); strings.Contains(l, "practice-secret") {
		t.Fatalf("the secret field shows %q", l)
	}
	m = press(t, m, tab, enter)
	last := m.sess.Last()
	if last.Status() != 200 {
		t.Fatalf("oauth: %d (%s)", last.Status(), m.Status())
	}
	var token bool
	for _, a := range m.tl.attempts {
		token = token || a.Purpose == "token"
	}
	if !token {
		t.Fatal("the token request is not in the timeline")
	}
	for m.Focused() != "timeline" {
		m = press(t, m, tab)
	}
	for m.resp.n != 1 {
		m = press(t, m, up) // the token request's own view: its Authorization is masked
		if s := screen(m); strings.Contains(s, "cHJhY3RpY2UtY2xpZW50OnByYWN0aWNlLXNlY3JldA") {
			t.Fatal("client credentials shown unmasked")
		}
	}
}

func TestLessonFollowsThePracticePath(t *testing.T) {
	m := New(Options{Practice: true, Lesson: "digest"})
	m = settle(t, m, m.Init())
	t.Cleanup(func() { m.srv.Close() })
	m = sized(t, m, 120, 40)
	if m.lesson.l.ID != "digest" || !strings.HasSuffix(m.compose.url.Value(), "/digest") {
		t.Fatalf("Options.Lesson: lesson %q, URL %q", m.lesson.l.ID, m.compose.url.Value())
	}
	m.compose.url.SetValue(m.srv.URL + "/bearer")
	m = press(t, m, enter)
	if m.lesson.l.ID != "bearer" {
		t.Fatalf("lesson after requesting /bearer: %q", m.lesson.l.ID)
	}
	mustContain(t, screen(m), "Lesson: "+m.lesson.l.Title)
}
