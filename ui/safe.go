package ui

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// TODO(switch): httpclient.Safe/SafeLine are being written by the httpclient
// engineer; these stand in until they land so no server byte reaches the
// terminal raw. An escape sequence from a server could move the cursor,
// retitle the window or fake keyhole's own output.

// safeLine makes s printable on one line: control characters, including
// newlines and ESC, become visible \xNN escapes; invalid UTF-8 becomes U+FFFD.
func safeLine(s string) string { return sanitize(s, false) }

// safeText is safeLine that keeps line breaks and turns tabs into spaces.
func safeText(s string) string { return sanitize(s, true) }

func sanitize(s string, multiline bool) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || c >= 0x80 {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteRune(utf8.RuneError)
		case multiline && r == '\n':
			b.WriteByte('\n')
		case multiline && r == '\t':
			b.WriteString("    ")
		case multiline && r == '\r' && i+1 < len(s) && s[i+1] == '\n':
			// CRLF line ends are normal; show them as one break.
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r >= 0x80 && r <= 0x9f, // C1 controls: 8-bit CSI and friends
			r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069: // bidi overrides reorder what is shown
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}
