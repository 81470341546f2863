package ui

import (
	"fmt"

	"github.com/charmbracelet/x/ansi"

	"keyhole/credentials"
	"keyhole/session"
)

// timeline lists every attempt, one row each; the selected row is the one the
// response area shows.
type timeline struct {
	attempts []*session.Attempt
	cursor   int
	follow   bool // keep the newest attempt selected
}

func newTimeline() timeline { return timeline{follow: true} }

func (t *timeline) set(as []*session.Attempt) {
	t.attempts = as
	if t.follow || t.cursor >= len(as) {
		t.cursor = len(as) - 1
	}
}

func (t *timeline) move(d int) {
	if len(t.attempts) == 0 {
		return
	}
	t.cursor = min(max(t.cursor+d, 0), len(t.attempts)-1)
	t.follow = t.cursor == len(t.attempts)-1
}

func (t timeline) selected() *session.Attempt {
	if t.cursor < 0 || t.cursor >= len(t.attempts) {
		return nil
	}
	return t.attempts[t.cursor]
}

// outcome says how an attempt ended in a few characters.
func outcome(a *session.Attempt) string {
	if s := a.Status(); s != 0 {
		return fmt.Sprint(s)
	}
	if a.Exchange != nil && a.Exchange.Err != nil {
		return safeLine(a.Exchange.Err.Error())
	}
	return "—"
}

func (t timeline) row(st Styles, a *session.Attempt) string {
	scheme := a.Scheme
	if scheme == "" {
		scheme = "none"
	}
	mark := " "
	if a.Auto != "" {
		mark = "↻" // sent by keyhole on its own
	}
	method, url := "?", ""
	if a.Exchange != nil && a.Exchange.Request != nil {
		method, url = a.Exchange.Request.Method, credentials.RedactURL(a.Exchange.Request.URL)
	}
	purpose := ""
	if a.Purpose != "" && a.Purpose != session.PurposeRequest {
		purpose = "[" + a.Purpose + "] "
	}
	status := st.statusStyle(a.Status()).Render(outcome(a))
	return fmt.Sprintf("%s%-3d %s %s %-7s %s %s%s %s", mark, a.N, a.Started.Format("15:04:05"), status,
		method, padRight(scheme, 6), purpose, safeLine(url), st.Muted.Render(safeLine(a.Auto)))
}

// view renders up to h rows, keeping the cursor in sight.
func (t timeline) view(st Styles, on bool, h int) []string {
	title := st.Title
	if on {
		title = st.TitleFocus
	}
	out := []string{title.Render("Timeline") + " " + st.Muted.Render(fmt.Sprintf("%d attempt(s)", len(t.attempts)))}
	rows := h - 1
	if rows <= 0 {
		return out[:min(len(out), max(h, 0))]
	}
	start := max(0, t.cursor-rows+1)
	for i := start; i < len(t.attempts) && i < start+rows; i++ {
		r := t.row(st, t.attempts[i])
		if i == t.cursor {
			r = st.Selected.Render(ansi.Strip(r))
		}
		out = append(out, r)
	}
	return out
}
