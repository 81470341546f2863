package ui

import (
	"slices"
	"strings"

	"keyhole/practice"
	"keyhole/session"
)

// lesson is the practice lesson being worked on.
type lesson struct {
	l      practice.Lesson
	base   string   // the practice server's URL
	seen   []string // finding codes shown during the lesson
	done   bool
	active bool
}

func newLesson(l practice.Lesson, base string) lesson {
	return lesson{l: l, base: base, active: true}
}

// observe marks the lesson done when an attempt on its path reaches the goal.
func (ls *lesson) observe(as []*session.Attempt) {
	if !ls.active {
		return
	}
	for _, a := range as {
		if a.Exchange == nil || a.Exchange.Request == nil || a.Purpose != session.PurposeRequest {
			continue
		}
		if !strings.HasPrefix(a.Exchange.Request.URL, ls.base+ls.l.Path) {
			continue
		}
		for _, f := range a.Findings {
			if !slices.Contains(ls.seen, f.Code) {
				ls.seen = append(ls.seen, f.Code)
			}
		}
		if ls.l.Goal.Reached(a.Status(), ls.seen) {
			ls.done = true
		}
	}
}

func (ls lesson) view(st Styles, h int) []string {
	if !ls.active || h <= 0 {
		return nil
	}
	head := st.Title.Render("Lesson: " + ls.l.Title)
	if ls.done {
		head += " " + st.Done.Render("✓ done")
	}
	out := []string{head,
		st.Label.Render("Credentials ") + ls.l.Credentials,
		st.Label.Render("Teaches ") + ls.l.Teaches,
		st.Label.Render("Try ") + ls.l.Try,
	}
	return out[:min(len(out), h)]
}
