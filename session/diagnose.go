package session

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"keyhole/credentials"
	"keyhole/httpclient"
)

// Severities of a finding.
const (
	Info    = "info"
	Warning = "warning"
	Error   = "error"
)

// Finding is one thing keyhole concluded from an attempt. It never holds a
// secret, and any text that came from the server is already safe to print.
type Finding struct {
	Code     string // stable, e.g. "credentials-rejected"
	Severity string // Info, Warning or Error
	Message  string // one line in plain words
	Next     string // what to try next, in words true in every face
	DocURL   string // the server's error_uri or resource_documentation, when given
	// Do is the step Next advises when a face can take it for the user;
	// each face names it its own way (keyhole send a flag, the TUI a row
	// or a key). Zero when Next is advice only.
	Do Action
}

// Input is everything Diagnose looks at.
type Input struct {
	Attempt  *Attempt
	Previous *Attempt  // the previous attempt of the same request, or nil
	Now      time.Time // the local clock when the answer arrived
	// Resource is, for a discovery attempt, the URL (or RFC 8707 resource
	// indicator) whose metadata was fetched; "" means the one the
	// well-known metadata URL names (RFC 9728 §3.1).
	Resource string
}

// SkewTolerance is how far two clocks may differ before keyhole calls it clock
// skew: the Date header has one-second resolution and answers take time.
const SkewTolerance = 60 * time.Second

// Diagnose explains an attempt's answer. It is a pure function of its input.
func Diagnose(in Input) []Finding {
	if in.Attempt == nil || in.Attempt.Exchange == nil {
		return nil
	}
	d := &diagnosis{in: in, a: in.Attempt, ex: in.Attempt.Exchange}
	d.request()
	for _, note := range d.ex.Withheld {
		d.add(Finding{Code: "credentials-withheld", Severity: Warning, Message: note})
	}
	if d.ex.Response == nil {
		d.transport()
	} else {
		d.response()
	}
	// A server may echo what it was sent ("wrong password 'hunter2'"); the
	// findings quote servers, so the secrets of this request are masked out.
	secrets := httpclient.SecretValues(d.ex.Request)
	for i := range d.out {
		d.out[i].Message = scrub(d.out[i].Message, secrets)
		d.out[i].Next = scrub(d.out[i].Next, secrets)
	}
	slices.SortStableFunc(d.out, func(x, y Finding) int { return rank(x.Severity) - rank(y.Severity) })
	return d.out
}

func scrub(s string, secrets []string) string {
	for _, x := range secrets {
		if len(x) >= httpclient.MinScrubbed && strings.Contains(s, x) {
			s = strings.ReplaceAll(s, x, credentials.Redacted)
		}
	}
	return s
}

func rank(severity string) int {
	switch severity {
	case Error:
		return 0
	case Warning:
		return 1
	}
	return 2
}

type diagnosis struct {
	in  Input
	a   *Attempt
	ex  *httpclient.Exchange
	out []Finding

	jwtFor string // the token jwtVal was decoded from
	jwtVal *credentials.JWT
}

// jwt decodes tok once per diagnosis; nil when it is not a JWT.
func (d *diagnosis) jwt(tok string) *credentials.JWT {
	if tok == "" || !credentials.LooksLikeJWT(tok) {
		return nil
	}
	if d.jwtFor != tok {
		d.jwtFor, d.jwtVal = tok, nil
		if j, err := credentials.ParseJWT(tok); err == nil {
			d.jwtVal = j
		}
	}
	return d.jwtVal
}

func (d *diagnosis) add(f Finding) {
	if !d.has(f.Code) {
		d.out = append(d.out, f)
	}
}

func (d *diagnosis) has(code string) bool {
	return slices.ContainsFunc(d.out, func(f Finding) bool { return f.Code == code })
}

func (d *diagnosis) header() http.Header {
	if d.ex.Request == nil || d.ex.Request.Header == nil {
		return http.Header{}
	}
	return d.ex.Request.Header
}

// request looks at what was sent, whatever came back.
func (d *diagnosis) request() {
	if d.ex.Request == nil {
		return
	}
	d.sentNTLM()
	u, err := url.Parse(d.ex.Request.URL)
	if err != nil {
		return
	}
	if u.User != nil {
		d.add(Finding{Code: "credentials-in-url", Severity: Warning,
			Message: "The URL carries a user name and password (user:pass@host); they leak into logs and history, and Go turns them into Basic credentials silently.",
			Next:    "Remove them from the URL and enter them as Basic credentials instead."})
	}
	h := d.header()
	if v := h.Get("Authorization"); v != "" {
		if scheme, rest, _ := strings.Cut(v, " "); strings.EqualFold(scheme, "Basic") {
			d.emptyBasic(strings.TrimSpace(rest))
		}
	}
	if what := sentCredentials(h); what != "" || u.User != nil {
		if what == "" {
			what = "URL credentials"
		}
		if u.Scheme == "http" && !isLoopback(u.Hostname()) {
			d.plainHTTP(what, u.Host)
		}
	}
	for _, hop := range d.ex.Redirects {
		if !hop.CredentialsResent {
			continue
		}
		if to, err := url.Parse(hop.To); err == nil && to.Scheme == "http" && !isLoopback(to.Hostname()) {
			d.plainHTTP("credentials", to.Host+" (after a redirect)")
		}
	}
}

func (d *diagnosis) plainHTTP(what, host string) {
	d.add(Finding{Code: "credentials-over-plain-http", Severity: Warning,
		Message: fmt.Sprintf("%s went over plain http to %s: anyone on the path can read or replay them.", what, clean(host)),
		Next:    "Use https:// for this host, and change the secret if it matters."})
}

func (d *diagnosis) emptyBasic(b64 string) {
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return
	}
	user, pass, _ := strings.Cut(string(raw), ":")
	var msg string
	switch {
	case user == "" && pass == "":
		msg = "The Basic credentials are empty: user name and password are both blank ('Basic Og==')."
	case user == "":
		msg = "The Basic credentials have an empty user name."
	case pass == "":
		msg = "The Basic credentials have an empty password."
	default:
		return
	}
	d.add(Finding{Code: "empty-basic-credentials", Severity: Warning, Message: msg,
		Next: "Enter both the user name and the password, then retry."})
}

