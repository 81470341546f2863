package ui

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"keyhole/httpclient"
	"keyhole/session"
)

// action is one thing the user can do, listed in the palette with its key.
// Global actions also answer their key from any area.
type action struct {
	name   string
	b      key.Binding
	global bool
	run    func(m *Model) tea.Cmd
}

// actions lists every action, the palette's rows in this order.
func (m Model) actions() []action {
	k := m.keys
	onOff := func(b bool) string {
		if b {
			return "on"
		}
		return "off"
	}
	return []action{
		{"send the request", k.SendAny, false, func(m *Model) tea.Cmd { return m.send() }},
		{"cancel the request in flight", k.Cancel, false, func(m *Model) tea.Cmd {
			if m.sending {
				m.cancel()
				m.info("Cancelling the request…")
			} else {
				m.info("No request is in flight.")
			}
			return nil
		}},
		{"pick a scheme for the challenge", k.Pick, false, func(m *Model) tea.Cmd {
			if !m.chal.active() {
				m.fail(fmt.Errorf("no challenge is shown; send a request that gets a 401 or 407 first"))
				return nil
			}
			m.setFocus(focusPicker)
			return nil
		}},
		{"forget credentials, tokens, cookies", k.Forget, false, func(m *Model) tea.Cmd { m.forget(); return nil }},
		{"lessons (practice server)", k.Lessons, true, func(m *Model) tea.Cmd { m.openLessons(); return nil }},
		{"lesson details and steps", key.NewBinding(), false, func(m *Model) tea.Cmd { m.openLesson(); return nil }},
		{"save session", k.Save, true, func(m *Model) tea.Cmd { return m.saveSession() }},
		{"open saved session", k.Open, true, func(m *Model) tea.Cmd { return m.listSessions() }},
		{"mark attempt for diff", k.Mark, false, func(m *Model) tea.Cmd { m.markSelected(); return nil }},
		{"diff selected attempt with marked", k.Diff, false, func(m *Model) tea.Cmd { return m.diffSelected() }},
		{"copy attempt as curl", k.CopyCurl, true, func(m *Model) tea.Cmd { return m.copyCurl() }},
		{"export HAR to the current folder", k.HAR, true, func(m *Model) tea.Cmd { return m.exportHAR() }},
		{"inspect JWT", k.JWT, true, func(m *Model) tea.Cmd { m.openJWT(); return nil }},
		{"trust redirects (now " + onOff(m.trust) + ")", k.Trust, true, func(m *Model) tea.Cmd { m.toggleTrust(); return nil }},
		{"show secrets (now " + onOff(m.secrets) + ")", k.Secrets, true, func(m *Model) tea.Cmd { return m.toggleSecrets() }},
		{"client TLS certificate", k.TLS, true, func(m *Model) tea.Cmd { m.openTLS(); return nil }},
		{"mouse capture (now " + onOff(m.mouse) + ")", k.Mouse, true, func(m *Model) tea.Cmd { m.toggleMouse(); return nil }},
		{"proxy (now " + m.proxyName() + ")", key.NewBinding(), false, func(m *Model) tea.Cmd { m.openProxy(); return nil }},
		{"fill user and password from ~/.netrc", key.NewBinding(), false, func(m *Model) tea.Cmd { return m.fromNetrc() }},
		{"use a saved profile", key.NewBinding(), false, func(m *Model) tea.Cmd { return m.listProfiles() }},
		{"save these credentials as a profile", key.NewBinding(), false, func(m *Model) tea.Cmd { m.askProfileName(); return nil }},
		{"requests of the .http file", key.NewBinding(), false, func(m *Model) tea.Cmd {
			if len(m.opts.Requests) == 0 {
				m.fail(fmt.Errorf("no .http file was opened; start keyhole with one: keyhole api.http"))
				return nil
			}
			m.openOverlay(m.requestsOverlay())
			return nil
		}},
		{"help: every key", k.HelpAny, false, func(m *Model) tea.Cmd { m.openOverlay(overlay{kind: ovHelp}); return nil }},
		{"quit", k.Quit, false, func(m *Model) tea.Cmd { return tea.Quit }},
	}
}

// globalKey runs the global action bound to msg, if any.
func (m *Model) globalKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	if key.Matches(msg, m.keys.Palette) {
		m.openPalette()
		return nil, true
	}
	for _, a := range m.actions() {
		if a.global && key.Matches(msg, a.b) {
			return a.run(m), true
		}
	}
	return nil, false
}

func (m *Model) openPalette() {
	o := overlay{kind: ovPalette, title: "Actions", hint: "type to filter, enter runs, esc closes"}
	for _, a := range m.actions() {
		run := a.run
		o.rows = append(o.rows, row{label: a.name, key: a.b.Help().Key, act: func(m *Model) tea.Cmd {
			m.closeOverlay()
			return run(m)
		}})
	}
	m.openOverlay(o)
}

