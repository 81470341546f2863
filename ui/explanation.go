package ui

import (
	"fmt"
	"slices"

	"keyhole/credentials"
	"keyhole/session"
)

// shown is the attempt the response pane shows, nil before the first.
func (m Model) shown() *session.Attempt {
	if m.resp.n == 0 {
		return nil
	}
	for i := len(m.tl.attempts) - 1; i >= 0; i-- {
		if m.tl.attempts[i].N == m.resp.n {
			return m.tl.attempts[i]
		}
	}
	return nil
}

// before lists the attempts keyhole made on its own just before a in the
// same send (token and discovery requests), whose findings explain a too:
// a token endpoint's 400 is why the request went without a token.
func (m Model) before(a *session.Attempt) []*session.Attempt {
	i := len(m.tl.attempts) - 1
	for i >= 0 && m.tl.attempts[i] != a {
		i--
	}
	var out []*session.Attempt
	for j := i - 1; j >= 0 && m.tl.attempts[j].Purpose != session.PurposeRequest && a.Purpose == session.PurposeRequest; j-- {
		out = append([]*session.Attempt{m.tl.attempts[j]}, out...)
	}
	return out
}

// explanation is the explanation pane's content at w columns, wrapped, each
// line with its spot: the shown attempt explained, the picker and the form
// when there is a challenge to answer, then the lesson.
func (m Model) explanation(w int) tagged {
	st := m.styles
	var t tagged
	here := spot{focusExplain, -1}
	if m.chal.active() {
		here = spot{focusPicker, -1}
	}
	a := m.shown()
	k := explKey{a: a, active: m.chal.active(), w: w, dark: st.isDark}
	if c := m.explCache; c != nil && c.key == k {
		t.lines, t.spots = append(t.lines, c.t.lines...), append(t.spots, c.t.spots...)
	} else {
		t = m.explained(a, w, here)
		if c != nil {
			c.key, c.t = k, t
			t = tagged{lines: slices.Clone(t.lines), spots: slices.Clone(t.spots)}
		}
	}
	if m.chal.active() {
		t.add(nowhere, "")
		for i, l := range m.chal.picker(st, m.focus) {
			t.wrapped(w, spot{focusPicker, i - 1}, l) // line 0 is the title
		}
		if lines := m.form.view(st, m.focus == focusForm); len(lines) > 0 {
			t.add(nowhere, "")
			for i, l := range lines {
				t.wrapped(w, spot{focusForm, i - 1}, l)
			}
		}
	}
	if les := m.lesson.view(st, 4); len(les) > 0 {
		t.add(nowhere, "")
		t.wrapped(w, nowhere, les...)
	}
	return t
}

// explKey is what the explanation of an attempt is drawn from: an attempt
// never changes once listed, so its lines are kept between frames.
type explKey struct {
	a      *session.Attempt
	active bool // the picker offers some of the next steps
	w      int
	dark   bool
}

// explCache is the explanation drawn last, shared by the model's copies.
type explCache struct {
	key explKey
	t   tagged
}

// explained is attempt a explained at w columns: its status, what the
// server wants, why it failed, what to do next, and what the attempts
// keyhole made for it (token requests) found.
func (m Model) explained(a *session.Attempt, w int, here spot) tagged {
	st := m.styles
	var t tagged
	if a == nil {
		t.wrapped(w, here, st.Muted.Render("Nothing sent yet. Enter on the URL sends the request; what the server answers is explained here: what it wants, why an attempt failed, what to try next."))
		return t
	}
	t.wrapped(w, here, m.attemptHead(a))
	if a.Auto != "" {
		t.wrapped(w, here, st.Label.Render("Auto ")+safeLine(a.Auto))
	}
	if a.Reason != "" && a.Reason != session.ReasonFirst {
		t.wrapped(w, here, st.Label.Render("Reason ")+safeLine(a.Reason))
	}
	for _, l := range explain(st, a, m.chal) {
		t.wrapped(w, here, l)
	}
	if len(a.Findings) == 0 && (a.Status() >= 400 || a.Status() == 0) {
		t.wrapped(w, here, "", st.Muted.Render("keyhole draws no conclusion about authentication from this answer; the response's body and headers may say more."))
	}
	for _, b := range m.before(a) {
		if len(b.Findings) == 0 {
			continue
		}
		status, why := outcome(b)
		if why != "" {
			status += " " + why
		}
		t.wrapped(w, here, "", st.Title.Render(fmt.Sprintf("Before it: attempt %d", b.N))+" "+
			st.Muted.Render(fmt.Sprintf("[%s] %s %s", b.Label(), safeLine(credentials.RedactURL(requestURL(b))), status)))
		for _, l := range findingLines(st, b.Findings, challenges{})[2:] {
			t.wrapped(w, here, l)
		}
	}
	return t
}

