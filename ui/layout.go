package ui

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// layout sizes the parts for the terminal and the moment, rewraps the body
// for a new width, and keeps the explanation pane's scroll in range.
func (m *Model) layout() tea.Cmd {
	// The headers and body fields grow while typed in, when there is room.
	m.compose.SetSize(max(m.w, 10)-4, m.h >= 32 && (m.focus == focusHeaders || m.focus == focusBody))
	g := m.geometry()
	if m.explFor != m.resp.n {
		// A new attempt is read from its top, its picker cursor in sight.
		m.explFor, m.explTop, m.sight, m.search.line = m.resp.n, 0, -1, -1
	}
	ew := g.explain.innerW()
	if g.explain.h == 0 {
		ew = max(m.w, 10) - 4 // the tab is not shown; size it as it will be
	}
	m.form.SetWidth(ew)
	m.help.SetWidth(max(m.w, 10))
	if g.explain.h > 0 {
		m.keepInSight(m.explanation(ew), g.explain.innerH())
	}
	rb := g.response
	if rb.h == 0 {
		rb = g.middle // the response's tab, for when it is shown
	}
	oldW := m.resp.width
	m.resp.SetSize(rb.innerW(), rb.innerH())
	if oldW == m.resp.width || m.resp.logic == nil {
		return nil
	}
	// Bodies that came as lines (not as a bodyDoc, which wraps lazily) are
	// rewrapped here; wrap skips lines that fit by their byte length alone.
	m.resp.body = wrap(m.resp.logic, m.resp.width)
	m.resp.clamp()
	return nil
}

// middleHeight is the lines an overlay's page gets.
func (m Model) middleHeight() int { return m.geometry().middle.innerH() }

// pageWidth is the columns an overlay's page gets.
func (m Model) pageWidth() int { return max(m.w, 10) - 4 }

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

// wrapped adds lines wrapped to w, each wrapped part with the line's spot.
func (t *tagged) wrapped(w int, s spot, lines ...string) {
	for _, l := range lines {
		t.add(s, wrapLines([]string{l}, w)...)
	}
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
		for i, part := range strings.Split(wrapKeepingFlags(l, w-hang), "\n") {
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

// wrapKeepingFlags is ansi.Wrap, which breaks after every hyphen, except
// inside a command-line flag or a URL, or before a digit: "keyhole
// practice --proxy-addr" does not become "keyhole practice --" over
// "proxy-addr", nor "algorithm=SHA-" over "256", nor a URL "/.well-" over
// "known/…". Those hyphens are hidden from the wrap as non-breaking hyphens
// (U+2011), then put back. A URL in a word wider than the line is cut at
// its own boundaries instead, by the response pane's rule (urlBreak): the
// '/', '?' and '&' it may be cut after are given to the wrap as
// breakpoints, look-alikes that are then put back.
func wrapKeepingFlags(l string, w int) string {
	if strings.ContainsAny(l, standIns) || !strings.ContainsAny(l, "-/") {
		return ansi.Wrap(l, w, "")
	}
	var b strings.Builder
	last := 0
	for _, ix := range unbroken().FindAllStringIndex(l, -1) {
		f := l[ix[0]:ix[1]]
		if strings.Contains(f, "://") && ansi.StringWidth(wordAround(l, ix[0], ix[1])) > w {
			f = markURLBreaks(f)
		}
		b.WriteString(l[last:ix[0]])
		b.WriteString(strings.ReplaceAll(f, "-", string(nbHyphen)))
		last = ix[1]
	}
	b.WriteString(l[last:])
	return putBack.Replace(ansi.Wrap(b.String(), w, urlBreakpoints))
}

// The one-column look-alikes of what the wrap must see differently: a
// hyphen it must not break after, and a URL's '/', '?' and '&' it may.
const (
	nbHyphen       = '\u2011'
	urlBreakpoints = "\u2044\u203d\u214b"
	standIns       = string(nbHyphen) + urlBreakpoints
)

var (
	urlStandIn = map[rune]rune{'/': '\u2044', '?': '\u203d', '&': '\u214b'}
	putBack    = strings.NewReplacer("\u2011", "-", "\u2044", "/", "\u203d", "?", "\u214b", "&")
)

// markURLBreaks turns each '/', '?' or '&' of url a row may end after into
// its stand-in.
func markURLBreaks(url string) string {
	rs := []rune(url)
	out := slices.Clone(rs)
	for i := 1; i <= len(rs); i++ {
		if urlBreak(rs, i) {
			out[i-1] = urlStandIn[rs[i-1]]
		}
	}
	return string(out)
}

// wordAround widens l[i:j] to the spaces around it: the word the wrap sees.
func wordAround(l string, i, j int) string {
	for i > 0 && l[i-1] != ' ' {
		i--
	}
	for j < len(l) && l[j] != ' ' {
		j++
	}
	return l[i:j]
}

// unbroken is a flag after a space or an opening parenthesis (-U,
// --proxy-addr), a URL (http://…/.well-known/oauth-protected-resource, also
// inside a longer word: resource_metadata="http://…"), or a hyphen before
// a digit (SHA-256, UTF-8). It is compiled on first use, not while the
// program starts.
var unbroken = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?:^|[\s(])--?[A-Za-z0-9][A-Za-z0-9-]*|https?://[^\s'"]*|-[0-9]`)
})

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

