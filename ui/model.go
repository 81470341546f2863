package ui

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

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
	focusPicker // only while a challenge is shown
	focusForm   // only while a credentials form is shown
	focusTimeline
	focusResponse
	focusCount
)

// isText reports whether the area takes typed text, where q and ? are input.
func isText(f focus) bool {
	return f == focusURL || f == focusHeaders || f == focusBody || f == focusForm
}

// Messages from commands.
type (
	// sentMsg is the result of Session.Send; body holds the formatted body of
	// the last attempt, computed off the UI goroutine.
	sentMsg struct {
		id       int
		attempts []*session.Attempt
		err      error
		body     []string
		wrapped  []string
		width    int
	}
	// bodyMsg carries a body formatted (logic) and wrapped to the pane's width.
	bodyMsg struct {
		gen     int
		logic   []string
		wrapped []string
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
	auth      credentials.Authorizer // last credentials the user entered
	authHost  string                 // the origin they were entered for
	reveal    bool                   // show credentials of the shown attempt
	bodyGen   int
	status    string
	statusErr bool
	srv       *practice.Server

	w, h  int
	wide  bool
	mainW int
	sideW int
}

// New builds the model for o. Nothing is started until Init.
func New(o Options) Model {
	m := Model{
		opts:    o,
		keys:    DefaultKeyMap(),
		styles:  NewStyles(true),
		compose: newCompose(),
		tl:      newTimeline(),
		help:    newHelpBar(true),
		spin:    spinner.New(spinner.WithSpinner(spinner.Dot)),
		focus:   focusURL,
		w:       80,
		h:       24,
	}
	m.sess = session.New(httpclient.New(httpclient.Options{FollowRedirects: true}), httpclient.Request{Method: "GET"})
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
	m.layout()
	return m
}

// Init asks for the background colour and starts the practice server.
func (m Model) Init() tea.Cmd {
	cmds := []tea.Cmd{tea.RequestBackgroundColor}
	if m.opts.Practice {
		cmds = append(cmds, startPractice)
	}
	return tea.Batch(cmds...)
}

// startPractice runs in a Cmd so the first frame does not wait for the listener.
func startPractice() tea.Msg {
	srv, err := practice.Start(practice.Options{})
	return practiceMsg{srv, err}
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
	return [...]string{"method", "url", "headers", "body", "picker", "form", "timeline", "response"}[m.focus]
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
		m.w, m.h = msg.Width, msg.Height
	case tea.BackgroundColorMsg:
		m.styles = NewStyles(msg.IsDark())
		m.help = newHelpBar(msg.IsDark())
		m.compose.setDark(msg.IsDark())
		m.form.setDark(msg.IsDark())
		m.refreshHead()
	case practiceMsg:
		cmd = m.practiceReady(msg)
	case sentMsg:
		cmd = m.sent(msg)
	case bodyMsg:
		if msg.gen == m.bodyGen {
			m.resp.logic, m.resp.body, m.resp.note = msg.logic, msg.wrapped, ""
			m.resp.clamp()
		}
	case spinner.TickMsg:
		if m.sending {
			m.spin, cmd = m.spin.Update(msg)
		}
	case tea.MouseWheelMsg:
		switch msg.Mouse().Button {
		case tea.MouseWheelUp:
			m.resp.scroll(-3)
		case tea.MouseWheelDown:
			m.resp.scroll(3)
		}
	case tea.KeyPressMsg:
		var quit bool
		cmd, quit = m.key(msg)
		if quit {
			return m, tea.Quit
		}
	case tea.PasteMsg:
		cmd = m.typeInto(msg)
	default:
		cmd = m.typeInto(msg) // cursor blinks and the like
	}
	return m, tea.Batch(cmd, m.layout())
}

