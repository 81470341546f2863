package ui

import (
	"regexp"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

var (
	enter    = tea.KeyPressMsg{Code: tea.KeyEnter}
	tab      = tea.KeyPressMsg{Code: tea.KeyTab}
	shiftTab = tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	esc      = tea.KeyPressMsg{Code: tea.KeyEscape}
	ctrlR    = tea.KeyPressMsg{Code: 'r', Mod: tea.ModCtrl}
	down     = tea.KeyPressMsg{Code: tea.KeyDown}
	up       = tea.KeyPressMsg{Code: tea.KeyUp}
)

// keys turns text into one key press per rune, as a terminal sends them.
func keys(s string) []tea.Msg {
	var out []tea.Msg
	for _, r := range s {
		out = append(out, tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	return out
}

// ours reports whether a message is one of the model's own, which settle
// feeds back; timers (cursor blink, spinner) are dropped so nothing loops.
func ours(msg tea.Msg) bool {
	switch msg.(type) {
	case sentMsg, bodyMsg, foundMsg, practiceMsg, savedMsg, sessionsMsg, loadedMsg, harMsg, tlsMsg, netrcMsg,
		profilesMsg, profileValuesMsg, profileSavedMsg:
		return true
	}
	return false
}

// settle runs cmd and every command the model's own messages lead to, the
// way the program would, until none is left (driveOAuth without a prompt hook).
func settle(t *testing.T, m Model, cmd tea.Cmd) Model {
	t.Helper()
	m, _ = driveOAuth(t, m, cmd, nil)
	return m
}

// press sends msgs to m one by one and settles after each.
func press(t *testing.T, m Model, msgs ...tea.Msg) Model {
	t.Helper()
	for _, msg := range msgs {
		next, cmd := m.Update(msg)
		m = settle(t, next.(Model), cmd)
	}
	return m
}

// sized gives m a terminal of w×h.
func sized(t *testing.T, m Model, w, h int) Model {
	return press(t, m, tea.WindowSizeMsg{Width: w, Height: h})
}

// screen is the rendered frame without styles.
func screen(m Model) string { return ansi.Strip(m.View().Content) }

// started returns a model on the practice server, sized, with its server
// closed at the end of the test.
func started(t *testing.T, w, h int) Model {
	t.Helper()
	m := New(Options{Practice: true})
	m = settle(t, m, m.Init())
	if m.srv == nil {
		t.Fatalf("practice server did not start: %s", m.Status())
	}
	t.Cleanup(func() { m.srv.Close() })
	return sized(t, m, w, h)
}

func mustContain(t *testing.T, s string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(s, w) {
			t.Errorf("screen lacks %q:\n%s", w, s)
		}
	}
}

// line returns the first line of s that contains label.
func line(s, label string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, label) {
			return l
		}
	}
	return ""
}

// sgr matches the colour sequences the styles write.
var sgr = regexp.MustCompile(`\x1b\[[0-9;:]*m`)