// View draws the whole screen. The mouse is captured only when the user
// asks (f6), so text can be selected as in any terminal program; most
// terminals still turn the wheel into arrow keys in the alternate screen.
func (m Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	if m.mouse {
		v.MouseMode = tea.MouseModeCellMotion
	}
	v.WindowTitle = "keyhole"
	return v
}

func (m Model) render() string {
	w, h := max(m.w, 10), max(m.h, 5)
	g := m.geometry()
	st := m.styles
	lines := make([]string, 0, h)
	reqTitle := st.paneTitle("Request", paneOf(m.focus) == paneRequest)
	if m.sending {
		reqTitle += " " + st.Muted.Render(m.spin.View()+" sending (esc cancels)")
	}
	lines = append(lines, st.frame(m.compose.view(st, m.focus), w, g.request.h, reqTitle, "", paneOf(m.focus) == paneRequest)...)
	if m.help.shown {
		page := st.frame(wrapLines(m.help.overlay(st, m.keys, g.middle.innerW(), g.middle.innerH()), g.middle.innerW()), w, g.middle.h, "", "", true)
		if !ownWords(m.ov.kind) {
			page = m.scrubbed(page)
		}
		lines = append(lines, page...)
	} else {
		var blocks [][]string
		var widths []int
		for _, p := range []pane{paneExplain, paneResponse} {
			if b := g.boxOf(p); b.h > 0 && b.y == g.middle.y {
				blocks, widths = append(blocks, m.scrubbedPane(p, m.paneLines(p, b, g))), append(widths, b.w)
			}
		}
		if g.timeline.h > 0 && g.timeline.y == g.middle.y {
			blocks, widths = append(blocks, m.scrubbed(m.paneLines(paneTimeline, g.timeline, g))), append(widths, g.timeline.w)
		}
		lines = append(lines, beside(blocks, widths)...)
		if g.timeline.h > 0 && g.timeline.y > g.middle.y {
			lines = append(lines, m.scrubbed(m.paneLines(paneTimeline, g.timeline, g))...)
		}
	}
	lines = append(lines, m.scrubbed(m.statusLines(w))...)
	lines = append(lines, m.help.short(focusedHelp{m.keys, m.focus, m.sending}))
	return strings.Join(fit(lines, w, h), "\n")
}

// ownWords reports whether overlay k shows keyhole's own words only (keys,
// actions, lessons): nothing a server echoed is there to mask, and a short
// secret typed ("wrong") must not mask a lesson's title ("wrong-resource").
func ownWords(k ovKind) bool {
	switch k {
	case ovHelp, ovPalette, ovLessons, ovLesson:
		return true
	}
	return false
}

