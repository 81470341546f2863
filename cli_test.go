package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/golang-jwt/jwt/v5"

	"keyhole/credentials"
	"keyhole/practice"
)

// bin is keyhole built once for every test of this package: the commands are
// tested as a user runs them, through a real process with real pipes.
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "keyhole-cli-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin = filepath.Join(dir, "keyhole")
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	if out, err := exec.Command(goTool, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "cannot build keyhole: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	stdout, stderr string
	code           int
}

// all is everything the command printed, for checks that cover both streams.
func (r result) all() string { return r.stdout + r.stderr }

type runOpts struct {
	stdin string
	env   []string // extra NAME=VALUE
}

// keyhole runs the built binary with a private home and configuration folder
// and no proxy settings, so nothing of the machine leaks in.
func keyhole(t *testing.T, o runOpts, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	home := t.TempDir()
	env := []string{"HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, ".config"), "PATH=" + os.Getenv("PATH"), "TERM=xterm-256color",
		credentials.NoKeychainEnv + "=1"} // never the machine's real keychain
	cmd.Env = append(env, o.env...)
	cmd.Stdin = strings.NewReader(o.stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errOut.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("keyhole %q: %v", args, err)
	}
	return r
}

func wantCode(t *testing.T, r result, code int, args ...string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("keyhole %q exited %d, want %d\nstdout:\n%s\nstderr:\n%s", args, r.code, code, r.stdout, r.stderr)
	}
}

func startPractice(t *testing.T) *practice.Server {
	t.Helper()
	srv, err := practice.Start(practice.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

func TestVersionAndHelp(t *testing.T) {
	r := keyhole(t, runOpts{}, "--version")
	wantCode(t, r, exitOK)
	if !strings.HasPrefix(r.stdout, "keyhole ") {
		t.Errorf("--version printed %q", r.stdout)
	}
	for _, args := range [][]string{{"--help"}, {"send", "--help"}, {"explain", "-h"}, {"profile", "--help"}} {
		r := keyhole(t, runOpts{}, args...)
		wantCode(t, r, exitOK, args...)
		if !strings.Contains(r.stdout, "Usage") || (len(args) > 1 && !strings.Contains(r.stdout, "Example")) {
			t.Errorf("keyhole %q help lacks usage or examples:\n%s", args, r.stdout)
		}
	}
	r = keyhole(t, runOpts{}, "send", "--help")
	for _, flag := range []string{"-X, --request", "-u, --user", "--auth", "--max-attempts", "--location-trusted", "--json", "--show-secrets"} {
		if !strings.Contains(r.stdout, flag) {
			t.Errorf("send --help does not list %s", flag)
		}
	}
}

func TestUsageErrorsExit2OnOneLine(t *testing.T) {
	cases := [][]string{
		{"send"},
		{"send", "--bogus", "http://127.0.0.1:1/"},
		{"send", "-Z", "http://127.0.0.1:1/"},
		{"send", "--max-attempts", "0", "http://127.0.0.1:1/"},
		{"send", "--timeout", "soon", "http://127.0.0.1:1/"},
		{"send", "--auth", "kerberos", "http://127.0.0.1:1/"},
		{"send", "--auth", "bearer", "http://127.0.0.1:1/"},
		{"send", "-u", "alice", "http://127.0.0.1:1/"}, // no password, stdin not a terminal
		{"send", "-u", "al:ice", "-H", "no-colon", "http://127.0.0.1:1/"},
		{"send", "ftp://127.0.0.1/x"},
		{"send", "http://127.0.0.1:1/a", "http://127.0.0.1:1/b"},
		{"send", "--token", "env:KEYHOLE_TEST_UNSET", "http://127.0.0.1:1/"},
		{"explain", "--nope"},
		{"profile", "save", "x", "--scheme", "basic", "--password", "literal-secret"},
		{"bogus-command", "extra"},
	}
	for _, args := range cases {
		r := keyhole(t, runOpts{}, args...)
		wantCode(t, r, exitUsage, args...)
		if r.stdout != "" && args[0] != "profile" {
			t.Errorf("keyhole %q printed to stdout on a usage error: %q", args, r.stdout)
		}
		if n := strings.Count(strings.TrimSpace(r.stderr), "\n"); n != 0 || r.stderr == "" {
			t.Errorf("keyhole %q: want one line on stderr, got %q", args, r.stderr)
		}
		if strings.Contains(r.stderr, "goroutine") || strings.Contains(r.stderr, "panic") {
			t.Errorf("keyhole %q crashed: %s", args, r.stderr)
		}
	}
	if r := keyhole(t, runOpts{}, "send", "-u", "alice", "http://127.0.0.1:1/"); !strings.Contains(r.stderr, "-u alice:PASSWORD") {
		t.Errorf("missing password error does not say what to do: %q", r.stderr)
	}
	if r := keyhole(t, runOpts{}, "profile", "save", "x", "--scheme", "basic", "--password", "literal-secret"); strings.Contains(r.all(), "literal-secret") {
		t.Errorf("a refused secret was echoed: %q", r.all())
	}
}

func TestJWTDispatch(t *testing.T) {
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"sub": "dispatch-test", "exp": time.Now().Add(time.Hour).Unix(),
	}).SignedString([]byte("test-key"))
	if err != nil {
		t.Fatal(err)
	}
	r := keyhole(t, runOpts{}, "jwt", tok)
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stdout, "dispatch-test") {
		t.Errorf("keyhole jwt did not decode the token:\n%s", r.all())
	}
}

