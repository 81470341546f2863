package session

import (
	"context"
	"fmt"
	"maps"
	"net/url"
	"strings"

	"keyhole/credentials"
	"keyhole/httpclient"
)

// Policy holds the limits of Run. Its zero value is the default: three
// requests, credentials sent as each offer says, automatic refresh and
// scope step-up on, redirects to other origins not trusted.
type Policy struct {
	// MaxAttempts bounds the requests of the user's (token and metadata
	// requests, and the legs of a multi-leg handshake, not counted); 0 means 3.
	MaxAttempts int
	// TrustRedirects: a challenge from another origin reached by a redirect
	// may be answered with the credentials of the request's origin. The
	// client must be built with the same httpclient.Options.TrustRedirects,
	// which decides whether they are resent on the redirect.
	TrustRedirects bool
	// Trusted origins (--trust ORIGIN) may receive the credentials when a
	// server sends the user there: a redirect's target, a registry realm, a
	// token endpoint.
	Trusted []httpclient.Origin
	// Send says when server credentials go: as each offer says (zero), all
	// up front (curl -u), or only in answer to a challenge.
	Send Sending
	// NoAutoRefresh keeps an invalid_token rejection for the user to see
	// instead of refreshing or fetching a new token at once; NoAutoStepUp
	// does the same for insufficient_scope. Lessons turn them on to show
	// the failure first.
	NoAutoRefresh, NoAutoStepUp bool
	// OnAttempt, when set, is called with each attempt as it completes,
	// in the order they were made (a Preparer's discovery and token
	// requests before the request they serve), so a face can show them
	// while Run goes on.
	OnAttempt func(*Attempt)
}

// Sending says when server credentials go out.
type Sending int

const (
	SendAsOffered   Sending = iota // each Offer's Upfront decides
	SendUpfront                    // every offer that can goes with the first request, as curl -u does
	SendOnChallenge                // nothing goes until a challenge asks for it
)

// trusts reports whether o may receive credentials given for another origin.
func (p Policy) trusts(o httpclient.Origin) bool {
	for _, t := range p.Trusted {
		if t.Covers(o) {
			return true
		}
	}
	return false
}

// ReasonFirst is the Reason of a Run's first request when it carries no
// credentials of the wallet.
const ReasonFirst = "first request"

// Stop says why Run stopped.
type Stop string

const (
	StopAnswered      Stop = "answered"       // the answer was not a challenge (not 401 or 407)
	StopNoCredentials Stop = "no-credentials" // challenged, and the wallet holds nothing that answers
	StopRejected      Stop = "rejected"       // every credential that could answer was sent and refused
	StopMaxAttempts   Stop = "max-attempts"   // Policy.MaxAttempts requests were made
	StopNoResponse    Stop = "no-response"    // the transport failed: DNS, connection, TLS, timeout
	StopError         Stop = "error"          // credentials could not be prepared or applied (Outcome.Err)
	StopOtherOrigin   Stop = "other-origin"   // the challenge came from an origin the credentials are not for
)

// Outcome is how Run ended.
type Outcome struct {
	Stop     Stop
	Why      string     // one line for the user
	Err      error      // with StopError
	Attempts []*Attempt // those this Run made, oldest first
}

// Carried is one credential a request carried, in words both faces show.
type Carried struct {
	Scheme string `json:"scheme"`           // "Basic", "Bearer", "APIKey", or "client certificate"
	Proxy  bool   `json:"proxy,omitempty"`  // went in Proxy-Authorization
	Source string `json:"source,omitempty"` // where the user gave it ("-u", "-H", "form")
	Detail string `json:"detail,omitempty"` // what tells it apart without a secret: "alice", "SHA-256", "CN=alice"
	// FromHeaders: the user's own header in the draft, not an offer.
	FromHeaders bool `json:"from_headers,omitempty"`
}

// String is "Basic", "proxy Basic", "Bearer (from -H)" or
// "client certificate CN=alice".
func (c Carried) String() string {
	s := httpclient.SafeLine(c.Scheme)
	if c.Scheme == certScheme {
		s += " " + httpclient.SafeLine(c.Detail)
	}
	if c.Proxy {
		s = "proxy " + s
	}
	if c.FromHeaders {
		s += " (from " + httpclient.SafeLine(c.Source) + ")"
	}
	return s
}

const certScheme = "client certificate"

// CarriedWords says what the attempt carried, "Basic, proxy Basic", or
// "none".
func (a *Attempt) CarriedWords() string {
	if len(a.Carried) == 0 {
		return "none"
	}
	s := make([]string, len(a.Carried))
	for i, c := range a.Carried {
		s[i] = c.String()
	}
	return strings.Join(s, ", ")
}

