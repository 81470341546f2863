package ui

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"keyhole/httpclient"
)

// bodyDoc is a response body ready to draw. It indexes the lines of the kept
// bytes instead of copying them: a 50 MiB JSON body pretty-printed into
// strings takes three to four times its size (the indented text, then a
// string header per line), where the index takes about one. A line is
// indented, escaped for the terminal and wrapped only when it comes on screen.
type bodyDoc struct {
	src   []byte
	json  bool
	lines []docLine
	rows  *rowIndex        // for the last width asked
	cache map[int][]string // wrapped rows of lines drawn lately, for rows.width
	spill *spilled         // the body past the client's limit, after lines
}

// docLine is one line of the body: 12 bytes, whatever its length.
type docLine struct {
	off   uint32 // where it starts in src; it ends where the next one starts
	cols  uint32 // at most this many columns once escaped, indentation aside
	depth uint16 // JSON nesting, drawn as two spaces each
	cont  bool   // a long JSON string cut: the line starts inside the string
}

// rowIndex maps screen rows to lines for one width.
type rowIndex struct {
	width int
	start []uint32 // first row of each line; nil when every line is one row
	total int
}

// maxLineBytes cuts longer lines so that drawing one stays cheap: a minified
// document without a newline would otherwise be one line rewrapped per frame.
const maxLineBytes = 16 << 10

// maxIndent caps the nesting drawn as indentation. A hostile body of nested
// brackets would otherwise make every line thousands of columns of spaces,
// each wrapped into screens of blank rows.
const maxIndent = 32

// maxSrc is the most a doc indexes: offsets are 32-bit to keep lines small,
// and the client keeps 50 MiB by default.
const maxSrc = 1<<32 - 1

// bigBody is the size past which formatBody trades CPU for memory.
const bigBody = 8 << 20

// hexLimit bounds the hex dump of a binary body: past it the dump would be
// hundreds of megabytes of text nobody reads in a terminal.
const hexLimit = 64 << 10

// formatBody indexes resp's body: JSON pretty-printed (also a JSON body cut
// by the client's limit, up to the cut), binary as a hex dump, text as is.
// It reads the whole body; call it in a Cmd.
func formatBody(resp *httpclient.Response) *bodyDoc {
	d := &bodyDoc{}
	if resp == nil || len(resp.Body) == 0 {
		return d
	}
	b := resp.Body[:min(len(resp.Body), maxSrc)]
	switch {
	case httpclient.IsBinary(b):
		// A hex dump stops long before the limit; a spill would not follow it.
		d.src = []byte(httpclient.HexDump(b, hexLimit))
		d.indexText()
	case looksJSON(resp, b) && (json.Valid(b) || resp.Truncated):
		d.src, d.json = b, true
		if !d.indexJSON() {
			d.json, d.lines = false, nil
			d.indexText()
		}
	default:
		d.src = b
		d.indexText()
	}
	d.lines = slices.Clip(d.lines)
	if resp.Spill != "" && !httpclient.IsBinary(b) {
		d.spill = indexSpill(resp.Spill)
	}
	return d
}

// docFor masks what the user did not ask to see, formats and counts rows
// for width: all of a response's display work, for a Cmd. A big body is
// walked several times (masking, indexing, rows), each leaving garbage;
// with Go's default GOGC the heap may reach twice what is live before a
// collection, past the 3x-the-body goal, so collection runs sooner then.
func docFor(resp *httpclient.Response, secrets bool, width int) *bodyDoc {
	if resp != nil && len(resp.Body) > bigBody {
		defer eagerGC()()
	}
	d := formatBody(shownResponse(resp, secrets))
	d.rowsAt(width)
	return d
}

// eagerGC lowers GOGC until the returned func is called. Formatting Cmds
// may overlap, so the setting is counted: the last one out restores it.
func eagerGC() (restore func()) {
	gcMu.Lock()
	defer gcMu.Unlock()
	if gcUsers == 0 {
		gcSaved = debug.SetGCPercent(25)
	}
	gcUsers++
	return func() {
		gcMu.Lock()
		defer gcMu.Unlock()
		if gcUsers--; gcUsers == 0 {
			debug.SetGCPercent(gcSaved)
		}
	}
}

