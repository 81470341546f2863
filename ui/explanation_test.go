package ui

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"keyhole/httpclient"
	"keyhole/practice"
	"keyhole/session"
)

// paneRows are the rows inside b's frame as on screen.
func paneRows(m Model, b box) []string {
	lines := strings.Split(screen(m), "\n")
	var out []string
	for y := b.y + 1; y < b.y+b.h-1 && y < len(lines); y++ {
		r := []rune(lines[y])
		out = append(out, string(r[min(b.x+2, len(r)):min(b.x+b.w-2, len(r))]))
	}
	return out
}

// squeeze drops the spaces: wrapping only moves words between lines.
func squeeze(s string) string { return strings.Join(strings.Fields(s), "") }

// readExplanation focuses the explanation pane and scrolls it from top to
// bottom, returning the text of its first screen and of all of it, as read
// on screen, each without spaces.
func readExplanation(t *testing.T, m Model) (first, all string) {
	t.Helper()
	for i := 0; m.Focused() != "explanation" && m.Focused() != "picker"; i++ {
		if i > int(focusCount) {
			t.Fatalf("the explanation pane never takes focus (at %s)", m.Focused())
		}
		m = press(t, m, tab)
	}
	first = squeeze(strings.Join(paneRows(m, m.geometry().explain), " "))
	m = press(t, m, tea.KeyPressMsg{Code: tea.KeyHome})
	seen := map[int]string{}
	for range 50 {
		for i, r := range paneRows(m, m.geometry().explain) {
			seen[m.explTop+i] = r
		}
		top := m.explTop
		m = press(t, m, tea.KeyPressMsg{Code: tea.KeyPgDown})
		if m.explTop == top {
			break
		}
	}
	rows := make([]string, len(seen))
	for i := range rows {
		rows[i] = seen[i]
	}
	return first, squeeze(strings.Join(rows, " "))
}

// After the first request of every practice lesson, at 120x40 and 80x24,
// every finding keyhole send gives for the same request is in the
// explanation pane whole: the first on its first screen, the rest by
// scrolling it. The findings to find come from a session of their own, the
// way keyhole send runs, not from the TUI's.
func TestEveryFindingOfEveryLessonIsOnScreen(t *testing.T) {
	for _, l := range practice.Lessons() {
		if l.Path == "/slow" {
			continue // answers after five seconds; its 401 is /basic's
		}
		for _, sz := range [][2]int{{120, 40}, {80, 24}} {
			m := started(t, sz[0], sz[1])
			req := httpclient.Request{Method: l.Method, URL: m.srv.URL + l.Path}
			ref := session.New(m.newClient(), req).Run(context.Background(), &session.Wallet{}, session.Policy{})
			var want []session.Finding
			for _, a := range ref.Attempts {
				want = append(want, a.Findings...)
			}
			m.compose.setMethod(l.Method)
			m.compose.url.SetValue(req.URL)
			m = press(t, m, enter)
			a := m.shown()
			if a == nil {
				t.Fatalf("%s: nothing shown after sending: %s", l.Path, m.Status())
			}
			// The same findings by code; the text checked is the TUI's own
			// (a clock-skew finding quotes the second it was found in).
			var got []session.Finding
			for _, b := range append([]*session.Attempt{a}, m.before(a)...) { // as the pane lists them
				got = append(got, b.Findings...)
			}
			codes := func(fs []session.Finding) (out []string) {
				for _, f := range fs {
					out = append(out, f.Code)
				}
				slices.Sort(out)
				return out
			}
			if !slices.Equal(codes(got), codes(want)) {
				t.Errorf("%dx%d %s: the TUI found %v, keyhole send %v", sz[0], sz[1], l.Path, codes(got), codes(want))
			}
			first, all := readExplanation(t, m)
			for i, f := range got {
				if !strings.Contains(all, squeeze(f.Message)) || (f.Next != "" && !strings.Contains(all, squeeze(f.Next))) {
					t.Errorf("%dx%d %s: finding %s is not on screen whole: %q\nread:\n%s", sz[0], sz[1], l.Path, f.Code, f.Message, all)
				}
				if i == 0 && sz[0] == 120 && !strings.Contains(first, squeeze(f.Message)) {
					t.Errorf("%s: the first finding %s needs scrolling at 120x40:\n%s", l.Path, f.Code, screen(m))
				}
			}
		}
	}
}

