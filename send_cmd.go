package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"time"

	"golang.org/x/term"

	"keyhole/credentials"
	"keyhole/httpclient"
	"keyhole/session"
)

// sendOptions are the flags of 'keyhole send'.
type sendOptions struct {
	url          string
	method       string
	headers      []string
	data         string
	hasData      bool
	user         string
	auth         string
	token        string
	apiKey       string
	apiKeyIn     string
	clientID     string
	clientSecret string
	refreshToken string
	tokenURL     string
	oauthMore    oauthOptions
	scope        string
	grant        string
	awsSigV4     string
	location     bool
	trusted      bool
	cert         string
	key          string
	cacert       string
	insecure     bool
	timeout      time.Duration
	netrc        bool
	// netrcOptional goes on without credentials when the netrc file has no
	// entry for the host; netrcFile replaces ~/.netrc ($NETRC). Either
	// reads the file as --netrc does.
	netrcOptional bool
	netrcFile     string
	fresh         bool
	json          bool
	curl          string
	har           string
	printCurl     bool
	showSecrets   bool
	quiet         bool
	maxAttempts   int
	profile       string
	proxy         string
	proxyUser     string
	noProxy       string
	trust         []string
	markSecret    []string
	// resolved marks flags whose values came from a profile with their
	// secrets already read, so "@..." or "env:..." in a secret is not read again.
	resolved map[string]bool
}

// secret returns the secret value of flag: as given when a profile resolved
// it, otherwise read from TOKEN, env:NAME or @FILE.
func (o *sendOptions) secret(flag, v string) (string, error) {
	if o.resolved[flag] {
		return v, nil
	}
	return secretArg(v)
}

