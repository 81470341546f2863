package ui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

func TestSoftWrap(t *testing.T) {
	for _, c := range []struct {
		in   string
		w    int
		want []string
	}{
		{"401 Unauthorized: send Basic credentials alice / wonderland", 50,
			[]string{"401 Unauthorized: send Basic credentials alice / ", "wonderland"}},
		{"see http://127.0.0.1:8401/.well-known/oauth-protected-resource/jwt now", 40,
			[]string{"see http://127.0.0.1:8401/.well-known/", "oauth-protected-resource/jwt now"}},
		// No break in the word: cut, but never inside \u00e9 or \x1b.
		{`"abcdefgh\u00e9ij"`, 12, []string{`"abcdefgh`, `\u00e9ij"`}},
		{`"abcdefghi\x1bjk"`, 12, []string{`"abcdefghi`, `\x1bjk"`}},
		{`"abcdefghij\"k"`, 12, []string{`"abcdefghij`, `\"k"`}},
		{`"abcdefghijkl"`, 5, []string{`"abcd`, `efghi`, `jkl"`}},
		{"short", 10, []string{"short"}},
	} {
		got := softWrap(c.in, c.w)
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("softWrap(%q, %d) = %q, want %q", c.in, c.w, got, c.want)
		}
		if strings.Join(got, "") != c.in {
			t.Errorf("softWrap(%q) lost text: %q", c.in, got)
		}
		for _, r := range got {
			if ansi.StringWidth(r) > c.w {
				t.Errorf("row %q wider than %d", r, c.w)
			}
		}
	}
}

func FuzzSoftWrap(f *testing.F) {
	f.Add(`{"a":"\u00e9\x1b\\ b/c,d"}`, 7)
	f.Fuzz(func(t *testing.T, s string, w int) {
		w = w%200 + 1
		if w < 1 {
			w = -w + 1
		}
		s = safeLine(s)
		rows := softWrap(s, w)
		if strings.Join(rows, "") != s {
			t.Fatalf("text lost: %q -> %q", s, rows)
		}
		for _, r := range rows {
			if ansi.StringWidth(r) > max(w, 2) {
				t.Fatalf("row %q wider than %d", r, w)
			}
		}
	})
}
