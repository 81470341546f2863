package ui

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"keyhole/httpclient"
	"keyhole/session"
)

// Messages of the saved-session commands; files are read and written off
// the UI goroutine.
type (
	savedMsg struct {
		path string
		err  error
	}
	sessionsMsg struct {
		dir     string
		entries []session.Entry
		err     error
	}
	loadedMsg struct {
		path string
		sess *session.Session
		err  error
	}
)

// saveSession saves the session into the default folder; the store masks
// every secret.
func (m *Model) saveSession() tea.Cmd {
	if m.sending {
		m.info("A request is in flight; save when it is done (esc cancels it).")
		return nil
	}
	if req, err := m.compose.request(); err == nil {
		m.sess.SetDraft(req) // the draft as typed, even if it was not sent
	}
	sess := m.sess
	m.info("Saving the session…")
	return func() tea.Msg {
		dir, err := session.Dir()
		if err != nil {
			return savedMsg{err: err}
		}
		path, err := session.Save(dir, sess, "")
		return savedMsg{path: path, err: err}
	}
}

// listSessions lists the saved sessions in a Cmd.
func (m *Model) listSessions() tea.Cmd {
	m.info("Reading the saved sessions…")
	return func() tea.Msg {
		dir, err := session.Dir()
		if err != nil {
			return sessionsMsg{err: err}
		}
		es, err := session.List(dir)
		return sessionsMsg{dir: dir, entries: es, err: err}
	}
}

func (m *Model) sessionsListed(msg sessionsMsg) {
	if msg.err != nil {
		m.fail(msg.err)
		return
	}
	if len(msg.entries) == 0 {
		m.info("No saved sessions in %s yet; ctrl+o saves this one.", msg.dir)
		return
	}
	o := overlay{kind: ovSessions, title: "Saved sessions", hint: "newest first; enter opens, esc closes",
		head: []string{m.styles.Muted.Render(msg.dir)}}
	for _, e := range msg.entries {
		if e.Err != nil {
			err := e.Err
			o.rows = append(o.rows, row{label: "✗ " + safeLine(e.Name) + ": cannot be opened",
				act: func(m *Model) tea.Cmd { m.fail(err); return nil }})
			continue
		}
		status := "no answer"
		if e.LastStatus != 0 {
			status = fmt.Sprint(e.LastStatus)
		}
		path := e.Path
		o.rows = append(o.rows, row{
			label: fmt.Sprintf("%s  %s  %s, last %s  %s", e.Saved.Local().Format("2006-01-02 15:04"), safeLine(e.Name),
				count(e.Attempts, "attempt"), status, safeLine(e.URL)),
			act: func(m *Model) tea.Cmd { return m.openSession(path) },
		})
	}
	m.openOverlay(o)
	m.info("%s in %s.", count(len(msg.entries), "saved session"), msg.dir)
}

func (m *Model) openSession(path string) tea.Cmd {
	if m.sending {
		m.info("A request is in flight; esc cancels it before opening another session.")
		return nil
	}
	m.closeOverlay()
	m.info("Opening %s…", path)
	return func() tea.Msg {
		s, err := session.Load(path)
		return loadedMsg{path: path, sess: s, err: err}
	}
}

// sessionLoaded replaces the session: its attempts fill the timeline and its
// draft the compose area. Secrets were never saved, so none come back.
func (m *Model) sessionLoaded(msg loadedMsg) {
	if msg.err != nil {
		m.fail(msg.err) // the file is left as it is
		return
	}
	m.sess = msg.sess
	m.sess.SetClient(m.newClient())
	m.wallet, m.form, m.mark = session.Wallet{}, form{}, 0
	m.loadRequest(m.sess.Draft())
	as := m.sess.Attempts()
	m.tl.follow = true
	m.tl.set(as)
	m.chal.set(nil)
	m.resp.n = 0
	if last := lastRequest(as); last != nil {
		m.followLesson(last)
		m.show(last)
		m.chal.set(last)
		m.resp.logic = bodyText(shownResponse(responseOf(last), m.secrets, scrubberOf(m.sess)))
		m.resp.body = wrap(m.resp.logic, m.resp.width)
	}
	m.setFocus(focusURL)
	m.info("Opened %s: %s. Secrets were not saved: enter credentials again to retry.", msg.path, count(len(as), "attempt"))
}

func responseOf(a *session.Attempt) *httpclient.Response {
	if a == nil || a.Exchange == nil {
		return nil
	}
	return a.Exchange.Response
}

// loadRequest puts r in the compose area.
func (m *Model) loadRequest(r httpclient.Request) {
	if r.Method != "" {
		m.compose.setMethod(r.Method)
	}
	m.compose.url.SetValue(r.URL)
	m.compose.url.CursorEnd()
	m.compose.headers.SetValue(headerText(r.Header))
	m.compose.body.SetValue(string(r.Body))
}

// headerText writes h as "Name: value" lines, sorted by name.
func headerText(h http.Header) string {
	var lines []string
	for name, vs := range h {
		for _, v := range vs {
			lines = append(lines, name+": "+v)
		}
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}
