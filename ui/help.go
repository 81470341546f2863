package ui

import (
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
)

// helpBar is the one-line help at the bottom and the full-help overlay.
type helpBar struct {
	h     help.Model
	shown bool          // an overlay is drawn instead of the panes
	page  []string      // the overlay's lines; nil draws the keys
	keys  []key.Binding // what the open overlay answers to, for the bar
}

func newHelpBar(isDark bool) helpBar {
	h := help.New()
	h.Styles = help.DefaultStyles(isDark)
	return helpBar{h: h}
}

func (b *helpBar) SetWidth(w int) { b.h.SetWidth(w) }

func (b helpBar) short(k focusedHelp) string {
	if b.shown && b.keys != nil {
		return b.h.ShortHelpView(b.keys)
	}
	return b.h.ShortHelpView(k.ShortHelp())
}

// overlay lists every key, grouped, in at most h lines.
func (b helpBar) overlay(st Styles, k KeyMap, w, h int) []string {
	if b.page != nil {
		return b.page
	}
	full := b.h
	full.SetWidth(max(w-4, 10))
	body := full.FullHelpView(k.FullHelp())
	lines := []string{st.TitleFocus.Render("Keys") + " " + st.Muted.Render("(? or f1 or esc closes)"), ""}
	lines = append(lines, strings.Split(body, "\n")...)
	lines = append(lines, "",
		"The loop: enter in the URL sends; on a 401/407 the scheme picker takes focus,",
		"enter picks the scheme, type the credentials (tab to the next field),",
		"enter on the last field retries. esc cancels a request in flight.",
		"In the timeline, ↑/↓ select an attempt; ctrl+r reveals its credentials;",
		"m marks an attempt and d diffs the selected one against it.",
		"ctrl+p lists every action with its key.")
	return lines[:min(len(lines), h)]
}
