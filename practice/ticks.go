package practice

import (
	"net/url"
	"slices"
	"strings"
)

// Purposes of a Seen attempt, as session names them.
const (
	PurposeRequest   = "request"
	PurposeToken     = "token"
	PurposeDiscovery = "discovery"
	// PurposeAuthorization is the authorization step of the code grant:
	// the browser's trip to the authorization endpoint and back to keyhole.
	// keyhole makes no request of its own there, so no attempt shows it; a
	// face fills a Seen of this purpose from a run that ended on the
	// redirect's error.
	PurposeAuthorization = "authorization"
)

// Seen is what a lesson's checks look at in one attempt. The lab knows no
// loop of its own: the face that drives the lesson fills it from each
// attempt (ui.seenOf; session's attempts), which keeps this package free of
// session, whose tests start the practice server.
type Seen struct {
	Purpose  string   // PurposeRequest, PurposeToken, PurposeDiscovery or PurposeAuthorization
	Method   string   // the request's method
	URL      string   // the request's URL
	Status   int      // the final status, 0 when no response came
	Findings []string // the finding codes
	// Carried names each credential the request carried, lower case:
	// "basic", "proxy digest", "bearer".
	Carried []string
	// Error is the OAuth error code the authorization step was refused
	// with (PurposeAuthorization).
	Error string
}

// Tick is the check that ticks one step of a lesson: what an attempt made
// during the lesson must show. Its zero fields accept anything, except Path,
// whose zero value means the lesson's own path.
type Tick struct {
	// Path: the request's path starts with this; "" is the lesson's Path
	// for the user's requests, and any path for token and discovery ones.
	Path    string
	Method  string // the request's method; "" is any
	Purpose string // PurposeToken or PurposeDiscovery; "" is the user's request
	Status  int    // the final status; 0 is any
	// NoAnswer: no response came (cancelled, refused, timed out).
	NoAnswer bool
	Finding  string // a finding code the attempt carries; "a|b": either (hasCode)
	Without  string // a finding code the attempt must not carry
	Error    string // the OAuth error code of a refused authorization step
	// AfterPrevious: only an attempt made after the one that ticked the
	// step before counts, for a step that repeats an earlier outcome
	// ("log in again: 200" after a logout).
	AfterPrevious bool
	// Carried names a credential the request carried, by scheme, lower
	// case ("basic", "proxy basic", "ntlm"); "none" means it carried none.
	Carried string
}

// met reports whether attempt a, made while lesson l was open against the
// practice server at base, meets t.
func (t Tick) met(l Lesson, base string, a Seen) bool {
	purpose := t.Purpose
	if purpose == "" {
		purpose = PurposeRequest
	}
	if a.Purpose != purpose {
		return false
	}
	path := t.Path
	if path == "" && purpose == PurposeRequest {
		path = l.Path
	}
	if path != "" {
		if !strings.HasPrefix(a.URL, base) {
			return false
		}
		u, err := url.Parse(a.URL)
		if err != nil || !strings.HasPrefix(u.Path, path) {
			return false
		}
	}
	if t.Method != "" && !strings.EqualFold(a.Method, t.Method) {
		return false
	}
	if t.NoAnswer && a.Status != 0 || t.Status != 0 && a.Status != t.Status {
		return false
	}
	if t.Finding != "" && !hasCode(a.Findings, t.Finding) {
		return false
	}
	if t.Without != "" && slices.Contains(a.Findings, t.Without) {
		return false
	}
	if t.Error != "" && a.Error != t.Error {
		return false
	}
	switch t.Carried {
	case "":
	case "none":
		return len(a.Carried) == 0
	default:
		return slices.Contains(a.Carried, t.Carried)
	}
	return true
}

