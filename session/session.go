// Package session is keyhole's loop: a request draft, the attempts made with it,
// and what each attempt's answer means. The TUI and the headless commands both
// drive it; it knows nothing about terminals.
package session

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"keyhole/credentials"
	"keyhole/httpclient"
)

// Purposes of an attempt.
const (
	PurposeRequest   = "request"   // the user's request
	PurposeToken     = "token"     // a token endpoint call made to get credentials
	PurposeDiscovery = "discovery" // a metadata fetch
)

// Steps of an attempt keyhole made on its own to get credentials: the words
// both faces label it with. Purpose only groups them (every step but
// discovery is PurposeToken), so that --json's purpose values stay as they
// were documented.
const (
	StepDiscovery    = "discovery request"
	StepRegistration = "client registration"          // RFC 7591
	StepPAR          = "pushed authorization request" // RFC 9126
	StepDevice       = "device authorization request" // RFC 8628
	StepToken        = "token request"
)

// MaxAutoRetries bounds the retries Send makes on its own after a rejection,
// so a Refresher that always finds a reason cannot loop.
const MaxAutoRetries = 2

// Attempt is one request sent and what came back. An attempt is complete when
// it appears in Attempts and is never changed afterwards, so a UI may read it
// while another goroutine sends.
type Attempt struct {
	N       int    // 1-based position in the session
	Purpose string // PurposeRequest, PurposeToken or PurposeDiscovery
	Step    string // StepToken, StepRegistration, ...: what a prepared attempt did; "" for the user's request
	Auto    string // why keyhole sent this on its own; "" when the user asked
	Note    string // how the challenge to answer was chosen, e.g. "chose SHA-256: strongest offered"
	Scheme  string // scheme of the credentials keyhole applied for the server, "" when none
	// Reason says why Run made this attempt ("first request", "answering
	// the server's Basic challenge with -u"); "" for an attempt made by Send.
	Reason string
	// Carried is every credential the request carried, the user's own
	// headers included, in the words both faces show.
	Carried  []Carried
	Started  time.Time
	Finished time.Time
	Exchange *httpclient.Exchange
	Findings []Finding
}

// Label names what an attempt keyhole made on its own did, in the words both
// faces show ("client registration", "token request"); "" for the user's
// request. An attempt read from a session saved before steps were kept is
// named from its purpose.
func (a *Attempt) Label() string {
	switch {
	case a.Purpose == PurposeRequest || a.Purpose == "":
		return ""
	case a.Step != "":
		return a.Step
	case a.Purpose == PurposeDiscovery:
		return StepDiscovery
	}
	return StepToken
}

// Status returns the final HTTP status, or 0 when no response came.
func (a *Attempt) Status() int {
	if a.Exchange == nil || a.Exchange.Response == nil {
		return 0
	}
	return a.Exchange.Response.Status
}

// Session holds the draft and every attempt. Its methods are safe to call from
// a command goroutine while a UI reads snapshots.
type Session struct {
	// Client sends the requests. Set it before the session is shared, or
	// replace it later with SetClient.
	Client *httpclient.Client
	Now    func() time.Time // the local clock; tests pass a fixed one

	mu       sync.Mutex
	draft    httpclient.Request
	attempts []*Attempt
	// cached are authorizers that keep state (tokens, nonce counts), by
	// lower-cased scheme, so Forget can clear them.
	cached map[string]credentials.Forgetter
}

// New starts a session on draft.
func New(c *httpclient.Client, draft httpclient.Request) *Session {
	return &Session{Client: c, Now: time.Now, draft: *draft.Clone()}
}

// Draft returns a copy of the request being composed.
func (s *Session) Draft() httpclient.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return *s.draft.Clone()
}

// SetDraft replaces the request being composed.
func (s *Session) SetDraft(r httpclient.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.draft = *r.Clone()
}

// SetClient replaces the client, e.g. after the user changed trusted
// redirects, TLS settings or the timeout. Attempts in flight finish with the
// client they started with.
func (s *Session) SetClient(c *httpclient.Client) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Client = c
}

// HTTPClient returns the client the next attempt will use.
func (s *Session) HTTPClient() *httpclient.Client {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.Client
}

