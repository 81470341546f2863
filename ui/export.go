package ui

import (
	"errors"
	"fmt"
	"os"
	"strings"

	tea "charm.land/bubbletea/v2"

	"keyhole/credentials"
	"keyhole/session"
)

type harMsg struct {
	path string
	n    int
	err  error
}

// copyCurl puts the selected attempt on the clipboard as a curl command
// (OSC 52): secrets are $KEYHOLE_ variables unless secrets are shown.
func (m *Model) copyCurl() tea.Cmd {
	a := m.tl.selected()
	if a == nil {
		m.fail(errors.New("no attempt to copy yet; send a request first"))
		return nil
	}
	c := session.Curl(a, m.secrets)
	if c == "" {
		m.fail(fmt.Errorf("attempt %d has no request to copy", a.N))
		return nil
	}
	how := "secrets as $KEYHOLE_ variables"
	if m.secrets {
		how = "secrets included, as shown"
	}
	m.info("Copied attempt %d as a curl command to the clipboard (%s).", a.N, how)
	return tea.SetClipboard(c)
}

// exportHAR writes every attempt, secrets masked, to a new HAR file in the
// current folder.
func (m *Model) exportHAR() tea.Cmd {
	as := m.sess.Attempts()
	if len(as) == 0 {
		m.fail(errors.New("nothing to export yet; send a request first"))
		return nil
	}
	name := "keyhole-" + m.clock().Format("20060102-150405") + ".har"
	return func() tea.Msg {
		data, err := session.HAR(as, false)
		if err != nil {
			return harMsg{err: fmt.Errorf("cannot build the HAR: %v", err)}
		}
		// O_EXCL: never replace a file that is already there.
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return harMsg{err: fmt.Errorf("cannot write %s: %v; export again in a second or from another folder", name, err)}
		}
		_, err = f.Write(append(data, '\n'))
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return harMsg{err: fmt.Errorf("cannot write %s: %v", name, err)}
		}
		return harMsg{path: name, n: len(as)}
	}
}

// isCurl reports whether text typed or pasted into the URL field is a curl
// command rather than a URL.
func isCurl(s string) bool {
	return strings.HasPrefix(strings.TrimSpace(s), "curl ")
}

// importCurl fills the request from a curl command: method, URL, headers,
// body, and its credentials preselected in the form (sent with the next
// enter). Options keyhole does not act on are named in the status line.
func (m *Model) importCurl(line string) tea.Cmd {
	im, err := session.ParseCurl(strings.TrimSpace(line))
	if err != nil {
		m.fail(err)
		return nil
	}
	m.loadRequest(im.Request)
	m.setFocus(focusURL)
	auth, aerr := im.Authorizer()
	m.dropServerOffers()
	m.form = form{}
	if auth != nil && aerr == nil {
		if at, err := session.OriginFor(im.Request.URL); err == nil {
			// As curl does: -u and a token go with the first request,
			// --digest waits for its challenge.
			m.wallet.Prefer(m.wallet.Add(&session.Offer{Auth: auth, Origin: at, Source: "curl", Upfront: im.Auth != "digest"}))
		}
		m.form = filledForm(im, m.styles.isDark)
	}
	if im.Trusted {
		m.trust = true
	}
	var notes []string
	cmd := curlTLS(im)
	if cmd != nil {
		notes = append(notes, "loading its TLS files")
	}
	m.sess.SetClient(m.newClient())

	how := "no credentials"
	switch {
	case aerr != nil:
		how = "credentials not usable: " + aerr.Error()
	case auth != nil:
		how = auth.Scheme() + " credentials, sent with the next enter"
	}
	if len(im.Variables) > 0 {
		notes = append(notes, "unset variables: $"+strings.Join(im.Variables, ", $"))
	}
	if len(im.Unknown) > 0 {
		notes = append(notes, "ignored: "+strings.Join(im.Unknown, " "))
	}
	m.info("Imported curl: %s %s with %s.", im.Request.Method, credentials.RedactURL(im.Request.URL), how)
	if len(notes) > 0 {
		m.status += " " + safeLine(strings.Join(notes, "; "))
	}
	m.statusErr = aerr != nil
	return cmd
}

// curlTLS loads the command's -E/--key/--cacert/-k settings in a Cmd; nil
// when it has none.
func curlTLS(im *session.Imported) tea.Cmd {
	if im.Cert == "" && im.Key == "" && im.CACert == "" && !im.Insecure {
		return nil
	}
	paths := [3]string{im.Cert, im.Key, im.CACert}
	return func() tea.Msg {
		conf, err := credentials.ClientTLS(paths[0], paths[1], paths[2], im.Insecure)
		return tlsMsg{conf: conf, paths: paths, err: err}
	}
}

// filledForm is the credentials form of the command's auth, filled in, so a
// challenge later preselects what the command meant.
func filledForm(im *session.Imported, isDark bool) form {
	var vals map[string]string
	switch im.Auth {
	case "basic", "digest":
		vals = map[string]string{"User": im.User, "Password": im.Password}
	case "bearer":
		vals = map[string]string{"Token": im.Token}
	default:
		return form{}
	}
	f, _ := newForm(im.Auth, isDark)
	for i := range f.fields {
		f.fields[i].in.SetValue(vals[f.fields[i].label])
	}
	return f
}

// requestsOverlay lists the requests of an .http file to pick from.
func (m *Model) requestsOverlay() overlay {
	o := overlay{kind: ovRequests, title: "Requests", hint: "from the .http file; enter loads one, esc closes"}
	for _, r := range m.opts.Requests {
		name := r.Name
		if name == "" {
			name = fmt.Sprintf("line %d", r.Line)
		}
		o.rows = append(o.rows, row{
			label: fmt.Sprintf("%-24s %s %s", safeLine(name), r.Request.Method, safeLine(credentials.RedactURL(r.Request.URL))),
			act: func(m *Model) tea.Cmd {
				m.closeOverlay()
				m.loadRequest(r.Request)
				m.dropServerOffers()
				m.setFocus(focusURL)
				m.info("Loaded %s; enter sends it.", safeLine(name))
				if len(r.Unresolved) > 0 {
					m.status += " Unresolved: {{" + safeLine(strings.Join(r.Unresolved, "}}, {{")) + "}}; edit them first."
					m.statusErr = true
				}
				return nil
			},
		})
	}
	return o
}