// carried lists what r carries: the step's credentials, the user's own
// Authorization and Proxy-Authorization headers, and the client certificate
// on https. serverCh is the challenge the server credentials answer.
func carried(r *httpclient.Request, st step, serverCh *httpclient.Challenge) []Carried {
	var out []Carried
	source := st.headerSource
	if source == "" {
		source = "-H"
	}
	written := map[string]bool{}
	applied := func(c carrier, header string) {
		if c.auth == nil {
			return
		}
		_, detail := credentials.Carried(r.Header.Get(header))
		out = append(out, Carried{Scheme: c.auth.Scheme(), Proxy: header == "Proxy-Authorization", Source: c.source, Detail: detail})
		written[header] = true
	}
	applied(st.server, credentials.HeaderFor(serverCh))
	applied(st.proxy, "Proxy-Authorization")
	for _, header := range []string{"Authorization", "Proxy-Authorization"} {
		if v := r.Header.Get(header); v != "" && !written[header] {
			scheme, detail := credentials.Carried(v)
			out = append(out, Carried{Scheme: scheme, Proxy: header == "Proxy-Authorization", Source: source, Detail: detail, FromHeaders: true})
		}
	}
	if st.cert != "" && strings.HasPrefix(strings.ToLower(r.URL), "https:") {
		out = append(out, Carried{Scheme: certScheme, Detail: st.cert})
	}
	return out
}

// preparedCarried lists what a request keyhole made on its own (a token or
// metadata request) carried: credentials in its Authorization and
// Proxy-Authorization headers ("Basic practice-client" for
// client_secret_basic) and, in a form body, the client secret
// (client_secret_post), a client assertion (private_key_jwt) or the user's
// password (the password grant), each named with whose it is.
func preparedCarried(r *httpclient.Request) []Carried {
	var out []Carried
	for _, header := range []string{"Authorization", "Proxy-Authorization"} {
		if v := r.Header.Get(header); v != "" {
			scheme, detail := credentials.Carried(v)
			out = append(out, Carried{Scheme: scheme, Proxy: header == "Proxy-Authorization", Detail: detail})
		}
	}
	if !strings.HasPrefix(strings.ToLower(r.Header.Get("Content-Type")), "application/x-www-form-urlencoded") {
		return out
	}
	form, err := url.ParseQuery(string(r.Body))
	if err != nil {
		return out
	}
	for _, f := range []struct{ field, words, whose string }{
		{"client_secret", "client secret", "client_id"},
		{"client_assertion", "client assertion", "client_id"},
		{"password", "password", "username"},
	} {
		if form.Get(f.field) != "" {
			out = append(out, Carried{Scheme: f.words, Detail: httpclient.SafeLine(form.Get(f.whose))})
		}
	}
	return out
}

// IsRegistryChallenge reports whether c is a container registry's (Docker,
// OCI distribution): a Bearer challenge whose realm is a token service URL
// and that names a service or a scope. Its token is fetched from the realm,
// anonymously or with a user and password, so no token needs to be given.
func IsRegistryChallenge(c httpclient.Challenge) bool { return credentials.IsRegistryChallenge(c) }

// expiryHolder is an Authorizer that renews an expired token before
// sending (credentials.OAuth2); with NoAutoRefresh it sends the held one
// once past its expiry instead, so the server's refusal shows.
type expiryHolder interface{ HoldExpired(bool) }

// challengeFollower is an Authorizer whose scheme follows what the server
// asks for: an OAuth 2.0 client turns to DPoP-bound tokens when the
// resource offers only DPoP. Run shows it the challenges before choosing,
// and adds what it decided to the reason of the attempt it answers.
type challengeFollower interface {
	FollowChallenges(chs []httpclient.Challenge) (decided string)
}

// maxLegs bounds the legs of one multi-leg handshake.
const maxLegs = 4

