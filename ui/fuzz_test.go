package ui

import (
	"net/http"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"keyhole/httpclient"
)

// FuzzBodyText feeds server bytes through the body formatter and the wrapper:
// no control character may survive, and no wrapped line may be wider than asked.
func FuzzBodyText(f *testing.F) {
	f.Add([]byte(`{"a":[1,2,{"b":"\u001b[2J"}]}`), "application/json", 20)
	f.Add([]byte("one\r\ntwo\tthree\x1b]52;c;aGk=\x07\n"), "text/plain", 7)
	f.Add([]byte{0x89, 'P', 'N', 'G', 0, 0xff, 0x9b}, "", 30)
	f.Add([]byte("wide 漢字漢字漢字 \u202e evil"), "", 3)
	f.Fuzz(func(t *testing.T, body []byte, ctype string, width int) {
		width = 2 + abs(width)%300 // a wide rune takes 2 columns; panes are never narrower
		resp := &httpclient.Response{Header: http.Header{"Content-Type": {ctype}}, Body: body}
		lines := wrap(bodyText(resp), width)
		for i, l := range lines {
			if strings.ContainsFunc(l, func(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) }) {
				t.Fatalf("line %d keeps a control character: %q", i, l)
			}
			if w := ansi.StringWidth(l); w > width {
				t.Fatalf("line %d is %d wide, wrap asked for %d: %q", i, w, width, l)
			}
		}
	})
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
