package ui

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"
)

// helpBar is the one-line help at the bottom and the full-help overlay.
type helpBar struct {
	h     help.Model
	shown bool          // an overlay is drawn instead of the panes
	page  []string      // the overlay's lines; nil draws the keys
	keys  []key.Binding // what the open overlay answers to, for the bar
	memo  *helpMemo     // the bar drawn last, shared by the model's copies
}

// helpMemo is the help bar as last drawn and what it was drawn from: it
// changes with the focus, not every frame.
type helpMemo struct {
	key  string
	line string
}

func newHelpBar(isDark bool) helpBar {
	h := help.New()
	h.Styles = helpStyles(isDark)
	return helpBar{h: h, memo: &helpMemo{}}
}

func (b *helpBar) SetWidth(w int) { b.h.SetWidth(w) }

func (b helpBar) short(k focusedHelp) string {
	keys := k.ShortHelp()
	if b.shown && b.keys != nil {
		keys = b.keys
	}
	var id strings.Builder
	fmt.Fprint(&id, b.h.Width(), "\x00")
	for _, k := range keys {
		id.WriteString(k.Help().Key + "\x00" + k.Help().Desc + "\x00")
	}
	if b.memo != nil && b.memo.key == id.String() {
		return b.memo.line
	}
	if !b.shown {
		keys = b.fit(keys)
	}
	line := b.h.ShortHelpView(keys)
	if b.memo != nil {
		b.memo.key, b.memo.line = id.String(), line
	}
	return line
}

// fit drops the focused area's keys until the bar fits its width, moving
// keys (arrows, tab) before the ones that act, the last first: the
// palette, all-keys and quit keys at the end stay, where a bar cut at the
// edge lost them first ("ctrl+p actions …" at 80 columns).
func (b helpBar) fit(keys []key.Binding) []key.Binding {
	wide := b.h
	wide.SetWidth(0)
	moves := func(k key.Binding) bool {
		return slices.Contains([]string{"tab", "shift+tab", "↑/k", "↓/j"}, k.Help().Key)
	}
	for b.h.Width() > 0 && len(keys) > 4 && lipgloss.Width(wide.ShortHelpView(keys)) > b.h.Width() {
		drop := len(keys) - 4 // the area's last key
		for i := drop; i >= 0; i-- {
			if moves(keys[i]) {
				drop = i
				break
			}
		}
		gone := keys[drop].Help().Key
		keys = slices.Delete(slices.Clone(keys), drop, drop+1)
		if gone == "↓/j" { // the arrows go together
			keys = slices.DeleteFunc(keys, func(k key.Binding) bool { return k.Help().Key == "↑/k" })
		}
	}
	return keys
}

// overlay is the open overlay's page; without one, every key in at most h lines.
func (b helpBar) overlay(st Styles, k KeyMap, w, h int) []string {
	if b.page != nil {
		return b.page
	}
	lines := append([]string{st.TitleFocus.Render("Keys") + " " + st.Muted.Render("(? or f1 or esc closes)"), ""}, b.keysPage(k, w)...)
	return lines[:min(len(lines), h)]
}

// keysPage lists every key, grouped, and how the loop goes.
func (b helpBar) keysPage(k KeyMap, w int) []string {
	full := b.h
	full.SetWidth(0) // each group whole; they are laid out below
	// help cuts the columns that do not fit; lay the groups out in rows
	// instead, so a narrow terminal still lists every key.
	var rows, cur []string
	for _, g := range k.FullHelp() {
		col := full.FullHelpView([][]key.Binding{g})
		next := append(slices.Clone(cur), col)
		if len(cur) > 0 && lipgloss.Width(lipgloss.JoinHorizontal(lipgloss.Top, spaced(next)...)) > w {
			rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, spaced(cur)...))
			next = []string{col}
		}
		cur = next
	}
	if len(cur) > 0 {
		rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, spaced(cur)...))
	}
	var lines []string
	for _, r := range rows {
		lines = append(lines, strings.Split(r, "\n")...)
	}
	lines = append(lines, "",
		"The panes: Request on top, Explanation beside Response, Timeline below; under",
		"100 columns the lower three are tabs. tab moves between them; the focused frame",
		"is in the accent colour. In the picker a letter jumps to the answer starting with it.",
		"In the response, / searches the body (n, N go on) and enter shows every header whole.",
		"q quits only where nothing is typed; with attempts not saved, quitting asks once.",
		"",
		"The loop: enter in the URL sends; on a 401/407 the scheme picker takes focus,",
		"enter picks the scheme, type the credentials (tab to the next field),",
		"enter on the last field retries. esc cancels a request in flight.",
		"In the timeline, ↑/↓ select an attempt; ctrl+r reveals its credentials;",
		"m marks an attempt and d diffs the selected one against it.",
		"In the OAuth 2.0 form ctrl+g picks the grant; a device code or an authorization",
		"URL is shown over the panes (and copied) while keyhole waits; esc cancels.",
		"ctrl+p lists every action with its key.")
	return lines
}

// spaced puts three columns of space after every column but the last.
func spaced(cols []string) []string {
	out := make([]string, 0, 2*len(cols))
	for i, c := range cols {
		if i > 0 {
			out = append(out, "   ")
		}
		out = append(out, c)
	}
	return out
}