// Progress says which of l's steps the attempts made during the lesson have
// ticked, in step order. A step ticks when any attempt meets its check, so a
// learner who makes the mistake before the success is not sent back; the
// lesson is done when every step has ticked.
func (l Lesson) Progress(base string, attempts []Seen) []bool {
	ticked := make([]bool, len(l.Steps))
	prev := -1 // the attempt that ticked the step before
	for i, t := range l.Ticks {
		if i >= len(ticked) {
			break
		}
		from := 0
		if t.AfterPrevious {
			if prev < 0 {
				continue
			}
			from = prev + 1
		}
		j := slices.IndexFunc(attempts[from:], func(a Seen) bool { return t.met(l, base, a) })
		if j >= 0 {
			ticked[i], prev = true, from+j
		} else {
			prev = -1
		}
	}
	return ticked
}

// Uses reports whether a request to path belongs to lesson l: its own path,
// or a path one of its steps sends to (/login for the cookie lesson).
func (l Lesson) Uses(path string) bool {
	if strings.HasPrefix(path, l.Path) {
		return true
	}
	return slices.ContainsFunc(l.Ticks, func(t Tick) bool { return t.Path != "" && strings.HasPrefix(path, t.Path) })
}

// Done reports whether every step of l has ticked.
func Done(ticked []bool) bool {
	return len(ticked) > 0 && !slices.Contains(ticked, false)
}

// lessonCheck is how a lesson is checked: a Tick per step, and the
// automatic repairs it turns off.
type lessonCheck struct {
	ticks                       []Tick
	noAutoRefresh, noAutoStepUp bool
}

// The first request of most lessons: sent bare, refused.
var (
	bare401 = Tick{Status: 401, Carried: "none"}
	bare407 = Tick{Status: 407, Carried: "none"}
)

