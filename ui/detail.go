package ui

import (
	"errors"
	"fmt"
)

// openDetail shows the attempt in the response pane whole: every header
// unabridged (the pane cuts long ones at its edge) and what keyhole makes of
// it, wrapped to the screen's width.
func (m *Model) openDetail() {
	a := m.shown()
	if a == nil {
		m.fail(errors.New("no attempt to show yet; send a request first"))
		return
	}
	o := overlay{kind: ovDetail, title: fmt.Sprintf("Attempt %d whole", a.N), hint: "↑/↓ scroll, esc closes"}
	o.head = append(o.head, headLines(a, m.styles, m.reveal)...)
	o.head = append(o.head, "")
	o.head = append(o.head, explain(m.styles, a, challenges{})...)
	m.openOverlay(o)
}
