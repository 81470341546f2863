package ui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"keyhole/credentials"
	"keyhole/httpclient"
)

func jsonResp(b []byte, cut bool) *httpclient.Response {
	return &httpclient.Response{Header: http.Header{"Content-Type": {"application/json"}}, Body: b, Truncated: cut}
}

// indented is what encoding/json makes of b, made safe, one string per line,
// without the trailing space json.Indent keeps.
func indented(t testing.TB, b []byte) []string {
	var buf bytes.Buffer
	if err := json.Indent(&buf, b, "", "  "); err != nil {
		t.Fatalf("json.Indent: %v", err)
	}
	return strings.Split(safeText(strings.TrimRight(buf.String(), " \t\r\n")), "\n")
}

func TestFormatBodyIndentsLikeEncodingJSON(t *testing.T) {
	for _, in := range []string{
		`{"a":{"b":[1,2]}}`,
		` [ {} , [ ] , { "k" : "v:,{}[]" , "e" : "\"\\" } , null, true , -1.5e3 ] `,
		`"just a string"`,
		`{"wide":"漢字","bidi":"\u202e","raw":"` + "\u202e\u0085" + `"}`,
		string(jsonBody(4 << 10)),
	} {
		got := formatBody(jsonResp([]byte(in), false)).all()
		want := indented(t, []byte(in))
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%.40q:\ngot  %q\nwant %q", in, got, want)
		}
	}
}

func TestFormatBodyIndentsJSONCutByTheLimit(t *testing.T) {
	b := []byte(`{"users":[{"id":1,"name":"ann"},{"id":2,"na`)
	got := formatBody(jsonResp(b, true)).all()
	want := []string{`{`, `  "users": [`, `    {`, `      "id": 1,`, `      "name": "ann"`, `    },`, `    {`, `      "id": 2,`, `      "na`}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got %q\nwant %q", got, want)
	}
	// Cut, but a byte no JSON has outside a string: shown as text.
	odd := []byte(`{"a": 1, look at me, "b`)
	if got := formatBody(jsonResp(odd, true)).all(); len(got) != 1 || got[0] != string(odd) {
		t.Errorf("cut non-JSON shown as %q", got)
	}
	// Not cut, the same bytes are not JSON: shown as they came, nothing dropped.
	if got := formatBody(jsonResp(b, false)).all(); len(got) != 1 || got[0] != string(b) {
		t.Errorf("invalid JSON shown as %q", got)
	}
}

func TestDeepNestingIsNotDrawnAsScreensOfSpaces(t *testing.T) {
	b := []byte(strings.Repeat("[", 5000) + strings.Repeat("]", 5000))
	d := formatBody(jsonResp(b, false))
	if rows := d.rowsAt(80).total; rows != len(d.lines) {
		t.Fatalf("%d lines take %d rows at 80 columns; indentation should stop at %d levels", len(d.lines), rows, maxIndent)
	}
}

func TestLongLinesAreCutAndWrapped(t *testing.T) {
	long := strings.Repeat("abcdefghij", 5000) // 50,000 bytes, one line
	for _, body := range []string{long + "\nend\n", `["` + long + `","end"]`} {
		d := formatBody(jsonResp([]byte(body), false))
		if len(d.lines) < 4 {
			t.Fatalf("a 50 kB line is %d lines; want it cut at %d bytes", len(d.lines), maxLineBytes)
		}
		joined := strings.ReplaceAll(strings.Join(d.all(), ""), " ", "")
		if !strings.Contains(joined, long) || !strings.Contains(joined, "end") {
			t.Fatal("cutting lost bytes")
		}
		rows := d.rowsAt(80)
		var text strings.Builder
		for r := range rows.total {
			s := d.row(r, 80)
			if w := ansi.StringWidth(s); w > 80 {
				t.Fatalf("row %d is %d wide", r, w)
			}
			text.WriteString(strings.TrimSpace(s))
		}
		if !strings.Contains(text.String(), long) {
			t.Fatal("rows at width 80 do not hold the whole line")
		}
	}
}

// FuzzFormatBody: server bytes, drawn row by row at any width, keep no
// control character and fit; valid JSON reads as encoding/json indents it.
func FuzzFormatBody(f *testing.F) {
	f.Add([]byte(`{"a":[1,2,{"b":"\u001b[2J"}]}`), true, 20)
	f.Add([]byte("one\r\ntwo\tthree\x1b]52;c;aGk=\x07\n"), false, 7)
	f.Add([]byte("[\"\xff\xfe\u202e\", {\"k\": [ ]}]"), true, 3)
	f.Add([]byte{0x89, 'P', 'N', 'G', 0, 0xff, 0x9b}, false, 30)
	f.Fuzz(func(t *testing.T, body []byte, cut bool, width int) {
		width = 2 + abs(width)%300
		d := formatBody(jsonResp(body, cut))
		for r := range d.rowsAt(width).total {
			l := d.row(r, width)
			if strings.ContainsFunc(l, func(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) }) {
				t.Fatalf("row %d keeps a control character: %q", r, l)
			}
			if w := ansi.StringWidth(l); w > width {
				t.Fatalf("row %d is %d wide at %d: %q", r, w, width, l)
			}
		}
		for i, l := range d.lines {
			if bound := 2*int(l.depth) + int(l.cols); ansi.StringWidth(d.text(i)) > bound {
				t.Fatalf("line %d is wider than its bound %d: %q", i, bound, d.text(i))
			}
		}
		deep := slices.ContainsFunc(d.lines, func(l docLine) bool { return l.depth >= maxIndent })
		if d.json && !deep && json.Valid(body) && len(body) > 0 && !httpclient.IsBinary(body) {
			if got, want := strings.Join(d.all(), "\n"), strings.Join(indented(t, body), "\n"); got != want {
				t.Fatalf("got %q\nwant %q", got, want)
			}
		}
	})
}

