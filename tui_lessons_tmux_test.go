package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"keyhole/practice"
)

// waitGone polls the screen until it no longer holds gone.
func (s *tmuxSession) waitGone(gone string) {
	s.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for strings.Contains(s.screen(), gone) {
		if time.Now().After(deadline) {
			s.t.Fatalf("the screen still shows %q:\n%s", gone, s.screen())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// openLesson loads lesson id from the lessons list (ctrl+l, the arrows,
// enter) and closes its page (esc), leaving the focus on the URL.
func (s *tmuxSession) openLesson(id string) {
	s.t.Helper()
	ls := practice.Lessons()
	i := slices.IndexFunc(ls, func(l practice.Lesson) bool { return l.ID == id })
	s.keys("C-l")
	s.waitFor("enter loads its request")
	for range ls {
		s.keys("Up") // to the first lesson
	}
	for range i {
		s.keys("Down")
	}
	deadline := time.Now().Add(15 * time.Second)
	for row := ""; !strings.Contains(row, ls[i].Title); row = line(s.screen(), "› ") {
		if time.Now().After(deadline) {
			s.t.Fatalf("the cursor never reached %q: %q", ls[i].Title, row)
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.keys("Enter")
	s.waitFor("steps tick themselves")
	s.keys("Escape")
	s.waitGone("steps tick themselves")
}

func line(s, sub string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			return l
		}
	}
	return ""
}

// Three lessons played in the built binary in a real terminal, from the
// keys: the steps count on screen follows each attempt, "✓ done" comes with
// the last step, the lessons list shows them done, and the progress file
// under XDG_STATE_HOME keeps it, with no secret in it (issue 21).
func TestLessonsInARealTerminal(t *testing.T) {
	state := t.TempDir()
	s := startTmuxEnv(t, 120, 40, []string{"XDG_STATE_HOME=" + state})

	// Basic, the lesson keyhole starts with.
	s.waitFor("Press enter to send")
	s.keys("Enter")
	s.waitFor("Lesson: Basic authentication 2/4 steps")
	s.keys("Enter")
	s.waitFor("Password")
	s.keys("alice", "Tab", "nope", "Enter")
	s.waitFor("Attempt 2: 401")
	s.keys("wonderland", "Enter")
	s.waitFor("Attempt 3: 200")
	s.waitFor("Lesson: Basic authentication ✓ done")

	// Bearer: a wrong token, then the right one.
	s.openLesson("bearer")
	s.keys("Enter")
	s.waitFor("Lesson: Bearer tokens 1/4 steps")
	s.keys("Enter")
	s.waitFor("Token")
	s.keys("guess", "Enter")
	s.waitFor("Attempt 5: 401")
	s.keys(practice.Token, "Enter")
	s.waitFor("Attempt 6: 200")
	s.waitFor("Lesson: Bearer tokens ✓ done")

	// 403: alice is refused; the screen says how to switch user.
	s.openLesson("forbidden")
	s.keys("Enter")
	s.waitFor("Attempt 7: 401")
	s.waitFor("not 1/3") // the lesson title wraps before "steps"
	s.keys("Enter")
	s.waitFor("Password")
	s.keys(practice.User, "Tab", practice.Password, "Enter")
	s.waitFor("Attempt 8: 403")
	s.waitFor("not 2/3")
	s.waitFor("ctrl+x forgets these credentials")
	s.keys("C-x")
	s.waitFor("Forgot")
	s.keys("Enter")
	s.waitFor("Attempt 9: 401")
	s.keys("Enter")
	s.waitFor("Password")
	s.keys(practice.Admin, "Tab", practice.AdminPassword, "Enter")
	s.waitFor("Attempt 10: 200")
	s.waitFor("✓ done")

	s.keys("C-l")
	scr := s.waitFor("enter loads its request")
	for _, l := range practice.Lessons() {
		row := line(scr, l.Title)
		done := l.ID == "basic" || l.ID == "bearer" || l.ID == "forbidden"
		steps := fmt.Sprintf(" %d/%d ", len(l.Steps), len(l.Steps))
		if done != strings.Contains(row, "✓ "+l.Title) || done != strings.Contains(row, steps) {
			t.Errorf("lessons list row %q: done and%ssteps should be %v", row, steps, done)
		}
	}
	var p struct {
		Done map[string]bool `json:"done"`
	}
	raw, err := os.ReadFile(filepath.Join(state, "keyhole", "lessons.json"))
	if err != nil {
		t.Fatalf("the progress file: %v", err)
	}
	if err := json.Unmarshal(raw, &p); err != nil || !p.Done["basic"] || !p.Done["bearer"] || !p.Done["forbidden"] || len(p.Done) != 3 {
		t.Fatalf("progress file %s (%v): want basic, bearer and forbidden done", raw, err)
	}
	for _, secret := range []string{practice.Password, practice.Token, practice.AdminPassword, "guess"} {
		if strings.Contains(string(raw), secret) {
			t.Errorf("the progress file holds %q: %s", secret, raw)
		}
	}
	s.keys("Escape")
	s.waitGone("enter loads its request")
	s.keys("C-c")
	s.waitFor("not saved")
	s.keys("C-c")
}
