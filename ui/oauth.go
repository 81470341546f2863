package ui

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"keyhole/credentials"
	"keyhole/practice"
	"keyhole/session"
)

// oauthPrompt is what an interactive grant asks of the user while the send
// Cmd waits: a device code to enter somewhere, or a URL to open.
type oauthPrompt struct {
	device   bool
	userCode string
	uri      string // verification URI, or the authorization URL
	complete string // verification URI with the code in it
	opened   bool   // a browser was started on uri
}

// oauthPromptMsg carries a prompt from the send Cmd to Update; ch and done
// let Update listen for the next one (a scope retry runs the grant again).
type oauthPromptMsg struct {
	id   int
	p    oauthPrompt
	ch   <-chan oauthPrompt
	done <-chan struct{}
}

// hookOAuth points o's interactive callbacks at a channel that a listener
// Cmd turns into messages, so Prepare, blocked polling in the send Cmd, can
// show the code on screen without Update doing I/O. done closes when the
// send ends; the returned Cmd listens until then.
func (m *Model) hookOAuth(o *credentials.OAuth2, id int, done <-chan struct{}) tea.Cmd {
	ch := make(chan oauthPrompt, 4)
	put := func(p oauthPrompt) {
		select {
		case ch <- p:
		default: // the UI has not taken the previous prompt; it is stale anyway
		}
	}
	o.OnDeviceCode = func(userCode, uri, complete string) {
		put(oauthPrompt{device: true, userCode: userCode, uri: uri, complete: complete})
	}
	o.OnAuthURL = func(u string) { put(oauthPrompt{uri: u}) }
	o.OpenBrowser = nil
	if open := m.browser; open != nil {
		// The URL is shown even when a browser opened it: the browser may be
		// on another screen, or the user may want another one.
		o.OpenBrowser = func(u string) error {
			err := open(u)
			if err == nil {
				put(oauthPrompt{uri: u, opened: true})
			}
			return err
		}
	}
	return listenOAuth(id, ch, done)
}

func listenOAuth(id int, ch <-chan oauthPrompt, done <-chan struct{}) tea.Cmd {
	return func() tea.Msg {
		select {
		case p := <-ch:
			return oauthPromptMsg{id: id, p: p, ch: ch, done: done}
		case <-done:
			return nil
		}
	}
}

// prompted shows an interactive grant's prompt and copies what the user
// needs to the clipboard.
func (m *Model) prompted(msg oauthPromptMsg) tea.Cmd {
	if msg.id != m.sendID || !m.sending {
		return nil
	}
	p := msg.p
	m.prompt = &p
	next := listenOAuth(msg.id, msg.ch, msg.done)
	if p.device {
		m.info("Device code %s: enter it at %s; waiting for approval… esc cancels.", safeLine(p.userCode), safeLine(p.uri))
		copyText := p.uri
		if p.complete != "" {
			copyText = p.complete
		}
		return tea.Batch(next, tea.SetClipboard(copyText))
	}
	m.info("Open the authorization URL (copied to the clipboard) and approve; waiting for the redirect… esc cancels.")
	return tea.Batch(next, tea.SetClipboard(p.uri))
}

// promptPage is the prompt drawn over the panes while a grant waits.
func (m Model) promptPage() []string {
	st := m.styles
	p := m.prompt
	if p.device {
		code := strings.Join(strings.Split(safeLine(p.userCode), ""), " ")
		out := []string{
			st.TitleFocus.Render("Device authorization") + " " + st.Muted.Render("(RFC 8628; esc cancels)"),
			"",
			"  On any device, open",
			"    " + st.Method.Render(safeLine(p.uri)),
			"  and enter the code",
			"",
			"    " + st.TitleFocus.Render(code),
			"",
		}
		if p.complete != "" {
			out = append(out, "  or open "+safeLine(p.complete), st.Muted.Render("  (copied to the clipboard)"))
		} else {
			out = append(out, st.Muted.Render("  (the URL is copied to the clipboard)"))
		}
		out = append(out, "", "  "+m.spin.View()+" waiting for approval… (slow_down honoured: each one adds 5 s between polls)")
		if n, last := m.devicePolls(); n > 0 {
			out = append(out, st.Muted.Render(fmt.Sprintf("  %s so far; the last answer: %s", count(n, "poll"), safeLine(last))))
		}
		return out
	}
	how := "  No browser was opened here. Open this URL, sign in and approve:"
	if p.opened {
		how = "  Your browser was opened on this URL; sign in and approve there:"
	}
	return []string{
		st.TitleFocus.Render("Authorization code + PKCE") + " " + st.Muted.Render("(RFC 6749 §4.1, RFC 7636; esc cancels)"),
		"",
		how,
		"",
		"    " + st.Method.Render(safeLine(p.uri)),
		"",
		st.Muted.Render("  (copied to the clipboard)"),
		"",
		"  " + m.spin.View() + " waiting for the browser to come back to keyhole's loopback redirect…",
	}
}