// Run is keyhole's loop. It sends the draft, and while the answer is a
// challenge it picks the credential of w that answers it and sends again,
// until the answer is not a challenge, nothing in w answers, every
// credential that could was refused, or p.MaxAttempts requests were made.
//
// Server and proxy credentials are answered at once: a 407 is answered with
// a proxy offer bound to the proxy's origin, and proxy credentials, once
// the proxy let a request through, go with every later request. A 401 is
// answered with a server offer bound to the request's origin: a preferred
// offer first, else the strongest challenge (credentials.Preferred). An
// offer refused once is not sent again. A credential is never sent to an
// origin other than its own: a 401 from another origin reached by a
// redirect is answered by sending to the request's own origin again, where
// the client keeps the credentials from the redirect unless trusted; Run
// stops once they were left behind (StopOtherOrigin).
//
// Multi-leg schemes plug in through credentials.Handshaker: when the answer
// to a leg is a 401 (a 407 for a proxy offer) whose challenge continues the
// handshake, Run sends the next leg with the same offer, not counted in
// MaxAttempts; a connection-bound one keeps its legs on one connection
// itself (httpclient.Request.Conn, as credentials.NTLM does), so neither
// face knows the scheme has legs.
//
// Every attempt records why it was made (Attempt.Reason) and what it
// carried (Attempt.Carried). When credentials were given but never sent
// because no challenge came, the last attempt says so in a finding
// (credentials-held-back).
func (s *Session) Run(ctx context.Context, w *Wallet, p Policy) Outcome {
	if w == nil {
		w = &Wallet{}
	}
	limit := p.MaxAttempts
	if limit <= 0 {
		limit = 3
	}
	target := s.Draft().URL
	at, err := OriginFor(target)
	if err != nil {
		return Outcome{Stop: StopError, Err: err, Why: err.Error()}
	}
	// A 407 on a direct connection comes from the server itself (the
	// practice /proxy lesson): its proxy credentials are bound to it.
	r := &runner{w: w, p: p, at: at, proxyAt: at, tried: map[*Offer]bool{}, sent: map[*Offer]bool{}}
	if c := s.HTTPClient(); c != nil {
		if px := c.ProxyFor(target); px != "" {
			r.proxyAt, _ = OriginFor(px)
		}
	}
	for _, o := range w.Offers {
		if h, ok := o.Auth.(expiryHolder); ok {
			h.HoldExpired(p.NoAutoRefresh)
		}
	}
	if p.Send != SendOnChallenge {
		r.server = w.upfront(at, false, p.Send == SendUpfront)
	}
	r.proxy = w.upfront(r.proxyAt, true, false)
	r.reason = ReasonFirst
	if r.server != nil {
		r.reason += ", with " + offerWords(r.server) + " up front"
	}
	if prev := s.Last(); resumable(prev, target) {
		// The user added to the wallet after a challenge (the TUI's picker):
		// answer that challenge rather than send the bare request again.
		keep := *r
		if stop, _ := r.next(prev); stop != "" {
			*r = keep
		} else {
			answering := r.server
			if prev.Status() == 407 {
				answering = r.proxy
			}
			if err := notReady(answering, target); err != nil {
				// No Kerberos ticket can be had for the answer picked:
				// nothing goes, the challenge stays shown (curl stops
				// there too), and its attempt says why, as send's does.
				s.amend(prev, func(a *Attempt) { a.Findings = kerberosFindings(a.Findings, err, prev.Status() == 407) })
				return Outcome{Stop: StopError, Err: err, Why: httpclient.SafeLine(err.Error())}
			}
		}
	}

	var out Outcome
	legs := 0
	for {
		st := step{
			server: carry(r.server, httpclient.WWWAuthenticate), proxy: carry(r.proxy, httpclient.ProxyAuthenticate),
			reason: r.reason, noRefresh: p.NoAutoRefresh, noStepUp: p.NoAutoStepUp,
			headerSource: w.HeaderSource, cert: w.ClientCert, shown: p.OnAttempt,
		}
		st.finish = func(a *Attempt) {
			heldBack(a, w, at, st, r.sent)
			r.preflight(a, target)
		}
		for _, o := range []*Offer{r.server, r.proxy} {
			if o != nil {
				r.tried[o], r.sent[o] = true, true
			}
		}
		made, err := s.send(ctx, st)
		out.Attempts = append(out.Attempts, made...)
		if err != nil {
			out.Stop, out.Err, out.Why = StopError, err, httpclient.SafeLine(err.Error())
			return out
		}
		last := lastRequest(made)
		if last == nil {
			out.Stop, out.Why = StopError, "nothing was sent"
			return out
		}
		if leg := r.leg(last); leg != "" && legs < maxLegs {
			legs++
			r.reason = fmt.Sprintf("%s handshake, leg %d", leg, legs+1)
			continue
		}
		legs = 0
		if stop, why := r.next(last); stop != "" {
			out.Stop, out.Why = stop, why
			return out
		}
		if n := countRequests(out.Attempts); n >= limit {
			out.Stop, out.Why = StopMaxAttempts, fmt.Sprintf("stopped after %d requests (the most allowed)", limit)
			return out
		}
	}
}