func (d *diagnosis) transport() {
	err := d.ex.Err
	if err == nil {
		return
	}
	msg, next := transportWords(err)
	d.add(Finding{Code: "transport-error", Severity: Error, Message: "No response: " + msg, Next: next})
}

// transportWords says what a transport failure means and what to try, from
// the client's classification when it has one.
func transportWords(err error) (msg, next string) {
	var te *httpclient.TransportError
	if !errors.As(err, &te) {
		return clean(err.Error()), "Check the URL, the network and the proxy settings, then retry."
	}
	msg = clean(te.Err.Error())
	if te.Hint != "" {
		next = strings.ToUpper(te.Hint[:1]) + te.Hint[1:] + "."
	}
	switch te.Kind {
	case httpclient.KindCancelled:
		next = "The request was cancelled before an answer came; send it again when ready."
	case httpclient.KindTLSClientCert:
		next = "The server wants a client certificate (mTLS): give a certificate and key. " + next
	case httpclient.KindRefused:
		if next == "" { // the hint, when there is one, says it already
			next = "Nothing listens there: check the host and port in the URL."
		}
	}
	if next == "" {
		next = "Check the URL, the network and the proxy settings, then retry."
	}
	return msg, clean(next)
}

func (d *diagnosis) response() {
	resp := d.ex.Response
	if d.ex.Err != nil {
		msg, next := transportWords(d.ex.Err)
		d.add(Finding{Code: "transport-error", Severity: Warning, Message: "The answer arrived but was cut short: " + msg, Next: next})
	}
	d.malformed()
	d.controlHeaders()
	d.redirects()
	tok := sentToken(d.header())
	switch st := resp.Status; {
	case st == 407:
		d.unauthorized(httpclient.ProxyAuthenticate, "Proxy-Authorization")
	case d.a.Purpose == PurposeToken:
		// The client refused, not a resource request: its credentials may
		// be in the form body (client_secret_post, private_key_jwt) and a
		// token endpoint owes no challenge; tokenEndpoint says it all.
	case st == 401:
		d.unauthorized(httpclient.WWWAuthenticate, "Authorization")
	case st == 403:
		if !d.bearerErrors(tok) && !d.aws() {
			d.forbidden()
		}
	case st >= 400 && !d.bearerErrors(tok):
		d.aws()
	}
	d.tokenEndpoint()
	d.metadata()
	d.clock(tok)
	d.success()
}

// challenges returns the parsed challenges of one header.
func (d *diagnosis) challenges(header string) []httpclient.Challenge {
	var out []httpclient.Challenge
	for _, c := range d.ex.Challenges {
		if c.Header == header || (c.Header == "" && header == httpclient.WWWAuthenticate) {
			out = append(out, c)
		}
	}
	return out
}

// controlHeaders explains a response whose headers hold control characters
// (ESC, BEL): Go refuses such an answer, and keyhole read it again leniently
// (httpclient/lenient.go), so it is shown escaped rather than hidden.
func (d *diagnosis) controlHeaders() {
	var names []string
	for name, vs := range d.ex.Response.Header {
		if slices.ContainsFunc(vs, func(v string) bool { return strings.ContainsFunc(v, isCTL) }) {
			names = append(names, clean(name))
		}
	}
	if len(names) == 0 {
		return
	}
	slices.Sort(names)
	d.add(Finding{Code: "header-control-characters", Severity: Warning,
		Message: "The response header " + strings.Join(names, ", ") + " holds control characters (such as ESC or BEL) that could drive a terminal; Go's HTTP parser refuses such an answer, so keyhole read it again as sent and shows it escaped.",
		Next:    "The server is broken or hostile: do not paste its answer into a terminal; report the header to whoever runs it."})
}

func isCTL(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f }

func (d *diagnosis) malformed() {
	var errs []httpclient.Problem
	for _, p := range d.ex.Problems {
		if p.Severity == httpclient.SeverityError {
			errs = append(errs, p)
		}
	}
	if len(errs) == 0 {
		return
	}
	msg := fmt.Sprintf("The challenge header is malformed: %s (byte %d)", clean(errs[0].Message), errs[0].Offset)
	if len(errs) > 1 {
		msg += fmt.Sprintf(", and %d more problem(s)", len(errs)-1)
	}
	d.add(Finding{Code: "malformed-challenge", Severity: Error, Message: msg + ".",
		Next: "keyhole kept what it could parse; answer a recovered scheme, and tell the server's owners the header breaks RFC 9110 §11."})
}

// proxyService names the Kerberos service of the proxy the request went
// through, whose ticket its Negotiate wants: HTTP/<the proxy's host>, not
// the server's (AtProxy gets that one).
func (d *diagnosis) proxyService() string {
	if host := proxyHost(d.ex.Proxy); host != "" {
		return "HTTP/" + clean(host) + " (the proxy's host, not the server's)"
	}
	return "the proxy"
}

