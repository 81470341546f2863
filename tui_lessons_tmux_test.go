package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"keyhole/internal/oidctest"
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
	s.waitFor("scroll the steps") // the page's keys; its title may be cut at 80 columns
	s.keys("Escape")
	s.waitGone("scroll the steps")
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

// shownURL reads the URL an authorization prompt shows, wrapped over the
// lines between "Open this URL" and "(copied", as a person copying it would.
func shownURL(t *testing.T, scr string) string {
	t.Helper()
	_, after, ok := strings.Cut(scr, "Open this URL")
	body, _, ok2 := strings.Cut(after, "(copied")
	if !ok || !ok2 {
		t.Fatalf("no authorization URL on screen:\n%s", scr)
	}
	var u strings.Builder
	for _, l := range strings.Split(body, "\n")[1:] {
		u.WriteString(strings.Trim(l, "│ "))
	}
	return u.String()
}

// The PAR lesson in the built binary at 80x24, from the keys, with a
// browser that does what the learner's would: the Auth URL typed in sends
// it straight to the authorization endpoint, which redirects back with
// error=invalid_request, explained on the status line; emptied, keyhole
// pushes the request and the URL holds only client_id and request_uri.
func TestPARLessonInARealTerminal(t *testing.T) {
	s := startTmuxEnv(t, 80, 24, []string{"XDG_STATE_HOME=" + t.TempDir(), "DISPLAY=", "WAYLAND_DISPLAY="})
	scr := s.waitFor("ctrl+l lists the lessons")
	base := regexp.MustCompile(`Practice server on (http://127\.0\.0\.1:\d+)`).FindStringSubmatch(scr)
	if base == nil {
		t.Fatalf("no practice server URL on screen:\n%s", scr)
	}
	s.openLesson("par")
	s.keys("Enter")
	s.waitFor("Attempt 1: 401")
	s.keys("Down", "Enter")
	s.waitFor("Token URL")
	s.keys("C-g", "C-g") // from auto, past client credentials
	s.waitFor("OAuth 2.0 · authorization code + PKCE")
	s.keys(base[1]+"/oauth/token", "Tab", practice.ParClientID, "Tab", practice.ParClientSecret, "Tab", "Tab", "Tab", base[1]+"/oauth/authorize", "Enter")
	u := shownURL(t, s.waitFor("(copied"))
	if !strings.Contains(u, "code_challenge=") || strings.Contains(u, "request_uri=") {
		t.Fatalf("without PAR the URL should carry the request itself: %s", u)
	}
	if _, err := oidctest.Browse(context.Background(), u); err != nil { // sent back to keyhole's redirect
		t.Fatal(err)
	}
	s.waitFor("authorization step refused (invalid_request)")
	s.waitFor("(PAR, RFC 9126)")

	// Out of the form and back to its first field, then to the Auth URL,
	// one key at a time, each once the screen has taken the one before.
	inForm := func() bool { // the help bar, the screen's last line, says so
		time.Sleep(200 * time.Millisecond)
		lines := strings.Split(strings.TrimRight(s.screen(), "\n"), "\n")
		return strings.Contains(lines[len(lines)-1], "next field / retry")
	}
	for i := 0; inForm(); i++ {
		if i > 12 {
			t.Fatal("shift+tab never leaves the form")
		}
		s.keys("BTab")
	}
	for i := 0; !inForm(); i++ {
		if i > 12 {
			t.Fatal("tab never comes back to the form")
		}
		s.keys("Tab")
	}
	for range 5 {
		s.keys("Tab")
		time.Sleep(100 * time.Millisecond)
	}
	s.keys("End", "C-u")
	s.waitFor("empty: discover the authorization endpoint")
	s.keys("Enter")
	u = shownURL(t, s.waitFor("(copied"))
	if !strings.Contains(u, "request_uri=urn") || strings.Contains(u, "code_challenge") {
		t.Fatalf("with PAR the URL should carry only client_id and request_uri: %s", u)
	}
	if _, err := oidctest.Browse(context.Background(), u); err != nil { // the consent page's Approve
		t.Fatal(err)
	}
	s.waitFor("Lesson done!") // every step ticked: the pushed request's 201 is one
}
