package ui

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"keyhole/practice"
	"keyhole/session"
)

var (
	ctrlL = tea.KeyPressMsg{Code: 'l', Mod: tea.ModCtrl}
	ctrlO = tea.KeyPressMsg{Code: 'o', Mod: tea.ModCtrl}
	ctrlP = tea.KeyPressMsg{Code: 'p', Mod: tea.ModCtrl}
	ctrlT = tea.KeyPressMsg{Code: 't', Mod: tea.ModCtrl}
	ctrlY = tea.KeyPressMsg{Code: 'y', Mod: tea.ModCtrl}
	f3    = tea.KeyPressMsg{Code: tea.KeyF3}
	f4    = tea.KeyPressMsg{Code: tea.KeyF4}
	f8    = tea.KeyPressMsg{Code: tea.KeyF8}
	space = tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
)

// basicLoop answers the practice /basic challenge: attempt 1 is the 401,
// attempt 2 the 200.
func basicLoop(t *testing.T, m Model) Model {
	t.Helper()
	m = press(t, m, enter, enter)
	m = press(t, m, keys("alice")...)
	m = press(t, m, tab)
	m = press(t, m, keys(practice.Password)...)
	m = press(t, m, enter)
	if a := m.sess.Last(); a == nil || a.Status() != 200 {
		t.Fatalf("basic loop did not end in 200: %s", m.Status())
	}
	return m
}

// toTimeline tabs to the timeline.
func toTimeline(t *testing.T, m Model) Model {
	t.Helper()
	for i := 0; m.Focused() != "timeline"; i++ {
		if i > int(focusCount) {
			t.Fatal("the timeline never takes focus")
		}
		m = press(t, m, tab)
	}
	return m
}

// clipboard runs cmd and returns what it puts on the clipboard.
func clipboard(t *testing.T, cmd tea.Cmd) string {
	t.Helper()
	var found []string
	var walk func(tea.Cmd)
	walk = func(c tea.Cmd) {
		if c == nil {
			return
		}
		switch msg := c().(type) {
		case tea.BatchMsg:
			for _, c := range msg {
				walk(c)
			}
		default:
			if fmt.Sprintf("%T", msg) == "tea.setClipboardMsg" {
				found = append(found, fmt.Sprint(msg))
			}
		}
	}
	walk(cmd)
	if len(found) != 1 {
		t.Fatalf("clipboard writes = %d, want 1", len(found))
	}
	return found[0]
}

var basicB64 = base64.StdEncoding.EncodeToString([]byte("alice:" + practice.Password))

func TestLessonListOneKeyAway(t *testing.T) {
	m := started(t, 120, 40)
	m = press(t, m, ctrlL)
	if m.Overlay() != "lessons" {
		t.Fatalf("ctrl+l opened %q", m.Overlay())
	}
	ls := practice.Lessons()
	mustContain(t, screen(m), ls[0].Title, ls[1].Title)
	m = press(t, m, down, enter)
	if got, want := m.compose.url.Value(), m.srv.URL+ls[1].Path; got != want {
		t.Fatalf("URL = %q, want %q", got, want)
	}
	if m.Overlay() != "lesson" || m.lesson.l.ID != ls[1].ID {
		t.Fatalf("overlay %q lesson %q; want the lesson pane of %q", m.Overlay(), m.lesson.l.ID, ls[1].ID)
	}
	s := screen(m)
	mustContain(t, s, "Lesson: "+ls[1].Title, "Teaches", "Credentials", "Checks", "Steps", "[ ] ")
	m = press(t, m, space)
	if strings.Contains(screen(m), "[x] ") {
		t.Fatal("space ticked a step by hand: steps tick themselves from the attempts")
	}
	m = press(t, m, esc)
	if m.Overlay() != "" || m.Focused() != "url" {
		t.Fatalf("after esc: overlay %q focus %s", m.Overlay(), m.Focused())
	}

	// Finish the first lesson: the list ticks it.
	m = press(t, m, ctrlL, up, enter, esc)
	m = basicLoop(t, m)
	m = press(t, m, tea.KeyPressMsg{Code: tea.KeyF2})
	if l := line(screen(m), ls[0].Title); !strings.Contains(l, "✓") {
		t.Fatalf("the done lesson is not ticked: %q", l)
	}
}