// cmdSend runs 'keyhole send' on the options its flags (fs) were parsed
// into and the positional arguments pos.
func cmdSend(o *sendOptions, fs *flagSet, pos []string, stdin io.Reader, stdout, stderr io.Writer) int {
	switch {
	case len(pos) == 1:
		o.url = pos[0]
	case len(pos) > 1:
		return usageError(stderr, "send", fmt.Errorf("one URL expected, got %d: %q; quote a URL that holds spaces or &", len(pos), pos))
	case o.curl == "":
		return usageError(stderr, "send", errors.New("no URL given; e.g. keyhole send -u alice:wonderland http://127.0.0.1:8401/basic"))
	}
	p, err := prepareSend(o, fs, stdin, stderr)
	if err != nil {
		return usageError(stderr, "send", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if !o.showSecrets {
		// Whatever a server echoes of the secrets sent is printed masked.
		stdout, stderr = httpclient.ScrubWriter(stdout), httpclient.ScrubWriter(stderr)
	}
	return p.run(ctx, stdout, stderr)
}

func usageError(stderr io.Writer, cmd string, err error) int {
	fmt.Fprintf(stderr, "keyhole %s: %v\n", cmd, err)
	return exitUsage
}

// offer is one way to answer: credentials of one scheme.
type offer struct {
	auth credentials.Authorizer
	// preemptive offers are sent with the first request: the scheme has no
	// challenge of its own (API keys, SigV4) or the user named it with --auth.
	preemptive bool
	// proxy offers answer Proxy-Authenticate only; the others answer
	// WWW-Authenticate only, so -u never goes to a proxy nor -U to the server.
	proxy bool
}

// proxyBasic is -U: Basic credentials for the proxy. Basic alone would answer
// whichever Basic challenge came first; these always go in
// Proxy-Authorization and choose the proxy's challenge.
type proxyBasic struct{ credentials.Basic }

func (b proxyBasic) Apply(r *httpclient.Request, _ *httpclient.Challenge) error {
	return b.Basic.Apply(r, &httpclient.Challenge{Scheme: "Basic", Header: httpclient.ProxyAuthenticate})
}

func (b proxyBasic) Choose(chs []httpclient.Challenge) (int, string) {
	for i, c := range chs {
		if c.Header == httpclient.ProxyAuthenticate {
			return i, "the proxy asked for Basic credentials; -U answers it"
		}
	}
	return -1, ""
}

// proxyChoice is the client's proxy from -x and --noproxy; nil leaves it to
// the environment. -x is a fixed proxy, which, unlike HTTP_PROXY, also
// carries requests to loopback addresses, as curl's -x does.
func proxyChoice(o *sendOptions) (func(*http.Request) (*url.URL, error), error) {
	if o.proxy == "" && o.noProxy == "" {
		return nil, nil
	}
	var fixed *url.URL
	if o.proxy != "" {
		raw := o.proxy
		if !strings.Contains(raw, "://") {
			raw = "http://" + raw // curl's default proxy scheme
		}
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" || u.Path != "" && u.Path != "/" {
			return nil, fmt.Errorf("-x %q is not a proxy URL; give one such as http://127.0.0.1:8402", o.proxy)
		}
		switch u.Scheme {
		case "http", "https", "socks5", "socks5h":
		default:
			return nil, fmt.Errorf("-x: keyhole cannot use a %s:// proxy; use http, https, socks5 or socks5h", u.Scheme)
		}
		if u.User != nil {
			// Credentials in the proxy URL would be sent on every request
			// by net/http, unseen by the attempts; answer the 407 with them
			// instead, as with -U.
			if o.proxyUser == "" {
				if pw, ok := u.User.Password(); ok {
					o.proxyUser = u.User.Username() + ":" + pw
				} else {
					o.proxyUser = u.User.Username()
				}
			}
			u.User = nil
		}
		fixed = u
	}
	return func(r *http.Request) (*url.URL, error) {
		if bypassProxy(o.noProxy, r.URL.Hostname()) {
			return nil, nil
		}
		if fixed != nil {
			return fixed, nil
		}
		return http.ProxyFromEnvironment(r)
	}, nil
}

// bypassProxy reports whether host is in the --noproxy list: "*", a host
// name or any name under a domain ("example.com" and ".example.com" both
// match api.example.com), an IP address, or a CIDR block, as curl reads it.
func bypassProxy(list, host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	ip, ipErr := netip.ParseAddr(host)
	for _, e := range strings.Split(list, ",") {
		e = strings.ToLower(strings.Trim(strings.TrimSpace(e), "[]"))
		if e == "" {
			continue
		}
		if e == "*" {
			return true
		}
		if p, err := netip.ParsePrefix(e); err == nil {
			if ipErr == nil && p.Contains(ip.Unmap()) {
				return true
			}
			continue
		}
		e = strings.TrimSuffix(strings.TrimPrefix(e, "."), ".")
		if host == e || strings.HasSuffix(host, "."+e) {
			return true
		}
	}
	return false
}

// certName names the client certificate of c for the attempt lines, by its
// subject's common name, or "" when there is none.
func certName(c *tls.Config) string {
	if c == nil || len(c.Certificates) == 0 {
		return ""
	}
	cert := c.Certificates[0]
	leaf := cert.Leaf
	if leaf == nil && len(cert.Certificate) > 0 {
		leaf, _ = x509.ParseCertificate(cert.Certificate[0])
	}
	if leaf == nil {
		return "client certificate"
	}
	if cn := leaf.Subject.CommonName; cn != "" {
		return "client certificate CN=" + httpclient.SafeLine(cn)
	}
	return "client certificate " + httpclient.SafeLine(leaf.Subject.String())
}

// sendPlan is a validated 'keyhole send': what to send and with what.
type sendPlan struct {
	o      *sendOptions
	client *httpclient.Client
	draft  httpclient.Request
	offers []offer
	// user and password from -u, for a registry token service
	user, password string
	// cert names the client certificate (--cert) offered on https, or ""
	cert string
	// trusted are the --trust origins
	trusted []httpclient.Origin
}

func prepareSend(o *sendOptions, fs *flagSet, stdin io.Reader, stderr io.Writer) (*sendPlan, error) {
	var base *httpclient.Request
	if o.curl != "" {
		r, err := applyCurl(o, fs, stderr)
		if err != nil {
			return nil, err
		}
		base = r
	}
	if o.profile != "" {
		if err := applyProfile(o, fs); err != nil {
			return nil, err
		}
	}
	u, err := url.Parse(o.url)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%q is not an http:// or https:// URL; give one such as http://127.0.0.1:8401/basic", o.url)
	}
	if (o.netrc || o.netrcOptional || o.netrcFile != "") && !fs.Seen("user") {
		path := o.netrcFile
		if path == "" {
			path = credentials.NetrcPath()
		}
		if w := credentials.NetrcWarning(path); w != "" {
			fmt.Fprintln(stderr, "keyhole send: warning:", w)
		}
		b, ok, err := credentials.NetrcLookup(path, u.Host)
		switch {
		case err != nil:
			return nil, err
		case ok:
			o.user = b.User + ":" + b.Password
		case !o.netrcOptional: // as curl's --netrc and --netrc-file
			return nil, fmt.Errorf("--netrc: %s has no entry for %s and no default", path, u.Hostname())
		}
	}
	draft := httpclient.Request{Method: strings.ToUpper(o.method), URL: o.url, Header: http.Header{}}
	if base != nil {
		draft.Header, draft.Body = base.Header.Clone(), base.Body
		if draft.Header == nil {
			draft.Header = http.Header{}
		}
	}
	given := map[string]bool{}
	for _, h := range o.headers {
		name, value, ok := strings.Cut(h, ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			return nil, fmt.Errorf("header %q is not 'Name: value'; write it as -H 'Name: value'", h)
		}
		if !given[http.CanonicalHeaderKey(name)] {
			draft.Header.Del(name) // -H replaces what --curl set
			given[http.CanonicalHeaderKey(name)] = true
		}
		draft.Header.Add(name, strings.TrimSpace(value))
	}
	markSecrets(&draft, o.markSecret)
	if o.hasData {
		body, err := readData(o.data, stdin)
		if err != nil {
			return nil, err
		}
		draft.Body = body
		if draft.Header.Get("Content-Type") == "" {
			draft.Header.Set("Content-Type", "application/x-www-form-urlencoded") // as curl -d does
		}
		if draft.Method == "" {
			draft.Method = http.MethodPost
		}
	}
	if draft.Method == "" {
		draft.Method = http.MethodGet
	}
	tlsConf, err := clientTLS(o)
	if err != nil {
		return nil, err
	}
	proxy, err := proxyChoice(o)
	if err != nil {
		return nil, err
	}
	client := httpclient.New(httpclient.Options{
		Timeout:         o.timeout,
		FollowRedirects: o.location,
		TrustRedirects:  o.trusted,
		TLS:             tlsConf,
		Proxy:           proxy,
		NewJar:          true, // a login that sets a cookie holds for the retries
		BodyLimit:       bodyLimit(o),
	})
	offers, err := buildOffers(o, stdin, stderr)
	if err != nil {
		return nil, err
	}
	if o.proxyUser != "" {
		user, pass, err := promptPassword("-U", "proxy user", o.proxyUser, stdin, stderr)
		if err != nil {
			return nil, err
		}
		b := credentials.Basic{User: user, Password: pass}
		if err := b.Validate(); err != nil {
			return nil, fmt.Errorf("-U: %v", err)
		}
		offers = append(offers, offer{auth: proxyBasic{b}, proxy: true},
			offer{auth: &credentials.Digest{User: user, Password: pass}, proxy: true},
			offer{auth: &credentials.NTLM{User: user, Password: pass}, proxy: true})
	}
	plan := &sendPlan{o: o, client: client, draft: draft, offers: offers, cert: certName(tlsConf)}
	for _, t := range o.trust {
		origin, err := httpclient.ParseOrigin(t)
		if err != nil {
			return nil, fmt.Errorf("--trust: %v", err)
		}
		plan.trusted = append(plan.trusted, origin)
	}
	if o.user != "" {
		// buildOffers asked for a missing password already; read it back
		// from the offers rather than asking twice.
		for _, of := range offers {
			if b, ok := of.auth.(credentials.Basic); ok {
				plan.user, plan.password = b.User, b.Password
			}
		}
	}
	return plan, nil
}

