package practice

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// curl runs the real curl binary, a client nobody here wrote, with no
// configuration file and no proxy from the environment, and returns the
// final status and the response headers it printed (-D -) followed by the body.
func curl(t *testing.T, args ...string) (int, string) {
	t.Helper()
	path, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("curl is not installed; install it (apt-get install curl) to run the interop tests")
	}
	args = append([]string{"-q", "--silent", "--show-error", "--max-time", "20", "-D", "-", "-w", "\n%{http_code}"}, args...)
	cmd := exec.Command(path, args...)
	cmd.Env = withoutProxyEnv(os.Environ())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("curl %q: %v: %s", args, err, stderr.String())
	}
	text := string(out)
	i := strings.LastIndexByte(text, '\n')
	code, err := strconv.Atoi(text[i+1:])
	if err != nil {
		t.Fatalf("curl %q: no status code at the end of %q", args, text)
	}
	return code, text[:i]
}

// hasHeader reports whether curl's -D output holds the header line name: value,
// the name matched case-insensitively as HTTP field names are.
func hasHeader(out, name, value string) bool {
	for _, line := range strings.Split(out, "\r\n") {
		n, v, ok := strings.Cut(line, ":")
		if ok && strings.EqualFold(n, name) && strings.TrimSpace(v) == value {
			return true
		}
	}
	return false
}

func withoutProxyEnv(env []string) []string {
	var out []string
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		switch strings.ToLower(name) {
		case "http_proxy", "https_proxy", "all_proxy", "no_proxy":
			continue
		}
		out = append(out, kv)
	}
	return out
}

func TestCurlBasic(t *testing.T) {
	s := start(t, Options{})
	if code, _ := curl(t, "-u", "alice:wonderland", s.URL+"/basic"); code != 200 {
		t.Errorf("curl -u alice:wonderland /basic: %d, want 200", code)
	}
	code, out := curl(t, s.URL+"/basic")
	if code != 401 || !hasHeader(out, "WWW-Authenticate", `Basic realm="practice", charset="UTF-8"`) {
		t.Errorf("curl /basic: %d\n%s\nwant 401 with the Basic challenge", code, out)
	}
	if code, _ := curl(t, "-u", "alice:nope", s.URL+"/basic"); code != 401 {
		t.Errorf("curl with a wrong password: %d, want 401", code)
	}
}

// TestCurlPicksFromSeveralChallenges: curl finds Digest among three
// challenges, in one field or in three, and with --anyauth picks it over Basic.
func TestCurlPicksFromSeveralChallenges(t *testing.T) {
	s := start(t, Options{})
	for _, path := range []string{"/multi", "/multi/split"} {
		for _, how := range []string{"--digest", "--anyauth", "--basic"} {
			code, out := curl(t, how, "-u", "alice:wonderland", s.URL+path)
			if code != 200 {
				t.Errorf("curl %s %s: %d\n%s\nwant 200", how, path, code, out)
				continue
			}
			want := `"scheme":"Basic"`
			if how != "--basic" {
				want = `"scheme":"Digest"`
			}
			if !strings.Contains(out, want) {
				t.Errorf("curl %s %s answered with the wrong scheme:\n%s\nwant %s", how, path, out, want)
			}
		}
	}
}

// TestCurlDropsCredentialsOnRedirect: curl, like keyhole, does not send
// credentials to another host after a redirect unless told to trust it.
func TestCurlDropsCredentialsOnRedirect(t *testing.T) {
	s := start(t, Options{})
	code, out := curl(t, "-L", "-u", "alice:wonderland", s.URL+"/redirect")
	if code != 401 || !strings.Contains(out, "302 Found") || !hasHeader(out, "WWW-Authenticate", `Basic realm="practice", charset="UTF-8"`) {
		t.Errorf("curl -L -u /redirect: %d\n%s\nwant the 302 then a 401 Basic challenge", code, out)
	}
	if code, out := curl(t, "--location-trusted", "-u", "alice:wonderland", s.URL+"/redirect"); code != 200 {
		t.Errorf("curl --location-trusted /redirect: %d\n%s\nwant 200", code, out)
	}
}

