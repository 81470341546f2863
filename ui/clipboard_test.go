package ui

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// copyMsgs runs cmd's commands and returns what was sent to the terminal's
// clipboard and the copy's report.
func copyMsgs(t *testing.T, cmd tea.Cmd) (clip string, done copiedMsg) {
	t.Helper()
	var walk func(tea.Cmd)
	walk = func(c tea.Cmd) {
		if c == nil {
			return
		}
		switch msg := c().(type) {
		case tea.BatchMsg:
			for _, c := range msg {
				walk(c)
			}
		case copiedMsg:
			done = msg
		default:
			if fmt.Sprintf("%T", msg) == "tea.setClipboardMsg" {
				clip = fmt.Sprint(msg)
			}
		}
	}
	walk(cmd)
	return clip, done
}

func copyAttempt(t *testing.T, m Model) (Model, string) {
	t.Helper()
	next, cmd := m.Update(tea.KeyPressMsg{Code: 'y', Mod: tea.ModCtrl})
	m = next.(Model)
	clip, done := copyMsgs(t, cmd)
	m.copied(done)
	return m, clip
}

// Outside tmux the curl command goes to the terminal's clipboard and to a
// 0600 file, and the status line says OSC 52 may have been blocked.
func TestCopySaysWhereTheTextWent(t *testing.T) {
	t.Setenv("TMUX", "")
	t.Setenv("TMPDIR", t.TempDir())
	m := basicLoop(t, started(t, 120, 40))
	m, clip := copyAttempt(t, m)
	mustContain(t, m.Status(), "terminal clipboard (OSC 52); your terminal may block OSC 52; it is also in "+os.Getenv("TMPDIR"))
	file := m.Status()[strings.Index(m.Status(), os.Getenv("TMPDIR")):]
	file = strings.TrimSuffix(file, ".")
	data, err := os.ReadFile(file)
	if err != nil || strings.TrimSpace(string(data)) != clip {
		t.Fatalf("the kept copy %s: %v %q, want %q", file, err, data, clip)
	}
	if fi, _ := os.Stat(file); fi.Mode().Perm() != 0o600 {
		t.Errorf("the kept copy is mode %v", fi.Mode().Perm())
	}
	// With secrets shown, nothing is written to disk.
	m = press(t, m, tea.KeyPressMsg{Code: tea.KeyF8})
	m, _ = copyAttempt(t, m)
	if strings.Contains(m.Status(), "also in") {
		t.Errorf("a copy holding secrets was kept in a file: %s", m.Status())
	}
}

// Inside tmux the text is also loaded into tmux's paste buffer, which tmux
// itself then holds; a tmux that cannot be reached is said so.
func TestCopyLoadsTheTmuxBuffer(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed (apt-get install tmux)")
	}
	t.Setenv("TMPDIR", t.TempDir())
	sock := fmt.Sprintf("keyhole-ui-copy-%d", os.Getpid())
	tmux := func(args ...string) (string, error) {
		out, err := exec.Command("tmux", append([]string{"-L", sock, "-f", os.DevNull}, args...)...).CombinedOutput()
		return strings.TrimSpace(string(out)), err
	}
	if out, err := tmux("new-session", "-d", "sleep 60"); err != nil {
		t.Fatalf("tmux: %v %s", err, out)
	}
	t.Cleanup(func() { tmux("kill-server") })
	path, err := tmux("display-message", "-p", "#{socket_path}")
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("TMUX", path+",1,0")
	m := basicLoop(t, started(t, 120, 40))
	m, clip := copyAttempt(t, m)
	mustContain(t, m.Status(), "Copied attempt 2 as a curl command", "to the tmux buffer")
	if buf, err := tmux("show-buffer"); err != nil || buf != clip {
		t.Fatalf("tmux buffer %q (%v), want %q", buf, err, clip)
	}
	t.Setenv("TMUX", path+".gone,1,0")
	m, _ = copyAttempt(t, m)
	mustContain(t, m.Status(), "tmux load-buffer failed", "went only to the terminal clipboard")
}
