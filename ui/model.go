package ui

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"keyhole/credentials"
	"keyhole/httpclient"
	"keyhole/practice"
	"keyhole/session"
)

// focus is the area that receives keys.
type focus int

const (
	focusMethod focus = iota
	focusURL
	focusHeaders
	focusBody
	focusExplain // the explanation pane, scrolled; the picker takes its place while a challenge is shown
	focusPicker  // only while a challenge is shown
	focusForm    // only while a credentials form is shown
	focusTimeline
	focusResponse
	focusCount
)

// isText reports whether the area takes typed text, where q and ? are input.
func isText(f focus) bool {
	return f == focusURL || f == focusHeaders || f == focusBody || f == focusForm
}

// quitsOnQ reports whether q quits in area f: only where nothing is typed.
// The picker takes letters to jump to a scheme, and it has focus after
// every 401: a user name typed a moment early must not end the session.
func quitsOnQ(f focus) bool {
	return f == focusMethod || f == focusExplain || f == focusTimeline || f == focusResponse
}

// Messages from commands.
type (
	// sentMsg is the result of Session.Send; body holds the formatted body of
	// the last attempt, computed off the UI goroutine.
	sentMsg struct {
		id       int
		attempts []*session.Attempt
		err      error
		doc      *bodyDoc
		// hadToken says the authorizer held an OAuth 2.0 token before the
		// send, so token requests before the request replaced an expired one.
		hadToken bool
		// fromForm says the form's credentials were sent: a challenge
		// again for the same kind means they were refused.
		fromForm bool
	}
	// bodyMsg carries a body formatted (logic) and wrapped to the pane's width.
	bodyMsg struct {
		gen int
		doc *bodyDoc
	}
	practiceMsg struct {
		srv *practice.Server
		err error
	}
)

// Model is the TUI's only tea.Model.
type Model struct {
	opts    Options
	keys    KeyMap
	styles  Styles
	sess    *session.Session
	compose compose
	chal    challenges
	form    form
	tl      timeline
	resp    response
	lesson  lesson
	help    helpBar
	spin    spinner.Model

	focus     focus
	sending   bool
	sendID    int
	cancel    context.CancelFunc
	wallet    session.Wallet // the credentials entered, each bound to its origin
	reveal    bool           // show credentials of the shown attempt
	bodyGen   int
	status    string
	statusErr bool
	srv       *practice.Server
	prompt    *oauthPrompt       // a device code or authorization URL being waited on
	cancelled bool               // the user pressed esc on the send in flight
	fromForm  bool               // the next send carries what the form just built
	browser   func(string) error // opens the authorization URL; credentials.SystemBrowser

	ov          overlay                               // drawn over the panes while open
	mark        int                                   // N of the attempt marked for a diff; 0 when none
	trust       bool                                  // resend credentials on redirects to other origins
	secrets     bool                                  // show secrets everywhere instead of masks
	tlsConf     *tls.Config                           // client certificate and CA; nil uses the defaults
	tlsPaths    [3]string                             // cert, key and CA paths of tlsConf, for the form
	proxy       func(*http.Request) (*url.URL, error) // nil: the environment's proxy
	proxyURL    string                                // the proxy set in the TUI, "" for the environment
	lessonsDone map[string]bool                       // IDs of the practice lessons completed
	steps       map[string][]bool                     // each lesson's steps ticked, kept across runs
	// progressPath is the lab's state file ("" when there is no home).
	progressPath string

	w, h      int
	explTop   int  // first line of the explanation pane shown
	explFor   int  // the attempt explTop was scrolled for
	sight     int  // focus, picker cursor and form field explTop was last kept in sight for
	mouse     bool // the mouse is captured (f6): clicks focus, the wheel scrolls the pane under it
	search    search
	hl        *hlCache         // body rows as coloured lately, shared by the model's copies
	explCache *explCache       // the shown attempt's explanation as last drawn
	clock     func() time.Time // the local clock: tokens' times are read against it
	// savedN is how many attempts the last save held; quitting with more asks once.
	savedN    int
	quitAsked bool
}