// FuzzFlagParse feeds the curl-style flag parser arbitrary argument lists: it
// must never panic, and every positional argument it returns must be one of
// the arguments given.
func FuzzFlagParse(f *testing.F) {
	for _, seed := range []string{
		"-XPOST\x00-uuser:pw\x00http://x/",
		"--header=A: b\x00-H\x00C: d\x00-kL=false",
		"-d\x00@-\x00--max-attempts=2\x00--\x00-not-a-flag",
		"-L=\x00-\x00--json=yes\x00-X",
		"--auth\x00digest\x00-uX\x00--timeout\x001s",
		"-x\x00127.0.0.1:8402\x00-Ualice\x00--noproxy=*\x00-kx=http://p",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, joined string) {
		args := strings.Split(joined, "\x00")
		fs := sendFlags(newSendOptions())
		if err := fs.Parse(args); err != nil {
			return
		}
		pos := fs.Args()
		given := map[string]bool{}
		for _, a := range args {
			given[a] = true
		}
		for _, p := range pos {
			if !given[p] {
				t.Fatalf("positional %q is not one of the arguments %q", p, args)
			}
		}
	})
}

func TestTopLevelHelpListsEveryCommand(t *testing.T) {
	r := keyhole(t, runOpts{}, "--help")
	wantCode(t, r, exitOK)
	for _, want := range []string{
		"  send  ", "  explain  ", "  jwt  ", "  practice  ", "  profile  ",
		"keyhole --curl 'curl", "keyhole FILE.http", ".rest", "keyhole api.http", "Examples:", "Exit status",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("keyhole --help lacks %q:\n%s", want, r.stdout)
		}
	}
	// Every command it lists answers --help.
	for _, cmd := range []string{"send", "explain", "jwt", "practice", "profile"} {
		r := keyhole(t, runOpts{}, cmd, "--help")
		wantCode(t, r, exitOK, cmd, "--help")
		if !strings.Contains(r.stdout, "keyhole "+cmd) {
			t.Errorf("keyhole %s --help does not name the command:\n%s", cmd, r.stdout)
		}
	}
}

