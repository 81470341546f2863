package credentials

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"keyhole/httpclient"
)

// Description is one scheme, described once: the send flags, the profile
// keys, the TUI form, the picker's rank, curl import and export and the
// redaction of what it writes are all driven from it. Each scheme's own
// file holds its Authorizer and Registers its Description.
type Description struct {
	// Order places it in a menu, the form's kinds and --auth's list of
	// modes: lower first. Schemes are kept in this order, whatever order
	// the files' init functions run in.
	Order int
	// Mode is the scheme's name for users: --auth MODE, a profile's scheme,
	// the TUI form kind ("basic", "oauth2").
	Mode string
	// Title is its name in a menu or a sentence: "Basic", "OAuth 2.0".
	Title string
	// Wire is the auth-scheme its Authorizer sends and the challenges it
	// answers ("Bearer"); several descriptions may share one.
	Wire string
	// Rank orders offered challenges: the strongest one the user has
	// credentials for is answered first. Schemes that never put a reusable
	// secret on the wire rank above those that do. 0 means no challenge ever
	// asks for it (API keys, AWS SigV4), so it is only sent up front.
	Rank int
	// Challenged schemes cannot be sent before their challenge arrives
	// (Digest needs the nonce, a registry token the realm).
	Challenged bool
	// Proxy schemes also answer a proxy's challenge with the proxy's user
	// and password (-U, curl --proxy-anyauth).
	Proxy bool
	// Named schemes are offered only when the user names them (--auth,
	// the form): their fields are another scheme's too (DPoP-bound tokens
	// from the OAuth client, which turns to DPoP by itself when asked).
	Named bool
	// Fields are what the user fills in, in the order the form asks.
	Fields []Field
	// Headers are the secret request headers its Authorizer writes: the
	// session marks them secret on every request (masking, scrubbing of
	// echoes, stripping on a redirect to another origin).
	Headers []string
	// Curl is the curl option that selects it, "" when curl has none.
	Curl string
	// CurlValue is the key of the field Curl's option fills when the
	// option takes a value (--oauth2-bearer TOKEN: "token"; --aws-sigv4
	// PROVIDER: "aws_sigv4"); "" when it takes none. curl import reads
	// the option, keyhole send takes it as a flag, from this alone.
	CurlValue string
	// CurlLogin are the keys of the fields curl's -u USER:PASSWORD fills
	// when they are not "user" and "password" (SigV4: the access key and
	// the secret key); empty: "user" and "password".
	CurlLogin [2]string
	// CurlArgs writes value, a credential it sent (to a proxy when proxy),
	// as the curl options that make curl compute it again (curl export);
	// it may delete from h the headers curl writes itself. nil, or a nil
	// result: the header is exported as it is.
	CurlArgs func(value string, h http.Header, proxy bool) []CurlOption
	// Build makes the Authorizer from the field values, keyed by Field.Key.
	Build func(v map[string]string) (Authorizer, error)
	// Detail says, from the value it wrote, what tells two credentials of
	// the scheme apart without revealing a secret: the Basic user, the
	// Digest algorithm. nil or "" when nothing does.
	Detail func(value string) string

	// The hooks below let a scheme's own file say what only it knows, so
	// that the loop and the faces stay generic; nil hooks do the default.

	// Explain says what a challenge of the scheme asks for, the words after
	// its name in session.Describe ("type 2 challenge 0123…"); nil: its
	// realm and the size of its token.
	Explain func(ch httpclient.Challenge) string
	// Token takes apart the token or data of a challenge, or of a pasted
	// credential, one fact a line with secrets masked (keyhole explain);
	// now is the local clock, to compare a server's time with. nil: none.
	Token func(ch httpclient.Challenge, now time.Time) []string
	// About says what the scheme is and how to answer it (keyhole explain).
	About []string
	// Offered decides whether what the user gave offers the scheme when
	// no mode names it, and from where ("the Kerberos ticket cache"); nil:
	// when its fields are filled, from the first given.
	Offered func(v map[string]string) (source string, ok bool)
	// Unanswered says why nothing answered the scheme's challenge and
	// what would ("no Kerberos ticket: … run kinit alice@REALM"); "" when
	// there is nothing to add to the findings. keyhole send prints it.
	Unanswered func() string
	// Leg says whether ch, a challenge that answered the value the scheme
	// sent (sent: the header's value), carries the next leg of its
	// exchange rather than a refusal, and the words of its finding.
	Leg func(sent string, ch httpclient.Challenge) (Note, bool)
	// Accepts narrows the challenges of its wire scheme that the scheme
	// answers (a registry token: a Bearer challenge naming a token realm);
	// nil: all of them.
	Accepts func(ch httpclient.Challenge) bool
}