// New builds the model for o. Nothing is started until Init.
func New(o Options) Model {
	m := Model{
		opts:      o,
		keys:      DefaultKeyMap(),
		styles:    NewStyles(true),
		compose:   newCompose(),
		tl:        newTimeline(),
		help:      newHelpBar(true),
		spin:      spinner.New(spinner.WithSpinner(spinner.Dot)),
		focus:     focusURL,
		browser:   credentials.SystemBrowser,
		hl:        &hlCache{},
		explCache: &explCache{},
		clock:     time.Now,
		search:    search{line: -1},
		w:         80,
		h:         24,
	}
	m.sess = session.New(m.newClient(), httpclient.Request{Method: "GET"})
	m.progressPath = o.ProgressFile
	p := loadProgress(m.progressPath)
	m.lessonsDone, m.steps = p.Done, p.Steps
	if o.URL != "" {
		m.compose.url.SetValue(o.URL)
		m.compose.url.CursorEnd()
		m.status = "Ready: enter sends GET " + o.URL
	} else if o.Practice {
		m.status = "Starting the practice server…"
	} else {
		m.status = "Type a URL and press enter to send it."
	}
	m.compose.url.Focus()
	if o.Curl != "" {
		m.importCurl(o.Curl)
	}
	if len(o.Requests) > 0 {
		m.openOverlay(m.requestsOverlay())
	}
	m.layout()
	m.syncOverlay()
	return m
}

// Init asks for the background colour and starts the practice server.
func (m Model) Init() tea.Cmd {
	cmds := []tea.Cmd{tea.RequestBackgroundColor}
	if m.opts.Curl != "" {
		if im, err := session.ParseCurl(strings.TrimSpace(m.opts.Curl)); err == nil {
			cmds = append(cmds, curlTLS(im)) // New took the rest of the command
		}
	}
	if m.opts.Practice {
		withTLS := m.opts.PracticeTLS
		cmds = append(cmds, func() tea.Msg {
			srv, err := practice.Start(practice.Options{TLS: withTLS})
			return practiceMsg{srv, err}
		})
	}
	return tea.Batch(cmds...)
}

// Close stops what the model started: the request in flight and the practice server.
func (m Model) Close() {
	if m.cancel != nil {
		m.cancel()
	}
	if m.srv != nil {
		m.srv.Close()
	}
}

// Session is the session the TUI drives, for callers that add views.
func (m Model) Session() *session.Session { return m.sess }

// Focused returns the name of the focused area ("url", "picker", "form", ...).
func (m Model) Focused() string {
	return [...]string{"method", "url", "headers", "body", "explanation", "picker", "form", "timeline", "response"}[m.focus]
}

// Status is the status line's text.
func (m Model) Status() string { return m.status }

func (m *Model) info(format string, a ...any) {
	m.status, m.statusErr = fmt.Sprintf(format, a...), false
}

func (m *Model) fail(err error) { m.status, m.statusErr = err.Error(), true }

// Update handles one message.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		if m.sight != -1 && (msg.Width != m.w || msg.Height != m.h) {
			m.sight = -2 // the lines moved: bring the focused picker or form into sight again
		}
		m.w, m.h = msg.Width, msg.Height
	case tea.BackgroundColorMsg:
		m.styles = NewStyles(msg.IsDark())
		m.help = newHelpBar(msg.IsDark())
		m.compose.setDark(msg.IsDark())
		m.form.setDark(msg.IsDark())
		m.refreshHead()
	case netrcMsg:
		m.fillFromNetrc(msg)
	case profilesMsg, profileValuesMsg, profileSavedMsg:
		m.profileMsg(msg)
	case practiceMsg:
		cmd = m.practiceReady(msg)
	case sentMsg:
		cmd = m.sent(msg)
		m.askTrust()
	case oauthPromptMsg:
		cmd = m.prompted(msg)
	case savedMsg:
		if msg.err == nil {
			m.savedN = len(m.sess.Attempts())
		}
		cmd = m.featureMsg(msg)
	case foundMsg:
		m.found(msg)
	case bodyMsg:
		if msg.gen == m.bodyGen {
			m.resp.note = ""
			m.resp.setDoc(msg.doc)
		}
	case spinner.TickMsg:
		if m.sending {
			m.spin, cmd = m.spin.Update(msg)
		}
	case tea.MouseWheelMsg:
		m.wheel(msg)
	case tea.MouseClickMsg:
		cmd = m.click(msg)
	case tea.KeyPressMsg:
		var quit bool
		cmd, quit = m.key(msg)
		if quit {
			return m, tea.Quit
		}
	case tea.PasteMsg:
		if m.ov.kind == ovPalette {
			m.ov.filter, m.ov.cursor = m.ov.filter+msg.Content, 0
			break
		}
		if len(m.ov.fields) > 0 { // ovTLS, ovProfileName
			f := &m.ov.fields[m.ov.idx]
			f.in, cmd = f.in.Update(msg)
			break
		}
		if m.ov.open() {
			break
		}
		if m.focus == focusURL && isCurl(msg.Content) {
			cmd = m.importCurl(msg.Content)
			break
		}
		cmd = m.typeInto(msg)
	default:
		cmd = m.featureMsg(msg)
		if cmd == nil {
			cmd = m.typeInto(msg) // cursor blinks and the like
		}
	}
	lc := m.layout()
	m.syncOverlay()
	if m.prompt != nil && !m.ov.open() {
		// The prompt is drawn where overlays are, over the panes.
		m.help.shown, m.help.page, m.help.keys = true, m.promptPage(), promptKeys()
	}
	return m, tea.Batch(cmd, lc)
}

