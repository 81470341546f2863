package ui

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

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
