package ui

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/textinput"

	"keyhole/credentials"
)

// field is one input of a credentials form or an overlay.
type field struct {
	key    string // credentials.Field.Key: the value it gives Build and a profile
	label  string
	def    string // the value a new form starts with
	hint   string // placeholder
	in     textinput.Model
	secret bool // masked unless revealed
	extra  bool // optional and after the last needed field: enter skips it when empty
}

// form collects the credentials of one scheme, made from its description
// (credentials.Schemes): its fields in order, with their labels, hints and
// masking, those its choice (the OAuth 2.0 grant) asks for.
type form struct {
	kind   string // the scheme's credentials.Description.Mode
	fields []field
	idx    int               // focused field
	choice string            // the value of the scheme's Choices field (the grant; "" is auto), "" when it has none
	status int               // the status it answers: 401 for the server, 407 for a proxy
	note   string            // a line under the fields: where endpoints come from
	hints  map[string]string // placeholders by field key (the practice lesson's client)
}

func plain(label, def string) field { return field{label: label, def: def} }
func hinted(f field, hint string) field {
	f.hint = hint
	return f
}

// title is the name of scheme k for the picker and the form.
func title(k string) string {
	d, _ := credentials.Describe(k)
	return d.Title
}

// newForm returns the form of scheme k, or false when keyhole has none.
func newForm(k string, isDark bool) (form, bool) {
	d, ok := credentials.Describe(k)
	if !ok || len(d.Fields) == 0 {
		return form{}, false
	}
	f := form{kind: d.Mode}
	if c := d.ChoiceField(); c >= 0 {
		f.choice = d.Fields[c].Choices[0].Value
	}
	f.fields = fieldsOf(d, f.choice)
	f.init(isDark)
	return f, true
}

// fieldsOf makes the fields d asks for when its choice is choice.
func fieldsOf(d credentials.Description, choice string) []field {
	var out []field
	for _, df := range d.Fields {
		if df.Asked(choice) {
			out = append(out, field{key: df.Key, label: df.Label, hint: df.Hint, secret: df.Secret, extra: df.Extra})
		}
	}
	return out
}

// init gives every field its text input.
func (f *form) init(isDark bool) {
	ti, _ := inputStyles(isDark)
	for i := range f.fields {
		in := textinput.New()
		in.Prompt = ""
		in.SetStyles(ti)
		in.SetValue(f.fields[i].def)
		in.Placeholder = f.fields[i].hint
		if f.fields[i].secret {
			in.EchoMode = textinput.EchoPassword
			in.EchoCharacter = '•'
		}
		f.fields[i].in = in
	}
}

func (f *form) setDark(isDark bool) {
	ti, _ := inputStyles(isDark)
	for i := range f.fields {
		f.fields[i].in.SetStyles(ti)
	}
}

// mode is the form's scheme as credentials.Describe names it.
func (f form) mode() string { return f.kind }

// desc is the form's scheme's description.
func (f form) desc() credentials.Description {
	d, _ := credentials.Describe(f.kind)
	return d
}

// choices are the values of the form's Choices field (the OAuth 2.0
// grants), nil when it has none.
func (f form) choices() []credentials.Choice {
	d := f.desc()
	if c := d.ChoiceField(); c >= 0 {
		return d.Fields[c].Choices
	}
	return nil
}

// choiceKey is the key of the form's Choices field ("grant"), "" when none.
func (f form) choiceKey() string {
	d := f.desc()
	if c := d.ChoiceField(); c >= 0 {
		return d.Fields[c].Key
	}
	return ""
}

// chosen is the form's choice in words ("client credentials").
func (f form) chosen() credentials.Choice {
	cs := f.choices()
	if i := slices.IndexFunc(cs, func(c credentials.Choice) bool { return c.Value == f.choice }); i >= 0 {
		return cs[i]
	}
	return credentials.Choice{}
}

func (f form) valid() bool { return len(f.fields) > 0 }

func (f form) last() bool { return f.idx == len(f.fields)-1 }

// sends says whether enter on the focused field sends: on the last field, or
// when every field after it is an empty extra.
func (f form) sends() bool {
	for _, fl := range f.fields[f.idx+1:] {
		if !fl.extra || fl.in.Value() != "" {
			return false
		}
	}
	return true
}

// label names the form's scheme and, for a form with a choice (the OAuth
// 2.0 client's grant), what its values run as they stand
// (credentials.OAuthRuns): with the Client id empty keyhole registers
// itself and signs a user in, whatever grant is picked. With no grant
// chosen ("auto", as keyhole send without --grant) it says so before the
// grant the values run.
func (f form) label() string {
	cs := f.choices()
	if cs == nil {
		return title(f.kind)
	}
	s := title(f.kind) + " · "
	if f.choice == "" {
		s += f.chosen().Title + ": "
	}
	grant, registers := credentials.OAuthRuns(f.values())
	if i := slices.IndexFunc(cs, func(c credentials.Choice) bool { return c.Value == grant }); i >= 0 {
		s += cs[i].Title
	}
	if registers {
		s += ", registering keyhole"
	}
	return s
}

// sender is the label of the field enter sends from: the last one that is
// not an extra.
func (f form) sender() string {
	for i := len(f.fields) - 1; i >= 0; i-- {
		if !f.fields[i].extra {
			return f.fields[i].label
		}
	}
	return ""
}

// focus moves the cursor to field i.
func (f *form) focus(i int) {
	f.idx = i
	for j := range f.fields {
		if j == i {
			f.fields[j].in.Focus()
		} else {
			f.fields[j].in.Blur()
		}
	}
}

func (f *form) blur() {
	for j := range f.fields {
		f.fields[j].in.Blur()
	}
}