// lessonChecks ticks each lesson's Steps, by lesson ID, one Tick per step in
// the same order. "Read the challenge" steps tick with the attempt that
// brought the challenge: reading cannot be observed, and the challenge is on
// screen from that attempt on.
var lessonChecks = map[string]lessonCheck{
	"basic": {ticks: []Tick{bare401, bare401, {Carried: "basic"}, {Status: 200, Carried: "basic"}}},
	"bearer": {ticks: []Tick{bare401, {Status: 401, Carried: "bearer"},
		{Finding: "token-invalid"}, {Status: 200, Carried: "bearer"}}},
	"digest": {ticks: []Tick{bare401, bare401, {Finding: "credentials-rejected", Carried: "digest"},
		{Status: 200, Carried: "digest"}}},
	"digest-sha512": {ticks: []Tick{bare401, {Carried: "digest"}, {Status: 200, Carried: "digest"},
		{Finding: "credentials-rejected", Carried: "digest"}}},
	"apikey": {ticks: []Tick{{Status: 401, Finding: "no-challenge", Carried: "none"}, {Status: 401, Carried: "bearer"},
		{Carried: "apikey"}, {Status: 200, Carried: "apikey"}}},
	"registry": {ticks: []Tick{bare401, {Purpose: PurposeToken},
		{Status: 200, Carried: "bearer"}, {Finding: "token-invalid"}}},
	"jwt": {noAutoRefresh: true, ticks: []Tick{{Status: 401, Finding: "resource-metadata", Carried: "none"},
		{Purpose: PurposeToken}, {Status: 200, Carried: "bearer"}, {Finding: "token-expired"}}},
	"scoped": {noAutoStepUp: true, ticks: []Tick{bare401, {Status: 403, Finding: "insufficient-scope"},
		{Status: 200, Carried: "bearer"}}},
	"skew": {ticks: []Tick{bare401, {Purpose: PurposeToken}, {Finding: "clock-skew", Carried: "bearer"},
		{Status: 200, Carried: "bearer"}}},
	"wrong-resource": {ticks: []Tick{{Status: 401, Finding: "resource-metadata", Carried: "none"},
		{Purpose: PurposeDiscovery}, {Purpose: PurposeDiscovery, Finding: "resource-mismatch"},
		{Path: "/jwt", Status: 200, Carried: "bearer"}}},
	"dpop": {ticks: []Tick{bare401, {Finding: "dpop-nonce-required"}, {Status: 200, Carried: "dpop"}}},
	"multi": {ticks: []Tick{bare401, bare401, {Path: "/multi/split", Status: 401},
		{Status: 200}}},
	"no-challenge": {ticks: []Tick{{Status: 401, Finding: "no-challenge", Carried: "none"},
		{Status: 401, Finding: "no-challenge", Carried: "none"}, {Status: 200, Carried: "basic"}}},
	"forbidden": {ticks: []Tick{bare401, {Status: 403, Finding: "forbidden"}, {Status: 200, Carried: "basic"}}},
	"proxy": {ticks: []Tick{{Status: 407, Finding: "proxy-auth-required", Carried: "none"},
		{Status: 407, Carried: "basic"}, {Status: 200, Carried: "proxy basic"}}},
	"redirect": {ticks: []Tick{{Carried: "basic"}, {Finding: "auth-dropped-on-redirect"},
		{Status: 200, Carried: "basic"}}},
	"session": {ticks: []Tick{{Finding: "login-redirect"}, {Path: "/login", Method: "POST"},
		{Status: 200, Without: "login-redirect"}, {Path: "/logout"},
		{Status: 200, Without: "login-redirect", AfterPrevious: true}}},
	"hostile": {ticks: []Tick{bare401, bare401, {Status: 200, Carried: "basic"}}},
	"slow":    {ticks: []Tick{{NoAnswer: true}, {Status: 401}, {Status: 200, Carried: "basic"}}},
	"ntlm": {ticks: []Tick{bare401, {Finding: "ntlm-challenge"}, {Status: 200, Carried: "ntlm"},
		{Finding: "credentials-rejected", Carried: "ntlm"}}},
	"proxy-digest": {ticks: []Tick{bare407, bare407, {Status: 200, Carried: "proxy digest"}}},
	"audience": {ticks: []Tick{{Status: 401, Finding: "resource-metadata", Carried: "none"},
		{Purpose: PurposeToken}, {Status: 200, Carried: "bearer"}}},
	"tenant": {ticks: []Tick{{Status: 401, Finding: "resource-metadata", Carried: "none"},
		{Purpose: PurposeDiscovery, Path: "/.well-known/oauth-authorization-server" + TenantPath},
		{Purpose: PurposeToken, Path: TenantPath + "/token"}, {Status: 200, Carried: "bearer"}}},
	"client-auth": {ticks: []Tick{bare401, {Purpose: PurposeToken, Finding: "token-request-failed"},
		{Purpose: PurposeDiscovery}, {Status: 200, Carried: "bearer"}}},
	"par": {ticks: []Tick{bare401, {Purpose: PurposeAuthorization, Error: "invalid_request"},
		{Purpose: PurposeToken, Path: "/oauth/par", Status: 201}, {Status: 200, Carried: "bearer"}}},
	"mcp-register": {ticks: []Tick{{Status: 401, Finding: "resource-metadata", Carried: "none"},
		{Purpose: PurposeDiscovery, Path: "/.well-known/oauth-authorization-server"},
		{Purpose: PurposeToken, Path: "/oauth/register", Status: 201}, {Status: 200, Carried: "bearer"}}},
	"mcp-cimd": {ticks: []Tick{{Status: 401, Finding: "resource-metadata", Carried: "none"},
		{Purpose: PurposeDiscovery, Path: ImpostorDocumentPath},
		{Purpose: PurposeToken, Path: "/oauth/par", Status: 201}, {Status: 200, Carried: "bearer"}}},
	"negotiate": {ticks: []Tick{bare401, {Finding: negotiateRead}, {Status: 200, Carried: "negotiate"}}},
}

// negotiateRead is the finding on the Negotiate lesson's bare 401: no
// ticket (kinit), or, for a learner who holds one, the ticket that answers.
const negotiateRead = "negotiate-no-ticket|negotiate-ticket"

// hasCode reports whether codes holds want, or one of want's codes
// separated by "|".
func hasCode(codes []string, want string) bool {
	for _, w := range strings.Split(want, "|") {
		if slices.Contains(codes, w) {
			return true
		}
	}
	return false
}
