package httpclient

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSafe(t *testing.T) {
	for _, tc := range []struct{ in, safe, line string }{
		{"plain text", "plain text", "plain text"},
		{"tab\tand\nnewline", "tab\tand\nnewline", `tab\tand\nnewline`},
		{"\x1b]0;pwned\x07title", `\x1b]0;pwned\x07title`, `\x1b]0;pwned\x07title`},
		{"\x1b[2J clear", `\x1b[2J clear`, `\x1b[2J clear`},
		{"cr\rover", `cr\rover`, `cr\rover`},
		{"del\x7f", `del\x7f`, `del\x7f`},
		{"c1 \u009b31m csi", `c1 \u009b31m csi`, `c1 \u009b31m csi`},
		{"nel \u0085 end", `nel \u0085 end`, `nel \u0085 end`},
		{"bad \xff\xfe utf8", `bad \xff\xfe utf8`, `bad \xff\xfe utf8`},
		{"cut \xe2\x82", `cut \xe2\x82`, `cut \xe2\x82`},
		{"bidi \u202egnp.exe", `bidi \u202egnp.exe`, `bidi \u202egnp.exe`},
		{"unicode £ ü 日本 ✓", "unicode £ ü 日本 ✓", "unicode £ ü 日本 ✓"},
		{"nul\x00", `nul\x00`, `nul\x00`},
		{"", "", ""},
	} {
		if got := Safe(tc.in); got != tc.safe {
			t.Errorf("Safe(%q) = %q, want %q", tc.in, got, tc.safe)
		}
		if got := SafeLine(tc.in); got != tc.line {
			t.Errorf("SafeLine(%q) = %q, want %q", tc.in, got, tc.line)
		}
	}
}

func TestSafeDoesNotAllocateClean(t *testing.T) {
	s := strings.Repeat("WWW-Authenticate: Basic realm=\"ünïcödé\"\n", 1000)
	if n := testing.AllocsPerRun(10, func() { _ = Safe(s) }); n != 0 {
		t.Errorf("Safe allocated %v times on a clean string", n)
	}
}

func TestIsBinary(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	for _, tc := range []struct {
		in   []byte
		want bool
	}{
		{[]byte(`{"error":"invalid_token"}`), false},
		{[]byte("<html>\n\t<body>ünïcödé</body>\n</html>\r\n"), false},
		{[]byte("colour \x1b[31mred\x1b[0m"), false},
		{png, true},
		{[]byte{0xff, 0xfe, 0xfd, 0xfc, 'a', 'b'}, true},
		{[]byte("text with one \x01 control among many characters"), false},
		{bytes.Repeat([]byte("\x01\x02\x03abcdefgh"), 100), true},
		{nil, false},
		// A rune cut in half at the 8 KiB window is still text.
		{append(bytes.Repeat([]byte("a"), binarySniff-1), "日本"...), false},
	} {
		if got := IsBinary(tc.in); got != tc.want {
			t.Errorf("IsBinary(%.40q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestHexDump(t *testing.T) {
	b := []byte("\x1b[2J\x00\x01hello, world\x7f\xff!")
	full := HexDump(b, 0)
	want := "00000000  1b 5b 32 4a 00 01 68 65  6c 6c 6f 2c 20 77 6f 72  |.[2J..hello, wor|\n" +
		"00000010  6c 64 7f ff 21                                    |ld..!|\n"
	if full != want {
		t.Errorf("HexDump =\n%s\nwant\n%s", full, want)
	}
	cut := HexDump(b, 16)
	if !strings.HasPrefix(cut, want[:strings.IndexByte(want, '\n')+1]) || !strings.HasSuffix(cut, "… 5 more bytes not shown\n") {
		t.Errorf("HexDump(16) =\n%s", cut)
	}
	if Safe(full) != full {
		t.Error("HexDump output is not terminal-safe")
	}
}

func checkSafe(t *testing.T, in, out string, line bool) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("%q → %q: not valid UTF-8", in, out)
	}
	for i, r := range out {
		switch {
		case r == '\t' || r == '\n':
			if line {
				t.Fatalf("%q → %q: raw %q at %d in a line", in, out, r, i)
			}
		case r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f:
			t.Fatalf("%q → %q: control %U at %d", in, out, r, i)
		}
	}
	if firstUnsafe(in, line) < 0 && out != in {
		t.Fatalf("%q changed to %q though nothing needed escaping", in, out)
	}
}

func BenchmarkSafe(b *testing.B) {
	clean := strings.Repeat(`{"error":"invalid_token","error_description":"ünïcödé"}`+"\n", 16<<10)
	dirty := strings.Repeat("\x1b[31mred\x1b[0m \u009b text ", 32<<10)
	ascii := strings.Repeat(`{"id": 1, "name": "item-1", "tags": ["auth", "token", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"], "active": false},`, 8<<10)
	for _, bc := range []struct{ name, s string }{{"clean-1MiB", clean}, {"ascii-json-1MiB", ascii}, {"escapes-1MiB", dirty}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.s)))
			for b.Loop() {
				_ = Safe(bc.s)
			}
		})
	}
}