func TestCurlThroughTheForwardProxy(t *testing.T) {
	s := start(t, Options{ProxyAddr: "127.0.0.1:0"})
	code, out := curl(t, "-x", s.Proxy.URL, "-U", "alice:wonderland", s.URL+"/proxy")
	if code != 200 {
		t.Errorf("curl -x proxy -U /proxy: %d\n%s\nwant 200", code, out)
	}
	code, out = curl(t, "-x", s.Proxy.URL, s.URL+"/proxy")
	if code != 407 || !hasHeader(out, "Proxy-Authenticate", `Basic realm="practice-proxy", charset="UTF-8"`) {
		t.Errorf("curl -x proxy without -U: %d\n%s\nwant 407 from the proxy", code, out)
	}
	// --proxy-anyauth makes curl read the 407's challenge and answer it itself.
	if code, out := curl(t, "-x", s.Proxy.URL, "--proxy-anyauth", "-U", "alice:wonderland", "-u", "alice:wonderland", s.URL+"/basic"); code != 200 {
		t.Errorf("curl --proxy-anyauth /basic: %d\n%s\nwant 200", code, out)
	}
	// A tunnel, as curl makes for https, with -p forcing CONNECT for http too.
	if code, out := curl(t, "-p", "-x", s.Proxy.URL, "-U", "alice:wonderland", "-u", "alice:wonderland", s.URL+"/basic"); code != 200 {
		t.Errorf("curl -p (CONNECT) /basic: %d\n%s\nwant 200", code, out)
	}
}

func TestCurlNoChallenge(t *testing.T) {
	s := start(t, Options{})
	code, out := curl(t, s.URL+"/no-challenge")
	if code != 401 || strings.Contains(strings.ToLower(out), "www-authenticate:") {
		t.Errorf("curl /no-challenge: %d\n%s\nwant 401 with no WWW-Authenticate", code, out)
	}
	// curl --anyauth needs a challenge to pick a scheme, so it sends nothing.
	if code, _ := curl(t, "--anyauth", "-u", "alice:wonderland", s.URL+"/no-challenge"); code != 401 {
		t.Errorf("curl --anyauth /no-challenge: %d, want 401 (nothing to choose from)", code)
	}
	if code, _ := curl(t, "-u", "alice:wonderland", s.URL+"/no-challenge"); code != 200 {
		t.Errorf("curl -u (Basic by default) /no-challenge: %d, want 200", code)
	}
}

func TestCurlSessionCookieLogin(t *testing.T) {
	s := start(t, Options{})
	jar := filepath.Join(t.TempDir(), "cookies.txt")
	code, out := curl(t, "-c", jar, "-b", jar, s.URL+"/session")
	if code != 302 || !hasHeader(out, "Location", "/login?next=%2Fsession") {
		t.Fatalf("curl /session without a cookie: %d\n%s\nwant 302 to /login", code, out)
	}
	code, out = curl(t, "-c", jar, "-b", jar, "-d", "user=alice", "-d", "password=wonderland", s.URL+"/login")
	if code != 302 || !strings.Contains(strings.ToLower(out), "\nset-cookie: "+SessionCookie+"=") {
		t.Fatalf("curl -d login: %d\n%s\nwant 302 and Set-Cookie", code, out)
	}
	code, out = curl(t, "-c", jar, "-b", jar, s.URL+"/session")
	if code != 200 || !strings.Contains(out, `"user":"alice"`) {
		t.Fatalf("curl /session with the jar: %d\n%s\nwant 200 for alice", code, out)
	}
	// Logging out clears the cookie in curl's jar too; the next visit goes to the form.
	curl(t, "-c", jar, "-b", jar, s.URL+"/logout")
	if code, _ := curl(t, "-c", jar, "-b", jar, s.URL+"/session"); code != 302 {
		t.Errorf("curl /session after logout: %d, want 302", code)
	}
}

// TestCurlSeesHostileBytesRaw shows the lesson's point: curl passes the
// server's control characters through untouched.
func TestCurlSeesHostileBytesRaw(t *testing.T) {
	s := start(t, Options{})
	_, out := curl(t, s.URL+"/hostile")
	for _, want := range []string{"\x1b[2J", "\x1b]52;c;", "\u009b2J", "\x07", "\r200 OK"} {
		if !strings.Contains(out, want) {
			t.Errorf("curl output lacks %q", want)
		}
	}
}