// Field is one value a scheme needs. The TUI's form is made from the
// fields in order: Label, Hint as the placeholder, Secret masked.
type Field struct {
	Key      string // profile key and Build's map key: "user", "client_secret"
	Label    string // in the TUI form: "Client secret"
	Flag     string // keyhole send's flag that gives it: "--client-secret"
	Hint     string // what goes in, or what leaving it empty does
	Secret   bool   // never saved in clear, masked when shown
	Optional bool
	// Extra fields are optional ones the form asks after the others:
	// enter on the field before them sends while they are empty.
	Extra bool
	// Borrowed values belong to another scheme too (-u's user for the
	// OAuth password grant): given alone, they do not offer this one.
	Borrowed bool
	// Choices are the values the field is picked from, not typed (the
	// OAuth 2.0 grant; ctrl+g in the form). The first is the default.
	Choices []Choice
	// When lists the values of the scheme's Choices field for which the
	// field is asked (the grants that need a refresh token); nil: always.
	When []string
}

// Choice is one value of a Field with Choices.
type Choice struct {
	Value string
	Title string // in a sentence: "authorization code + PKCE"
	Short string // in a list of the others: "code+PKCE"
}

// Asked reports whether f is asked when the scheme's choice is choice.
func (f Field) Asked(choice string) bool {
	return f.Choices == nil && (f.When == nil || slices.Contains(f.When, choice))
}

// CurlLoginKeys returns the keys of the fields curl's -u user and password
// fill (CurlLogin, or "user" and "password"); ok is false when d has no
// field for the user, so -u is not its (a bearer token).
func (d Description) CurlLoginKeys() (user, password string, ok bool) {
	user, password = "user", "password"
	if d.CurlLogin[0] != "" {
		user, password = d.CurlLogin[0], d.CurlLogin[1]
	}
	return user, password, slices.ContainsFunc(d.Fields, func(f Field) bool { return f.Key == user })
}

// ChoiceField returns the index of d's field with Choices, or -1.
func (d Description) ChoiceField() int {
	return slices.IndexFunc(d.Fields, func(f Field) bool { return f.Choices != nil })
}

var userPassword = []Field{
	{Key: "user", Label: "User", Flag: "-u"},
	{Key: "password", Label: "Password", Flag: "-u", Secret: true, Optional: true},
}

// Schemes describes every scheme keyhole can send, in the order a form or
// a menu lists them (their Order). Each scheme's file adds its own with
// Register.
var Schemes []Description

// Register adds a scheme's description, from the scheme's own file, so
// that a new scheme touches only its file, its practice lesson, its tests
// and the README: the faces, profiles, the picker and redaction follow.
// Call it from an init function.
// Two schemes with one Mode or one Order are a mistake in the program.
func Register(d Description) {
	for _, o := range Schemes {
		if o.Mode == d.Mode || o.Order == d.Order {
			panic(fmt.Sprintf("credentials.Register: %s (order %d) clashes with %s (order %d)", d.Mode, d.Order, o.Mode, o.Order))
		}
	}
	i, _ := slices.BinarySearchFunc(Schemes, d.Order, func(o Description, order int) int { return o.Order - order })
	Schemes = slices.Insert(Schemes, i, d)
}

// Describe returns the description of mode ("basic"), or false.
func Describe(mode string) (Description, bool) {
	i := slices.IndexFunc(Schemes, func(d Description) bool { return d.Mode == strings.ToLower(mode) })
	if i < 0 {
		return Description{}, false
	}
	return Schemes[i], true
}

// Modes lists the modes in order: the values of --auth besides auto and none.
func Modes() []string {
	out := make([]string, len(Schemes))
	for i, d := range Schemes {
		out[i] = d.Mode
	}
	return out
}

// ForWire returns the descriptions whose Authorizers send wire ("bearer":
// Bearer token, OAuth 2.0 client, Registry token).
func ForWire(wire string) []Description {
	var out []Description
	for _, d := range Schemes {
		if strings.EqualFold(d.Wire, wire) {
			out = append(out, d)
		}
	}
	return out
}