func TestByteSize(t *testing.T) {
	for n, want := range map[int64]string{512: "512 bytes", 3500: "3.4 KiB", 50 << 20: "50 MiB", 61<<20 + 300<<10: "61.3 MiB", 200 << 20: "200 MiB"} {
		if got := byteSize(n); got != want {
			t.Errorf("byteSize(%d) = %q, want %q", n, got, want)
		}
	}
}

// spillServer answers with n numbered text lines ("line 1" ... "line n"),
// of which the client keeps limit bytes and spills the rest.
func spillServer(t *testing.T, n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "line %d \x1b[31mred\u009b\n", i)
	}
	body := b.String()
	return serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte(body))
	})
}

// The body past the client's limit is scrolled into from the spill file,
// escaped like the rest, down to its last line; the pane says so.
func TestResponseScrollsIntoTheSpill(t *testing.T) {
	u := spillServer(t, 20000)
	dir := t.TempDir()
	m := New(Options{URL: u})
	m.sess.SetClient(httpclient.New(httpclient.Options{BodyLimit: 64 << 10, SpillDir: dir}))
	m = sized(t, m, 200, 50) // wide enough for the temp dir's long path
	m = press(t, m, enter)
	a := m.sess.Last()
	spill := a.Exchange.Response.Spill
	if spill == "" {
		t.Fatalf("no spill; status %q", m.Status())
	}
	defer a.Exchange.Response.Close()
	mustContain(t, screen(m), "Body 418.8 KiB; past 64.0 KiB it scrolls in from", spill)
	for m.Focused() != "response" {
		m = press(t, m, tab)
	}
	m.resp.scroll(m.resp.total())
	s := screen(m)
	mustContain(t, s, `line 20000 \x1b[31mred\u009b`)
	if strings.Contains(m.View().Content, "\x1b[31mred") {
		t.Error("a colour sequence from the spill reached the terminal")
	}
	// The separator sits where the kept part ends.
	all := m.resp.doc.all()
	sep := slices.IndexFunc(all, func(l string) bool { return strings.Contains(l, "past the client's limit") })
	if sep < 0 || !strings.Contains(all[sep], spill) {
		t.Fatalf("no separator naming %s before the spilled lines", spill)
	}
	if last := all[len(all)-1]; last != `line 20000 \x1b[31mred\u009b` {
		t.Errorf("last line %q", last)
	}
	// Every line is there once, across the cut.
	n := 0
	for _, l := range all {
		if strings.HasPrefix(l, "line ") {
			n++
		}
	}
	if n < 20000 || n > 20001 { // the line cut by the limit is two halves
		t.Errorf("%d lines drawn, want 20000 (or 20001 with the cut one in two)", n)
	}
	// A doc replaced by another closes its spill file.
	old := m.resp.doc
	m.resp.setDoc(nil)
	if _, err := old.spill.f.Stat(); err == nil {
		t.Error("the replaced doc's spill file is still open")
	}
}

// A spill file that is gone by the time the body is formatted is said, not
// a crash.
func TestSpillThatCannotBeRead(t *testing.T) {
	d := formatBody(&httpclient.Response{Header: http.Header{}, Body: []byte("a\nb\n"), Truncated: true, Spill: "/nonexistent/keyhole-body-1"})
	all := d.all()
	if len(all) != 3 || !strings.Contains(all[2], "cannot be read") {
		t.Errorf("lines %q", all)
	}
}