// Attempts returns a snapshot of the attempts, oldest first.
func (s *Session) Attempts() []*Attempt {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*Attempt(nil), s.attempts...)
}

// Last returns the newest attempt of the user's request, or nil.
func (s *Session) Last() *Attempt {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.attempts) - 1; i >= 0; i-- {
		if s.attempts[i].Purpose == PurposeRequest {
			return s.attempts[i]
		}
	}
	return nil
}

// Forget drops what the session remembers between attempts: the client's
// cookies and the state of every caching authorizer used so far (tokens,
// Digest nonce counts). The attempts themselves stay.
func (s *Session) Forget() {
	s.mu.Lock()
	c := s.Client
	cached := make([]credentials.Forgetter, 0, len(s.cached))
	for _, f := range s.cached {
		cached = append(cached, f)
	}
	s.mu.Unlock()
	if c != nil {
		c.ClearCookies()
	}
	for _, f := range cached {
		f.Forget()
	}
}

// amend replaces a recorded attempt by a copy that change edits (its
// findings cloned first), so that a face drawing the old one never sees it
// change under it: Attempts returns the new one from then on.
func (s *Session) amend(a *Attempt, change func(*Attempt)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.Index(s.attempts, a)
	if i < 0 {
		return
	}
	c := *a
	c.Findings = slices.Clone(a.Findings)
	change(&c)
	s.attempts[i] = &c
}

func (s *Session) add(a *Attempt) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a.N = len(s.attempts) + 1
	s.attempts = append(s.attempts, a)
}

func (s *Session) remember(auth credentials.Authorizer) {
	f, ok := auth.(credentials.Forgetter)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cached == nil {
		s.cached = map[string]credentials.Forgetter{}
	}
	s.cached[strings.ToLower(auth.Scheme())] = f
}

// Send sends the draft with auth (nil for none), answering the newest
// challenge of auth's scheme, and returns the attempts it made in order:
// requests a Preparer made to get its credentials, the request itself, and up
// to MaxAutoRetries automatic retries when a Refresher says a rejection is
// worth one (a stale Digest nonce, an expired token, a missing scope). An
// error means credentials could not be prepared or applied; the attempts made
// until then are still returned and recorded. Send is one step; Run is the
// whole loop.
func (s *Session) Send(ctx context.Context, auth credentials.Authorizer) ([]*Attempt, error) {
	return s.send(ctx, step{server: carrier{auth: auth}})
}

// carrier is an authorizer and what Run knows of it: where the user gave it
// and which challenge header it answers ("" for any, as Send has it).
type carrier struct {
	auth   credentials.Authorizer
	source string
	header string
}

// step is one call of the loop: the credentials for the server and for the
// proxy, why it is made, and the policy for automatic retries.
type step struct {
	server, proxy carrier
	reason        string
	noRefresh     bool // no retry for invalid_token
	noStepUp      bool // no retry for insufficient_scope
	headerSource  string
	cert          string
	// finish adds to an attempt before it is recorded (it is never changed
	// afterwards).
	finish func(*Attempt)
	shown  func(*Attempt) // Policy.OnAttempt
}

// made collects the attempts of one step as each completes and hands it to
// shown at once, so a face shows them in the order they went on the wire,
// before anything a Preparer prints on its way (the URL to sign in at). A
// Preparer may make requests from several goroutines.
type made struct {
	mu    sync.Mutex
	list  []*Attempt
	shown func(*Attempt)
}

func (m *made) add(a *Attempt) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.list = append(m.list, a)
	if m.shown != nil {
		m.shown(a)
	}
}

func (s *Session) send(ctx context.Context, st step) ([]*Attempt, error) {
	for _, c := range []carrier{st.server, st.proxy} {
		if c.auth != nil {
			s.remember(c.auth)
		}
	}
	prev := s.Last()
	from := prev
	if st.server.auth != nil {
		from = s.lastChallenge(st.server.auth.Scheme(), st.server.header)
	}
	proxyFrom := prev
	if st.proxy.auth != nil {
		proxyFrom = s.lastChallenge(st.proxy.auth.Scheme(), st.proxy.header)
	}
	m := &made{shown: st.shown}
	auto := ""
	for retry := 0; ; retry++ {
		a, err := s.sendOnce(ctx, st, prev, from, proxyFrom, auto, m)
		if err != nil {
			return m.list, err
		}
		if retry >= MaxAutoRetries {
			return m.list, nil
		}
		auto = retryReason(a, st.server, st.noRefresh, st.noStepUp)
		if auto == "" {
			return m.list, nil
		}
		prev, from, proxyFrom = a, a, a
		st.reason = ""
	}
}

