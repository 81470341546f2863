package ui

import "charm.land/bubbles/v2/key"

// KeyMap is every key the TUI answers to. Which ones apply depends on the
// focused area; focusedHelp picks them for the help bar.
type KeyMap struct {
	Quit       key.Binding // anywhere
	QuitQ      key.Binding // outside text fields
	Send       key.Binding // enter in the URL field
	SendAny    key.Binding // from any area
	Cancel     key.Binding // while a request is in flight
	Next       key.Binding
	Prev       key.Binding
	Method     key.Binding // cycle the method when it has focus
	Up         key.Binding
	Down       key.Binding
	PageUp     key.Binding
	PageDown   key.Binding
	Top        key.Binding
	Bottom     key.Binding
	Pick       key.Binding // choose the scheme under the cursor
	Retry      key.Binding // enter on the last credentials field
	NextField  key.Binding
	Reveal     key.Binding
	Select     key.Binding // show a timeline row's attempt
	Help       key.Binding // outside text fields
	HelpAny    key.Binding
	Back       key.Binding // esc when nothing is in flight
	Forget     key.Binding // drop entered credentials, cached tokens, cookies
	Palette    key.Binding // every action, filterable
	Lessons    key.Binding // the practice lessons
	Save       key.Binding // save the session
	Open       key.Binding // reopen a saved session
	JWT        key.Binding // decode the token entered or received
	CopyCurl   key.Binding // the selected attempt as a curl command, to the clipboard
	HAR        key.Binding // the session as a HAR file
	Mark       key.Binding // in the timeline: the attempt to diff against
	Diff       key.Binding // in the timeline: diff the selected attempt against the marked one
	Trust      key.Binding // resend credentials on redirects to other origins
	Secrets    key.Binding // show secrets everywhere
	TLS        key.Binding // client certificate settings
	Grant      key.Binding // in the OAuth 2.0 form: the next grant
	Mouse      key.Binding // capture the mouse or leave it to the terminal
	Search     key.Binding // in the response: find text in the body
	SearchNext key.Binding
	SearchPrev key.Binding
	Detail     key.Binding // in the response: the attempt's headers and findings whole
}

// DefaultKeyMap returns keyhole's key bindings.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Quit:       key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
		QuitQ:      key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
		Send:       key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "send")),
		SendAny:    key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "send")),
		Cancel:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel request")),
		Next:       key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next area")),
		Prev:       key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous area")),
		Method:     key.NewBinding(key.WithKeys("left", "right", "space", "enter"), key.WithHelp("←/→/space", "change method")),
		Up:         key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:       key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:     key.NewBinding(key.WithKeys("pgup", "b"), key.WithHelp("pgup", "page up")),
		PageDown:   key.NewBinding(key.WithKeys("pgdown", "space", "f"), key.WithHelp("pgdn", "page down")),
		Top:        key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("home", "top")),
		Bottom:     key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("end", "bottom")),
		Pick:       key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "use this scheme")),
		Retry:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "next field / retry")),
		NextField:  key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next field")),
		Reveal:     key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "reveal/mask secret")),
		Select:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "show attempt")),
		Help:       key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "all keys")),
		HelpAny:    key.NewBinding(key.WithKeys("f1"), key.WithHelp("f1", "all keys")),
		Back:       key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back to URL")),
		Forget:     key.NewBinding(key.WithKeys("ctrl+x"), key.WithHelp("ctrl+x", "forget credentials")),
		Palette:    key.NewBinding(key.WithKeys("ctrl+p"), key.WithHelp("ctrl+p", "actions")),
		Lessons:    key.NewBinding(key.WithKeys("ctrl+l", "f2"), key.WithHelp("ctrl+l/f2", "lessons")),
		Save:       key.NewBinding(key.WithKeys("ctrl+o"), key.WithHelp("ctrl+o", "save session")),
		Open:       key.NewBinding(key.WithKeys("f3"), key.WithHelp("f3", "open saved session")),
		JWT:        key.NewBinding(key.WithKeys("ctrl+t"), key.WithHelp("ctrl+t", "inspect token")),
		CopyCurl:   key.NewBinding(key.WithKeys("ctrl+y"), key.WithHelp("ctrl+y", "copy as curl")),
		HAR:        key.NewBinding(key.WithKeys("f4"), key.WithHelp("f4", "export HAR")),
		Mark:       key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "mark for diff")),
		Diff:       key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "diff with marked")),
		Trust:      key.NewBinding(key.WithKeys("f7"), key.WithHelp("f7", "trust redirects")),
		Secrets:    key.NewBinding(key.WithKeys("f8"), key.WithHelp("f8", "show secrets")),
		TLS:        key.NewBinding(key.WithKeys("f9"), key.WithHelp("f9", "client TLS")),
		Grant:      key.NewBinding(key.WithKeys("ctrl+g"), key.WithHelp("ctrl+g", "OAuth grant")),
		Mouse:      key.NewBinding(key.WithKeys("f6"), key.WithHelp("f6", "mouse on/off")),
		Search:     key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "search body")),
		SearchNext: key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "next match")),
		SearchPrev: key.NewBinding(key.WithKeys("N"), key.WithHelp("N", "previous match")),
		Detail:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "headers whole")),
	}
}

// ShortHelp implements help.KeyMap with the keys that work everywhere.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.SendAny, k.Next, k.Palette, k.HelpAny, k.Quit}
}

// FullHelp implements help.KeyMap: every key, grouped by area.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Send, k.SendAny, k.Cancel, k.Next, k.Prev, k.Back, k.Quit, k.QuitQ},
		{k.Method, k.Pick, k.Retry, k.NextField, k.Reveal, k.Grant, k.Forget},
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom, k.Select, k.Mark, k.Diff},
		{k.Search, k.SearchNext, k.SearchPrev, k.Detail, k.Palette, k.Lessons, k.Save, k.Open},
		{k.JWT, k.CopyCurl, k.HAR, k.Trust, k.Secrets, k.TLS, k.Mouse, k.Help, k.HelpAny},
	}
}

// focusedHelp is the help bar's view of the keys: what the focused area accepts.
type focusedHelp struct {
	k       KeyMap
	f       focus
	sending bool
}

func (h focusedHelp) ShortHelp() []key.Binding {
	k := h.k
	if h.sending {
		return []key.Binding{k.Cancel, k.Quit}
	}
	var b []key.Binding
	switch h.f {
	case focusURL:
		b = []key.Binding{k.Send, k.Next, k.Prev}
	case focusMethod:
		b = []key.Binding{k.Method, k.SendAny, k.Next}
	case focusHeaders, focusBody:
		b = []key.Binding{k.SendAny, k.Next, k.Prev}
	case focusPicker:
		b = []key.Binding{k.Up, k.Down, k.Pick, k.Next}
	case focusExplain:
		b = []key.Binding{k.Up, k.Down, k.PageDown, k.Detail, k.Next}
	case focusForm:
		b = []key.Binding{k.Retry, k.NextField, k.Reveal}
	case focusTimeline:
		b = []key.Binding{k.Up, k.Down, k.Mark, k.Diff, k.Reveal, k.Next}
	case focusResponse:
		b = []key.Binding{k.Up, k.Down, k.PageDown, k.Search, k.Detail, k.Reveal, k.Next}
	}
	b = append(b, k.Palette)
	if isText(h.f) {
		b = append(b, k.HelpAny)
	} else {
		b = append(b, k.Help)
	}
	if quitsOnQ(h.f) {
		return append(b, k.QuitQ)
	}
	return append(b, k.Quit)
}

func (h focusedHelp) FullHelp() [][]key.Binding { return h.k.FullHelp() }