// markSecrets marks the draft's headers, query parameters and cookies named
// by --mark-secret as secrets.
func markSecrets(r *httpclient.Request, names []string) {
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

// bodyLimit is how much of a body to keep. With --quiet and nothing that
// records the attempts, no body is ever shown: the first MiB is plenty for
// the diagnosis (error JSON, a login form), and a big download costs no memory.
func bodyLimit(o *sendOptions) int64 {
	if o.quiet && !o.json && o.har == "" {
		return 1 << 20
	}
	return 0 // the client's default
}

// applyProfile fills the credential flags the user did not give from a saved
// profile; flags on the command line win.
func applyProfile(o *sendOptions, fs *flagSet) error {
	path, err := credentials.DefaultProfilesPath()
	if err != nil {
		return err
	}
	ps, err := credentials.OpenProfiles(path, credentials.NewSecretStore())
	if err != nil {
		return err
	}
	p, ok := ps.Get(o.profile)
	if !ok {
		return fmt.Errorf("no profile called %q; 'keyhole profile list' shows them", o.profile)
	}
	if p.Host != "" {
		// A profile bound to a host must never hand its secrets to another.
		u, err := url.Parse(o.url)
		if err != nil || (!strings.EqualFold(p.Host, u.Host) && !strings.EqualFold(p.Host, u.Hostname())) {
			return fmt.Errorf("profile %s is for %s, not for %q; use a profile for that host or save one", p.Name, p.Host, o.url)
		}
	}
	v, err := ps.Values(p)
	if err != nil {
		return err
	}
	o.resolved = map[string]bool{}
	fill := func(flag string, dst *string, val string) {
		if val != "" && !fs.Seen(flag) {
			*dst = val
			o.resolved[flag] = true
		}
	}
	if v["user"] != "" && !fs.Seen("user") {
		o.user = v["user"] + ":" + v["password"]
	}
	fill("token", &o.token, v["token"])
	if v["api_key"] != "" {
		fill("api-key", &o.apiKey, v["api_key_name"]+"="+v["api_key"])
	}
	fill("api-key-in", &o.apiKeyIn, v["api_key_in"])
	fill("client-id", &o.clientID, v["client_id"])
	fill("client-secret", &o.clientSecret, v["client_secret"])
	fill("token-url", &o.tokenURL, v["token_url"])
	fill("scope", &o.scope, v["scope"])
	fill("grant", &o.grant, v["grant"])
	fill("aws-sigv4", &o.awsSigV4, v["aws_sigv4"])
	if s := p.Scheme; s != "" && !fs.Seen("auth") {
		o.auth = s
	}
	return nil
}

func readData(d string, stdin io.Reader) ([]byte, error) {
	name, ok := strings.CutPrefix(d, "@")
	switch {
	case !ok:
		return []byte(d), nil
	case name == "-":
		b, err := io.ReadAll(stdin)
		if err != nil {
			return nil, fmt.Errorf("cannot read the body from stdin: %v; give it with -d DATA or -d @FILE instead", err)
		}
		return b, nil
	default:
		b, err := os.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("cannot read the body: %v; check the file named by -d @FILE", err)
		}
		return b, nil
	}
}

