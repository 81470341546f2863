package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strings"
	"time"

	"keyhole/credentials"
	"keyhole/httpclient"
	"keyhole/session"
)

// givenValue is a credential by field key and where it came from
// (session.Given.Sources).
type givenValue struct{ key, value, source string }

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
	// proxyAuth limits -U to one scheme ("basic", "digest", "ntlm",
	// "negotiate"), as --proxy-auth and curl's --proxy-basic etc. do; "" or
	// "auto" answers what the proxy offers.
	proxyAuth string
	noProxy   string
	// noProxyGiven tells --noproxy '' (no host bypasses the proxy, whatever
	// no_proxy says, as in curl) from no --noproxy at all.
	noProxyGiven bool
	trust        []string
	markSecret   []string
	allowCmd     bool
	// curlValues are --curl's credentials that no flag gives (curlValues).
	curlValues []givenValue
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
	defer o.oauthMore.close()
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

// sendPlan is a validated 'keyhole send': what to send, with what, and the
// limits of the loop.
type sendPlan struct {
	o      *sendOptions
	client *httpclient.Client
	draft  httpclient.Request
	wallet *session.Wallet
	policy session.Policy
}

// noProxyList is --noproxy for session.ProxyFunc: nil when not given.
func (o *sendOptions) noProxyList() *string {
	if !o.noProxyGiven {
		return nil
	}
	return &o.noProxy
}

func prepareSend(o *sendOptions, fs *flagSet, stdin io.Reader, stderr io.Writer) (*sendPlan, error) {
	o.noProxyGiven = fs.Seen("noproxy")
	var base *httpclient.Request
	if o.curl != "" {
		r, err := applyCurl(o, fs, stderr)
		if err != nil {
			return nil, err
		}
		base = r
	}
	if u, err := url.Parse(o.url); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%q is not an http:// or https:// URL; give one such as http://127.0.0.1:8401/basic", o.url)
	}
	draft, err := sendDraft(o, base, stdin)
	if err != nil {
		return nil, err
	}
	tlsConf, err := clientTLS(o)
	if err != nil {
		return nil, err
	}
	var proxy *url.URL
	if o.proxy != "" {
		var userinfo string
		if proxy, userinfo, err = session.ParseProxy(o.proxy); err != nil {
			return nil, fmt.Errorf("-x: %v", err)
		}
		if userinfo != "" && o.proxyUser == "" {
			o.proxyUser = userinfo // answered in the open, as -U, never sent unseen
		}
	} else if u, _ := url.Parse(o.url); !session.BypassProxy(o.noProxy, u.Hostname()) {
		env, _, err := session.EnvProxy(o.url, o.noProxyList())
		if err != nil {
			return nil, err
		}
		if env != nil && env.User != nil && o.proxyUser == "" {
			pw, _ := env.User.Password()
			o.proxyUser = env.User.Username() + ":" + pw // as -x's user info
		}
	}
	p := &sendPlan{o: o, draft: draft, policy: session.Policy{MaxAttempts: o.maxAttempts, TrustRedirects: o.trusted}}
	for _, t := range o.trust {
		origin, err := httpclient.ParseOrigin(t)
		if err != nil {
			return nil, fmt.Errorf("--trust: %v", err)
		}
		p.policy.Trusted = append(p.policy.Trusted, origin)
	}
	// --cert goes to the URL's origin and those trusted; a token endpoint
	// that authenticates the client by it is added by the OAuth client.
	at, _ := httpclient.OriginOfURL(o.url)
	p.client = httpclient.New(httpclient.Options{
		Timeout: o.timeout, FollowRedirects: o.location, TrustRedirects: o.trusted, TLS: tlsConf,
		CertOrigins: append([]httpclient.Origin{at}, p.policy.Trusted...),
		Proxy:       session.ProxyFunc(proxy, o.noProxyList()),
		NewJar:      true, // a login that sets a cookie holds for the retries
		BodyLimit:   bodyLimit(o),
	})
	g, err := given(o, fs, stdin, stderr)
	if err != nil {
		return nil, err
	}
	if configure := g.OAuth; configure != nil {
		g.OAuth = func(oa *credentials.OAuth2) error {
			oa.PresentCertTo = p.client.PresentCertTo
			return configure(oa)
		}
	}
	g.Proxy, g.ClientCert, g.Trusted = p.client.ProxyFor(o.url), session.CertName(tlsConf), p.policy.Trusted
	if p.wallet, err = g.Wallet(); err != nil {
		return nil, errors.New(err.Error() + refusalFlags(err))
	}
	return p, nil
}

