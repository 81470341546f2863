package ui

import (
	"errors"
	"slices"
	"strings"

	"charm.land/bubbles/v2/textinput"

	"keyhole/credentials"
	"keyhole/httpclient"
)

// field is one input of a credentials form.
type field struct {
	label  string
	def    string // the value a new form starts with
	hint   string // placeholder
	in     textinput.Model
	secret bool // masked unless revealed
}

// form collects the credentials of one kind of answer.
type form struct {
	kind   string // a key of kinds
	fields []field
	idx    int // focused field
}

// kind is one way of answering a challenge: which schemes it answers, the
// fields it asks for, and how they become an Authorizer.
type kind struct {
	label   string   // for the picker and the form's title
	answers []string // lower-cased schemes it answers
	fields  []field
	build   func(v []string) (credentials.Authorizer, error)
}

func plain(label, def string) field { return field{label: label, def: def} }
func secret(label string) field     { return field{label: label, secret: true} }
func hinted(f field, hint string) field {
	f.hint = hint
	return f
}

// kindOrder lists the kinds in the order the picker offers them for one scheme.
var kindOrder = []string{"basic", "digest", "bearer", "oauth-client", "registry"}

// kinds returns every kind keyhole has a form for; a kind is added here once
// credentials/ can answer it.
func kinds() map[string]kind {
	return map[string]kind{
		"basic": {"Basic", []string{"basic"}, []field{plain("User", ""), secret("Password")},
			func(v []string) (credentials.Authorizer, error) {
				return credentials.Basic{User: v[0], Password: v[1]}, nil
			}},
		"digest": {"Digest", []string{"digest"}, []field{plain("User", ""), secret("Password")},
			func(v []string) (credentials.Authorizer, error) {
				if v[0] == "" {
					return nil, errors.New("digest: the user name is empty; type the user name")
				}
				return &credentials.Digest{User: v[0], Password: v[1]}, nil
			}},
		"bearer": {"Bearer token", []string{"bearer"}, []field{secret("Token")},
			func(v []string) (credentials.Authorizer, error) {
				return credentials.Bearer{Token: strings.TrimSpace(v[0])}, nil
			}},
		"oauth-client": {"OAuth 2.0 client credentials", []string{"bearer", "dpop"},
			[]field{hinted(plain("Token URL", ""), "empty: discover it from the challenge"), plain("Client ID", ""),
				secret("Secret"), hinted(plain("Scope", ""), "space-separated, optional")},
			func(v []string) (credentials.Authorizer, error) {
				if strings.TrimSpace(v[1]) == "" {
					return nil, errors.New("oauth: the client ID is empty; type the client ID the authorization server issued")
				}
				return &credentials.OAuth2{Grant: credentials.GrantClientCredentials, TokenURL: strings.TrimSpace(v[0]),
					ClientID: strings.TrimSpace(v[1]), ClientSecret: v[2], Scopes: strings.Fields(v[3])}, nil
			}},
		"registry": {"Registry token", []string{"bearer"},
			[]field{hinted(plain("User", ""), "empty for anonymous"), hinted(secret("Password"), "optional")},
			func(v []string) (credentials.Authorizer, error) {
				return &credentials.RegistryToken{User: strings.TrimSpace(v[0]), Password: v[1]}, nil
			}},
		// An API key answers no challenge: it is offered for every 401, since
		// many APIs challenge with Bearer, or not at all, yet take a key.
		"apikey": {"API key", nil,
			[]field{hinted(plain("Name", ""), "X-API-Key (header), api_key (query, cookie)"), secret("Key"),
				hinted(plain("In", credentials.APIKeyInHeader), "header, query or cookie")},
			func(v []string) (credentials.Authorizer, error) {
				return credentials.APIKey{Name: strings.TrimSpace(v[0]), Value: v[1], In: strings.TrimSpace(v[2])}, nil
			}},
	}
}

// kindsFor lists the kinds that answer ch, in picker order. A Bearer
// challenge naming a service is a registry's (Docker, OCI): its token comes
// from the realm, so the registry kind goes first.
func kindsFor(ch httpclient.Challenge) []string {
	all := kinds()
	var out []string
	for _, k := range kindOrder {
		if slices.Contains(all[k].answers, strings.ToLower(ch.Scheme)) {
			out = append(out, k)
		}
	}
	if i := slices.Index(out, "registry"); i > 0 && ch.Param("service") != "" {
		out = append([]string{"registry"}, slices.Delete(out, i, i+1)...)
	}
	return out
}

// newForm returns the form of kind k, or false when keyhole has none.
func newForm(k string, isDark bool) (form, bool) {
	ti, _ := inputStyles(isDark)
	spec, ok := kinds()[k]
	if !ok {
		return form{}, false
	}
	f := form{kind: k, fields: slices.Clone(spec.fields)}
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
	return f, true
}

func (f *form) setDark(isDark bool) {
	ti, _ := inputStyles(isDark)
	for i := range f.fields {
		f.fields[i].in.SetStyles(ti)
	}
}

func (f form) valid() bool { return len(f.fields) > 0 }

func (f form) last() bool { return f.idx == len(f.fields)-1 }

func (f form) label() string { return kinds()[f.kind].label }

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

// value returns the field called label, or "".
func (f form) value(label string) string {
	for _, fl := range f.fields {
		if fl.label == label {
			return fl.in.Value()
		}
	}
	return ""
}

func (f form) authorizer() (credentials.Authorizer, error) {
	v := make([]string, len(f.fields))
	for i, fl := range f.fields {
		v[i] = fl.in.Value()
	}
	return kinds()[f.kind].build(v)
}

func (f *form) SetWidth(w int) {
	for i := range f.fields {
		f.fields[i].in.SetWidth(max(w-formLabel-4, 4))
	}
}

const formLabel = 10

func (f form) view(st Styles, on bool) []string {
	if !f.valid() {
		return nil
	}
	title := st.Title
	if on {
		title = st.TitleFocus
	}
	out := []string{title.Render(f.label()) + " " + st.Muted.Render("tab next field, enter on the last sends")}
	for i, fl := range f.fields {
		label := st.Label.Render(padRight(fl.label, formLabel))
		if on && i == f.idx {
			label = st.TitleFocus.Render(padRight(fl.label, formLabel))
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
