package ui

import (
	"fmt"
	"net/http"
	"regexp"
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
		// A URL is never split in its "//": a row may end before it, so
		// "https://host" starts the next row whole.
		{`{"authorization_endpoint":"https://example.com/oauth2/authorize","x":1}`, 33,
			[]string{`{"authorization_endpoint":"`, `https://example.com/oauth2/`, `authorize","x":1}`}},
		{`<a href="https://example.com/a">`, 12, []string{`<a href="`, `https://exam`, `ple.com/a">`}},
		{"see https://example.com/a/b/c/d/e", 20, []string{"see ", "https://example.com/", "a/b/c/d/e"}},
		{"a//b/cd", 3, []string{"a//", "b/", "cd"}},
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

// A body's URLs, wrapped in the real response pane at 80x24 and 120x40,
// are never split in "https://": no row ends in "https:", "https:/" or
// "https://" with the rest of the URL on the next. The body's lines put a
// URL after every length of unbroken text, so that some row's end falls in
// each part of the scheme whatever the pane's width.
func TestResponseWrapKeepsURLSchemes(t *testing.T) {
	var b strings.Builder
	for k := 1; k <= 120; k++ {
		fmt.Fprintf(&b, "state=%s;see=https://example.com/errors/invalid_token\n", strings.Repeat("Z", k))
	}
	u := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, b.String())
	})
	split := regexp.MustCompile(`https?:/{0,2}$`)
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		m := New(Options{URL: u})
		m = sized(t, m, size[0], size[1])
		m = press(t, m, enter)
		mustContain(t, screen(m), "see=https://example.com/")
		for i := range m.resp.total() {
			if row := strings.TrimRight(ansi.Strip(m.resp.line(i)), " "); split.MatchString(row) {
				t.Errorf("%dx%d: row %d ends in the URL's scheme: %q then %q", size[0], size[1], i, row, ansi.Strip(m.resp.line(i+1)))
			}
		}
	}
}