// A 403 is explained like a 401: the finding says the credentials were
// understood and refused, and what to do instead.
func TestA403IsExplained(t *testing.T) {
	m := started(t, 120, 40)
	m.compose.url.SetValue(m.srv.URL + "/forbidden")
	m = press(t, m, enter, enter)
	m = press(t, m, keys("alice")...)
	m = press(t, m, tab)
	m = press(t, m, keys(practice.Password)...)
	m = press(t, m, enter)
	a := m.sess.Last()
	if a.Status() != 403 || len(a.Findings) == 0 {
		t.Fatalf("/forbidden as alice: %d with %d findings (%s)", a.Status(), len(a.Findings), m.Status())
	}
	first, _ := readExplanation(t, m)
	for _, f := range a.Findings {
		if !strings.Contains(first, squeeze(f.Message)) {
			t.Errorf("finding %s of the 403 is not on screen: %q\n%s", f.Code, f.Message, screen(m))
		}
	}
	mustContain(t, screen(m), "Explanation · 403", "403 Forbidden")
}

// A refused connection has no status; its finding is the explanation.
func TestATransportErrorIsExplained(t *testing.T) {
	m := New(Options{URL: "http://127.0.0.1:1/x"}) // nothing listens on port 1
	m = sized(t, m, 120, 40)
	m = press(t, m, enter)
	a := m.sess.Last()
	if a == nil || a.Status() != 0 || len(a.Findings) == 0 {
		t.Fatalf("port 1: want a transport error with findings, got %+v (%s)", a, m.Status())
	}
	first, _ := readExplanation(t, m)
	if !strings.Contains(first, squeeze(a.Findings[0].Message)) || !strings.Contains(first, "noresponse") {
		t.Errorf("the transport error is not explained:\n%s", screen(m))
	}
	// The head says there was no answer and what was sent; the error is
	// the finding's, not run into "sent none" on the head.
	if !strings.HasPrefix(first, squeeze("Attempt 1 no response · sent none Why")) {
		t.Errorf("the head reads %q", first[:min(len(first), 80)])
	}
}

// Credentials pasted with curl --anyauth wait for a challenge; a server that
// hides a private resource behind a 404 never sends one. The finding says
// what to do in the TUI's terms (a picker row, not keyhole send's flag), the
// row is preselected, and enter sends the credentials up front: 200.
func TestHeldBackCredentialsAreSentFromThePicker(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != practice.User || p != practice.Password {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte("private"))
	}))
	t.Cleanup(srv.Close)
	m := started(t, 120, 40)
	m = press(t, m, esc)
	m.setFocus(focusURL)
	m = press(t, m, tea.PasteMsg{Content: "curl --anyauth -u " + practice.User + ":" + practice.Password + " " + srv.URL + "/private"}, enter)
	if st := m.sess.Last().Status(); st != 404 {
		t.Fatalf("first attempt: %d (%s)", st, m.Status())
	}
	_, all := readExplanation(t, m)
	if !strings.Contains(all, squeeze("as curl -u does.")) || strings.Contains(all, "keyholesend") || strings.Contains(all, "--auth") {
		t.Errorf("the held-back finding should say what to do here, not keyhole send's flag:\n%s", all)
	}
	if !strings.Contains(all, squeeze("Enter on “Send the credentials with the first request” below does it.")) {
		t.Errorf("the finding does not name the row that sends them:\n%s", all)
	}
	if o, ok := m.chal.picked(); !ok || o.Action == nil || o.Action.Kind != "send-upfront" || m.Focused() != "picker" {
		t.Fatalf("the picker should offer sending them, preselected (focus %s, status %q)", m.Focused(), m.Status())
	}
	m = press(t, m, enter)
	last := m.sess.Last()
	if last.Status() != 200 || last.CarriedWords() != "Basic (from curl -u)" && !strings.HasPrefix(last.CarriedWords(), "Basic") {
		t.Fatalf("after enter on the row: %d, carried %q (%s)", last.Status(), last.CarriedWords(), m.Status())
	}
	if n := len(m.sess.Attempts()); n != 2 {
		t.Errorf("%d attempts, want 2: the 404, then the credentials up front", n)
	}
}

