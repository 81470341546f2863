package httpclient

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// escapeByteByByte is Safe and SafeLine as they were before they skipped
// printable ASCII a word at a time: each byte looked at on its own. The
// word-at-a-time code must give exactly its output.
func escapeByteByByte(s string, line bool) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if unsafeASCII(c, line) {
				writeByteEscape(&b, c)
			} else {
				b.WriteByte(c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			writeByteEscape(&b, c)
		case IsUnsafeRune(r):
			b.WriteString(`\u`)
			for shift := 12; shift >= 0; shift -= 4 {
				b.WriteByte(hexDigits[r>>shift&0xf])
			}
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func sameAsByteByByte(t *testing.T, s string) {
	t.Helper()
	if got, want := Safe(s), escapeByteByByte(s, false); got != want {
		t.Fatalf("Safe(%q) = %q, byte by byte %q", s, got, want)
	}
	if got, want := SafeLine(s), escapeByteByByte(s, true); got != want {
		t.Fatalf("SafeLine(%q) = %q, byte by byte %q", s, got, want)
	}
}

// Every byte value, and the runes at the edges of what Safe escapes, at
// every offset of the first two words and across a word boundary.
func TestSafeWordAtATimeSameAsByteByByte(t *testing.T) {
	var odd []string
	for c := 0; c < 256; c++ {
		odd = append(odd, string([]byte{byte(c)}))
	}
	for _, r := range []rune{0x7f, 0x80, 0x9f, 0xa0, 0x61c, 0x180e, 0x200b, 0x200d, 0x202e, 0x2064, 0x2069, 0xfeff, 0xfffd, 0x1f600} {
		odd = append(odd, string(r))
	}
	odd = append(odd, "\xe2\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80")
	clean := "abcdefghijklmnopqrstuvwxyz ~{}"
	for _, o := range odd {
		for at := 0; at <= 17; at++ {
			sameAsByteByByte(t, clean[:at]+o+clean[at:])
			sameAsByteByByte(t, clean[:at]+o+o+clean[:at])
		}
	}
}

func FuzzSafeSameAsByteByByte(f *testing.F) {
	for _, s := range []string{"plain text, longer than a word", "0123456\x1b[2J", "\u009bABCDEFGH", "abcdefg\xff\xfe", "a\tb\nc\rd~~~~~~~\x7f", "12345678\u202e", "日本\x7fxxxxxxxx", "\xe2\x82"} {
		f.Add(s)
	}
	f.Fuzz(sameAsByteByByte)
}
