package ui

import (
	"fmt"
	"slices"
	"strings"

	"keyhole/credentials"
	"keyhole/httpclient"
	"keyhole/session"
)

// option is one row of the scheme picker: a challenge and a kind of answer.
type option struct {
	ch   int             // index in challenges.chs
	kind string          // "" when keyhole cannot answer the challenge
	act  *session.Action // a finding's next step instead of a scheme
}

// challenges is the panel shown on a 401 or 407: every challenge with its
// parameters and what it means, why the attempt failed, what to try next,
// and the scheme picker.
type challenges struct {
	status   int
	chs      []httpclient.Challenge
	problems []httpclient.Problem
	ex       session.Explanation
	note     string
	opts     []option
	cursor   int
}

// fromAWS reports whether a's answer is an AWS error (a finding the session
// drew from AWS's XML), which a SigV4 signature answers.
func fromAWS(a *session.Attempt) bool {
	for _, f := range a.Findings {
		if strings.HasPrefix(f.Code, "aws-") {
			return true
		}
	}
	return false
}

// active reports whether there is a challenge to answer.
func (c challenges) active() bool { return len(c.opts) > 0 }

// set shows a's challenges, or clears the panel when a was not challenged.
func (c *challenges) set(a *session.Attempt) {
	*c = challenges{}
	if a == nil || a.Exchange == nil || a.Exchange.Response == nil {
		return
	}
	st := a.Exchange.Response.Status
	aws := fromAWS(a)
	ex := session.Explain(a)
	// Credentials held back for a challenge that never came (a 404 where a
	// private resource hides) are answered from the picker too.
	held := slices.ContainsFunc(ex.Next, func(x session.Action) bool { return x.Kind == "send-upfront" })
	if st != 401 && st != 407 && !(st == 403 && aws) && !held {
		return
	}
	c.status, c.chs, c.problems, c.note = st, a.Exchange.Challenges, a.Exchange.Problems, a.Note
	c.ex = ex
	best := credentials.Preferred(c.chs)
	for i, ch := range c.chs {
		ks := kindsFor(ch)
		if len(ks) == 0 {
			c.opts = append(c.opts, option{ch: i})
		}
		for _, k := range ks {
			c.opts = append(c.opts, option{ch: i, kind: k})
		}
	}
	for i, o := range c.opts {
		if o.ch == best && o.kind != "" {
			c.cursor = i // the first answer to the strongest challenge
			break
		}
	}
	if len(c.chs) == 0 && (st == 401 || st == 407) {
		// A 401 without a challenge: servers that want a token often answer
		// so, and some that want a password (the no-challenge lesson).
		c.opts = append(c.opts, option{ch: -1, kind: "bearer"}, option{ch: -1, kind: "basic"})
	}
	if st == 401 {
		c.opts = append(c.opts, option{ch: -1, kind: "apikey"})
	}
	if len(c.chs) == 0 && st == 401 {
		// No challenge: most such APIs want a key (the no-challenge finding says so).
		for i, o := range c.opts {
			if o.kind == "apikey" {
				c.cursor = i
			}
		}
	}
	if aws {
		// AWS answers unsigned or badly signed requests with 403 XML, not a challenge.
		c.opts = append(c.opts, option{ch: -1, kind: "aws-sigv4"})
		if len(c.opts) == 1 {
			c.cursor = 0
		}
	}
	for _, a := range c.ex.Next {
		if actionKinds[a.Kind] && a.Kind != "use-api-key" {
			c.opts = append(c.opts, option{ch: -1, act: &a})
			if a.Kind == "trust-redirect" || a.Kind == "send-upfront" {
				// The credentials never reached the server: retyping them
				// cannot help, sending them can.
				c.cursor = len(c.opts) - 1
			}
		}
	}
}

// offers reports whether a challenge shown can be answered with kind k.
func (c challenges) offers(k string) bool {
	return slices.ContainsFunc(c.opts, func(o option) bool { return o.kind == k })
}

// choose puts the cursor on the first option of kind k, if there is one.
func (c *challenges) choose(k string) {
	if i := slices.IndexFunc(c.opts, func(o option) bool { return o.kind == k }); i >= 0 {
		c.cursor = i
	}
}

// picked is the option under the cursor.
func (c challenges) picked() (option, bool) {
	if c.cursor < 0 || c.cursor >= len(c.opts) {
		return option{}, false
	}
	return c.opts[c.cursor], true
}

func (c *challenges) move(d int) {
	if len(c.opts) > 0 {
		c.cursor = (c.cursor + d + len(c.opts)) % len(c.opts)
	}
}

// paramText renders a challenge's parameters the way the server sent them,
// made safe: quoted values keep their escapes (title="Login to \"apps\"").
func paramText(ch httpclient.Challenge) string {
	var parts []string
	if ch.Token68 != "" {
		parts = append(parts, safeLine(ch.Token68))
	}
	for _, p := range ch.Params {
		// Quote first, then make safe: a control byte the server sent
		// shows as one escape (\u009b), not as an escaped backslash that
		// the server never sent (\\u009b).
		v := p.Value
		if p.Quoted {
			v = `"` + quoteEscaper.Replace(v) + `"`
		}
		v = safeLine(v)
		parts = append(parts, safeLine(p.Name)+"="+v)
	}
	return strings.Join(parts, ", ")
}

var quoteEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

