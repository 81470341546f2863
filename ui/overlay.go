package ui

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// ovKind names the overlay drawn over the middle of the screen, if any.
type ovKind int

const (
	ovNone        ovKind = iota
	ovHelp               // every key
	ovPalette            // every action, filterable
	ovLessons            // the practice lessons
	ovLesson             // one lesson in full, its steps as a checklist (a page of text)
	ovDiff               // what changed between two attempts
	ovSessions           // saved sessions to reopen
	ovRequests           // the requests of an .http file
	ovJWT                // a decoded token
	ovTLS                // client certificate, key and CA paths
	ovProfiles           // saved credential profiles for the request's host
	ovProfileName        // name and host of a profile to save
	ovProxy              // the proxy URL
	ovDetail             // an attempt's headers and findings whole
	ovTrust              // may a secret go to an origin a server named
)

var ovNames = [...]string{"", "help", "palette", "lessons", "lesson", "diff", "sessions", "requests", "jwt", "tls", "profiles", "profile name", "proxy", "detail", "trust"}

// row is one selectable line of an overlay; act runs on enter.
type row struct {
	label string
	key   string // the key that does the same outside the overlay, for the palette
	act   func(m *Model) tea.Cmd
}

// overlay is a list or a page drawn instead of the response and side panes.
// It is a plain struct: Model routes keys to it while it is open.
type overlay struct {
	kind   ovKind
	title  string
	hint   string
	head   []string // text above the rows; scrolled when there are no rows
	rows   []row
	cursor int    // index into visible()
	filter string // the palette's typed filter
	top    int    // first line of head shown, for pages longer than the screen
	fields []field
	idx    int // focused field of ovTLS
}

func (o overlay) open() bool { return o.kind != ovNone }

// visible lists the indices of the rows matching the filter.
func (o overlay) visible() []int {
	var out []int
	f := strings.ToLower(o.filter)
	for i, r := range o.rows {
		if f == "" || strings.Contains(strings.ToLower(r.label+" "+r.key), f) {
			out = append(out, i)
		}
	}
	return out
}

func (o *overlay) move(d int) {
	n := len(o.visible())
	if n == 0 {
		o.top = max(o.top+d, 0)
		return
	}
	o.cursor = min(max(o.cursor+d, 0), n-1)
}

// selected is the row under the cursor, or nil.
func (o overlay) selected() *row {
	v := o.visible()
	if o.cursor < 0 || o.cursor >= len(v) {
		return nil
	}
	return &o.rows[v[o.cursor]]
}

// page renders the overlay in exactly h lines of width w.
func (o overlay) page(st Styles, w, h int) []string {
	title := st.TitleFocus.Render(o.title)
	if o.hint != "" {
		title += " " + st.Muted.Render(o.hint)
	}
	out := []string{title}
	if o.kind == ovPalette {
		out = append(out, st.Label.Render("Filter ")+o.filter+"▏")
	}
	head := wrapLines(o.head, w)
	if len(o.rows) == 0 && len(o.fields) == 0 {
		// A page of text: scroll it.
		top := min(o.top, max(len(head)-(h-len(out)), 0))
		head = head[top:]
	}
	out = append(out, head...)
	for i, f := range o.fields {
		label := st.Label.Render(padRight(f.label, formLabel))
		if i == o.idx {
			label = st.TitleFocus.Render(padRight(f.label, formLabel))
		}
		out = append(out, "  "+label+" "+f.in.View())
	}
	v := o.visible()
	if len(o.rows) > 0 && len(v) == 0 {
		out = append(out, st.Muted.Render("  nothing matches"))
	}
	room := max(h-len(out), 1)
	start := max(0, o.cursor-room+1)
	for j := start; j < len(v) && j < start+room; j++ {
		r := o.rows[v[j]]
		label := r.label
		if r.key != "" {
			label = padRight(label, 38) + " " + st.Muted.Render(r.key)
		}
		if j == o.cursor {
			out = append(out, st.Selected.Render("› "+ansi.Strip(label)))
		} else {
			out = append(out, "  "+label)
		}
	}
	return fit(out, w, h)
}

// openOverlay shows o and remembers it as the open overlay.
func (m *Model) openOverlay(o overlay) {
	m.ov = o
	if len(m.ov.fields) > 0 { // ovTLS, ovProfileName
		m.ov.fields[0].in.Focus()
	}
}

func (m *Model) closeOverlay() { m.ov = overlay{} }

