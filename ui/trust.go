package ui

import (
	"strings"
	"sync"

	tea "charm.land/bubbletea/v2"

	"keyhole/credentials"
	"keyhole/httpclient"
	"keyhole/session"
)

// askTrust asks, naming the host, whether the password a registry token
// held back from a token service on another origin may go there (the TUI's
// side of keyhole send --trust). Yes trusts that origin for these
// credentials and sends again; anything else keeps the password where it
// was given.
func (m *Model) askTrust() {
	for _, o := range m.wallet.Offers {
		rt, ok := o.Auth.(*credentials.RegistryToken)
		if !ok {
			continue
		}
		held, ok := rt.TakeHeldBack()
		if !ok {
			continue
		}
		host := safeLine(held.String())
		ov := overlay{kind: ovTrust, title: "Trust " + host + "?", hint: "enter answers, esc keeps the password here",
			head: []string{
				"The registry at " + safeLine(o.Origin.String()) + " names its token service at " + host + ",",
				"another origin. Your password was not sent there; the token was asked for",
				"anonymously. Send the password there only if you know that host.",
				"",
			}}
		ov.rows = []row{
			{label: "Do not trust " + host + ": keep the password here", act: func(m *Model) tea.Cmd {
				m.closeOverlay()
				m.info("The password stays with %s.", safeLine(o.Origin.String()))
				return nil
			}},
			{label: "Trust " + host + ": send the password there and send again", act: func(m *Model) tea.Cmd {
				m.closeOverlay()
				rt.Trust(held)
				return m.send()
			}},
		}
		m.openOverlay(ov)
		return
	}
}

// scrubbed hides, in lines of the panes, every secret value this session
// sent wherever a server echoed it (reason phrase, a header, the body, a
// challenge), with masks as wide as the secrets so the layout holds. f8
// (all secrets) and ctrl+r (the shown attempt's credentials) show them. The
// request pane is left alone: it holds what the user is typing.
func (m Model) scrubbed(lines []string) []string {
	if m.secrets || m.reveal || m.sess == nil {
		return lines
	}
	r := scrubberOf(m.sess)
	if r == nil {
		return lines
	}
	// A copy: pane lines may be cached and shared (the timeline's rows).
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = r.Replace(l)
	}
	return out
}

// scrubbers caches, per session, the replacer of the secrets its attempts
// sent, rebuilt when attempts are added: frames are drawn far more often.
var scrubbers sync.Map // *session.Session → scrubCache

type scrubCache struct {
	n int
	r *strings.Replacer
}

func scrubberOf(s *session.Session) *strings.Replacer {
	as := s.Attempts()
	if c, ok := scrubbers.Load(s); ok && c.(scrubCache).n == len(as) {
		return c.(scrubCache).r
	}
	var values []string
	for _, a := range as {
		if a.Exchange != nil {
			values = append(values, httpclient.SecretValues(a.Exchange.Request)...)
		}
	}
	r := httpclient.NewScrubber(values, true)
	scrubbers.Store(s, scrubCache{len(as), r})
	return r
}

// scrubbedPane is scrubbed for the response pane, where a server's reason
// phrase, headers and body are shown. The explanation pane is left alone:
// it holds the form being typed and keyhole's own lessons, which name the
// practice passwords, and the findings it quotes servers in are scrubbed by
// the diagnosis already.
func (m Model) scrubbedPane(p pane, lines []string) []string {
	if p != paneResponse {
		return lines
	}
	return m.scrubbed(lines)
}

// unlessShown masks in s what a server echoed of the secrets this session
// sent, unless the user asked to see secrets (f8, ctrl+r).
func (m Model) unlessShown(s string) string {
	if m.secrets || m.reveal || m.sess == nil {
		return s
	}
	if r := scrubberOf(m.sess); r != nil {
		return r.Replace(s)
	}
	return s
}
