package main

import (
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"

	"keyhole/credentials"
	"keyhole/httpclient"
	"keyhole/session"
)

// printer writes attempts for a person: coloured on a terminal that wants
// colour, plain on a pipe or under NO_COLOR.
type printer struct {
	w           io.Writer
	color       bool
	showSecrets bool
}

func newPrinter(w io.Writer, showSecrets bool) *printer {
	return &printer{w: w, color: colorprofile.Detect(w, os.Environ()) >= colorprofile.ANSI, showSecrets: showSecrets}
}

func (p *printer) line(s string) { fmt.Fprintln(p.w, s) }

func (p *printer) paint(ansi string, s string) string {
	if !p.color {
		return s
	}
	return lipgloss.NewStyle().Foreground(lipgloss.Color(ansi)).Render(s)
}

func (p *printer) status(a *session.Attempt) string {
	ex := a.Exchange
	if ex == nil || ex.Response == nil {
		msg := "no response"
		if ex != nil && ex.Err != nil {
			msg += ": " + httpclient.SafeLine(ex.Err.Error())
		}
		return p.paint("1", msg)
	}
	r := ex.Response
	text := strconv.Itoa(r.Status) + " " + httpclient.SafeLine(r.StatusText)
	switch {
	case r.Status < 300:
		return p.paint("2", text)
	case r.Status < 400:
		return p.paint("6", text)
	case r.Status < 500:
		return p.paint("3", text)
	}
	return p.paint("1", text)
}

func (p *printer) statusLine(a *session.Attempt) { p.line(p.status(a)) }

func (p *printer) url(u string) string {
	if p.showSecrets {
		return httpclient.SafeLine(u)
	}
	return httpclient.SafeLine(credentials.RedactURL(u))
}

func (p *printer) attempt(a *session.Attempt) {
	ex := a.Exchange
	head := fmt.Sprintf("#%d %s %s", a.N, ex.Request.Method, p.url(ex.Request.URL))
	if l := a.Label(); l != "" {
		head += "  (" + l + ")"
	} else {
		head += "  " + credentialWords(a)
	}
	if a.Auto != "" {
		head += "  [automatic: " + httpclient.SafeLine(a.Auto) + "]"
	}
	p.line(p.paint("5", head))
	if a.Reason != "" && a.Reason != session.ReasonFirst && a.Auto == "" {
		p.line("   why: " + httpclient.SafeLine(a.Reason))
	}
	if a.Note != "" {
		p.line("   " + httpclient.SafeLine(a.Note))
	}
	for _, name := range slices.Sorted(maps.Keys(ex.Request.Header)) {
		if !credentials.IsSecretHeader(name) {
			continue
		}
		for _, v := range ex.Request.Header[name] {
			if !p.showSecrets {
				v = credentials.MaskHeader(name, v)
			}
			p.line("   " + name + ": " + httpclient.SafeLine(v))
		}
	}
	for _, h := range ex.Redirects {
		msg := fmt.Sprintf("   redirect %d → %s", h.Status, p.url(h.To))
		if len(h.Dropped) > 0 {
			msg += " (" + strings.Join(h.Dropped, ", ") + " not resent: another origin)"
		}
		p.line(msg)
	}
	line := "   " + p.status(a)
	if ex.Response != nil {
		line += fmt.Sprintf("  %s, %s", httpclient.SafeLine(ex.Response.Proto), ex.Timing.Total.Round(time.Millisecond))
	}
	p.line(line)
	for _, c := range ex.Challenges {
		p.line("   challenge (" + c.Header + "): " + httpclient.SafeLine(session.DescribeVia(c, ex.Proxy)))
	}
	for _, pr := range ex.Problems {
		p.line(fmt.Sprintf("   %s in challenge at byte %d: %s", pr.Severity, pr.Offset, httpclient.SafeLine(pr.Message)))
	}
	for _, f := range a.Findings {
		sev := f.Severity
		switch f.Severity {
		case session.Error:
			sev = p.paint("1", sev)
		case session.Warning:
			sev = p.paint("3", sev)
		}
		p.line(fmt.Sprintf("   %s %s: %s", sev, f.Code, httpclient.SafeLine(f.Message)))
		if f.Next != "" {
			p.line("      next: " + httpclient.SafeLine(nextFor(a, f)))
		}
		if f.DocURL != "" {
			p.line("      docs: " + httpclient.SafeLine(f.DocURL))
		}
	}
}

