package ui

import (
	"fmt"
	"strings"

	"keyhole/credentials"
	"keyhole/httpclient"
	"keyhole/session"
)

// challenges is the panel shown on a 401 or 407: every challenge with its
// parameters and what it means, the findings about the attempt, and the
// scheme picker.
type challenges struct {
	status   int
	chs      []httpclient.Challenge
	problems []httpclient.Problem
	findings []session.Finding
	cursor   int
}

// active reports whether there is a challenge to answer.
func (c challenges) active() bool { return len(c.chs) > 0 }

// set shows a's challenges, or clears the panel when a was not challenged.
func (c *challenges) set(a *session.Attempt) {
	*c = challenges{}
	if a == nil || a.Exchange == nil || a.Exchange.Response == nil {
		return
	}
	st := a.Exchange.Response.Status
	if st != 401 && st != 407 {
		return
	}
	c.status, c.chs, c.problems, c.findings = st, a.Exchange.Challenges, a.Exchange.Problems, a.Findings
	c.cursor = max(credentials.Preferred(c.chs), 0)
}

// picked is the challenge under the cursor.
func (c challenges) picked() *httpclient.Challenge {
	if c.cursor < 0 || c.cursor >= len(c.chs) {
		return nil
	}
	return &c.chs[c.cursor]
}

func (c *challenges) move(d int) {
	if len(c.chs) > 0 {
		c.cursor = (c.cursor + d + len(c.chs)) % len(c.chs)
	}
}

// paramText renders a challenge's parameters the way the server sent them, made safe.
func paramText(ch httpclient.Challenge) string {
	var parts []string
	if ch.Token68 != "" {
		parts = append(parts, safeLine(ch.Token68))
	}
	for _, p := range ch.Params {
		v := safeLine(p.Value)
		if p.Quoted {
			v = `"` + v + `"`
		}
		parts = append(parts, safeLine(p.Name)+"="+v)
	}
	return strings.Join(parts, " ")
}

func (c challenges) view(st Styles, f focus, w int) []string {
	if !c.active() {
		return nil
	}
	who := "The server"
	if c.status == 407 {
		who = "The proxy"
	}
	title := st.Title
	if f == focusPicker {
		title = st.TitleFocus
	}
	out := []string{title.Render(fmt.Sprintf("Challenge %d", c.status)) + " " +
		st.Muted.Render(fmt.Sprintf("%s offers %d scheme(s); pick one", who, len(c.chs)))}
	for i, ch := range c.chs {
		mark := "  "
		if i == c.cursor {
			mark = "› "
		}
		row := mark + safeLine(ch.Scheme) + " " + paramText(ch)
		if !credentials.Supported(ch.Scheme) {
			row += " (keyhole cannot answer this)"
		}
		if i == c.cursor && f == focusPicker {
			row = st.Selected.Render(row)
		}
		out = append(out, row, "    "+st.Muted.Render(safeLine(session.Describe(ch))))
	}
	for _, p := range c.problems {
		out = append(out, st.findingStyle(p.Severity).Render(fmt.Sprintf("  ! byte %d: %s", p.Offset, safeLine(p.Message))))
	}
	for _, fd := range c.findings {
		out = append(out, st.findingStyle(fd.Severity).Render("  ✗ "+safeLine(fd.Message)))
		if fd.Next != "" {
			out = append(out, "    → "+safeLine(fd.Next))
		}
	}
	return out
}
