// Package ui is keyhole's terminal interface: one Bubble Tea model over a session.
package ui

import "errors"

// Options say what the TUI opens on.
type Options struct {
	URL      string // the request URL; "" opens the practice lesson
	Practice bool   // start the in-process practice server
}

// Run runs the TUI until the user quits.
func Run(o Options) error { return errors.New("ui: not built yet") }
