package credentials

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

var t0 = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func sign(t *testing.T, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte("k"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestTimesAgainstBothClocks(t *testing.T) {
	tok := sign(t, jwt.MapClaims{"exp": t0.Add(3 * time.Minute).Unix(), "nbf": t0.Add(-time.Hour).Unix(), "iat": t0.Add(-time.Hour).Unix()})
	j, err := ParseJWT(tok)
	if err != nil {
		t.Fatal(err)
	}
	// The server's Date is 5 minutes ahead: there the token is already dead.
	got := j.Times(t0, t0.Add(5*time.Minute))
	want := []TimeClaim{
		{Claim: "exp", Time: t0.Add(3 * time.Minute), Local: "expires in 3m", Server: "expired 2m ago"},
		{Claim: "nbf", Time: t0.Add(-time.Hour), Local: "valid since 1h ago", Server: "valid since 1h5m ago"},
		{Claim: "iat", Time: t0.Add(-time.Hour), Local: "issued 1h ago", Server: "issued 1h5m ago"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d claims", len(got))
	}
	for i := range want {
		if !got[i].Time.Equal(want[i].Time) || got[i].Claim != want[i].Claim || got[i].Local != want[i].Local || got[i].Server != want[i].Server {
			t.Errorf("%d: got %+v, want %+v", i, got[i], want[i])
		}
	}
	if s := j.Times(t0, time.Time{}); s[0].Server != "" {
		t.Fatalf("no server clock, yet %q", s[0].Server)
	}
}

func TestRelativeAndDuration(t *testing.T) {
	for _, c := range []struct {
		claim string
		d     time.Duration
		want  string
	}{
		{"exp", 45 * time.Second, "expires in 45s"},
		{"exp", -2*time.Minute - 10*time.Second, "expired 2m ago"},
		{"nbf", 90 * time.Second, "not valid yet: valid in 1m"},
		{"iat", 2 * time.Hour, "issued 2h in the future"},
		{"exp", 50 * time.Hour, "expires in 2d2h"},
		{"exp", 48 * time.Hour, "expires in 2d"},
	} {
		if got := Relative(c.claim, t0.Add(c.d), t0); got != c.want {
			t.Errorf("%s %v: %q, want %q", c.claim, c.d, got, c.want)
		}
	}
	if got := Duration(time.Duration(-1 << 63)); strings.HasPrefix(got, "-") {
		t.Fatalf("most negative duration: %q", got)
	}
}

func TestWarnings(t *testing.T) {
	has := func(ws []string, part string) bool {
		return slices.ContainsFunc(ws, func(w string) bool { return strings.Contains(w, part) })
	}
	none, err := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{"sub": "x"}).SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		t.Fatal(err)
	}
	j, err := ParseJWT(none)
	if err != nil {
		t.Fatal(err)
	}
	w := j.Warnings(t0)
	if !has(w, `alg is "none"`) || !has(w, "no exp") {
		t.Fatalf("alg none without exp: %q", w)
	}
	j, _ = ParseJWT(sign(t, jwt.MapClaims{"exp": t0.Add(time.Hour).Unix(), "nbf": t0.Add(2 * time.Minute).Unix(), "iat": t0.Add(2 * time.Minute).Unix()}))
	w = j.Warnings(t0)
	if !has(w, "not valid for another 2m") || !has(w, "iat is 2m in the future") || has(w, "no exp") {
		t.Fatalf("future nbf/iat: %q", w)
	}
	if err := j.ValidAt(t0); err == nil {
		t.Fatal("ValidAt accepted a future nbf")
	}
	if err := j.ValidAt(t0.Add(3 * time.Minute)); err != nil {
		t.Fatal(err)
	}
	j, _ = ParseJWT(sign(t, jwt.MapClaims{"exp": t0.Add(-time.Minute).Unix(), "aud": []string{"a", "b"}, "scope": "read write"}))
	if !has(j.Warnings(t0), "expired 1m ago") {
		t.Fatalf("expired: %q", j.Warnings(t0))
	}
	if !slices.Equal(j.Audience, []string{"a", "b"}) || !slices.Equal(j.Scope, []string{"read", "write"}) {
		t.Fatalf("aud %v scope %v", j.Audience, j.Scope)
	}
	j, _ = ParseJWT(sign(t, jwt.MapClaims{"exp": "tomorrow"}))
	if j != nil && !has(j.Warnings(t0), "exp is not a number") {
		t.Fatalf("string exp: %q", j.Warnings(t0))
	}
}

func TestParseJWTRejectsGarbage(t *testing.T) {
	for _, s := range []string{"", "abc", "eyJ.eyJ.", "a.b.c", "eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.x"} {
		if _, err := ParseJWT(s); err == nil {
			t.Errorf("%q decoded", s)
		}
	}
}

// FuzzParseJWT: no input may panic the decoder or the inspector built on it.
func FuzzParseJWT(f *testing.F) {
	f.Add("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjE3MDAwMDAwMDAsIm5iZiI6MSwiaWF0IjoxLCJhdWQiOlsiYSJdLCJzY3AiOlsicmVhZCJdfQ.sig")
	f.Add("eyJhbGciOiJub25lIn0.eyJleHAiOjFlMzAwfQ.")
	f.Add("eyJhbGciOiJub25lIn0.eyJleHAiOiItOTIyMzM3MjAzNjg1NDc3NTgwOCIsInNjb3BlIjp7fX0.")
	f.Add("a.b.c")
	f.Fuzz(func(t *testing.T, s string) {
		j, err := ParseJWT(s)
		if err != nil {
			return
		}
		for _, tc := range j.Times(t0, t0.Add(time.Minute)) {
			_ = tc.Time.Format(time.RFC3339)
		}
		_ = j.Warnings(t0)
		_ = j.ValidAt(t0)
	})
}
