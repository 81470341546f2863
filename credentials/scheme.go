package credentials

import (
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"keyhole/httpclient"
)

// Description is one scheme, described once: the send flags, the profile
// keys, the TUI form, the picker's rank, curl import and export and the
// redaction of what it writes are all driven from it. Adding a scheme is
// adding a Description here (and its Authorizer in its own file).
type Description struct {
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

// ChoiceField returns the index of d's field with Choices, or -1.
func (d Description) ChoiceField() int {
	return slices.IndexFunc(d.Fields, func(f Field) bool { return f.Choices != nil })
}

var userPassword = []Field{
	{Key: "user", Label: "User", Flag: "-u"},
	{Key: "password", Label: "Password", Flag: "-u", Secret: true, Optional: true},
}

var (
	grants = []Choice{
		{GrantClientCredentials, "client credentials", "client"},
		{GrantAuthorizationCode, "authorization code + PKCE", "code+PKCE"},
		{GrantDeviceCode, "device code", "device"},
		{GrantPassword, "password — deprecated (RFC 9700)", "password"},
		{GrantRefreshToken, "refresh token", "refresh"},
	}
)

var oauthFields = []Field{
	{Key: "token_url", Label: "Token URL", Flag: "--token-url", Optional: true, Hint: "empty: discover it from the challenge"},
	// Without a client id, register (RFC 7591) asks the server for one.
	{Key: "client_id", Label: "Client id", Flag: "--client-id", Optional: true},
	{Key: "client_secret", Label: "Client secret", Flag: "--client-secret", Secret: true, Optional: true,
		Hint: "empty for a public client"},
	{Key: "user", Label: "User", Flag: "-u", Optional: true, Borrowed: true, When: []string{GrantPassword}},
	{Key: "password", Label: "Password", Flag: "-u", Secret: true, Optional: true, Borrowed: true, When: []string{GrantPassword}},
	{Key: "refresh_token", Label: "Refresh token", Flag: "--refresh-token", Secret: true, Optional: true,
		Hint: "the refresh token to start from", When: []string{GrantRefreshToken}},
	{Key: "scope", Label: "Scope", Flag: "--scope", Optional: true, Hint: "space-separated, optional"},
	{Key: "grant", Label: "Grant", Flag: "--grant", Optional: true, Choices: grants},
	{Key: "resource", Label: "Resource", Flag: "--resource", Optional: true, Extra: true,
		Hint: "optional: the API the token is for (RFC 8707)"},
	{Key: "auth_url", Label: "Auth URL", Flag: "--auth-url", Optional: true, Extra: true,
		Hint: "empty: discover the authorization endpoint", When: []string{GrantAuthorizationCode}},
	{Key: "device_url", Label: "Device URL", Flag: "--device-url", Optional: true, Extra: true,
		Hint: "empty: discover the device endpoint", When: []string{GrantDeviceCode}},
	{Key: "client_auth", Label: "Client auth", Flag: "--client-auth", Optional: true, Extra: true,
		Hint: "basic, post, private_key_jwt, tls, none (empty: metadata)"},
	{Key: "client_key", Label: "Client key", Flag: "--client-key", Optional: true, Extra: true,
		Hint: "PEM file of the private_key_jwt key (RFC 7523)"},
	{Key: "register", Label: "Register", Flag: "--register", Optional: true, Extra: true,
		Hint: "yes: register keyhole as a client first (RFC 7591)"},
}

// Schemes describes every scheme keyhole can send, in the order a form or
// a menu lists them.
var Schemes = []Description{
	{
		Mode: "basic", Title: "Basic", Wire: "Basic", Rank: 10, Proxy: true, Fields: userPassword,
		Headers: []string{"Authorization"}, Curl: "--basic",
		Build: func(v map[string]string) (Authorizer, error) {
			b := Basic{User: v["user"], Password: v["password"]}
			return b, b.Validate()
		},
		Detail: basicUser,
	},
	{
		Mode: "digest", Title: "Digest", Wire: "Digest", Rank: 30, Challenged: true, Proxy: true, Fields: userPassword,
		Headers: []string{"Authorization"}, Curl: "--digest",
		Build: func(v map[string]string) (Authorizer, error) {
			if err := (Basic{User: v["user"], Password: v["password"]}).Validate(); err != nil {
				return nil, errors.New("digest" + strings.TrimPrefix(err.Error(), "basic"))
			}
			return &Digest{User: v["user"], Password: v["password"]}, nil
		},
		Detail: digestAlgorithm,
	},
	{
		Mode: "bearer", Title: "Bearer token", Wire: "Bearer", Rank: 20,
		Fields:  []Field{{Key: "token", Label: "Token", Flag: "--token", Secret: true}},
		Headers: []string{"Authorization"}, Curl: "--oauth2-bearer",
		Build: func(v map[string]string) (Authorizer, error) {
			b := Bearer{Token: v["token"]}
			return b, b.Validate()
		},
	},
	{
		Mode: "oauth2", Title: "OAuth 2.0", Wire: "Bearer", Rank: 20, Fields: oauthFields,
		Headers: []string{"Authorization"},
		Build:   func(v map[string]string) (Authorizer, error) { return buildOAuth(v, false) },
	},
	{
		Mode: "dpop", Title: "OAuth 2.0, DPoP-bound", Wire: "DPoP", Rank: 25, Named: true, Fields: oauthFields,
		Headers: []string{"Authorization", "DPoP"},
		Build:   func(v map[string]string) (Authorizer, error) { return buildOAuth(v, true) },
	},
	{
		// Offered without a flag (anonymously, or with -u) but only to a
		// registry's challenge, whose realm hands out its tokens.
		Mode: "registry", Title: "Registry token", Wire: "Bearer", Rank: 20, Challenged: true,
		Accepts: IsRegistryChallenge, Offered: registryOffered,
		Fields: []Field{
			{Key: "user", Label: "User", Flag: "-u", Optional: true, Hint: "empty for anonymous"},
			{Key: "password", Label: "Password", Flag: "-u", Secret: true, Optional: true, Hint: "optional"},
		},
		Headers: []string{"Authorization"},
		Build: func(v map[string]string) (Authorizer, error) {
			return &RegistryToken{User: v["user"], Password: v["password"]}, nil
		},
	},
	{
		// NTLM proves the password without sending it, but its answer can
		// be relayed or cracked offline, so it ranks below Digest.
		Mode: "ntlm", Title: "NTLM", Wire: "NTLM", Rank: 27, Proxy: true,
		Fields: []Field{
			{Key: "user", Label: "User", Flag: "-u", Hint: `DOMAIN\user or user@domain`},
			{Key: "password", Label: "Password", Flag: "-u", Secret: true, Optional: true},
		},
		Headers: []string{"Authorization"}, Curl: "--ntlm",
		Explain: ntlmWords, Token: ntlmToken, About: aboutNTLM,
		Build: func(v map[string]string) (Authorizer, error) {
			n := &NTLM{User: v["user"], Password: v["password"]}
			return n, n.Validate()
		},
		Detail: ntlmDetail,
	},
	{
		// Negotiate sends a ticket good for this one service, and no
		// secret at all: it ranks first.
		Mode: "negotiate", Title: "Negotiate (Kerberos)", Wire: "Negotiate", Rank: 35, Proxy: true,
		Fields: []Field{
			{Key: "user", Label: "User", Flag: "-u", Optional: true, Hint: "empty: the ticket from kinit"},
			{Key: "password", Label: "Password", Flag: "-u", Secret: true, Optional: true, Hint: "for NTLM inside Negotiate, or user@REALM's login"},
		},
		Headers: []string{"Authorization"}, Curl: "--negotiate",
		Explain: negotiateWords, Token: negotiateToken, About: aboutNegotiate, Offered: negotiateOffered,
		Unanswered: noTicket,
		Build: func(v map[string]string) (Authorizer, error) {
			n := &Negotiate{User: v["user"], Password: v["password"]}
			if n.User != "" {
				n.NTLM = &NTLM{User: n.User, Password: n.Password}
			}
			return n, nil
		},
		Detail: negotiateDetail,
	},
	{
		Mode: "apikey", Title: "API key", Wire: "APIKey",
		Fields: []Field{
			{Key: "api_key_name", Label: "Name", Flag: "--api-key", Optional: true, Hint: "X-API-Key (header), api_key (query, cookie)"},
			{Key: "api_key", Label: "Key", Flag: "--api-key", Secret: true},
			{Key: "api_key_in", Label: "In", Flag: "--api-key-in", Optional: true, Hint: "header (empty), query or cookie"},
		},
		Headers: []string{"X-API-Key"},
		Build: func(v map[string]string) (Authorizer, error) {
			k := APIKey{Name: v["api_key_name"], Value: v["api_key"], In: v["api_key_in"]}
			return k, k.Validate()
		},
	},
	{
		Mode: "aws-sigv4", Title: "AWS SigV4", Wire: "AWS4-HMAC-SHA256",
		Fields: []Field{
			{Key: "access_key", Label: "Access key", Flag: "AWS_ACCESS_KEY_ID", Optional: true, Hint: "empty: AWS_ACCESS_KEY_ID and the rest"},
			{Key: "secret_key", Label: "Secret key", Flag: "AWS_SECRET_ACCESS_KEY", Secret: true, Optional: true},
			{Key: "session_token", Label: "Session", Flag: "AWS_SESSION_TOKEN", Secret: true, Optional: true, Hint: "session token, optional"},
			{Key: "aws_sigv4", Label: "Scope", Flag: "--aws-sigv4", Hint: "aws:amz:REGION:SERVICE, e.g. aws:amz:us-east-1:s3"},
		},
		Headers: []string{"Authorization", "X-Amz-Security-Token"},
		Curl:    "--aws-sigv4",
		Build: func(v map[string]string) (Authorizer, error) {
			provider, region, service := AWSScope(v["aws_sigv4"])
			if v["access_key"] == "" {
				return SigV4FromEnv(provider, region, service)
			}
			if parts := strings.Split(provider, ":"); region == "" && len(parts) == 4 {
				region, service = parts[2], parts[3] // aws:amz:REGION:SERVICE
			}
			s := SigV4{AccessKey: v["access_key"], SecretKey: v["secret_key"], SessionToken: v["session_token"], Region: region, Service: service}
			return s, s.Validate()
		},
	},
}

// Register adds a scheme's description, from the scheme's own file, so
// that a new scheme touches only its file, its practice lesson, its tests
// and the README: the faces, profiles, the picker and redaction follow.
// Call it from an init function.
func Register(d Description) { Schemes = append(Schemes, d) }

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

// basicUser is the user name of a Basic header value.
func basicUser(value string) string {
	_, b64, _ := strings.Cut(strings.TrimSpace(value), " ")
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
	if err != nil {
		return ""
	}
	user, _, _ := strings.Cut(string(raw), ":")
	return httpclient.SafeLine(user)
}

// digestAlgorithm is the algorithm of a Digest header value ("MD5" when it
// names none, RFC 7616 §3.4).
func digestAlgorithm(value string) string {
	h := map[string][]string{"Www-Authenticate": {value}}
	chs, _ := httpclient.ParseHeader(h, httpclient.WWWAuthenticate)
	if len(chs) == 0 {
		return ""
	}
	if a := chs[0].Param("algorithm"); a != "" {
		return httpclient.SafeLine(a)
	}
	return "MD5"
}

// buildOAuth makes an OAuth 2.0 client from its fields; with dpop its tokens
// are bound to a key (RFC 9449). A refresh token without a grant means the
// refresh_token grant: the user has a refresh token and wants it used.
func buildOAuth(v map[string]string, dpop bool) (Authorizer, error) {
	grant := strings.ReplaceAll(v["grant"], "-", "_")
	switch grant {
	case "":
		if v["refresh_token"] != "" {
			grant = GrantRefreshToken
		}
	case GrantClientCredentials, GrantAuthorizationCode, GrantDeviceCode, GrantPassword, GrantRefreshToken:
	case "device":
		grant = GrantDeviceCode
	default:
		return nil, fmt.Errorf("grant %q is not one keyhole runs; use client_credentials, authorization_code, device_code, password or refresh_token", v["grant"])
	}
	if grant == GrantRefreshToken && v["refresh_token"] == "" {
		return nil, errors.New("the refresh_token grant needs a refresh token (--refresh-token)")
	}
	if grant == GrantPassword && v["user"] == "" {
		return nil, errors.New("the password grant needs the user name and password (-u USER:PASSWORD)")
	}
	if grant == "" && IsClientIDURL(v["client_id"]) && v["client_secret"] == "" {
		grant = GrantAuthorizationCode // a client id metadata document's client is public: it signs a user in
	}
	register := yes(v["register"])
	if v["client_id"] == "" {
		if !register {
			return nil, errors.New("the OAuth 2.0 client needs its client id (--client-id), or register (--register) to register keyhole with the authorization server (RFC 7591)")
		}
		if grant == "" {
			grant = GrantAuthorizationCode // a registered public client signs a user in
		}
	}
	o := &OAuth2{
		Grant: grant, ClientID: v["client_id"], ClientSecret: v["client_secret"], TokenURL: v["token_url"],
		Scopes: strings.Fields(v["scope"]), User: v["user"], Password: v["password"],
		RefreshToken: v["refresh_token"], DPoP: dpop, Register: register,
		Resource: v["resource"], AuthURL: v["auth_url"], DeviceURL: v["device_url"],
	}
	if o.RefreshToken != "" {
		o.AccessToken = v["token"] // the token held, refreshed when refused
	}
	for _, f := range oauthFields {
		if f.Key == "resource" || f.Key == "auth_url" || f.Key == "device_url" {
			if err := CheckEndpointURL(f.Label+" ("+f.Flag+")", v[f.Key], f.Key == "resource"); err != nil {
				return nil, err
			}
		}
	}
	if v["client_auth"] != "" {
		m, err := ClientAuthMethod(v["client_auth"])
		if err != nil {
			return nil, fmt.Errorf("client auth (--client-auth): %v", err)
		}
		o.ClientAuth = m
	}
	if v["client_key"] != "" {
		k, err := LoadClientKey(v["client_key"])
		if err != nil {
			return nil, fmt.Errorf("client key (--client-key): %v", err)
		}
		o.ClientKey = k
		if o.ClientAuth == "" && o.ClientSecret == "" {
			o.ClientAuth = AuthPrivateKeyJWT
		}
	}
	if o.ClientAuth == AuthPrivateKeyJWT && o.ClientKey == nil {
		return nil, errors.New("client auth private_key_jwt needs the client's key (--client-key FILE)")
	}
	return o, nil
}

// yes reads a yes/no field: "yes", "true", "on", "1", as a flag's value.
func yes(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "yes", "y", "true", "on", "1":
		return true
	}
	return false
}

// AWSScope reads PROVIDER:REGION:SERVICE, or in curl's spelling
// aws:amz:REGION:SERVICE, which SigV4FromEnv reads itself.
func AWSScope(v string) (provider, region, service string) {
	parts := strings.Split(v, ":")
	if len(parts) == 3 && !strings.EqualFold(parts[1], "amz") {
		return parts[0], parts[1], parts[2]
	}
	return v, "", ""
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
