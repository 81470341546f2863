package session

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"keyhole/credentials"
	"keyhole/httpclient"
)

// Given is what the user gave for one request, before it becomes a Wallet:
// the field values of the schemes (keyed by credentials.Field.Key: "user",
// "password", "token", "client_id", ...), secrets already read, and where
// each came from. keyhole send fills it from its flags, a profile, a curl
// command and ~/.netrc; the order of the offers and which go up front are
// decided here, once.
type Given struct {
	URL string
	// Mode is --auth: "" or "auto" answers what the server offers with
	// whatever was given; "none" sends nothing; a scheme's mode
	// (credentials.Modes) sends only that scheme, up front when it can.
	Mode   string
	Values map[string]string
	// Sources says where a value came from ("profile work", "curl -u");
	// a key without one came from its field's flag ("-u", "--token").
	Sources map[string]string
	// ProxyUser is -U "user:password" for the proxy that Proxy names;
	// ProxySource says where it came from ("-U", "-x user info").
	ProxyUser, ProxySource string
	// ProxyMode limits ProxyUser to one scheme ("basic", "digest", "ntlm",
	// "negotiate"), as curl's --proxy-basic and the like do; "" or "auto"
	// answers the scheme the proxy offers, as --proxy-anyauth.
	ProxyMode  string
	Proxy      string // the proxy's URL, "" when requests go direct
	ClientCert string // names the client certificate offered on https
	Trusted    []httpclient.Origin
	// AllowCommands lets a profile run a cmd: reference this machine has
	// not seen saved (send --allow-cmd; credentials.Profiles.AllowCommands).
	AllowCommands bool
	// OAuth configures an OAuth 2.0 client before use: where a device code
	// or an authorization URL is shown, how a browser is opened.
	OAuth func(*credentials.OAuth2) error
}

// Set records value v for key from source, keeping what is there.
func (g *Given) Set(key, v, source string) {
	if v == "" || g.Values[key] != "" {
		return
	}
	if g.Values == nil {
		g.Values = map[string]string{}
	}
	if g.Sources == nil {
		g.Sources = map[string]string{}
	}
	g.Values[key] = v
	g.Sources[key] = source
}

// source says where key's value came from.
func (g *Given) source(key string) string {
	if s := g.Sources[key]; s != "" {
		return s
	}
	if f := credentials.FieldFlag(key); f != "" {
		return f
	}
	return key
}

// CurlLogin is the Source of the values a curl command's -u gave to
// fields other than "user" and "password" (SigV4's keys): taken as
// typed, as curl takes -u, never read as a secret reference.
const CurlLogin = "curl -u"

// FromProfile fills the values not given from the saved profile name: the
// flags on the command line win. A profile bound to a host is refused for
// another, so its secrets never go there.
func (g *Given) FromProfile(name string) error {
	path, err := credentials.DefaultProfilesPath()
	if err != nil {
		return err
	}
	ps, err := credentials.OpenProfiles(path, credentials.NewSecretStore())
	if err != nil {
		return err
	}
	ps.AllowCommands = g.AllowCommands
	p, ok := ps.Get(name)
	if !ok {
		return fmt.Errorf("no profile called %q; 'keyhole profile list' shows them", name)
	}
	if p.Host != "" {
		at, err := OriginFor(g.URL)
		if err != nil || (!strings.EqualFold(p.Host, at.Host+":"+at.Port) && !strings.EqualFold(p.Host, at.Host)) {
			return fmt.Errorf("profile %s is for %s, not for %q; use a profile for that host or save one", httpclient.SafeLine(p.Name), httpclient.SafeLine(p.Host), g.URL)
		}
	}
	v, err := ps.Values(p)
	if err != nil {
		return err
	}
	if g.Values["user"] == "" && v["user"] != "" {
		g.Set("user", v["user"], "profile "+name)
		g.Set("password", v["password"], "profile "+name)
	}
	for _, key := range slices.Sorted(func(yield func(string) bool) {
		for k := range v {
			if !yield(k) {
				return
			}
		}
	}) {
		if key != "user" && key != "password" {
			g.Set(key, v[key], "profile "+name)
		}
	}
	if g.Mode == "" || g.Mode == "auto" {
		g.Mode = p.Scheme
	}
	return nil
}

// FromNetrc takes the user and password for the URL's host from the netrc
// file at path, unless a user was given; warn is told when the file is
// readable by others. A file without an entry for the host is an error,
// unless optional (curl's --netrc-optional).
func (g *Given) FromNetrc(path string, optional bool, warn func(string)) error {
	if g.Values["user"] != "" {
		return nil
	}
	if w := credentials.NetrcWarning(path); w != "" {
		warn(w)
	}
	at, err := OriginFor(g.URL)
	if err != nil {
		return err
	}
	host := at.Host
	if !slices.Contains([]string{"80", "443"}, at.Port) {
		host += ":" + at.Port
	}
	b, ok, err := credentials.NetrcLookup(path, host)
	if err != nil {
		return err
	}
	if !ok {
		if optional {
			return nil
		}
		return fmt.Errorf("--netrc: %s has no entry for %s and no default", path, at.Host)
	}
	g.Set("user", b.User, "--netrc")
	g.Set("password", b.Password, "--netrc")
	return nil
}

