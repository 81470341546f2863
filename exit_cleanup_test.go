package main

import (
	"bufio"
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// gone polls until the process pid has ended (or is a zombie nobody reaps).
func gone(pid int) bool {
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		st, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil || bytes.Contains(st, []byte(") Z ")) {
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false
}

// Closing the terminal (SIGHUP) while the TUI shows a body past the kept
// 50 MiB removes the file the rest was spilled to.
func TestTUIRemovesTheSpillWhenTheTerminalCloses(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed: the real-terminal test needs it (apt-get install tmux)")
	}
	body := bytes.Repeat([]byte("0123456789abcdef\n"), (51<<20)/17)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write(body)
	}))
	defer srv.Close()
	tmp := t.TempDir()
	socket := fmt.Sprintf("keyhole-hup-%d", os.Getpid())
	tmux := func(args ...string) string {
		out, err := exec.Command("tmux", append([]string{"-L", socket, "-f", os.DevNull}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	tmux("new-session", "-d", "-x", "120", "-y", "40", "env", "HOME="+t.TempDir(), "TMPDIR="+tmp,
		"KEYHOLE_NO_KEYCHAIN=1", "TERM=xterm-256color", bin, srv.URL)
	defer exec.Command("tmux", "-L", socket, "kill-server").Run()
	var pid int
	fmt.Sscan(tmux("display-message", "-p", "-t", "0", "#{pane_pid}"), &pid)
	spills := func() []string { m, _ := filepath.Glob(filepath.Join(tmp, "keyhole-body-*")); return m }
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(tmux("capture-pane", "-p", "-t", "0"), "scrolls in from") {
		if time.Now().After(deadline) {
			t.Fatalf("the body never showed:\n%s", tmux("capture-pane", "-p", "-t", "0"))
		}
		if strings.Contains(tmux("capture-pane", "-p", "-t", "0"), "enter sends") {
			tmux("send-keys", "-t", "0", "Enter")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(spills()) != 1 {
		t.Fatalf("spill files in TMPDIR: %v, want one", spills())
	}
	exec.Command("tmux", "-L", socket, "kill-server").Run() // the terminal closes: SIGHUP
	if !gone(pid) {
		t.Fatal("keyhole did not exit on SIGHUP")
	}
	if left := spills(); len(left) > 0 {
		t.Errorf("spill files left after the terminal closed: %v", left)
	}
}

// keyhole practice --tls removes its CA folder on SIGHUP too, not only on
// ctrl+c.
func TestPracticeTLSRemovesItsFolderOnHangup(t *testing.T) {
	cmd := exec.Command(bin, "practice", "--tls", "--addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir(), "TMPDIR="+t.TempDir())
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	var dir string
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if d, ok := strings.CutPrefix(sc.Text(), "TLS material in "); ok {
			dir, _, _ = strings.Cut(d, " (")
			break
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "ca.pem")); err != nil {
		t.Fatalf("no CA in %q: %v", dir, err)
	}
	go func() {
		for sc.Scan() {
		}
	}()
	cmd.Process.Signal(syscall.SIGHUP)
	cmd.Wait()
	if _, err := os.Stat(dir); err == nil {
		t.Errorf("%s is still there after SIGHUP", dir)
	}
}
