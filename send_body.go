package main

import (
	"bufio"
	"fmt"
	"io"
	"unicode/utf8"
	"unsafe"

	"keyhole/httpclient"
	"keyhole/session"
)

// writeHAR saves the attempts as HAR 1.2, private to the user: even masked,
// a HAR names hosts, users and paths.
// It is streamed into a new file renamed over path (see session.WriteFile).
func writeHAR(path string, attempts []*session.Attempt, showSecrets bool) error {
	err := session.WriteFile(path, func(w io.Writer) error { return session.WriteHAR(w, attempts, showSecrets) })
	if err != nil {
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
func writeJSON(w io.Writer, v any) error { return session.WriteJSON(w, v, true) }