func (d *diagnosis) unauthorized(header, credHeader string) {
	offered := d.challenges(header)
	_, hasHeader := d.ex.Response.Header[http.CanonicalHeaderKey(header)]
	h := d.header()
	scheme := sentScheme(h, credHeader)
	proxy := header == httpclient.ProxyAuthenticate
	apiKey := ""
	if !proxy { // an API key is for the server; the proxy never looks at it
		apiKey = apiKeyHeader(h)
		if scheme == "" && d.urlCredentials() {
			scheme = "Basic" // net/http sends URL userinfo as Basic
		}
	}
	if proxy {
		next := "Enter the proxy's credentials; they travel in Proxy-Authorization to the proxy, not to the server."
		var do Action
		for _, c := range offered {
			if c.Is("Negotiate") && do.Kind == "" {
				next += " Its Negotiate takes a Kerberos ticket for " + d.proxyService() + " instead of a password: kinit user@REALM first, then answer Negotiate."
				do = Action{Kind: "proxy-credentials", Label: "Enter " + clean(c.Scheme) + " proxy credentials", Scheme: c.Scheme}
			}
		}
		d.add(Finding{Code: "proxy-auth-required", Severity: Error, Do: do,
			Message: "A proxy between keyhole and the server wants credentials" + aside(strings.Join(nonEmpty("407", offering(offered)), ", ")) + "; the server itself was not reached.",
			Next:    next})
	}
	if len(offered) == 0 && !hasHeader && !proxy {
		d.add(Finding{Code: "no-challenge", Severity: Warning,
			Message: "The server answered 401 without WWW-Authenticate, so it does not say which scheme it wants (RFC 9110 §11.6.1 requires one)." + bodyHint(d.ex.Response),
			Next:    "It most likely expects an API key (a header such as X-API-Key, or a query parameter) or a session cookie; check its documentation."})
	}
	if d.droppedOnRedirect(credHeader) {
		// The answer is from a redirect target that never saw the
		// credentials: they were neither rejected nor missing, and
		// auth-dropped-on-redirect already says why and what to do.
		return
	}
	switch {
	case scheme == "" && apiKey == "":
		if !proxy && !d.negotiateMissing(offered) {
			next := "Pick a scheme it offers and enter credentials."
			if len(offered) == 0 {
				next = "It names no scheme: send what its documentation asks for (an API key, a token, or a guess such as Basic)."
			}
			d.add(Finding{Code: "missing-credentials", Severity: Error,
				Message: "The server wants credentials" + offeredWords(offered) + ", and this request sent none.",
				Next:    next})
		}
	case scheme == "":
		d.add(Finding{Code: "credentials-rejected", Severity: Error,
			Message: "The server refused the request with the " + clean(apiKey) + " header that was sent." + bodyHint(d.ex.Response),
			Next:    "Check the key's value and the header name the API expects (some want a query parameter or Authorization instead)."})
	case len(offered) > 0 && !offers(offered, scheme):
		d.add(Finding{Code: "scheme-mismatch", Severity: Error,
			Message: fmt.Sprintf("%s credentials were sent, but the server offers only %s.", clean(scheme), schemeList(offered)),
			Next:    "Pick one of the offered schemes: " + schemeList(offered) + "."})
	default:
		if tok := sentToken(h); tok != "" && d.bearerErrors(tok) {
			return
		}
		d.rejected(offered, scheme, proxy)
	}
}

// droppedOnRedirect reports whether a redirect hop left credHeader behind,
// so the final answer came from a server that was not sent it.
func (d *diagnosis) droppedOnRedirect(credHeader string) bool {
	for _, hop := range d.ex.Redirects {
		if slices.ContainsFunc(hop.Dropped, func(n string) bool { return strings.EqualFold(n, credHeader) }) {
			return true
		}
	}
	return false
}

// urlCredentials reports whether the request URL carries user:pass@.
func (d *diagnosis) urlCredentials() bool {
	if d.ex.Request == nil {
		return false
	}
	u, err := url.Parse(d.ex.Request.URL)
	return err == nil && u.User != nil
}

// leg explains, with the scheme's Leg hook, a challenge that carries the
// next leg of a multi-leg exchange rather than a refusal (SCRAM's server
// first message). It reports whether it was one.
func (d *diagnosis) leg(ch *httpclient.Challenge, proxy bool) bool {
	header := "Authorization"
	if proxy {
		header = "Proxy-Authorization"
	}
	sent := d.header().Get(header)
	for _, desc := range credentials.ForWire(ch.Scheme) {
		if desc.Leg == nil || sent == "" {
			continue
		}
		if n, ok := desc.Leg(sent, *ch); ok {
			d.out = slices.DeleteFunc(d.out, func(f Finding) bool { return f.Code == "proxy-auth-required" })
			d.add(Finding{Code: n.Code, Severity: n.Severity, Message: clean(n.Message), Next: clean(n.Next)})
			return true
		}
	}
	return false
}

// rejected explains a 401/407 that answered credentials of an offered scheme.
func (d *diagnosis) rejected(offered []httpclient.Challenge, scheme string, proxy bool) {
	who := "server"
	if proxy {
		who = "proxy"
	}
	var ch *httpclient.Challenge
	for i := range offered {
		if offered[i].Is(scheme) {
			ch = &offered[i]
			break
		}
	}
	if ch != nil && (d.leg(ch, proxy) || d.connectionBound(ch, proxy)) {
		return
	}
	if ch != nil && ch.Is("Digest") {
		if strings.EqualFold(ch.Param("stale"), "true") {
			d.add(Finding{Code: "digest-stale-nonce", Severity: Warning,
				Message: "The Digest nonce went stale (stale=true): the password was right, the server wants the answer recomputed with its new nonce.",
				Next:    "Retry: the response is recomputed with the new nonce, no need to ask for the password again."})
			return
		}
		d.add(Finding{Code: "credentials-rejected", Severity: Error,
			Message: "The server sent a new Digest nonce without stale=true: the user name or password (or realm) is wrong." + bodyHint(d.ex.Response),
			Next:    "Check the user name and password (both are case-sensitive) and retry."})
		return
	}
	what := "The " + who + " refused the " + clean(scheme) + " credentials that were sent"
	if d.in.Previous != nil && sameChallenge(d.in.Previous, ch) {
		what += " and asked again with the same challenge"
	}
	next := "Check the user name and password (both are case-sensitive) and retry."
	if !strings.EqualFold(scheme, "Basic") {
		next = "Check the credentials: a wrong, revoked or mistyped " + clean(scheme) + " value; retry with a fresh one."
	}
	d.add(Finding{Code: "credentials-rejected", Severity: Error, Message: what + "." + bodyHint(d.ex.Response), Next: next})
}

// sameChallenge reports whether prev was also answered by a challenge of the
// same scheme and realm as ch.
func sameChallenge(prev *Attempt, ch *httpclient.Challenge) bool {
	if ch == nil || prev.Exchange == nil {
		return false
	}
	for _, c := range prev.Exchange.Challenges {
		if c.Is(ch.Scheme) && c.Param("realm") == ch.Param("realm") {
			return true
		}
	}
	return false
}

func (d *diagnosis) forbidden() {
	msg := "The server understood the request and refuses it (403): authenticated, but not allowed."
	if sentCredentials(d.header()) == "" {
		msg = "The server refuses this request (403) although no credentials were sent; it may want a session cookie or a key, or refuse everyone."
	}
	d.add(Finding{Code: "forbidden", Severity: Error, Message: msg + bodyHint(d.ex.Response),
		Next: "Do not resend the same credentials: use an account or token that has the permission, or read the body for the reason."})
}

