package ui

import (
	"errors"
	"fmt"
	"slices"

	tea "charm.land/bubbletea/v2"

	"keyhole/session"
)

// markSelected remembers the selected attempt as the base of the next diff.
func (m *Model) markSelected() {
	a := m.tl.selected()
	if a == nil {
		m.fail(errors.New("no attempt to mark yet; send a request first"))
		return
	}
	m.mark = a.N
	m.info("Marked attempt %d; select another attempt and press d to see what changed.", a.N)
}

// diffSelected opens the diff from the marked attempt (else the previous
// attempt of the same purpose) to the selected one.
func (m *Model) diffSelected() tea.Cmd {
	b := m.tl.selected()
	if b == nil {
		m.fail(errors.New("no attempt to diff yet; send a request first"))
		return nil
	}
	var a *session.Attempt
	for _, x := range m.tl.attempts {
		if m.mark != 0 && x.N == m.mark {
			a = x
		}
		if m.mark == 0 && x.N < b.N && x.Purpose == b.Purpose {
			a = x // the latest before b
		}
	}
	if a == nil || a.N == b.N {
		m.fail(fmt.Errorf("nothing to compare attempt %d with; press m on another attempt to mark it, then d here", b.N))
		return nil
	}
	m.openOverlay(diffOverlay(m.styles, a, b))
	m.info("Attempt %d → attempt %d: %s", a.N, b.N, count(len(session.Diff(a, b)), "change"))
	return nil
}

// diffSections is the order the diff shows its changes in.
var diffSections = []struct{ id, title string }{
	{"status", "Status"}, {"request-line", "Request line"}, {"header", "Request headers"},
	{"body", "Request body"}, {"challenge", "Challenges"}, {"finding", "Findings"},
}

// diffOverlay lists a→b's changes by section under the one-line summary.
// Credentials appear only masked with their fingerprint, as Diff writes them.
func diffOverlay(st Styles, a, b *session.Attempt) overlay {
	changes := session.Diff(a, b)
	o := overlay{kind: ovDiff, title: fmt.Sprintf("Diff: attempt %d → attempt %d", a.N, b.N), hint: "↑/↓ scroll, esc closes"}
	o.head = []string{st.Done.Render(safeLine(session.Summary(a, b)))}
	if len(changes) == 0 {
		o.head = append(o.head, "", st.Muted.Render("The two attempts are the same."))
	}
	sections := append([]struct{ id, title string }(nil), diffSections...)
	for _, c := range changes {
		if !slices.ContainsFunc(sections, func(s struct{ id, title string }) bool { return s.id == c.Section }) {
			sections = append(sections, struct{ id, title string }{c.Section, c.Section})
		}
	}
	for _, s := range sections {
		o.head = append(o.head, diffSection(st, s.title, s.id, changes)...)
	}
	return o
}

func diffSection(st Styles, title, id string, changes []session.Change) []string {
	var out []string
	for _, c := range changes {
		if c.Section != id {
			continue
		}
		if out == nil {
			out = []string{"", st.Title.Render(title)}
		}
		out = append(out, "  "+safeLine(c.String()))
	}
	return out
}
