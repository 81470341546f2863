package httpclient

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"testing"
	"testing/iotest"
)

// pattern is n bytes that differ from one position to the next, so a body
// cut or shuffled anywhere fails the comparison.
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('a' + i%23 + i/4093%3)
	}
	return b
}

func TestReadBody(t *testing.T) {
	const limit = 10000
	body := pattern(7000)
	long := pattern(limit + 1)
	errBoom := errors.New("boom")
	cases := []struct {
		name   string
		r      io.Reader
		hint   int64
		want   []byte
		full   bool
		err    error
		maxCap int
	}{
		{"exact hint", bytes.NewReader(body), 7000, body, false, nil, 7000},
		{"no hint", bytes.NewReader(body), -1, body, false, nil, limit},
		{"hint too small", bytes.NewReader(body), 10, body, false, nil, limit},
		{"hint too big", bytes.NewReader(body), 9000, body, false, nil, 9000},
		{"hint past the limit", bytes.NewReader(long), 1 << 30, long[:limit], true, nil, limit},
		{"one byte a read", iotest.OneByteReader(bytes.NewReader(body)), 7000, body, false, nil, 7000},
		{"half reads, no hint", iotest.HalfReader(bytes.NewReader(body)), 0, body, false, nil, limit},
		{"data with EOF", iotest.DataErrReader(bytes.NewReader(body)), 7000, body, false, nil, 7000},
		{"exactly the limit", bytes.NewReader(long[:limit]), limit, long[:limit], true, nil, limit},
		{"one past the limit, no hint", bytes.NewReader(long), 0, long[:limit], true, nil, limit},
		{"empty", bytes.NewReader(nil), 0, []byte{}, false, nil, 512},
		{"error midway", io.MultiReader(bytes.NewReader(body[:100]), iotest.ErrReader(errBoom)), 7000, body[:100], false, errBoom, 7000},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, full, err := readBody(c.r, c.hint, limit)
			if !bytes.Equal(got, c.want) || full != c.full || !errors.Is(err, c.err) {
				t.Errorf("got %d bytes (equal %v), full %v, err %v; want %d bytes, full %v, err %v",
					len(got), bytes.Equal(got, c.want), full, err, len(c.want), c.full, c.err)
			}
			if cap(got) > c.maxCap {
				t.Errorf("buffer grew to %d bytes; at most %d expected", cap(got), c.maxCap)
			}
		})
	}
}

// bodyServer serves n bytes of pattern, with a Content-Length or chunked.
func bodyServer(t *testing.T, n int, withLength bool) (*httptest.Server, []byte) {
	body := pattern(n)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if withLength {
			w.Header().Set("Content-Length", strconv.Itoa(n))
		}
		for b := body; len(b) > 0; {
			k := min(len(b), 100<<10)
			w.Write(b[:k])
			if !withLength {
				w.(http.Flusher).Flush() // chunked: no size known in advance
			}
			b = b[k:]
		}
	}))
	t.Cleanup(srv.Close)
	return srv, body
}

func get(t *testing.T, c *Client, url string) *Response {
	t.Helper()
	ex := c.Do(context.Background(), &Request{Method: "GET", URL: url, Header: http.Header{}})
	if ex.Err != nil {
		t.Fatal(ex.Err)
	}
	return ex.Response
}

// A body with a Content-Length is read into one buffer of that size: the
// read that finds EOF does not double it (bytes.Buffer.ReadFrom did, and a
// 50 MiB body took 151 MiB).
func TestBodyBufferSizedFromContentLength(t *testing.T) {
	const n = 8<<20 + 7
	srv, body := bodyServer(t, n, true)
	c := New(Options{})
	get(t, c, srv.URL) // warm the connection pool and the server
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	r := get(t, c, srv.URL)
	runtime.ReadMemStats(&after)
	if !bytes.Equal(r.Body, body) || r.BodyBytes != n || r.Truncated {
		t.Fatalf("body of %d bytes (equal %v), %d counted, truncated %v", len(r.Body), bytes.Equal(r.Body, body), r.BodyBytes, r.Truncated)
	}
	if cap(r.Body) != n {
		t.Errorf("buffer of %d bytes for a body of %d", cap(r.Body), n)
	}
	alloc := after.TotalAlloc - before.TotalAlloc
	if alloc > n+n/2 {
		t.Errorf("allocated %d bytes to read a body of %d", alloc, n)
	}
	t.Logf("allocated %.2f MiB for a %.2f MiB body", float64(alloc)/(1<<20), float64(n)/(1<<20))
}

func TestBodyLimits(t *testing.T) {
	const limit = 1 << 20
	for _, withLength := range []bool{true, false} {
		for _, n := range []int{0, 1, limit - 1, limit, limit + 1, 3 * limit} {
			t.Run(fmt.Sprintf("length %v, %d bytes", withLength, n), func(t *testing.T) {
				srv, body := bodyServer(t, n, withLength)
				r := get(t, New(Options{BodyLimit: limit}), srv.URL)
				kept := min(n, limit)
				if !bytes.Equal(r.Body, body[:kept]) || r.BodyBytes != int64(n) || r.Truncated != (n > limit) {
					t.Errorf("kept %d bytes (equal %v), counted %d, truncated %v", len(r.Body), bytes.Equal(r.Body, body[:kept]), r.BodyBytes, r.Truncated)
				}
				if cap(r.Body) > limit {
					t.Errorf("buffer of %d bytes with a limit of %d", cap(r.Body), limit)
				}
			})
		}
	}
}

// A server that promises more than it sends: the bytes that came are kept,
// and the error says the body was cut.
func TestBodyShorterThanContentLength(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000")
		io.WriteString(w, "only this")
		// Hijack and close: net/http would otherwise refuse the short write.
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}))
	defer srv.Close()
	ex := New(Options{}).Do(context.Background(), &Request{Method: "GET", URL: srv.URL, Header: http.Header{}})
	if ex.Err == nil {
		t.Fatal("a body cut short was read without an error")
	}
	if ex.Response == nil || ex.Response.Status != 200 {
		t.Fatalf("the response was lost with the error: %+v", ex.Response)
	}
}

func BenchmarkReadBody(b *testing.B) {
	for _, size := range []int{64 << 10, 50 << 20} {
		body := pattern(size)
		for _, hint := range []int64{int64(size), -1} {
			b.Run(fmt.Sprintf("%dKiB/hint=%v", size>>10, hint > 0), func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(size))
				for b.Loop() {
					if _, _, err := readBody(bytes.NewReader(body), hint, DefaultBodyLimit); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