// bearerErrors turns the error code of a Bearer or DPoP challenge (RFC 6750
// §3.1, RFC 9470, RFC 9449) into findings. It reports whether it found one.
func (d *diagnosis) bearerErrors(tok string) bool {
	var ch *httpclient.Challenge
	for i, c := range d.ex.Challenges {
		if (c.Is("Bearer") || c.Is("DPoP")) && c.Param("error") != "" {
			ch = &d.ex.Challenges[i]
			break
		}
	}
	if ch == nil {
		return d.jwtRejected(tok)
	}
	code, desc := ch.Param("error"), ch.Param("error_description")
	said := ""
	if desc != "" {
		said = ": " + clean(desc)
	}
	doc := docURL(ch.Param("error_uri"))
	lower := strings.ToLower(desc)
	switch code {
	case "invalid_token":
		switch {
		case strings.Contains(lower, "expir"):
			d.add(Finding{Code: "token-expired", Severity: Error, DocURL: doc,
				Message: "The server says the token expired (invalid_token" + said + ")." + d.expiryWords(tok),
				Next:    "Refresh the token, or get a new one, and retry."})
		case strings.Contains(lower, "not valid yet") || strings.Contains(lower, "not yet valid") || strings.Contains(lower, "before issued"):
			d.add(Finding{Code: "token-not-yet-valid", Severity: Error, DocURL: doc,
				Message: "The server says the token is not valid yet (invalid_token" + said + ").",
				Next:    "Compare the token's nbf and iat with the server's Date: the issuer's clock and the server's disagree; fix the clock or wait."})
		case strings.Contains(lower, "audience") || strings.Contains(lower, " aud"):
			d.add(Finding{Code: "wrong-audience", Severity: Error, DocURL: doc,
				Message: "The server says the token was issued for another audience (invalid_token" + said + ")." + d.audienceWords(tok),
				Next:    "Get a token for this API: ask for it with the API's resource or audience value."})
		default:
			if !d.jwtRejected(tok) {
				d.add(Finding{Code: "token-invalid", Severity: Error, DocURL: doc,
					Message: "The server rejected the token (invalid_token" + said + ").",
					Next:    "Get a new token (refresh it or sign in again), check it was issued for this API, and retry."})
			}
		}
	case "insufficient_scope":
		d.scope(ch, tok, doc)
	case "invalid_request":
		d.add(Finding{Code: "invalid-request", Severity: Error, DocURL: doc,
			Message: "The server says the request is malformed (invalid_request" + said + ").",
			Next:    "Send the token exactly once, in the Authorization header only, with every required parameter."})
	case "insufficient_user_authentication":
		need := ""
		if v := ch.Param("acr_values"); v != "" {
			need += " with acr_values '" + clean(v) + "'"
		}
		if v := ch.Param("max_age"); v != "" {
			need += ", signed in within the last " + clean(v) + " s"
		}
		d.add(Finding{Code: "step-up-required", Severity: Error, DocURL: doc,
			Message: "The token is valid but the sign-in behind it is not strong or recent enough (RFC 9470)" + need + ".",
			Next:    "Sign in again meeting the requested level (the authorization request takes acr_values and max_age), then retry with the new token."})
	case "use_dpop_nonce":
		nonce := ""
		if n := d.ex.Response.Header.Get("DPoP-Nonce"); n != "" {
			nonce = " (DPoP-Nonce: " + clean(n) + ")"
		}
		d.add(Finding{Code: "dpop-nonce-required", Severity: Warning, DocURL: doc,
			Message: "The server wants the DPoP proof to carry the nonce it just sent" + nonce + " (RFC 9449 §9).",
			Next:    "Retry once with a new proof that includes the server's nonce."})
	default:
		d.add(Finding{Code: "token-invalid", Severity: Error, DocURL: doc,
			Message: "The server rejected the token (" + clean(code) + said + ").",
			Next:    "Read the error and the server's documentation; get a new token and retry."})
	}
	return true
}

// jwtRejected explains a rejected JWT from its own claims when the server
// gave no error code. It reports whether it found something.
func (d *diagnosis) jwtRejected(tok string) bool {
	st := d.ex.Response.Status
	j := d.jwt(tok)
	if (st != 401 && st != 403) || j == nil {
		return false
	}
	at := d.serverTime()
	found := false
	if j.ExpiresAt != nil && !j.ExpiresAt.After(at) {
		d.add(Finding{Code: "token-expired", Severity: Error,
			Message: "The token expired " + ago(at.Sub(*j.ExpiresAt)) + " ago by the server's clock (exp " + stamp(*j.ExpiresAt) + ").",
			Next:    "Refresh the token, or get a new one, and retry."})
		found = true
	}
	if j.NotBefore != nil && j.NotBefore.After(at) {
		d.add(Finding{Code: "token-not-yet-valid", Severity: Error,
			Message: "The token is not valid for another " + ago(j.NotBefore.Sub(at)) + " by the server's clock (nbf " + stamp(*j.NotBefore) + ").",
			Next:    "Wait until nbf, or check the issuer's clock; tokens minted ahead of the server's time are refused."})
		found = true
	}
	if w := d.audienceWords(tok); w != "" {
		d.add(Finding{Code: "wrong-audience", Severity: Error, Message: strings.TrimSpace(w),
			Next: "Get a token for this API: ask for it with the API's resource or audience value."})
		found = true
	}
	return found
}

func (d *diagnosis) scope(ch *httpclient.Challenge, tok, doc string) {
	need := strings.Fields(ch.Param("scope"))
	var held []string
	opaque := true
	if j := d.jwt(tok); j != nil {
		held, opaque = j.Scope, false
	}
	var missing []string
	for _, s := range need {
		if !slices.Contains(held, s) {
			missing = append(missing, s)
		}
	}
	msg := "The token does not carry the scope this request needs (insufficient_scope)"
	switch {
	case len(need) == 0:
		msg += "; the server did not say which."
	case opaque:
		msg += "; it needs '" + clean(strings.Join(need, " ")) + "' (the token is opaque, so keyhole cannot see what it holds)."
	default:
		msg += fmt.Sprintf(": missing '%s' (needs '%s', the token has '%s').",
			clean(strings.Join(missing, " ")), clean(strings.Join(need, " ")), clean(strings.Join(held, " ")))
	}
	next := "Ask for a token with the needed scope and retry."
	if len(need) > 0 {
		next = "Ask for a token with scope '" + clean(strings.Join(need, " ")) + "' and retry."
	}
	d.add(Finding{Code: "insufficient-scope", Severity: Error, Message: msg, Next: next, DocURL: doc})
}

