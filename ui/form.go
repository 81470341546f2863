package ui

import (
	"errors"
	"slices"
	"strings"
	"sync"

	"charm.land/bubbles/v2/textinput"

	"keyhole/credentials"
	"keyhole/httpclient"
	"keyhole/session"
)

// field is one input of a credentials form.
type field struct {
	label  string
	def    string // the value a new form starts with
	hint   string // placeholder
	in     textinput.Model
	secret bool // masked unless revealed
	extra  bool // optional and after the last needed field: enter skips it when empty
}

// grantField names the fields each OAuth 2.0 grant asks for, in order. The
// fields after Scope are extras (Resource, the grant's own endpoint): enter on
// Scope sends while they are empty, so tab, tab, … enter on Scope sends
// whatever the grant, and tab reaches them when they are wanted.
var grantFields = map[string][]string{
	credentials.GrantClientCredentials: {"Token URL", "Client ID", "Secret", "Scope", "Resource"},
	credentials.GrantAuthorizationCode: {"Token URL", "Client ID", "Secret", "Scope", "Resource", "Auth URL"},
	credentials.GrantDeviceCode:        {"Token URL", "Client ID", "Secret", "Scope", "Resource", "Device URL"},
	credentials.GrantPassword:          {"Token URL", "Client ID", "Secret", "User", "Password", "Scope", "Resource"},
	credentials.GrantRefreshToken:      {"Token URL", "Client ID", "Secret", "Refresh", "Scope", "Resource"},
}

// grants lists the grants in the order ctrl+g cycles through them.
var grants = []string{credentials.GrantClientCredentials, credentials.GrantAuthorizationCode,
	credentials.GrantDeviceCode, credentials.GrantPassword, credentials.GrantRefreshToken}

var grantLabels = map[string]string{
	credentials.GrantClientCredentials: "client credentials",
	credentials.GrantAuthorizationCode: "authorization code + PKCE",
	credentials.GrantDeviceCode:        "device code",
	credentials.GrantPassword:          "password — deprecated (RFC 9700)",
	credentials.GrantRefreshToken:      "refresh token",
}

// oauthField is the field called label of an OAuth 2.0 form for grant g.
func oauthField(label, g string) field {
	public := g == credentials.GrantAuthorizationCode || g == credentials.GrantDeviceCode
	switch label {
	case "Token URL":
		return hinted(plain(label, ""), "empty: discover it from the challenge")
	case "Client ID":
		return plain(label, "")
	case "Secret":
		if public {
			return hinted(secret(label), "optional: empty for a public client")
		}
		return secret(label)
	case "User":
		return plain(label, "")
	case "Password":
		return secret(label)
	case "Refresh":
		return hinted(secret(label), "the refresh token to start from")
	case "Resource":
		return extra(hinted(plain(label, ""), "optional: the API the token is for (RFC 8707)"))
	case "Auth URL":
		return extra(hinted(plain(label, ""), "empty: discover the authorization endpoint"))
	case "Device URL":
		return extra(hinted(plain(label, ""), "empty: discover the device endpoint"))
	}
	return hinted(plain("Scope", ""), "space-separated, optional")
}

