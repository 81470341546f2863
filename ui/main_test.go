package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"keyhole/httpclient"
)

// TestMain points the temporary folder of every test at a private one: the
// TUI spills big bodies there (newClient uses os.TempDir), and no test may
// leave a spill in the machine's /tmp. A spill still there at the end is a
// test that did not clean up, and fails the run.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "keyhole-ui-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv("TMPDIR", dir)
	// Copies load tmux's buffer inside tmux: never the buffer of the tmux the tests run in.
	os.Unsetenv("TMUX")
	code := m.Run()
	if left, _ := filepath.Glob(filepath.Join(dir, "keyhole-body-*")); len(left) > 0 && code == 0 {
		fmt.Fprintf(os.Stderr, "spill files left by the tests: %v\n", left)
		code = 1
	}
	httpclient.RemoveSpills()
	os.RemoveAll(dir)
	os.Exit(code)
}