// attemptHead is the explanation's first line: the attempt and its status.
func (m Model) attemptHead(a *session.Attempt) string {
	st := m.styles
	s := st.Title.Render(fmt.Sprintf("Attempt %d", a.N)) + " "
	if a.Exchange != nil && a.Exchange.Response != nil {
		resp := a.Exchange.Response
		s += st.statusStyle(resp.Status).Render(fmt.Sprintf("%d %s", resp.Status, safeLine(m.unlessShown(resp.StatusText))))
	} else {
		// Why there was none is the first finding; a cancelled or unsent
		// attempt, which has none, says it here.
		none := "no response"
		if status, why := outcome(a); status == "—" {
			none += ": " + why
		}
		s += st.Status.None.Render(none)
	}
	return s + " " + st.Muted.Render("· sent "+sentWhat(a, 60)) // wrapped with the line
}

func requestURL(a *session.Attempt) string {
	if a.Exchange == nil || a.Exchange.Request == nil {
		return ""
	}
	return a.Exchange.Request.URL
}

// nextWords is a finding's next step as the TUI takes it: the row of the
// picker c that does what the finding advises, else the key that does.
func nextWords(f session.Finding, c challenges) string {
	if f.Do.Kind == "" {
		return f.Next
	}
	for _, o := range c.opts {
		if o.Action != nil && o.Action.Kind == f.Do.Kind {
			return f.Next + " Enter on “" + o.Action.Label + "” below does it."
		}
	}
	switch {
	case f.Do.Kind == "trust-redirect":
		return f.Next + " " + DefaultKeyMap().Trust.Help().Key + " trusts redirects; then send again."
	case f.Do.Kind == "proxy-credentials" && c.active():
		return f.Next + " Pick " + f.Do.Scheme + " in the picker below."
	}
	return f.Next
}

// explainRows is the explanation pane's height for its content.
func (m Model) explainRows() int { return m.geometry().explain.innerH() }

// keepInSight scrolls the explanation pane when the focus, the picker's
// cursor or the form's field moves: the picker or the form comes into
// sight whole when it fits, else the row the cursor is on. Between moves
// the pane may be scrolled away; it is kept within its content.
func (m *Model) keepInSight(t tagged, h int) {
	at := int(m.focus)<<20 | m.chal.cursor<<10 | m.form.idx
	if at != m.sight {
		fresh := m.sight == -1 // a new attempt: read from the top as far as the cursor allows
		m.sight = at
		first, last, cur := -1, -1, -1
		for i, s := range t.spots {
			if s.f != m.focus || (m.focus != focusPicker && m.focus != focusForm) {
				continue
			}
			if s.item >= 0 || first >= 0 { // explanation lines are the picker's spot too, item -1
				if first < 0 {
					first = max(i-1, 0) // the title above the first row
				}
				last = i
			}
			if (m.focus == focusPicker && s.item == m.chal.cursor) || (m.focus == focusForm && s.item == m.form.idx) {
				if cur < 0 {
					cur = i
				}
			}
		}
		if fresh || last-first+1 > h {
			first, last = cur, cur
		}
		if last >= m.explTop+h {
			m.explTop = last - h + 1
		}
		if first >= 0 && first < m.explTop {
			m.explTop = first
		}
	}
	m.explTop = max(min(m.explTop, len(t.lines)-h), 0)
}