// secretArg resolves a secret given as TOKEN, env:NAME or @FILE.
func secretArg(v string) (string, error) {
	if name, ok := strings.CutPrefix(v, "@"); ok {
		return credentials.ResolveSecret("file:" + name)
	}
	if credentials.IsReference(v) {
		return credentials.ResolveSecret(v)
	}
	return v, nil
}

func clientTLS(o *sendOptions) (*tls.Config, error) {
	if o.cert == "" && o.key == "" && o.cacert == "" && !o.insecure {
		return nil, nil
	}
	if o.key != "" && o.cert == "" {
		return nil, errors.New("--key needs --cert, the certificate it belongs to")
	}
	return credentials.ClientTLS(o.cert, o.key, o.cacert, o.insecure)
}

// buildOffers turns the credentials given into authorizers, restricted to the
// --auth mode.
func buildOffers(o *sendOptions, stdin io.Reader, stderr io.Writer) ([]offer, error) {
	if o.auth == "none" {
		return nil, nil
	}
	explicit := o.auth != "auto"
	wants := func(mode string) bool { return o.auth == "auto" || o.auth == mode }
	var out []offer
	var user, pass string
	if o.user != "" && (wants("basic") || wants("digest") || wants("oauth2") || wants("ntlm")) {
		var err error
		if user, pass, err = userPassword(o.user, stdin, stderr); err != nil {
			return nil, err
		}
	}
	if o.user != "" && (wants("basic") || wants("digest")) {
		b := credentials.Basic{User: user, Password: pass}
		if err := b.Validate(); err != nil {
			return nil, err
		}
		// Digest first: when a server offers both, Preferred picks Digest
		// anyway, and an explicit --auth digest must wait for its challenge.
		if wants("digest") {
			out = append(out, offer{auth: &credentials.Digest{User: user, Password: pass}})
		}
		if wants("basic") {
			out = append(out, offer{auth: b, preemptive: explicit})
		}
	}
	if o.user != "" && wants("ntlm") {
		// --auth ntlm sends the type 1 right away, as curl --ntlm does.
		out = append(out, offer{auth: &credentials.NTLM{User: user, Password: pass}, preemptive: explicit})
	}
	if o.token != "" && wants("bearer") && !(o.refreshToken != "" && wants("oauth2")) {
		tok, err := o.secret("token", o.token)
		if err != nil {
			return nil, fmt.Errorf("--token: %v", err)
		}
		b := credentials.Bearer{Token: tok}
		if err := b.Validate(); err != nil {
			return nil, err
		}
		out = append(out, offer{auth: b, preemptive: explicit})
	}
	if (o.clientID != "" || o.grant != "" || o.refreshToken != "") && wants("oauth2") {
		oa, err := oauthFlags(o, user, pass, stderr)
		if err != nil {
			return nil, err
		}
		out = append(out, offer{auth: oa, preemptive: explicit})
	}
	if o.apiKey != "" && wants("apikey") {
		name, value, ok := strings.Cut(o.apiKey, "=")
		if !ok || name == "" {
			return nil, errors.New("--api-key wants NAME=VALUE, e.g. --api-key X-API-Key=env:API_KEY")
		}
		value, err := o.secret("api-key", value)
		if err != nil {
			return nil, fmt.Errorf("--api-key: %v", err)
		}
		k := credentials.APIKey{Name: name, Value: value, In: o.apiKeyIn}
		if err := k.Validate(); err != nil {
			return nil, err
		}
		// No challenge asks for an API key, so it goes with the first request.
		out = append(out, offer{auth: k, preemptive: true})
	}
	if o.awsSigV4 != "" && wants("aws-sigv4") {
		provider, region, service := awsScope(o.awsSigV4)
		sv, err := credentials.SigV4FromEnv(provider, region, service)
		if err != nil {
			return nil, fmt.Errorf("--aws-sigv4: %v", err)
		}
		// AWS never challenges; every request is signed.
		out = append(out, offer{auth: sv, preemptive: true})
	}
	if explicit && len(out) == 0 {
		return nil, fmt.Errorf("--auth %s needs its credentials: %s", o.auth, credentialHint(o.auth))
	}
	return out, nil
}

