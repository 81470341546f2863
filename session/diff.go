package session

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"keyhole/credentials"
	"keyhole/httpclient"
)

// Change is one difference between two attempts. Before and After are safe to
// print: credentials appear masked with their fingerprint, server text is
// escaped.
type Change struct {
	Section       string // "request-line", "header", "body", "status", "challenge" or "finding"
	Name          string // "method", "url", a header name, "Digest nonce", a finding code
	Before, After string // "" when absent on that side
	Note          string // what the change means, e.g. "nonce rotated"
}

// String renders the change on one line, e.g.
// "Authorization: Bearer ••• (sha256:1a2b3c4d) → ••• (sha256:9f8e7d6c)".
func (c Change) String() string {
	before, after := c.Before, c.After
	if before == "" {
		before = "(none)"
	}
	if after == "" {
		after = "(none)"
	}
	// "Bearer ••• (…) → Bearer ••• (…)" reads better without the repeated scheme.
	if b, _, ok := strings.Cut(c.Before, " "); ok && c.Section == "header" && strings.HasPrefix(c.After, b+" ") {
		after = strings.TrimPrefix(c.After, b+" ")
	}
	s := c.Name + ": " + before + " → " + after
	if c.Note != "" {
		s += " (" + c.Note + ")"
	}
	return s
}

// Diff lists what changed from attempt a to attempt b: the request line,
// request headers, body, status, the challenges' parameters and the findings.
func Diff(a, b *Attempt) []Change {
	var out []Change
	ra, rb := requestOf(a), requestOf(b)
	if ra.Method != rb.Method {
		out = append(out, Change{Section: "request-line", Name: "method", Before: ra.Method, After: rb.Method})
	}
	if ra.URL != rb.URL {
		c := Change{Section: "request-line", Name: "url", Before: httpclient.SafeLine(credentials.RedactURL(ra.URL)), After: httpclient.SafeLine(credentials.RedactURL(rb.URL))}
		if c.Before == c.After {
			c.Note = "a secret query parameter or URL password changed"
		}
		out = append(out, c)
	}
	out = append(out, headerChanges(ra.Header, rb.Header)...)
	if !bytes.Equal(ra.Body, rb.Body) {
		out = append(out, Change{Section: "body", Name: "body",
			Before: bodyPreview(ra.Header.Get("Content-Type"), ra.Body), After: bodyPreview(rb.Header.Get("Content-Type"), rb.Body),
			Note: fmt.Sprintf("%d → %d bytes", len(ra.Body), len(rb.Body))})
	}
	if sa, sb := statusText(a), statusText(b); sa != sb {
		out = append(out, Change{Section: "status", Name: "status", Before: sa, After: sb})
	}
	out = append(out, challengeChanges(challengesOf(a), challengesOf(b))...)
	out = append(out, findingChanges(a.Findings, b.Findings)...)
	return out
}

func requestOf(a *Attempt) *httpclient.Request {
	if a != nil && a.Exchange != nil && a.Exchange.Request != nil {
		return a.Exchange.Request
	}
	return &httpclient.Request{Header: http.Header{}}
}

func challengesOf(a *Attempt) []httpclient.Challenge {
	if a == nil || a.Exchange == nil {
		return nil
	}
	return a.Exchange.Challenges
}

func statusText(a *Attempt) string {
	if a == nil || a.Exchange == nil {
		return "not sent"
	}
	if r := a.Exchange.Response; r != nil {
		return httpclient.SafeLine(strings.TrimSpace(strconv.Itoa(r.Status) + " " + r.StatusText))
	}
	if a.Exchange.Err != nil {
		return "no response: " + httpclient.SafeLine(redactURLsIn(a.Exchange.Err.Error()))
	}
	return "no response"
}

// shownHeader is a header value as a diff shows it: credentials masked with
// their fingerprint (a Digest answer keeps its parameters).
func shownHeader(name, v string) string {
	if m, ok := maskDigest(name, v); ok {
		return m
	}
	return httpclient.SafeLine(credentials.MaskHeader(name, v))
}

func headerChanges(ha, hb http.Header) []Change {
	names := map[string]bool{}
	for k := range ha {
		names[http.CanonicalHeaderKey(k)] = true
	}
	for k := range hb {
		names[http.CanonicalHeaderKey(k)] = true
	}
	var out []Change
	for _, k := range slices.Sorted(maps.Keys(names)) {
		va, vb := strings.Join(ha.Values(k), ", "), strings.Join(hb.Values(k), ", ")
		if va == vb {
			continue
		}
		c := Change{Section: "header", Name: k}
		if va != "" {
			c.Before = shownHeader(k, va)
		}
		if vb != "" {
			c.After = shownHeader(k, vb)
		}
		if k == "Authorization" || k == "Proxy-Authorization" {
			c.Note = credentialNote(va, vb)
		}
		out = append(out, c)
	}
	return out
}

