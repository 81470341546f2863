package ui

import (
	"fmt"
	"slices"
	"strings"

	"keyhole/httpclient"
	"keyhole/session"
)

// challenges is the panel shown on a 401 or 407: every challenge with its
// parameters and what it means, why the attempt failed, what to try next,
// and the scheme picker, whose rows and preselection are session.Choices.
type challenges struct {
	status   int
	chs      []httpclient.Challenge
	problems []httpclient.Problem
	ex       session.Explanation
	note     string
	opts     []session.Choice
	cursor   int
}

// active reports whether there is a challenge to answer.
func (c challenges) active() bool { return len(c.opts) > 0 }

// set shows a's challenges and the choices the session makes of them, or
// clears the panel when a asks for nothing.
func (c *challenges) set(a *session.Attempt) {
	*c = challenges{}
	opts, pre := session.Choices(a)
	if len(opts) == 0 {
		return
	}
	c.status, c.chs, c.problems, c.note = a.Exchange.Response.Status, a.Exchange.Challenges, a.Exchange.Problems, a.Note
	c.ex = session.Explain(a)
	c.opts, c.cursor = opts, pre
}

// offers reports whether a challenge shown can be answered with kind k.
func (c challenges) offers(k string) bool {
	return slices.ContainsFunc(c.opts, func(o session.Choice) bool { return o.Mode == k })
}

// choose puts the cursor on the first option of kind k, if there is one.
func (c *challenges) choose(k string) {
	if i := slices.IndexFunc(c.opts, func(o session.Choice) bool { return o.Mode == k }); i >= 0 {
		c.cursor = i
	}
}

// picked is the option under the cursor.
func (c challenges) picked() (session.Choice, bool) {
	if c.cursor < 0 || c.cursor >= len(c.opts) {
		return session.Choice{}, false
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
		if c.active() && session.ChoiceCovers(x.Kind) {
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
	row := title(o.Mode) + " (answers no challenge)"
	switch {
	case o.Action != nil:
		row = "→ " + safeLine(o.Action.Label)
	case o.Challenge >= 0:
		scheme := safeLine(c.chs[o.Challenge].Scheme)
		switch {
		case o.Mode == "":
			row = scheme + ": keyhole cannot answer this"
		case strings.EqualFold(scheme, title(o.Mode)):
			row = scheme
		default:
			row = scheme + ": " + title(o.Mode)
		}
		row += c.distinguish(o.Challenge)
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
		if o := c.opts[i]; o.Action != nil && o.Action.URL != "" && o.Action.Kind != "trust-redirect" {
			row += " " + st.Muted.Render(safeLine(o.Action.URL))
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
