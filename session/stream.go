package session

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"unicode/utf8"
)

// holes takes the big bodies out of a document while encoding/json encodes
// the rest, and writes them back into the stream after it. json.Encoder
// builds the whole document in memory (and SetIndent a second, indented
// copy): with a 50 MiB body of NUL bytes, each one written as \u0000, that
// was 1.6 GiB. Each body taken out leaves a placeholder, a string made of a
// NUL and a random nonce that no body can guess.
type holes struct {
	mark   string // the placeholder's start as encoding/json writes it
	nonce  string
	bodies []string
}

// holeMin is the size from which a body is streamed: smaller ones cost
// less in the document than a placeholder's bookkeeping.
const holeMin = 64 << 10

func newHoles() *holes {
	var b [8]byte
	rand.Read(b[:])
	n := hex.EncodeToString(b[:])
	return &holes{mark: `"\u0000` + n + `-`, nonce: n}
}

// punch returns the placeholder for s when s is big, else s.
func (h *holes) punch(s string) string {
	if len(s) < holeMin {
		return s
	}
	h.bodies = append(h.bodies, s)
	return "\x00" + h.nonce + "-" + strconv.Itoa(len(h.bodies)-1)
}

// records returns rs with their big bodies punched out, rs left as it is.
func (h *holes) records(rs []Record) []Record {
	out := make([]Record, len(rs))
	for i, r := range rs {
		r.Request.Body = h.punch(r.Request.Body)
		if r.Response != nil {
			rr := *r.Response
			rr.Body = h.punch(rr.Body)
			r.Response = &rr
		}
		out[i] = r
	}
	return out
}

// punched returns v with its big bodies punched out, for the documents
// keyhole writes; any other value comes back as it is.
func (h *holes) punched(v any) any {
	switch d := v.(type) {
	case Document:
		d.Attempts = h.records(d.Attempts)
		return d
	case File:
		d.Attempts = h.records(d.Attempts)
		return d
	case harLog:
		es := make([]harEntry, len(d.Log.Entries))
		for i, e := range d.Log.Entries {
			if e.Request.PostData != nil {
				pd := *e.Request.PostData
				pd.Text = h.punch(pd.Text)
				e.Request.PostData = &pd
			}
			e.Response.Content.Text = h.punch(e.Response.Content.Text)
			es[i] = e
		}
		d.Log.Entries = es
		return d
	}
	return v
}

// holeWriter writes the encoded document to w with each placeholder
// replaced by its body, escaped as a JSON string as it goes.
type holeWriter struct {
	w io.Writer
	h *holes
}

func (hw holeWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(hw.h.bodies) > 0 {
		i := bytes.Index(p, []byte(hw.h.mark))
		if i < 0 {
			break
		}
		j := bytes.IndexByte(p[i+len(hw.h.mark):], '"')
		k, err := strconv.Atoi(string(p[i+len(hw.h.mark) : i+len(hw.h.mark)+max(j, 0)]))
		if j < 0 || err != nil || k >= len(hw.h.bodies) {
			break // cannot happen: encoding/json wrote the placeholder whole
		}
		if _, err := hw.w.Write(p[:i]); err != nil {
			return 0, err
		}
		if err := writeJSONString(hw.w, hw.h.bodies[k]); err != nil {
			return 0, err
		}
		p = p[i+len(hw.h.mark)+j+1:]
	}
	if _, err := hw.w.Write(p); err != nil {
		return 0, err
	}
	return n, nil
}

// writeJSONString writes s as a JSON string in pieces: quotes, backslashes
// and controls escaped, DEL and the C1 controls too (U+009B is CSI to many
// terminals), U+2028 and U+2029 as encoding/json writes them, and invalid
// UTF-8 as U+FFFD, as encoding/json does.
func writeJSONString(w io.Writer, s string) error {
	buf := make([]byte, 0, 64<<10+16)
	buf = append(buf, '"')
	for i := 0; i < len(s); {
		if len(buf) >= 64<<10 {
			if _, err := w.Write(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case c == '"' || c == '\\':
				buf = append(buf, '\\', c)
			case c == '\n':
				buf = append(buf, '\\', 'n')
			case c == '\r':
				buf = append(buf, '\\', 'r')
			case c == '\t':
				buf = append(buf, '\\', 't')
			case c < 0x20 || c == 0x7f:
				buf = append(buf, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				buf = append(buf, c)
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			buf = append(buf, `\ufffd`...)
		case r <= 0x9f:
			buf = append(buf, '\\', 'u', '0', '0', hexDigits[r>>4], hexDigits[r&0xf])
		case r == '\u2028' || r == '\u2029':
			buf = append(buf, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			buf = append(buf, s[i:i+size]...)
		}
		i += size
	}
	buf = append(buf, '"')
	_, err := w.Write(buf)
	return err
}

// WriteFile writes a file only the user can read, through write, whole or
// not at all: into a new file beside path, renamed over it at the end. A
// file already at path does not lend it its mode, and a symbolic link
// there is refused rather than followed: a link planted where the user
// saves a HAR would otherwise choose where the session's data goes.
func WriteFile(path string, write func(io.Writer) error) error {
	fi, err := os.Lstat(path)
	switch {
	case err == nil && fi.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf("%s is a symbolic link; not writing through it: give a path to a regular file", path)
	case err == nil && !fi.Mode().IsRegular():
		return fmt.Errorf("%s is not a regular file; not replacing it", path)
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp") // mode 0600
	if err != nil {
		return fmt.Errorf("cannot write in %s: %w", dir, err)
	}
	name := tmp.Name()
	fail := func(err error) error {
		tmp.Close()
		os.Remove(name)
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if err := tmp.Chmod(0o600); err != nil && runtime.GOOS != "windows" {
		return fail(err)
	}
	if err := write(tmp); err != nil {
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		return fail(err)
	}
	if err := os.Rename(name, path); err != nil {
		os.Remove(name)
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	return nil
}
