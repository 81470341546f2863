package session

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"keyhole/credentials"
	"keyhole/httpclient"
)

// Describe says in plain words what a challenge asks for, e.g.
// "Digest, SHA-256, realm 'x', qop auth or auth-int, nonce is fresh".
func Describe(c httpclient.Challenge) string {
	parts := []string{clean(c.Scheme)}
	realm := func() {
		if r, ok := c.Get("realm"); ok {
			parts = append(parts, "realm '"+clean(r)+"'")
		}
	}
	switch {
	case c.Is("Basic"):
		realm()
		if cs := c.Param("charset"); cs != "" {
			parts = append(parts, clean(strings.ToUpper(cs)))
		}
	case c.Is("Digest"):
		alg := c.Param("algorithm")
		if alg == "" {
			alg = "MD5 (default)"
		}
		parts = append(parts, clean(alg))
		realm()
		if q := c.List("qop"); len(q) > 0 {
			parts = append(parts, "qop "+clean(strings.Join(q, " or ")))
		} else {
			parts = append(parts, "no qop (RFC 2069 style)")
		}
		if strings.EqualFold(c.Param("userhash"), "true") {
			parts = append(parts, "user name hashed")
		}
		if strings.EqualFold(c.Param("stale"), "true") {
			parts = append(parts, "nonce is stale: recompute with the new one")
		} else {
			parts = append(parts, "nonce is fresh")
		}
	case c.Is("Bearer") || c.Is("DPoP"):
		realm()
		if a := c.Param("algs"); a != "" {
			parts = append(parts, "proof algorithms "+clean(a))
		}
		if s := c.Param("scope"); s != "" {
			parts = append(parts, "scope '"+clean(s)+"'")
		}
		if e := c.Param("error"); e != "" {
			parts = append(parts, bearerError(c))
		} else if c.Is("Bearer") {
			parts = append(parts, "wants a token")
		}
		if m := c.Param("resource_metadata"); m != "" {
			parts = append(parts, "metadata at "+clean(m))
		}
	case explainer(c.Scheme) != nil:
		parts = append(parts, explainer(c.Scheme)(c))
	default:
		realm()
		if c.Token68 != "" {
			parts = append(parts, fmt.Sprintf("a %d-byte token (a step of a multi-leg exchange)", len(c.Token68)))
		}
		if !credentials.Supported(c.Scheme) {
			parts = append(parts, "keyhole cannot answer this scheme")
		}
	}
	return strings.Join(parts, ", ")
}

// DescribeVia is Describe for a challenge that came back through proxy (the
// Exchange's Proxy, "" when direct): a proxy's Negotiate asking for a
// ticket names the service it wants one for, HTTP/<the proxy's host>.
func DescribeVia(c httpclient.Challenge, proxy string) string {
	host := proxyHost(proxy)
	if c.Header != httpclient.ProxyAuthenticate || !c.Is("Negotiate") || c.Token68 != "" || host == "" {
		return Describe(c)
	}
	return clean(c.Scheme) + ", " + credentials.ProxyTicketWords(host)
}

