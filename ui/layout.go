package ui

import (
	"strings"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// layout sizes the parts for the terminal; a body wider than a new width is
// rewrapped in a Cmd when it is big.
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
		respH = mid - len(m.sideLines(mid-m.minResp(mid)))
	}
	oldW := m.resp.width
	m.resp.SetSize(m.mainW, respH)
	if oldW == m.resp.width || m.resp.logic == nil {
		return nil
	}
	if len(m.resp.logic) < 20000 {
		m.resp.body = wrap(m.resp.logic, m.resp.width)
		m.resp.clamp()
		return nil
	}
	m.bodyGen++
	gen, width, logic := m.bodyGen, m.resp.width, m.resp.logic
	return func() tea.Msg { return bodyMsg{gen: gen, logic: logic, wrapped: wrap(logic, width)} }
}

func (m Model) middleHeight() int { return max(m.h-m.compose.Height()-3, 1) }

func (m Model) minResp(mid int) int { return max(3, mid/3) }

// sideLines stacks the lesson, challenge, picker, form and timeline into at
// most h lines. The picker and the form are what the user acts on, so they
// are kept whole; then the timeline's first rows, the challenge, the lesson.
func (m Model) sideLines(h int) []string {
	if h <= 0 {
		return nil
	}
	w := m.sideW
	act := m.chal.picker(m.styles, m.focus)
	if m.chal.active() {
		act = append(act, m.form.view(m.styles, m.focus == focusForm)...)
	}
	act = wrapLines(act, w)
	tlMin := min(3, 1+len(m.tl.attempts))
	act = act[:min(len(act), max(h-tlMin, 0))]
	rest := h - len(act)
	expl := wrapLines(m.chal.explain(m.styles, m.focus), w)
	expl = expl[:min(len(expl), max(rest-tlMin, 0))]
	rest -= len(expl)
	lesMax := 2
	if m.wide {
		lesMax = max(rest-tlMin-4, 2) // the lesson may use what the timeline does not need
	}
	les := wrapLines(m.lesson.view(m.styles, 4), w)
	les = les[:min(len(les), max(min(lesMax, rest-tlMin), 0))]
	rest -= len(les)
	tlH := rest
	if !m.wide {
		tlH = min(rest, 1+len(m.tl.attempts), 6)
	}
	out := append(les, expl...)
	out = append(out, act...)
	return append(out, m.tl.view(m.styles, m.focus == focusTimeline, w, tlH)...)
}

// wrapLines wraps styled lines to w columns, indenting the continuation.
func wrapLines(lines []string, w int) []string {
	var out []string
	for _, l := range lines {
		if ansi.StringWidth(l) <= w {
			out = append(out, l)
			continue
		}
		out = append(out, strings.Split(ansi.Wrap(l, w, ""), "\n")...)
	}
	return out
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
