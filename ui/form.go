package ui

import (
	"strings"

	"charm.land/bubbles/v2/textinput"

	"keyhole/credentials"
)

// field is one input of a credentials form.
type field struct {
	label  string
	in     textinput.Model
	secret bool // masked unless revealed
}

// form collects the credentials of one scheme.
type form struct {
	scheme string
	fields []field
	idx    int // focused field
	build  func(v []string) credentials.Authorizer
}

// formSpec says which fields a scheme needs and how they become an Authorizer.
type formSpec struct {
	fields []field
	build  func(v []string) credentials.Authorizer
}

func plain(label string) field  { return field{label: label} }
func secret(label string) field { return field{label: label, secret: true} }

// forms by lower-cased scheme. A scheme appears here once credentials/ can answer it.
var forms = map[string]func() formSpec{
	"basic": func() formSpec {
		return formSpec{[]field{plain("User"), secret("Password")}, func(v []string) credentials.Authorizer {
			return credentials.Basic{User: v[0], Password: v[1]}
		}}
	},
	"bearer": func() formSpec {
		return formSpec{[]field{secret("Token")}, func(v []string) credentials.Authorizer {
			return credentials.Bearer{Token: strings.TrimSpace(v[0])}
		}}
	},
}

// newForm returns the form for scheme, or false when keyhole has none.
func newForm(scheme string) (form, bool) {
	mk, ok := forms[strings.ToLower(scheme)]
	if !ok {
		return form{}, false
	}
	spec := mk()
	f := form{scheme: scheme, fields: spec.fields, build: spec.build}
	for i := range f.fields {
		in := textinput.New()
		in.Prompt = ""
		if f.fields[i].secret {
			in.EchoMode = textinput.EchoPassword
			in.EchoCharacter = '•'
		}
		f.fields[i].in = in
	}
	return f, true
}

func (f form) valid() bool { return len(f.fields) > 0 }

func (f form) last() bool { return f.idx == len(f.fields)-1 }

// focus moves the cursor to field i and returns the blink command.
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

func (f form) authorizer() credentials.Authorizer {
	v := make([]string, len(f.fields))
	for i, fl := range f.fields {
		v[i] = fl.in.Value()
	}
	return f.build(v)
}

func (f *form) SetWidth(w int) {
	for i := range f.fields {
		f.fields[i].in.SetWidth(max(w-12, 4))
	}
}

func (f form) view(st Styles, on bool) []string {
	if !f.valid() {
		return nil
	}
	title := st.Title
	if on {
		title = st.TitleFocus
	}
	out := []string{title.Render(safeLine(f.scheme)+" credentials") + " " + st.Muted.Render("enter on the last field sends")}
	for i, fl := range f.fields {
		label := st.Label.Render(padRight(fl.label, 9))
		if on && i == f.idx {
			label = st.TitleFocus.Render(padRight(fl.label, 9))
		}
		out = append(out, "  "+label+" "+fl.in.View())
	}
	return out
}

func padRight(s string, n int) string {
	if len(s) >= n {
		return s
	}
	return s + strings.Repeat(" ", n-len(s))
}