// Wallet turns what was given into offers, each bound to the URL's origin
// (the proxy's for -U), restricted to the mode. Without a mode every scheme
// the values make waits for its challenge, except those no challenge asks
// for (API keys, SigV4), which go up front; with a mode its offer goes up
// front when its scheme can. A container registry's challenge is answered
// with a token from its realm, asked for with -u or anonymously.
func (g *Given) Wallet() (*Wallet, error) {
	mode := strings.ToLower(g.Mode)
	if mode == "" {
		mode = "auto"
	}
	w := &Wallet{ClientCert: g.ClientCert}
	at, err := OriginFor(g.URL)
	if err != nil {
		return nil, err
	}
	if err := g.proxyOffer(w); err != nil {
		return nil, err
	}
	if mode == "none" {
		return w, nil
	}
	if _, ok := credentials.Describe(mode); !ok && mode != "auto" {
		return nil, fmt.Errorf("unknown mode %q; use auto, none or one of %s", mode, strings.Join(credentials.Modes(), ", "))
	}
	v, err := g.resolved()
	if err != nil {
		return nil, err
	}
	// add offers scheme m; from is where: a field key, or words.
	add := func(m string, from string) error {
		if mode != "auto" && mode != m {
			return nil
		}
		d, _ := credentials.Describe(m)
		a, err := d.Build(v)
		if err != nil {
			return g.refused(err, mode == m)
		}
		if o, ok := a.(*credentials.OAuth2); ok && g.OAuth != nil {
			if err := g.OAuth(o); err != nil {
				return err
			}
		}
		if t, ok := a.(interface{ Trust(httpclient.Origin) }); ok {
			for _, o := range g.Trusted { // --trust: a registry's realm may get the password
				t.Trust(o)
			}
		}
		upfront := d.Rank == 0 || mode == m && !d.Challenged
		src := from
		if _, ok := v[from]; ok {
			src = g.source(from)
		}
		w.Add(&Offer{Auth: a, Origin: at, Upfront: upfront, Source: src, Accepts: d.Accepts})
		return nil
	}
	// --token beside --refresh-token is the OAuth client's token held: used
	// first, refreshed when refused, not an offer of its own.
	held := v["token"] != "" && v["refresh_token"] != "" && v["client_id"] != ""
	for _, d := range credentials.Schemes {
		if d.Named && mode != d.Mode || d.Mode == "bearer" && held {
			continue
		}
		// --auth naming a scheme that needs nothing typed offers it as it is:
		// OAuth 2.0 without a client id registers itself where it can.
		src, ok := sourceKey(d, v), filled(d, v) || mode == d.Mode && !slices.ContainsFunc(d.Fields, required)
		if d.Offered != nil { // the scheme decides (Negotiate: a ticket in the cache is enough)
			var from string
			from, ok = d.Offered(v)
			ok = ok || mode == d.Mode
			if from != "" {
				src = from
			}
		}
		if !ok {
			continue
		}
		if err := add(d.Mode, src); err != nil {
			return nil, err
		}
	}
	if mode != "auto" && !w.Given() {
		return nil, fmt.Errorf("--auth %s needs its credentials: %s", mode, needs(mode))
	}
	return w, nil
}

// refused says which value the user gave a scheme refused, by where it came
// from ("-u: the password is not valid UTF-8"), naming the scheme only
// when the user chose it (--auth basic): without --auth keyhole picked
// the scheme, and a scheme the user never typed would mislead.
func (g *Given) refused(err error, chosen bool) error {
	var up *credentials.UserPasswordError
	if !errors.As(err, &up) {
		return err
	}
	if chosen {
		return errors.New(g.source(up.Key) + ": " + up.Error())
	}
	return errors.New(g.source(up.Key) + ": " + up.Words())
}

// resolved returns the values with every secret given as a reference read:
// env:NAME, file:PATH or @PATH, cmd:... (credentials.ResolveSecret). What
// -u gave (a password, SigV4's secret key) is taken as typed, as curl takes
// it, and so is every value of a curl command (a Source that begins
// "curl "): a command pasted from elsewhere must not make keyhole read a
// file or run a program and send what came out. A profile's secrets were
// read when it was opened and are taken as they are.
func (g *Given) resolved() (map[string]string, error) {
	out := maps.Clone(g.Values)
	if out == nil {
		out = map[string]string{}
	}
	for _, key := range credentials.SecretKeys() {
		v, source := out[key], g.Sources[key]
		if v == "" || key == "password" || source == "-u" || strings.HasPrefix(source, "curl ") || strings.HasPrefix(source, "profile ") {
			continue
		}
		if name, ok := strings.CutPrefix(v, "@"); ok {
			v = "file:" + name
		}
		if !credentials.IsReference(v) {
			continue
		}
		s, err := credentials.ResolveSecret(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", g.source(key), err)
		}
		out[key] = s
	}
	return out, nil
}

