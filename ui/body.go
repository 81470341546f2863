package ui

import (
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
	"unsafe"

	"github.com/charmbracelet/x/ansi"

	"keyhole/credentials"
	"keyhole/httpclient"
	"keyhole/session"
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
	wide  []wideLine       // the lines, kept and spilled, whose bound passes wideMin
	rows  *rowIndex        // for the last width asked
	cache map[int][]string // wrapped rows of lines drawn lately, for rows.width
	spill *spilled         // the body past the client's limit, after lines
}

// docLine is one line of the body: 8 bytes, whatever its length (a 48 MB
// JSON body has some 3.5 million lines).
type docLine struct {
	off   uint32 // where it starts in src; it ends where the next one starts
	cols  uint16 // at most this many columns once escaped, indentation aside
	depth uint8  // JSON nesting, drawn as two spaces each
	cont  bool   // a long JSON string cut: the line starts inside the string
}

// rowIndex maps screen rows to lines for one width. Only the lines that
// take more than one row are listed: a real body has few, and a resize
// then costs a pass over them, not over every line.
type rowIndex struct {
	width int
	multi []uint32 // the lines taking more than one row, in order
	extra []uint32 // extra[k]: the rows beyond one of multi[:k]; one longer than multi
	total int
}

// wideMin is the column bound past which a line is listed in bodyDoc.wide:
// narrower lines are one row at any width of the pane but the narrowest.
// Pretty-printed JSON has few lines wider.
const wideMin = 64

type wideLine struct{ line, bound uint32 }

// maxLineBytes cuts longer lines so that drawing one stays cheap: a minified
// document without a newline would otherwise be one line rewrapped per frame.
// A byte takes at most four columns escaped (\x1b), and a line may run a
// rune past the cut, so its columns fit docLine.cols.
const maxLineBytes = 12 << 10

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
// A big body is not validated first, a pass as long as the indexing: like
// a cut one, it is laid out as JSON unless a byte says it is none.
// It reads the whole body; call it in a Cmd.
func formatBody(resp *httpclient.Response) *bodyDoc { return formatMasked(resp, nil) }

// formatMasked is formatBody with the secrets of a JSON spill masked as
// scan, which has read the kept body, finds them in the rest.
func formatMasked(resp *httpclient.Response, scan *session.SecretScanner) *bodyDoc {
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
	case looksJSON(resp, b) && (resp.Truncated || len(b) > bigBody || json.Valid(b)):
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
		d.spill = indexSpill(resp.Spill, resp.BodyBytes-int64(len(resp.Body)), scan)
	}
	d.listWide()
	return d
}

// listWide lists the lines whose bound passes wideMin.
func (d *bodyDoc) listWide() {
	n := 0
	for i := range d.count() {
		if d.bound(i) > wideMin {
			n++
		}
	}
	d.wide = make([]wideLine, 0, n)
	for i := range d.count() {
		if b := d.bound(i); b > wideMin {
			d.wide = append(d.wide, wideLine{uint32(i), uint32(b)})
		}
	}
}

