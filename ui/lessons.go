package ui

import (
	"errors"
	"fmt"

	tea "charm.land/bubbletea/v2"

	"keyhole/httpclient"
	"keyhole/practice"
	"keyhole/session"
)

// openLessons lists the practice lessons, done ones ticked, the current one
// under the cursor.
func (m *Model) openLessons() {
	if m.srv == nil {
		m.fail(errors.New("lessons need the practice server; run keyhole with no arguments to start it"))
		return
	}
	o := overlay{kind: ovLessons, title: "Lessons", hint: "↑/↓ choose, enter loads its request, esc closes"}
	ls := practice.Lessons()
	w := 0
	for _, l := range ls {
		w = max(w, len([]rune(l.Title)))
	}
	for i, l := range ls {
		mark := "  "
		if m.lessonsDone[l.ID] {
			mark = "✓ "
		}
		ticks := 0
		for _, t := range m.steps[l.ID] {
			if t {
				ticks++
			}
		}
		if m.lesson.active && l.ID == m.lesson.l.ID {
			o.cursor = i
		}
		o.rows = append(o.rows, row{
			label: fmt.Sprintf("%s%-*s  %d/%d  %s %s", mark, w, l.Title, ticks, len(l.Steps), l.Method, l.Path),
			act:   func(m *Model) tea.Cmd { m.loadLesson(l); return nil },
		})
	}
	m.openOverlay(o)
}

// loadLesson puts lesson l's request in the compose area and shows the lesson
// in full. The draft starts over as the lesson's own: the previous lesson's
// headers, body (a login form's password) and credentials stay behind.
func (m *Model) loadLesson(l practice.Lesson) {
	m.startLesson(l)
	m.loadRequest(httpclient.Request{Method: l.Method, URL: m.srv.URL + l.Path})
	m.dropServerOffers()
	m.form = form{}
	m.chal = challenges{}
	m.setFocus(focusURL)
	m.openLesson()
	m.info("Lesson: %s. esc closes the lesson, enter on the URL sends %s %s.", l.Title, l.Method, l.Path)
}

// startLesson makes l the lesson being worked on, with the progress kept
// from earlier runs.
func (m *Model) startLesson(l practice.Lesson) {
	m.lesson = newLesson(l, m.srv.URL)
	m.lesson.done = m.lessonsDone[l.ID]
	m.lesson.ticked = append([]bool(nil), m.steps[l.ID]...)
}

// lessonObserved files the attempts just made against the lesson's steps
// and keeps the progress across runs.
func (m *Model) lessonObserved(as []*session.Attempt, err error) {
	if !m.lesson.active {
		return
	}
	m.lesson.observe(as, err)
	id := m.lesson.l.ID
	m.steps[id] = append([]bool(nil), m.lesson.ticked...)
	if m.lesson.done {
		m.lessonsDone[id] = true
	}
	if m.progressPath == "" {
		return
	}
	if err := (progress{Done: m.lessonsDone, Steps: m.steps}).save(m.progressPath); err != nil {
		m.info("The lessons' progress could not be kept: %s", safeLine(err.Error()))
	}
}

// openLesson shows the current lesson in full, its steps as a checklist
// that ticks itself as the attempts meet each step's check.
func (m *Model) openLesson() {
	if !m.lesson.active {
		m.fail(errors.New("no lesson is open; ctrl+l lists the lessons of the practice server"))
		return
	}
	l, st := m.lesson.l, m.styles
	title := "Lesson: " + l.Title
	if m.lesson.done {
		title += " ✓ done"
	}
	// A page of text, scrolled with ↑/↓: each step is read whole, wrapped
	// under its box, where a row cut at the edge lost the end of the long
	// ones, and at 80x24 the steps below the lesson's text are reached.
	o := overlay{kind: ovLesson, title: title, hint: "steps tick themselves as you do them; ↑/↓ scroll, esc closes"}
	if m.ov.kind == ovLesson {
		o.top = m.ov.top
	}
	o.head = []string{
		st.Label.Render("Request     ") + l.Method + " " + m.lesson.base + l.Path,
		st.Label.Render("Teaches     ") + l.Teaches,
		st.Label.Render("Credentials ") + l.Credentials,
		st.Label.Render("Try         ") + l.Try,
		st.Label.Render("Checks      ") + l.Checks,
		"",
		st.Title.Render("Steps"),
	}
	ticks := m.lesson.ticked
	for i, s := range l.Steps {
		box := "[ ] "
		if i < len(ticks) && ticks[i] {
			box = "[x] "
		}
		o.head = append(o.head, st.Label.Render("  "+box)+s) // the box as a label: the step wraps under its text
	}
	m.openOverlay(o)
}
