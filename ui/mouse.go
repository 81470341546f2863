package ui

import tea "charm.land/bubbletea/v2"

// wheel scrolls the response pane.
func (m *Model) wheel(msg tea.MouseWheelMsg) {
	switch msg.Mouse().Button {
	case tea.MouseWheelUp:
		m.resp.scroll(-3)
	case tea.MouseWheelDown:
		m.resp.scroll(3)
	}
}

// click focuses the area under the pointer.
func (m *Model) click(msg tea.MouseClickMsg) tea.Cmd { return nil }
