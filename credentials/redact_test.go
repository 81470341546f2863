package credentials

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var fpShape = regexp.MustCompile(`^fp:[0-9a-f]{8}$`)

func TestFingerprintIsKeyed(t *testing.T) {
	a, b := Fingerprint("hunter2"), Fingerprint("hunter2")
	if a != b {
		t.Fatalf("the same secret has two fingerprints in one run: %s, %s", a, b)
	}
	if !fpShape.MatchString(a) {
		t.Fatalf("fingerprint %q is not fp: and 8 hex digits", a)
	}
	if Fingerprint("hunter3") == a {
		t.Fatal("two secrets share a fingerprint")
	}
	// The unkeyed hash would let anyone holding a saved file test guesses.
	sum := sha256.Sum256([]byte("hunter2"))
	if strings.Contains(a, hex.EncodeToString(sum[:4])) {
		t.Fatalf("fingerprint %s is the plain SHA-256 of the secret", a)
	}
}

func basicValue(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

func TestMaskHeader(t *testing.T) {
	fp := Fingerprint("hunter2")
	for _, tc := range []struct{ name, value, want string }{
		{"Authorization", basicValue("alice", "hunter2"), "Basic alice:••• (" + fp + ")"},
		{"Proxy-Authorization", basicValue("bob", "hunter2"), "Basic bob:••• (" + fp + ")"},
		{"Authorization", basicValue("alice", ""), "Basic alice:••• (empty)"},
		{"Authorization", basicValue("a\x1b[2Jb", "hunter2"), `Basic a\x1b[2Jb:••• (` + fp + ")"},
		{"Authorization", "Basic not-base64!", "Basic ••• (" + Fingerprint("not-base64!") + ")"},
		{"Authorization", "Basic " + base64.StdEncoding.EncodeToString([]byte("nocolon")), "Basic ••• (" + Fingerprint(base64.StdEncoding.EncodeToString([]byte("nocolon"))) + ")"},
		{"Authorization", "Bearer hunter2", "Bearer ••• (" + fp + ")"},
		{"X-Api-Key", "hunter2", "••• (" + fp + ")"},
		{"Accept", "text/html", "text/html"},
		// A value loaded from a saved session keeps its fingerprint.
		{"Authorization", "Basic alice:••• (fp:0011aabb)", "Basic alice:••• (fp:0011aabb)"},
		{"Authorization", "Bearer ••• (sha256:0011aabb)", "Bearer ••• (sha256:0011aabb)"},
		{"X-Api-Key", "••• (fp:0011aabb)", "••• (fp:0011aabb)"},
	} {
		if got := MaskHeader(tc.name, tc.value); got != tc.want {
			t.Errorf("MaskHeader(%s, %q) = %q, want %q", tc.name, tc.value, got, tc.want)
		}
		if got := MaskHeader(tc.name, tc.value); strings.Contains(got, "hunter2") || strings.Contains(got, "\x1b") {
			t.Errorf("MaskHeader(%s, %q) = %q shows the secret or an escape", tc.name, tc.value, got)
		}
	}
	// The Basic fingerprint is the password's: the diff sees a new password,
	// not a new user name, as a changed secret.
	if MaskHeader("Authorization", basicValue("alice", "pw1")) == MaskHeader("Authorization", basicValue("alice", "pw2")) {
		t.Error("two passwords mask the same")
	}
}

func TestRedactURL(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"https://h/a?api_key=k1&b=2", "https://h/a?api_key=•••&b=2"},
		{"https://h/a?z=1&token=t&a=%20x", "https://h/a?z=1&token=•••&a=%20x"},
		{"https://h/a?TOKEN=t", "https://h/a?TOKEN=•••"},
		{"https://h/a?x%2Damz%2Dsignature=s", "https://h/a?x%2Damz%2Dsignature=•••"},
		{"https://u:hunter2@h/a", "https://u:REDACTED@h/a"},
		{"https://u@h/a", "https://u@h/a"},
		{"https://client/cb#access_token=t&state=s", "https://client/cb#access_token=•••&state=s"},
		{"https://client/cb?code=c&state=s#frag", "https://client/cb?code=•••&state=s#frag"},
		{"https://h/a?q=1&token=", "https://h/a?q=1&token="},
		{"https://h/a?q=1", "https://h/a?q=1"},
		{"::not a url", "::not a url"},
	} {
		got := RedactURL(tc.in)
		if got != tc.want {
			t.Errorf("RedactURL(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if RedactURL(got) != got {
			t.Errorf("RedactURL is not idempotent on %q: %q", got, RedactURL(got))
		}
		// A redacted URL must still parse: a saved session is loaded and
		// diagnosed again from it.
		if _, err := url.Parse(tc.in); err == nil {
			if _, err := url.Parse(got); err != nil {
				t.Errorf("RedactURL(%q) = %q does not parse: %v", tc.in, got, err)
			}
		}
	}
}

func TestIsSecretQueryParam(t *testing.T) {
	for name, want := range map[string]bool{"api_key": true, "X-Amz-Signature": true, "code": true, "access_token": true, "state": false, "q": false} {
		if IsSecretQueryParam(name) != want {
			t.Errorf("IsSecretQueryParam(%q) = %v", name, !want)
		}
	}
}

func BenchmarkFingerprint(b *testing.B) {
	for b.Loop() {
		Fingerprint("Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig")
	}
}