var (
	gcMu    sync.Mutex
	gcUsers int
	gcSaved int
)

// formatFor is formatBody with its rows counted for width, so that the first
// frame after it arrives does not count them on the UI goroutine.
func formatFor(resp *httpclient.Response, width int) *bodyDoc {
	d := formatBody(resp)
	d.rowsAt(width)
	return d
}

func looksJSON(resp *httpclient.Response, b []byte) bool {
	if strings.Contains(strings.ToLower(resp.Header.Get("Content-Type")), "json") {
		return true
	}
	t := bytes.TrimSpace(b)
	return len(t) > 0 && (t[0] == '{' || t[0] == '[')
}

// runeCols bounds the columns a byte sequence starting at b[0] takes once
// escaped by httpclient.Safe and safeText, and says how many bytes it spans.
func runeCols(b []byte) (cols, size int) {
	c := b[0]
	if c < utf8.RuneSelf {
		if c < 0x20 || c == 0x7f {
			return 4, 1 // \x1b, and a tab becomes four spaces
		}
		return 1, 1
	}
	r, size := utf8.DecodeRune(b)
	switch {
	case r == utf8.RuneError && size == 1:
		return 4, 1 // \xff
	case r <= 0x9f || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069:
		return 6, size // \u009b
	}
	return 2, size // a wide rune at most
}

func (d *bodyDoc) add(off, cols, depth int, cont bool) {
	d.lines = append(d.lines, docLine{off: uint32(off), cols: uint32(cols), depth: uint16(min(depth, maxIndent)), cont: cont})
}

// indexText makes a line of every newline-ended run of bytes.
func (d *bodyDoc) indexText() {
	src := d.src
	// Sized once: growing by appending would copy the index several times over.
	d.lines = make([]docLine, 0, bytes.Count(src, []byte("\n"))+len(src)/maxLineBytes+1)
	start, cols := 0, 0
	for i := 0; i < len(src); {
		c := src[i]
		if c == '\n' {
			d.add(start, cols, 0, false)
			i++
			start, cols = i, 0
			continue
		}
		if i-start >= maxLineBytes && utf8.RuneStart(c) {
			d.add(start, cols, 0, false)
			start, cols = i, 0
		}
		n, size := runeCols(src[i:])
		cols += n
		i += size
	}
	if start < len(src) {
		d.add(start, cols, 0, false)
	}
}

// indexJSON lays out JSON the way json.Indent does with two spaces, keeping
// only where each line starts. encoding/json can only write the indented copy,
// which is what this avoids; it also stops at the first error, where a body
// cut by the client's limit should still be shown indented up to the cut.
// A cut body cannot be validated, so it reports false on a byte that no JSON
// has outside strings: the body is then shown as text, every byte as sent.
func (d *bodyDoc) indexJSON() bool {
	src := d.src
	n := 1 + len(src)/maxLineBytes
	for _, c := range []byte("{}[],") {
		n += bytes.Count(src, []byte{c}) // a line ends at each, at most
	}
	d.lines = make([]docLine, 0, n)
	depth, start, cols, cont := 0, -1, 0, false
	begin := func(i int) {
		if start < 0 {
			start, cols = i, 0
		}
	}
	end := func() {
		if start >= 0 {
			d.add(start, cols, depth, cont)
			start, cont = -1, false
		}
	}
	for i := 0; i < len(src); i++ {
		switch c := src[i]; c {
		case ' ', '\t', '\n', '\r':
		case '{', '[':
			begin(i)
			cols++
			j := i + 1
			for j < len(src) && strings.IndexByte(" \t\n\r", src[j]) >= 0 {
				j++
			}
			if j < len(src) && (src[j] == '}' || src[j] == ']') {
				cols++ // {} and [] stay on their line
				i = j
				continue
			}
			end()
			depth++
		case '}', ']':
			end()
			depth = max(depth-1, 0)
			begin(i)
			cols++
		case ',':
			begin(i)
			cols++
			end()
		case ':':
			begin(i) // only a broken body starts a line with one
			cols += 2
		case '"':
			begin(i)
			cols++
			esc := false
			j := i + 1
			for ; j < len(src); j++ {
				b := src[j]
				if !esc && j-start >= maxLineBytes && utf8.RuneStart(b) {
					d.add(start, cols, depth, cont)
					start, cols, cont = j, 0, true
				}
				n, size := runeCols(src[j:])
				cols += n
				j += size - 1
				if esc {
					esc = false
				} else if b == '\\' {
					esc = true
				} else if b == '"' {
					break
				}
			}
			i = j
		default:
			if !jsonScalar[c] {
				return false
			}
			begin(i)
			cols++
		}
	}
	end()
	return true
}

