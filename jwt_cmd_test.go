package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

var jwtAt = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func jwtToken(t *testing.T, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte("k"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

type jwtRun struct {
	code           int
	stdout, stderr string
}

// TestJWTCommand runs every case twice: through run in the test process,
// and through the real binary built from this checkout, as a user runs it.
func TestJWTCommand(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "keyhole")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	at := jwtAt.Format(time.RFC3339)
	valid := jwtToken(t, jwt.MapClaims{"iss": "https://as.example", "aud": "api", "scope": "read", "exp": jwtAt.Add(3 * time.Minute).Unix(), "iat": jwtAt.Add(-time.Minute).Unix()})
	expired := jwtToken(t, jwt.MapClaims{"exp": jwtAt.Add(-2 * time.Minute).Unix()})
	early := jwtToken(t, jwt.MapClaims{"exp": jwtAt.Add(time.Hour).Unix(), "nbf": jwtAt.Add(10 * time.Minute).Unix()})
	hostile := jwtToken(t, jwt.MapClaims{"exp": jwtAt.Add(time.Hour).Unix(), "sub": "x\x1b]0;pwned\x07\u009b2J\x7f", "\x1b[31mkey": "v"})
	none, _ := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{"sub": "x"}).SignedString(jwt.UnsafeAllowNoneSignatureType)

	cases := []struct {
		name  string
		args  []string
		stdin string
		code  int
		want  []string // in stdout
		err   string   // in stderr
	}{
		{"valid", []string{"--at", at, valid}, "", 0, []string{"alg: HS256", "iss: https://as.example", "exp  2026-11-27T12:03:00Z  expires in 3m", "issued 1m ago", "not verified"}, ""},
		{"expired", []string{"--at=" + at, expired}, "", 1, []string{"expired 2m ago"}, ""},
		{"not yet valid", []string{"--at", at, early}, "", 1, []string{"not valid for another 10m"}, ""},
		{"stdin with scheme", []string{"--at", at, "-"}, "Bearer " + valid + "\n", 0, []string{"scope: read"}, ""},
		{"alg none", []string{"--at", at, none}, "", 0, []string{`alg is "none"`, "no exp"}, ""},
		{"garbage", []string{"not-a-token"}, "", 2, nil, "not a decodable JWT"},
		{"no token", nil, "", 2, nil, "give a token"},
		{"bad time", []string{"--at", "yesterday", valid}, "", 2, nil, "RFC 3339"},
		{"unknown flag", []string{"--verify", valid}, "", 2, nil, "unknown flag"},
		{"help", []string{"--help"}, "", 0, []string{"Examples:", "keyhole jwt --json"}, ""},
	}
	for _, c := range cases {
		for _, how := range []string{"in-process", "binary"} {
			t.Run(c.name+"/"+how, func(t *testing.T) {
				r := runJWT(t, how, bin, c.stdin, c.args...)
				if r.code != c.code {
					t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, c.code, r.stdout, r.stderr)
				}
				for _, w := range c.want {
					if !strings.Contains(r.stdout, w) {
						t.Errorf("stdout lacks %q:\n%s", w, r.stdout)
					}
				}
				if c.err != "" && !strings.Contains(r.stderr, c.err) {
					t.Errorf("stderr lacks %q: %s", c.err, r.stderr)
				}
			})
		}
	}

	t.Run("json shape", func(t *testing.T) {
		r := runJWT(t, "binary", bin, "", "--json", "--at", at, valid)
		var doc map[string]json.RawMessage
		if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, r.stdout)
		}
		for _, k := range []string{"header", "claims", "times", "warnings"} {
			if _, ok := doc[k]; !ok {
				t.Errorf("missing %q", k)
			}
		}
		var times []map[string]string
		json.Unmarshal(doc["times"], &times)
		if len(times) != 2 || times[0]["claim"] != "exp" || times[0]["time"] != "2026-11-27T12:03:00Z" || times[0]["relative"] != "expires in 3m" {
			t.Fatalf("times %v", times)
		}
		if string(doc["warnings"]) != "[]" {
			t.Fatalf("warnings %s", doc["warnings"])
		}
	})

	t.Run("hostile claims stay inert", func(t *testing.T) {
		for _, args := range [][]string{{"--at", at, hostile}, {"--json", "--at", at, hostile}} {
			r := runJWT(t, "binary", bin, "", args...)
			for _, bad := range []string{"\x1b", "\x07", "\u009b", "\x7f"} {
				if strings.Contains(r.stdout+r.stderr, bad) {
					t.Fatalf("%v printed %q raw:\n%q", args, bad, r.stdout)
				}
			}
			if !strings.Contains(r.stdout, "pwned") {
				t.Fatalf("the claim vanished instead of being escaped: %q", r.stdout)
			}
		}
	})
}

func runJWT(t *testing.T, how, bin string, stdin string, args ...string) jwtRun {
	t.Helper()
	if how == "in-process" {
		var out, errb bytes.Buffer
		code := run(append([]string{"jwt"}, args...), strings.NewReader(stdin), &out, &errb)
		return jwtRun{code, out.String(), errb.String()}
	}
	cmd := exec.Command(bin, append([]string{"jwt"}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return jwtRun{code, out.String(), errb.String()}
}