// FuzzSpill indexes a spill file of any bytes: its lines cover the file in
// order, each drawn line fits its column bound and carries no control
// character to the terminal.
func FuzzSpill(f *testing.F) {
	f.Add([]byte("line 1\nline 2\r\n\x1b[31mred\u009b\n\xff\xfe tail"))
	f.Add(bytes.Repeat([]byte("漢"), maxLineBytes/3+5))
	f.Add([]byte("\n\n\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		name := filepath.Join(t.TempDir(), "spill")
		if err := os.WriteFile(name, data, 0o600); err != nil {
			t.Fatal(err)
		}
		s := indexSpill(name, int64(len(data)), nil)
		defer s.f.Close()
		if s.err != nil || s.size != int64(len(data)) {
			t.Fatalf("err %v, size %d of %d", s.err, s.size, len(data))
		}
		var next int64
		for i, l := range s.lines {
			if off := int64(l.off); off < next || off > s.size || i == 0 && off != 0 {
				t.Fatalf("line %d starts at %d after %d", i, l.off, next)
			}
			next = int64(l.off) + 1
		}
		for i := range s.count() {
			txt := s.text(i)
			if strings.ContainsFunc(txt, func(r rune) bool { return r < 0x20 || r >= 0x7f && r <= 0x9f }) {
				t.Fatalf("line %d keeps a control character: %q", i, txt)
			}
			if i > 0 && ansi.StringWidth(txt) > s.bound(i) {
				t.Fatalf("line %d is %d wide, bound %d: %q", i, ansi.StringWidth(txt), s.bound(i), txt)
			}
		}
	})
}

// Overlapping formatting Cmds restore GOGC only when the last one ends.
func TestEagerGCNests(t *testing.T) {
	before := debug.SetGCPercent(100)
	defer debug.SetGCPercent(before)
	a := eagerGC()
	b := eagerGC()
	a()
	if got := debug.SetGCPercent(25); got != 25 {
		t.Fatalf("GOGC %d while a formatting Cmd still runs, want 25", got)
	}
	b()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Fatalf("GOGC %d after both ended, want 100 restored", got)
	}
}

// A 60 MB JSON body keeps 50 MiB and spills the rest: no secret-named
// value shows in clear on any line, in the kept part, in one cut in two by
// the limit, or in the spill; f8 shows them.
func TestSecretsMaskedAcrossTheLimit(t *testing.T) {
	pad := `{"pad":"` + strings.Repeat("p", 16<<10) + `"},`
	var b bytes.Buffer
	b.WriteString(`[{"access_token":"SECRET-KEPT-1"},`)
	for b.Len() < httpclient.DefaultBodyLimit-200 {
		b.WriteString(pad)
	}
	b.WriteString(`{"id_token":"SECRET-CUT-` + strings.Repeat("c", 400) + `"},`) // the limit falls in it
	for b.Len() < 55<<20 {
		b.WriteString(pad)
	}
	b.WriteString("{\"refresh_token\":\"SECRET-SPILL-3\",\n\"Password\": {\"a\": [\"SECRET-NESTED-4\"]}, \"code\": \"UNAUTHORIZED\"},")
	for b.Len() < 60<<20 {
		b.WriteString(pad)
	}
	b.WriteString(`{"client_secret":"SECRET-LAST-5"}]`)
	body := b.Bytes()
	u := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})
	m := sized(t, New(Options{URL: u}), 120, 40)
	m = press(t, m, enter)
	resp := m.sess.Last().Exchange.Response
	if resp.Spill == "" {
		t.Fatalf("no spill; status %q", m.Status())
	}
	t.Cleanup(func() { m.resp.setDoc(nil); resp.Close() })
	lines := m.resp.doc.all()
	masks := 0
	for i, l := range lines {
		if strings.Contains(l, "SECRET-") {
			t.Errorf("line %d of %d shows a secret: %.120q", i, len(lines), l)
		}
		masks += strings.Count(l, credentials.Redacted)
	}
	if masks < 5 || !slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, "UNAUTHORIZED") }) {
		t.Errorf("%d masks, want 5, and the error code shown", masks)
	}
	m.secrets = true
	if d := docFor(resp, true, nil, 120); !slices.ContainsFunc(d.all(), func(l string) bool { return strings.Contains(l, "SECRET-SPILL-3") }) {
		t.Error("with secrets shown, the spilled token is not")
	}
}

// A line of numbers or colons longer than a string may be is cut too, and
// each piece's column bound holds (docLine.cols is 16 bits).
func TestLongScalarRunsAreCut(t *testing.T) {
	for _, body := range []string{"[" + strings.Repeat("1", 100_000) + "]", `{"a"` + strings.Repeat(":", 100_000) + "1}"} {
		d := formatBody(jsonResp([]byte(body), true))
		for i := range d.lines {
			if w := ansi.StringWidth(d.text(i)); w > d.bound(i) {
				t.Fatalf("line %d is %d wide, bound %d", i, w, d.bound(i))
			}
		}
		if len(d.lines) < 5 {
			t.Errorf("%d lines; want the run cut", len(d.lines))
		}
	}
}

func TestEchoScrubbedIsTheReplacersOutput(t *testing.T) {
	echo := httpclient.NewScrubber([]string{"wonderland", "alice:wonderland"}, true)
	for _, body := range []string{"", "x", "wonderland", `{"echo":"alice:wonderland","n":1}` + "wonderland", strings.Repeat("wonderlan", 1000) + "d"} {
		got := string(echoScrubbed(echo, []byte(body)))
		if want := echo.Replace(body); got != want {
			t.Errorf("echoScrubbed(%.40q) = %.60q, want %.60q", body, got, want)
		}
	}
}
