package ui

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"keyhole/session"
)

// box is a pane's place on the screen, its frame included.
type box struct{ x, y, w, h int }

func (b box) has(x, y int) bool { return b.h > 0 && x >= b.x && x < b.x+b.w && y >= b.y && y < b.y+b.h }

// inner is the text area inside the frame: a column of padding each side.
func (b box) innerW() int { return max(b.w-4, 1) }
func (b box) innerH() int { return max(b.h-2, 1) }

// pane names a framed area.
type pane int

const (
	paneNone pane = iota
	paneRequest
	paneExplain
	paneResponse
	paneTimeline
)

var paneTitles = [...]string{"", "Request", "Explanation", "Response", "Timeline"}

// geometry is where each pane goes for the terminal's size and the moment.
// A pane not shown has a zero box. Below 100 columns the explanation, the
// response and the timeline share one box as tabs, the one shown being tab.
type geometry struct {
	request, explain, response, timeline box
	middle                               box // under the request: where overlays go
	tab                                  pane
	status                               int // lines of the status message
}

// boxOf is the box of pane p.
func (g geometry) boxOf(p pane) box {
	switch p {
	case paneRequest:
		return g.request
	case paneExplain:
		return g.explain
	case paneResponse:
		return g.response
	case paneTimeline:
		return g.timeline
	}
	return box{}
}

// paneOf is the pane an area of focus lives in.
func paneOf(f focus) pane {
	switch f {
	case focusMethod, focusURL, focusHeaders, focusBody:
		return paneRequest
	case focusExplain, focusPicker, focusForm:
		return paneExplain
	case focusTimeline:
		return paneTimeline
	case focusResponse:
		return paneResponse
	}
	return paneNone
}

// explainFirst reports whether the moment is the explanation's: nothing sent
// yet (it holds the lesson), a challenge to answer, an attempt that failed
// or one keyhole warns about (a login page where a 401 was expected). After
// a success the body is what the user came for.
func (m Model) explainFirst() bool {
	a := m.shown()
	if a == nil || m.chal.active() {
		return true
	}
	st := a.Status()
	if st < 200 || st >= 400 {
		return true
	}
	for _, f := range a.Findings {
		if f.Severity != session.Info { // a login page instead of a 401 is a warning
			return true
		}
	}
	return false
}

// statusLines is the status message wrapped to the width, at most four lines.
func (m Model) statusLines(w int) []string {
	st := m.styles.Line.Info
	if m.statusErr {
		st = m.styles.Line.Error
	}
	lines := wrapLines([]string{st.Render(m.status)}, w)
	if len(lines) > 4 { // the explanation says the rest
		lines = lines[:4]
		lines[3] = ansi.Truncate(lines[3], w-1, "") + "…"
	}
	if len(lines) == 0 {
		lines = []string{""}
	}
	return lines
}

// geometry lays the panes out. The request is on top; under it, on a wide
// terminal, the explanation and the response side by side over the
// timeline, the explanation wider when the moment is its own.
func (m Model) geometry() geometry {
	w, h := max(m.w, 10), max(m.h, 5)
	var g geometry
	g.status = len(m.statusLines(w))
	g.request = box{0, 0, w, m.compose.Height() + 2}
	top := g.request.h
	rest := max(h-top-g.status-1, 3) // the help bar is the last line
	g.middle = box{0, top, w, rest}
	if m.help.shown {
		return g
	}
	if w < 100 {
		g.tab = m.tabShown()
		switch g.tab {
		case paneExplain:
			g.explain = g.middle
		case paneResponse:
			g.response = g.middle
		case paneTimeline:
			g.timeline = g.middle
		}
		return g
	}
	rows := min(max(len(m.tl.attempts), 1), max(3, rest/6))
	tlH := rows + 2
	if rest-tlH < 8 {
		tlH = min(3, rest-3)
	}
	g.timeline = box{0, top + rest - tlH, w, tlH}
	midH := rest - tlH
	ew := w / 3
	if m.explainFirst() {
		ew = w * 11 / 20
	}
	g.explain = box{0, top, ew, midH}
	g.response = box{ew, top, w - ew, midH}
	return g
}

// tabShown is the pane shown below 100 columns: the focused one, or from the
// request the one the moment calls for.
func (m Model) tabShown() pane {
	if p := paneOf(m.focus); p != paneRequest {
		return p
	}
	if m.explainFirst() {
		return paneExplain
	}
	return paneResponse
}

// frame draws lines in a rounded frame of w×h with title in its top edge
// and foot in its bottom edge; the focused pane's frame is in the accent
// colour. Lines are cut to fit (panes wrap what must be read whole).
func (st Styles) frame(lines []string, w, h int, title, foot string, on bool) []string {
	b := lipgloss.RoundedBorder()
	edge := st.edge
	if on {
		edge = st.edgeOn
	}
	iw := max(w-4, 1)
	out := make([]string, 0, h)
	out = append(out, edgeLine(edge, b.TopLeft, b.Top, b.TopRight, title, w))
	side := edge.paint(b.Left) + " "
	right := " " + edge.paint(b.Right)
	for _, l := range fit(lines, iw, max(h-2, 0)) {
		out = append(out, side+l+right)
	}
	out = append(out, edgeLine(edge, b.BottomLeft, b.Bottom, b.BottomRight, foot, w))
	return out[:min(len(out), h)]
}

// sgrPair is the colour sequences a style puts around text, taken once so that
// frames, drawn every frame, do not go through lipgloss line by line.
type sgrPair struct{ open, close string }

func sgrOf(s lipgloss.Style) sgrPair {
	r := s.Render("x")
	i := strings.Index(r, "x")
	return sgrPair{r[:i], r[i+1:]}
}

func (e sgrPair) paint(s string) string { return e.open + s + e.close }

// edgeLine is a frame's top or bottom edge with label set into it.
func edgeLine(edge sgrPair, left, fill, right, label string, w int) string {
	if w < 2 {
		return edge.paint(strings.Repeat(fill, max(w, 0)))
	}
	lw := width(label)
	if lw > w-6 {
		label = ansi.Truncate(label, max(w-7, 0), "…")
		lw = width(label)
	}
	if lw == 0 {
		return edge.paint(left + strings.Repeat(fill, w-2) + right)
	}
	return edge.paint(left+fill) + " " + label + " " + edge.paint(strings.Repeat(fill, max(w-lw-5, 0))+right)
}

// title styles a pane's title for its frame.
func (st Styles) paneTitle(s string, on bool) string {
	if on {
		return st.FrameTitleFocus.Render(s)
	}
	return st.FrameTitle.Render(s)
}

// tabs is the top edge's label of the shared box below 100 columns: every
// pane's name, the shown one styled as a title.
func (m Model) tabs(shown pane) string {
	var parts []string
	for _, p := range []pane{paneExplain, paneResponse, paneTimeline} {
		name := paneTitles[p]
		if p == shown {
			parts = append(parts, m.styles.paneTitle(name, paneOf(m.focus) == p))
			continue
		}
		parts = append(parts, m.styles.Muted.Render(name))
	}
	return strings.Join(parts, m.styles.Muted.Render(" │ "))
}

// scrollFoot says where a scrolled view stands: "12–34 of 80".
func scrollFoot(st Styles, top, h, total int) string {
	if total <= h {
		return ""
	}
	return st.Muted.Render(fmt.Sprintf("%d–%d of %d", top+1, min(top+h, total), total))
}