// lastChallenge returns the newest request attempt that carried a challenge
// of scheme in header ("" for either), so credentials entered after a
// success still answer the challenge (a Digest nonce, a Bearer realm) the
// server last sent; or nil.
//
// A challenge only holds for its protection space: the origin of the
// request that got it, and for a server challenge naming a domain (Digest,
// RFC 7616 §3.3) the URIs under it; credentials built for one place are not
// sent to another.
func (s *Session) lastChallenge(scheme, header string) *Attempt {
	s.mu.Lock()
	defer s.mu.Unlock()
	target := s.draft.URL
	for i := len(s.attempts) - 1; i >= 0; i-- {
		a := s.attempts[i]
		if a.Purpose != PurposeRequest || a.Exchange == nil || a.Exchange.Request == nil {
			continue
		}
		for _, c := range a.Exchange.Challenges {
			if c.Is(scheme) && (header == "" || c.Header == header) && covers(a, c, target) {
				return a
			}
		}
	}
	return nil
}

// covers reports whether challenge c, received by attempt a, protects
// target: a proxy's challenge protects whatever goes through the proxy; a
// server's, the origin a's request went to (a redirect's target is policed
// by the client), narrowed to its domain URIs when it names some.
func covers(a *Attempt, c httpclient.Challenge, target string) bool {
	if c.Header == httpclient.ProxyAuthenticate {
		return true
	}
	at, err := OriginFor(a.Exchange.Request.URL)
	if err != nil || !sameOrigin(at, target) {
		return false
	}
	domain := c.List("domain")
	if len(domain) == 0 {
		return true
	}
	from := a.Exchange.Request.URL
	if r := a.Exchange.Response; r != nil && r.URL != "" {
		from = r.URL // the domain is relative to the URL that challenged
	}
	base, err := url.Parse(from)
	if err != nil {
		return false
	}
	t, err := url.Parse(target)
	if err != nil {
		return false
	}
	for _, d := range domain {
		du, err := base.Parse(d)
		if err != nil || !sameOrigin(at, du.String()) {
			continue
		}
		if strings.HasPrefix(t.EscapedPath(), du.EscapedPath()) {
			return true
		}
	}
	return false
}

