package ui

import (
	"errors"
	"fmt"
	"strings"

	"keyhole/credentials"
	"keyhole/practice"
	"keyhole/session"
)

// lesson is the practice lesson being worked on.
type lesson struct {
	l        practice.Lesson
	base     string          // the practice server's URL
	attempts []practice.Seen // what the lesson's checks need of the attempts made while it was open
	ticked   []bool          // its steps ticked so far, in order
	done     bool
	active   bool
}

func newLesson(l practice.Lesson, base string) lesson {
	return lesson{l: l, base: base, active: true}
}

// observe ticks the steps whose checks the attempts made so far, and the
// error the run ended on, meet (practice.Lesson.Progress); a step once
// ticked stays ticked, and the lesson is done when every step has ticked.
func (ls *lesson) observe(as []*session.Attempt, err error) {
	if !ls.active {
		return
	}
	for _, a := range as {
		if s, ok := seenOf(a); ok {
			ls.attempts = append(ls.attempts, s)
		}
	}
	if ae := (*credentials.AuthorizationError)(nil); errors.As(err, &ae) {
		// The browser met the refusal; keyhole only got the redirect.
		ls.attempts = append(ls.attempts, practice.Seen{Purpose: practice.PurposeAuthorization, Error: ae.Code})
	}
	now := ls.l.Progress(ls.base, ls.attempts)
	if len(ls.ticked) != len(now) {
		ls.ticked = make([]bool, len(now))
	}
	for i, t := range now {
		ls.ticked[i] = ls.ticked[i] || t
	}
	if practice.Done(ls.ticked) {
		ls.done = true
	}
}

// count says how many steps have ticked.
func (ls lesson) count() int {
	n := 0
	for _, t := range ls.ticked {
		if t {
			n++
		}
	}
	return n
}

// progress is how far the lesson is: "2/4 steps" or "✓ done".
func (ls lesson) progress() string {
	if ls.done {
		return "✓ done"
	}
	return fmt.Sprintf("%d/%d steps", ls.count(), len(ls.l.Steps))
}

func (ls lesson) view(st Styles, h int) []string {
	if !ls.active || h <= 0 {
		return nil
	}
	head := st.Title.Render("Lesson: " + ls.l.Title)
	if ls.done {
		head += " " + st.Done.Render(ls.progress())
	} else {
		head += " " + st.Muted.Render(ls.progress())
	}
	out := []string{head,
		st.Label.Render("Credentials ") + ls.l.Credentials,
		st.Label.Render("Teaches ") + ls.l.Teaches,
		st.Label.Render("Try ") + ls.l.Try,
	}
	return out[:min(len(out), h)]
}

// seenOf is what the lesson's checks look at in attempt a.
func seenOf(a *session.Attempt) (practice.Seen, bool) {
	if a.Exchange == nil || a.Exchange.Request == nil {
		return practice.Seen{}, false
	}
	s := practice.Seen{Purpose: a.Purpose, Method: a.Exchange.Request.Method, URL: a.Exchange.Request.URL, Status: a.Status()}
	for _, f := range a.Findings {
		s.Findings = append(s.Findings, f.Code)
	}
	for _, c := range a.Carried {
		name := strings.ToLower(c.Scheme)
		if c.Proxy {
			name = "proxy " + name
		}
		s.Carried = append(s.Carried, name)
	}
	return s, true
}