// promptKeys are what the help bar shows while a prompt is up.
func promptKeys() []key.Binding {
	return []key.Binding{key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
		key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit"))}
}

// OAuthPrompt is the user code, or the authorization URL, an interactive
// grant is waiting on; "" when none.
func (m Model) OAuthPrompt() string {
	switch {
	case m.prompt == nil:
		return ""
	case m.prompt.device:
		return m.prompt.userCode
	}
	return m.prompt.uri
}

// oauthHints are the practice lesson's public client values, offered as
// placeholders when the lesson names them.
func (m *Model) oauthHints(o session.Choice) map[string]string {
	if !m.lesson.active || !strings.Contains(m.lesson.l.Credentials, practice.ClientID) {
		return nil
	}
	return map[string]string{
		"client_id":     "e.g. " + practice.ClientID,
		"client_secret": "e.g. " + practice.ClientSecret,
	}
}

// oauthNote says where the endpoints come from when the token URL is left empty.
func (m *Model) oauthNote(o session.Choice) string {
	if o.Challenge >= 0 && o.Challenge < len(m.chal.chs) && m.chal.chs[o.Challenge].Param("resource_metadata") != "" {
		return "Token URL empty: endpoints will be discovered from resource_metadata (RFC 9728)."
	}
	if m.srv != nil && origin(m.compose.url.Value()) == origin(m.srv.URL) {
		return "Token URL empty: endpoints will be discovered from the practice server's metadata."
	}
	return "Token URL empty: keyhole looks for the URL's /.well-known/oauth-protected-resource (RFC 9728)."
}

// hadToken reports whether auth is OAuth 2.0 holding a token already.
func hadToken(auth credentials.Authorizer) bool {
	o, ok := auth.(*credentials.OAuth2)
	return ok && o.Token() != nil
}

// markRefresh names the token requests a send made before its first request
// when a token was held: the token had expired, so they are an automatic
// refresh (or a new grant when there was no refresh token), and the timeline
// should say so rather than the generic "token request". It returns the
// status line's note, or "".
func markRefresh(as []*session.Attempt) string {
	// The session names the reason on the token attempt; the status line
	// only sums it up.
	note := ""
	for _, a := range as {
		if a.Purpose == session.PurposeRequest {
			break
		}
		switch {
		case a.Purpose != session.PurposeToken:
		case strings.HasPrefix(a.Auto, "token expired: refreshing") && a.Status() == 200:
			note = "token expired: refreshed"
		case strings.HasPrefix(a.Auto, "token expired: no refresh token") && note == "":
			note = "token expired: fetched a new one"
		}
	}
	return note
}

// devicePolls counts the device grant's token polls of the send in flight
// and the error of the last (authorization_pending, slow_down), read from
// the session, which records them as they happen.
func (m Model) devicePolls() (int, string) {
	n, last := 0, ""
	as := m.sess.Attempts()
	for i := len(as) - 1; i >= 0 && as[i].Purpose != session.PurposeRequest; i-- {
		a := as[i]
		if a.Exchange == nil || a.Exchange.Request == nil || a.Exchange.Response == nil {
			continue
		}
		f, _ := url.ParseQuery(string(a.Exchange.Request.Body))
		if !strings.HasSuffix(f.Get("grant_type"), ":device_code") {
			continue
		}
		if n++; n == 1 {
			var e struct {
				Error string `json:"error"`
			}
			json.Unmarshal(a.Exchange.Response.Body, &e)
			last = e.Error
			if last == "" {
				last = fmt.Sprint(a.Status())
			}
		}
	}
	return n, last
}