// sendOnce makes one attempt of the draft answering from's challenge (and
// proxyFrom's for the proxy credentials); prev is the attempt it follows.
// made collects every attempt, including those a Preparer makes on the way.
func (s *Session) sendOnce(ctx context.Context, st step, prev, from, proxyFrom *Attempt, auto string, made *made) (*Attempt, error) {
	client := s.HTTPClient()
	if client == nil {
		return nil, fmt.Errorf("session: no HTTP client; build one with httpclient.New and pass it to session.New")
	}
	draft := s.Draft()
	r := draft.Clone()
	a := &Attempt{Purpose: PurposeRequest, Auto: auto, Reason: st.reason}
	var serverCh *httpclient.Challenge
	var kerberosFailed, proxyKerberosFailed error
	if auth := st.server.auth; auth != nil {
		ch, note := answering(from, auth, st.server.header)
		serverCh = ch
		a.Note = note
		if err := s.prepare(ctx, client, auth, draft.URL, ch, made); err != nil {
			return nil, err
		}
		if err := auth.Apply(r, ch); err != nil {
			if !credentials.IsUnmade(err) {
				return nil, err
			}
			// No ticket could be had: the request goes without one and
			// its finding says why, as when there was no ticket at all.
			kerberosFailed = err
		} else {
			credentials.MarkWritten(r, auth.Scheme())
			a.Scheme = auth.Scheme()
		}
	}
	if auth := st.proxy.auth; auth != nil {
		ch, _ := answering(proxyFrom, auth, st.proxy.header)
		if ch == nil {
			ch = &httpclient.Challenge{Scheme: auth.Scheme(), Header: httpclient.ProxyAuthenticate}
		}
		if err := s.prepare(ctx, client, auth, draft.URL, ch, made); err != nil {
			return nil, err
		}
		if err := auth.Apply(r, ch); err != nil {
			if !credentials.IsUnmade(err) {
				return nil, err
			}
			proxyKerberosFailed = err // as the server's: sent without, said why
		} else {
			credentials.MarkWritten(r, auth.Scheme())
		}
	}
	shown := st
	if kerberosFailed != nil {
		shown.server.auth = nil // it wrote nothing
	}
	if proxyKerberosFailed != nil {
		shown.proxy.auth = nil
	}
	a.Carried = carried(r, shown, serverCh)
	a.Started = s.Now()
	a.Exchange = client.Do(ctx, r)
	a.Finished = s.Now()
	a.Findings = Diagnose(Input{Attempt: a, Previous: prev, Now: a.Finished})
	if kerberosFailed != nil {
		a.Findings = kerberosFindings(a.Findings, kerberosFailed, false)
	} else {
		a.Findings = ticketFindings(a.Findings, a)
		a.Findings = append(a.Findings, authorizerFindings(st.server.auth, a, false)...)
	}
	if proxyKerberosFailed != nil {
		a.Findings = kerberosFindings(a.Findings, proxyKerberosFailed, true)
	} else {
		a.Findings = append(a.Findings, authorizerFindings(st.proxy.auth, a, true)...)
	}
	if st.finish != nil {
		st.finish(a)
	}
	s.add(a)
	made.add(a)
	return a, nil
}

// prepare lets a Preparer fetch what it needs (a token, metadata), filing
// each of its requests as an attempt.
func (s *Session) prepare(ctx context.Context, client *httpclient.Client, auth credentials.Authorizer, target string, ch *httpclient.Challenge, made *made) error {
	if u, ok := auth.(requestURLSetter); ok {
		u.SetRequestURL(target)
	}
	p, ok := auth.(credentials.Preparer)
	if !ok {
		return nil
	}
	resource := target
	if o, ok := auth.(*credentials.OAuth2); ok && o.Resource != "" {
		resource = o.Resource // what its discovery checks metadata against
	}
	// A token request made while a token was held replaces it: say so.
	held := false
	if o, ok := auth.(*credentials.OAuth2); ok && o.Token() != nil {
		held = true
	}
	record := func(purpose string, ex *httpclient.Exchange) {
		prepared := s.recordPrepared(purpose, auth.Scheme(), resource, ex)
		if sr, ok := auth.(interface{ StepReason() string }); ok && prepared.Purpose == PurposeToken && sr.StepReason() != "" {
			prepared.Auto = sr.StepReason() // which OAuth step, and how the client authenticated
		}
		if held && prepared.Purpose == PurposeToken {
			if why := replacedToken(ex, replacedBecause(auth)); why != "" {
				prepared.Auto = why
			}
		}
		made.add(prepared)
	}
	return p.Prepare(ctx, client.Recorder(record), ch)
}

// preparedStep reads the label a Preparer gave its request
// (httpclient.WithPurpose): discovery, or one of the requests made to get
// credentials, each its own step.
func preparedStep(label string) (purpose, step string) {
	switch label {
	case PurposeDiscovery:
		return PurposeDiscovery, StepDiscovery
	case "registration":
		return PurposeToken, StepRegistration
	case "par":
		return PurposeToken, StepPAR
	case "device":
		return PurposeToken, StepDevice
	}
	return PurposeToken, StepToken
}

