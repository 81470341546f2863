package ui

import (
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// The explanation of a real OAuth 401 (the practice server's /jwt and
// /mcp/dcr) at 80x24 and 120x40 shows the resource metadata URL whole
// where it fits in a row, and where it does not, cut only after a '/':
// a row ended in "/.well-" with "known/oauth-protected-resource…" on the
// next, which reads and copies as two words.
func TestExplanationWrapsURLsAtSlashes(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		for _, path := range []string{"/jwt", "/mcp/dcr"} {
			m := started(t, size[0], size[1])
			m.compose.url.SetValue(m.srv.URL + path)
			m = press(t, m, enter)
			w := m.geometry().explain.innerW()
			var rows []string
			for _, l := range m.explanation(w).lines {
				if ansi.StringWidth(l) > w {
					t.Errorf("%v %s: row wider than %d: %q", size, path, w, ansi.Strip(l))
				}
				rows = append(rows, strings.TrimSpace(ansi.Strip(l)))
			}
			text := strings.Join(rows, "\n")
			u := m.srv.URL + "/.well-known/oauth-protected-resource" + path
			// u as written across rows: any rune of it may end a row.
			var pat []string
			for _, r := range u {
				pat = append(pat, regexp.QuoteMeta(string(r)))
			}
			seen := regexp.MustCompile(strings.Join(pat, `\n?`)).FindAllString(text, -1)
			if len(seen) < 3 {
				t.Fatalf("%v %s: the metadata URL %s shows %d times in the explanation:\n%s", size, path, u, len(seen), text)
			}
			whole := 0
			for _, s := range seen {
				parts := strings.Split(s, "\n")
				if len(parts) == 1 {
					whole++
				}
				for _, p := range parts[:len(parts)-1] {
					if !strings.HasSuffix(p, "/") {
						t.Errorf("%v %s: the URL is cut after %q, not at a '/': %q", size, path, p, parts)
					}
				}
			}
			if len(u)+6 <= w && whole == 0 { // room for it beside a bullet's hang
				t.Errorf("%v %s: %s fits in a row of %d yet is never whole:\n%s", size, path, u, w, text)
			}
		}
	}
}

// Whatever a server puts in a line, the explanation's wrap keeps every
// character: it only moves words between rows, and the stand-ins it hides
// hyphens and URL breaks behind are put back. (Widths are not checked
// here: ansi.Wrap lets a hyphen that ends a full row overhang it by one.)
func FuzzWrapLines(f *testing.F) {
	f.Add(`  Bearer resource_metadata="http://127.0.0.1:8401/.well-known/oauth-protected-resource/jwt?a=b&c-d=1", --proxy-addr SHA-256`, 40)
	f.Add("see https://h/a\u2044b-c?x&y", 9)
	f.Fuzz(func(t *testing.T, s string, w int) {
		w = 10 + (w%190+190)%190
		s = safeLine(s)
		rows := wrapLines([]string{s}, w)
		if got := squeeze(strings.Join(rows, " ")); got != squeeze(s) {
			t.Fatalf("text changed: %q -> %q", s, rows)
		}
	})
}
