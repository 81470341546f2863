package httpclient

import (
	"bufio"
	"strings"
	"testing"
)

// Issue 17 item 5: ESC or BEL in a response header made Go refuse the whole
// answer, so a hostile server could hide its 401 and challenge behind "no
// response". The status, headers and body are now recovered as sent.
func TestControlCharacterHeaderIsRecovered(t *testing.T) {
	u := rawServer(t, "HTTP/1.1 401 Unauthorized\x07\r\nWWW-Authenticate: Basic realm=\"evil\x1b[2J\"\r\nX-Note: clipboard\x1b]52;c;aGk=\x07\r\nContent-Length: 4\r\n\r\nnope")
	ex := do(t, New(Options{}), "GET", u, nil, nil)
	if ex.Err != nil || ex.Response == nil {
		t.Fatalf("no response: %v", ex.Err)
	}
	if ex.Response.Status != 401 || string(ex.Response.Body) != "nope" || len(ex.Challenges) != 1 || ex.Challenges[0].Param("realm") != "evil\x1b[2J" {
		t.Errorf("recovered %+v, challenges %+v", ex.Response, ex.Challenges)
	}
	// A POST is not sent twice: its refusal stays an error.
	ex = do(t, New(Options{}), "POST", u, nil, []byte("a=1"))
	if kindOf(ex.Err) != KindMalformedHeader {
		t.Errorf("POST: %v", ex.Err)
	}
}

func TestReadLenientHead(t *testing.T) {
	r, err := ReadLenientHead(bufio.NewReader(strings.NewReader("HTTP/1.0 200 Fine \x1b[31m\r\nA: 1\r\nno colon here\r\n B: folded\r\nA:  2 \r\n\r\nbody")))
	if err != nil || r.Status != 200 || r.StatusText != "Fine \x1b[31m" || strings.Join(r.Header["A"], "|") != "1 B: folded|2" {
		t.Errorf("%+v %v", r, err)
	}
	for _, bad := range []string{"", "SSH-2.0-OpenSSH\r\n", "HTTP/1.1 abc OK\r\n", "HTTP/2 200\r\n"} {
		if _, err := ReadLenientHead(bufio.NewReader(strings.NewReader(bad))); err == nil {
			t.Errorf("%q read as a status line", bad)
		}
	}
	huge := "HTTP/1.1 200 OK\r\nX: " + strings.Repeat("a", MaxHeaderBytes) + "\r\n\r\n"
	if _, err := ReadLenientHead(bufio.NewReader(strings.NewReader(huge))); err == nil {
		t.Error("a header block past MaxHeaderBytes was read whole")
	}
}

// FuzzReadLenientHead: whatever a server sends, the lenient reader neither
// panics nor reads past MaxHeaderBytes.
func FuzzReadLenientHead(f *testing.F) {
	f.Add("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"\x1b[2J\"\r\n\r\n")
	f.Add("HTTP/1.1 200 OK\r\n folded\r\nA\r\n:\r\n")
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ReadLenientHead(bufio.NewReader(strings.NewReader(s)))
		if err == nil && (r.Status < 100 || r.Status > 999 || r.Header == nil) {
			t.Fatalf("%q: %+v", s, r)
		}
	})
}