// newClient builds the HTTP client from the toggles.
func (m Model) newClient() *httpclient.Client {
	proxy := m.proxy
	if proxy == nil {
		proxy = session.ProxyFunc(nil, nil) // the environment's, as curl reads it
		if m.srv != nil {
			// The built-in practice server runs here: never through the
			// environment's proxy, which sends loopback on as curl does.
			env, practice := proxy, m.srv.URL
			proxy = func(r *http.Request) (*url.URL, error) {
				if r.URL.Scheme+"://"+r.URL.Host == practice {
					return nil, nil
				}
				return env(r)
			}
		}
	}
	return httpclient.New(httpclient.Options{FollowRedirects: true, TrustRedirects: m.trust, TLS: m.tlsConf, NewJar: true,
		Proxy:       proxy,
		CertOrigins: []httpclient.Origin{}, // the client certificate goes only where send scopes it
		SpillDir:    os.TempDir()})         // a body past the kept 50 MiB scrolls from a 0600 temp file
}

func (m *Model) toggleTrust() {
	m.trust = !m.trust
	m.sess.SetClient(m.newClient())
	if m.trust {
		m.info("Trusted redirects on: credentials are resent when a redirect leaves the origin; f7 turns it off.")
	} else {
		m.info("Trusted redirects off: credentials are dropped when a redirect leaves the origin.")
	}
}

// toggleSecrets reveals or masks secrets everywhere: credentials of the
// shown attempt and secret fields of response bodies.
func (m *Model) toggleSecrets() tea.Cmd {
	m.secrets = !m.secrets
	m.reveal = m.secrets
	m.refreshHead()
	if m.secrets {
		m.info("Secrets shown everywhere (credentials, tokens in bodies, curl copies); f8 masks them.")
	} else {
		m.info("Secrets masked everywhere.")
	}
	m.resp.n = 0 // show the selected attempt again, its body redacted or not
	return m.showSelected()
}

// shownResponse is resp as the body pane may show it: secret fields of JSON
// and form bodies (a token endpoint's access_token) masked unless asked for.
// echo masks what the server echoes of the secrets the session sent
// (scrubberOf); nil masks nothing.
func shownResponse(resp *httpclient.Response, secrets bool, echo *strings.Replacer) *httpclient.Response {
	if secrets || resp == nil || len(resp.Body) == 0 {
		return resp
	}
	r := *resp
	r.Body = session.RedactBody(resp.Header.Get("Content-Type"), resp.Body)
	if echo != nil {
		r.Body = echoScrubbed(echo, r.Body)
	}
	return &r
}

// forget drops entered credentials, cached tokens and nonces, and cookies,
// and says which credentials went.
func (m *Model) forget() {
	what := "no credentials were entered"
	if len(m.wallet.Offers) > 0 {
		var each []string
		for _, o := range m.wallet.Offers {
			side := ""
			if o.Proxy {
				side = "proxy "
			}
			each = append(each, "the "+side+o.Auth.Scheme()+" credentials entered for "+o.Origin.String())
		}
		what = strings.Join(each, " and ")
	}
	m.sess.Forget()
	m.wallet, m.form = session.Wallet{}, form{}
	if m.focus == focusForm {
		m.setFocus(focusURL)
	}
	m.info("Forgot %s, cached tokens and Digest nonces, and cookies; the next send goes without.", what)
}

// runAction does what a finding's action says.
func (m *Model) runAction(a session.Action) tea.Cmd {
	switch a.Kind {
	case "trust-redirect":
		if !m.trust {
			m.toggleTrust()
		}
		return m.send()
	case "open-docs", "sign-in", "fetch-metadata":
		if a.URL == "" {
			m.info("%s", safeLine(a.Label))
			return nil
		}
		m.info("%s: %s", safeLine(a.Label), safeLine(a.URL))
		return copyText(a.URL, safeLine(a.Label)+" "+safeLine(a.URL), false)
	case "clear-cookies":
		m.sess.Forget()
		m.info("Cleared cookies, cached tokens and nonces; the credentials entered stay. Enter on the URL resends.")
		return nil
	case "refresh-token", "retry", "retry-with-nonce":
		return m.send()
	case "use-https":
		u, err := url.Parse(strings.TrimSpace(m.compose.url.Value()))
		if err == nil && u.Scheme == "http" {
			u.Scheme = "https"
			m.compose.url.SetValue(u.String())
			m.setFocus(focusURL)
			m.info("The URL now uses https; enter sends it.")
		}
		return nil
	case "send-upfront":
		at, err := session.OriginFor(strings.TrimSpace(m.compose.url.Value()))
		if err != nil || m.wallet.SendUpfront(at, a.Scheme) == 0 {
			m.fail(fmt.Errorf("no credentials for this URL are waiting for a challenge; answer one with the picker, or add the header yourself"))
			return nil
		}
		return m.send()
	case "use-api-key":
		for i, o := range m.chal.opts {
			if o.Mode == "apikey" {
				m.chal.cursor = i
				m.pick()
			}
		}
		return nil
	}
	m.info("%s", safeLine(a.Label))
	return nil
}

// featureMsg handles the messages of the features' commands; nil when msg is
// not one of them.
func (m *Model) featureMsg(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case savedMsg:
		if msg.err != nil {
			m.fail(msg.err)
		} else {
			m.info("Saved the session to %s (secrets masked); f3 reopens it.", msg.path)
		}
	case sessionsMsg:
		m.sessionsListed(msg)
	case loadedMsg:
		m.sessionLoaded(msg)
	case tlsMsg:
		m.tlsLoaded(msg)
	case copiedMsg:
		m.copied(msg)
	case harMsg:
		if msg.err != nil {
			m.fail(msg.err)
		} else {
			m.info("Wrote %s to %s (secrets masked).", count(msg.n, "attempt"), msg.path)
		}
	}
	return nil
}
