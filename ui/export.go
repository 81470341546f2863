package ui

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
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

// copyCurl copies the selected attempt as a curl command: secrets are
// $KEYHOLE_ variables unless secrets are shown.
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
	m.info("Copying attempt %d as a curl command (%s)…", a.N, how)
	// With secrets shown the command is not written to a file: no secret goes to disk in clear.
	return copyText(c, fmt.Sprintf("attempt %d as a curl command (%s)", a.N, how), !m.secrets)
}

// copiedMsg says where copied text went, so the status line says what
// happened rather than "copied" when the terminal may have dropped it.
type copiedMsg struct {
	what    string
	tmux    bool  // inside tmux: the text was given to tmux load-buffer
	tmuxErr error // what tmux said when that failed
	file    string
	fileErr error
}

// copyText sends text to the terminal's clipboard (OSC 52), which many
// terminals and tmux's default settings ignore without a word; inside tmux
// it also loads tmux's paste buffer, and when keep is set it writes the
// text to a new 0600 file in the temporary folder, so it is somewhere real.
func copyText(text, what string, keep bool) tea.Cmd {
	return tea.Batch(tea.SetClipboard(text), func() tea.Msg {
		msg := copiedMsg{what: what}
		if os.Getenv("TMUX") != "" {
			msg.tmux = true
			cmd := exec.Command("tmux", "load-buffer", "-")
			cmd.Stdin = strings.NewReader(text)
			if out, err := cmd.CombinedOutput(); err != nil {
				msg.tmuxErr = fmt.Errorf("%v %s", err, strings.TrimSpace(string(out)))
			}
		}
		if keep {
			msg.file, msg.fileErr = keepCopy(text)
		}
		return msg
	})
}

// keepCopy writes text to a new file only the user can read.
func keepCopy(text string) (string, error) {
	f, err := os.CreateTemp("", "keyhole-copy-*.txt") // mode 0600
	if err != nil {
		return "", err
	}
	_, err = f.WriteString(text + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return f.Name(), err
}

// copied says what a copy did.
func (m *Model) copied(msg copiedMsg) {
	also := ""
	switch {
	case msg.file != "":
		also = "; it is also in " + msg.file
	case msg.fileErr != nil:
		also = "; it could not be kept in a file: " + msg.fileErr.Error()
	}
	switch {
	case msg.tmux && msg.tmuxErr == nil:
		m.info("Copied %s to the tmux buffer (prefix ] pastes) and sent it to the terminal clipboard (OSC 52)%s.", msg.what, also)
	case msg.tmux:
		m.status, m.statusErr = fmt.Sprintf("tmux load-buffer failed (%s); %s went only to the terminal clipboard (OSC 52), which tmux passes on only with set-clipboard on%s.",
			safeLine(msg.tmuxErr.Error()), msg.what, also), true
	default:
		m.info("Sent %s to the terminal clipboard (OSC 52); your terminal may block OSC 52%s.", msg.what, also)
	}
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
	// The command's credentials become offers as keyhole send's flags
	// would make them (session.Imported.Offers): -u for the URL's origin,
	// -U for the proxy's, each sent when curl would send it.
	offers, oerr := im.Offers()
	m.dropServerOffers()
	m.form = form{}
	var perr error
	if im.Proxy != "" || im.NoProxy != nil {
		perr = m.setProxyFor(im.Proxy, im.NoProxy)
	}
	var sources []string
	if oerr == nil && perr == nil {
		for _, o := range offers {
			m.wallet.Add(o)
			side := ""
			if o.Proxy {
				side = "proxy "
			}
			sources = append(sources, side+o.Auth.Scheme()+" credentials ("+o.Source+")")
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
	case oerr != nil:
		how = "credentials not usable: " + oerr.Error()
	case perr != nil:
		how = "its proxy not usable: " + perr.Error()
	case len(sources) > 0:
		how = strings.Join(sources, ", ") + ", sent with the next enter as curl sends them"
	}
	if im.Proxy != "" && perr == nil {
		notes = append(notes, "proxy "+m.proxyName())
	}
	notes = append(notes, im.Cannot...)
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
	m.statusErr = oerr != nil || perr != nil
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

// filledForm is the credentials form of the command's auth, its fields
// filled by key from the import's values, so a challenge later preselects
// what the command meant; none for --anyauth or no auth.
func filledForm(im *session.Imported, isDark bool) form {
	f, ok := newForm(im.Auth, isDark)
	if !ok {
		return form{}
	}
	for i := range f.fields {
		f.fields[i].in.SetValue(im.Values[f.fields[i].key])
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
