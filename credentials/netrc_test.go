package credentials

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeNetrc(t *testing.T, content string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "netrc")
	if err := os.WriteFile(p, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil { // umask may have narrowed it
		t.Fatal(err)
	}
	return p
}

func TestNetrcLookup(t *testing.T) {
	const file = `# keyhole test netrc
machine api.example.com login alice password wonderland
machine other.example.com
  login bob
  account ignored
  password "with space \"and\" quote"

macdef init
machine evil.example.com login mallory password inside-a-macro
cd /pub

machine CASE.example.com login carol password c4r0l
default login anonymous password guest@
machine after-default.example.com login dave password d
`
	p := writeNetrc(t, file, 0o600)
	tests := []struct {
		host           string
		user, password string
		ok             bool
	}{
		{"api.example.com", "alice", "wonderland", true},
		{"api.example.com:8443", "alice", "wonderland", true},
		{"other.example.com", "bob", `with space "and" quote`, true},
		{"case.EXAMPLE.com", "carol", "c4r0l", true},
		{"evil.example.com", "anonymous", "guest@", true}, // the macro body is not an entry
		{"unknown.example.com", "anonymous", "guest@", true},
		{"after-default.example.com", "dave", "d", true},
	}
	for _, tt := range tests {
		b, ok, err := NetrcLookup(p, tt.host)
		if err != nil || ok != tt.ok || b.User != tt.user || b.Password != tt.password {
			t.Errorf("NetrcLookup(%s) = %+v %v %v, want %s/%s %v", tt.host, b, ok, err, tt.user, tt.password, tt.ok)
		}
	}

	p = writeNetrc(t, "machine a login x password y\n", 0o600)
	if b, ok, err := NetrcLookup(p, "b"); ok || err != nil || b != (Basic{}) {
		t.Errorf("no default: got %+v %v %v", b, ok, err)
	}
	if _, ok, err := NetrcLookup(filepath.Join(t.TempDir(), "absent"), "a"); ok || err != nil {
		t.Errorf("absent file: %v %v, want no entry and no error", ok, err)
	}
}

func TestNetrcErrors(t *testing.T) {
	for content, want := range map[string]string{
		"machine a login x password \"unterminated": "never closed",
		"machine a login":    `"login" needs a value`,
		"login x password y": "before any machine",
		"machine a user x":   `unknown keyword "user"`,
		"machine a login x\npassword \"two\nlines\"\n": "line 2: a quoted value runs past the end of the line",
	} {
		_, _, err := NetrcLookup(writeNetrc(t, content, 0o600), "a")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err = %v, want %q", content, err, want)
		}
	}
}

func TestNetrcWarning(t *testing.T) {
	if w := NetrcWarning(writeNetrc(t, "default login a password b\n", 0o600)); w != "" {
		t.Errorf("private file warned: %s", w)
	}
	p := writeNetrc(t, "default login a password b\n", 0o644)
	if w := NetrcWarning(p); !strings.Contains(w, "mode 0644") || !strings.Contains(w, "chmod 600 "+p) {
		t.Errorf("world-readable file: warning %q", w)
	}
	if w := NetrcWarning(filepath.Join(t.TempDir(), "absent")); w != "" {
		t.Errorf("absent file warned: %s", w)
	}
}

func TestNetrcPath(t *testing.T) {
	t.Setenv("NETRC", "/somewhere/netrc")
	if got := NetrcPath(); got != "/somewhere/netrc" {
		t.Errorf("with $NETRC: %s", got)
	}
	t.Setenv("NETRC", "")
	t.Setenv("HOME", "/home/alice")
	if got := NetrcPath(); got != "/home/alice/.netrc" {
		t.Errorf("without $NETRC: %s", got)
	}
}

func FuzzNetrc(f *testing.F) {
	f.Add("machine a login x password y\nmacdef m\nbody\n\ndefault login d password \"q\\\"\"\n")
	f.Fuzz(func(t *testing.T, s string) {
		entries, err := parseNetrc(s)
		if err == nil {
			for _, e := range entries {
				if e.isDefault && e.machine != "" {
					t.Fatalf("default entry with a machine: %+v", e)
				}
			}
		}
	})
}