// credentialNote says in words how the credentials of two Authorization
// values differ, without showing them.
func credentialNote(va, vb string) string {
	switch {
	case va == "":
		return "credentials sent"
	case vb == "":
		return "credentials no longer sent"
	}
	sa, restA, _ := strings.Cut(va, " ")
	sb, restB, _ := strings.Cut(vb, " ")
	if !strings.EqualFold(sa, sb) {
		return "scheme changed (" + httpclient.SafeLine(sa) + " → " + httpclient.SafeLine(sb) + ")"
	}
	switch strings.ToLower(sa) {
	case "basic":
		ua, pa := basicPair(restA)
		ub, pb := basicPair(restB)
		switch {
		case ua != ub:
			return "user changed (" + httpclient.SafeLine(ua) + " → " + httpclient.SafeLine(ub) + ")"
		case pa != pb:
			return "password changed"
		}
	case "bearer", "dpop":
		if sa, sb := jwtScope(restA), jwtScope(restB); sa != sb {
			return "token scope changed (" + sa + " → " + sb + ")"
		}
		return "a different token"
	case "digest":
		ca, _ := httpclient.ParseChallenges(va)
		cb, _ := httpclient.ParseChallenges(vb)
		if len(ca) == 1 && len(cb) == 1 {
			var names []string
			for _, p := range paramNames(ca[0], cb[0]) {
				if ca[0].Param(p) != cb[0].Param(p) {
					names = append(names, p)
				}
			}
			if len(names) > 0 {
				return strings.Join(names, ", ") + " changed"
			}
		}
	}
	return "credentials changed"
}

func basicPair(b64 string) (user, pass string) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
	if err != nil {
		return "", b64
	}
	user, pass, _ = strings.Cut(string(raw), ":")
	return user, pass
}

// jwtScope is a JWT's scope as text, or "" for a token that is not a JWT.
func jwtScope(tok string) string {
	tok = strings.TrimSpace(tok)
	if !credentials.LooksLikeJWT(tok) {
		return ""
	}
	j, err := credentials.ParseJWT(tok)
	if err != nil {
		return ""
	}
	return httpclient.SafeLine(strings.Join(j.Scope, " "))
}