// key handles a key press; quit says the program should end.
func (m *Model) key(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	k := m.keys
	if key.Matches(msg, k.Quit) {
		return nil, true
	}
	if m.help.shown {
		if key.Matches(msg, k.Help, k.HelpAny, k.Back) {
			m.help.shown = false
		}
		return nil, false
	}
	if key.Matches(msg, k.HelpAny) || (!isText(m.focus) && key.Matches(msg, k.Help)) {
		m.help.shown = true
		return nil, false
	}
	if m.sending && key.Matches(msg, k.Cancel) {
		m.cancel()
		m.info("Cancelling the request…")
		return nil, false
	}
	if key.Matches(msg, k.SendAny) {
		return m.send(m.stickyAuth()), false
	}
	if key.Matches(msg, k.Forget) && !m.sending {
		m.sess.Forget()
		m.auth, m.authHost, m.form = nil, "", form{}
		if m.focus == focusForm {
			m.setFocus(focusURL)
		}
		m.info("Forgot the credentials entered, cached tokens and nonces, and cookies; the next send goes without.")
		return nil, false
	}
	if !isText(m.focus) && key.Matches(msg, k.QuitQ) {
		return nil, true
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
			return m.send(m.stickyAuth()), false
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
			m.pick()
		}
		return nil, false
	case focusForm:
		switch {
		case key.Matches(msg, k.Reveal):
			m.form.toggleReveal()
			return nil, false
		case key.Matches(msg, k.Retry):
			if !m.form.last() {
				m.form.focus(m.form.idx + 1)
				return nil, false
			}
			auth, err := m.form.authorizer()
			if err != nil {
				m.fail(err)
				return nil, false
			}
			m.auth, m.authHost = auth, origin(m.compose.url.Value())
			return m.send(auth), false
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
		}
		return nil, false
	case focusResponse:
		switch {
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
			f := &m.form.fields[m.form.idx]
			f.in, cmd = f.in.Update(msg)
		}
	}
	return cmd
}