// proxyHost is the host of the proxy URL, or "".
func proxyHost(proxy string) string {
	u, err := url.Parse(proxy)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

// explainer is the Explain hook of the scheme's description, or nil.
func explainer(scheme string) func(httpclient.Challenge) string {
	for _, d := range credentials.ForWire(scheme) {
		if d.Explain != nil {
			return d.Explain
		}
	}
	return nil
}

// bearerError says what a Bearer or DPoP error code means.
func bearerError(c httpclient.Challenge) string {
	desc := ""
	if d := c.Param("error_description"); d != "" {
		desc = ": " + clean(d)
	}
	switch e := c.Param("error"); e {
	case "invalid_token":
		if strings.Contains(strings.ToLower(desc), "expir") {
			return "token rejected: expired"
		}
		return "token rejected" + desc
	case "insufficient_scope":
		return "token lacks scope" + desc
	case "invalid_request":
		return "request malformed" + desc
	case "insufficient_user_authentication":
		s := "stronger sign-in needed"
		if v := c.Param("acr_values"); v != "" {
			s += " (acr_values " + clean(v) + ")"
		}
		if v := c.Param("max_age"); v != "" {
			s += " (max_age " + clean(v) + " s)"
		}
		return s
	case "use_dpop_nonce":
		return "proof must carry the server's nonce"
	default:
		return "error " + clean(e) + desc
	}
}

// Strongest returns the index of the strongest challenge keyhole can answer,
// or -1; it is credentials.Preferred, named for the UI's picker.
func Strongest(chs []httpclient.Challenge) int { return credentials.Preferred(chs) }

// Action is something the user can do next, for a button or a command hint.
type Action struct {
	// Kind is one of "pick-scheme", "refresh-token", "ask-scope", "step-up",
	// "retry-with-nonce", "trust-redirect", "clear-cookies", "sign-in",
	// "open-docs", "fetch-metadata", "proxy-credentials", "use-api-key",
	// "use-https", "retry", "send-upfront".
	Kind   string `json:"kind"`
	Label  string `json:"label"`            // in words, for a button or a line of output
	Scheme string `json:"scheme,omitempty"` // for pick-scheme and proxy-credentials; the mode for send-upfront
	URL    string `json:"url,omitempty"`    // for trust-redirect, open-docs, fetch-metadata, sign-in
}

// Explanation is an attempt explained in three parts: what the server wants,
// why the attempt failed, and what to do next.
type Explanation struct {
	Wants []string // each challenge in words
	Why   []Finding
	Next  []Action
}

// Explain explains a's answer for the challenge panel and keyhole explain.
func Explain(a *Attempt) Explanation {
	var e Explanation
	if a == nil {
		return e
	}
	e.Why = a.Findings
	var chs []httpclient.Challenge
	if a.Exchange != nil {
		chs = a.Exchange.Challenges
	}
	for _, c := range chs {
		w := DescribeVia(c, a.Exchange.Proxy)
		if c.Header == httpclient.ProxyAuthenticate {
			w = "proxy: " + w
		}
		e.Wants = append(e.Wants, w)
	}
	add := func(x Action) {
		if !slices.Contains(e.Next, x) {
			e.Next = append(e.Next, x)
		}
	}
	codes := map[string]Finding{}
	for _, f := range a.Findings {
		codes[f.Code] = f
	}
	// Credentials dropped on a redirect are the cause of the 401 that
	// follows, so trusting the hop comes before answering the challenge.
	if _, ok := codes["auth-dropped-on-redirect"]; ok {
		for _, hop := range a.Exchange.Redirects {
			if len(hop.Dropped) > 0 {
				add(Action{Kind: "trust-redirect", Label: "Trust " + clean(origin(hop.To)) + " and resend credentials there", URL: clean(hop.To)})
			}
		}
	}
	switch st := a.Status(); {
	case st == 401 || st == 407:
		if _, stale := codes["digest-stale-nonce"]; stale {
			add(Action{Kind: "retry", Label: "Retry with the new nonce", Scheme: "Digest"})
		}
		for _, i := range pickOrder(chs) {
			c := chs[i]
			if c.Header == httpclient.ProxyAuthenticate {
				add(Action{Kind: "proxy-credentials", Label: "Enter " + clean(c.Scheme) + " proxy credentials", Scheme: c.Scheme})
			} else {
				add(Action{Kind: "pick-scheme", Label: "Answer with " + clean(c.Scheme), Scheme: c.Scheme})
			}
		}
	case st == 0 && a.Exchange != nil && a.Exchange.Err != nil:
		add(Action{Kind: "retry", Label: "Send again"})
	}
	for _, f := range a.Findings {
		if f.Do.Kind != "" {
			add(f.Do)
		}
		switch f.Code {
		case "token-expired", "token-invalid":
			add(Action{Kind: "refresh-token", Label: "Refresh or replace the token", Scheme: "Bearer"})
		case "insufficient-scope":
			label := "Ask for a token with more scope"
			for _, c := range chs {
				if s := c.Param("scope"); s != "" && c.Param("error") == "insufficient_scope" {
					label = "Ask for scope '" + clean(s) + "'"
				}
			}
			add(Action{Kind: "ask-scope", Label: label, Scheme: "Bearer"})
		case "step-up-required":
			add(Action{Kind: "step-up", Label: "Sign in again at the requested level", Scheme: "Bearer"})
		case "dpop-nonce-required":
			add(Action{Kind: "retry-with-nonce", Label: "Retry with the server's DPoP nonce", Scheme: "DPoP"})
		case "login-redirect":
			add(Action{Kind: "clear-cookies", Label: "Clear cookies (a stale session)"})
			add(Action{Kind: "sign-in", Label: "Sign in through the login form", URL: loginURL(a)})
		case "no-challenge":
			add(Action{Kind: "use-api-key", Label: "Send an API key (header, query or cookie)"})
		case "credentials-over-plain-http":
			add(Action{Kind: "use-https", Label: "Switch the URL to https://"})
		case "resource-mismatch":
			// In place of the generic documentation action: the label says
			// what to check even when there is no link to open.
			add(Action{Kind: "open-docs", Label: "The metadata names another resource: check the URL, or the API's docs", URL: f.DocURL})
			continue
		case "resource-metadata":
			for _, c := range chs {
				if m := c.Param("resource_metadata"); m != "" {
					if u := docURL(m); u != "" {
						add(Action{Kind: "fetch-metadata", Label: "Fetch the resource metadata", URL: u})
					}
				}
			}
		}
		if f.DocURL != "" {
			add(Action{Kind: "open-docs", Label: "Open the server's documentation", URL: f.DocURL})
		}
	}
	return e
}

// pickOrder lists the challenges keyhole can answer, strongest first.
func pickOrder(chs []httpclient.Challenge) []int {
	var idx []int
	rest := slices.Clone(chs)
	for {
		i := credentials.Preferred(rest)
		if i < 0 {
			return idx
		}
		for j := range chs {
			if chs[j].Scheme == rest[i].Scheme && chs[j].Header == rest[i].Header && !slices.Contains(idx, j) {
				idx = append(idx, j)
				break
			}
		}
		rest = slices.Delete(rest, i, i+1)
	}
}

// loginURL is where the login page was: the hop that led there, or the final URL.
func loginURL(a *Attempt) string {
	if a.Exchange == nil {
		return ""
	}
	for _, hop := range a.Exchange.Redirects {
		if looksLikeLogin(hop.To) {
			return clean(hop.To)
		}
	}
	if r := a.Exchange.Response; r != nil {
		if loc := r.Header.Get("Location"); loc != "" && looksLikeLogin(loc) {
			return clean(loc)
		}
		return clean(r.URL)
	}
	return ""
}

// TokenDetails takes apart a challenge's or a pasted credential's token
// (NTLM, Negotiate, SCRAM: its scheme's Token hook), one fact a line,
// secrets masked; nil for schemes without one or no token. now is the local
// clock, to compare a server's timestamp with.
func TokenDetails(c httpclient.Challenge, now time.Time) []string {
	for _, d := range credentials.ForWire(c.Scheme) {
		if d.Token != nil {
			return d.Token(c, now)
		}
	}
	return nil
}

// AboutScheme says what a scheme is and what to do about it, from its
// description's About, for keyhole explain; nil for schemes without one.
func AboutScheme(scheme string) []string {
	for _, d := range credentials.ForWire(scheme) {
		if d.About != nil {
			return d.About
		}
	}
	return nil
}
