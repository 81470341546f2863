package ui

import (
	"fmt"
	"image/color"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"keyhole/practice"
)

// checkFrame fails when the frame is not exactly h lines of at most w columns.
func checkFrame(t *testing.T, m Model, w, h int, state string) {
	t.Helper()
	lines := strings.Split(m.View().Content, "\n")
	if len(lines) != h {
		t.Errorf("%dx%d %s: %d lines, want %d", w, h, state, len(lines), h)
	}
	for i, l := range lines {
		if got := ansi.StringWidth(l); got > w {
			t.Errorf("%dx%d %s: line %d is %d wide: %q", w, h, state, i, got, ansi.Strip(l))
		}
	}
}

func TestLayoutFitsEverySize(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {200, 50}, {100, 30}, {120, 40}, {60, 20}, {40, 12}} {
		w, h := sz[0], sz[1]
		t.Run(fmt.Sprintf("%dx%d", w, h), func(t *testing.T) {
			m := started(t, w, h)
			checkFrame(t, m, w, h, "start")
			m = press(t, m, enter)
			checkFrame(t, m, w, h, "challenge")
			if w >= 80 {
				mustContain(t, screen(m), "Answer with", "Basic")
			}
			m = press(t, m, enter)
			checkFrame(t, m, w, h, "form")
			if w >= 80 {
				mustContain(t, screen(m), "User", "Password")
			}
			m = press(t, m, keys("alice")...)
			m = press(t, m, tab)
			m = press(t, m, keys("wonderland")...)
			m = press(t, m, enter)
			checkFrame(t, m, w, h, "200")
			if w >= 80 {
				mustContain(t, screen(m), "200 OK", "Timeline")
			}
			m = press(t, m, tea.KeyPressMsg{Code: tea.KeyF1})
			checkFrame(t, m, w, h, "help")
			m = press(t, m, esc)
			// Shrink and grow again: nothing left over from the bigger frame.
			m = sized(t, m, w/2+10, h/2+5)
			checkFrame(t, m, w/2+10, h/2+5, "shrunk")
			m = sized(t, m, w, h)
			checkFrame(t, m, w, h, "regrown")
		})
	}
}

func TestHostileServerTextIsEscaped(t *testing.T) {
	m := started(t, 160, 50)
	m.compose.url.SetValue(m.srv.URL + "/hostile")
	m = press(t, m, enter)
	if m.sess.Last() == nil || m.sess.Last().Status() == 0 {
		t.Fatalf("no answer from /hostile: %s", m.Status())
	}
	for _, focus := range []bool{false, true} {
		if focus {
			for m.Focused() != "timeline" {
				m = press(t, m, tab)
			}
			m = press(t, m, ctrlR)
		}
		raw := m.View().Content
		// Only SGR colour sequences (ESC [ ... m) may remain; anything else came from the server.
		rest := sgr.ReplaceAllString(raw, "")
		if i := strings.IndexAny(rest, "\x1b\x07\x9b\x9d"); i >= 0 {
			t.Fatalf("a control character reaches the terminal: %q", rest[max(0, i-20):min(len(rest), i+20)])
		}
	}
	mustContain(t, screen(m), `\x1b`)
	// The realm as sent, each control byte one escape: no backslash the
	// server never sent.
	mustContain(t, screen(m), `realm="practice\u009b2J\u009bH"`)
	if strings.Contains(screen(m), `\\u009b`) {
		t.Errorf("the realm shows an escaped backslash the server never sent:\n%s", screen(m))
	}
}

