package httpclient

import (
	"encoding/hex"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Safe makes s harmless to print: every C0 control but TAB and LF, DEL, each
// invalid UTF-8 byte, and the runes of IsUnsafeRune (C1 controls, the
// bidirectional controls that can reorder what a terminal shows, invisible
// characters) become visible escapes such as \x1b, \x7f, \xff, \u009b,
// \u202e and \u200b. Apply it to every string that came from a server or a
// file before it reaches the terminal; servers can otherwise move the
// cursor, retitle the window or hide text (kubectl CVE-2021-25743, Git
// CVE-2024-52005). It returns s itself when nothing needs escaping.
func Safe(s string) string { return escape(s, false) }

// SafeLine is Safe for one-line fields (header values, realms, status text):
// TAB, LF and CR are escaped too, as \t, \n and \r, so one field cannot
// forge the next line.
func SafeLine(s string) string { return escape(s, true) }

func escape(s string, line bool) string {
	i := firstUnsafe(s, line)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i >= 0 {
		// Clean runs are copied whole; only what needs escaping is
		// looked at again.
		b.WriteString(s[:i])
		s = s[i:]
		c := s[0]
		size := 1
		if c < utf8.RuneSelf {
			writeByteEscape(&b, c)
		} else if r, n := utf8.DecodeRuneInString(s); r == utf8.RuneError && n == 1 {
			writeByteEscape(&b, c)
		} else {
			b.WriteString(`\u`)
			for shift := 12; shift >= 0; shift -= 4 {
				b.WriteByte(hexDigits[r>>shift&0xf])
			}
			size = n
		}
		s = s[size:]
		i = firstUnsafe(s, line)
	}
	b.WriteString(s)
	return b.String()
}

// Eight bytes at a time: lo8 has 0x01 in every byte, hi8 0x80.
const (
	lo8 = 0x0101010101010101
	hi8 = 0x8080808080808080
)

// notPrintable has the high bit set in some byte unless each of the eight
// bytes of w is printable ASCII, 0x20 to 0x7e. A byte below 0x20 borrows in
// w-0x20*lo8 and keeps its high bit clear in w; a byte of 0x7f or more has
// the high bit set in w+lo8 or in w. Carries between bytes only start at a
// byte that already has its high bit set, so the test is exact for the word
// as a whole.
func notPrintable(w uint64) uint64 {
	return ((w - 0x20*lo8) &^ w) | (w + lo8) | w
}

func word(t string) uint64 {
	return uint64(t[0]) | uint64(t[1])<<8 | uint64(t[2])<<16 | uint64(t[3])<<24 |
		uint64(t[4])<<32 | uint64(t[5])<<40 | uint64(t[6])<<48 | uint64(t[7])<<56
}

// firstUnsafe returns the offset of the first byte Safe must change, or -1.
// Printable ASCII, most of any body, is skipped a word at a time; a word
// that is not all printable is then looked at byte by byte.
func firstUnsafe(s string, line bool) int {
	for i := 0; i < len(s); {
		for len(s)-i >= 16 && (notPrintable(word(s[i:i+8]))|notPrintable(word(s[i+8:i+16])))&hi8 == 0 {
			i += 16
		}
		if len(s)-i >= 8 && notPrintable(word(s[i:i+8]))&hi8 == 0 {
			i += 8
		}
		for end := min(i+8, len(s)); i < end; {
			c := s[i]
			if c >= 0x20 && c < 0x7f {
				i++
				continue
			}
			if c < utf8.RuneSelf {
				if unsafeASCII(c, line) {
					return i
				}
				i++
				continue
			}
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 || unsafeRune(r) {
				return i
			}
			i += size
		}
	}
	return -1
}

func unsafeASCII(c byte, line bool) bool {
	if c == '\t' || c == '\n' {
		return line
	}
	return c < 0x20 || c == 0x7f
}

// unsafeRune reports the runes Safe escapes beyond ASCII: IsUnsafeRune.
func unsafeRune(r rune) bool { return IsUnsafeRune(r) }

// IsUnsafeRune reports a rune that must not reach a terminal raw: a C1
// control; a bidirectional control (embeddings, overrides, isolates, the
// LRM, RLM and Arabic letter marks), which can reorder what is shown (Trojan
// Source, CVE-2021-42574); or an invisible one (zero-width space, word
// joiner and invisible operators, the byte order mark, the Mongolian vowel
// separator), which can hide text or make two names look alike. The
// zero-width joiner and non-joiner are left alone: emoji and several
// scripts need them.
func IsUnsafeRune(r rune) bool {
	switch {
	case r >= 0x80 && r <= 0x9f:
		return true
	case r < 0x61c:
		return false
	}
	switch r {
	case 0x61c, 0x180e, 0x200b, 0x200e, 0x200f, 0xfeff:
		return true
	}
	return r >= 0x202a && r <= 0x202e || r >= 0x2060 && r <= 0x2064 || r >= 0x2066 && r <= 0x2069
}

const hexDigits = "0123456789abcdef"

func writeByteEscape(b *strings.Builder, c byte) {
	switch c {
	case '\t':
		b.WriteString(`\t`)
	case '\n':
		b.WriteString(`\n`)
	case '\r':
		b.WriteString(`\r`)
	default:
		b.WriteString(`\x`)
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&0xf])
	}
}

// binarySniff is how much of a body IsBinary looks at.
const binarySniff = 8 << 10

// IsBinary reports whether b looks like binary data rather than text: a NUL
// byte, or more than one byte in ten that is a control character or invalid
// UTF-8, within the first 8 KiB. Show binary bodies with HexDump.
func IsBinary(b []byte) bool {
	if len(b) > binarySniff {
		b = b[:binarySniff]
	}
	odd := 0
	for i := 0; i < len(b); {
		c := b[i]
		if c == 0 {
			return true
		}
		if c < utf8.RuneSelf {
			if c < 0x20 && !strings.ContainsRune("\t\n\r\f\b\x1b", rune(c)) || c == 0x7f {
				odd++
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			// A rune cut by the sniff window is not evidence of binary.
			if !utf8.FullRune(b[i:]) && len(b) == binarySniff {
				break
			}
			odd++
		}
		i += size
	}
	return odd*10 > len(b)
}

// HexDump renders b as `hexdump -C` does (offset, hex bytes, printable ASCII
// with dots elsewhere, so it is terminal-safe), at most max bytes of it (max
// <= 0 means all), with a last line saying how many bytes were left out.
func HexDump(b []byte, max int) string {
	if max <= 0 || max >= len(b) {
		return hex.Dump(b)
	}
	return hex.Dump(b[:max]) + fmt.Sprintf("… %d more bytes not shown\n", len(b)-max)
}