// key handles a key press; quit says the program should end.
func (m *Model) key(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	k := m.keys
	if key.Matches(msg, k.Quit) || (m.quitAsked && quitsOnQ(m.focus) && key.Matches(msg, k.QuitQ)) {
		return nil, m.quitting()
	}
	m.quitAsked = false
	if m.ov.open() {
		return m.overlayKey(msg), false
	}
	if m.prompt != nil {
		if key.Matches(msg, k.Cancel) && m.cancel != nil {
			m.cancel()
			m.prompt, m.cancelled = nil, true
			m.info("Cancelling the OAuth 2.0 grant…")
		}
		return nil, false // the prompt takes every key but quit and esc
	}
	if key.Matches(msg, k.HelpAny) || (!isText(m.focus) && key.Matches(msg, k.Help)) {
		m.openOverlay(overlay{kind: ovHelp})
		return nil, false
	}
	if cmd, ok := m.globalKey(msg); ok {
		return cmd, false
	}
	if m.sending && key.Matches(msg, k.Cancel) {
		m.cancel()
		m.cancelled = true
		m.info("Cancelling the request…")
		return nil, false
	}
	if key.Matches(msg, k.SendAny) {
		return m.send(), false
	}
	if key.Matches(msg, k.Forget) && !m.sending {
		m.forget()
		return nil, false
	}
	if quitsOnQ(m.focus) && key.Matches(msg, k.QuitQ) && !(m.focus == focusResponse && m.search.typing) {
		return nil, m.quitting()
	}
	if m.focus == focusForm {
		switch {
		case key.Matches(msg, k.Next):
			if !m.form.last() {
				m.form.focus(m.form.idx + 1)
				return nil, false
			}
		case key.Matches(msg, k.Prev):
			if m.form.idx > 0 {
				m.form.focus(m.form.idx - 1)
				return nil, false
			}
		}
	}
	switch {
	case key.Matches(msg, k.Next):
		m.moveFocus(1)
		return nil, false
	case key.Matches(msg, k.Prev):
		m.moveFocus(-1)
		return nil, false
	case !m.sending && key.Matches(msg, k.Back):
		m.setFocus(focusURL)
		return nil, false
	}

	switch m.focus {
	case focusURL:
		if key.Matches(msg, k.Send) {
			if isCurl(m.compose.url.Value()) {
				return m.importCurl(m.compose.url.Value()), false
			}
			return m.send(), false
		}
	case focusMethod:
		switch msg.String() {
		case "left":
			m.compose.cycleMethod(-1)
		case "right", "space", "enter":
			m.compose.cycleMethod(1)
		}
		return nil, false
	case focusPicker:
		switch {
		case key.Matches(msg, k.Up):
			m.chal.move(-1)
		case key.Matches(msg, k.Down):
			m.chal.move(1)
		case key.Matches(msg, k.Pick):
			if o, ok := m.chal.picked(); ok && o.Action != nil {
				return m.runAction(*o.Action), false
			}
			m.pick()
		case msg.Code == tea.KeyPgUp, msg.Code == tea.KeyPgDown, msg.Code == tea.KeyHome, msg.Code == tea.KeyEnd:
			m.scrollExplain(msg)
		case len([]rune(msg.Text)) == 1:
			m.jumpTo([]rune(msg.Text)[0])
		}
		return nil, false
	case focusExplain:
		if key.Matches(msg, k.Detail) {
			m.openDetail()
			return nil, false
		}
		m.scrollExplain(msg)
		return nil, false
	case focusForm:
		switch {
		case key.Matches(msg, k.Reveal):
			m.form.toggleReveal()
			return nil, false
		case key.Matches(msg, k.Grant) && m.form.choices() != nil:
			m.form.nextChoice(m.styles.isDark)
			m.info("%s. ctrl+g picks the next one.", m.form.label())
			return nil, false
		case key.Matches(msg, k.Retry):
			if !m.form.sends() {
				m.form.focus(m.form.idx + 1)
				return nil, false
			}
			if err := m.answer(); err != nil {
				m.fail(err)
				return nil, false
			}
			m.fromForm = true
			return m.send(), false
		}
	case focusTimeline:
		switch {
		case key.Matches(msg, k.Up):
			m.tl.move(-1)
			return m.showSelected(), false
		case key.Matches(msg, k.Down):
			m.tl.move(1)
			return m.showSelected(), false
		case key.Matches(msg, k.Select):
			return m.showSelected(), false
		case key.Matches(msg, k.Reveal):
			m.toggleReveal()
		case key.Matches(msg, k.Mark):
			m.markSelected()
		case key.Matches(msg, k.Diff):
			return m.diffSelected(), false
		}
		return nil, false
	case focusResponse:
		if m.search.typing {
			return m.searchKey(msg), false
		}
		switch {
		case key.Matches(msg, k.Search):
			m.startSearch()
		case key.Matches(msg, k.SearchNext):
			return m.findNext(1), false
		case key.Matches(msg, k.SearchPrev):
			return m.findNext(-1), false
		case key.Matches(msg, k.Detail):
			m.openDetail()
		case key.Matches(msg, k.Up):
			m.resp.scroll(-1)
		case key.Matches(msg, k.Down):
			m.resp.scroll(1)
		case key.Matches(msg, k.PageUp):
			m.resp.scroll(-m.resp.height)
		case key.Matches(msg, k.PageDown):
			m.resp.scroll(m.resp.height)
		case key.Matches(msg, k.Top):
			m.resp.top = 0
		case key.Matches(msg, k.Bottom):
			m.resp.scroll(m.resp.total())
		case key.Matches(msg, k.Reveal):
			m.toggleReveal()
		}
		return nil, false
	}
	return m.typeInto(msg), false
}

