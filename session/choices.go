package session

import (
	"slices"
	"strings"

	"keyhole/credentials"
	"keyhole/httpclient"
)

// Choice is one way to answer an attempt: a scheme answering one of its
// challenges (or answering none, as an API key does), or a finding's next
// step. The faces draw them; this file decides them.
type Choice struct {
	Challenge int     // index in the attempt's challenges, -1 when it answers none
	Mode      string  // the scheme's credentials.Description.Mode; "" when keyhole cannot answer the challenge, or for an action
	Action    *Action // a finding's next step instead of a scheme
}

// choiceActions are the finding actions offered as choices of their own;
// picking a scheme (pick-scheme, proxy-credentials, use-api-key) is what
// the scheme choices do.
var choiceActions = map[string]bool{"trust-redirect": true, "open-docs": true, "clear-cookies": true,
	"refresh-token": true, "retry": true, "retry-with-nonce": true, "use-https": true, "sign-in": true,
	"fetch-metadata": true, "send-upfront": true}

// ChoiceCovers reports whether the choices of an answerable attempt take
// the step of action kind, as a choice of its own or as a scheme choice, so
// a face showing them need not say it again.
func ChoiceCovers(kind string) bool {
	return choiceActions[kind] || kind == "pick-scheme" || kind == "proxy-credentials" || kind == "use-api-key"
}

// Choices returns the ways to answer a, in the order a face lists them, and
// the index of the one preselected; nil and -1 when a asks for nothing
// (neither challenged, nor an AWS error, nor holding credentials back).
//
// Every challenge gets the schemes that answer it (ModesFor) or, when none
// does, a choice keyhole cannot answer; the first answer to the strongest
// challenge (credentials.Preferred) is preselected, the OAuth client when
// that challenge names its resource metadata. A 401 or 407 without a
// challenge adds Bearer and Basic, any 401 an API key (preselected without
// a challenge: most such APIs want one), an AWS error a SigV4 signature.
// Then the findings' steps; one saying the credentials never reached the
// server (trust-redirect, send-upfront) is preselected, since retyping
// them cannot help and sending them can.
func Choices(a *Attempt) ([]Choice, int) {
	if a == nil || a.Exchange == nil || a.Exchange.Response == nil {
		return nil, -1
	}
	st := a.Exchange.Response.Status
	aws := fromAWS(a)
	next := Explain(a).Next
	// Credentials held back for a challenge that never came (a 404 where a
	// private resource hides) are answered from the choices too.
	held := slices.ContainsFunc(next, func(x Action) bool { return x.Kind == "send-upfront" })
	if st != 401 && st != 407 && !(st == 403 && aws) && !held {
		return nil, -1
	}
	chs := a.Exchange.Challenges
	var cs []Choice
	for i, ch := range chs {
		ms := ModesFor(ch)
		if len(ms) == 0 {
			cs = append(cs, Choice{Challenge: i})
		}
		for _, m := range ms {
			cs = append(cs, Choice{Challenge: i, Mode: m})
		}
	}
	pre := 0
	best := credentials.Preferred(chs)
	if i := slices.IndexFunc(cs, func(c Choice) bool { return c.Challenge == best && c.Mode != "" }); i >= 0 {
		pre = i
	}
	if best >= 0 && chs[best].Param("resource_metadata") != "" {
		// The resource names its metadata (RFC 9728), and so where a token
		// comes from: the OAuth client gets one (the MCP path), a pasted
		// token is the second thought.
		if i := slices.IndexFunc(cs, func(c Choice) bool { return c.Challenge == best && c.Mode == "oauth2" }); i >= 0 {
			pre = i
		}
	}
	if len(chs) == 0 && (st == 401 || st == 407) {
		// Servers that want a token often answer so, and some that want
		// a password (the no-challenge lesson).
		cs = append(cs, Choice{Challenge: -1, Mode: "bearer"}, Choice{Challenge: -1, Mode: "basic"})
	}
	if st == 401 {
		cs = append(cs, Choice{Challenge: -1, Mode: "apikey"})
		if len(chs) == 0 {
			pre = len(cs) - 1
		}
	}
	if aws {
		// AWS answers unsigned or badly signed requests with 403 XML, not a challenge.
		cs = append(cs, Choice{Challenge: -1, Mode: "aws-sigv4"})
	}
	for _, x := range next {
		if choiceActions[x.Kind] {
			cs = append(cs, Choice{Challenge: -1, Action: &x})
			if x.Kind == "trust-redirect" || x.Kind == "send-upfront" {
				pre = len(cs) - 1
			}
		}
	}
	return cs, pre
}

// ModesFor lists the schemes that answer ch, in the descriptions' order,
// leaving out those whose description does not accept it (a registry token
// answers only a registry's challenge, with a token realm and its service
// or scope: IsRegistryChallenge, the rule Run answers by). A registry's
// Bearer challenge (Docker, OCI) gets its token from the realm, so there
// the registry token goes first.
func ModesFor(ch httpclient.Challenge) []string {
	var out []string
	for _, d := range credentials.ForWire(ch.Scheme) {
		if d.Rank > 0 && (d.Accepts == nil || d.Accepts(ch)) {
			out = append(out, d.Mode)
		}
	}
	if i := slices.Index(out, "registry"); i > 0 {
		out = append([]string{"registry"}, slices.Delete(out, i, i+1)...)
	}
	return out
}

// fromAWS reports whether a's answer is an AWS error (a finding drawn from
// AWS's XML), which a SigV4 signature answers.
func fromAWS(a *Attempt) bool {
	return slices.ContainsFunc(a.Findings, func(f Finding) bool { return strings.HasPrefix(f.Code, "aws-") })
}

// Needs says what a user gives to take choice c of attempt a without a
// picker (keyhole send): the fields of its scheme that are not optional,
// and whether the scheme must also be named (--auth), because those values
// alone would answer with another scheme (the first offer of the wire
// scheme wins, as in Wallet.answer), offer none, or wait for a challenge
// that never comes. A choice that is an action needs nothing.
func (c Choice) Needs(a *Attempt) (fields []credentials.Field, named bool) {
	d, ok := credentials.Describe(c.Mode)
	if !ok || c.Action != nil {
		return nil, false
	}
	choice := ""
	if i := d.ChoiceField(); i >= 0 {
		choice = d.Fields[i].Choices[0].Value
	}
	v := map[string]string{}
	for _, f := range d.Fields {
		if !f.Optional && f.Asked(choice) {
			fields = append(fields, f)
			v[f.Key] = "given"
		}
	}
	if d.Named {
		return fields, true
	}
	var chs []httpclient.Challenge
	if a != nil && a.Exchange != nil {
		chs = a.Exchange.Challenges
	}
	if c.Challenge < 0 || c.Challenge >= len(chs) {
		// Only schemes no challenge asks for go up front by themselves.
		return fields, d.Rank > 0 || !offeredBy(d, v)
	}
	ch := chs[c.Challenge]
	for _, o := range credentials.Schemes {
		if !o.Named && ch.Is(o.Wire) && (o.Accepts == nil || o.Accepts(ch)) && offeredBy(o, v) {
			return fields, o.Mode != c.Mode
		}
	}
	return fields, true
}

// offeredBy reports whether values v offer scheme d when no mode names it,
// as Given.Wallet decides: its Offered hook, else its fields filled.
func offeredBy(d credentials.Description, v map[string]string) bool {
	if d.Offered != nil {
		_, ok := d.Offered(v)
		return ok
	}
	return filled(d, v)
}
