package ui

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// In the picker a letter jumps to the answer starting with it, and one that
// starts none says so; q is such a letter, never a quit.
func TestPickerLettersJumpAndQDoesNotQuit(t *testing.T) {
	m := started(t, 120, 40)
	m = press(t, m, enter)
	if m.Focused() != "picker" {
		t.Fatalf("focus %s after the 401", m.Focused())
	}
	next, cmd := m.Update(tea.KeyPressMsg{Code: 'q', Text: "q"})
	if cmd != nil {
		if _, quit := cmd().(tea.QuitMsg); quit {
			t.Fatal("q in the picker quits")
		}
	}
	m = next.(Model)
	mustContain(t, m.Status(), `No answer starts with "q"`)
	m = press(t, m, keys("a")...)
	if o, _ := m.chal.picked(); o.Mode != "apikey" {
		t.Fatalf("a jumped to %q, want the API key", o.Mode)
	}
	m = press(t, m, keys("B")...)
	if o, _ := m.chal.picked(); o.Mode != "basic" {
		t.Fatalf("B jumped to %q, want Basic", o.Mode)
	}
}

// quitKey presses k and reports whether the program would quit.
func quitKey(t *testing.T, m Model, k tea.KeyPressMsg) (Model, bool) {
	t.Helper()
	next, cmd := m.Update(k)
	if cmd == nil {
		return next.(Model), false
	}
	_, quit := cmd().(tea.QuitMsg)
	return next.(Model), quit
}

// Quitting with attempts not saved asks once; a second ctrl+c quits, and
// any other key in between cancels the question. Nothing sent: it quits.
func TestQuitAsksOnceWhenAttemptsAreNotSaved(t *testing.T) {
	m := started(t, 120, 40)
	ctrlC := tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	if _, quit := quitKey(t, m, ctrlC); !quit {
		t.Fatal("ctrl+c with nothing sent did not quit")
	}
	m = press(t, m, enter)
	m, quit := quitKey(t, m, ctrlC)
	if quit || !strings.Contains(m.Status(), "1 attempt not saved") {
		t.Fatalf("the first ctrl+c after a send: quit %v, status %q", quit, m.Status())
	}
	m = press(t, m, down) // stays
	if m, quit = quitKey(t, m, ctrlC); quit {
		t.Fatal("ctrl+c quit at once after the question was answered by another key")
	}
	if _, quit = quitKey(t, m, ctrlC); !quit {
		t.Fatal("a second ctrl+c did not quit")
	}
	// q quits where nothing is typed: the timeline, asking first.
	for m.Focused() != "timeline" {
		m = press(t, m, tab)
	}
	m, quit = quitKey(t, m, tea.KeyPressMsg{Code: 'q', Text: "q"})
	if quit || !strings.Contains(m.Status(), "q or ctrl+c again quits") {
		t.Fatalf("q in the timeline: quit %v, status %q", quit, m.Status())
	}
	if _, quit = quitKey(t, m, tea.KeyPressMsg{Code: 'q', Text: "q"}); !quit {
		t.Fatal("a second q in the timeline did not quit")
	}
}

// The mouse is left to the terminal until f6, so text can be selected.
func TestMouseCaptureIsOptIn(t *testing.T) {
	m := started(t, 120, 40)
	if got := m.View().MouseMode; got != tea.MouseModeNone {
		t.Fatalf("mouse mode %v at start, want none", got)
	}
	m = press(t, m, tea.KeyPressMsg{Code: tea.KeyF6})
	if got := m.View().MouseMode; got != tea.MouseModeCellMotion {
		t.Fatalf("mouse mode %v after f6, want cell motion", got)
	}
	mustContain(t, m.Status(), "Mouse on")
	m = press(t, m, tea.KeyPressMsg{Code: tea.KeyF6})
	if m.View().MouseMode != tea.MouseModeNone {
		t.Fatal("f6 did not give the mouse back")
	}
}

// / finds text in the body, n and N go on; the match is marked on screen.
func TestSearchTheBody(t *testing.T) {
	u := serve(t, func(w http.ResponseWriter, r *http.Request) {
		for i := range 500 {
			fmt.Fprintf(w, "line %03d\n", i)
		}
		fmt.Fprintln(w, "the needle")
	})
	m := New(Options{URL: u})
	m = sized(t, m, 120, 40)
	m = press(t, m, enter)
	for m.Focused() != "response" {
		m = press(t, m, tab)
	}
	m = press(t, m, keys("/")...)
	m = press(t, m, keys("NEEDLE")...)
	mustContain(t, screen(m), "/NEEDLE")
	m = press(t, m, enter)
	if m.search.line != 500 {
		t.Fatalf("search found line %d, want 500 (%s)", m.search.line, m.Status())
	}
	mustContain(t, screen(m), "the needle")
	if !strings.Contains(m.View().Content, m.styles.Match.Render("needle")) {
		t.Error("the match is not marked")
	}
	m = press(t, m, keys("/")...)
	m = press(t, m, keys("line 01")...)
	m = press(t, m, enter)
	first := m.search.line
	m = press(t, m, keys("n")...)
	if m.search.line != first+1 {
		t.Fatalf("n went from line %d to %d", first, m.search.line)
	}
	m = press(t, m, keys("N")...)
	if m.search.line != first {
		t.Fatalf("N went back to line %d, want %d", m.search.line, first)
	}
	m = press(t, m, keys("/")...)
	m = press(t, m, keys("absent")...)
	m = press(t, m, enter)
	mustContain(t, m.Status(), `"absent" is not in the body`)
}

