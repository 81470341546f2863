// Package peers starts the independent servers keyhole's Windows and proxy
// tests talk to: Squid (NTLM and Digest, as a forward proxy and as an
// accelerator), an MIT Kerberos KDC with a throw-away realm, and Apache with
// mod_auth_gssapi. Each runs from a temporary directory on a free loopback
// port and is stopped when the test ends. A test skips, saying which Debian
// package to install, when a server is not installed; .ci/setup.d installs
// them all.
package peers

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// need returns the path of program, or skips t naming the Debian package.
func need(t testing.TB, program, pkg string) string {
	t.Helper()
	if p, err := exec.LookPath(program); err == nil {
		return p
	}
	for _, dir := range []string{"/usr/sbin", "/sbin", "/usr/lib/squid"} {
		p := dir + "/" + program
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Skipf("%s is not installed (Debian package %s; .ci/setup.d/20-windows.sh installs it)", program, pkg)
	return ""
}

// FreePort returns a loopback port nothing listens on right now.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// publicDir makes a temporary directory that the unprivileged users servers
// drop to (Squid's proxy, Apache's nobody) can read, removed at the end of
// the test. t.TempDir's parent is private to root.
func publicDir(t testing.TB, prefix string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func write(t testing.TB, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// process is a server the test started.
type process struct {
	cmd    *exec.Cmd
	out    *LockedBuffer
	once   sync.Once
	exited chan struct{}
}

// LockedBuffer is a bytes.Buffer that a process writes while a test reads it.
type LockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *LockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *LockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// start runs cmd and waits until addr accepts connections.
func start(t testing.TB, cmd *exec.Cmd, addr string) *process {
	t.Helper()
	p := &process{cmd: cmd, out: &LockedBuffer{}}
	cmd.Stdout, cmd.Stderr = p.out, p.out
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", cmd.Path, err)
	}
	exited := make(chan struct{})
	p.exited = exited
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() { p.stop(exited) })
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return p
		}
		select {
		case <-exited:
			t.Fatalf("%s exited before listening on %s:\n%s", cmd.Path, addr, p.out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not listen on %s within 20s:\n%s", cmd.Path, addr, p.out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop ends the process: politely, then for good.
func (p *process) stop(exited chan struct{}) {
	p.once.Do(func() {
		p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			p.cmd.Process.Kill()
			<-exited
		}
	})
}

// run runs a setup command, failing the test with its output.
func run(t testing.TB, env []string, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