func serve(t *testing.T, h http.HandlerFunc) string {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestBodiesAreFormatted(t *testing.T) {
	u := serve(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/json":
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"a":{"b":[1,2]}}`)
		case "/bin":
			w.Write([]byte{0x89, 'P', 'N', 'G', 0, 1, 2, 0xff, 0x1b})
		case "/crlf":
			fmt.Fprint(w, "one\r\ntwo\tthree\r\n")
		}
	})
	m := New(Options{URL: u + "/json"})
	m = sized(t, m, 200, 40) // wide enough that a hex line is not wrapped
	m = press(t, m, enter)
	mustContain(t, screen(m), `"a": {`, `    "b": [`)

	m.compose.url.SetValue(u + "/bin")
	m = press(t, m, enter)
	mustContain(t, screen(m), "00000000  89 50 4e 47 00 01 02 ff  1b", "|.PNG.....|")

	m.compose.url.SetValue(u + "/crlf")
	m = press(t, m, enter)
	mustContain(t, screen(m), "one", "two    three")
	if strings.Contains(screen(m), `\r`) {
		t.Error("CRLF line ends shown as \\r")
	}
}

func TestResponseScrolls(t *testing.T) {
	u := serve(t, func(w http.ResponseWriter, r *http.Request) {
		for i := range 500 {
			fmt.Fprintf(w, "line %03d\n", i)
		}
	})
	m := New(Options{URL: u})
	m = sized(t, m, 120, 30)
	m = press(t, m, enter)
	if strings.Contains(screen(m), "line 499") {
		t.Fatal("the whole body is on one screen")
	}
	for m.Focused() != "response" {
		m = press(t, m, tab)
	}
	m = press(t, m, tea.KeyPressMsg{Code: tea.KeyEnd})
	mustContain(t, screen(m), "line 499")
	m = press(t, m, tea.KeyPressMsg{Code: tea.KeyHome})
	m = press(t, m, tea.MouseWheelMsg{Button: tea.MouseWheelDown}, tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	if m.resp.top != 6 {
		t.Fatalf("two wheel notches scrolled to %d, want 6", m.resp.top)
	}
}

func TestDigestFormAnswersThePracticeServer(t *testing.T) {
	m := started(t, 120, 40)
	m.compose.url.SetValue(m.srv.URL + "/digest")
	m = press(t, m, enter)
	if o, _ := m.chal.picked(); o.Mode != "digest" {
		t.Fatalf("preselected %q, want digest (status %q)", o.Mode, m.Status())
	}
	m = press(t, m, enter)
	m = press(t, m, keys("alice")...)
	m = press(t, m, tab)
	m = press(t, m, keys("wonderland")...)
	m = press(t, m, enter)
	if got := m.sess.Last().Status(); got != 200 {
		t.Fatalf("digest answered %d, want 200; status %q", got, m.Status())
	}
}

func TestBackgroundPicksLightOrDarkStyles(t *testing.T) {
	m := New(Options{URL: "http://127.0.0.1:1/"})
	if m.Init() == nil {
		t.Fatal("Init asks for nothing; it should request the background colour")
	}
	m = press(t, m, tea.BackgroundColorMsg{Color: color.White})
	if m.styles.isDark {
		t.Fatal("a white background gave dark styles")
	}
	light := m.View().Content
	m = press(t, m, tea.BackgroundColorMsg{Color: color.Black})
	if !m.styles.isDark || m.View().Content == light {
		t.Fatal("a black background did not switch to dark styles")
	}
}

func TestBodyCutByTheLimitIsSaidAndStillIndented(t *testing.T) {
	body := jsonBody(50<<20 + 64<<10)
	u := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})
	m := New(Options{URL: u})
	m = sized(t, m, 120, 40)
	m = press(t, m, enter)
	// The TUI spills what is past the kept 50 MiB to a temporary file.
	mustContain(t, screen(m), "Body 50.1 MiB; past 50 MiB it scrolls in from", `    "id": 0,`, `"city": "Zürich",`)
	resp := m.sess.Last().Exchange.Response
	if resp.Spill == "" {
		t.Fatal("no spill file for the part past the limit")
	}
	m.resp.setDoc(nil) // closes the spill file the pane reads
	if err := resp.Close(); err != nil {
		t.Error(err)
	}
}

func TestWidthAgreesWithAnsi(t *testing.T) {
	st := NewStyles(true)
	for _, s := range []string{
		"", "plain", st.Status.OK.Render("200") + " → ok", "─── url ──│ ›…↻✓✗·•", "Zürich ñ",
		"漢字", "e\u0301", "\x1b]8;;http://x\x07link\x1b]8;;\x07", "a\tb", "👍🏽", "✓\ufe0f", "\u00ad",
	} {
		if got, want := width(s), ansi.StringWidth(s); got != want {
			t.Errorf("width(%q) = %d, ansi says %d", s, got, want)
		}
	}
}

func FuzzWidth(f *testing.F) {
	f.Add("─ › ✓ \x1b[1;38;2;1;2;3mX\x1b[m é")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := width(s), ansi.StringWidth(s); got != want {
			t.Fatalf("width(%q) = %d, ansi says %d", s, got, want)
		}
	})
}

// at is the cell where text first shows on screen.
func at(t *testing.T, m Model, text string) (x, y int) {
	t.Helper()
	for y, l := range strings.Split(screen(m), "\n") {
		if i := strings.Index(l, text); i >= 0 {
			return ansi.StringWidth(l[:i]), y
		}
	}
	t.Fatalf("%q is not on screen:\n%s", text, screen(m))
	return 0, 0
}

func click(t *testing.T, m Model, x, y int) Model {
	return press(t, m, tea.MouseClickMsg{X: x, Y: y, Button: tea.MouseLeft})
}

func TestClicksFocusWhatIsUnderThePointer(t *testing.T) {
	for _, sz := range [][2]int{{120, 40}, {80, 24}} {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			m := started(t, sz[0], sz[1])
			m = press(t, m, enter) // 401 with a challenge: the picker has focus
			x, y := at(t, m, "Headers")
			if m = click(t, m, x+12, y); m.Focused() != "headers" {
				t.Fatalf("click on the headers focused %s", m.Focused())
			}
			x, y = at(t, m, "GET")
			if m = click(t, m, x+1, y); m.Focused() != "method" {
				t.Fatalf("click on the method focused %s", m.Focused())
			}
			if m = click(t, m, x+20, y); m.Focused() != "url" {
				t.Fatalf("click on the URL focused %s", m.Focused())
			}
			x, y = at(t, m, "API key")
			if m = click(t, m, x, y); m.Focused() != "picker" {
				t.Fatalf("click on a picker row focused %s", m.Focused())
			}
			if o, _ := m.chal.picked(); o.Mode != "apikey" {
				t.Fatalf("click on the API key row picked %q", o.Mode)
			}
			m = press(t, m, up)
			for o, _ := m.chal.picked(); o.Mode != "basic"; o, _ = m.chal.picked() {
				m = press(t, m, up)
			}
			m = press(t, m, enter) // the Basic form
			x, y = at(t, m, "Password")
			if m = click(t, m, x, y); m.Focused() != "form" || m.form.idx != 1 {
				t.Fatalf("click on Password focused %s field %d", m.Focused(), m.form.idx)
			}
			m = press(t, m, keys("wonderland")...)
			x, y = at(t, m, "User")
			m = click(t, m, x+10, y)
			m = press(t, m, keys("alice")...)
			m = press(t, m, tab, enter) // 200
			if m.sess.Last().Status() != 200 {
				t.Fatalf("the form filled by clicks got %d: %s", m.sess.Last().Status(), m.Status())
			}
			if sz[0] < 100 { // the timeline is a tab: its name shows it
				x, y = at(t, m, "Timeline")
				m = click(t, m, x+1, y)
			}
			// The first attempt's row: clicking it shows attempt 1.
			x, y = at(t, m, "  1 ")
			if m = click(t, m, x+2, y); m.Focused() != "timeline" || m.resp.n != 1 {
				t.Fatalf("click on row 1 focused %s showing attempt %d", m.Focused(), m.resp.n)
			}
			if sz[0] < 100 {
				x, y = at(t, m, "Response")
				m = click(t, m, x+1, y)
			}
			x, y = at(t, m, "Response 401")
			if m = click(t, m, x, y); m.Focused() != "response" {
				t.Fatalf("click on the response focused %s", m.Focused())
			}
		})
	}
}

func TestWheelScrollsThePaneUnderThePointer(t *testing.T) {
	u := serve(t, func(w http.ResponseWriter, r *http.Request) {
		for i := range 300 {
			fmt.Fprintf(w, "line %03d\n", i)
		}
	})
	m := New(Options{URL: u})
	m = sized(t, m, 120, 30)
	for range 40 {
		m = press(t, m, enter)
	}
	x, y := at(t, m, "Timeline")
	rows := m.timelineRows()
	before := m.tl.first(rows)
	m = press(t, m, tea.MouseWheelMsg{X: x, Y: y + 1, Button: tea.MouseWheelUp})
	if m.tl.first(rows) != before-1 || m.resp.top != 0 {
		t.Fatalf("wheel over the timeline: first row %d (was %d), response top %d", m.tl.first(rows), before, m.resp.top)
	}
	mustContain(t, screen(m), fmt.Sprintf("%3d ", before)) // the row above came into view
	if m.tl.cursor != 39 {
		t.Fatalf("the wheel moved the selection to %d", m.tl.cursor)
	}
	x, y = at(t, m, "line 000")
	m = press(t, m, tea.MouseWheelMsg{X: x, Y: y, Button: tea.MouseWheelDown})
	if m.resp.top != 3 {
		t.Fatalf("wheel over the response scrolled it to %d, want 3", m.resp.top)
	}
}

func TestWrappedLinesHangUnderTheirText(t *testing.T) {
	st := NewStyles(true)
	for _, c := range []struct {
		line string
		hang int
	}{
		{st.Label.Render("Teaches ") + strings.Repeat("word ", 20), 8},
		{st.Label.Render("Try") + " " + strings.Repeat("word ", 20), 4},
		{st.Finding.Error.Render("  ✗ " + strings.Repeat("word ", 20)), 4},
		{"    → " + strings.Repeat("word ", 20), 6},
	} {
		got := wrapLines([]string{c.line}, 40)
		if len(got) < 2 {
			t.Fatalf("%q not wrapped", c.line)
		}
		for _, l := range got[1:] {
			p := ansi.Strip(l)
			if ansi.StringWidth(l) > 40 || len(p)-len(strings.TrimLeft(p, " ")) != c.hang {
				t.Errorf("%q continues as %q; want it under column %d", ansi.Strip(c.line), p, c.hang)
			}
		}
	}
}

// contrast is the WCAG contrast ratio of two colours.
func contrast(a, b color.Color) float64 {
	lum := func(c color.Color) float64 {
		r, g, b, _ := c.RGBA()
		ch := func(v uint32) float64 {
			x := float64(v) / 0xffff
			if x <= 0.03928 {
				return x / 12.92
			}
			return math.Pow((x+0.055)/1.055, 2.4)
		}
		return 0.2126*ch(r) + 0.7152*ch(g) + 0.0722*ch(b)
	}
	la, lb := lum(a), lum(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

func TestColoursReadOnLightAndDarkBackgrounds(t *testing.T) {
	for _, dark := range []bool{false, true} {
		st := NewStyles(dark)
		bgs := []color.Color{color.White, color.RGBA{0xf0, 0xf0, 0xf0, 0xff}} // white, a grey light theme
		if dark {
			bgs = []color.Color{color.Black, color.RGBA{0x2b, 0x2b, 0x2b, 0xff}}
		}
		for name, s := range map[string]lipgloss.Style{
			"title": st.Title, "focus": st.TitleFocus, "label": st.Label, "muted": st.Muted, "method": st.Method,
			"2xx": st.Status.OK, "3xx": st.Status.Redirect, "4xx": st.Status.ClientErr, "5xx": st.Status.ServerErr,
			"info": st.Finding.Info, "warning": st.Finding.Warning, "error": st.Finding.Error,
			"status": st.Line.Info, "secret": st.Secret, "done": st.Done,
		} {
			for i, bg := range bgs {
				want := []float64{4.5, 3}[i]
				if got := contrast(s.GetForeground(), bg); got < want {
					t.Errorf("dark=%v %s: contrast %.1f on background %d, want %.1f", dark, name, got, i, want)
				}
			}
		}
	}
}

func TestLayoutInBothPalettes(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {120, 40}, {200, 50}} {
		for _, bg := range []color.Color{color.White, color.Black} {
			w, h := sz[0], sz[1]
			t.Run(fmt.Sprintf("%dx%d/%v", w, h, bg), func(t *testing.T) {
				m := started(t, w, h)
				m = press(t, m, tea.BackgroundColorMsg{Color: bg})
				checkFrame(t, m, w, h, "start")
				m = press(t, m, enter)
				checkFrame(t, m, w, h, "challenge")
				mustContain(t, screen(m), "Answer with", "› Basic")
				if w >= 100 {
					mustContain(t, screen(m), "Timeline · 1 attempt")
				} else {
					m = press(t, m, tab) // the timeline's tab
					mustContain(t, screen(m), "   1 ", "/basic · 127.0.0.1:")
					m = press(t, m, shiftTab)
				}
				m = press(t, m, enter)
				m = press(t, m, keys("alice")...)
				m = press(t, m, tab)
				m = press(t, m, keys("wonderland")...)
				m = press(t, m, enter)
				checkFrame(t, m, w, h, "200")

				// An automatic attempt to a long URL: marked, and the URL cut with an ellipsis.
				a := *m.sess.Last()
				ex := *a.Exchange
				rq := *ex.Request
				rq.URL = m.srv.URL + "/digest/" + strings.Repeat("segment/", 30)
				ex.Request, a.Exchange, a.Auto, a.N = &rq, &ex, "nonce went stale", 3
				m.tl.set(append(m.sess.Attempts(), &a))
				for m.Focused() != "timeline" {
					m = press(t, m, tab)
				}
				m = sized(t, m, w, h)
				checkFrame(t, m, w, h, "auto")
				row := line(screen(m), "  3 ")
				if !strings.HasPrefix(strings.TrimLeft(row, " "), "↻  3 ") && !strings.Contains(row, "↻  3 ") {
					t.Errorf("automatic attempt not marked with ↻: %q", row)
				}
				if !strings.Contains(row, "/digest") || !strings.Contains(row, "…") || !strings.Contains(row, "egment/") {
					t.Errorf("long URL not cut in the middle with an ellipsis: %q", row)
				}
				if w >= 120 && !strings.Contains(row, "auto: nonce went stale") {
					t.Errorf("the row does not say why keyhole sent it: %q", row)
				}
			})
		}
	}
}

func TestCutMiddle(t *testing.T) {
	for _, c := range []struct {
		s    string
		w    int
		want string
	}{
		{"http://h/a", 20, "http://h/a"},
		{"http://host:8080/a/b/c/d/e", 15, "http://…b/c/d/e"},
		{"漢字漢字漢字漢字", 9, "漢字…漢字"},
		{"abcdef", 4, "abc…"},
	} {
		got := cutMiddle(c.s, c.w)
		if got != c.want || ansi.StringWidth(got) > c.w {
			t.Errorf("cutMiddle(%q, %d) = %q, want %q", c.s, c.w, got, c.want)
		}
	}
}

// TestComposeCacheDrawsWhatAFreshDrawDoes checks the cached compose block
// against drawing it anew after each kind of change: typing, moving the
// cursor, focus, a resize, a palette switch and a URL longer than its field.
func TestComposeCacheDrawsWhatAFreshDrawDoes(t *testing.T) {
	m := New(Options{URL: "http://127.0.0.1:1/"})
	m = sized(t, m, 120, 40)
	step := func(what string, msgs ...tea.Msg) {
		t.Helper()
		m = press(t, m, msgs...)
		_ = m.View() // fills the cache for the next step to compare against
		got, want := m.compose.view(m.styles, m.focus), m.compose.draw(m.styles, m.focus)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("after %s the cached compose block differs from a fresh draw:\n%s\nwant:\n%s",
				what, ansi.Strip(strings.Join(got, "\n")), ansi.Strip(strings.Join(want, "\n")))
		}
	}
	step("start")
	step("typing in the URL", keys("abc")...)
	step("moving the URL cursor", tea.KeyPressMsg{Code: tea.KeyLeft}, tea.KeyPressMsg{Code: tea.KeyLeft})
	step("focus on the headers", tab)
	if m.Focused() != "headers" {
		t.Fatalf("focus is %s, want headers", m.Focused())
	}
	step("typing headers", keys("X-A: 1")...)
	step("a second header line", append([]tea.Msg{enter}, keys("X-B: 2")...)...)
	for _, h := range []string{"X-C: 3", "X-D: 4", "X-E: 5"} {
		step("more lines than the field shows", append([]tea.Msg{enter}, keys(h)...)...)
	}
	step("scrolling the headers back up", up, up, up, up)
	step("focus on the body", tab)
	step("a narrower terminal", tea.WindowSizeMsg{Width: 70, Height: 20})
	step("a light background", tea.BackgroundColorMsg{Color: color.White})
	step("a URL longer than its field", append([]tea.Msg{shiftTab, shiftTab}, keys(strings.Repeat("/segment", 20))...)...)
	if m.Focused() != "url" {
		t.Fatalf("focus is %s, want url", m.Focused())
	}
	step("moving through the long URL", tea.KeyPressMsg{Code: tea.KeyHome}, tea.KeyPressMsg{Code: tea.KeyRight})
	step("a wider terminal again", tea.WindowSizeMsg{Width: 200, Height: 50})
	mustContain(t, screen(m), "X-A: 1", "segment")
}

// Below 100 columns the explanation, the response and the timeline are
// tabs of one pane: the focused one is shown, and from the request the one
// the moment calls for (the explanation after a 401).
func TestNarrowPanesAreTabs(t *testing.T) {
	m := started(t, 80, 24)
	mustContain(t, screen(m), "Explanation │ Response │ Timeline", "Lesson: Basic authentication", "Credentials", "Teaches", "Try")
	checkFrame(t, m, 80, 24, "nothing sent")
	m = press(t, m, enter)
	if m.Focused() != "picker" {
		t.Fatalf("after the 401 focus is %s, want picker", m.Focused())
	}
	mustContain(t, screen(m), "Answer with", "› Basic", "What the server wants")
	checkFrame(t, m, 80, 24, "picker")
	m = press(t, m, tab)
	if m.Focused() != "timeline" {
		t.Fatalf("focus is %s, want timeline", m.Focused())
	}
	mustContain(t, screen(m), "   1 ", "401 GET     none")
	m = press(t, m, tab)
	mustContain(t, screen(m), "Response 401 Unauthorized")
	checkFrame(t, m, 80, 24, "response")
	// A click on a tab's name shows it.
	m.mouse = true
	x, y := at(t, m, "Timeline")
	if m = click(t, m, x+1, y); m.Focused() != "timeline" {
		t.Errorf("a click on the Timeline tab focused %s", m.Focused())
	}
	m = press(t, m, shiftTab, enter)
	if m.Focused() != "form" {
		t.Fatalf("focus is %s, want form", m.Focused())
	}
	mustContain(t, screen(m), "User", "Password")
	checkFrame(t, m, 80, 24, "form")
	x, y = at(t, m, "Password")
	m = click(t, m, x, y)
	if m.Focused() != "form" || m.form.idx != 1 {
		t.Errorf("a click on Password focused %s, field %d", m.Focused(), m.form.idx)
	}
}

// A short password typed ("wrong") is masked where a server may echo it,
// but not in keyhole's own words: the lessons list keeps "/wrong-resource"
// and "the wrong way" whole.
func TestOwnWordsAreNotMaskedAsSecrets(t *testing.T) {
	m := started(t, 120, 40) // the Basic lesson
	m = sendNow(t, m)
	m = answerWith("basic", "alice", "wrong")(t, m)
	if m.sess.Last().Status() != 401 {
		t.Fatalf("wrong password: %d", m.sess.Last().Status())
	}
	m = press(t, m, tea.KeyPressMsg{Code: 'l', Mod: tea.ModCtrl})
	if m.Overlay() != "lessons" {
		t.Fatalf("ctrl+l opened %q", m.Overlay())
	}
	s := screen(m)
	for _, want := range []string{"/wrong-resource", "the wrong way"} {
		if !strings.Contains(s, want) {
			t.Errorf("the lessons list lost %q to the mask:\n%s", want, s)
		}
	}
}

// A flag is never cut at its hyphens: "keyhole practice --proxy-addr"
// wraps before the flag, not into "--" over "proxy-addr". Hyphens inside
// words still break, and the text comes back unchanged.
func TestWrapKeepsFlagsWhole(t *testing.T) {
	st := NewStyles(true)
	line := st.Label.Render("Try") + " Answer it. With keyhole practice --proxy-addr, go through the proxy; -U alice sends Proxy-Authorization, algorithm=SHA-512-256, from http://h/.well-k/a-b."
	for w := 26; w <= 60; w++ { // from where the longest word fits beside the hang
		got := wrapLines([]string{line}, w)
		var plain []string
		for _, l := range got {
			plain = append(plain, strings.TrimSpace(ansi.Strip(l)))
		}
		for _, l := range plain {
			if strings.HasSuffix(l, "--") || strings.HasSuffix(l, "--proxy-") || strings.HasSuffix(l, " -") || strings.HasSuffix(l, "SHA-") || strings.HasSuffix(l, "512-") || strings.HasSuffix(l, ".well-") || strings.HasSuffix(l, "/a-") {
				t.Errorf("at %d columns a flag is cut: %q", w, strings.Join(plain, " | "))
			}
		}
		if joined := strings.ReplaceAll(strings.Join(plain, " "), "- ", "-"); squeeze(joined) != squeeze(ansi.Strip(line)) {
			t.Errorf("at %d columns the text changed: %q", w, joined)
		}
	}
}

// At 80 columns the help bar drops the focused area's last keys rather than
// cutting the bar at the edge: the all-keys and quit keys stay, in every
// area.
func TestHelpBarKeepsHelpAndQuitAt80(t *testing.T) {
	m := started(t, 80, 24)
	m = sendNow(t, m)
	m = press(t, m, enter) // the form
	seen := map[string]bool{}
	for range int(focusCount) + 2 {
		lines := strings.Split(strings.TrimRight(screen(m), "\n"), "\n")
		bar := strings.TrimSpace(lines[len(lines)-1])
		if strings.HasSuffix(bar, "…") || !strings.Contains(bar, "all keys") || !strings.Contains(bar, "quit") {
			t.Errorf("focus %s: help bar %q", m.Focused(), bar)
		}
		seen[m.Focused()] = true
		m = press(t, m, tab)
	}
	if len(seen) < 3 {
		t.Fatalf("tab reached only %v", seen)
	}
}

// The lesson page shows every step whole, wrapped under its box, at 80x24
// and 120x40, scrolled with ↓: a row cut at the edge lost the end of the
// long ones, and at 80x24 the lesson's text left no room for the steps.
func TestLessonPageShowsEveryStepWhole(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		for _, l := range practice.Lessons() {
			if l.ID != "jwt" && l.ID != "negotiate" {
				continue
			}
			m := lessonByKeys(t, started(t, size[0], size[1]), l.ID)
			m = palette(t, m, "lesson details")
			if m.Overlay() != "lesson" {
				t.Fatalf("the palette opened %q", m.Overlay())
			}
			var read []string
			for range 20 {
				read = append(read, paneRows(m, m.geometry().middle)...)
				m = press(t, m, down)
			}
			s := squeeze(strings.Join(read, " "))
			for _, step := range l.Steps {
				if !strings.Contains(s, squeeze(step)) {
					t.Errorf("%v %s: step not whole on screen: %q\n%s", size, l.ID, step, screen(m))
				}
			}
		}
	}
}

// A URL inside a longer word than the line (a challenge's
// resource_metadata="http://…") breaks after a '/', not at a hyphen of
// ".well-known" nor mid-word.
func TestWrapCutsLongURLsAtSlashes(t *testing.T) {
	l := `  Bearer realm="practice", resource_metadata="http://127.0.0.1:8411/.well-known/oauth-protected-resource/jwt", error="invalid_token"`
	for w := 50; w <= 80; w++ {
		rows := wrapLines([]string{l}, w)
		for _, row := range rows[:len(rows)-1] {
			if r := strings.TrimRight(ansi.Strip(row), " "); !strings.ContainsAny(r[len(r)-1:], `/,"`) {
				t.Errorf("at %d columns cut mid-word: %q", w, r)
			}
		}
	}
}
