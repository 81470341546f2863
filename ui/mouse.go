package ui

import tea "charm.land/bubbletea/v2"

// toggleMouse captures the mouse or gives it back to the terminal. Off by
// default: a captured mouse cannot select text to copy; most terminals
// still send the wheel as arrow keys, which scroll the focused pane.
func (m *Model) toggleMouse() {
	m.mouse = !m.mouse
	if m.mouse {
		m.info("Mouse on: clicks focus, the wheel scrolls the pane under the pointer; shift+drag selects text in most terminals. f6 turns it off.")
	} else {
		m.info("Mouse off: the terminal selects text again; the wheel scrolls where the terminal sends it as arrow keys. f6 turns it on.")
	}
}

// wheel scrolls the pane under the pointer.
func (m *Model) wheel(msg tea.MouseWheelMsg) {
	mo := msg.Mouse()
	d := 0
	switch mo.Button {
	case tea.MouseWheelUp:
		d = -1
	case tea.MouseWheelDown:
		d = 1
	default:
		return
	}
	g := m.geometry()
	switch {
	case g.timeline.has(mo.X, mo.Y):
		m.tl.scroll(d, m.timelineRows())
	case g.explain.has(mo.X, mo.Y):
		m.explTop = max(m.explTop+3*d, 0) // layout keeps it in range
	default:
		m.resp.scroll(3 * d)
	}
}

// click focuses the area under the pointer; on a list row it also moves the
// cursor there, and on a timeline row shows that attempt.
func (m *Model) click(msg tea.MouseClickMsg) tea.Cmd {
	mo := msg.Mouse()
	if mo.Button != tea.MouseLeft || m.help.shown {
		return nil
	}
	s := m.spotAt(mo.X, mo.Y)
	if s.f == focusCount || !m.available(s.f) {
		return nil
	}
	m.setFocus(s.f)
	switch {
	case s.f == focusPicker && s.item >= 0 && s.item < len(m.chal.opts):
		m.chal.cursor = s.item
	case s.f == focusForm && s.item >= 0 && s.item < len(m.form.fields):
		m.form.focus(s.item)
	case s.f == focusTimeline && s.item >= 0 && s.item < len(m.tl.attempts):
		m.tl.pick(s.item)
		return m.showSelected()
	}
	return nil
}

// spotAt says what the cell at x, y shows, computed the way render lays
// the screen out.
func (m Model) spotAt(x, y int) spot {
	g := m.geometry()
	if m.help.shown {
		return nowhere
	}
	switch {
	case g.request.has(x, y):
		return m.composeSpot(x-g.request.x-2, y-g.request.y-1)
	case g.tab != paneNone && y == g.middle.y:
		return m.tabAt(x - g.middle.x - 3)
	case g.explain.has(x, y):
		row := y - g.explain.y - 1
		if row < 0 || row >= g.explain.innerH() {
			return nowhere
		}
		t := m.explanation(g.explain.innerW())
		top := max(min(m.explTop, len(t.lines)-g.explain.innerH()), 0)
		if top+row < len(t.spots) {
			return t.spots[top+row]
		}
		return nowhere
	case g.response.has(x, y):
		return spot{focusResponse, -1}
	case g.timeline.has(x, y):
		row := y - g.timeline.y - 1
		rows := g.timeline.innerH()
		if row < 0 || row >= rows {
			return spot{focusTimeline, -1}
		}
		if i := m.tl.first(rows) + row; i < len(m.tl.attempts) {
			return spot{focusTimeline, i}
		}
		return spot{focusTimeline, -1}
	}
	return nowhere
}

// composeSpot is what the request pane shows at column x, row y of its text.
func (m Model) composeSpot(x, y int) spot {
	switch {
	case y < 0 || y >= m.compose.Height():
		return spot{focusURL, -1}
	case y == 0 && x >= composeLabel && x < composeLabel+7:
		return spot{focusMethod, -1}
	case y == 0:
		return spot{focusURL, -1}
	case y < 1+m.compose.headers.Height():
		return spot{focusHeaders, -1}
	}
	return spot{focusBody, -1}
}

// tabAt is the tab under column x of the shared box's top edge.
func (m Model) tabAt(x int) spot {
	at := 0
	for _, p := range []pane{paneExplain, paneResponse, paneTimeline} {
		n := len([]rune(paneTitles[p]))
		if x >= at && x < at+n {
			switch p {
			case paneExplain:
				if m.chal.active() {
					return spot{focusPicker, -1}
				}
				return spot{focusExplain, -1}
			case paneResponse:
				return spot{focusResponse, -1}
			}
			return spot{focusTimeline, -1}
		}
		at += n + 3 // " │ "
	}
	return nowhere
}

// timelineRows is how many attempt rows the timeline shows now.
func (m Model) timelineRows() int {
	g := m.geometry()
	if g.timeline.h == 0 {
		return 0
	}
	return g.timeline.innerH()
}
