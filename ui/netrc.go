package ui

import (
	"fmt"
	"net/url"

	tea "charm.land/bubbletea/v2"

	"keyhole/credentials"
)

// netrcMsg carries what ~/.netrc (or $NETRC) holds for the request's host.
type netrcMsg struct {
	host  string
	basic credentials.Basic
	found bool
	warn  string
	err   error
}

// fromNetrc reads the netrc file in a command, as curl --netrc does, only
// when the user asks for it.
func (m *Model) fromNetrc() tea.Cmd {
	u, err := url.Parse(m.compose.url.Value())
	if err != nil || u.Hostname() == "" {
		m.fail(fmt.Errorf("netrc: the URL has no host to look up; type the request URL first"))
		return nil
	}
	host := u.Hostname()
	return func() tea.Msg {
		path := credentials.NetrcPath()
		b, ok, err := credentials.NetrcLookup(path, host)
		return netrcMsg{host: host, basic: b, found: ok, warn: credentials.NetrcWarning(path), err: err}
	}
}

// fillFromNetrc puts the netrc login into a Basic form (or the Digest form
// already open), masked like anything typed.
func (m *Model) fillFromNetrc(msg netrcMsg) {
	switch {
	case msg.err != nil:
		m.fail(msg.err)
		return
	case !msg.found:
		m.fail(fmt.Errorf("netrc: no machine %s (and no default) in %s", safeLine(msg.host), credentials.NetrcPath()))
		return
	}
	if m.form.kind != "basic" && m.form.kind != "digest" {
		m.form, _ = newForm("basic", m.styles.isDark)
	}
	for i := range m.form.fields {
		switch m.form.fields[i].key {
		case "user":
			m.form.fields[i].in.SetValue(msg.basic.User)
		case "password":
			m.form.fields[i].in.SetValue(msg.basic.Password)
		}
	}
	m.setFocus(focusForm)
	m.form.blur()
	m.form.focus(len(m.form.fields) - 1) // on the last field, so enter sends
	note := ""
	if msg.warn != "" {
		note = " " + msg.warn
	}
	m.info("%s credentials for %s filled from netrc; enter sends.%s", m.form.label(), safeLine(msg.host), note)
}
