package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// tmuxSession runs the built keyhole in a private tmux server, as a person
// would in a terminal, and reads the screen with capture-pane.
type tmuxSession struct {
	t      *testing.T
	socket string
}

func startTmux(t *testing.T, w, h int, args ...string) *tmuxSession {
	t.Helper()
	return startTmuxEnv(t, w, h, nil, args...)
}

// startTmuxEnv is startTmux with more environment (NAME=value).
func startTmuxEnv(t *testing.T, w, h int, env []string, args ...string) *tmuxSession {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed: the real-terminal test needs it (apt-get install tmux)")
	}
	s := &tmuxSession{t: t, socket: fmt.Sprintf("keyhole-test-%d-%s", os.Getpid(), strings.ReplaceAll(t.Name(), "/", "-"))} // a subtest's name has a slash
	cmd := append([]string{bin}, args...)
	// tmux runs several arguments as the command itself, without a shell:
	// each of keyhole's arguments stays one argument.
	s.run(append([]string{"new-session", "-d", "-x", fmt.Sprint(w), "-y", fmt.Sprint(h),
		"env", "HOME=" + t.TempDir(), "XDG_CONFIG_HOME=" + t.TempDir(), "KEYHOLE_NO_KEYCHAIN=1", "TERM=xterm-256color"},
		append(env, cmd...)...)...)
	t.Cleanup(func() { exec.Command("tmux", "-L", s.socket, "kill-server").Run() })
	return s
}

func (s *tmuxSession) run(args ...string) string {
	s.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", s.socket, "-f", os.DevNull}, args...)...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (s *tmuxSession) keys(keys ...string) {
	s.run(append([]string{"send-keys", "-t", "0"}, keys...)...)
}

func (s *tmuxSession) screen() string { return s.run("capture-pane", "-p", "-t", "0") }

// waitFor polls the screen until it holds want.
func (s *tmuxSession) waitFor(want string) string {
	s.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		scr := s.screen()
		if strings.Contains(scr, want) {
			return scr
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("the screen never showed %q:\n%s", want, scr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// The acceptance path of the walking skeleton, in a real terminal at
// 120x40: the practice request is ready; enter sends it; Basic is
// preselected; enter, alice, tab, a wrong password, enter: a second 401 and
// the loop goes on, the cursor back in the password field; then the right
// password: 200 and three attempts.
func TestTUIInARealTerminal(t *testing.T) {
	s := startTmux(t, 120, 40)
	s.waitFor("/basic")
	s.waitFor("Press enter to send")
	s.keys("Enter")
	s.waitFor("Basic is preselected")
	s.keys("Enter")
	s.waitFor("Password")
	s.keys("alice", "Tab", "opensesame", "Enter")
	scr := s.waitFor("Attempt 2: 401")
	if strings.Contains(scr, "opensesame") {
		t.Fatalf("the typed password is on screen:\n%s", scr)
	}
	// The cursor waits in the emptied Password field; the user name is kept.
	s.keys("wonderland", "Enter")
	scr = s.waitFor("Attempt 3: 200 OK")
	for _, want := range []string{"Timeline · 3 attempts", "✓ done", `"user": "alice"`} {
		if !strings.Contains(scr, want) {
			t.Errorf("screen lacks %q:\n%s", want, scr)
		}
	}
	if strings.Contains(scr, "wonderland\"") || strings.Contains(scr, "YWxpY2U6d29uZGVybGFuZA") {
		t.Errorf("the password or the Basic credentials are on screen unmasked:\n%s", scr)
	}
	for i, l := range strings.Split(strings.TrimRight(scr, "\n"), "\n") {
		if n := len([]rune(l)); n > 120 {
			t.Errorf("line %d is %d columns wide, more than the terminal's 120: %q", i+1, n, l)
		}
	}
	s.keys("C-c")
}

// At 80x24 the loop still fits and works, and a resize to 200x50 keeps it whole.
func TestTUIResizes(t *testing.T) {
	s := startTmux(t, 80, 24)
	s.waitFor("/basic")
	s.waitFor("Practice server on")
	s.keys("Enter")
	s.waitFor("Basic is preselected")
	s.run("resize-window", "-t", "0", "-x", "200", "-y", "50")
	deadline := time.Now().Add(15 * time.Second)
	for {
		scr := s.waitFor("What the server wants")
		lines := strings.Split(strings.TrimRight(scr, "\n"), "\n")
		widest := 0
		for _, l := range lines {
			widest = max(widest, len([]rune(strings.TrimRight(l, " "))))
		}
		if len(lines) <= 50 && widest > 150 && widest <= 200 {
			break // the layout grew into the new size and stayed inside it
		}
		if time.Now().After(deadline) {
			t.Fatalf("after resizing to 200x50: %d lines, widest %d columns:\n%s", len(lines), widest, scr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.keys("C-c")
}

// q is a letter like any other where text is typed or a scheme is picked:
// it never ends the session from the picker (which has focus after every
// 401) or a form. Quitting with attempts not saved asks once; a second
// ctrl+c quits.
func TestQNeverQuitsFromThePickerOrAForm(t *testing.T) {
	s := startTmux(t, 120, 40)
	s.waitFor("Press enter to send")
	s.keys("Enter")
	s.waitFor("Basic is preselected")
	s.keys("q")
	s.waitFor(`No answer starts with "q"`)
	s.keys("Enter")
	s.waitFor("Password")
	s.keys("q")
	scr := s.waitFor("User       q")
	if !strings.Contains(scr, "Answer with") {
		t.Fatalf("the picker is gone after q in the form:\n%s", scr)
	}
	s.keys("C-c")
	s.waitFor("1 attempt not saved")
	s.keys("C-c")
	deadline := time.Now().Add(10 * time.Second)
	for exec.Command("tmux", "-L", s.socket, "has-session").Run() == nil {
		if time.Now().After(deadline) {
			t.Fatalf("a second ctrl+c did not quit:\n%s", s.screen())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// At 80x24 the explanation of a 401 is a tab of its own, and every line of
// it, down to the lesson's last, is reached with pgdn in a real terminal.
func TestExplanationScrollsAt80x24(t *testing.T) {
	s := startTmux(t, 80, 24)
	s.waitFor("Practice server on")
	s.keys("Enter")
	scr := s.waitFor("Basic is preselected")
	for _, want := range []string{"Explanation │ Response │ Timeline", "What the server wants", "The server wants credentials"} {
		if !strings.Contains(scr, want) {
			t.Fatalf("screen lacks %q:\n%s", want, scr)
		}
	}
	if strings.Contains(scr, "with a wrong password.") {
		t.Fatalf("the whole explanation fits: the test needs one to scroll:\n%s", scr)
	}
	s.keys("PgDn")
	s.waitFor("with a wrong password.") // the lesson's last words, the explanation's last line
	s.keys("C-c", "C-c")
}