// CertName names the client certificate of c for the attempt lines
// (Wallet.ClientCert), by its subject's common name, or "" when there is none.
func CertName(c *tls.Config) string {
	if c == nil || len(c.Certificates) == 0 {
		return ""
	}
	cert := c.Certificates[0]
	leaf := cert.Leaf
	if leaf == nil && len(cert.Certificate) > 0 {
		leaf, _ = x509.ParseCertificate(cert.Certificate[0])
	}
	if leaf == nil {
		return "(unreadable)"
	}
	if cn := leaf.Subject.CommonName; cn != "" {
		return "CN=" + httpclient.SafeLine(cn)
	}
	return httpclient.SafeLine(leaf.Subject.String())
}

// filled reports whether v holds what scheme d needs: its fields that are
// not optional, or, when all are, any of them that is its own (-u alone is
// no OAuth 2.0 client).
func filled(d credentials.Description, v map[string]string) bool {
	any, all := false, true
	for _, f := range d.Fields {
		any = any || !f.Borrowed && v[f.Key] != ""
		all = all && (f.Optional || v[f.Key] != "")
	}
	return any && all
}

// required reports whether f must be given.
func required(f credentials.Field) bool { return !f.Optional }

// sourceKey is the field that names where d's offer came from: the first
// it needs, else the first of its own given (--client-id).
func sourceKey(d credentials.Description, v map[string]string) string {
	for _, f := range d.Fields {
		if !f.Optional && v[f.Key] != "" {
			return f.Key
		}
	}
	for _, f := range d.Fields {
		if !f.Borrowed && v[f.Key] != "" {
			return f.Key
		}
	}
	return d.Fields[0].Key
}

// TicketCacheSource is the Source of the Negotiate offer keyhole makes by
// itself when kinit left a ticket: the user gave nothing, so nothing is
// said to be held back when it is not asked for.
const TicketCacheSource = credentials.TicketCacheSource

// proxyOffer adds -U, bound to the proxy's origin. An empty user (-U :) is
// curl's way to say "the Kerberos ticket": only Negotiate answers with it,
// unless a mode names another scheme.
func (g *Given) proxyOffer(w *Wallet) error {
	if g.ProxyUser == "" {
		return nil
	}
	user, pass, _ := strings.Cut(g.ProxyUser, ":")
	// Every scheme that answers a proxy sends the user and password as
	// typed, so they are checked once here, whichever the proxy offers.
	if err := (credentials.Basic{User: user, Password: pass}).Validate(); err != nil {
		var up *credentials.UserPasswordError
		if errors.As(err, &up) {
			return errors.New(g.ProxySource + ": " + up.Words())
		}
		return fmt.Errorf("%s: %v", g.ProxySource, err)
	}
	mode := strings.ToLower(g.ProxyMode)
	if mode == "" {
		mode = "auto"
	}
	if d, ok := credentials.Describe(mode); mode != "auto" && (!ok || !d.Proxy) {
		return fmt.Errorf("%s: keyhole cannot answer a proxy with %q; use %s", g.ProxySource, g.ProxyMode, strings.Join(ProxyModes(), ", "))
	}
	if g.Proxy == "" {
		return nil // no proxy on the way: nothing to answer
	}
	at, err := OriginFor(g.Proxy)
	if err != nil {
		return err
	}
	// The proxy's challenge chooses among the schemes a user and password
	// answer, as curl --proxy-anyauth does.
	for _, d := range credentials.Schemes {
		if !d.Proxy || mode != "auto" && mode != d.Mode || mode == "auto" && user == "" && d.Mode != "negotiate" {
			continue
		}
		a, err := d.Build(map[string]string{"user": user, "password": pass})
		if err != nil {
			return fmt.Errorf("%s: %v", g.ProxySource, err)
		}
		w.Add(&Offer{Auth: AtProxy(a, g.Proxy), Origin: at, Proxy: true, Source: g.ProxySource})
	}
	return nil
}

// needs says which flags give a mode's credentials, from its fields.
func needs(mode string) string {
	d, _ := credentials.Describe(mode)
	var flags []string
	for _, f := range d.Fields {
		if !f.Optional && !slices.Contains(flags, f.Flag) {
			flags = append(flags, f.Flag)
		}
	}
	if mode == "aws-sigv4" {
		return "--aws-sigv4 PROVIDER:REGION:SERVICE with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY set"
	}
	if len(flags) == 0 {
		return "see keyhole send --help"
	}
	return strings.Join(flags, " and ")
}

// MarkSecrets marks the draft's headers, query parameters and cookies named
// by the user (--mark-secret) as secrets, for masking and redirects.
func MarkSecrets(r *httpclient.Request, names []string) {
	u, _ := url.Parse(r.URL)
	for _, name := range names {
		for _, v := range r.Header.Values(name) {
			r.MarkSecret(httpclient.InHeader, name, v)
		}
		if u != nil {
			for _, v := range u.Query()[name] {
				r.MarkSecret(httpclient.InQuery, name, v)
			}
		}
		for _, c := range (&http.Request{Header: r.Header}).Cookies() {
			if c.Name == name {
				r.MarkSecret(httpclient.InCookie, name, c.Value)
			}
		}
	}
}