// expiryWords adds how long ago a JWT expired, when the token says.
func (d *diagnosis) expiryWords(tok string) string {
	j := d.jwt(tok)
	if j == nil || j.ExpiresAt == nil {
		return ""
	}
	at := d.serverTime()
	if j.ExpiresAt.After(at) {
		return " Its exp (" + stamp(*j.ExpiresAt) + ") is still ahead by the server's clock: the server may check another clock or revoked it."
	}
	return " Its exp was " + ago(at.Sub(*j.ExpiresAt)) + " ago (" + stamp(*j.ExpiresAt) + ")."
}

// audienceWords says when a JWT's aud names URLs none of which is the
// requested origin; audiences that are not URLs cannot be checked.
func (d *diagnosis) audienceWords(tok string) string {
	j := d.jwt(tok)
	if j == nil || d.ex.Request == nil || len(j.Audience) == 0 {
		return ""
	}
	req, err := url.Parse(d.ex.Request.URL)
	if err != nil {
		return ""
	}
	for _, aud := range j.Audience {
		u, err := url.Parse(aud)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			return ""
		}
		if httpclient.SameOrigin(u, req) {
			return ""
		}
	}
	return fmt.Sprintf(" The token's aud is '%s', which does not include %s://%s.",
		clean(strings.Join(j.Audience, " ")), req.Scheme, clean(req.Host))
}

// maxAWSBody bounds the error bodies read as AWS errors; AWS's are a few
// hundred bytes, and a big body is something else.
const maxAWSBody = 64 << 10

// awsFields are the parts of S3's <Error> answer that say more than the code.
type awsFields struct {
	RequestTime    string // the X-Amz-Date the request was signed with
	ServerTime     string
	StringToSign   string // AWS's own, whose scope line can be compared
	AWSAccessKeyId string // S3 names the key it did not know
	Region         string // the bucket's, in AuthorizationHeaderMalformed
}

// aws explains an AWS error answer (credentials.ExplainAWSError reads its
// code): a SigV4 failure has no challenge, so the body is all there is. It
// reports whether it found one.
func (d *diagnosis) aws() bool {
	resp := d.ex.Response
	b := bytes.TrimSpace(resp.Body)
	if len(b) == 0 || len(b) > maxAWSBody || (b[0] != '<' && b[0] != '{') {
		return false
	}
	code, help := credentials.ExplainAWSError(resp.Status, b)
	if code == "" {
		return false
	}
	var x awsFields
	if b[0] == '<' {
		xml.Unmarshal(b, &x) // S3 puts these beside Code; other services leave them empty
	}
	key, scope := d.sentSigV4()
	signed := key != ""
	said := "AWS answered " + code + ": " + help + "."
	f := Finding{Severity: Error, Message: said}
	switch code {
	case "SignatureDoesNotMatch", "IncompleteSignature", "AuthorizationHeaderMalformed":
		f.Code = "aws-signature-mismatch"
		f.Next = "Check the secret key, region and service; the string to sign differs from the one AWS computed."
		if r := clean(x.Region); r != "" {
			f.Next = "Sign for region '" + r + "' (where the bucket is), then retry."
		}
		if w := scopeWords(scope, x.StringToSign); w != "" {
			// The scope says which of help's causes it is; help would repeat it.
			f.Message = "AWS computed another signature than the one sent (" + code + ")." + w
		}
	case "RequestTimeTooSkewed":
		f.Code = "clock-skew"
		f.Message, f.Next = d.awsSkew(code, x)
	case "RequestExpired":
		f.Code = "aws-request-expired"
		f.Next = "Sign the request again now (a presigned URL needs a new one); if it keeps failing, set the clock right."
	case "InvalidAccessKeyId", "InvalidClientTokenId", "UnrecognizedClientException", "InvalidToken":
		f.Code = "aws-invalid-key"
		if key == "" {
			key = x.AWSAccessKeyId
		}
		if key != "" {
			f.Message = "AWS does not know the access key ID " + clean(key) + " (" + code + "): " + help + "."
		}
		f.Next = "Check the access key ID (and session token) against the account's keys, and the endpoint's partition."
	case "ExpiredToken", "ExpiredTokenException":
		f.Code = "aws-token-expired"
		f.Next = "Get new temporary credentials (aws sts get-session-token, or sign in again with SSO) and retry with all three values."
	case "AccessDenied", "AccessDeniedException":
		f.Code = "aws-access-denied"
		if !signed {
			f.Message = "AWS refuses anonymous access (" + code + "): the request was not signed."
			f.Next = "Sign the request with SigV4 (access key, secret key, region and service)."
		} else {
			f.Next = "The signature is fine: use a key whose IAM policy allows this action on this resource, or read the policy that denies it."
		}
	default:
		if !signed {
			return false
		}
		f.Code = "aws-error"
		f.Next = "Read AWS's message and the service's error documentation, then retry."
	}
	d.add(f)
	return true
}

// sentSigV4 returns the access key ID and credential scope of a SigV4
// signature in the Authorization header or, for a presigned URL, the query.
func (d *diagnosis) sentSigV4() (key, scope string) {
	var cred string
	if v := d.header().Get("Authorization"); strings.HasPrefix(v, "AWS4-") {
		_, rest, _ := strings.Cut(v, "Credential=")
		cred, _, _ = strings.Cut(rest, ",")
	} else if d.ex.Request != nil {
		if u, err := url.Parse(d.ex.Request.URL); err == nil {
			cred = u.Query().Get("X-Amz-Credential")
		}
	}
	key, scope, _ = strings.Cut(strings.TrimSpace(cred), "/")
	return key, scope
}

// scopeWords compares the credential scope that was signed with the one in
// AWS's string to sign: a different date, region or service names the
// mistake; the same scope leaves the secret key or a changed request.
func scopeWords(sent, toSign string) string {
	lines := strings.Split(strings.ReplaceAll(toSign, "\r", ""), "\n")
	if sent == "" || len(lines) < 3 {
		return ""
	}
	theirs := strings.TrimSpace(lines[2])
	if theirs == sent {
		return " The credential scope (" + clean(sent) + ") is the one AWS used, so the secret key is wrong or the request changed after signing (a header, the path's encoding, the body)."
	}
	return " AWS signed for the scope " + clean(theirs) + ", the request for " + clean(sent) + "."
}

