package ui

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"keyhole/credentials"
	"keyhole/httpclient"
	"keyhole/practice"
	"keyhole/session"
)

// origin is scheme://host:port of a URL, "" when it has none.
func origin(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// send starts Session.Run in a Cmd with the wallet: Run decides which of
// the credentials entered answers which challenge, for the server and the
// proxy, and when to stop.
func (m *Model) send() tea.Cmd {
	if m.sending {
		m.info("A request is in flight; esc cancels it.")
		return nil
	}
	req, err := m.compose.request()
	if err != nil {
		m.fail(err)
		return nil
	}
	m.sess.SetDraft(req)
	// The client certificate goes to this URL's origin only (and to a token
	// endpoint that authenticates the client by it, through PresentCertTo).
	client := m.sess.HTTPClient()
	if at, ok := httpclient.OriginOfURL(req.URL); ok {
		client.ScopeCertTo(at)
	}
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel, m.sending = cancel, true
	m.sendID++
	id, sess, width, secrets := m.sendID, m.sess, m.resp.width, m.secrets
	// Run reads its own copy: the user may forget credentials meanwhile.
	w := session.Wallet{Offers: slices.Clone(m.wallet.Offers), HeaderSource: "the headers"}
	policy := session.Policy{TrustRedirects: m.trust}
	if m.lesson.active {
		// A lesson about a failure keeps keyhole from repairing it at once.
		policy.NoAutoRefresh, policy.NoAutoStepUp = m.lesson.l.NoAutoRefresh, m.lesson.l.NoAutoStepUp
	}
	how := ""
	if m.trust {
		how = ", redirects trusted"
	}
	m.info("Sending %s %s%s…", req.Method, credentials.RedactURL(req.URL), how)
	m.prompt = nil
	var listen []tea.Cmd
	done := make(chan struct{})
	had := false
	for _, o := range w.Offers {
		if oa, ok := o.Auth.(*credentials.OAuth2); ok {
			listen = append(listen, m.hookOAuth(oa, id, done))
			oa.PresentCertTo = client.PresentCertTo
			had = had || hadToken(oa)
		}
	}
	fromForm := m.fromForm
	m.fromForm = false
	return tea.Batch(append(listen, m.spin.Tick, func() tea.Msg {
		out := sess.Run(ctx, &w, policy)
		close(done)
		msg := sentMsg{id: id, attempts: out.Attempts, err: out.Err, hadToken: had, fromForm: fromForm}
		if last := lastRequest(out.Attempts); last != nil && last.Exchange != nil {
			msg.doc = docFor(last.Exchange.Response, secrets, scrubberOf(sess), width)
		}
		return msg
	})...)
}

// answer takes the form's credentials into the wallet.
func (m *Model) answer() error {
	auth, err := m.form.authorizer()
	if err != nil {
		return err
	}
	if v, ok := auth.(validator); ok {
		if err := v.Validate(); err != nil {
			return err
		}
	}
	return m.offer(auth, m.form.status, m.form.mode())
}

// offer puts what the form built for scheme mode in the wallet, bound to
// where it answers: the proxy's origin for a 407 through a proxy, else the
// request's. It replaces what was entered before for the same place and
// scheme, and is preferred. Once entered it goes up front to its origin
// (sending again needs no new challenge) unless its scheme cannot go before
// its challenge (Digest, registry tokens): those wait for one, so a Digest
// answer is never sent to a URL that did not ask for it.
func (m *Model) offer(auth credentials.Authorizer, status int, mode string) error {
	target := m.compose.url.Value()
	d, _ := credentials.Describe(mode)
	o := &session.Offer{Auth: auth, Source: "the form", Proxy: status == 407, Upfront: !d.Challenged}
	if p := m.sess.HTTPClient().ProxyFor(target); o.Proxy && p != "" {
		target = p
		o.Auth = session.AtProxy(auth, p) // a Kerberos ticket for the proxy, not the server
	}
	at, err := session.OriginFor(target)
	if err != nil {
		return err
	}
	o.Origin = at
	if mode == "registry" {
		o.Accepts = session.IsRegistryChallenge // as send's registry offer
	}
	m.wallet.Offers = slices.DeleteFunc(m.wallet.Offers, func(x *session.Offer) bool {
		return x.Proxy == o.Proxy && x.Origin == at && x.Auth.Scheme() == auth.Scheme()
	})
	m.wallet.Prefer(m.wallet.Add(o))
	return nil
}

// dropServerOffers forgets the server credentials entered, keeping the
// proxy's: a new lesson or request starts without them.
func (m *Model) dropServerOffers() {
	m.wallet.Offers = slices.DeleteFunc(slices.Clone(m.wallet.Offers), func(o *session.Offer) bool { return !o.Proxy })
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
	m.sending, m.prompt = false, nil
	if m.cancel != nil {
		m.cancel()
		m.cancel = nil
	}
	refreshed := ""
	if msg.hadToken {
		refreshed = markRefresh(msg.attempts) // before the timeline draws the rows
	}
	m.tl.follow = true
	m.tl.set(m.sess.Attempts()) // a failed Prepare may still have made token requests
	cancelled := m.cancelled
	m.cancelled = false
	if msg.err != nil {
		if cancelled && m.focus == focusForm {
			m.fail(fmt.Errorf("cancelled (%s); enter on the last field starts again", safeLine(msg.err.Error())))
			return nil
		}
		// What was sent before the error (a token endpoint's refusal) is
		// shown and explained.
		// The challenge being answered stays in the picker, to retry with
		// other credentials.
		chal := m.chal
		cmd := m.showSelected()
		m.chal = chal
		m.lessonObserved(msg.attempts, msg.err) // a refused discovery or authorization is a lesson's step
		m.fail(msg.err)
		return cmd
	}
	last := lastRequest(msg.attempts)
	m.followLesson(last)
	m.lessonObserved(msg.attempts, nil)
	if last == nil {
		m.info("Nothing was sent.")
		return nil
	}
	m.show(last)
	m.resp.note = ""
	m.resp.setDoc(msg.doc)
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
		head := fmt.Sprintf("Attempt %d: %d %s.", last.N, last.Status(), safeLine(last.Exchange.Response.StatusText))
		if f, ok := session.Unmade(last); ok {
			// Nothing was refused: the answer picked could not be made.
			m.status, m.statusErr = head+" "+safeLine(f.Message)+" "+safeLine(f.Next), true
			m.setFocus(focusPicker)
			return nil
		}
		if o, _ := m.chal.picked(); msg.fromForm && o.Action == nil && m.form.status == m.chal.status && m.chal.offers(m.form.kind) {
			// The form's credentials were refused: the user retypes the
			// secret, not the name, so the cursor goes to the emptied secret.
			m.form.clearSecrets()
			m.chal.choose(m.form.kind)
			m.setFocus(focusForm)
			m.form.focusSecret()
			m.status, m.statusErr = head+" "+m.form.label()+" refused; type the "+strings.ToLower(m.form.fields[m.form.idx].label)+
				" again, enter retries (shift+tab: the schemes).", true
			return nil
		}
		m.status, m.statusErr = fmt.Sprintf("%s %s; enter answers it.", head, m.chal.hint()), true
		m.setFocus(focusPicker)
	default:
		m.info("Attempt %d: %d %s in %s, with %s.", last.N, last.Status(), safeLine(last.Exchange.Response.StatusText),
			round(last.Exchange.Timing.Total), last.CarriedWords())
		if refreshed != "" {
			m.status += " " + refreshed + "."
		}
		if last.Status() == 403 && len(last.Carried) > 0 {
			// 403 has no challenge to answer: other credentials go in after
			// forgetting these, as a new challenge asks for them.
			m.status += " Another user? " + m.keys.Forget.Help().Key + " forgets these credentials; enter then brings the challenge back."
		}
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
	switch {
	case ok && o.Action != nil:
		return "\"" + o.Action.Label + "\" is preselected"
	case !ok || o.Mode == "":
		return "keyhole cannot answer any scheme offered"
	}
	return title(o.Mode) + " is preselected"
}

// pick opens the credentials form for the option under the cursor, keeping
// what was typed when it is the same kind as before for the same side. A
// form typed for the proxy starts over for the server (the user name kept):
// the proxy's password is not the server's to receive unless retyped.
func (m *Model) pick() {
	o, ok := m.chal.picked()
	if !ok {
		return
	}
	if o.Mode == "" {
		m.fail(fmt.Errorf("keyhole cannot answer %s yet; pick another scheme with ↑/↓", safeLine(m.chal.chs[o.Challenge].Scheme)))
		return
	}
	if m.form.kind != o.Mode || !m.form.valid() || (m.form.status == 407) != (m.chal.status == 407) {
		f, _ := newForm(o.Mode, m.styles.isDark)
		if u := m.form.value("user"); u != "" {
			for i := range f.fields {
				if f.fields[i].key == "user" {
					f.fields[i].in.SetValue(u)
				}
			}
		}
		m.form = f
	}
	m.form.status = m.chal.status
	if m.form.choices() != nil { // the OAuth 2.0 client
		m.form.hints, m.form.note = m.oauthHints(o), m.oauthNote(o)
		m.form.applyHints()
	}
	m.setFocus(focusForm)
	last := "enter on the last one sends"
	if s := m.form.sender(); m.form.fields[len(m.form.fields)-1].label != s {
		last = "enter on " + s + " sends (the optional fields after it: tab)"
	}
	m.info("%s: fill in the fields; tab moves to the next one, %s.", m.form.label(), last)
}

// show puts attempt a in the response area; the body follows in a bodyMsg.
func (m *Model) show(a *session.Attempt) {
	m.bodyGen++
	m.resp.n = a.N
	m.resp.top = 0
	m.resp.head = headLines(a, m.styles, m.reveal)
	m.resp.note = ""
	m.resp.setDoc(nil)
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
	gen, width, resp, secrets, echo := m.bodyGen, m.resp.width, a.Exchange.Response, m.secrets, scrubberOf(m.sess)
	return func() tea.Msg { return bodyMsg{gen: gen, doc: docFor(resp, secrets, echo, width)} }
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
	if m.lesson.active && m.lesson.l.Uses(u.Path) {
		return // a step of this lesson goes there (/jwt to compare with /wrong-resource)
	}
	if l, ok := practice.LessonFor(u.Path); ok && (!m.lesson.active || l.ID != m.lesson.l.ID) {
		m.startLesson(l)
	}
}

func (m *Model) practiceReady(msg practiceMsg) tea.Cmd {
	if msg.err != nil {
		m.fail(fmt.Errorf("the practice server did not start (%v); run keyhole URL to use your own server", msg.err))
		return nil
	}
	m.srv = msg.srv
	m.sess.SetClient(m.newClient()) // the practice server is reached directly
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
	m.startLesson(l)
	m.compose.setMethod(l.Method)
	if m.compose.url.Value() == "" {
		m.compose.url.SetValue(msg.srv.URL + l.Path)
		m.compose.url.CursorEnd()
	}
	m.info("Practice server on %s. Lesson: %s. Press enter to send; ctrl+l lists the lessons.", msg.srv.URL, l.Title)
	if msg.srv.TLSDir != "" {
		// The practice CA is trusted from the start; the client certificate
		// is for the user to set (f9) when the /mtls lesson asks for it.
		ca := filepath.Join(msg.srv.TLSDir, "ca.pem")
		m.status += " TLS: the practice CA is trusted; f9 sets the client certificate for /mtls."
		return func() tea.Msg {
			conf, err := credentials.ClientTLS("", "", ca, false)
			return tlsMsg{conf: conf, paths: [3]string{2: ca}, err: err, quiet: true}
		}
	}
	return nil
}