// beside joins blocks of lines left to right, each padded to its width.
func beside(blocks [][]string, widths []int) []string {
	if len(blocks) == 1 {
		return blocks[0]
	}
	var out []string
	for i := range blocks[0] {
		var b strings.Builder
		for k, bl := range blocks {
			l := ""
			if i < len(bl) {
				l = bl[i]
			}
			b.WriteString(pad(l, widths[k]))
		}
		out = append(out, b.String())
	}
	return out
}

// paneLines draws pane p framed in b.
func (m Model) paneLines(p pane, b box, g geometry) []string {
	st := m.styles
	on := paneOf(m.focus) == p
	iw, ih := b.innerW(), b.innerH()
	var body []string
	extra, foot := "", ""
	switch p {
	case paneExplain:
		t := m.explanation(iw)
		top := max(min(m.explTop, len(t.lines)-ih), 0)
		body = t.lines[top:min(top+ih, len(t.lines))]
		foot = scrollFoot(st, top, ih, len(t.lines))
		if a := m.shown(); a != nil && a.Status() != 0 {
			extra = fmt.Sprint(a.Status())
		}
		if m.lesson.active {
			// The lesson's lines are at the pane's end, out of sight under
			// a picker and a form: its count stays in the frame.
			extra = strings.TrimPrefix(extra+" · lesson "+m.lesson.progress(), " · ")
		}
	case paneResponse:
		body = m.responseLines()
		if m.resp.n != 0 {
			extra = fmt.Sprintf("attempt %d", m.resp.n)
		}
		foot = scrollFoot(st, m.resp.top, m.resp.height, m.resp.total())
		if m.search.typing {
			foot = st.TitleFocus.Render("/"+safeLine(m.search.query)) + "▏"
		}
	case paneTimeline:
		rows := ih
		body = m.tl.view(st, iw, rows)
		extra = count(len(m.tl.attempts), "attempt")
		if len(m.tl.attempts) > 0 {
			foot = scrollFoot(st, m.tl.first(rows), rows, len(m.tl.attempts))
		}
	}
	title := st.paneTitle(paneTitles[p], on)
	if extra != "" {
		title += st.Muted.Render(" · " + extra)
	}
	if g.tab != paneNone {
		title = m.tabs(p) // the frame's own details go to its bottom edge
		if extra != "" && foot != "" {
			foot = st.Muted.Render(extra+" · ") + foot
		} else if extra != "" {
			foot = st.Muted.Render(extra)
		}
	}
	return st.frame(body, b.w, b.h, title, foot, on)
}

// responseLines draws the response rows on screen: the head as is, body
// rows coloured by their syntax (or with the search's matches marked).
func (m Model) responseLines() []string {
	if m.resp.n == 0 {
		return []string{m.styles.Muted.Render("Nothing sent yet.")}
	}
	r := &m.resp
	syn := syntax("")
	if a := m.shown(); a != nil && a.Exchange != nil && a.Exchange.Response != nil {
		d := r.shownDoc()
		syn = syntaxOf(a.Exchange.Response.Header.Get("Content-Type"), d != nil && d.json)
	}
	out := make([]string, 0, r.height)
	for i := r.top; i < r.total() && len(out) < r.height; i++ {
		l := r.line(i)
		if i >= len(r.head) {
			if s, ok := m.search.marked(m.styles, l); ok {
				l = s
			} else if m.hl != nil {
				l = m.hl.highlight(m.styles, syn, l)
			}
		}
		out = append(out, l)
	}
	if r.note != "" && len(out) < r.height {
		out = append(out, r.note)
	}
	return out
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
			for j < len(s) && s[j] >= 0x30 && s[j] < 0x40 {
				j++ // parameters
			}
			for j < len(s) && s[j] >= 0x20 && s[j] < 0x30 {
				j++ // intermediates, which only parameters may precede
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