// At 120x40, after a refused password, the picker and the form push the
// lesson's lines out of the explanation pane; its step count stays in sight
// in the pane's frame, as in the tabs' frame at 80x24.
func TestLessonCountStaysInSight(t *testing.T) {
	for _, size := range [][2]int{{120, 40}, {80, 24}} {
		m := started(t, size[0], size[1]) // the Basic lesson
		m = sendNow(t, m)
		m = answerWith("basic", practice.User, "wrong")(t, m)
		if m.Focused() != "form" || m.sess.Last().Status() != 401 {
			t.Fatalf("%v: after a wrong password: focus %s, status %d", size, m.Focused(), m.sess.Last().Status())
		}
		want := m.lesson.progress()
		if !strings.HasSuffix(want, "/4 steps") {
			t.Fatalf("progress %q", want)
		}
		if !strings.Contains(screen(m), "lesson "+want) {
			t.Errorf("%v: %q is not on screen:\n%s", size, "lesson "+want, screen(m))
		}
	}
}

// Credentials dropped on a redirect to another origin: the finding names
// the picker's row that trusts the hop, which is right there, rather than
// the key that does it elsewhere.
func TestDroppedOnRedirectNamesThePickerRow(t *testing.T) {
	m := started(t, 120, 40)
	m = typeURL("/redirect")(t, m)
	m = answerWith("basic", practice.User, practice.Password)(t, m)
	if o, ok := m.chal.picked(); !ok || o.Action == nil || o.Action.Kind != "trust-redirect" {
		t.Fatalf("the trust row is not preselected (status %q)", m.Status())
	}
	_, all := readExplanation(t, m)
	if !strings.Contains(all, squeeze("Enter on “"+m.chal.opts[m.chal.cursor].Action.Label+"” below does it.")) || strings.Contains(all, "f7trusts") {
		t.Errorf("the finding should name the row below:\n%s", all)
	}
}

// A resize moves the explanation's lines: the form being typed in stays in
// sight (120x40 to 80x24, where it was below the pane's first screen).
func TestResizeKeepsTheFocusedFormInSight(t *testing.T) {
	m := started(t, 120, 40) // the Basic lesson
	m = sendNow(t, m)
	m = press(t, m, enter) // Basic: the form
	if m.Focused() != "form" {
		t.Fatalf("focus %s", m.Focused())
	}
	m = sized(t, m, 80, 24)
	rows := squeeze(strings.Join(paneRows(m, m.geometry().explain), " "))
	if !strings.Contains(rows, "User") || !strings.Contains(rows, "Password") {
		t.Errorf("after the resize the form is out of sight:\n%s", screen(m))
	}
}

// Why an attempt was made reads as a reason under its head, not as "Sent
// answering the server's Basic challenge…", which the head's "sent Basic
// alice" made read as one sentence.
func TestAttemptReasonReads(t *testing.T) {
	m := started(t, 120, 40)
	m = sendNow(t, m)
	m = answerWith("basic", practice.User, practice.Password)(t, m)
	first, _ := readExplanation(t, m)
	if !strings.Contains(first, squeeze("Reason answering the server's Basic challenge with Basic from the form")) {
		t.Errorf("the reason line reads:\n%s", first)
	}
}