// toggleReveal shows or masks the focused secret field.
func (f *form) toggleReveal() {
	fl := &f.fields[f.idx]
	if !fl.secret {
		return
	}
	if fl.in.EchoMode == textinput.EchoPassword {
		fl.in.EchoMode = textinput.EchoNormal
	} else {
		fl.in.EchoMode = textinput.EchoPassword
	}
}

// clearSecrets empties the secret fields after a rejection, so the user types
// the secret again instead of appending to the wrong one; names are kept.
func (f *form) clearSecrets() {
	for i := range f.fields {
		if f.fields[i].secret {
			f.fields[i].in.SetValue("")
		}
	}
}

// focusSecret moves the cursor to the first secret field, the one to retype
// after a rejection; a form without one keeps its cursor.
func (f *form) focusSecret() {
	for i, fl := range f.fields {
		if fl.secret {
			f.focus(i)
			return
		}
	}
}

// value returns the value of the field keyed key, or "".
func (f form) value(key string) string {
	for _, fl := range f.fields {
		if fl.key == key {
			return fl.in.Value()
		}
	}
	return ""
}

// setChoice switches the form to choice c (an OAuth 2.0 grant), keeping
// what was typed in the fields both ask for.
func (f *form) setChoice(c string, isDark bool) {
	if f.choices() == nil {
		return
	}
	old := f.fields
	nf := form{kind: f.kind, fields: fieldsOf(f.desc(), c)}
	nf.init(isDark)
	for i := range nf.fields {
		for _, o := range old {
			if o.key == nf.fields[i].key {
				nf.fields[i].in.SetValue(o.in.Value())
			}
		}
	}
	nf.choice, nf.note, nf.hints, nf.status = c, f.note, f.hints, f.status
	nf.applyHints()
	*f = nf
	f.idx = min(f.idx, len(f.fields)-1)
}

// nextChoice moves the form to the next choice and focuses its first field.
func (f *form) nextChoice(isDark bool) {
	cs := f.choices()
	i := slices.IndexFunc(cs, func(c credentials.Choice) bool { return c.Value == f.choice })
	f.setChoice(cs[(i+1)%len(cs)].Value, isDark)
	f.focus(0)
}

// applyHints shows the practice lesson's public client values as
// placeholders of the empty fields they belong to.
func (f *form) applyHints() {
	for i := range f.fields {
		if h, ok := f.hints[f.fields[i].key]; ok {
			f.fields[i].in.Placeholder = h
		}
	}
}

// values are the form's values by field key, as Build and a profile take
// them: the choice too, names trimmed, secrets as typed.
func (f form) values() map[string]string {
	v := map[string]string{}
	for _, fl := range f.fields {
		x := fl.in.Value()
		if !fl.secret {
			x = strings.TrimSpace(x)
		}
		if x != "" {
			v[fl.key] = x
		}
	}
	if f.choice != "" {
		v[f.choiceKey()] = f.choice
	}
	return v
}

// authorizer builds the scheme's Authorizer from the form, as keyhole
// send builds it from the same values given as flags.
func (f form) authorizer() (credentials.Authorizer, error) {
	d := f.desc()
	a, err := d.Build(f.values())
	if err != nil && !namesScheme(err.Error(), d) {
		// Build's own words name the flags too: the status line says which form.
		return nil, fmt.Errorf("%s: %v", d.Title, err)
	}
	return a, err
}

// namesScheme reports whether msg starts by naming d ("basic: ...",
// "api key: ...", "scram: ...").
func namesScheme(msg string, d credentials.Description) bool {
	word, _, ok := strings.Cut(strings.ToLower(msg), ":")
	return ok && word != "" && (strings.HasPrefix(d.Mode, word) || strings.HasPrefix(strings.ToLower(d.Title), word) || strings.HasPrefix(word, d.Mode))
}

func (f *form) SetWidth(w int) {
	for i := range f.fields {
		f.fields[i].in.SetWidth(max(w-f.labelWidth()-4, 4))
	}
}

// formLabel is the width of an overlay's labels and the least of a form's.
const formLabel = 10

// labelWidth is the width of the form's labels: its longest.
func (f form) labelWidth() int {
	w := formLabel
	for _, fl := range f.fields {
		w = max(w, len(fl.label))
	}
	return w
}

func (f form) view(st Styles, on bool) []string {
	if !f.valid() {
		return nil
	}
	title := st.Title
	if on {
		title = st.TitleFocus
	}
	hint := "tab next field, enter on the last sends"
	if cs := f.choices(); cs != nil {
		hint = "ctrl+g " + f.choiceKey() + "; tab next field, enter on " + f.sender() + " sends"
	}
	out := []string{title.Render(f.label()) + " " + st.Muted.Render(hint)}
	w := f.labelWidth()
	for i, fl := range f.fields {
		label := st.Label.Render(padRight(fl.label, w))
		if on && i == f.idx {
			label = st.TitleFocus.Render(padRight(fl.label, w))
		}
		out = append(out, "  "+label+" "+fl.in.View())
	}
	// Lines after the fields are not fields: mouse.go maps line i+1 to field i.
	if cs := f.choices(); cs != nil {
		var others []string
		for _, c := range cs {
			if c.Value != f.choice {
				others = append(others, c.Short)
			}
		}
		out = append(out, "  "+st.Muted.Render("ctrl+g: "+strings.Join(others, ", ")))
	}
	if f.note != "" && f.value("token_url") == "" { // the note says what an empty Token URL does
		out = append(out, "  "+st.Muted.Render(f.note))
	}
	return out
}

func padRight(s string, n int) string {
	if len(s) >= n {
		return s
	}
	return s + strings.Repeat(" ", n-len(s))
}