// awsSkew words RequestTimeTooSkewed with the three clocks involved: when
// this computer's agrees with AWS's, the signature itself is old (an
// imported or replayed request keeps its X-Amz-Date).
func (d *diagnosis) awsSkew(code string, x awsFields) (msg, next string) {
	signedAt, ok := awsTime(x.RequestTime)
	if !ok {
		signedAt, ok = awsTime(d.header().Get("X-Amz-Date"))
	}
	server, sok := awsTime(x.ServerTime)
	if !sok {
		server, sok = d.date()
	}
	msg = "AWS refused the signature's time (" + code + ")"
	if ok && sok {
		msg += ": it was signed at " + stamp(signedAt) + ", AWS's clock said " + stamp(server) + ", " + ago(server.Sub(signedAt)) + " apart; AWS allows 15m."
	} else {
		msg += ": the request's X-Amz-Date is more than 15 minutes from AWS's clock."
	}
	next = "Set this computer's clock right (NTP) and sign again; AWS accepts signatures within 15 minutes of its time."
	if local := d.in.Now; !local.IsZero() && sok {
		off := local.Sub(server)
		if off <= SkewTolerance && off >= -SkewTolerance {
			msg += " This computer's clock (" + stamp(local) + ") agrees with AWS's, so the signature was made at the wrong time."
			next = "Sign the request again now: a replayed or imported signed request keeps its old X-Amz-Date."
		} else {
			side := "ahead of"
			if off < 0 {
				side = "behind"
			}
			msg += " This computer's clock (" + stamp(local) + ") is " + ago(off) + " " + side + " AWS's."
		}
	}
	return msg, next
}

// awsTime reads the times AWS writes: X-Amz-Date's basic ISO 8601, the
// extended form of ServerTime, or an HTTP date.
func awsTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"20060102T150405Z", time.RFC3339, http.TimeFormat} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func (d *diagnosis) redirects() {
	for _, hop := range d.ex.Redirects {
		var dropped []string
		for _, n := range hop.Dropped {
			if strings.EqualFold(n, "Authorization") || strings.EqualFold(n, "Proxy-Authorization") {
				dropped = append(dropped, n)
			}
		}
		if len(dropped) > 0 {
			to := origin(hop.To)
			// When the target then asked for credentials, the drop is the
			// cause of the failure, not a side note.
			sev := Warning
			if st := d.ex.Response.Status; st == 401 || st == 407 {
				sev = Error
			}
			d.add(Finding{Code: "auth-dropped-on-redirect", Severity: sev,
				Message: fmt.Sprintf("%s was not resent after the %d redirect from %s to %s, another origin.",
					strings.Join(dropped, " and "), hop.Status, clean(origin(hop.From)), clean(to)),
				Next: "If you trust " + clean(to) + ", retry with trusted redirects; otherwise send the request to the new URL directly.",
				Do:   Action{Kind: "trust-redirect", Label: "Trust " + clean(to) + " and resend credentials there", URL: clean(hop.To)}})
		}
		if looksLikeLogin(hop.To) {
			d.loginRedirect(hop.To)
		}
	}
	resp := d.ex.Response
	if resp.Status >= 300 && resp.Status < 400 {
		if loc := resp.Header.Get("Location"); loc != "" && looksLikeLogin(loc) {
			d.loginRedirect(loc)
		}
	}
	if resp.Status == 200 && looksLikeLoginForm(resp) {
		d.loginRedirect(resp.URL)
	}
}

func (d *diagnosis) loginRedirect(to string) {
	d.add(Finding{Code: "login-redirect", Severity: Warning,
		Message: "The server sent a login page (" + clean(to) + ") instead of a 401: it uses a cookie session, not HTTP authentication.",
		Next:    "Sign in through the login form to get a session cookie (clear stale cookies first); HTTP credentials will not help here."})
}

// loginPaths are path segments that name a sign-in page.
var loginPaths = []string{"login", "signin", "sign-in", "sign_in", "logon", "sso", "authenticate", "auth"}

func looksLikeLogin(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	for _, seg := range strings.Split(strings.ToLower(u.Path), "/") {
		seg = strings.TrimSuffix(strings.TrimSuffix(seg, ".html"), ".php")
		if slices.Contains(loginPaths, seg) {
			return true
		}
	}
	return false
}

// looksLikeLoginForm reports whether an HTML page holds a password field.
func looksLikeLoginForm(resp *httpclient.Response) bool {
	if !strings.Contains(strings.ToLower(resp.Header.Get("Content-Type")), "html") {
		return false
	}
	b := strings.ToLower(string(resp.Body[:min(len(resp.Body), 64<<10)]))
	return strings.Contains(b, "<form") && (strings.Contains(b, `type="password"`) || strings.Contains(b, "type='password'") || strings.Contains(b, "type=password"))
}

// tokenEndpoint explains an OAuth error answer (RFC 6749 §5.2) to a request a
// Preparer made.
func (d *diagnosis) tokenEndpoint() {
	resp := d.ex.Response
	if d.a.Purpose != PurposeToken || resp.Status < 400 {
		return
	}
	var e struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
		URI         string `json:"error_uri"`
	}
	if json.Unmarshal(resp.Body, &e) != nil || e.Error == "" {
		d.add(Finding{Code: "token-request-failed", Severity: Error,
			Message: fmt.Sprintf("The token endpoint refused to issue a token: %d %s, without an OAuth error (RFC 6749 §5.2 wants a JSON error).",
				resp.Status, clean(resp.StatusText)) + bodyHint(resp),
			Next: "Check the token URL, the client id and its secret or key, and how the client authenticates."})
		return
	}
	f := Finding{Code: "token-request-failed", Severity: Error, DocURL: docURL(e.URI),
		Message: "The token endpoint refused to issue a token (" + clean(e.Error) + "): " + credentials.ExplainTokenError(e.Error, clean(e.Description)) + "."}
	switch e.Error {
	case "authorization_pending", "slow_down":
		// RFC 8628 §3.5: normal steps of device-flow polling, not failures.
		f.Code, f.Severity = "token-pending", Info
		f.Message = "Still waiting for the user to approve the device code (authorization_pending)."
		if e.Error == "slow_down" {
			f.Message = "The server asked to poll more slowly (+5 s) (slow_down)."
		}
		f.Next = "Approve the code at the verification page; keyhole keeps polling until then or until the code expires."
	case "use_dpop_nonce":
		f.Code, f.Severity = "dpop-nonce-required", Warning
		f.Message = "The authorization server wants the DPoP proof to carry its nonce (RFC 9449 §8)."
		f.Next = "Retry once with a new proof that includes the DPoP-Nonce it sent."
	case "invalid_request":
		f.Code = "invalid-request"
		f.Next = "Check the grant's parameters: something required is missing or repeated."
	case "invalid_client":
		f.Next = "Check the client id and secret, and how the client authenticates (Basic or form)."
	case "invalid_grant":
		f.Next = "The code, refresh token or password is wrong, used or expired: start the flow again."
	case "invalid_scope":
		f.Next = "Ask only for scopes the authorization server knows and allows this client."
	case "unauthorized_client", "unsupported_grant_type":
		f.Next = "This client may not use this grant: pick another grant or change the client's settings."
	default:
		f.Next = "Read the error and the authorization server's documentation, then retry."
	}
	d.add(f)
}

