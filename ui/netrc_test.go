package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// The palette's netrc action fills the Basic form from $NETRC for the
// request's host, masked, and enter sends it.
func TestNetrcFillsTheBasicForm(t *testing.T) {
	path := filepath.Join(t.TempDir(), "netrc")
	if err := os.WriteFile(path, []byte("machine 127.0.0.1 login alice password wonderland\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("NETRC", path)
	m := started(t, 120, 40)
	m = press(t, m, enter) // 401 Basic
	var cmd tea.Cmd
	for _, a := range m.actions() {
		if strings.Contains(a.name, "netrc") {
			cmd = a.run(&m)
		}
	}
	if cmd == nil {
		t.Fatal("no netrc action in the palette")
	}
	m = settle(t, m, cmd)
	if m.form.kind != "basic" || m.form.value("user") != "alice" || m.Focused() != "form" {
		t.Fatalf("form %q user %q focus %s (status %q)", m.form.kind, m.form.value("user"), m.Focused(), m.Status())
	}
	if strings.Contains(screen(m), "wonderland\n") {
		t.Fatal("the netrc password is on screen")
	}
	m = press(t, m, enter)
	if last := m.sess.Last(); last.Status() != 200 {
		t.Fatalf("after netrc: %d (status %q)", last.Status(), m.Status())
	}
}