// oauthFlags builds the OAuth 2.0 authorizer from --client-id and friends.
// Without --token-url the token endpoint is discovered from the challenge.
func oauthFlags(o *sendOptions, user, pass string, stderr io.Writer) (*credentials.OAuth2, error) {
	grant := strings.ReplaceAll(o.grant, "-", "_")
	switch grant {
	case "", credentials.GrantClientCredentials, credentials.GrantAuthorizationCode, credentials.GrantDeviceCode, credentials.GrantPassword, credentials.GrantRefreshToken:
	case "device":
		grant = credentials.GrantDeviceCode
	default:
		return nil, fmt.Errorf("--grant %q is not one keyhole runs; use client_credentials, authorization_code, device_code, password or refresh_token", o.grant)
	}
	oa := &credentials.OAuth2{
		Grant:    grant,
		ClientID: o.clientID,
		TokenURL: o.tokenURL,
		Scopes:   strings.Fields(o.scope),
		User:     user,
		Password: pass,
		OnDeviceCode: func(code, uri, complete string) {
			fmt.Fprintf(stderr, "To sign in, open %s and enter the code %s\n", httpclient.SafeLine(uri), httpclient.SafeLine(code))
		},
		OnAuthURL: func(u string) {
			fmt.Fprintf(stderr, "Open this URL to sign in: %s\n", httpclient.SafeLine(u))
		},
		OpenBrowser: credentials.SystemBrowser,
	}
	if o.clientSecret != "" {
		sec, err := o.secret("client-secret", o.clientSecret)
		if err != nil {
			return nil, fmt.Errorf("--client-secret: %v", err)
		}
		oa.ClientSecret = sec
	}
	if o.refreshToken != "" {
		rt, err := o.secret("refresh-token", o.refreshToken)
		if err != nil {
			return nil, fmt.Errorf("--refresh-token: %v", err)
		}
		oa.RefreshToken = rt
		if o.token != "" {
			// --token beside --refresh-token: the token held, used first
			// and refreshed when the server rejects it.
			at, err := o.secret("token", o.token)
			if err != nil {
				return nil, fmt.Errorf("--token: %v", err)
			}
			oa.AccessToken = at
		}
	}
	if err := o.oauthMore.apply(oa, o.trust); err != nil {
		return nil, err
	}
	if grant == credentials.GrantRefreshToken && oa.RefreshToken == "" {
		return nil, errors.New("--grant refresh_token needs --refresh-token")
	}
	if grant == credentials.GrantPassword && user == "" {
		return nil, errors.New("--grant password needs -u USER:PASSWORD")
	}
	return oa, nil
}