func TestDiffBetweenA401AndA200(t *testing.T) {
	m := basicLoop(t, started(t, 120, 40))
	m = toTimeline(t, m)
	m = press(t, m, up, keys("m")[0], down, keys("d")[0])
	if m.Overlay() != "diff" {
		t.Fatalf("d opened %q (%s)", m.Overlay(), m.Status())
	}
	s := screen(m)
	mustContain(t, s, "Diff: attempt 1 → attempt 2", "attempt 2 worked", "Status", "Request headers")
	if l := line(s, "Authorization:"); !strings.Contains(l, "Basic") || !strings.Contains(l, "•••") {
		t.Errorf("the Authorization change is not shown masked: %q", l)
	}
	if strings.Contains(s, basicB64) || strings.Contains(s, practice.Password) {
		t.Fatal("the diff shows the credentials")
	}
	m = press(t, m, esc)
	if m.Overlay() != "" {
		t.Fatal("esc did not close the diff")
	}
}

func TestSaveAndReopenSession(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	dir, err := session.Dir()
	if err != nil {
		t.Fatal(err)
	}
	m := basicLoop(t, started(t, 120, 40))
	m = press(t, m, ctrlO)
	if !strings.Contains(m.Status(), "Saved the session to "+dir) {
		t.Fatalf("status after ctrl+o: %q", m.Status())
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	if len(files) != 1 {
		t.Fatalf("files saved: %v", files)
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	// The practice server's 401 body names the password as a hint, so only
	// what keyhole wrote is searched: everything but the response bodies.
	var f session.File
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	for _, r := range f.Attempts {
		if r.Response != nil {
			r.Response.Body = ""
		}
	}
	mine, _ := json.Marshal(f)
	if !strings.Contains(string(data), "Authorization") {
		t.Fatal("the saved session lacks the Authorization header the 200 was sent with")
	}
	for _, secret := range []string{practice.Password, basicB64} {
		if strings.Contains(string(mine), secret) {
			t.Fatalf("the saved session holds the secret %q", secret)
		}
	}

	// A corrupt file next to it is listed, refused with a clear error, and left alone.
	bad := filepath.Join(dir, "broken.json")
	if err := os.WriteFile(bad, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	fresh := started(t, 120, 40)
	fresh = press(t, fresh, f3)
	if fresh.Overlay() != "sessions" {
		t.Fatalf("f3 opened %q (%s)", fresh.Overlay(), fresh.Status())
	}
	mustContain(t, screen(fresh), "broken: cannot be opened", "2 attempts, last 200")
	for o := fresh.ov.selected(); !strings.Contains(o.label, "broken"); o = fresh.ov.selected() {
		fresh = press(t, fresh, down)
	}
	fresh = press(t, fresh, enter)
	if !fresh.statusErr || !strings.Contains(fresh.Status(), "not valid JSON") {
		t.Fatalf("opening the corrupt file: %q", fresh.Status())
	}
	if b, _ := os.ReadFile(bad); string(b) != "{not json" {
		t.Fatal("the corrupt file was changed")
	}

	// So is one from a newer keyhole.
	newer := filepath.Join(dir, "newer.json")
	newerData := `{"version": 99, "attempts": []}`
	if err := os.WriteFile(newer, []byte(newerData), 0o600); err != nil {
		t.Fatal(err)
	}
	fresh = press(t, fresh, esc, f3)
	for o := fresh.ov.selected(); !strings.Contains(o.label, "newer"); o = fresh.ov.selected() {
		fresh = press(t, fresh, down)
	}
	fresh = press(t, fresh, enter)
	if !fresh.statusErr || !strings.Contains(fresh.Status(), "newer keyhole") {
		t.Fatalf("opening the newer file: %q", fresh.Status())
	}
	if b, _ := os.ReadFile(newer); string(b) != newerData {
		t.Fatal("the newer file was changed")
	}

	fresh = press(t, fresh, esc, f3)
	for o := fresh.ov.selected(); strings.Contains(o.label, "broken") || strings.Contains(o.label, "newer"); o = fresh.ov.selected() {
		fresh = press(t, fresh, down)
	}
	fresh = press(t, fresh, enter)
	if n := len(fresh.tl.attempts); n != 2 {
		t.Fatalf("reopened session has %d attempts in the timeline, want 2 (%s)", n, fresh.Status())
	}
	if got := fresh.compose.url.Value(); got != m.srv.URL+"/basic" {
		t.Fatalf("draft URL = %q", got)
	}
	mustContain(t, screen(fresh), "Opened", "200")
}

func TestPasteACurlCommand(t *testing.T) {
	m := started(t, 120, 40)
	cmd := "curl -u alice:" + practice.Password + " -H 'X-Trace: 7' --frobnicate " + m.srv.URL + "/basic"
	m = press(t, m, tea.PasteMsg{Content: cmd})
	if got := m.compose.url.Value(); got != m.srv.URL+"/basic" {
		t.Fatalf("URL after paste = %q (%s)", got, m.Status())
	}
	if got := m.compose.headers.Value(); got != "X-Trace: 7" {
		t.Fatalf("headers after paste = %q", got)
	}
	if m.form.kind != "basic" || m.form.value("user") != "alice" {
		t.Fatalf("form after paste: %q user %q", m.form.kind, m.form.value("user"))
	}
	mustContain(t, m.Status(), "Basic credentials", "--frobnicate")
	if strings.Contains(m.Status(), practice.Password) {
		t.Fatal("the status line shows the password")
	}
	m = press(t, m, enter)
	if a := m.sess.Last(); a.Status() != 200 || a.Exchange.Request.Header.Get("X-Trace") != "7" {
		t.Fatalf("the imported request got %d (%s)", a.Status(), m.Status())
	}

	// --digest: the first send gets the challenge, the credentials answer it.
	m = press(t, m, tea.PasteMsg{Content: "curl --digest -u alice:" + practice.Password + " " + m.srv.URL + "/digest"})
	m = press(t, m, enter)
	if a := m.sess.Last(); a.Status() != 200 || a.Scheme != "Digest" {
		t.Fatalf("imported --digest: %d %q (%s)", a.Status(), a.Scheme, m.Status())
	}

	// Typed into the URL field, then enter: imported, not sent.
	n := len(m.sess.Attempts())
	m.compose.url.SetValue("")
	m = press(t, m, keys("curl -X POST -d a=1 "+m.srv.URL+"/digest")...)
	m = press(t, m, enter)
	if len(m.sess.Attempts()) != n || m.compose.Method() != "POST" || m.compose.body.Value() != "a=1" {
		t.Fatalf("typed curl: %d attempts, method %s body %q", len(m.sess.Attempts()), m.compose.Method(), m.compose.body.Value())
	}
}

func TestCurlOptionStartsFromACommand(t *testing.T) {
	m := New(Options{Curl: "curl -H 'Authorization: Bearer abc-secret' -H 'Accept: text/plain' http://127.0.0.1:1/x"})
	if m.compose.url.Value() != "http://127.0.0.1:1/x" || !strings.Contains(m.compose.headers.Value(), "Accept: text/plain") {
		t.Fatalf("Options.Curl: url %q headers %q", m.compose.url.Value(), m.compose.headers.Value())
	}
	// The token becomes the (masked) Bearer form, never plain text among the headers.
	if strings.Contains(m.compose.headers.Value(), "abc-secret") || m.form.kind != "bearer" {
		t.Fatalf("Options.Curl: headers %q, form %q; want the token lifted into the Bearer form", m.compose.headers.Value(), m.form.kind)
	}
	if s := screen(sized(t, m, 120, 40)); strings.Contains(s, "abc-secret") {
		t.Fatalf("the imported token is on screen:\n%s", s)
	}
}

func TestCopyAsCurlAndHAR(t *testing.T) {
	m := basicLoop(t, started(t, 120, 40))
	next, cmd := m.Update(ctrlY)
	m = next.(Model)
	c := clipboard(t, cmd)
	mustContain(t, c, "curl", m.srv.URL+"/basic", "$KEYHOLE_")
	if strings.Contains(c, practice.Password) {
		t.Fatalf("the copied command holds the password: %s", c)
	}
	mustContain(t, m.Status(), "Copying attempt 2")

	t.Chdir(t.TempDir())
	m = press(t, m, f4)
	files, _ := filepath.Glob("keyhole-*.har")
	if len(files) != 1 || !strings.Contains(m.Status(), files[0]) {
		t.Fatalf("HAR files %v, status %q", files, m.Status())
	}
	data, _ := os.ReadFile(files[0])
	if !strings.Contains(string(data), `"entries"`) || strings.Contains(string(data), basicB64) {
		t.Fatal("the HAR lacks entries or holds the credentials")
	}
}

func TestPaletteFiltersAndRuns(t *testing.T) {
	m := started(t, 120, 40)
	m = press(t, m, ctrlP)
	if m.Overlay() != "palette" {
		t.Fatalf("ctrl+p opened %q", m.Overlay())
	}
	mustContain(t, screen(m), "send the request", "save session", "diff selected attempt", "quit", "ctrl+s")
	m = press(t, m, keys("trust")...)
	if v := m.ov.visible(); len(v) != 1 {
		t.Fatalf("filter 'trust' leaves %d rows", len(v))
	}
	m = press(t, m, enter)
	if !m.trust || m.Overlay() != "" || !strings.Contains(m.Status(), "Trusted redirects on") {
		t.Fatalf("trust %v overlay %q status %q", m.trust, m.Overlay(), m.Status())
	}
}

func TestJWTInspectorAndMaskedTokenBody(t *testing.T) {
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
	m = press(t, m, tab, enter)
	var tok *session.Attempt
	for _, a := range m.tl.attempts {
		if a.Purpose == session.PurposeToken {
			tok = a
		}
	}
	if tok == nil {
		t.Fatalf("no token attempt (%s)", m.Status())
	}
	m = toTimeline(t, m)
	for m.resp.n != tok.N {
		m = press(t, m, up)
	}
	found, ok := attemptToken(tok)
	if !ok {
		t.Fatal("no JWT in the token response")
	}
	if s := screen(m); strings.Contains(s, found.raw[:40]) || !strings.Contains(s, "access_token") {
		t.Fatal("the token response body shows the access_token unmasked, or not at all")
	}
	m = press(t, m, f8)
	if s := screen(m); !strings.Contains(s, found.raw[:40]) {
		t.Fatal("f8 does not reveal the access_token")
	}
	m = press(t, m, f8, ctrlT)
	if m.Overlay() != "jwt" {
		t.Fatalf("ctrl+t opened %q (%s)", m.Overlay(), m.Status())
	}
	s := screen(m)
	mustContain(t, s, "access_token of attempt", "Header", "alg: HS256", "Claims", "exp", "expires in", "by the server's Date")
	if strings.Contains(s, found.raw[:40]) {
		t.Fatal("the inspector shows the raw token")
	}
}

func TestJWTInspectorReadsTheBearerForm(t *testing.T) {
	m := started(t, 120, 40)
	m.compose.url.SetValue(m.srv.URL + "/bearer")
	m = press(t, m, enter)
	for o, _ := m.chal.picked(); o.Mode != "bearer"; o, _ = m.chal.picked() {
		m = press(t, m, down)
	}
	m = press(t, m, enter)
	enc := base64.RawURLEncoding.EncodeToString
	jwt := enc([]byte(`{"alg":"none"}`)) + "." + enc([]byte("{\"sub\":\"bob\\u001b[2J\",\"iss\":\"me\"}")) + "."
	m = press(t, m, tea.PasteMsg{Content: jwt})
	m = press(t, m, ctrlT)
	s := screen(m)
	mustContain(t, s, "the token in the Bearer form", `alg is "none"`, "no exp", "iss", "sub: bob")
	if strings.Contains(m.View().Content, "\x1b[2J") {
		t.Fatal("a claim's escape sequence reached the terminal")
	}
}

func TestTrustRedirectActionRetries(t *testing.T) {
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); ok && u == "alice" && p == "pw" {
			fmt.Fprintln(w, "ok")
			return
		}
		w.Header().Set("WWW-Authenticate", `Basic realm="t"`)
		w.WriteHeader(401)
	}))
	defer target.Close()
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, strings.Replace(target.URL, "127.0.0.1", "localhost", 1)+"/x", http.StatusFound)
	}))
	defer front.Close()

	m := sized(t, New(Options{Curl: "curl -L -u alice:pw " + front.URL + "/start"}), 120, 40)
	m = press(t, m, enter)
	if a := m.sess.Last(); a.Status() != 401 {
		t.Fatalf("first attempt %d, want 401 after the dropped credentials (%s)", a.Status(), m.Status())
	}
	for o, _ := m.chal.picked(); o.Action == nil || o.Action.Kind != "trust-redirect"; o, _ = m.chal.picked() {
		m = press(t, m, down)
		if m.chal.cursor == 0 {
			t.Fatalf("no trust-redirect action in the picker:\n%s", screen(m))
		}
	}
	m = press(t, m, enter)
	if a := m.sess.Last(); a.Status() != 200 || !m.trust {
		t.Fatalf("after trusting the redirect: %d, trust %v (%s)", a.Status(), m.trust, m.Status())
	}
}