// Enter on the response shows every header whole, where the pane cuts them.
func TestDetailShowsLongHeadersWhole(t *testing.T) {
	long := strings.Repeat("abcdefghij", 20)
	u := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Long", long+"-end")
	})
	m := New(Options{URL: u})
	m = sized(t, m, 100, 30)
	m = press(t, m, enter)
	if strings.Contains(screen(m), "-end") {
		t.Fatal("the long header fits the pane; the test needs it cut")
	}
	for m.Focused() != "response" {
		m = press(t, m, tab)
	}
	m = press(t, m, enter)
	if m.Overlay() != "detail" {
		t.Fatalf("enter on the response opened %q", m.Overlay())
	}
	if !strings.Contains(squeeze(strings.Join(paneRows(m, m.geometry().middle), "")), long+"-end") {
		t.Errorf("the header is not shown whole:\n%s", screen(m))
	}
	checkFrame(t, m, 100, 30, "detail")
	// From the explanation pane too.
	m = press(t, m, esc)
	for m.Focused() != "explanation" {
		m = press(t, m, tab)
	}
	if m = press(t, m, enter); m.Overlay() != "detail" {
		t.Fatalf("enter on the explanation opened %q", m.Overlay())
	}
}

// Every kind of timeline row keeps the columns: a cancelled attempt and a
// refused connection put their status where a code goes.
func TestTimelineColumnsStayAligned(t *testing.T) {
	m := started(t, 120, 40)
	m = press(t, m, enter) // a 401
	m = press(t, m, esc)   // back to the URL
	m.compose.url.SetValue("http://127.0.0.1:1/refused")
	m = press(t, m, enter) // no response
	rows := m.tl.view(m.styles, 110, 10)
	if len(rows) != 2 {
		t.Fatalf("%d rows", len(rows))
	}
	col := func(row, text string) int {
		plain := ansi.Strip(row)
		if i := strings.Index(plain, text); i >= 0 {
			return ansi.StringWidth(plain[:i])
		}
		return -1
	}
	if a, b := col(rows[0], "GET"), col(rows[1], "GET"); a != b || a < 0 {
		t.Errorf("method column at %d and %d:\n%s\n%s", a, b, ansi.Strip(rows[0]), ansi.Strip(rows[1]))
	}
	if a, b := col(rows[0], "/basic"), col(rows[1], "/refused"); a != b || a < 0 {
		t.Errorf("path column at %d and %d:\n%s\n%s", a, b, ansi.Strip(rows[0]), ansi.Strip(rows[1]))
	}
	mustContain(t, ansi.Strip(rows[0]), "/basic · 127.0.0.1:", "none")
}

// A letter finds the kind of answer as well as the scheme: o is OAuth 2.0,
// r the registry token (a registry's challenge lists one).
func TestPickerLetterFindsTheKind(t *testing.T) {
	m := started(t, 120, 40)
	m.compose.url.SetValue(m.srv.URL + "/registry/v2/")
	m = press(t, m, enter)
	m = press(t, m, keys("o")...)
	if o, _ := m.chal.picked(); o.Mode != "oauth2" {
		t.Fatalf("o picked %q, want OAuth 2.0", o.Mode)
	}
	m = press(t, m, keys("r")...)
	if o, _ := m.chal.picked(); o.Mode != "registry" {
		t.Fatalf("r picked %q, want the registry token", o.Mode)
	}
}

// The note about an empty Token URL goes once the field is filled.
func TestTokenURLNoteOnlyWhileEmpty(t *testing.T) {
	m := started(t, 120, 40)
	m.compose.url.SetValue(m.srv.URL + "/jwt")
	m = press(t, m, enter)
	m = press(t, m, keys("o")...)
	m = press(t, m, enter)
	if m.Focused() != "form" || m.form.kind != "oauth2" {
		t.Fatalf("focus %s, form %q", m.Focused(), m.form.kind)
	}
	mustContain(t, screen(m), "Token URL empty: endpoints will be discovered")
	m = press(t, m, keys(m.srv.URL+"/oauth/token")...)
	if s := screen(m); strings.Contains(s, "Token URL empty") {
		t.Errorf("the note stays after the Token URL is filled:\n%s", s)
	}
}