// awsScope reads --aws-sigv4 as PROVIDER:REGION:SERVICE, or in curl's
// spelling aws:amz:REGION:SERVICE, which SigV4FromEnv reads itself.
func awsScope(v string) (provider, region, service string) {
	parts := strings.Split(v, ":")
	if len(parts) == 3 && !strings.EqualFold(parts[1], "amz") {
		return parts[0], parts[1], parts[2]
	}
	return v, "", ""
}

func credentialHint(mode string) string {
	switch mode {
	case "basic", "digest":
		return "-u USER[:PASSWORD]"
	case "ntlm":
		return `-u USER:PASSWORD, DOMAIN\USER:PASSWORD or USER@DOMAIN:PASSWORD`
	case "bearer":
		return "--token TOKEN"
	case "apikey":
		return "--api-key NAME=VALUE"
	case "oauth2":
		return "--client-id, --client-secret and --token-url"
	case "aws-sigv4":
		return "--aws-sigv4 PROVIDER:REGION:SERVICE with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY set"
	}
	return "see keyhole send --help"
}

// userPassword splits -u USER[:PASSWORD], asking for the password without
// echo when it is missing and stdin is a terminal.
func userPassword(v string, stdin io.Reader, stderr io.Writer) (string, string, error) {
	return promptPassword("-u", "", v, stdin, stderr)
}

