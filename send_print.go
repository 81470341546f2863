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
	cert        string                    // the client certificate offered on https, named
	proxyOnly   map[*session.Attempt]bool // attempts that answered a proxy with -U
}

func newPrinter(w io.Writer, showSecrets bool) *printer {
	return &printer{w: w, color: colorprofile.Detect(w, os.Environ()) >= colorprofile.ANSI, showSecrets: showSecrets,
		proxyOnly: map[*session.Attempt]bool{}}
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
	if a.Purpose != session.PurposeRequest {
		head += "  (" + a.Purpose + " request)"
	} else {
		head += "  " + p.credentialWords(a)
	}
	if a.Auto != "" {
		head += "  [automatic: " + httpclient.SafeLine(a.Auto) + "]"
	}
	p.line(p.paint("5", head))
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
		p.line("   challenge (" + c.Header + "): " + httpclient.SafeLine(session.Describe(c)))
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
			p.line("      next: " + httpclient.SafeLine(f.Next))
		}
		if f.DocURL != "" {
			p.line("      docs: " + httpclient.SafeLine(f.DocURL))
		}
	}
}

// credentialWords says what an attempt of the user's request authenticated
// with: "with Digest", "with proxy Basic", "with Basic, proxy Basic, client
// certificate CN=alice", or "without credentials".
func (p *printer) credentialWords(a *session.Attempt) string {
	var with []string
	h := a.Exchange.Request.Header
	proxyScheme, _, _ := strings.Cut(h.Get("Proxy-Authorization"), " ")
	if a.Scheme != "" && !p.proxyOnly[a] {
		with = append(with, a.Scheme)
	} else if scheme, _, _ := strings.Cut(h.Get("Authorization"), " "); scheme != "" {
		// The user's own -H 'Authorization: ...': credentials all the same.
		with = append(with, httpclient.SafeLine(scheme)+" (from -H)")
	}
	if proxyScheme != "" {
		with = append(with, "proxy "+httpclient.SafeLine(proxyScheme))
	}
	if p.cert != "" && strings.HasPrefix(strings.ToLower(a.Exchange.Request.URL), "https:") {
		with = append(with, p.cert)
	}
	if len(with) == 0 {
		return "without credentials"
	}
	return "with " + strings.Join(with, ", ")
}