// form collects the credentials of one kind of answer.
type form struct {
	kind   string // a key of kinds
	fields []field
	idx    int    // focused field
	grant  string // the OAuth 2.0 grant, for kind "oauth-client"
	dpop   bool   // answering a DPoP challenge: bind the token to a key (RFC 9449)
	status int    // the status it answers: 401 for the server, 407 for a proxy
	note   string // a line under the fields: where endpoints come from
	hints  map[string]string
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
func extra(f field) field {
	f.extra = true
	return f
}
func hinted(f field, hint string) field {
	f.hint = hint
	return f
}

// kindOrder lists the kinds in the order the picker offers them for one scheme.
var kindOrder = []string{"basic", "digest", "ntlm", "negotiate", "bearer", "oauth-client", "registry"}

// kinds returns every kind keyhole has a form for; a kind is added here once
// credentials/ can answer it.
// kinds returns the table of credential forms. It is built once: the picker
// and form consult it on every frame.
var kinds = sync.OnceValue(buildKinds)

func buildKinds() map[string]kind {
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
		// NTLM and Negotiate run their legs on one connection inside the
		// loop (credentials.Handshaker): the form asks only who you are.
		"ntlm": {"NTLM", []string{"ntlm"}, []field{hinted(plain("User", ""), `DOMAIN\user or user@domain`), secret("Password")},
			func(v []string) (credentials.Authorizer, error) {
				n := &credentials.NTLM{User: strings.TrimSpace(v[0]), Password: v[1]}
				return n, n.Validate()
			}},
		"negotiate": {"Negotiate (Kerberos)", []string{"negotiate"},
			[]field{hinted(plain("User", ""), "empty: the ticket from kinit"), hinted(secret("Password"), "for NTLM inside Negotiate, or user@REALM's login")},
			func(v []string) (credentials.Authorizer, error) {
				n := &credentials.Negotiate{User: strings.TrimSpace(v[0]), Password: v[1]}
				if n.User != "" {
					n.NTLM = &credentials.NTLM{User: n.User, Password: n.Password}
				}
				return n, nil
			}},
		"bearer": {"Bearer token", []string{"bearer"}, []field{secret("Token")},
			func(v []string) (credentials.Authorizer, error) {
				return credentials.Bearer{Token: strings.TrimSpace(v[0])}, nil
			}},
		// The OAuth 2.0 form changes its fields with the grant (ctrl+g), so
		// it is built from labels by form.oauth, not from v.
		"oauth-client": {"OAuth 2.0", []string{"bearer", "dpop"}, oauthFields(credentials.GrantClientCredentials), nil},
		"registry": {"Registry token", []string{"bearer"},
			[]field{hinted(plain("User", ""), "empty for anonymous"), hinted(secret("Password"), "optional")},
			func(v []string) (credentials.Authorizer, error) {
				return &credentials.RegistryToken{User: strings.TrimSpace(v[0]), Password: v[1]}, nil
			}},
		// AWS SigV4 answers no challenge either (AWS sends 403 XML): offered
		// beside the API key, signed with the AWS SDK's signer.
		"aws-sigv4": {"AWS SigV4", nil,
			[]field{plain("Access key", ""), secret("Secret key"), hinted(secret("Session"), "session token, optional"),
				hinted(plain("Region", ""), "e.g. us-east-1"), hinted(plain("Service", ""), "e.g. s3, execute-api")},
			func(v []string) (credentials.Authorizer, error) {
				s := credentials.SigV4{AccessKey: strings.TrimSpace(v[0]), SecretKey: v[1], SessionToken: strings.TrimSpace(v[2]),
					Region: strings.TrimSpace(v[3]), Service: strings.TrimSpace(v[4])}
				if s.AccessKey == "" || s.SecretKey == "" || s.Region == "" || s.Service == "" {
					return nil, errors.New("aws-sigv4: access key, secret key, region and service are all needed")
				}
				return s, nil
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

// kindsFor lists the kinds that answer ch, in picker order. A registry's
// Bearer challenge (Docker, OCI; session.IsRegistryChallenge, the rule
// keyhole send answers by) gets its token from the realm, so the registry
// kind goes first.
func kindsFor(ch httpclient.Challenge) []string {
	all := kinds()
	var out []string
	for _, k := range kindOrder {
		if slices.Contains(all[k].answers, strings.ToLower(ch.Scheme)) {
			out = append(out, k)
		}
	}
	if i := slices.Index(out, "registry"); i > 0 && session.IsRegistryChallenge(ch) {
		out = append([]string{"registry"}, slices.Delete(out, i, i+1)...)
	}
	return out
}

// newForm returns the form of kind k, or false when keyhole has none.
func newForm(k string, isDark bool) (form, bool) {
	spec, ok := kinds()[k]
	if !ok {
		return form{}, false
	}
	f := form{kind: k, fields: slices.Clone(spec.fields)}
	f.init(isDark)
	return f, true
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
func (f form) mode() string {
	switch {
	case f.kind == "oauth-client" && f.dpop:
		return "dpop"
	case f.kind == "oauth-client":
		return "oauth2"
	}
	return f.kind
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

func (f form) label() string {
	if f.kind == "oauth-client" {
		l := "OAuth 2.0 · " + grantLabels[f.grantName()]
		if f.dpop {
			l += " · DPoP-bound"
		}
		return l
	}
	return kinds()[f.kind].label
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

// value returns the field called label, or "".
func (f form) value(label string) string {
	for _, fl := range f.fields {
		if fl.label == label {
			return fl.in.Value()
		}
	}
	return ""
}

func oauthFields(g string) []field {
	var out []field
	for _, l := range grantFields[g] {
		out = append(out, oauthField(l, g))
	}
	return out
}

// setGrant switches an OAuth 2.0 form to grant g, keeping what was typed in
// the fields both grants ask for.
func (f *form) setGrant(g string, isDark bool) {
	if f.kind != "oauth-client" {
		return
	}
	old := f.fields
	nf := form{kind: f.kind, fields: oauthFields(g)}
	nf.init(isDark)
	for i := range nf.fields {
		for _, o := range old {
			if o.label == nf.fields[i].label {
				nf.fields[i].in.SetValue(o.in.Value())
			}
		}
	}
	nf.grant, nf.note, nf.hints, nf.dpop, nf.status = g, f.note, f.hints, f.dpop, f.status
	nf.applyHints()
	*f = nf
	f.idx = min(f.idx, len(f.fields)-1)
}

// nextGrant moves an OAuth 2.0 form to the next grant and focuses its first field.
func (f *form) nextGrant(isDark bool) {
	g := grants[(slices.Index(grants, f.grantName())+1)%len(grants)]
	f.setGrant(g, isDark)
	f.focus(0)
}

func (f form) grantName() string {
	if f.grant == "" {
		return credentials.GrantClientCredentials
	}
	return f.grant
}

// applyHints shows the practice lesson's public client values as
// placeholders of the empty fields they belong to.
func (f *form) applyHints() {
	for i := range f.fields {
		if h, ok := f.hints[f.fields[i].label]; ok {
			f.fields[i].in.Placeholder = h
		}
	}
}

// oauth builds the OAuth2 authorizer of the form's grant.
func (f form) oauth() (credentials.Authorizer, error) {
	v := func(l string) string { return strings.TrimSpace(f.value(l)) }
	g := f.grantName()
	if v("Client ID") == "" {
		return nil, errors.New("oauth: the client ID is empty; type the client ID the authorization server issued")
	}
	o := &credentials.OAuth2{Grant: g, TokenURL: v("Token URL"), ClientID: v("Client ID"),
		ClientSecret: f.value("Secret"), Scopes: strings.Fields(f.value("Scope")), DPoP: f.dpop,
		Resource: v("Resource"), AuthURL: v("Auth URL"), DeviceURL: v("Device URL")}
	for _, l := range []string{"Resource", "Auth URL", "Device URL"} {
		if err := credentials.CheckEndpointURL(l, v(l), l == "Resource"); err != nil {
			return nil, errors.New("oauth: " + err.Error())
		}
	}
	switch g {
	case credentials.GrantPassword:
		if v("User") == "" {
			return nil, errors.New("oauth: the password grant needs the user name; type it, or pick another grant with ctrl+g")
		}
		o.User, o.Password = v("User"), f.value("Password")
	case credentials.GrantRefreshToken:
		if v("Refresh") == "" {
			return nil, errors.New("oauth: the refresh token grant needs a refresh token; paste one, or pick another grant with ctrl+g")
		}
		o.RefreshToken = v("Refresh")
	}
	return o, nil
}

func (f form) authorizer() (credentials.Authorizer, error) {
	if f.kind == "oauth-client" {
		return f.oauth()
	}
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
	hint := "tab next field, enter on the last sends"
	if f.kind == "oauth-client" {
		hint = "ctrl+g grant; tab next field, enter on Scope sends"
	}
	out := []string{title.Render(f.label()) + " " + st.Muted.Render(hint)}
	for i, fl := range f.fields {
		label := st.Label.Render(padRight(fl.label, formLabel))
		if on && i == f.idx {
			label = st.TitleFocus.Render(padRight(fl.label, formLabel))
		}
		out = append(out, "  "+label+" "+fl.in.View())
	}
	// Lines after the fields are not fields: mouse.go maps line i+1 to field i.
	if f.kind == "oauth-client" {
		short := map[string]string{credentials.GrantClientCredentials: "client", credentials.GrantAuthorizationCode: "code+PKCE",
			credentials.GrantDeviceCode: "device", credentials.GrantPassword: "password", credentials.GrantRefreshToken: "refresh"}
		var others []string
		for _, g := range grants {
			if g != f.grantName() {
				others = append(others, short[g])
			}
		}
		out = append(out, "  "+st.Muted.Render("ctrl+g: "+strings.Join(others, ", ")))
	}
	if f.note != "" && f.value("Token URL") == "" { // the note says what an empty Token URL does
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
