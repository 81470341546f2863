package ui

import tea "charm.land/bubbletea/v2"

// wheel scrolls the pane under the pointer: the timeline or the response.
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
	if s := m.spotAt(mo.X, mo.Y); s.f == focusTimeline {
		m.tl.scroll(d, m.timelineRows())
		return
	}
	m.resp.scroll(3 * d)
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
	top := m.compose.Height()
	switch {
	case y < 0:
		return nowhere
	case y == 0 && x >= composeLabel && x < composeLabel+7:
		return spot{focusMethod, -1}
	case y == 0:
		return spot{focusURL, -1}
	case y < 1+m.compose.headers.Height():
		return spot{focusHeaders, -1}
	case y < top:
		return spot{focusBody, -1}
	}
	y -= top + 1 // the rule
	mid := m.middleHeight()
	if y < 0 || y >= mid || m.help.shown {
		return nowhere
	}
	if m.wide {
		switch {
		case x < m.mainW:
			return spot{focusResponse, -1}
		case x < m.mainW+3:
			return nowhere
		}
		if sd := m.side(mid); y < len(sd.spots) {
			return sd.spots[y]
		}
		return nowhere
	}
	if sd := m.side(m.sideHeight(mid)); y < len(sd.spots) {
		return sd.spots[y]
	}
	if m.sideOnly() {
		return nowhere
	}
	return spot{focusResponse, -1}
}

// timelineRows is how many attempt rows the timeline shows now.
func (m Model) timelineRows() int {
	n := 0
	for _, s := range m.side(m.sideHeight(m.middleHeight())).spots {
		if s.f == focusTimeline && s.item >= 0 {
			n++
		}
	}
	return n
}
