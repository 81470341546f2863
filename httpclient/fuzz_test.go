package httpclient

import (
	"strings"
	"testing"
)

// FuzzParseChallenges checks what must hold for any bytes a server can send:
// no panic, offsets inside the value, schemes and names that are tokens, no
// duplicate parameters, and String output that parses back the same.
func FuzzParseChallenges(f *testing.F) {
	for _, v := range parseVectors {
		f.Add(v.value)
	}
	for _, d := range digestFields {
		f.Add(d)
	}
	f.Fuzz(func(t *testing.T, value string) {
		cs, ps := ParseChallenges(value)
		for _, p := range ps {
			if p.Offset < 0 || p.Offset > len(value) {
				t.Fatalf("problem %+v: offset outside the value (len %d)", p, len(value))
			}
			if p.Severity != SeverityError && p.Severity != SeverityWarning {
				t.Fatalf("problem %+v: unknown severity", p)
			}
		}
		if len(ps) > maxProblems+1 {
			t.Fatalf("%d problems, more than the bound %d", len(ps), maxProblems+1)
		}
		for _, c := range cs {
			if !IsToken(c.Scheme) {
				t.Fatalf("scheme %q is not a token", c.Scheme)
			}
			if c.Offset < 0 || c.Offset >= len(value) || !strings.HasPrefix(value[c.Offset:], c.Scheme) {
				t.Fatalf("challenge %q: offset %d does not point at its scheme", c.Scheme, c.Offset)
			}
			if c.Token68 != "" && len(c.Params) > 0 {
				t.Fatalf("challenge %q has both a token68 and parameters", c.Scheme)
			}
			seen := map[string]bool{}
			for _, p := range c.Params {
				if !IsToken(p.Name) || strings.ToLower(p.Name) != p.Name {
					t.Fatalf("parameter name %q is not a lower-case token", p.Name)
				}
				if seen[p.Name] {
					t.Fatalf("parameter %q kept twice", p.Name)
				}
				seen[p.Name] = true
			}
		}
		checkRoundTrip(t, value, cs)
	})
}

// FuzzSafe checks that no control byte, C1 rune or invalid UTF-8 survives
// Safe, and no TAB or LF survives SafeLine.
func FuzzSafe(f *testing.F) {
	for _, s := range []string{"plain", "\x1b[2J", "\u009b", "\xff\xfe", "a\tb\nc\rd", "\u202e", "日本\x7f", "\xe2\x82"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkSafe(t, s, Safe(s), false)
		checkSafe(t, s, SafeLine(s), true)
	})
}