// explain renders what keyhole makes of attempt a, whatever its status:
// what the server wants (each challenge as sent, then in words), why the
// attempt failed (every finding, whole, with what to try next) and what to
// do next. c is the challenge panel of the same attempt: the actions it
// offers as picker rows are not repeated. Long lines are wrapped by the caller.
func explain(st Styles, a *session.Attempt, c challenges) []string {
	ex := session.Explain(a)
	var out []string
	var chs []httpclient.Challenge
	var problems []httpclient.Problem
	if a.Exchange != nil {
		chs, problems = a.Exchange.Challenges, a.Exchange.Problems
	}
	if len(chs) > 0 {
		who := "What the server wants"
		if a.Status() == 407 {
			who = "What the proxy wants"
		}
		out = append(out, st.Title.Render(who)+" "+st.Muted.Render(count(len(chs), "scheme")+" offered"))
		for i, ch := range chs {
			out = append(out, "  "+st.Method.Render(safeLine(ch.Scheme))+" "+paramText(ch))
			if i < len(ex.Wants) {
				out = append(out, "    "+st.Muted.Render(safeLine(ex.Wants[i])))
			}
		}
	}
	for _, p := range problems {
		out = append(out, st.findingStyle(p.Severity).Render(fmt.Sprintf("  ! byte %d: %s", p.Offset, safeLine(p.Message))))
	}
	if a.Note != "" {
		out = append(out, "  "+st.Muted.Render(safeLine(a.Note)))
	}
	out = append(out, findingLines(st, a.Findings, c)...)
	var next []string
	for _, x := range ex.Next {
		if c.active() && (x.Kind == "pick-scheme" || x.Kind == "proxy-credentials" || actionKinds[x.Kind]) {
			continue // a row of the picker
		}
		l := "  → " + safeLine(x.Label)
		if x.URL != "" && x.Kind != "trust-redirect" {
			l += " " + st.Muted.Render(safeLine(x.URL))
		}
		next = append(next, l)
	}
	if len(next) > 0 {
		out = append(out, "", st.Title.Render("Next"))
		out = append(out, next...)
	}
	return out
}

// findingLines renders findings whole: the mark and message, what to try
// next, and the server's documentation when it named one.
func findingLines(st Styles, fs []session.Finding, c challenges) []string {
	if len(fs) == 0 {
		return nil
	}
	out := []string{"", st.Title.Render("Why")}
	if !slices.ContainsFunc(fs, func(f session.Finding) bool { return f.Severity == session.Error }) {
		out[1] = st.Title.Render("Findings")
	}
	for _, fd := range fs {
		out = append(out, st.findingStyle(fd.Severity).Render("  "+severityMark(fd.Severity)+" "+safeLine(fd.Message)))
		if fd.Next != "" {
			out = append(out, "    → "+safeLine(nextWords(fd, c)))
		}
		if fd.DocURL != "" {
			out = append(out, "    "+st.Muted.Render("docs: "+safeLine(fd.DocURL)))
		}
	}
	return out
}

// severityMark is the sign before a finding: only errors get a cross, so an
// informational finding does not read as a failure.
func severityMark(severity string) string {
	switch severity {
	case session.Error:
		return "✗"
	case session.Warning:
		return "!"
	}
	return "·"
}

// distinguish tells apart several challenges of one scheme in the picker
// ("Digest SHA-256", "Digest MD5"): their algorithm, else their realm.
func (c challenges) distinguish(i int) string {
	ch := c.chs[i]
	same := 0
	for _, o := range c.chs {
		if o.Is(ch.Scheme) {
			same++
		}
	}
	if same < 2 {
		return ""
	}
	if ch.Is("Digest") {
		alg := ch.Param("algorithm")
		if alg == "" {
			alg = "MD5"
		}
		return " " + safeLine(alg)
	}
	if r, ok := ch.Get("realm"); ok {
		return " realm '" + safeLine(r) + "'"
	}
	return fmt.Sprintf(" #%d", i+1)
}

// label is the picker's row i in words: "Basic", "Bearer: OAuth 2.0",
// "Digest SHA-256", "→ Trust … and resend credentials there".
func (c challenges) label(i int) string {
	o := c.opts[i]
	row := title(o.kind) + " (answers no challenge)"
	switch {
	case o.act != nil:
		row = "→ " + safeLine(o.act.Label)
	case o.ch >= 0:
		scheme := safeLine(c.chs[o.ch].Scheme)
		switch {
		case o.kind == "":
			row = scheme + ": keyhole cannot answer this"
		case strings.EqualFold(scheme, title(o.kind)):
			row = scheme
		default:
			row = scheme + ": " + title(o.kind)
		}
		row += c.distinguish(o.ch)
	}
	return row
}

// picker renders the answers the user can pick from.
func (c challenges) picker(st Styles, f focus) []string {
	if !c.active() {
		return nil
	}
	title := st.Title
	if f == focusPicker {
		title = st.TitleFocus
	}
	out := []string{title.Render("Answer with") + " " + st.Muted.Render("↑/↓ choose, a letter jumps, enter picks")}
	for i := range c.opts {
		row := c.label(i)
		if o := c.opts[i]; o.act != nil && o.act.URL != "" && o.act.Kind != "trust-redirect" {
			row += " " + st.Muted.Render(safeLine(o.act.URL))
		}
		if i == c.cursor {
			row = "› " + row
			if f == focusPicker {
				row = st.Selected.Render(row)
			}
		} else {
			row = "  " + row
		}
		out = append(out, row)
	}
	return out
}