// runner is the state of one Run: which offers go with the next request
// and which were tried.
type runner struct {
	w             *Wallet
	p             Policy
	at, proxyAt   httpclient.Origin // the request's origin, the proxy's (the request's when direct: a server's own 407)
	server, proxy *Offer
	reason        string
	tried, sent   map[*Offer]bool
}

// next decides, from the answer to last, what the next request carries and
// why, or returns why to stop.
func (r *runner) next(last *Attempt) (Stop, string) {
	status := last.Status()
	switch {
	case status == 0:
		return StopNoResponse, "no response"
	case status != 401 && status != 407:
		return StopAnswered, fmt.Sprintf("the server answered %d", status)
	}
	chs := last.Exchange.Challenges
	if status == 407 {
		if r.server != nil {
			r.tried[r.server] = false // the proxy stopped it: the server never saw it
		}
		next := r.w.answer(chs, true, r.proxyAt, r.tried)
		if next == nil {
			return refusal(r.w, true, r.proxy != nil)
		}
		r.proxy = next
		r.reason = "answering the proxy's " + next.Auth.Scheme() + " challenge with " + offerWords(next)
		return "", ""
	}
	if r.proxy != nil {
		r.tried[r.proxy] = false // the proxy let it through: it stays
	}
	respAt := r.at
	if res := last.Exchange.Response; res != nil && res.URL != "" {
		if o, err := OriginFor(res.URL); err == nil {
			respAt = o
		}
	}
	if respAt != r.at && !r.p.TrustRedirects && !r.p.trusts(respAt) && dropped(last) {
		// The credentials went to their own origin, and the client kept
		// them from the redirect's target: answering again changes nothing.
		return StopOtherOrigin, "the challenge came from " + respAt.String() + " after a redirect; credentials given for " + r.at.String() + " are not sent there unless it is trusted"
	}
	decided := map[*Offer]string{}
	for _, o := range r.w.Offers {
		if f, ok := o.Auth.(challengeFollower); ok && !o.Proxy && o.Origin == r.at {
			decided[o] = f.FollowChallenges(chs)
		}
	}
	next := r.w.answer(chs, false, r.at, r.tried)
	if next == nil {
		return refusal(r.w, false, r.server != nil)
	}
	r.server = next
	r.reason = "answering the server's " + next.Auth.Scheme() + " challenge with " + offerWords(next)
	if d := decided[next]; d != "" {
		r.reason += "; " + d
	}
	return "", ""
}

// readier is an authorizer that can tell before a request is sent that it
// cannot answer (credentials.Negotiate: no Kerberos ticket can be had).
type readier interface{ Ready(rawURL string) error }

// preflight asks the offer that will answer a's challenge whether it can,
// when it can tell before sending. When Kerberos cannot give it a ticket, a
// says why (kerberos-error) and the offer counts as tried: Run stops at a,
// as curl does, instead of sending the same request again without one.
func (r *runner) preflight(a *Attempt, target string) {
	status := a.Status()
	if status != 401 && status != 407 || r.leg(a) != "" {
		return
	}
	proxy, at, other := status == 407, r.at, r.proxy
	if proxy {
		at, other = r.proxyAt, r.server
	}
	tried := maps.Clone(r.tried)
	if other != nil {
		tried[other] = false // as next has it
	}
	o := r.w.answer(a.Exchange.Challenges, proxy, at, tried)
	if err := notReady(o, target); err != nil {
		a.Findings = kerberosFindings(a.Findings, err, proxy)
		r.tried[o] = true
	}
}

// notReady returns why o cannot answer when it can tell before a request is
// sent: the Kerberos failure of a Negotiate offer. nil for any other offer.
func notReady(o *Offer, target string) error {
	rd, ok := authOf(o).(readier)
	if !ok {
		return nil
	}
	if err := rd.Ready(target); credentials.IsUnmade(err) {
		return err
	}
	return nil
}

// dropped reports whether a redirect of a left credentials behind.
func dropped(a *Attempt) bool {
	for _, h := range a.Exchange.Redirects {
		if len(h.Dropped) > 0 {
			return true
		}
	}
	return false
}

// resumable reports whether prev, the session's last attempt, is a
// challenge to the very request about to be sent, which Run then answers
// first.
func resumable(prev *Attempt, target string) bool {
	if prev == nil || prev.Exchange == nil || prev.Exchange.Request == nil || prev.Exchange.Request.URL != target {
		return false
	}
	st := prev.Status()
	return (st == 401 || st == 407) && len(prev.Exchange.Challenges) > 0
}