// nextFor is finding f's next step on attempt a as keyhole send takes
// it. A missing-credentials finding names the flags of the answer the TUI
// preselects (session.Choices): "Answer with Basic: give -u USER:PASSWORD."
func nextFor(a *session.Attempt, f session.Finding) string {
	if f.Code != "missing-credentials" {
		return nextWords(f)
	}
	cs, pre := session.Choices(a)
	if pre < 0 || cs[pre].Mode == "" {
		return f.Next
	}
	c := cs[pre]
	d, _ := credentials.Describe(c.Mode)
	give := "give " + giveFlags(c, a)
	if give == "give " {
		give = "keyhole send offers it without a flag"
	}
	if c.Challenge < 0 { // no challenge: the finding's words stand, with a first guess
		return f.Next + " With keyhole send, first try " + d.Title + ": " + give + "."
	}
	return "Answer with " + d.Title + ": " + give + "."
}

// giveFlags are the flags of keyhole send that take choice c of attempt a,
// each with its value as send's help names it: "-u USER:PASSWORD",
// "--auth scram-sha-256 -u USER:PASSWORD" when the values alone would not
// choose it.
func giveFlags(c session.Choice, a *session.Attempt) string {
	fields, named := c.Needs(a)
	var out []string
	if named {
		out = append(out, "--auth "+c.Mode)
	}
	help := sendFlags(&sendOptions{})
	var seen []string
	for _, f := range fields {
		if slices.Contains(seen, f.Flag) {
			continue
		}
		seen = append(seen, f.Flag)
		fl := help.Lookup(strings.TrimLeft(f.Flag, "-"))
		if len(f.Flag) == 2 {
			fl = help.ShorthandLookup(f.Flag[1:])
		}
		if fl == nil { // an environment variable (AWS_ACCESS_KEY_ID)
			out = append(out, f.Flag+"=…")
			continue
		}
		// The value's first spelling, its optional parts given:
		// "TOKEN|env:NAME|@FILE" is TOKEN, "USER[:PASSWORD]" USER:PASSWORD.
		arg, _, _ := strings.Cut(fl.Value.Type(), "|")
		out = append(out, f.Flag+" "+strings.NewReplacer("[", "", "]", "").Replace(arg))
	}
	return strings.Join(out, " ")
}

// nextWords is a finding's next step as keyhole send takes it: the flag
// that does what the finding advises.
func nextWords(f session.Finding) string {
	switch f.Do.Kind {
	case "send-upfront":
		return f.Next + " With keyhole send: --auth " + f.Do.Scheme + "."
	case "trust-redirect":
		return f.Next + " With keyhole send: --location-trusted."
	case "proxy-credentials":
		// A scheme whose user is optional (Negotiate: the ticket from
		// kinit) is asked for with an empty -U, as curl does.
		mode, userOptional := proxyMode(f.Do.Scheme)
		if userOptional {
			return f.Next + " With keyhole send: -U : (or --proxy-auth " + mode + ")."
		}
		return f.Next + " With keyhole send: -U user:password --proxy-auth " + mode + "."
	}
	return f.Next
}

// proxyMode is the mode of keyhole send that answers a proxy's challenge of
// scheme, and whether it can do so without a user name (Negotiate).
func proxyMode(scheme string) (mode string, userOptional bool) {
	mode = strings.ToLower(scheme)
	for _, d := range credentials.ForWire(scheme) {
		if d.Proxy {
			mode, userOptional = d.Mode, d.UserOptional()
		}
	}
	return mode, userOptional
}

// proxyUserFlag is how -U answers a proxy's 407: "-U :" when every scheme
// it offers takes no user name (Negotiate alone: the ticket kinit left, as
// curl --proxy-negotiate -U : has it), else "-U USER[:PASSWORD]".
func proxyUserFlag(a *session.Attempt) string {
	optional := 0
	for _, c := range a.Exchange.Challenges {
		if c.Header != httpclient.ProxyAuthenticate {
			continue
		}
		if _, ok := proxyMode(c.Scheme); !ok {
			return "-U USER[:PASSWORD]"
		}
		optional++
	}
	if optional == 0 {
		return "-U USER[:PASSWORD]"
	}
	return "-U :"
}

