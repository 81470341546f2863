package ui

import (
	"strings"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// layout sizes the parts for the terminal and rewraps the body for a new width.
func (m *Model) layout() tea.Cmd {
	m.wide = m.w >= 100
	m.compose.SetSize(m.w, m.h >= 32)
	if m.wide {
		m.sideW = min(m.w*2/5, 80)
		m.mainW = m.w - m.sideW - 3
	} else {
		m.sideW, m.mainW = m.w, m.w
	}
	m.form.SetWidth(m.sideW)
	m.help.SetWidth(m.w)
	mid := m.middleHeight()
	respH := mid
	if !m.wide {
		// Sized for the stacked layout even while the side pane is shown
		// alone: the response is drawn only then.
		respH = mid - len(m.sideLines(mid-m.minResp(mid)))
	}
	oldW := m.resp.width
	m.resp.SetSize(m.mainW, respH)
	if oldW == m.resp.width || m.resp.logic == nil {
		return nil
	}
	// Bodies that came as lines (not as a bodyDoc, which wraps lazily) are
	// rewrapped here; wrap skips lines that fit by their byte length alone.
	m.resp.body = wrap(m.resp.logic, m.resp.width)
	m.resp.clamp()
	return nil
}

func (m Model) middleHeight() int { return max(m.h-m.compose.Height()-3, 1) }

// sideOnly reports whether, on a narrow terminal, the side pane takes the
// response area's place, so that the lesson is seen whole rather than in
// two lines: before anything was sent (the response area would only say
// so), and while the picker or the form has focus, when the lesson, the
// challenge and the form are what the user reads. Tab on to the timeline or
// the response and the response is back; no key is needed for it.
func (m Model) sideOnly() bool {
	return !m.wide && (m.resp.n == 0 || m.focus == focusPicker || m.focus == focusForm)
}

// sideHeight is the lines the side pane gets out of the middle's mid.
func (m Model) sideHeight(mid int) int {
	if m.wide || m.sideOnly() {
		return mid
	}
	return mid - m.minResp(mid)
}

func (m Model) minResp(mid int) int { return max(3, mid/3) }

// spot is what a line of the screen belongs to, for the mouse: an area, and
// in lists the row (picker option, form field or attempt index), else -1.
type spot struct {
	f    focus
	item int
}

// nowhere is a spot no click acts on.
var nowhere = spot{focusCount, -1}

// tagged is lines with the spot of each.
type tagged struct {
	lines []string
	spots []spot
}

func (t *tagged) add(s spot, lines ...string) {
	t.lines = append(t.lines, lines...)
	for range lines {
		t.spots = append(t.spots, s)
	}
}

// cut keeps the first n lines.
func (t *tagged) cut(n, w int) {
	n = max(min(n, len(t.lines)), 0)
	if n > 0 && n < len(t.lines) {
		// Say that more follows: nothing is cut without an ellipsis.
		last := t.lines[n-1]
		if width(last) >= w {
			last = ansi.Truncate(last, max(w-1, 0), "")
		}
		t.lines[n-1] = last + "…"
	}
	t.lines, t.spots = t.lines[:n], t.spots[:n]
}

// wrapped adds lines wrapped to w, each wrapped part with the line's spot.
func (t *tagged) wrapped(w int, s spot, lines ...string) {
	for _, l := range lines {
		t.add(s, wrapLines([]string{l}, w)...)
	}
}

func (m Model) sideLines(h int) []string { return m.side(h).lines }

// side stacks the lesson, challenge, picker, form and timeline into at
// most h lines. The picker and the form are what the user acts on, so they
// are kept whole; then the timeline's first rows, the challenge, the lesson.
func (m Model) side(h int) tagged {
	if h <= 0 {
		return tagged{}
	}
	w := m.sideW
	var act tagged
	for i, l := range m.chal.picker(m.styles, m.focus) {
		act.wrapped(w, spot{focusPicker, i - 1}, l) // line 0 is the title
	}
	if m.chal.active() {
		for i, l := range m.form.view(m.styles, m.focus == focusForm) {
			act.wrapped(w, spot{focusForm, i - 1}, l)
		}
	}
	tlMin := min(3, 1+len(m.tl.attempts))
	act.cut(h-tlMin, w)
	rest := h - len(act.lines)
	var expl tagged
	expl.wrapped(w, spot{focusPicker, -1}, m.chal.explain(m.styles, m.focus)...)
	expl.cut(rest-tlMin, w)
	rest -= len(expl.lines)
	full := m.wide || m.sideOnly()
	lesMax := 2
	switch {
	case m.wide:
		lesMax = max(rest-tlMin-4, 2) // the lesson may use what the timeline does not need
	case full:
		lesMax = max(rest-min(1+len(m.tl.attempts), 6), 2) // the timeline's narrow share, then the lesson
	}
	var out tagged
	les := m.lesson.view(m.styles, 4)
	if !full && len(les) > 0 && m.chal.active() {
		les[0] += m.styles.Muted.Render(" (shown whole while the picker has focus)") // where the rest is
	}
	out.wrapped(w, nowhere, les...)
	out.cut(min(lesMax, rest-tlMin), w)
	rest -= len(out.lines)
	tlH := rest
	if !full {
		tlH = min(rest, 1+len(m.tl.attempts), 6)
	}
	out.lines, out.spots = append(out.lines, expl.lines...), append(out.spots, expl.spots...)
	out.lines, out.spots = append(out.lines, act.lines...), append(out.spots, act.spots...)
	for i, l := range m.tl.view(m.styles, m.focus == focusTimeline, w, tlH) {
		item := -1
		if i > 0 {
			item = m.tl.first(tlH-1) + i - 1
		}
		out.add(spot{focusTimeline, item}, l)
	}
	return out
}

// wrapLines wraps styled lines to w columns. Continuation lines hang under
// the text, not under a label or bullet, so "Teaches" stays apart from what
// it introduces.
func wrapLines(lines []string, w int) []string {
	var out []string
	for _, l := range lines {
		if width(l) <= w {
			out = append(out, l)
			continue
		}
		hang := hangIndent(l, w)
		for i, part := range strings.Split(ansi.Wrap(l, w-hang, ""), "\n") {
			if strings.Contains(part, "\x1b") {
				part += "\x1b[m" // a style cut by the wrap must not run into the padding
			}
			if i > 0 {
				part = strings.Repeat(" ", hang) + strings.TrimLeft(part, " ")
			}
			out = append(out, part)
		}
	}
	return out
}

// hangIndent is the column wrapped text continues at: after a label styled
// apart from its text ("Teaches …"), after a bullet ("✗ …", "→ …"), or
// under the line's own indentation; never more than half the width.
func hangIndent(l string, w int) int {
	plain := ansi.Strip(l)
	lead := len(plain) - len(strings.TrimLeft(plain, " "))
	hang := lead
	label := ""
	if i := strings.Index(l, "\x1b[m"); i >= 0 && strings.TrimSpace(ansi.Strip(l[i:])) != "" {
		label = ansi.Strip(l[:i])
		if !strings.HasSuffix(label, " ") && strings.HasPrefix(l[i+3:], " ") {
			label += " "
		}
	}
	if strings.HasSuffix(label, " ") && !strings.Contains(label, ". ") {
		hang = width(label)
	} else {
		for _, b := range []string{"✗ ", "→ ", "! ", "· ", "› ", "- ", "• "} {
			if strings.HasPrefix(plain[lead:], b) {
				hang = lead + width(b)
			}
		}
	}
	if hang > w/2 {
		return min(lead, w/2)
	}
	return hang
}

// View draws the whole screen.
func (m Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "keyhole"
	return v
}

func (m Model) render() string {
	w, h := max(m.w, 10), max(m.h, 5)
	lines := m.compose.view(m.styles, m.focus)
	// The rule names the focused area: the response pane has no title of its own to underline.
	rule := "─── " + m.Focused() + " "
	if m.sending {
		rule += "── " + m.spin.View() + " sending (esc cancels) "
	}
	lines = append(lines, m.styles.Muted.Render(rule+strings.Repeat("─", max(w-ansi.StringWidth(rule), 0))))
	mid := m.middleHeight()
	switch {
	case m.help.shown:
		lines = append(lines, fit(m.help.overlay(m.styles, m.keys, w, mid), w, mid)...)
	case m.wide:
		lines = append(lines, hjoin(fit(m.responseLines(), m.mainW, mid), m.mainW, fit(m.sideLines(mid), m.sideW, mid))...)
	case m.sideOnly():
		lines = append(lines, fit(m.sideLines(mid), w, mid)...)
	default:
		side := m.sideLines(mid - m.minResp(mid))
		lines = append(lines, fit(side, w, len(side))...)
		lines = append(lines, fit(m.responseLines(), w, mid-len(side))...)
	}
	st := m.styles.Line.Info
	if m.statusErr {
		st = m.styles.Line.Error
	}
	lines = append(lines, st.Render(ansi.Truncate(m.status, w, "…")))
	lines = append(lines, m.help.short(focusedHelp{m.keys, m.focus, m.sending}))
	return strings.Join(fit(lines, w, h), "\n")
}

func (m Model) responseLines() []string {
	if m.resp.n == 0 {
		t := m.styles.Title
		if m.focus == focusResponse {
			t = m.styles.TitleFocus
		}
		return []string{t.Render("Response"), m.styles.Muted.Render("Nothing sent yet.")}
	}
	return m.resp.view()
}

// fit makes exactly h lines, each cut to w columns with an ellipsis and padded.
func fit(lines []string, w, h int) []string {
	out := make([]string, h)
	for i := range out {
		if i >= len(lines) {
			out[i] = strings.Repeat(" ", w)
			continue
		}
		l := lines[i]
		lw := width(l)
		if lw > w {
			l = ansi.Truncate(l, w, "…")
			lw = ansi.StringWidth(l)
		}
		out[i] = l + strings.Repeat(" ", max(w-lw, 0))
	}
	return out
}

func pad(s string, w int) string {
	if d := w - width(s); d > 0 {
		return s + strings.Repeat(" ", d)
	}
	return s
}

// width is ansi.StringWidth, answered without grapheme segmentation for the
// lines a frame is made of: printable ASCII, colour sequences and the few
// one-column symbols keyhole draws. Segmenting every line of every frame was
// half of a frame's time; anything else is measured the thorough way.
func width(s string) int {
	n := 0
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c >= 0x20 && c < 0x7f:
			n++
			i++
		case c == 0x1b && i+1 < len(s) && s[i+1] == '[':
			j := i + 2
			for j < len(s) && s[j] >= 0x20 && s[j] < 0x40 {
				j++ // parameters and intermediates
			}
			if j == len(s) || s[j] < 0x40 || s[j] > 0x7e {
				return ansi.StringWidth(s) // not a whole CSI sequence
			}
			i = j + 1
		case c >= 0x80:
			r, size := utf8.DecodeRuneInString(s[i:])
			if !narrow(r) {
				return ansi.StringWidth(s)
			}
			n++
			i += size
		default:
			return ansi.StringWidth(s)
		}
	}
	return n
}

// narrow reports whether r is a symbol or letter keyhole draws that takes one
// column and never combines with what follows (combining marks are not here).
func narrow(r rune) bool {
	return r >= 0xa0 && r <= 0x24f && r != 0xad || // Latin-1 and Latin Extended letters, · (not the soft hyphen)
		r >= 0x2010 && r <= 0x2027 || // dashes, quotes, …
		r >= 0x2190 && r <= 0x21ff || // arrows: → ↻ ↑ ↓
		r >= 0x2500 && r <= 0x257f || // box drawing: ─ │
		r == 0x203a || r == 0x2713 || r == 0x2717 || r == 0x2022 // › ✓ ✗ •
}

// hjoin puts two columns of fitted lines side by side.
func hjoin(left []string, lw int, right []string) []string {
	out := make([]string, len(left))
	for i := range left {
		r := ""
		if i < len(right) {
			r = right[i]
		}
		out[i] = pad(left[i], lw) + " │ " + r
	}
	return out
}
