package ui

import (
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
		m.applyTLS(o.fields[0].in.Value(), o.fields[1].in.Value(), o.fields[2].in.Value())
	default:
		var cmd tea.Cmd
		o.fields[o.idx].in, cmd = o.fields[o.idx].in.Update(msg)
		return cmd
	}
	return nil
}

// applyTLS loads the files and rebuilds the client; on error the form stays
// open with the paths as typed.
func (m *Model) applyTLS(cert, key, ca string) {
	if cert == "" && key == "" && ca == "" {
		m.tlsConf, m.tlsPaths = nil, [3]string{}
		m.sess.SetClient(m.newClient())
		m.closeOverlay()
		m.info("No client certificate; the system CAs verify servers.")
		return
	}
	conf, err := credentials.ClientTLS(cert, key, ca, false)
	if err != nil {
		m.fail(err)
		return
	}
	m.tlsConf, m.tlsPaths = conf, [3]string{cert, key, ca}
	m.sess.SetClient(m.newClient())
	m.closeOverlay()
	what := "client certificate " + cert
	if cert == "" {
		what = "no client certificate"
	}
	if ca != "" {
		what += ", servers verified with " + ca
	}
	m.info("TLS: %s; the next send uses it.", what)
}