// promptPassword splits USER[:PASSWORD] given to flag, asking for the
// password without echo when it is missing and stdin is a terminal; who
// says whose password it is ("proxy user") when that is not the server's.
func promptPassword(flag, who, v string, stdin io.Reader, stderr io.Writer) (string, string, error) {
	user, pass, ok := strings.Cut(v, ":")
	if ok {
		return user, pass, nil
	}
	f, isFile := stdin.(*os.File)
	if !isFile || !term.IsTerminal(int(f.Fd())) {
		return "", "", fmt.Errorf("%s %s gives no password and stdin is not a terminal to ask on; write %s %s:PASSWORD or use --profile", flag, user, flag, user)
	}
	if who != "" {
		who += " "
	}
	fmt.Fprintf(stderr, "Password for %s%s: ", who, user)
	b, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(stderr)
	if err != nil {
		return "", "", fmt.Errorf("cannot read the password: %v; give it as %s %s:PASSWORD instead", err, flag, user)
	}
	return user, string(b), nil
}

// run sends, answers challenges and retries, prints, and returns the exit status.
func (p *sendPlan) run(ctx context.Context, stdout, stderr io.Writer) int {
	o := p.o
	s := session.New(p.client, p.draft)
	if o.fresh {
		// Each send is a new process, so nothing is cached yet; Forget is
		// the TUI's "clear cached credentials", called so that the two faces
		// mean the same by it as the session learns to keep more.
		s.Forget()
	}
	out := newPrinter(stdout, o.showSecrets)
	out.cert = p.cert
	if !o.quiet && !o.json {
		if proxy := p.client.ProxyFor(p.draft.URL); proxy != "" {
			out.line("via proxy " + httpclient.SafeLine(proxy))
		}
	}

	var auth credentials.Authorizer
	for _, of := range p.offers {
		if of.preemptive {
			auth = of.auth
			break
		}
	}
	tried := map[string]bool{}
	printed := 0
	var sendErr error
	for requests(s) < o.maxAttempts {
		if auth != nil {
			tried[offerKey(auth)] = true
		}
		_, sendErr = s.Send(ctx, auth)
		all := s.Attempts()
		if last := s.Last(); auth != nil && last != nil && last.Status() == 407 && !isProxyOffer(auth) {
			// The proxy stopped the request: the server never saw these
			// credentials, so they are still to be tried once it is passed.
			delete(tried, offerKey(auth))
		}
		if pb, ok := auth.(proxyBasic); ok {
			for _, a := range all[printed:] {
				out.proxyOnly[a] = true
			}
			if last := s.Last(); last != nil && last.Status() != 407 {
				// The proxy took them: from now on they go with every
				// request, whatever answers the server's own challenge.
				d := s.Draft()
				d.Header = d.Header.Clone()
				pb.Apply(&d, nil)
				s.SetDraft(d)
			}
		}
		if !o.quiet && !o.json {
			for _, a := range all[printed:] {
				out.attempt(a)
			}
		}
		printed = len(all)
		last := s.Last()
		if sendErr != nil || last == nil {
			break
		}
		if st := last.Status(); st != 401 && st != 407 {
			break
		}
		next := p.answer(last.Exchange.Challenges, tried)
		if next == nil {
			break
		}
		auth = next
	}

	last := s.Last()
	switch {
	case o.json:
		if err := writeRecords(stdout, s.Attempts(), o.showSecrets); err != nil {
			fmt.Fprintf(stderr, "keyhole send: cannot write JSON: %v\n", err)
		}
	case last == nil:
	case o.quiet:
		out.statusLine(last)
	case sendErr == nil:
		out.body(last)
	}
	if last != nil && last.Status() == 407 && !p.hasProxyOffer() {
		fmt.Fprintln(stderr, "keyhole send: the proxy wants credentials; give the proxy's credentials with -U USER[:PASSWORD] (-u is for the server)")
	}
	if sendErr != nil {
		fmt.Fprintf(stderr, "keyhole send: %s\n", httpclient.SafeLine(sendErr.Error()))
	} else if last.Exchange != nil && last.Exchange.Err != nil && (o.quiet || o.json) {
		fmt.Fprintf(stderr, "keyhole send: %s\n", httpclient.SafeLine(last.Exchange.Err.Error()))
	}
	if o.printCurl && last != nil {
		w := stdout
		if o.json {
			w = stderr // stdout holds one JSON document
		}
		fmt.Fprintln(w, session.Curl(last, o.showSecrets))
	}
	if o.har != "" {
		if err := writeHAR(o.har, s.Attempts(), o.showSecrets); err != nil {
			fmt.Fprintf(stderr, "keyhole send: %v\n", err)
			return exitUsage
		}
	}
	if sendErr != nil {
		return failedAuthStatus(s)
	}
	return exitStatus(last.Status())
}