// typeInto hands msg to the focused text field.
func (m *Model) typeInto(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	switch m.focus {
	case focusURL:
		m.compose.url, cmd = m.compose.url.Update(msg)
	case focusHeaders:
		m.compose.headers, cmd = m.compose.headers.Update(msg)
	case focusBody:
		m.compose.body, cmd = m.compose.body.Update(msg)
	case focusForm:
		if m.form.valid() {
			was := m.form.label()
			f := &m.form.fields[m.form.idx]
			f.in, cmd = f.in.Update(msg)
			if now := m.form.label(); now != was { // the OAuth 2.0 client id typed or emptied
				m.info("The form now runs %s.", now)
			}
		}
	}
	return cmd
}

// available reports whether an area can take focus now.
func (m Model) available(f focus) bool {
	switch f {
	case focusExplain:
		return !m.chal.active() // with a challenge, the picker scrolls the pane
	case focusPicker:
		return m.chal.active()
	case focusForm:
		return m.form.valid() && m.chal.active() // a form is shown only to answer a challenge
	}
	return true
}

func (m *Model) moveFocus(d int) {
	f := m.focus
	for range focusCount {
		f = (f + focus(d) + focusCount) % focusCount
		if m.available(f) {
			break
		}
	}
	m.setFocus(f)
	if f == focusForm && d < 0 {
		m.form.focus(len(m.form.fields) - 1)
	}
}

func (m *Model) setFocus(f focus) {
	m.focus = f
	m.compose.url.Blur()
	m.compose.headers.Blur()
	m.compose.body.Blur()
	m.form.blur()
	switch f {
	case focusURL:
		m.compose.url.Focus()
	case focusHeaders:
		m.compose.headers.Focus()
	case focusBody:
		m.compose.body.Focus()
	case focusForm:
		m.form.focus(0)
	}
}

// validator is implemented by the credentials that can check themselves.
type validator interface{ Validate() error }
