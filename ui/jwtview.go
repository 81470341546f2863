package ui

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"keyhole/credentials"
	"keyhole/session"
)

// foundToken is a token to inspect: where it came from, and the server's
// clock (its Date header) when a response goes with it.
type foundToken struct {
	raw    string
	source string
	server time.Time
}

// findToken picks the token the user most likely means: the one being typed
// in the Bearer form, else the selected attempt's (the access_token a token
// endpoint answered, or the token sent in Authorization), else the one last
// entered.
func (m Model) findToken() (foundToken, bool) {
	typed := func() (foundToken, bool) {
		if t := strings.TrimSpace(m.form.value("token")); credentials.LooksLikeJWT(t) {
			return foundToken{raw: t, source: "the token in the Bearer form"}, true
		}
		return foundToken{}, false
	}
	if m.focus == focusForm {
		if t, ok := typed(); ok {
			return t, true
		}
	}
	if a := m.tl.selected(); a != nil && a.Exchange != nil {
		if t, ok := attemptToken(a); ok {
			return t, true
		}
	}
	if t, ok := typed(); ok {
		return t, true
	}
	for _, o := range slices.Backward(m.wallet.Offers) {
		if b, ok := o.Auth.(credentials.Bearer); ok && credentials.LooksLikeJWT(b.Token) {
			return foundToken{raw: b.Token, source: "the token entered"}, true
		}
	}
	return foundToken{}, false
}

// attemptToken finds a JWT in a's response (a token endpoint's answer) or in
// the credentials it sent.
func attemptToken(a *session.Attempt) (foundToken, bool) {
	var server time.Time
	if r := a.Exchange.Response; r != nil {
		server, _ = http.ParseTime(r.Header.Get("Date"))
		var body map[string]any
		if json.Unmarshal(r.Body, &body) == nil {
			for _, name := range []string{"access_token", "id_token"} {
				if s, ok := body[name].(string); ok && credentials.LooksLikeJWT(s) {
					return foundToken{raw: s, source: fmt.Sprintf("the %s of attempt %d", name, a.N), server: server}, true
				}
			}
		}
	}
	if req := a.Exchange.Request; req != nil {
		for _, h := range []string{"Authorization", "Proxy-Authorization"} {
			_, tok, ok := strings.Cut(req.Header.Get(h), " ")
			if tok = strings.TrimSpace(tok); ok && credentials.LooksLikeJWT(tok) {
				return foundToken{raw: tok, source: fmt.Sprintf("the token sent in %s by attempt %d", h, a.N), server: server}, true
			}
		}
	}
	return foundToken{}, false
}

// openJWT decodes the token found and shows its header, claims, times
// against both clocks, and warnings. The signature is never shown.
func (m *Model) openJWT() {
	t, ok := m.findToken()
	if !ok {
		m.fail(errors.New("no JWT to inspect: type one in the Bearer form, or select an attempt that sent or received one"))
		return
	}
	j, err := credentials.ParseJWT(t.raw)
	if err != nil {
		m.fail(fmt.Errorf("%s is not a readable JWT: %v", t.source, err))
		return
	}
	m.openOverlay(jwtOverlay(m.styles, j, t, m.clock()))
	m.info("Decoded %s (%s); the signature is not checked.", t.source, credentials.Fingerprint(t.raw))
}

func jwtOverlay(st Styles, j *credentials.JWT, t foundToken, now time.Time) overlay {
	o := overlay{kind: ovJWT, title: "JWT", hint: t.source + "; ↑/↓ scroll, esc closes"}
	label := func(s string) string { return st.Label.Render(padRight(s, 10)) }
	o.head = append(o.head, label("Token")+credentials.Mask(t.raw))
	if len(j.Audience) > 0 {
		o.head = append(o.head, label("aud")+safeLine(strings.Join(j.Audience, ", ")))
	}
	if j.Issuer != "" {
		o.head = append(o.head, label("iss")+safeLine(j.Issuer))
	}
	if len(j.Scope) > 0 {
		o.head = append(o.head, label("scope")+safeLine(strings.Join(j.Scope, " ")))
	}
	for _, tc := range j.Times(now, t.server) {
		s := label(tc.Claim) + tc.Time.UTC().Format(time.RFC3339) + "  " + tc.Local + " here"
		if tc.Server != "" {
			s += ", " + tc.Server + " by the server's Date"
		}
		o.head = append(o.head, s)
	}
	if w := j.Warnings(now); len(w) > 0 {
		o.head = append(o.head, "", st.Title.Render("Warnings"))
		for _, s := range w {
			o.head = append(o.head, st.findingStyle(session.Warning).Render("  ! "+safeLine(s)))
		}
	}
	o.head = append(o.head, "", st.Title.Render("Header"))
	o.head = append(o.head, claimLines(j.Header)...)
	o.head = append(o.head, "", st.Title.Render("Claims"))
	o.head = append(o.head, claimLines(j.Claims)...)
	return o
}

// claimLines renders a JSON object one member a line, sorted, values made safe.
func claimLines(obj map[string]any) []string {
	names := make([]string, 0, len(obj))
	for n := range obj {
		names = append(names, n)
	}
	slices.Sort(names)
	var out []string
	for _, n := range names {
		v, ok := obj[n].(string)
		if !ok {
			b, _ := json.Marshal(obj[n])
			v = string(b)
		}
		out = append(out, "  "+safeLine(n)+": "+safeLine(v))
	}
	return out
}
