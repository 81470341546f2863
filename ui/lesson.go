package ui

import (
	"fmt"

	"keyhole/practice"
	"keyhole/session"
)

// lesson is the practice lesson being worked on.
type lesson struct {
	l        practice.Lesson
	base     string             // the practice server's URL
	attempts []*session.Attempt // made while the lesson was open
	ticked   []bool             // its steps ticked so far, in order
	done     bool
	active   bool
}

func newLesson(l practice.Lesson, base string) lesson {
	return lesson{l: l, base: base, active: true}
}

// observe ticks the steps whose checks the attempts made so far meet
// (practice.Lesson.Progress); a step once ticked stays ticked, and the
// lesson is done when every step has ticked.
func (ls *lesson) observe(as []*session.Attempt) {
	if !ls.active {
		return
	}
	ls.attempts = append(ls.attempts, as...)
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

func (ls lesson) view(st Styles, h int) []string {
	if !ls.active || h <= 0 {
		return nil
	}
	head := st.Title.Render("Lesson: " + ls.l.Title)
	if ls.done {
		head += " " + st.Done.Render("✓ done")
	} else {
		head += " " + st.Muted.Render(fmt.Sprintf("%d/%d steps", ls.count(), len(ls.l.Steps)))
	}
	out := []string{head,
		st.Label.Render("Credentials ") + ls.l.Credentials,
		st.Label.Render("Teaches ") + ls.l.Teaches,
		st.Label.Render("Try ") + ls.l.Try,
	}
	return out[:min(len(out), h)]
}