func TestRequestsPicker(t *testing.T) {
	reqs, err := session.ParseHTTPFile(strings.NewReader("### first\nGET http://127.0.0.1:1/a\n\n### second\nPOST http://127.0.0.1:1/b\nX-A: 1\n\nbody\n"))
	if err != nil {
		t.Fatal(err)
	}
	m := sized(t, New(Options{Requests: reqs}), 120, 40)
	if m.Overlay() != "requests" {
		t.Fatalf("opened on %q, want the requests", m.Overlay())
	}
	mustContain(t, screen(m), "first", "second")
	m = press(t, m, down, enter)
	if m.compose.Method() != "POST" || m.compose.url.Value() != "http://127.0.0.1:1/b" || m.compose.headers.Value() != "X-A: 1" {
		t.Fatalf("loaded %s %s %q", m.compose.Method(), m.compose.url.Value(), m.compose.headers.Value())
	}
}

func TestForgetSaysWhatItCleared(t *testing.T) {
	m := basicLoop(t, started(t, 120, 40))
	m = press(t, m, tea.KeyPressMsg{Code: 'x', Mod: tea.ModCtrl})
	mustContain(t, m.Status(), "Forgot the Basic credentials entered for "+m.srv.URL, "cookies")
}

func TestProxyCredentialsOnA407(t *testing.T) {
	m := started(t, 120, 40)
	m.compose.url.SetValue(m.srv.URL + "/proxy")
	m = press(t, m, enter)
	if m.Focused() != "picker" || m.chal.status != 407 {
		t.Fatalf("after /proxy: focus %s status %d (%s)", m.Focused(), m.chal.status, m.Status())
	}
	mustContain(t, screen(m), "What the proxy wants")
	m = press(t, m, enter)
	m = press(t, m, keys("alice")...)
	m = press(t, m, tab)
	m = press(t, m, keys(practice.Password)...)
	m = press(t, m, enter)
	a := m.sess.Last()
	if a.Status() != 200 || a.Exchange.Request.Header.Get("Proxy-Authorization") == "" || a.Exchange.Request.Header.Get("Authorization") != "" {
		t.Fatalf("proxy answer: %d, Proxy-Authorization %q, Authorization %q (%s)", a.Status(),
			a.Exchange.Request.Header.Get("Proxy-Authorization"), a.Exchange.Request.Header.Get("Authorization"), m.Status())
	}
}