// docFor masks what the user did not ask to see, formats and counts rows
// for width: all of a response's display work, for a Cmd. A big body is
// walked several times (masking, indexing, rows), each leaving garbage;
// with Go's default GOGC the heap may reach twice what is live before a
// collection, past the 3x-the-body goal, so collection runs sooner then.
func docFor(resp *httpclient.Response, secrets bool, echo *strings.Replacer, width int) *bodyDoc {
	if resp != nil && len(resp.Body) > bigBody {
		defer eagerGC()()
	}
	if secrets || resp == nil || len(resp.Body) == 0 || !looksJSON(resp, resp.Body) {
		d := formatBody(shownResponse(resp, secrets, echo))
		d.rowsAt(width)
		return d
	}
	// JSON: the kept part masked, and the scanner that read it goes on
	// into the spill, where a value may have been cut in two.
	scan := session.NewSecretScanner(session.CodeIsSecret(resp.Body))
	var spans []session.Span
	scan.Scan(resp.Body, func(a, z int64) { spans = append(spans, session.Span{Start: int(a), End: int(z)}) })
	if resp.Spill == "" {
		scan.Flush(func(a, z int64) { spans = append(spans, session.Span{Start: int(a), End: int(z)}) })
	} else if a, ok := scan.Open(); ok {
		spans = append(spans, session.Span{Start: int(a), End: len(resp.Body)}) // the spill shows the rest masked
	}
	shown := resp
	if len(spans) > 0 {
		r := *resp
		r.Body = session.MaskSpans(resp.Body, spans)
		shown = &r
	}
	if echo != nil && resp.Spill == "" {
		// What the server echoes of the secrets sent; not with a spill, whose
		// offsets follow the kept part byte for byte.
		r := *shown
		r.Body = echoScrubbed(echo, shown.Body)
		shown = &r
	}
	d := formatMasked(shown, scan)
	d.rowsAt(width)
	return d
}

