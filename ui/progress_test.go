package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"keyhole/practice"
)

// TestLessonStepsTickAndPersist: the Basic lesson's steps tick themselves
// as the user sends and answers (no key ticks them), the lesson is done when
// the last one ticks, and a new run with the same state file starts with the
// lesson done and its steps ticked; the file holds lesson IDs and booleans,
// never the password, and is private to the user.
func TestLessonStepsTickAndPersist(t *testing.T) {
	state := filepath.Join(t.TempDir(), "keyhole", "lessons.json")
	run := func() Model {
		m := New(Options{Practice: true, ProgressFile: state})
		m = settle(t, m, m.Init())
		if m.srv == nil {
			t.Fatalf("practice server did not start: %s", m.Status())
		}
		t.Cleanup(func() { m.srv.Close() })
		return sized(t, m, 120, 40)
	}
	m := run()
	if m.lesson.l.ID != "basic" || m.lesson.count() != 0 {
		t.Fatalf("lesson %q with %d steps ticked, want basic with none", m.lesson.l.ID, m.lesson.count())
	}
	m = press(t, m, enter) // 401
	if got := m.lesson.ticked; len(got) != 4 || !got[0] || !got[1] || got[2] || got[3] {
		t.Fatalf("after the 401 the steps are %v, want the first two ticked", got)
	}
	m = press(t, m, enter)
	m = press(t, m, keys("alice")...)
	m = press(t, m, tab)
	m = press(t, m, keys("not-"+practice.Password)...)
	m = press(t, m, enter) // 401: Basic carried, refused
	if got := m.lesson.ticked; !got[2] || got[3] || m.lesson.done {
		t.Fatalf("after a refused password the steps are %v (done %v), want three ticked", got, m.lesson.done)
	}
	m = press(t, m, keys(practice.Password)...)
	m = press(t, m, enter) // 200
	if !m.lesson.done || m.lesson.count() != 4 {
		t.Fatalf("after the 200: done %v, %d steps ticked (status %q)", m.lesson.done, m.lesson.count(), m.Status())
	}
	m = press(t, m, ctrlL)
	mustContain(t, screen(m), "✓ Basic authentication", "4/4")

	b, err := os.ReadFile(state)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), practice.Password) || strings.Contains(string(b), "alice") {
		t.Errorf("the state file holds what the user typed: %s", b)
	}
	if fi, _ := os.Stat(state); fi.Mode().Perm() != 0o600 {
		t.Errorf("state file mode %v, want 0600", fi.Mode().Perm())
	}

	again := run()
	if !again.lesson.done || again.lesson.count() != 4 {
		t.Errorf("a new run starts with done %v and %d steps ticked; want the progress kept", again.lesson.done, again.lesson.count())
	}
}