// credentialWords says what an attempt of the user's request carried, in
// the session's words: "with Digest", "with Basic, proxy Basic, client
// certificate CN=alice", "with Bearer (from -H)", or "without credentials".
func credentialWords(a *session.Attempt) string {
	if len(a.Carried) == 0 {
		return "without credentials"
	}
	return "with " + a.CarriedWords()
}

// finish prints what follows the attempts (the body, the JSON document,
// the status line, a curl command, a HAR file) and returns the exit status.
func (p *printer) finish(o *sendOptions, s *session.Session, res session.Outcome, w *session.Wallet, stderr io.Writer) int {
	last := s.Last()
	switch {
	case o.json:
		if err := writeRecords(p.w, s.Attempts(), o.showSecrets); err != nil {
			fmt.Fprintf(stderr, "keyhole send: cannot write JSON: %v\n", err)
		}
	case last == nil:
	case o.quiet:
		p.statusLine(last)
	case res.Err == nil:
		p.body(last)
	}
	if last != nil && last.Status() == 407 && !slices.ContainsFunc(w.Offers, func(o *session.Offer) bool { return o.Proxy }) {
		if o.proxyUser != "" && last.Exchange.Proxy == "" {
			fmt.Fprintln(stderr, "keyhole send: the 407 came from the server itself, not a proxy: this request goes direct (no -x, no http_proxy or HTTPS_PROXY), so -U was not sent")
		} else {
			fmt.Fprintf(stderr, "keyhole send: the proxy wants credentials; give the proxy's credentials with %s (-u is for the server)\n", proxyUserFlag(last))
		}
	}
	if last != nil && last.Status() == 401 && !o.json {
		unansweredHint(last, stderr)
	}
	if res.Err != nil {
		fmt.Fprintf(stderr, "keyhole send: %s%s\n", httpclient.SafeLine(res.Err.Error()), refusalFlags(res.Err))
	} else if last.Exchange.CutShort() {
		fmt.Fprintf(stderr, "keyhole send: the answer was cut short: %s\n", httpclient.SafeLine(last.Exchange.Err.Error()))
	} else if last.Exchange != nil && last.Exchange.Err != nil && (o.quiet || o.json) {
		fmt.Fprintf(stderr, "keyhole send: %s\n", httpclient.SafeLine(last.Exchange.Err.Error()))
	}
	if o.printCurl && last != nil {
		out := p.w
		if o.json {
			out = stderr // stdout holds one JSON document
		}
		fmt.Fprintln(out, session.Curl(last, o.showSecrets))
	}
	if o.har != "" {
		if err := writeHAR(o.har, s.Attempts(), o.showSecrets); err != nil {
			fmt.Fprintf(stderr, "keyhole send: %v\n", err)
			return exitUsage
		}
	}
	if res.Err != nil {
		if credentials.IsUnmade(res.Err) {
			return exitAuth // no ticket could be had: authentication failed
		}
		return failedAuthStatus(s)
	}
	if last.Exchange.CutShort() {
		return exitCutShort
	}
	return exitStatus(last.Status())
}

// failedAuthStatus is the exit status when the credentials could not be
// applied: a usage error when nothing went out for them, no answer when a
// token request got none, and an authentication failure when a token or
// metadata request was refused.
func failedAuthStatus(s *session.Session) int {
	all := s.Attempts()
	if len(all) == 0 || all[len(all)-1].Purpose == session.PurposeRequest {
		return exitUsage
	}
	if all[len(all)-1].Status() == 0 {
		return exitNoAnswer
	}
	return exitAuth
}

func exitStatus(status int) int {
	switch {
	case status == 0:
		return exitNoAnswer
	case status < 400:
		return exitOK
	case status == 401 || status == 407:
		return exitAuth
	case status == 403:
		return exitForbidden
	}
	return exitHTTPError
}