func bodyPreview(ct string, b []byte) string {
	if len(b) == 0 {
		return ""
	}
	b = RedactBody(ct, b)
	if httpclient.IsBinary(b) {
		return fmt.Sprintf("(%d bytes, binary)", len(b))
	}
	s := string(b)
	if len(s) > 120 {
		cut := 120
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return httpclient.SafeLine(s)
}

// paramNames is the union of two challenges' parameter names, in order.
func paramNames(a, b httpclient.Challenge) []string {
	seen := map[string]bool{}
	var out []string
	for _, ps := range [][]httpclient.Param{a.Params, b.Params} {
		for _, p := range ps {
			if !seen[p.Name] {
				seen[p.Name] = true
				out = append(out, p.Name)
			}
		}
	}
	return out
}

// challengeKey pairs challenges across attempts: the same header and scheme,
// and the n-th of that scheme (Digest often comes twice, SHA-256 and MD5).
func challengeKeys(chs []httpclient.Challenge) []string {
	count := map[string]int{}
	keys := make([]string, len(chs))
	for i, c := range chs {
		k := c.Header + "\x00" + strings.ToLower(c.Scheme)
		count[k]++
		keys[i] = k + "\x00" + strconv.Itoa(count[k])
	}
	return keys
}

func challengeChanges(ca, cb []httpclient.Challenge) []Change {
	ka, kb := challengeKeys(ca), challengeKeys(cb)
	index := func(keys []string, k string) int {
		for i, x := range keys {
			if x == k {
				return i
			}
		}
		return -1
	}
	var out []Change
	for i, c := range ca {
		if index(kb, ka[i]) < 0 {
			out = append(out, Change{Section: "challenge", Name: challengeName(c), Before: challengeText(c), Note: "no longer offered"})
		}
	}
	for j, c := range cb {
		i := index(ka, kb[j])
		if i < 0 {
			out = append(out, Change{Section: "challenge", Name: challengeName(c), After: challengeText(c), Note: "newly offered"})
			continue
		}
		a := ca[i]
		for _, p := range paramNames(a, c) {
			va, okA := a.Get(p)
			vb, okB := c.Get(p)
			if va == vb && okA == okB {
				continue
			}
			out = append(out, Change{Section: "challenge", Name: challengeName(c) + " " + p,
				Before: httpclient.SafeLine(va), After: httpclient.SafeLine(vb), Note: paramNote(p, va, vb, okA, okB)})
		}
		if a.Token68 != c.Token68 {
			out = append(out, Change{Section: "challenge", Name: challengeName(c) + " token68",
				Before: httpclient.SafeLine(a.Token68), After: httpclient.SafeLine(c.Token68), Note: "the server's next leg"})
		}
	}
	return out
}

func challengeName(c httpclient.Challenge) string {
	name := httpclient.SafeLine(c.Scheme)
	if c.Header == httpclient.ProxyAuthenticate {
		name = "proxy " + name
	}
	return name
}

func challengeText(c httpclient.Challenge) string {
	parts := []string{httpclient.SafeLine(c.Scheme)}
	for _, p := range c.Params {
		parts = append(parts, p.Name+"="+strconv.Quote(p.Value))
	}
	if c.Token68 != "" {
		parts = append(parts, c.Token68)
	}
	return httpclient.SafeLine(strings.Join(parts, " "))
}

// paramNote says what a changed challenge parameter means for the user.
func paramNote(name, before, after string, hadBefore, hasAfter bool) string {
	switch {
	case name == "stale" && strings.EqualFold(after, "true"):
		return "stale=true appeared: the nonce expired, the credentials were fine"
	case name == "nonce":
		return "nonce rotated"
	case name == "error" && !hadBefore:
		return "new error: " + httpclient.SafeLine(after)
	case name == "error" && !hasAfter:
		return "error cleared"
	case name == "error":
		return "error changed"
	case name == "scope":
		return "scope changed"
	case name == "realm":
		return "realm changed"
	case name == "algorithm":
		return "algorithm changed"
	case !hadBefore:
		return name + " appeared"
	case !hasAfter:
		return name + " gone"
	}
	return ""
}

func findingChanges(fa, fb []Finding) []Change {
	has := func(fs []Finding, code string) bool {
		for _, f := range fs {
			if f.Code == code {
				return true
			}
		}
		return false
	}
	var out []Change
	for _, f := range fa {
		if !has(fb, f.Code) {
			out = append(out, Change{Section: "finding", Name: f.Code, Before: f.Message, Note: "resolved"})
		}
	}
	for _, f := range fb {
		if !has(fa, f.Code) {
			out = append(out, Change{Section: "finding", Name: f.Code, After: f.Message, Note: "appeared"})
		}
	}
	return out
}

// Summary says in one line how attempt b turned out compared with a, and the
// change that most likely made the difference, e.g. "attempt 3 worked because
// the token scope changed (read → read read:secrets)".
func Summary(a, b *Attempt) string {
	changes := Diff(a, b)
	reason := mainReason(changes)
	name := "attempt " + strconv.Itoa(b.N)
	sb := b.Status()
	worked := sb >= 200 && sb < 400
	switch {
	case worked && a.Status() >= 200 && a.Status() < 400:
		if reason != "" {
			return name + " worked, as attempt " + strconv.Itoa(a.N) + " did; " + reason
		}
		return name + " worked, as attempt " + strconv.Itoa(a.N) + " did"
	case worked && reason != "":
		return name + " worked because " + reason
	case worked:
		return name + " worked although the request did not change"
	}
	st := statusText(b)
	if sb == a.Status() {
		if why := challengeReason(changes); why != "" {
			return name + " failed again (" + st + "): " + why
		}
		if reason != "" {
			return name + " failed again (" + st + ") although " + reason
		}
		return name + " failed again (" + st + "); nothing in the request changed"
	}
	if reason != "" {
		return name + " got " + st + " instead of " + statusText(a) + " after " + reason
	}
	return name + " got " + st + " instead of " + statusText(a) + "; the request did not change"
}

// mainReason picks the request change most likely to explain a different
// outcome: credentials first, then where the request went, then its content.
func mainReason(changes []Change) string {
	var other []string
	for _, c := range changes {
		if c.Section == "header" && (c.Name == "Authorization" || c.Name == "Proxy-Authorization") {
			prefix := ""
			if c.Name == "Proxy-Authorization" {
				prefix = "the proxy "
			}
			switch {
			case strings.HasPrefix(c.Note, "credentials sent"):
				scheme, _, _ := strings.Cut(c.After, " ")
				return prefix + "credentials were sent (" + scheme + ")"
			case c.Note == "credentials no longer sent":
				return prefix + "credentials were no longer sent"
			case strings.HasPrefix(c.Note, "token scope changed"):
				return "the " + strings.TrimPrefix(c.Note, "token ")
			case c.Note == "a different token":
				return "a different token was sent"
			default:
				return "the " + prefix + c.Note
			}
		}
	}
	for _, c := range changes {
		switch c.Section {
		case "request-line":
			if c.Name == "method" {
				return "the method changed (" + c.Before + " → " + c.After + ")"
			}
			if c.Note != "" {
				return c.Note
			}
			return "the URL changed (" + c.Before + " → " + c.After + ")"
		case "header":
			other = append(other, c.Name)
		case "body":
			other = append(other, "the body")
		}
	}
	if len(other) == 1 {
		return other[0] + " changed"
	}
	if len(other) > 1 {
		return strings.Join(other[:len(other)-1], ", ") + " and " + other[len(other)-1] + " changed"
	}
	return ""
}

// challengeReason explains a repeated failure from the server's side.
func challengeReason(changes []Change) string {
	for _, c := range changes {
		if c.Section == "challenge" && (strings.HasPrefix(c.Note, "stale=true") || strings.HasPrefix(c.Note, "new error")) {
			return c.Note
		}
	}
	return ""
}