// metadata notes where the server points to RFC 9728 metadata.
func (d *diagnosis) metadata() {
	for _, c := range d.ex.Challenges {
		if m := c.Param("resource_metadata"); m != "" {
			d.add(Finding{Code: "resource-metadata", Severity: Info,
				Message: "The server publishes its protected-resource metadata (RFC 9728) at " + clean(m) + ".",
				Next:    "Fetch it to learn the authorization server and scopes to ask for (OAuth discovery does this)."})
			return
		}
	}
	if d.a.Purpose != PurposeDiscovery || d.ex.Response.Status != 200 {
		return
	}
	var m struct {
		Resource string   `json:"resource"`
		Servers  []string `json:"authorization_servers"`
		Docs     string   `json:"resource_documentation"`
	}
	if json.Unmarshal(d.ex.Response.Body, &m) != nil || (m.Resource == "" && m.Docs == "") {
		return
	}
	if want := d.resourceWanted(); m.Resource != "" && want != "" && !sameResource(m.Resource, want) {
		// The metadata may be an impostor's, so its documentation link is
		// offered only when it is on the requested resource's own origin.
		doc := docURL(m.Docs)
		if u, err := url.Parse(doc); err != nil || doc == "" || origin(doc) != origin(want) || u.User != nil {
			doc = ""
		}
		d.add(Finding{Code: "resource-mismatch", Severity: Error, DocURL: doc,
			Message: "The protected-resource metadata is about " + clean(m.Resource) + ", not " + clean(want) +
				": RFC 9728 §3.3 says to discard it (it may be an impostor's), so keyhole did not use its authorization server.",
			Next: "Give the token URL yourself if you trust the authorization server, or tell the API's owners their metadata names the wrong resource."})
		return
	}
	msg := "Protected-resource metadata for " + clean(m.Resource)
	if len(m.Servers) > 0 {
		msg += ": authorization server " + clean(strings.Join(m.Servers, ", "))
	}
	d.add(Finding{Code: "resource-metadata", Severity: Info, Message: msg + ".", DocURL: docURL(m.Docs),
		Next: "Get a token from that authorization server for this resource."})
}

// resourceWanted is the resource a discovery attempt's metadata must be
// about: Input.Resource, or else the URL its well-known location was built
// from (RFC 9728 §3.1 puts the resource's path after the well-known segment).
func (d *diagnosis) resourceWanted() string {
	if d.in.Resource != "" {
		return d.in.Resource
	}
	if d.ex.Request == nil {
		return ""
	}
	u, err := url.Parse(d.ex.Request.URL)
	if err != nil {
		return ""
	}
	rest, ok := strings.CutPrefix(u.Path, "/.well-known/oauth-protected-resource")
	if !ok || (rest != "" && !strings.HasPrefix(rest, "/")) {
		return ""
	}
	return u.Scheme + "://" + u.Host + rest
}

// sameResource compares resource identifiers as RFC 9728 §3.3 asks and
// credentials.Discover does: identical, forgiving only a query or fragment
// on the requested URL and, for a bare origin, the slash of its empty path.
func sameResource(meta, want string) bool {
	if meta == want {
		return true
	}
	u, err := url.Parse(want)
	if err != nil {
		return false
	}
	u.RawQuery, u.Fragment, u.RawFragment = "", "", ""
	bare := u.String()
	return meta == bare || (u.Path == "" && meta == bare+"/")
}

// clock compares the local clock and the token's times with the server's Date.
func (d *diagnosis) clock(tok string) {
	date, ok := d.date()
	if !ok {
		return
	}
	if !d.in.Now.IsZero() {
		if off := d.in.Now.Sub(date); off > SkewTolerance || off < -SkewTolerance {
			side := "ahead of"
			if off < 0 {
				side, off = "behind", -off
			}
			d.add(Finding{Code: "clock-skew", Severity: Warning,
				Message: "This computer's clock is " + ago(off) + " " + side + " the server's (Date: " + stamp(date) + ").",
				Next:    "Set the clock right (NTP); tokens, SigV4 and HMAC signatures fail when clocks differ."})
			return
		}
	}
	j := d.jwt(tok)
	if j == nil {
		return
	}
	if j.IssuedAt != nil && j.IssuedAt.Sub(date) > SkewTolerance {
		d.add(Finding{Code: "clock-skew", Severity: Warning,
			Message: "The token was issued " + ago(j.IssuedAt.Sub(date)) + " in the future by the server's clock (iat " + stamp(*j.IssuedAt) + "): the issuer's clock runs ahead.",
			Next:    "Fix the issuer's clock, or wait; servers refuse tokens from the future."})
	} else if j.NotBefore != nil && j.NotBefore.After(date) && j.NotBefore.Sub(date) < 15*time.Minute {
		d.add(Finding{Code: "clock-skew", Severity: Warning,
			Message: "The token becomes valid " + ago(j.NotBefore.Sub(date)) + " after the server's time (nbf " + stamp(*j.NotBefore) + "): the issuer's clock likely runs ahead.",
			Next:    "Fix the issuer's clock, or wait until nbf."})
	}
}

func (d *diagnosis) success() {
	st := d.ex.Response.Status
	prev := d.in.Previous
	if st < 200 || st > 299 || prev == nil || (prev.Status() != 0 && prev.Status() < 400) {
		return
	}
	d.add(Finding{Code: "success", Severity: Info, Message: "Worked: " + changed(prev, d.a) + ".",
		Next: "Nothing to fix; save the session or export it as curl to reuse it."})
}