// refusal says why nothing more answers a challenge, for the server or the proxy.
func refusal(w *Wallet, proxy, sentOne bool) (Stop, string) {
	side := "server"
	if proxy {
		side = "proxy"
	}
	for _, o := range w.Offers {
		if o.Proxy == proxy && sentOne {
			return StopRejected, "the " + side + " refused the credentials given for it"
		}
	}
	return StopNoCredentials, "the " + side + " wants credentials and none given answers its challenge"
}

func authOf(o *Offer) credentials.Authorizer {
	if o == nil {
		return nil
	}
	return o.Auth
}

func carry(o *Offer, header string) carrier {
	if o == nil {
		return carrier{}
	}
	return carrier{auth: o.Auth, source: o.Source, header: header}
}

// offerWords names an offer in a reason: "Basic from -u".
func offerWords(o *Offer) string {
	if o.Source == "" {
		return o.Auth.Scheme()
	}
	return o.Auth.Scheme() + " from " + o.Source
}

// leg names the handshake that last's answer continues ("NTLM", "proxy
// NTLM"): a 401 to a server offer's leg, or a 407 to a proxy offer's, whose
// challenge carries the next leg. "" when it continues none.
func (r *runner) leg(last *Attempt) string {
	o, header, name := r.server, httpclient.WWWAuthenticate, ""
	switch last.Status() {
	case 401:
	case 407:
		o, header, name = r.proxy, httpclient.ProxyAuthenticate, "proxy "
	default:
		return ""
	}
	h, ok := authOf(o).(credentials.Handshaker)
	if !ok {
		return ""
	}
	chs := last.Exchange.Challenges
	for i := range chs {
		if chs[i].Header == header && chs[i].Is(h.Scheme()) && h.Continues(&chs[i]) {
			return name + h.Scheme()
		}
	}
	return ""
}

func lastRequest(as []*Attempt) *Attempt {
	for i := len(as) - 1; i >= 0; i-- {
		if as[i].Purpose == PurposeRequest {
			return as[i]
		}
	}
	return nil
}

// countRequests counts the attempts of the user's request that were not a
// later leg of a handshake.
func countRequests(as []*Attempt) int {
	n := 0
	for _, a := range as {
		if a.Purpose == PurposeRequest && !strings.Contains(a.Reason, " handshake, leg ") {
			n++
		}
	}
	return n
}

// heldBack adds the credentials-held-back finding to a, when a's answer
// asks for nothing (no challenge) while credentials the user gave for this
// origin were waiting for one and never went out.
func heldBack(a *Attempt, w *Wallet, at httpclient.Origin, st step, sent map[*Offer]bool) {
	if a.Exchange == nil || a.Exchange.Response == nil || a.Status() == 407 || st.server.auth != nil {
		return
	}
	for _, c := range a.Exchange.Challenges {
		if c.Header == httpclient.WWWAuthenticate {
			return
		}
	}
	if a.Exchange.Request != nil && a.Exchange.Request.Header.Get("Authorization") != "" {
		return
	}
	var sources []string
	mode, rank := "", 0
	for _, o := range w.Offers {
		if o.Proxy || o.Origin != at || sent[o] || o.Accepts != nil || o.Source == TicketCacheSource {
			continue // an offer narrowed to some challenges is not held back by the others' absence
		}
		if o.Source != "" && !contains(sources, o.Source) {
			sources = append(sources, o.Source)
		}
		// The weakest scheme that can go first is what curl -u sends up
		// front: Basic before NTLM when curl --anyauth -u gave both.
		for _, d := range credentials.ForWire(o.Auth.Scheme()) {
			if !d.Challenged && (mode == "" || d.Rank < rank) {
				mode, rank = d.Mode, d.Rank
			}
		}
	}
	if len(sources) == 0 && mode == "" {
		return
	}
	given := "The credentials given"
	if len(sources) > 0 {
		given += " with " + strings.Join(sources, ", ")
	}
	sev := Info
	if a.Status() >= 400 {
		sev = Warning
	}
	f := Finding{Code: "credentials-held-back", Severity: sev,
		Message: fmt.Sprintf("%s were never sent: they wait for a challenge (401 with WWW-Authenticate), and this %d %s has none. Some servers answer 404 or 403 to a request without credentials rather than ask for them.",
			given, a.Status(), httpclient.SafeLine(a.Exchange.Response.StatusText)),
	}
	if mode != "" {
		f.Next = "Send them with the first request, as curl -u does."
		f.Do = Action{Kind: "send-upfront", Label: "Send the credentials with the first request", Scheme: mode}
	}
	a.Findings = append(a.Findings, f)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
