package session

import (
	"bufio"
	"bytes"
	"unicode/utf8"

	"keyhole/httpclient"
)

// jsonEscaper writes UTF-8 JSON text with DEL and every rune
// httpclient.IsUnsafeRune names (C1 controls, bidirectional controls,
// invisible characters) as \u escapes: encoding/json leaves them raw, and
// U+009B is CSI to many terminals while U+202E reorders what they show.
// They occur only inside JSON strings, where the escapes mean the same, so
// the output decodes to the same value. A rune cut off at the end of one
// Write is held back until the next completes it.
type jsonEscaper struct {
	w       *bufio.Writer
	pending []byte
}

// unsafeLeads are the bytes that begin DEL or an unsafe rune in UTF-8. All
// are rare in real bodies: IndexByte skips the text between them far faster
// than a loop over every byte.
var unsafeLeads = [...]byte{0x7f, 0xc2, 0xd8, 0xe1, 0xe2, 0xef}

func runeLen(lead byte) int {
	switch {
	case lead < 0x80:
		return 1
	case lead < 0xe0:
		return 2
	}
	return 3
}

func (e *jsonEscaper) Write(p []byte) (int, error) {
	n := len(p)
	if len(e.pending) > 0 {
		need := runeLen(e.pending[0])
		take := min(need-len(e.pending), len(p))
		e.pending = append(e.pending, p[:take]...)
		p = p[take:]
		if len(e.pending) < need {
			return n, nil
		}
		e.emit(e.pending)
		e.pending = e.pending[:0]
	}
	var next [len(unsafeLeads)]int
	for k := range next {
		next[k] = -1
	}
	start := 0
	for i := 0; ; {
		at := len(p)
		for k, c := range unsafeLeads {
			if next[k] < i {
				if j := bytes.IndexByte(p[i:], c); j >= 0 {
					next[k] = i + j
				} else {
					next[k] = len(p)
				}
			}
			at = min(at, next[k])
		}
		if at == len(p) {
			break
		}
		i = at
		if i+runeLen(p[i]) > len(p) {
			_, err := e.w.Write(p[start:i])
			e.pending = append(e.pending, p[i:]...)
			return n, err
		}
		r, size := utf8.DecodeRune(p[i:])
		if r == 0x7f || size > 1 && httpclient.IsUnsafeRune(r) {
			e.w.Write(p[start:i])
			e.escape(r)
			i += size
			start = i
			continue
		}
		i++
	}
	_, err := e.w.Write(p[start:])
	return n, err
}

// emit writes one whole held-back rune, escaped when it is unsafe.
func (e *jsonEscaper) emit(b []byte) {
	if r, size := utf8.DecodeRune(b); size == len(b) && (r == 0x7f || size > 1 && httpclient.IsUnsafeRune(r)) {
		e.escape(r)
		return
	}
	e.w.Write(b)
}

// flush writes what is still held back, which only invalid UTF-8 leaves.
func (e *jsonEscaper) flush() {
	e.w.Write(e.pending)
	e.pending = e.pending[:0]
}

const hexDigits = "0123456789abcdef"

func (e *jsonEscaper) escape(r rune) {
	e.w.WriteString(`\u`)
	for shift := 12; shift >= 0; shift -= 4 {
		e.w.WriteByte(hexDigits[r>>shift&0xf])
	}
}