// echoScrubbed is b with what echo matches replaced, written once into a
// buffer of b's size. echo.Replace(string(b)) copied a big body four times
// (to a string, into the replacer's buffer, to its result, back to bytes):
// three times the body at the peak for a 48 MiB one. b is only read, so it
// is viewed as a string without a copy.
func echoScrubbed(echo *strings.Replacer, b []byte) []byte {
	if len(b) == 0 {
		return b
	}
	var out bytes.Buffer
	out.Grow(len(b))
	echo.WriteString(&out, unsafe.String(&b[0], len(b)))
	return out.Bytes()
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
	d.lines = append(d.lines, docLine{off: uint32(off), cols: uint16(cols), depth: uint8(min(depth, maxIndent)), cont: cont})
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
		if start >= 0 && i-start >= maxLineBytes {
			// A long run of numbers or colons is cut like a long string.
			d.add(start, cols, depth, cont)
			start, cols, cont = i, 0, false
		}
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
				if !esc {
					// Printable ASCII but quotes and backslashes, in one go.
					stop, k := min(len(src), start+maxLineBytes), j
					for k < stop && plainInString[src[k]] {
						k++
					}
					cols += k - j
					if j = k; j == len(src) {
						break
					}
				}
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

// printable holds the bytes that take one column as they are: printable ASCII.
// plainInString is printable without the bytes a JSON string treats apart.
var printable, plainInString = func() (p, q [256]bool) {
	for c := 0x20; c < 0x7f; c++ {
		p[c], q[c] = true, c != '"' && c != '\\'
	}
	return p, q
}()

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

// rowsAt counts the rows of every line at width. A line that fits its
// column bound is one row without being drawn, which is nearly every line
// of a real body, and only the lines wider than wideMin are looked at when
// the pane is wider than that. A line up to hardWrapAt columns is wrapped
// at words (wrap) to be counted; a longer one, a minified document's
// 12 KiB piece, is cut at the width (hardRows) and takes
// ceil(bound/(width-1)) rows without being drawn: a double-width rune may
// not fit a row's last column, and a generous bound leaves a blank row.
// So a resize of a 200 MB body costs a pass over its wide lines.
func (d *bodyDoc) rowsAt(width int) *rowIndex {
	if d.rows != nil && d.rows.width == width {
		return d.rows
	}
	ri := &rowIndex{width: width, extra: []uint32{0}}
	d.rows, d.cache = ri, nil
	check := func(i, bound int) {
		if n := d.rowsFor(i, bound, width); n > 1 {
			ri.multi = append(ri.multi, uint32(i))
			ri.extra = append(ri.extra, ri.extra[len(ri.extra)-1]+uint32(n-1))
		}
	}
	if width >= wideMin {
		for _, w := range d.wide {
			check(int(w.line), int(w.bound))
		}
	} else {
		for i := range d.count() {
			check(i, d.bound(i))
		}
	}
	ri.total = d.count() + int(ri.extra[len(ri.extra)-1])
	return ri
}

// hardWrapAt is the column bound past which a line is cut at the width
// rather than wrapped at words: counting word-wrapped rows means drawing.
const hardWrapAt = 1024

// rowsFor is the rows line i, of column bound bound, takes at width.
func (d *bodyDoc) rowsFor(i, bound, width int) int {
	switch {
	case bound <= width:
		return 1
	case bound > hardWrapAt:
		w := max(width-1, 1)
		return (bound + w - 1) / w
	}
	return len(d.wrapped(i, width))
}

// wrapped is line i drawn and wrapped at width, cached while width holds.
func (d *bodyDoc) wrapped(i, width int) []string {
	if rows, ok := d.cache[i]; ok {
		return rows
	}
	var rows []string
	if d.bound(i) > hardWrapAt {
		rows = strings.Split(ansi.Hardwrap(d.text(i), width, true), "\n")
	} else {
		rows = wrap([]string{d.text(i)}, width)
	}
	if d.cache == nil || len(d.cache) > 256 {
		d.cache = map[int][]string{} // a screen is far fewer lines; the rest scrolled away
	}
	d.cache[i] = rows
	return rows
}

// lineAt is the line shown at row r, and which of its rows r is.
func (d *bodyDoc) lineAt(r, width int) (line, k int) {
	ri := d.rowsAt(width)
	// The last multi-row line starting at or before r.
	j := sort.Search(len(ri.multi), func(j int) bool { return int(ri.multi[j])+int(ri.extra[j]) > r }) - 1
	if j < 0 {
		return r, 0
	}
	i, start := int(ri.multi[j]), int(ri.multi[j])+int(ri.extra[j])
	if n := int(ri.extra[j+1] - ri.extra[j]); r <= start+n {
		return i, r - start
	}
	return r - int(ri.extra[j+1]), 0
}

// rowOf is the first row of line i.
func (d *bodyDoc) rowOf(i, width int) int {
	ri := d.rowsAt(width)
	k := sort.Search(len(ri.multi), func(k int) bool { return int(ri.multi[k]) >= i })
	return i + int(ri.extra[k])
}

// row draws screen row r of the body at width.
func (d *bodyDoc) row(r, width int) string {
	i, k := d.lineAt(r, width)
	if d.bound(i) <= width {
		return d.text(i)
	}
	rows := d.wrapped(i, width)
	if k >= len(rows) {
		return ""
	}
	return rows[k]
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
// document, without what came before, would guess at its nesting. The
// secrets in it are masked as each line is drawn (spans).
type spilled struct {
	name  string
	f     *os.File
	size  int64
	rest  int64 // the bytes past the kept body, spilled or only counted
	lines []spillLine
	spans []session.Span // secret values, as offsets in the file
	err   error          // the file could not be read: said on the separator line
}

// close closes the spill file the doc reads from, if any.
func (d *bodyDoc) close() {
	if d.spill != nil && d.spill.f != nil {
		d.spill.f.Close()
	}
}

// spillLine is one line of the spill: where it starts, and a column bound.
// A spill stops at httpclient.DefaultSpillLimit, under 4 GiB.
type spillLine struct {
	off  uint32
	cols uint32
}

// indexSpill reads the spill file once to find its lines, and its secrets
// when scan is set (a JSON body, scan having read the kept part). rest is
// the bytes the server sent past the kept body. It reads the whole file;
// call it in a Cmd.
func indexSpill(name string, rest int64, scan *session.SecretScanner) *spilled {
	s := &spilled{name: name, rest: rest}
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
	base := int64(-1) // the scanner counts from the kept body's first byte
	found := func(a, z int64) {
		s.spans = append(s.spans, session.Span{Start: int(max(a-base, 0)), End: int(z - base)})
	}
	buf := make([]byte, 256<<10)
	var off, start int64 // where buf[0] is in the file; where the line began
	cols, keep := 0, 0
	for {
		k, err := io.ReadFull(f, buf[keep:])
		b := buf[:keep+k]
		if scan != nil {
			if base < 0 {
				base = scan.Offset()
			}
			scan.Scan(b[keep:], found)
		}
		end := len(b)
		if err == nil {
			end -= utf8.UTFMax // a rune cut by the read is taken with the next
		}
		i := 0
		for i < end {
			// Printable ASCII, most of any text, a column each, in one go.
			stop := min(end, int(start+maxLineBytes-off))
			j := i
			for j < stop && printable[b[j]] {
				j++
			}
			cols += j - i
			if i = j; i >= end {
				break
			}
			c := b[i]
			if c == '\n' {
				s.lines = append(s.lines, spillLine{off: uint32(start), cols: uint32(cols)})
				i++
				start, cols = off+int64(i), 0
				continue
			}
			if off+int64(i)-start >= maxLineBytes && utf8.RuneStart(c) {
				s.lines = append(s.lines, spillLine{off: uint32(start), cols: uint32(cols)})
				start, cols = off+int64(i), 0
			}
			n, size := runeCols(b[i:])
			cols += n
			i += size
		}
		if err != nil {
			if err != io.EOF && err != io.ErrUnexpectedEOF {
				s.err = err
			}
			off += int64(i)
			break
		}
		keep = copy(buf, b[i:])
		off += int64(i)
	}
	if scan != nil {
		scan.Flush(found)
	}
	if start < off {
		s.lines = append(s.lines, spillLine{off: uint32(start), cols: uint32(cols)})
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

// count is the spill's lines, the line that introduces them and, when the
// spill stopped at its limit, the line that says so.
func (s *spilled) count() int {
	if s == nil {
		return 0
	}
	if s.capped() {
		return 2 + len(s.lines)
	}
	return 1 + len(s.lines)
}

// capped reports whether the server sent more than the spill holds.
func (s *spilled) capped() bool { return s.err == nil && s.rest > s.size }

func (s *spilled) bound(i int) int {
	if i == 0 || i > len(s.lines) {
		return width(s.text(i))
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
	if i > len(s.lines) {
		return fmt.Sprintf("··· the spill stops at %s: %s more were counted, not kept", byteSize(s.size), byteSize(s.rest-s.size))
	}
	l := s.lines[i-1]
	end := s.size
	if i < len(s.lines) {
		end = int64(s.lines[i].off)
	}
	buf := make([]byte, end-int64(l.off))
	if _, err := s.f.ReadAt(buf, int64(l.off)); err != nil && err != io.EOF {
		return safeLine(fmt.Sprintf("(%s cannot be read: %v)", s.name, err))
	}
	buf = s.mask(buf, int(l.off))
	buf = bytes.TrimSuffix(buf, []byte("\n"))
	buf = bytes.TrimSuffix(buf, []byte("\r"))
	return safeText(string(buf))
}

// mask replaces the secrets in buf, the bytes of the file from off: a
// secret's first line shows the mask, the lines of a secret that spans
// several show nothing of it.
func (s *spilled) mask(buf []byte, off int) []byte {
	j := sort.Search(len(s.spans), func(j int) bool { return s.spans[j].End > off })
	if j == len(s.spans) || s.spans[j].Start >= off+len(buf) {
		return buf
	}
	out := make([]byte, 0, len(buf))
	at := off
	for ; j < len(s.spans) && s.spans[j].Start < off+len(buf); j++ {
		sp := s.spans[j]
		if sp.Start >= at {
			out = append(out, buf[at-off:sp.Start-off]...)
			out = append(out, redactedJSON...)
		}
		at = min(max(sp.End, at), off+len(buf))
	}
	return append(out, buf[at-off:]...)
}

var redactedJSON = `"` + credentials.Redacted + `"`
