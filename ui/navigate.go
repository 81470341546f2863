package ui

import (
	"fmt"
	"strings"
	"unicode"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// quitting decides whether a quit key ends the program: at once when every
// attempt is saved (or none was made), else after asking once.
func (m *Model) quitting() bool {
	unsaved := len(m.sess.Attempts()) - m.savedN
	if m.quitAsked || unsaved <= 0 {
		return true
	}
	m.quitAsked = true
	again := "ctrl+c"
	if quitsOnQ(m.focus) {
		again = "q or ctrl+c"
	}
	m.status, m.statusErr = fmt.Sprintf("%s not saved: %s again quits; ctrl+o saves them first; any other key stays.",
		strings.ToUpper(count(unsaved, "attempt")[:1])+count(unsaved, "attempt")[1:], again), true
	return false
}

// jumpTo moves the picker's cursor to the next answer starting with r, or
// says that none does: a letter typed in the picker is never dropped silently.
func (m *Model) jumpTo(r rune) {
	n := len(m.chal.opts)
	for d := 1; d <= n; d++ {
		i := (m.chal.cursor + d) % n
		// "Bearer: OAuth 2.0" answers to b and to o; "→ Trust …" to t.
		label := strings.TrimPrefix(m.chal.label(i), "→ ")
		scheme, kind, _ := strings.Cut(label, ": ")
		for _, word := range []string{scheme, kind} {
			if word != "" && unicode.ToLower([]rune(word)[0]) == unicode.ToLower(r) {
				m.chal.cursor = i
				return
			}
		}
	}
	m.status, m.statusErr = fmt.Sprintf("No answer starts with %q: ↑/↓ choose, enter picks; the form opens after the pick.", string(r)), true
}

// scrollExplain scrolls the explanation pane; layout keeps it in range.
func (m *Model) scrollExplain(msg tea.KeyPressMsg) {
	k := m.keys
	h := m.explainRows()
	switch {
	case key.Matches(msg, k.Up):
		m.explTop--
	case key.Matches(msg, k.Down):
		m.explTop++
	case msg.Code == tea.KeyPgUp || key.Matches(msg, k.PageUp):
		m.explTop -= max(h-1, 1)
	case msg.Code == tea.KeyPgDown || key.Matches(msg, k.PageDown):
		m.explTop += max(h-1, 1)
	case key.Matches(msg, k.Top):
		m.explTop = 0
	case key.Matches(msg, k.Bottom):
		m.explTop = 1 << 30
	}
	m.explTop = max(m.explTop, 0)
}