// requests counts the attempts of the user's request so far: --max-attempts
// bounds them, while token requests made on the way are not counted.
func requests(s *session.Session) int {
	n := 0
	for _, a := range s.Attempts() {
		if a.Purpose == session.PurposeRequest {
			n++
		}
	}
	return n
}

// failedAuthStatus is the exit status when the credentials could not be
// applied: a usage error when nothing went out for them, no answer when a
// token request got none, and an authentication failure when a token or
// metadata request was refused.
func failedAuthStatus(s *session.Session) int {
	all := s.Attempts()
	if len(all) == 0 || all[len(all)-1].Purpose == session.PurposeRequest {
		return exitUsage
	}
	if all[len(all)-1].Status() == 0 {
		return exitNoAnswer
	}
	return exitAuth
}

// answer picks the credentials for the strongest challenge the server offered
// among the schemes the user gave credentials for, skipping schemes already
// rejected: resending credentials the server refused would only repeat the 401.
func (p *sendPlan) answer(chs []httpclient.Challenge, tried map[string]bool) credentials.Authorizer {
	for _, of := range p.offers {
		if oa, ok := of.auth.(*credentials.OAuth2); ok {
			oa.FollowChallenges(chs)
		}
	}
	var usable []httpclient.Challenge
	var auths []credentials.Authorizer
	for _, c := range chs {
		for _, of := range p.offers {
			if of.proxy != (c.Header == httpclient.ProxyAuthenticate) {
				continue
			}
			if c.Is(of.auth.Scheme()) && !tried[offerKey(of.auth)] {
				usable = append(usable, c)
				auths = append(auths, of.auth)
				break
			}
		}
	}
	if len(usable) == 0 {
		return p.registryToken(chs, tried)
	}
	i := credentials.Preferred(usable)
	if i < 0 {
		i = 0
	}
	return auths[i]
}

func (p *sendPlan) hasProxyOffer() bool {
	for _, of := range p.offers {
		if of.proxy {
			return true
		}
	}
	return false
}

func isProxyOffer(a credentials.Authorizer) bool {
	_, ok := a.(proxyBasic)
	return ok
}

// offerKey names an authorizer in the set of those already tried: proxy
// credentials apart from the server's, since a proxy's refusal of -U says
// nothing of -u.
func offerKey(a credentials.Authorizer) string {
	if _, ok := a.(proxyBasic); ok {
		return "proxy " + strings.ToLower(a.Scheme())
	}
	return strings.ToLower(a.Scheme())
}

// registryToken answers a container registry's Bearer challenge (realm is a
// token service URL, with service or scope) in auto mode: the token is
// fetched from the realm, anonymously or with -u, so no --token is needed.
func (p *sendPlan) registryToken(chs []httpclient.Challenge, tried map[string]bool) credentials.Authorizer {
	if p.o.auth != "auto" || p.o.token != "" || tried["bearer"] {
		return nil
	}
	for _, c := range chs {
		realm := c.Param("realm")
		if c.Is("Bearer") && (strings.HasPrefix(realm, "https://") || strings.HasPrefix(realm, "http://")) && (c.Param("service") != "" || c.Param("scope") != "") {
			return &credentials.RegistryToken{User: p.user, Password: p.password, Trusted: p.trusted}
		}
	}
	return nil
}

func exitStatus(status int) int {
	switch {
	case status == 0:
		return exitNoAnswer
	case status < 400:
		return exitOK
	case status == 401 || status == 407:
		return exitAuth
	case status == 403:
		return exitForbidden
	}
	return exitHTTPError
}