// jsonScalar holds the bytes of numbers, true, false and null.
var jsonScalar = func() (t [256]bool) {
	for _, c := range []byte("0123456789+-.eEtruefalsn") {
		t[c] = true
	}
	return t
}()

// end is where line i stops in src.
func (d *bodyDoc) end(i int) int {
	if i+1 < len(d.lines) {
		return int(d.lines[i+1].off)
	}
	return len(d.src)
}

// text draws line i: indented, escaped, not wrapped.
func (d *bodyDoc) text(i int) string {
	if i >= len(d.lines) {
		return d.spill.text(i - len(d.lines))
	}
	l := d.lines[i]
	span := d.src[l.off:d.end(i)]
	if !d.json {
		span = bytes.TrimSuffix(span, []byte("\n"))
		span = bytes.TrimSuffix(span, []byte("\r"))
		return safeText(string(span))
	}
	out := make([]byte, 0, 2*int(l.depth)+int(l.cols))
	for range l.depth {
		out = append(out, ' ', ' ')
	}
	in, esc := l.cont, false
	for _, c := range span {
		switch {
		case in:
			out = append(out, c)
			if esc {
				esc = false
			} else if c == '\\' {
				esc = true
			} else if c == '"' {
				in = false
			}
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
		case c == ':':
			out = append(out, ':', ' ')
		default:
			in = c == '"'
			out = append(out, c)
		}
	}
	// One line each: only a body cut inside a string has a raw newline here.
	return safeLine(string(out))
}

// rowsAt counts the rows of every line at width. A line whose column bound
// fits is one row without being drawn, which is nearly every line of a real
// body; the others are drawn and wrapped once to count.
func (d *bodyDoc) rowsAt(width int) *rowIndex {
	if d.rows != nil && d.rows.width == width {
		return d.rows
	}
	ri := &rowIndex{width: width}
	count := d.count()
	for i := range count {
		n := 1
		if d.bound(i) > width {
			n = len(wrap([]string{d.text(i)}, width))
		}
		if n != 1 && ri.start == nil {
			ri.start = make([]uint32, i, count)
			for k := range i {
				ri.start[k] = uint32(k)
			}
		}
		if ri.start != nil {
			ri.start = append(ri.start, uint32(ri.total))
		}
		ri.total += n
	}
	d.rows, d.cache = ri, nil
	return ri
}

// row draws screen row r of the body at width.
func (d *bodyDoc) row(r, width int) string {
	ri := d.rowsAt(width)
	if ri.start == nil {
		return d.text(r) // every line is one row at this width
	}
	i := sort.Search(len(ri.start), func(i int) bool { return int(ri.start[i]) > r }) - 1
	k := r - int(ri.start[i])
	rows, ok := d.cache[i]
	if !ok {
		rows = wrap([]string{d.text(i)}, width)
		if d.cache == nil || len(d.cache) > 256 {
			d.cache = map[int][]string{} // a screen is far fewer lines; the rest scrolled away
		}
		d.cache[i] = rows
	}
	return rows[min(k, len(rows)-1)]
}

// all draws every line, unwrapped: for small bodies and tests.
func (d *bodyDoc) all() []string {
	if d.count() == 0 {
		return nil
	}
	out := make([]string, d.count())
	for i := range out {
		out[i] = d.text(i)
	}
	return out
}

// count is the lines of the body: the kept ones, then those of the spill.
func (d *bodyDoc) count() int { return len(d.lines) + d.spill.count() }

// bound is at most the columns line i takes, unwrapped.
func (d *bodyDoc) bound(i int) int {
	if i < len(d.lines) {
		return 2*int(d.lines[i].depth) + int(d.lines[i].cols)
	}
	return d.spill.bound(i - len(d.lines))
}

