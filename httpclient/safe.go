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
	b.WriteString(s[:i])
	for i < len(s) {
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
		case unsafeRune(r):
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

// firstUnsafe returns the offset of the first byte Safe must change, or -1.
func firstUnsafe(s string, line bool) int {
	for i := 0; i < len(s); {
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
