package ui

import (
	"crypto/tls"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"keyhole/credentials"
)

// openTLS shows the client TLS settings: certificate, key and CA file paths.
func (m *Model) openTLS() {
	o := overlay{kind: ovTLS, title: "Client TLS", hint: "tab next field, enter on the last applies, esc closes",
		head: []string{"For servers that ask for a client certificate (mutual TLS, the practice /mtls lesson).",
			"Paths to PEM files; the key may be in the certificate file. All empty: no client certificate.", ""}}
	for i, f := range []field{hinted(plain("Cert", ""), "client.pem"), hinted(plain("Key", ""), "client-key.pem (optional)"),
		hinted(plain("CA", ""), "ca.pem: the CA of the server (optional)")} {
		o.fields = append(o.fields, m.overlayField(f, m.tlsPaths[i]))
	}
	m.openOverlay(o)
}

// tlsKey edits the TLS form; enter on the last field builds the client.
func (m *Model) tlsKey(msg tea.KeyPressMsg) tea.Cmd {
	return m.fieldsKey(msg, func(v []string) tea.Cmd { return m.applyTLS(v[0], v[1], v[2]) })
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