// rank is the highest Rank of the schemes sending wire, 0 for none.
func rank(wire string) int {
	r := 0
	for _, d := range ForWire(wire) {
		r = max(r, d.Rank)
	}
	return r
}

// FieldFlag returns the flag of keyhole send that gives the field key
// ("--token", "-u"; for a field no flag gives, what does:
// "AWS_ACCESS_KEY_ID"), or "" when no scheme has such a field.
func FieldFlag(key string) string {
	for _, d := range Schemes {
		for _, f := range d.Fields {
			if f.Key == key {
				return f.Flag
			}
		}
	}
	return ""
}

// SecretKeys are the field keys whose values are secrets, in any scheme:
// a profile keeps them in the secret store, never in its file.
func SecretKeys() []string {
	var out []string
	for _, d := range Schemes {
		for _, f := range d.Fields {
			if f.Secret && !slices.Contains(out, f.Key) {
				out = append(out, f.Key)
			}
		}
	}
	return out
}

// Carried says in a few words what a credential header carried: its scheme
// and, where the scheme tells credentials apart without a secret, the
// detail ("Basic", "alice"). value is the header's value as sent.
func Carried(value string) (scheme, detail string) {
	scheme, _, _ = strings.Cut(strings.TrimSpace(value), " ")
	for _, d := range ForWire(scheme) {
		if d.Detail != nil {
			return scheme, d.Detail(value)
		}
	}
	return scheme, ""
}

// Unmade marks an Authorizer's error saying that its credential could not
// be made at all (no Kerberos ticket, a KDC that did not answer): nothing
// was refused and nothing secret was sent. The loop sends the request
// without it and says why on the attempt; the faces count it as failed
// authentication, whatever the scheme.
type Unmade interface {
	error
	Unmade()
}

// IsUnmade reports whether err, or an error it wraps, is Unmade.
func IsUnmade(err error) bool {
	var u Unmade
	return errors.As(err, &u)
}

// UserOptional reports whether the scheme can answer without a user name
// (Negotiate: the ticket in the cache), so that -U : or a proxy mode
// alone offers it.
func (d Description) UserOptional() bool {
	for _, f := range d.Fields {
		if f.Key == "user" {
			return f.Optional
		}
	}
	return false
}

// Handshaker is an Authorizer whose scheme takes several legs: NTLM
// (negotiate, challenge, authenticate) and Negotiate when the server answers
// a token with one of its own. session.Run answers the scheme's challenge
// with Apply(r, ch) as for any scheme; when the answer is again a 401 whose
// challenge of the scheme Continues, Run sends the next leg through Apply
// with that challenge, without counting it as a new request or as a refusal.
// A ConnectionBound handshaker needs every leg on one kept-alive HTTP/1.1
// connection (the server authenticates the connection, not the request):
// its Apply puts each leg on its own httpclient.Conn (Request.Conn). Neither
// face knows a scheme has legs; a multi-leg scheme is a Description plus its
// Handshaker.
type Handshaker interface {
	Authorizer
	// Continues reports whether ch, a challenge of the scheme that came
	// back, carries the server's next leg rather than a refusal.
	Continues(ch *httpclient.Challenge) bool
	// ConnectionBound reports whether the legs must share one connection.
	ConnectionBound() bool
}

// Reporter is an Authorizer that learns something from the answer to what
// it sent (SCRAM's Authentication-Info: the server's own proof) and says so;
// session makes each Note a finding of the attempt.
type Reporter interface {
	Authorizer
	Report(resp *httpclient.Response) []Note
}

// Note is one thing a Reporter learned. Severity is "info", "warning" or
// "error", as session's findings have it.
type Note struct{ Code, Severity, Message, Next string }

// MarkWritten marks as secret, on r, the headers the scheme wire's
// descriptions say its Authorizer writes, so that masking, scrubbing and
// redirects treat them as the secrets they are whatever their names.
func MarkWritten(r *httpclient.Request, wire string) {
	for _, d := range ForWire(wire) {
		for _, h := range d.Headers {
			for _, v := range r.Header.Values(h) {
				r.MarkSecret(httpclient.InHeader, h, v)
			}
		}
	}
}
