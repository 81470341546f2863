package ui

import (
	"crypto/tls"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"keyhole/credentials"
)

// openTLS shows the client TLS settings: certificate, key and CA file paths.
func (m *Model) openTLS() {
	ti, _ := inputStyles(m.styles.isDark)
	o := overlay{kind: ovTLS, title: "Client TLS", hint: "tab next field, enter on the last applies, esc closes",
		head: []string{"For servers that ask for a client certificate (mutual TLS, the practice /mtls lesson).",
			"Paths to PEM files; the key may be in the certificate file. All empty: no client certificate.", ""}}
	for i, f := range []field{hinted(plain("Cert", ""), "client.pem"), hinted(plain("Key", ""), "client-key.pem (optional)"),
		hinted(plain("CA", ""), "ca.pem: the CA of the server (optional)")} {
		in := textinput.New()
		in.Prompt = ""
		in.SetStyles(ti)
		in.Placeholder = f.hint
		in.SetValue(m.tlsPaths[i])
		in.SetWidth(max(m.w-formLabel-8, 10))
		f.in = in
		o.fields = append(o.fields, f)
	}
	m.openOverlay(o)
}

// tlsKey edits the TLS form; enter on the last field builds the client.
func (m *Model) tlsKey(msg tea.KeyPressMsg) tea.Cmd {
	o := &m.ov
	k := m.keys
	next := func(d int) {
		o.fields[o.idx].in.Blur()
		o.idx = (o.idx + d + len(o.fields)) % len(o.fields)
		o.fields[o.idx].in.Focus()
	}
	switch {
	case key.Matches(msg, k.Next):
		next(1)
	case key.Matches(msg, k.Prev):
		next(-1)
	case msg.Code == tea.KeyEnter && o.idx < len(o.fields)-1:
		next(1)
	case msg.Code == tea.KeyEnter:
		return m.applyTLS(strings.TrimSpace(o.fields[0].in.Value()), strings.TrimSpace(o.fields[1].in.Value()),
			strings.TrimSpace(o.fields[2].in.Value()))
	default:
		var cmd tea.Cmd
		o.fields[o.idx].in, cmd = o.fields[o.idx].in.Update(msg)
		return cmd
	}
	return nil
}

// tlsMsg is a client TLS configuration built from files in a Cmd.
type tlsMsg struct {
	conf  *tls.Config
	paths [3]string
	err   error
	quiet bool // set up by keyhole, not asked for: the status line stays
}

// applyTLS loads the files in a Cmd; the form stays open until they load.
func (m *Model) applyTLS(cert, key, ca string) tea.Cmd {
	paths := [3]string{cert, key, ca}
	if paths == ([3]string{}) {
		return func() tea.Msg { return tlsMsg{} }
	}
	m.info("Loading %s…", strings.Join(slices.DeleteFunc(paths[:], func(s string) bool { return s == "" }), ", "))
	return func() tea.Msg {
		conf, err := credentials.ClientTLS(cert, key, ca, false)
		return tlsMsg{conf: conf, paths: paths, err: err}
	}
}

// tlsLoaded rebuilds the client with the configuration; on error the form
// stays open with the paths as typed.
func (m *Model) tlsLoaded(msg tlsMsg) {
	if msg.err != nil {
		m.fail(msg.err)
		return
	}
	m.tlsConf, m.tlsPaths = msg.conf, msg.paths
	m.sess.SetClient(m.newClient())
	if m.ov.kind == ovTLS {
		m.closeOverlay()
	}
	if msg.quiet {
		return
	}
	cert, ca := msg.paths[0], msg.paths[2]
	what := "client certificate " + cert
	if cert == "" {
		what = "no client certificate"
	}
	if ca != "" {
		what += ", servers verified with " + ca
	} else {
		what += ", servers verified with the system CAs"
	}
	m.info("TLS: %s; the next send uses it.", what)
}