// changed says what differed between a failed attempt and the one that worked.
func changed(prev, a *Attempt) string {
	switch {
	case a.Scheme != "" && prev.Scheme == "":
		return clean(a.Scheme) + " credentials accepted"
	case a.Scheme != prev.Scheme && a.Scheme != "":
		return "switching from " + clean(prev.Scheme) + " to " + clean(a.Scheme) + " credentials"
	case a.Auto != "":
		return "the automatic retry" + aside(clean(a.Auto))
	}
	before, after := credentialPrint(prev), credentialPrint(a)
	switch {
	case droppedAuth(prev) && !droppedAuth(a):
		return "credentials resent across the redirect"
	case a.Scheme != "" && before != after:
		return "the new " + clean(a.Scheme) + " credentials were accepted"
	}
	return "the same request succeeded this time"
}

func credentialPrint(a *Attempt) string {
	if a.Exchange == nil || a.Exchange.Request == nil {
		return ""
	}
	h := a.Exchange.Request.Header
	return credentials.Fingerprint(h.Get("Authorization") + "\n" + h.Get("Proxy-Authorization"))
}

func droppedAuth(a *Attempt) bool {
	if a.Exchange == nil {
		return false
	}
	for _, hop := range a.Exchange.Redirects {
		if slices.ContainsFunc(hop.Dropped, func(n string) bool { return strings.EqualFold(n, "Authorization") }) {
			return true
		}
	}
	return false
}

// date returns the response's Date header.
func (d *diagnosis) date() (time.Time, bool) {
	v := d.ex.Response.Header.Get("Date")
	if v == "" {
		return time.Time{}, false
	}
	t, err := http.ParseTime(v)
	return t, err == nil
}

// serverTime is the server's Date, or the local clock when it sent none.
func (d *diagnosis) serverTime() time.Time {
	if t, ok := d.date(); ok {
		return t
	}
	return d.in.Now
}

// sentScheme returns the scheme of the credentials in header name, or "".
func sentScheme(h http.Header, name string) string {
	v := strings.TrimSpace(h.Get(name))
	scheme, _, _ := strings.Cut(v, " ")
	return scheme
}

// sentToken returns the token of a Bearer or DPoP Authorization header.
func sentToken(h http.Header) string {
	scheme, tok, _ := strings.Cut(strings.TrimSpace(h.Get("Authorization")), " ")
	if strings.EqualFold(scheme, "Bearer") || strings.EqualFold(scheme, "DPoP") {
		return strings.TrimSpace(tok)
	}
	return ""
}

// apiKeyHeader returns the name of an API key header that was sent, or "".
func apiKeyHeader(h http.Header) string {
	for name := range h {
		switch strings.ToLower(name) {
		case "authorization", "proxy-authorization", "cookie", "set-cookie", "dpop":
			continue
		}
		if credentials.IsSecretHeader(name) && h.Get(name) != "" {
			return name
		}
	}
	return ""
}

// sentCredentials names the credentials a request carries to the server, or "".
func sentCredentials(h http.Header) string {
	if s := sentScheme(h, "Authorization"); s != "" {
		return clean(s) + " credentials"
	}
	if k := apiKeyHeader(h); k != "" {
		return "The " + clean(k) + " header"
	}
	return ""
}

func offers(chs []httpclient.Challenge, scheme string) bool {
	return slices.ContainsFunc(chs, func(c httpclient.Challenge) bool { return c.Is(scheme) })
}

func schemeList(chs []httpclient.Challenge) string {
	var names []string
	for _, c := range chs {
		if n := clean(c.Scheme); !slices.ContainsFunc(names, func(x string) bool { return strings.EqualFold(x, n) }) {
			names = append(names, n)
		}
	}
	return strings.Join(names, ", ")
}

func offeredWords(chs []httpclient.Challenge) string { return aside(offering(chs)) }

// offering is "it offers Basic, Digest", or "" without challenges.
func offering(chs []httpclient.Challenge) string {
	if len(chs) == 0 {
		return ""
	}
	return "it offers " + schemeList(chs)
}

// aside puts s in parentheses after a clause, or after a dash when s has
// parentheses of its own, so that they never nest: "(407, it offers
// NTLM)", "retry — asked for a nonce (use_dpop_nonce)". "" stays "".
func aside(s string) string {
	switch {
	case s == "":
		return ""
	case strings.ContainsAny(s, "()"):
		return " — " + s
	}
	return " (" + s + ")"
}

func nonEmpty(ss ...string) []string {
	return slices.DeleteFunc(ss, func(s string) bool { return s == "" })
}

// bodyHint quotes a short text body, where servers often say why.
func bodyHint(resp *httpclient.Response) string {
	// Trim before converting: a large error body is not copied just to be refused.
	raw := bytes.TrimSpace(resp.Body)
	if len(raw) == 0 || len(raw) > 200 {
		return ""
	}
	b := string(raw)
	if !utf8.ValidString(b) || strings.HasPrefix(b, "<") {
		return ""
	}
	return " The server says: '" + clean(b) + "'."
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func origin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	return u.Scheme + "://" + u.Host
}

// docURL keeps a server-given documentation link only when it is http(s), so
// a "open the docs" action never runs another kind of URL.
func docURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return clean(raw)
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }

// ago renders a duration the way people say it: "3m", "2h5m", "40s".
func ago(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	switch {
	case d < time.Minute:
		return d.Round(time.Second).String()
	case d < time.Hour:
		return strings.TrimSuffix(d.Round(time.Second).String(), "0s")
	case d < 48*time.Hour:
		return strings.TrimSuffix(d.Round(time.Minute).String(), "0s")
	}
	return fmt.Sprintf("%d days", int(d.Hours()/24))
}

// maxServerText bounds how much of one server-provided string a finding quotes.
const maxServerText = 200

// clean makes server-provided text safe for one terminal line: control
// characters, C1, DEL and invalid UTF-8 become visible escapes, and long text
// is cut.
func clean(s string) string {
	if utf8.RuneCountInString(s) > maxServerText {
		r := []rune(s)
		s = string(r[:maxServerText]) + "…"
	}
	return httpclient.SafeLine(s)
}