func TestClientTLSFormOnThePracticeMTLSLesson(t *testing.T) {
	m := New(Options{Practice: true, PracticeTLS: true})
	m = settle(t, m, m.Init())
	if m.srv == nil || m.srv.TLSDir == "" {
		t.Fatalf("practice server over TLS did not start: %s", m.Status())
	}
	t.Cleanup(func() { m.srv.Close() })
	m = sized(t, m, 120, 40)
	m.compose.url.SetValue(m.srv.URL + "/mtls")
	m = press(t, m, enter)
	if a := m.sess.Last(); a.Status() == 200 {
		t.Fatalf("/mtls answered 200 without a client certificate")
	}

	m = press(t, m, tea.KeyPressMsg{Code: tea.KeyF9})
	if m.Overlay() != "tls" {
		t.Fatalf("f9 opened %q", m.Overlay())
	}
	m = press(t, m, keys("/nonexistent/client.pem")...)
	m = press(t, m, enter, enter, enter)
	if !m.statusErr || m.Overlay() != "tls" {
		t.Fatalf("a missing certificate: overlay %q status %q", m.Overlay(), m.Status())
	}
	m.ov.fields[0].in.SetValue(filepath.Join(m.srv.TLSDir, "client.pem"))
	m.ov.fields[1].in.SetValue(filepath.Join(m.srv.TLSDir, "client-key.pem"))
	m = press(t, m, enter)
	if m.Overlay() != "" || !strings.Contains(m.Status(), "client certificate") {
		t.Fatalf("after applying: overlay %q status %q", m.Overlay(), m.Status())
	}
	m = press(t, m, enter)
	if a := m.sess.Last(); a.Status() != 200 {
		t.Fatalf("/mtls with the client certificate: %d (%s)", a.Status(), m.Status())
	}
}

func TestHelpListsEveryKeyOnASmallTerminal(t *testing.T) {
	m := started(t, 80, 24)
	m = press(t, m, tea.KeyPressMsg{Code: tea.KeyF1})
	if m.Overlay() != "help" {
		t.Fatalf("f1 opened %q", m.Overlay())
	}
	seen := screen(m)
	for range 20 {
		m = press(t, m, down)
		seen += screen(m)
	}
	for _, k := range []string{"ctrl+s", "ctrl+x", "ctrl+p", "ctrl+o", "f3", "ctrl+t", "ctrl+y", "f7", "f8", "f9", "mark for diff"} {
		if !strings.Contains(seen, k) {
			t.Errorf("the help never shows %q", k)
		}
	}
	m = press(t, m, keys("?")...)
	if m.Overlay() != "" {
		t.Fatal("? did not close the help")
	}
}
