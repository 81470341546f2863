package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"unicode/utf8"
	"unsafe"

	"keyhole/httpclient"
	"keyhole/session"
)

// writeHAR saves the attempts as HAR 1.2, private to the user: even masked,
// a HAR names hosts, users and paths.
func writeHAR(path string, attempts []*session.Attempt, showSecrets bool) error {
	b, err := session.HAR(attempts, showSecrets)
	if err != nil {
		return fmt.Errorf("cannot build the HAR: %v", err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return fmt.Errorf("cannot write the HAR: %v; give --har a path in a writable folder", err)
	}
	return nil
}

// body prints the final answer's body, made safe for the terminal.
func (p *printer) body(a *session.Attempt) {
	if a == nil || a.Exchange == nil || a.Exchange.Response == nil {
		return
	}
	r := a.Exchange.Response
	if len(r.Body) == 0 {
		return
	}
	fmt.Fprintln(p.w)
	if httpclient.IsBinary(r.Body) {
		p.line(fmt.Sprintf("(binary body, %d bytes; the first 256:)", r.BodyBytes))
		io.WriteString(p.w, httpclient.HexDump(r.Body, 256))
		return
	}
	// In pieces, cut between runes: a 50 MiB body is not copied whole
	// into a string and again into its escaped form. Each piece is viewed
	// as a string without a copy (unsafe.String): Safe returns a clean
	// piece itself, it is written at once and not kept, and the body is not
	// changed meanwhile. Copying each piece made a garbage body's worth of
	// strings, and they raised the peak RSS of a 60 MB download from 65 to 116 MB.
	w := bufio.NewWriterSize(p.w, 64<<10)
	for b := r.Body; len(b) > 0; {
		n := min(len(b), 64<<10)
		for back := 0; back < utf8.UTFMax-1 && n < len(b) && !utf8.RuneStart(b[n]); back++ {
			n--
		}
		w.WriteString(httpclient.Safe(unsafe.String(&b[0], n)))
		b = b[n:]
	}
	if r.Body[len(r.Body)-1] != '\n' {
		w.WriteByte('\n')
	}
	w.Flush()
	if r.Truncated {
		p.line(fmt.Sprintf("(body cut at %d of %d bytes)", len(r.Body), r.BodyBytes))
	}
}

func writeRecords(w io.Writer, attempts []*session.Attempt, showSecrets bool) error {
	return writeJSON(w, session.Records(attempts, showSecrets))
}

// writeJSON writes v indented, with DEL and C1 controls escaped too:
// encoding/json leaves them raw, and U+009B is CSI to many terminals.
// Both can only occur inside JSON strings, where \u escapes mean the same.
// The compact document streams through jsonWriter, which indents as it
// writes: MarshalIndent, or an Encoder with SetIndent, builds a second,
// indented copy of the whole document, and with a 50 MiB body that copy
// and its growth cost about 150 MB.
func writeJSON(w io.Writer, v any) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	if err := json.NewEncoder(&jsonWriter{w: bw}).Encode(v); err != nil {
		return err
	}
	return bw.Flush()
}

// jsonWriter writes the compact JSON of encoding/json indented by two
// spaces, byte for byte as json.Indent(dst, src, "", "  ") would, with DEL
// and the C1 controls inside strings written as \u escapes. It keeps its
// state between writes, so a document may arrive in any pieces.
type jsonWriter struct {
	w        *bufio.Writer
	inString bool
	escaped  bool // the byte before was a backslash in a string
	c2       bool // the byte before was 0xC2 in a string: maybe a C1 control
	open     bool // just after { or [: an empty one closes on the same line
	depth    int
}

func (j *jsonWriter) Write(p []byte) (int, error) {
	for _, c := range p {
		if j.inString {
			j.stringByte(c)
			continue
		}
		if j.open {
			j.open = false
			if c == '}' || c == ']' {
				j.w.WriteByte(c)
				continue
			}
			j.depth++
			j.newline()
		}
		switch c {
		case '"':
			j.inString = true
			j.w.WriteByte(c)
		case '{', '[':
			j.open = true
			j.w.WriteByte(c)
		case '}', ']':
			j.depth--
			j.newline()
			j.w.WriteByte(c)
		case ',':
			j.w.WriteByte(c)
			j.newline()
		case ':':
			j.w.WriteString(": ")
		default:
			j.w.WriteByte(c)
		}
	}
	if _, err := j.w.Write(nil); err != nil {
		return 0, err
	}
	return len(p), nil
}

// stringByte writes c, a byte inside a JSON string. In valid UTF-8, which
// is all encoding/json writes, a C1 control is the two bytes C2 80..C2 9F.
func (j *jsonWriter) stringByte(c byte) {
	if j.c2 {
		j.c2 = false
		if c >= 0x80 && c <= 0x9f {
			fmt.Fprintf(j.w, `\u%04x`, c)
			return
		}
		j.w.WriteByte(0xc2)
	}
	switch {
	case j.escaped:
		j.escaped = false
		j.w.WriteByte(c)
	case c == '\\':
		j.escaped = true
		j.w.WriteByte(c)
	case c == '"':
		j.inString = false
		j.w.WriteByte(c)
	case c == 0x7f:
		j.w.WriteString(`\u007f`)
	case c == 0xc2:
		j.c2 = true
	default:
		j.w.WriteByte(c)
	}
}

func (j *jsonWriter) newline() {
	j.w.WriteByte('\n')
	for range j.depth {
		j.w.WriteString("  ")
	}
}