// given gathers the credentials of the flags, the profile and ~/.netrc,
// secrets read and missing passwords asked for.
func given(o *sendOptions, fs *flagSet, stdin io.Reader, stderr io.Writer) (*session.Given, error) {
	g := &session.Given{URL: o.url, Values: map[string]string{}, ProxySource: "-U", AllowCommands: o.allowCmd}
	if fs.Seen("auth") || o.curl != "" {
		g.Mode = o.auth
	}
	if o.apiKey != "" {
		name, value, ok := strings.Cut(o.apiKey, "=")
		if !ok || name == "" {
			return nil, errors.New("--api-key wants NAME=VALUE, e.g. --api-key X-API-Key=env:API_KEY")
		}
		g.Values["api_key_name"], g.Values["api_key"] = name, value
	}
	for key, v := range map[string]string{"token": o.token, "api_key_in": o.apiKeyIn, "client_id": o.clientID, "client_secret": o.clientSecret,
		"refresh_token": o.refreshToken, "token_url": o.tokenURL, "scope": o.scope, "grant": o.grant, "aws_sigv4": o.awsSigV4,
		"resource": o.oauthMore.resource, "auth_url": o.oauthMore.authURL, "device_url": o.oauthMore.deviceURL,
		"client_auth": o.oauthMore.clientAuth, "client_key": o.oauthMore.clientKey} {
		if v != "" {
			g.Values[key] = v
		}
	}
	for _, c := range o.curlValues {
		g.Set(c.key, c.value, c.source)
	}
	if o.oauthMore.register != "" {
		g.Values["register"] = o.oauthMore.register
	}
	id, err := o.oauthMore.serve(g.Values["client_id"], stderr)
	if err != nil {
		return nil, err
	}
	if id != "" {
		g.Values["client_id"] = id
	}
	if userKey, passKey, ok := loginKeys(g.Mode, g.Values); o.user != "" && ok {
		user, pass, err := promptPassword("-u", "", o.user, stdin, stderr)
		if err != nil {
			return nil, err
		}
		g.Set(userKey, user, "-u")
		g.Set(passKey, pass, "-u")
	}
	if o.proxyUser != "" {
		user, pass, err := promptPassword("-U", "proxy user", o.proxyUser, stdin, stderr)
		if err != nil {
			return nil, err
		}
		g.ProxyUser, g.ProxyMode = user+":"+pass, o.proxyAuth
	} else if d, ok := credentials.Describe(o.proxyAuth); ok && d.UserOptional() {
		g.ProxyUser, g.ProxyMode = ":", o.proxyAuth // a scheme that needs no user (a Kerberos ticket), as -U : says
	}
	if o.profile != "" {
		if err := g.FromProfile(o.profile); err != nil {
			return nil, errors.New(err.Error() + refusalFlags(err))
		}
	}
	if (o.netrc || o.netrcOptional || o.netrcFile != "") && !fs.Seen("user") {
		path := o.netrcFile
		if path == "" {
			path = credentials.NetrcPath()
		}
		warn := func(w string) { fmt.Fprintln(stderr, "keyhole send: warning:", w) }
		if err := g.FromNetrc(path, o.netrcOptional, warn); err != nil {
			return nil, err
		}
	}
	g.OAuth = func(oa *credentials.OAuth2) error {
		oa.OnDeviceCode = func(code, uri, complete string) {
			fmt.Fprintf(stderr, "To sign in, open %s and enter the code %s\n", httpclient.SafeLine(uri), httpclient.SafeLine(code))
		}
		oa.OnAuthURL = func(u string) { fmt.Fprintf(stderr, "Open this URL to sign in: %s\n", httpclient.SafeLine(u)) }
		oa.OpenBrowser = credentials.SystemBrowser
		return o.oauthMore.apply(oa, o.trust)
	}
	return g, nil
}

// loginKeys are the fields -u's user and password fill for mode, given
// the values v: a scheme's own, as curl reads -u (SigV4's access key and
// secret, Description.CurlLogin), when mode is that scheme or, in auto
// mode, when its curl option's value was given (--aws-sigv4); else "user"
// and "password". ok is false when the scheme takes no user (a bearer
// token).
func loginKeys(mode string, v map[string]string) (user, password string, ok bool) {
	if mode == "" || strings.EqualFold(mode, "auto") {
		for _, d := range credentials.Schemes {
			if d.CurlLogin[0] != "" && d.CurlValue != "" && v[d.CurlValue] != "" {
				return d.CurlLoginKeys()
			}
		}
		return "user", "password", true
	}
	d, _ := credentials.Describe(mode)
	if d.CurlLogin[0] != "" {
		return d.CurlLoginKeys()
	}
	return "user", "password", slices.ContainsFunc(d.Fields, func(f credentials.Field) bool { return f.Flag == "-u" })
}

// sendDraft builds the request from -X, -H, -d and what --curl imported.
func sendDraft(o *sendOptions, base *httpclient.Request, stdin io.Reader) (httpclient.Request, error) {
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
			return draft, fmt.Errorf("header %q is not 'Name: value'; write it as -H 'Name: value'", h)
		}
		if !given[http.CanonicalHeaderKey(name)] {
			draft.Header.Del(name) // -H replaces what --curl set
			given[http.CanonicalHeaderKey(name)] = true
		}
		draft.Header.Add(name, strings.TrimSpace(value))
	}
	session.MarkSecrets(&draft, o.markSecret)
	if o.hasData {
		body, err := readData(o.data, stdin)
		if err != nil {
			return draft, err
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
	return draft, nil
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

// run runs the loop, printing each attempt as it is made, then the outputs
// asked for, and returns the exit status.
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
	if !o.quiet && !o.json {
		if proxy := p.client.ProxyFor(p.draft.URL); proxy != "" {
			out.line("via proxy " + httpclient.SafeLine(proxy))
		}
		p.policy.OnAttempt = out.attempt
	}
	res := s.Run(ctx, p.wallet, p.policy)
	return out.finish(o, s, res, p.wallet, stderr)
}
