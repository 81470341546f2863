package ui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"keyhole/practice"
)

// lessonByKeys loads lesson id from the lessons list (ctrl+l) and closes
// the lesson page it opens.
func lessonByKeys(t *testing.T, m Model, id string) Model {
	t.Helper()
	m = press(t, m, ctrlL)
	var want string
	for _, l := range practice.Lessons() {
		if l.ID == id {
			want = l.Title
		}
	}
	for i := 0; !strings.Contains(m.ov.selected().label, want); i++ {
		if i > len(practice.Lessons()) {
			t.Fatalf("lesson %q is not in the list", id)
		}
		m = press(t, m, down)
	}
	m = press(t, m, enter)
	if m.Overlay() == "lesson" {
		m = press(t, m, esc)
	}
	return m
}

// Issue 16, item 7: credentials entered for a lesson stay with it.
func TestLessonDoesNotCarryCredentials(t *testing.T) {
	m := basicLoop(t, started(t, 120, 40))
	m = lessonByKeys(t, m, "bearer")
	m = press(t, m, enter)
	if a := m.sess.Last(); a.Exchange.Request.Header.Get("Authorization") != "" || a.Status() != 401 {
		t.Fatalf("GET /bearer after the Basic lesson: %d with Authorization %v; want 401 without",
			a.Status(), a.Exchange.Request.Header.Get("Authorization") != "")
	}
}

// Issue 16, item 7: loading a lesson resets the draft to that lesson's
// request, so a form body with a password does not go along.
func TestLessonResetsTheDraft(t *testing.T) {
	m := started(t, 120, 40)
	// The session lesson: POST the login form, password in the body.
	m = lessonByKeys(t, m, "session")
	m = press(t, m, shiftTab, tea.KeyPressMsg{Code: tea.KeyRight}) // GET → POST
	m.compose.url.SetValue(m.srv.URL + "/login")
	m = press(t, m, tab, tab) // the URL, then the headers
	m = press(t, m, keys("Content-Type: application/x-www-form-urlencoded")...)
	m = press(t, m, tab)
	m = press(t, m, keys("user=alice&password="+practice.Password)...)
	m = press(t, m, tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl})
	if a := m.sess.Last(); a.Exchange.Request.Method != "POST" {
		t.Fatalf("login sent as %s", a.Exchange.Request.Method)
	}
	m = lessonByKeys(t, m, "hostile")
	if m.compose.Method() != "GET" || m.compose.body.Value() != "" || m.compose.headers.Value() != "" {
		t.Fatalf("after loading /hostile: %s, headers %q, body %q; want GET with neither",
			m.compose.Method(), m.compose.headers.Value(), m.compose.body.Value())
	}
	m = press(t, m, enter)
	a := m.sess.Last()
	if r := a.Exchange.Request; r.Method != "GET" || len(r.Body) != 0 || strings.HasSuffix(r.URL, "/login") {
		t.Fatalf("GET /hostile sent %s %s with a %d-byte body", r.Method, r.URL, len(r.Body))
	}
}