// available reports whether an area can take focus now.
func (m Model) available(f focus) bool {
	switch f {
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

// origin is scheme://host:port of a URL, "" when it has none.
func origin(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// stickyAuth returns the credentials last entered when the URL still points at
// the origin they were entered for: typing another host must not leak them.
func (m *Model) stickyAuth() credentials.Authorizer {
	if m.auth == nil {
		return nil
	}
	if origin(m.compose.url.Value()) != m.authHost {
		return nil
	}
	return m.auth
}

// validator is implemented by the credentials that can check themselves.
type validator interface{ Validate() error }

// send starts Session.Send in a Cmd.
func (m *Model) send(auth credentials.Authorizer) tea.Cmd {
	if m.sending {
		m.info("A request is in flight; esc cancels it.")
		return nil
	}
	req, err := m.compose.request()
	if err != nil {
		m.fail(err)
		return nil
	}
	if v, ok := auth.(validator); ok {
		if err := v.Validate(); err != nil {
			m.fail(err)
			return nil
		}
	}
	m.sess.SetDraft(req)
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel, m.sending = cancel, true
	m.sendID++
	id, sess, width := m.sendID, m.sess, m.resp.width
	how := "without credentials"
	if auth != nil {
		how = "with " + auth.Scheme() + " credentials"
	}
	m.info("Sending %s %s %s…", req.Method, credentials.RedactURL(req.URL), how)
	return tea.Batch(m.spin.Tick, func() tea.Msg {
		as, err := sess.Send(ctx, auth)
		msg := sentMsg{id: id, attempts: as, err: err, width: width}
		if last := lastRequest(as); last != nil && last.Exchange != nil {
			msg.body = bodyText(last.Exchange.Response)
			msg.wrapped = wrap(msg.body, width)
		}
		return msg
	})
}

func lastRequest(as []*session.Attempt) *session.Attempt {
	for i := len(as) - 1; i >= 0; i-- {
		if as[i].Purpose == session.PurposeRequest {
			return as[i]
		}
	}
	if len(as) > 0 {
		return as[len(as)-1]
	}
	return nil
}

// sent takes in the attempts of a Send and moves the loop on.
func (m *Model) sent(msg sentMsg) tea.Cmd {
	if msg.id != m.sendID {
		return nil
	}
	m.sending = false
	if m.cancel != nil {
		m.cancel()
		m.cancel = nil
	}
	m.tl.follow = true
	m.tl.set(m.sess.Attempts()) // a failed Prepare may still have made token requests
	if msg.err != nil {
		m.fail(msg.err)
		return nil
	}
	last := lastRequest(msg.attempts)
	m.followLesson(last)
	m.lesson.observe(msg.attempts)
	if last == nil {
		m.info("Nothing was sent.")
		return nil
	}
	m.show(last)
	m.resp.logic, m.resp.body, m.resp.note = msg.body, msg.wrapped, ""
	if msg.width != m.resp.width {
		m.resp.body = wrap(msg.body, m.resp.width)
	}
	m.chal.set(last)
	switch {
	case last.Status() == 0:
		why := "no response"
		if last.Exchange != nil && last.Exchange.Err != nil {
			why = safeLine(last.Exchange.Err.Error())
		}
		m.status, m.statusErr = fmt.Sprintf("Attempt %d: %s", last.N, why), true
		m.setFocus(focusURL)
	case m.chal.active():
		if last.Scheme != "" && m.form.valid() {
			m.form.clearSecrets()
		}
		m.status, m.statusErr = fmt.Sprintf("Attempt %d: %d %s. %s; enter answers it.", last.N, last.Status(),
			safeLine(last.Exchange.Response.StatusText), m.chal.hint()), true
		m.setFocus(focusPicker)
	default:
		m.info("Attempt %d: %d %s in %s.", last.N, last.Status(), safeLine(last.Exchange.Response.StatusText),
			round(last.Exchange.Timing.Total))
		if m.lesson.done {
			m.status += " Lesson done!"
		}
		if m.focus == focusForm || m.focus == focusPicker {
			m.setFocus(focusURL)
		}
	}
	return nil
}

func (c challenges) hint() string {
	o, ok := c.picked()
	if !ok || o.kind == "" {
		return "keyhole cannot answer any scheme offered"
	}
	return kinds()[o.kind].label + " is preselected"
}

// pick opens the credentials form for the option under the cursor, keeping
// what was typed when it is the same kind as before.
func (m *Model) pick() {
	o, ok := m.chal.picked()
	if !ok {
		return
	}
	if o.kind == "" {
		m.fail(fmt.Errorf("keyhole cannot answer %s yet; pick another scheme with ↑/↓", safeLine(m.chal.chs[o.ch].Scheme)))
		return
	}
	if m.form.kind != o.kind || !m.form.valid() {
		f, _ := newForm(o.kind, m.styles.isDark)
		if u := m.form.value("User"); u != "" {
			for i := range f.fields {
				if f.fields[i].label == "User" {
					f.fields[i].in.SetValue(u)
				}
			}
		}
		m.form = f
	}
	m.setFocus(focusForm)
	m.info("%s: fill in the fields; tab moves to the next one, enter on the last one sends.", m.form.label())
}

// show puts attempt a in the response area; the body follows in a bodyMsg.
func (m *Model) show(a *session.Attempt) {
	m.bodyGen++
	m.resp.n = a.N
	m.resp.top = 0
	m.resp.head = headLines(a, m.styles, m.reveal)
	m.resp.logic, m.resp.body, m.resp.note = nil, nil, ""
}

// showSelected shows the timeline's selected attempt, formatting its body in a Cmd.
func (m *Model) showSelected() tea.Cmd {
	a := m.tl.selected()
	if a == nil || a.N == m.resp.n {
		return nil
	}
	m.show(a)
	m.chal.set(a)
	if a.Exchange == nil || a.Exchange.Response == nil || len(a.Exchange.Response.Body) == 0 {
		return nil
	}
	m.resp.note = m.styles.Muted.Render("formatting the body…")
	gen, width, resp := m.bodyGen, m.resp.width, a.Exchange.Response
	return func() tea.Msg {
		logic := bodyText(resp)
		return bodyMsg{gen: gen, logic: logic, wrapped: wrap(logic, width)}
	}
}

func (m *Model) toggleReveal() {
	m.reveal = !m.reveal
	m.refreshHead()
	if m.reveal {
		m.info("Credentials of the shown attempt are revealed; ctrl+r masks them.")
	} else {
		m.info("Credentials masked.")
	}
}

func (m *Model) refreshHead() {
	for _, a := range m.tl.attempts {
		if a.N == m.resp.n {
			m.resp.head = headLines(a, m.styles, m.reveal)
		}
	}
}

// followLesson switches the lesson pane to the lesson of the practice path
// just requested, so typing /digest by hand brings up the Digest lesson.
func (m *Model) followLesson(a *session.Attempt) {
	if m.srv == nil || a == nil || a.Exchange == nil || a.Exchange.Request == nil {
		return
	}
	u, err := url.Parse(a.Exchange.Request.URL)
	if err != nil || origin(a.Exchange.Request.URL) != origin(m.srv.URL) {
		return
	}
	if l, ok := practice.LessonFor(u.Path); ok && (!m.lesson.active || l.ID != m.lesson.l.ID) {
		m.lesson = newLesson(l, m.srv.URL)
	}
}

func (m *Model) practiceReady(msg practiceMsg) tea.Cmd {
	if msg.err != nil {
		m.fail(fmt.Errorf("the practice server did not start (%v); run keyhole URL to use your own server", msg.err))
		return nil
	}
	m.srv = msg.srv
	ls := practice.Lessons()
	if len(ls) == 0 {
		m.compose.url.SetValue(msg.srv.URL + "/basic")
		return nil
	}
	l := ls[0]
	for _, x := range ls {
		if x.ID == m.opts.Lesson {
			l = x
		}
	}
	m.lesson = newLesson(l, msg.srv.URL)
	m.compose.setMethod(l.Method)
	if m.compose.url.Value() == "" {
		m.compose.url.SetValue(msg.srv.URL + l.Path)
		m.compose.url.CursorEnd()
	}
	m.info("Practice server on %s. Lesson: %s. Press enter to send.", msg.srv.URL, l.Title)
	return nil
}

// relayout sizes the parts for the terminal; a body wider than a new width is
// rewrapped in a Cmd when it is big.
func (m *Model) layout() tea.Cmd {
	m.wide = m.w >= 100
	m.compose.SetSize(m.w, m.h >= 32)
	if m.wide {
		m.sideW = min(m.w*2/5, 80)
		m.mainW = m.w - m.sideW - 3
	} else {
		m.sideW, m.mainW = m.w, m.w
	}
	m.form.SetWidth(m.sideW)
	m.help.SetWidth(m.w)
	mid := m.middleHeight()
	respH := mid
	if !m.wide {
		respH = mid - len(m.sideLines(mid-m.minResp(mid)))
	}
	oldW := m.resp.width
	m.resp.SetSize(m.mainW, respH)
	if oldW == m.resp.width || m.resp.logic == nil {
		return nil
	}
	if len(m.resp.logic) < 20000 {
		m.resp.body = wrap(m.resp.logic, m.resp.width)
		m.resp.clamp()
		return nil
	}
	m.bodyGen++
	gen, width, logic := m.bodyGen, m.resp.width, m.resp.logic
	return func() tea.Msg { return bodyMsg{gen: gen, logic: logic, wrapped: wrap(logic, width)} }
}

func (m Model) middleHeight() int { return max(m.h-m.compose.Height()-3, 1) }

func (m Model) minResp(mid int) int { return max(3, mid/3) }

// sideLines stacks the lesson, challenge, picker, form and timeline into at
// most h lines. The picker and the form are what the user acts on, so they
// are kept whole; then the timeline's first rows, the challenge, the lesson.
func (m Model) sideLines(h int) []string {
	if h <= 0 {
		return nil
	}
	w := m.sideW
	act := m.chal.picker(m.styles, m.focus)
	if m.chal.active() {
		act = append(act, m.form.view(m.styles, m.focus == focusForm)...)
	}
	act = wrapLines(act, w)
	tlMin := min(3, 1+len(m.tl.attempts))
	act = act[:min(len(act), max(h-tlMin, 0))]
	rest := h - len(act)
	expl := wrapLines(m.chal.explain(m.styles, m.focus), w)
	expl = expl[:min(len(expl), max(rest-tlMin, 0))]
	rest -= len(expl)
	lesMax := 2
	if m.wide {
		lesMax = max(rest-tlMin-4, 2) // the lesson may use what the timeline does not need
	}
	les := wrapLines(m.lesson.view(m.styles, 4), w)
	les = les[:min(len(les), max(min(lesMax, rest-tlMin), 0))]
	rest -= len(les)
	tlH := rest
	if !m.wide {
		tlH = min(rest, 1+len(m.tl.attempts), 6)
	}
	out := append(les, expl...)
	out = append(out, act...)
	return append(out, m.tl.view(m.styles, m.focus == focusTimeline, tlH)...)
}

// wrapLines wraps styled lines to w columns, indenting the continuation.
func wrapLines(lines []string, w int) []string {
	var out []string
	for _, l := range lines {
		if ansi.StringWidth(l) <= w {
			out = append(out, l)
			continue
		}
		out = append(out, strings.Split(ansi.Wrap(l, w, ""), "\n")...)
	}
	return out
}

// View draws the whole screen.
func (m Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "keyhole"
	return v
}

func (m Model) render() string {
	w, h := max(m.w, 10), max(m.h, 5)
	lines := m.compose.view(m.styles, m.focus)
	// The rule names the focused area: the response pane has no title of its own to underline.
	rule := "─── " + m.Focused() + " "
	if m.sending {
		rule += "── " + m.spin.View() + " sending (esc cancels) "
	}
	lines = append(lines, m.styles.Muted.Render(rule+strings.Repeat("─", max(w-ansi.StringWidth(rule), 0))))
	mid := m.middleHeight()
	switch {
	case m.help.shown:
		lines = append(lines, fit(m.help.overlay(m.styles, m.keys, w, mid), w, mid)...)
	case m.wide:
		lines = append(lines, hjoin(fit(m.responseLines(), m.mainW, mid), m.mainW, fit(m.sideLines(mid), m.sideW, mid))...)
	default:
		side := m.sideLines(mid - m.minResp(mid))
		lines = append(lines, fit(side, w, len(side))...)
		lines = append(lines, fit(m.responseLines(), w, mid-len(side))...)
	}
	st := m.styles.Line.Info
	if m.statusErr {
		st = m.styles.Line.Error
	}
	lines = append(lines, st.Render(ansi.Truncate(m.status, w, "…")))
	lines = append(lines, m.help.short(focusedHelp{m.keys, m.focus, m.sending}))
	return strings.Join(fit(lines, w, h), "\n")
}

func (m Model) responseLines() []string {
	if m.resp.n == 0 {
		t := m.styles.Title
		if m.focus == focusResponse {
			t = m.styles.TitleFocus
		}
		return []string{t.Render("Response"), m.styles.Muted.Render("Nothing sent yet.")}
	}
	return m.resp.view()
}

// fit makes exactly h lines, each cut to w columns with an ellipsis and padded.
func fit(lines []string, w, h int) []string {
	out := make([]string, h)
	for i := range out {
		if i < len(lines) {
			out[i] = pad(ansi.Truncate(lines[i], w, "…"), w)
		} else {
			out[i] = strings.Repeat(" ", w)
		}
	}
	return out
}

func pad(s string, w int) string {
	if d := w - ansi.StringWidth(s); d > 0 {
		return s + strings.Repeat(" ", d)
	}
	return s
}

// hjoin puts two columns of fitted lines side by side.
func hjoin(left []string, lw int, right []string) []string {
	out := make([]string, len(left))
	for i := range left {
		r := ""
		if i < len(right) {
			r = right[i]
		}
		out[i] = pad(left[i], lw) + " │ " + r
	}
	return out
}