// overlayKey handles a key while an overlay is open: esc closes it, ↑/↓
// move, enter runs the row; the palette takes typed text as its filter.
func (m *Model) overlayKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	o := &m.ov
	switch {
	case o.kind == ovHelp && key.Matches(msg, k.Help, k.HelpAny, k.Back):
		m.closeOverlay()
		return nil
	case key.Matches(msg, k.Back):
		if o.kind == ovPalette && o.filter != "" {
			o.filter, o.cursor = "", 0
			return nil
		}
		m.closeOverlay()
		return nil
	case o.kind == ovTLS:
		return m.tlsKey(msg)
	case o.kind == ovProfileName:
		return m.profileNameKey(msg)
	case o.kind == ovProxy:
		return m.proxyKey(msg)
	case msg.Code == tea.KeyUp || (o.kind != ovPalette && msg.String() == "k"):
		o.move(-1)
	case msg.Code == tea.KeyDown || (o.kind != ovPalette && msg.String() == "j"):
		o.move(1)
	case msg.Code == tea.KeyPgUp:
		o.move(-10)
	case msg.Code == tea.KeyPgDown:
		o.move(10)
	case msg.Code == tea.KeyEnter:
		r := o.selected()
		if r == nil {
			if len(o.rows) == 0 {
				m.closeOverlay() // a page of text: enter is done reading
			}
			return nil
		}
		return r.act(m)
	case o.kind == ovPalette && msg.Code == tea.KeyBackspace:
		if o.filter != "" {
			_, size := utf8.DecodeLastRuneInString(o.filter)
			o.filter, o.cursor = o.filter[:len(o.filter)-size], 0
		}
	case o.kind == ovPalette && msg.Text != "":
		o.filter, o.cursor = o.filter+msg.Text, 0
	}
	return nil
}

// Overlay names the open overlay ("palette", "lessons", "diff", ...), "" when none.
func (m Model) Overlay() string { return ovNames[m.ov.kind] }

// syncOverlay hands the open overlay's page to the help bar, which layout
// draws in the middle of the screen while shown.
func (m *Model) syncOverlay() {
	m.help.shown = m.ov.open()
	m.help.page, m.help.keys = nil, nil
	if !m.ov.open() {
		return
	}
	o := m.ov
	if o.kind == ovHelp {
		o.title, o.hint = "Keys", "↑/↓ scroll; ? or f1 or esc closes"
		o.head = append([]string{""}, m.help.keysPage(m.keys, m.pageWidth())...)
	}
	if len(o.rows) == 0 {
		// Keep the scroll where the last line is in sight, so ↑ answers at once.
		m.ov.top = min(m.ov.top, max(len(wrapLines(o.head, m.pageWidth()))-m.middleHeight()+1, 0))
		o.top = m.ov.top
	}
	m.help.page = o.page(m.styles, m.pageWidth(), m.middleHeight())
	m.help.keys = o.keys()
}

// keys are the bindings the help bar shows while the overlay is open.
func (o overlay) keys() []key.Binding {
	b := func(keys, help string) key.Binding {
		return key.NewBinding(key.WithKeys(keys), key.WithHelp(keys, help))
	}
	closeKey := b("esc", "close")
	switch {
	case o.kind == ovTLS:
		return []key.Binding{b("tab", "next field"), b("enter", "next / apply"), closeKey}
	case o.kind == ovProfileName:
		return []key.Binding{b("tab", "next field"), b("enter", "next / save"), closeKey}
	case o.kind == ovProxy:
		return []key.Binding{b("enter", "apply"), closeKey}
	case o.kind == ovProfiles:
		return []key.Binding{b("↑/↓", "choose"), b("enter", "fill the form"), closeKey}
	case o.kind == ovTrust:
		return []key.Binding{b("↑/↓", "choose"), b("enter", "answer"), b("esc", "do not trust")}
	case o.kind == ovLesson:
		return []key.Binding{b("↑/↓", "scroll the steps"), closeKey}
	case o.kind == ovPalette:
		return []key.Binding{b("type", "filter"), b("↑/↓", "choose"), b("enter", "run"), b("esc", "clear/close")}
	case len(o.rows) == 0:
		return []key.Binding{b("↑/↓", "scroll"), closeKey}
	}
	return []key.Binding{b("↑/↓", "choose"), b("enter", "open"), closeKey}
}

// count says "1 attempt" or "3 attempts".
func count(n int, what string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", what)
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// overlayField is a one-line text field of a form overlay (client TLS,
// profile name), holding value.
func (m *Model) overlayField(f field, value string) field {
	ti, _ := inputStyles(m.styles.isDark)
	in := textinput.New()
	in.Prompt = ""
	in.SetStyles(ti)
	in.Placeholder = f.hint
	in.SetValue(value)
	in.SetWidth(max(m.w-formLabel-8, 10))
	f.in = in
	return f
}

// fieldsKey edits a form overlay: tab and shift+tab move between fields,
// enter moves on and, on the last field, calls submit with the trimmed values.
func (m *Model) fieldsKey(msg tea.KeyPressMsg, submit func(values []string) tea.Cmd) tea.Cmd {
	o := &m.ov
	k := m.keys
	next := func(d int) {
		o.fields[o.idx].in.Blur()
		o.idx = (o.idx + d + len(o.fields)) % len(o.fields)
		o.fields[o.idx].in.Focus()
	}
	switch {
	case key.Matches(msg, k.Next):
		next(1)
	case key.Matches(msg, k.Prev):
		next(-1)
	case msg.Code == tea.KeyEnter && o.idx < len(o.fields)-1:
		next(1)
	case msg.Code == tea.KeyEnter:
		values := make([]string, len(o.fields))
		for i, f := range o.fields {
			values[i] = strings.TrimSpace(f.in.Value())
		}
		return submit(values)
	default:
		var cmd tea.Cmd
		o.fields[o.idx].in, cmd = o.fields[o.idx].in.Update(msg)
		return cmd
	}
	return nil
}