// The TUI's arguments are checked before it opens: a mistake is one line on
// stderr and exit 2, not a screen with an error on it.
func TestTUIArgumentErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	bad := write("bad.http", "GET http://127.0.0.1:8401/basic\nnot a header\n")
	empty := write("empty.rest", "# nothing here\n")
	cases := []struct {
		args []string
		says string
	}{
		{[]string{bad}, bad + ": line 2: \"not a header\" is not a header"},
		{[]string{empty}, "holds no request; write one as METHOD URL"},
		{[]string{filepath.Join(dir, "missing.http")}, "cannot open the request file"},
		{[]string{"--curl"}, "--curl needs a curl command"},
		{[]string{"--curl", "curl 'unclosed"}, "--curl: curl import"},
		{[]string{"--curl=wget http://127.0.0.1:1/"}, "not curl"},
		{[]string{"--curl", "curl $(id) http://127.0.0.1:1/"}, "$(...)"},
		{[]string{"--curl", "curl http://127.0.0.1:1/", "extra"}, "quote the whole curl command"},
		{[]string{"http://127.0.0.1:1/", "extra"}, "see keyhole --help"},
		{[]string{"--bogus"}, "see keyhole --help"},
	}
	for _, c := range cases {
		r := keyhole(t, runOpts{}, c.args...)
		wantCode(t, r, exitUsage, c.args...)
		if n := strings.Count(strings.TrimSpace(r.stderr), "\n"); n != 0 || !strings.Contains(r.stderr, c.says) || r.stdout != "" {
			t.Errorf("keyhole %q: want one line on stderr saying %q, got stderr %q, stdout %q", c.args, c.says, r.stderr, r.stdout)
		}
	}
}

// tuiShows runs keyhole in a pseudo-terminal (script(1)) until its screen
// shows every string of want, then quits it with ctrl+c.
func tuiShows(t *testing.T, want []string, args ...string) {
	t.Helper()
	script, err := exec.LookPath("script")
	if err != nil {
		t.Skip("script (util-linux) is not installed; it provides the terminal for this test")
	}
	line := "'" + bin + "'"
	for _, a := range args {
		line += " '" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	cmd := exec.Command(script, "-qec", line, "/dev/null")
	cmd.Env = []string{"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH"), "TERM=xterm-256color", "COLUMNS=120", "LINES=40", credentials.NoKeychainEnv + "=1"}
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var screen bytes.Buffer
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := out.Read(buf)
			mu.Lock()
			screen.Write(buf[:n])
			mu.Unlock()
			if err != nil {
				close(done)
				return
			}
		}
	}()
	shown := func() (string, bool) {
		mu.Lock()
		defer mu.Unlock()
		text := ansi.Strip(screen.String())
		for _, w := range want {
			if !strings.Contains(text, w) {
				return text, false
			}
		}
		return text, true
	}
	deadline := time.Now().Add(20 * time.Second)
	text, ok := shown()
	for ; !ok && time.Now().Before(deadline); text, ok = shown() {
		time.Sleep(50 * time.Millisecond)
	}
	io.WriteString(in, "\x03")
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		<-done
	}
	in.Close()
	cmd.Wait()
	if !ok {
		t.Errorf("keyhole %q never showed all of %q; the screen had:\n%s", args, want, text)
	}
}

func TestTUIOpensOnHTTPFileAndCurl(t *testing.T) {
	path := filepath.Join(t.TempDir(), "api.http")
	text := "### fetch-basic-first\nGET http://127.0.0.1:1/basic\n\n### post-digest-second\nPOST http://127.0.0.1:1/digest\n"
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	tuiShows(t, []string{"fetch-basic-first", "post-digest-second"}, path)
	tuiShows(t, []string{"127.0.0.1:1/from-curl"}, "--curl", "curl -u alice:wonderland http://127.0.0.1:1/from-curl")
}

// late holds a value set after the server that reads it has started (its
// own URL, say). Such a server is reached from another process (keyhole,
// oidc-provider), which gives the race detector no order between the set
// and the handler's read, so the value goes through a lock.
type late[T any] struct {
	mu sync.Mutex
	v  T
}

func (l *late[T]) set(v T) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.v = v
}

func (l *late[T]) get() T {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.v
}
