// Package ui is keyhole's terminal interface: one Bubble Tea model over a session.
package ui

import tea "charm.land/bubbletea/v2"

// Options say what the TUI opens on.
type Options struct {
	URL      string // the request URL; "" opens the practice lesson
	Practice bool   // start the in-process practice server
	Lesson   string // with Practice: the ID of the lesson to open (practice.Lesson.ID); "" is the first
}

// Run runs the TUI until the user quits.
func Run(o Options) error {
	// 120 frames a second (Bubble Tea's most; its default is 60): the first
	// frame and every keystroke wait for the next tick, so this halves that wait.
	final, err := tea.NewProgram(New(o), tea.WithFPS(120)).Run()
	if m, ok := final.(Model); ok {
		m.Close()
	}
	return err
}