// spilled is the body past the client's limit, in the file the client wrote
// it to. Its lines are indexed like the kept ones and read from the file
// when they come on screen, so a body of any size scrolls without being in
// memory. It is shown as sent: formatting JSON from the middle of a
// document, without what came before, would guess at its nesting.
type spilled struct {
	name  string
	f     *os.File
	size  int64
	lines []spillLine
	err   error // the file could not be read: said on the separator line
}

// close closes the spill file the doc reads from, if any.
func (d *bodyDoc) close() {
	if d.spill != nil && d.spill.f != nil {
		d.spill.f.Close()
	}
}

// spillLine is one line of the spill: where it starts, and a column bound.
type spillLine struct {
	off  int64
	cols uint32
}

// indexSpill reads the spill file once to find its lines. It reads the
// whole file; call it in a Cmd.
func indexSpill(name string) *spilled {
	s := &spilled{name: name}
	f, err := os.Open(name)
	if err != nil {
		s.err = err
		return s
	}
	s.f = f
	// Sized once from a first, fast pass over the file: growing the index
	// by appending left two to three times its size in garbage.
	n, err := countLines(f)
	if err != nil {
		s.err = err
		return s
	}
	s.lines = make([]spillLine, 0, n)
	r := bufio.NewReaderSize(f, 64<<10)
	var off, start int64
	cols := 0
	for {
		c, size, err := r.ReadRune()
		if err != nil {
			if err != io.EOF {
				s.err = err
			}
			break
		}
		if c == '\n' {
			s.lines = append(s.lines, spillLine{off: start, cols: uint32(cols)})
			off++
			start, cols = off, 0
			continue
		}
		if off-start >= maxLineBytes {
			s.lines = append(s.lines, spillLine{off: start, cols: uint32(cols)})
			start, cols = off, 0
		}
		cols += spillCols(c, size)
		off += int64(size)
	}
	if start < off {
		s.lines = append(s.lines, spillLine{off: start, cols: uint32(cols)})
	}
	s.size, s.lines = off, slices.Clip(s.lines)
	return s
}

// countLines bounds the lines indexSpill finds in f (newlines, and cuts of
// long lines) and leaves f at its start.
func countLines(f *os.File) (int, error) {
	buf := make([]byte, 256<<10)
	n, size := 1, 0
	for {
		k, err := f.Read(buf)
		n += bytes.Count(buf[:k], []byte("\n"))
		size += k
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, err
		}
	}
	_, err := f.Seek(0, io.SeekStart)
	return n + size/maxLineBytes, err
}

// spillCols is runeCols for a decoded rune.
func spillCols(r rune, size int) int {
	switch {
	case r < utf8.RuneSelf && (r < 0x20 || r == 0x7f):
		return 4
	case r < utf8.RuneSelf:
		return 1
	case r == utf8.RuneError && size == 1:
		return 4
	case r <= 0x9f || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069:
		return 6
	}
	return 2
}

// count is the spill's lines and the line that introduces them.
func (s *spilled) count() int {
	if s == nil {
		return 0
	}
	return 1 + len(s.lines)
}

func (s *spilled) bound(i int) int {
	if i == 0 {
		return width(s.text(0))
	}
	return int(s.lines[i-1].cols)
}

// text draws line i of the spill; line 0 says where the rest comes from.
func (s *spilled) text(i int) string {
	if i == 0 {
		if s.err != nil {
			return safeLine(fmt.Sprintf("··· the rest of the body is in %s, which cannot be read: %v", s.name, s.err))
		}
		return safeLine(fmt.Sprintf("··· past the client's limit: %s more, as sent, read from %s", byteSize(s.size), s.name))
	}
	l := s.lines[i-1]
	end := s.size
	if i < len(s.lines) {
		end = s.lines[i].off
	}
	buf := make([]byte, end-l.off)
	if _, err := s.f.ReadAt(buf, l.off); err != nil && err != io.EOF {
		return safeLine(fmt.Sprintf("(%s cannot be read: %v)", s.name, err))
	}
	buf = bytes.TrimSuffix(buf, []byte("\n"))
	buf = bytes.TrimSuffix(buf, []byte("\r"))
	return safeText(string(buf))
}
