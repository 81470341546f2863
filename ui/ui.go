// Package ui is keyhole's terminal interface: one Bubble Tea model over a session.
package ui

import (
	"os"
	"os/signal"
	"syscall"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"keyhole/httpclient"
	"keyhole/session"
)

// Options say what the TUI opens on.
type Options struct {
	URL      string // the request URL; "" opens the practice lesson
	Practice bool   // start the in-process practice server
	Lesson   string // with Practice: the ID of the lesson to open (practice.Lesson.ID); "" is the first
	// PracticeTLS serves the practice server over https with its own CA,
	// which the client then trusts, so the /mtls lesson can be done (f9).
	PracticeTLS bool
	// Curl is a curl command to start from (keyhole --curl '...'): its method,
	// URL, headers, body and credentials fill the request.
	Curl string
	// Requests are the requests of an .http file (keyhole api.http); the TUI
	// opens on a list of them to pick from.
	Requests []session.NamedRequest
	// ProgressFile keeps the lessons' progress across runs; "" keeps none.
	// Run sets it to the XDG state file when it is empty.
	ProgressFile string
}

// Run runs the TUI until the user quits.
func Run(o Options) error {
	if o.ProgressFile == "" {
		o.ProgressFile = progressPath()
	}
	termProfile = lipgloss.Writer.Profile
	release := holdGC()
	defer release()
	first := build(func() Model { return New(o) }, release)
	// 120 frames a second (Bubble Tea's most; its default is 60): the first
	// frame and every keystroke wait for the next tick, so this halves that wait.
	// The colour profile lipgloss detected when it loaded: Bubble Tea would
	// detect it again, and under tmux each detection runs "tmux info". The
	// TUI's colours are made in it (see termProfile).
	p := tea.NewProgram(first, tea.WithFPS(120), tea.WithColorProfile(rendererProfile(termProfile)))
	// A closed terminal sends SIGHUP, which Bubble Tea leaves to Go's
	// default: exit at once, spill files left behind. Stop the program
	// instead, so the cleanup below runs. (SIGINT and SIGTERM it handles.)
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go func() {
		if _, ok := <-hup; ok {
			p.Kill()
		}
	}()
	final, err := p.Run()
	signal.Stop(hup)
	close(hup)
	if m, ok := unwrap(final).(Model); ok {
		m.Close()
	}
	// Bodies past the kept limit were spilled to temporary files: none outlives the TUI.
	httpclient.RemoveSpills()
	return err
}