// recordPrepared files a round trip made by a Preparer as an attempt of its
// own; label is the request's httpclient.WithPurpose, resource what a
// discovery's metadata must be about.
func (s *Session) recordPrepared(label, scheme, resource string, ex *httpclient.Exchange) *Attempt {
	purpose, step := preparedStep(label)
	why := "token request, to get " + scheme + " credentials"
	if purpose == PurposeDiscovery {
		why = "discovery, to find where to get " + scheme + " credentials"
	}
	if ex.Step != "" {
		why = ex.Step
	}
	end := s.Now()
	a := &Attempt{
		Purpose:  purpose,
		Step:     step,
		Auto:     why,
		Started:  end.Add(-ex.Timing.Total),
		Finished: end,
		Exchange: ex,
	}
	if ex.Request != nil {
		a.Scheme = sentScheme(ex.Request.Header, "Authorization")
		a.Carried = preparedCarried(ex.Request)
	}
	in := Input{Attempt: a, Now: end}
	if purpose == PurposeDiscovery {
		in.Resource = resource
	}
	a.Findings = Diagnose(in)
	s.add(a)
	return a
}

// replacedBecause is the authorizer's word for why its held token is being
// replaced (expired, rejected, for another audience), or "token expired".
func replacedBecause(auth credentials.Authorizer) string {
	if r, ok := auth.(interface{ ReplacedBecause() string }); ok && r.ReplacedBecause() != "" {
		return r.ReplacedBecause()
	}
	return "token expired"
}

// replacedToken says why a token request replaced a token that was held:
// cause, then what its grant_type does about it: a refresh, or the grant
// run again when there was no refresh token. "" when the request is not an
// OAuth token request.
func replacedToken(ex *httpclient.Exchange, cause string) string {
	if ex.Request == nil {
		return ""
	}
	form, err := url.ParseQuery(string(ex.Request.Body))
	if err != nil {
		return ""
	}
	switch g := form.Get("grant_type"); g {
	case "":
		return ""
	case "refresh_token":
		return cause + ": refreshing it (grant_type=refresh_token)"
	case "urn:ietf:params:oauth:grant-type:device_code":
		return "" // polling for a device code is not a replacement
	default:
		return cause + ": no refresh token, running the grant again (grant_type=" + httpclient.SafeLine(g) + ")"
	}
}

// requestURLSetter is an Authorizer that wants the URL it gets credentials
// for before it prepares them: credentials.OAuth2 finds RFC 9728 metadata at
// the URL's well-known location when no challenge names it, and refuses
// metadata about another resource (RFC 9728 §3.3).
type requestURLSetter interface{ SetRequestURL(string) }

// retryReason asks a Refresher whether the rejection in a is worth an
// automatic retry, and returns its reason, or "". noRefresh and noStepUp
// keep an invalid_token or insufficient_scope rejection for the user to see.
func retryReason(a *Attempt, c carrier, noRefresh, noStepUp bool) string {
	rf, ok := c.auth.(credentials.Refresher)
	if !ok {
		return ""
	}
	switch a.Status() {
	case 401, 403, 407:
	default:
		return ""
	}
	ch, _ := answering(a, c.auth, c.header)
	if ch == nil {
		return ""
	}
	switch ch.Param("error") {
	case "invalid_token":
		if noRefresh {
			return ""
		}
	case "insufficient_scope":
		if noStepUp {
			return ""
		}
	}
	// A DPoP nonce arrives in a response header, not in the challenge
	// (RFC 9449 §9), so it is handed over before Rejected decides.
	if nt, ok := c.auth.(credentials.NonceTaker); ok {
		if n := a.Exchange.Response.Header.Get("DPoP-Nonce"); n != "" {
			nt.SetNonce(n)
		}
	}
	return rf.Rejected(ch)
}

// answering returns the challenge in prev, in header ("" for either), that
// auth answers, and why it was chosen when auth picks among several (Chooser).
func answering(prev *Attempt, auth credentials.Authorizer, header string) (*httpclient.Challenge, string) {
	if prev == nil || prev.Exchange == nil {
		return nil, ""
	}
	chs := prev.Exchange.Challenges
	var idx []int
	for i, c := range chs {
		if c.Is(auth.Scheme()) && (header == "" || c.Header == header) {
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 {
		return nil, ""
	}
	if ch, ok := auth.(credentials.Chooser); ok {
		of := make([]httpclient.Challenge, len(idx))
		for j, i := range idx {
			of[j] = chs[i]
		}
		j, why := ch.Choose(of)
		if j >= 0 && j < len(idx) {
			return &chs[idx[j]], why
		}
	}
	return &chs[idx[0]], ""
}
