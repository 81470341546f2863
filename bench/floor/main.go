// Command floor is bench/minimal with what keyhole's first frame cannot
// do without: it imports every package keyhole's own packages import
// (imports.go: their package initialisation runs before main, as it does
// for keyhole) and draws keyhole's first frame, read from the file named by
// its argument. bench/run.sh writes that file from the TUI at 120x40 (go
// test ./ui -run TestFirstFrame with KEYHOLE_FRAME_FILE set) and measures
// keyhole's first frame against this program as well as against
// bench/minimal: what keyhole adds above this floor is its own. Built with
// -tags frameonly it leaves the imports out and only draws the frame.
package main

import (
	"fmt"
	"os"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
)

type model struct{ frame string }

func (model) Init() tea.Cmd { return nil }

func (m model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok && k.String() == "ctrl+c" {
		return m, tea.Quit
	}
	return m, nil
}

func (m model) View() tea.View {
	v := tea.NewView(m.frame)
	v.AltScreen = true
	return v
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: floor FRAME-FILE")
		os.Exit(2)
	}
	frame, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// The frame's colours are made for the terminal, as keyhole makes them
	// (see ui's termProfile): Bubble Tea passes them through.
	p := tea.NewProgram(model{string(frame)}, tea.WithFPS(120), tea.WithColorProfile(colorprofile.TrueColor))
	if _, err := p.Run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
