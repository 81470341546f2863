package ui

import (
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// softWrap breaks a plain line (no colour sequences) into rows of at most w
// columns: after a space, or after a , / & ? or - inside a long word such
// as a URL, or before a URL's scheme, and only where none fits, inside the
// word. A URL is never broken in or right after its "//", so a row does not
// end in "https:" with "//host" on the next one. It never breaks an
// escape: a JSON \uXXXX or \n, or the \x1b keyhole writes for a control
// character, stays on one row. ansi.Wrap breaks words the same way but
// knows nothing of escapes, and ansi.Hardwrap breaks mid-word everywhere.
func softWrap(s string, w int) []string {
	w = max(w, 1)
	rs := []rune(s)
	var out []string
	for start := 0; start < len(rs); {
		col, end, brk := 0, start, -1
		for end < len(rs) {
			cw := runeWidth(rs[end])
			if col+cw > w && end > start {
				break
			}
			col += cw
			end++
			if end < len(rs) && breakAt(rs, end) && !inEscape(rs, start, end) {
				brk = end
			}
		}
		if end >= len(rs) {
			out = append(out, string(rs[start:]))
			break
		}
		cut := brk
		if cut <= start {
			cut = escapeSafe(rs, start, end)
		}
		out = append(out, string(rs[start:cut]))
		start = cut
	}
	return out
}

// breakAt reports whether a row may end before rs[i], 0 < i < len(rs).
func breakAt(rs []rune, i int) bool {
	switch rs[i-1] {
	case ' ', ',', '-':
		return true
	}
	return urlBreak(rs, i) || urlAt(rs, i)
}

// urlBreak reports whether a row may end before rs[i], 0 < i <= len(rs),
// at a URL's own boundaries: after a '?' or a '&', or after a '/' not
// inside "//" nor right after it, so "https://host" stays whole. The
// explanation pane cuts a URL wider than its row there and nowhere else.
func urlBreak(rs []rune, i int) bool {
	switch rs[i-1] {
	case '?', '&':
		return true
	case '/':
		return (i == len(rs) || rs[i] != '/') && (i < 2 || rs[i-2] != '/')
	}
	return false
}

// urlAt reports whether a URL starts at rs[i]: a scheme (RFC 3986 letters,
// at most maxScheme of them, so a long line costs no more than a short one)
// followed by "://" ("https://", "wss://").
func urlAt(rs []rune, i int) bool {
	if isWordRune(rs[i-1]) || !isLetter(rs[i]) {
		return false
	}
	j := i
	for j < len(rs) && j-i < maxScheme && (isWordRune(rs[j]) || rs[j] == '+' || rs[j] == '.' || rs[j] == '-') {
		j++
	}
	return j+3 <= len(rs) && rs[j] == ':' && rs[j+1] == '/' && rs[j+2] == '/'
}

// maxScheme bounds the scheme urlAt looks for; real ones are a few letters.
const maxScheme = 32

func isLetter(r rune) bool   { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }
func isWordRune(r rune) bool { return isLetter(r) || r >= '0' && r <= '9' }

func runeWidth(r rune) int {
	if r < utf8.RuneSelf {
		return 1
	}
	return ansi.StringWidth(string(r))
}

// escLen is how many runes the escape starting at rs[i] ('\') takes.
func escLen(rs []rune, i int) int {
	hex := func(n int) int {
		k := 0
		for k < n && i+2+k < len(rs) && isHex(rs[i+2+k]) {
			k++
		}
		if k == n {
			return 2 + n
		}
		return 2
	}
	if i+1 >= len(rs) {
		return 1
	}
	switch rs[i+1] {
	case 'u':
		return hex(4)
	case 'x':
		return hex(2)
	}
	return 2
}

func isHex(r rune) bool { return r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F' }

// inEscape reports whether cutting rs before index cut splits an escape,
// escapes being read from start, a cut already known to be safe.
func inEscape(rs []rune, start, cut int) bool {
	for i := start; i < cut; i++ {
		if rs[i] == '\\' {
			n := escLen(rs, i)
			if i+n > cut {
				return true
			}
			i += n - 1
		}
	}
	return false
}

// escapeSafe moves a cut before index end back to the start of the escape
// it would split, unless that escape starts the row.
func escapeSafe(rs []rune, start, end int) int {
	for i := start; i < end; i++ {
		if rs[i] == '\\' {
			n := escLen(rs, i)
			if i+n > end && i > start {
				return i
			}
			i += n - 1
		}
	}
	return end
}
