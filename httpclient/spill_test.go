package httpclient

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// spillFiles lists the files in dir.
func spillFiles(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, filepath.Join(dir, e.Name()))
	}
	return out
}

// The bytes past the limit go to a 0600 file holding exactly them, with or
// without a Content-Length; Close removes it.
func TestSpillHoldsTheBytesPastTheLimit(t *testing.T) {
	const limit, extra = 1 << 20, 300<<10 + 7
	for _, withLength := range []bool{true, false} {
		srv, body := bodyServer(t, limit+extra, withLength)
		dir := t.TempDir()
		r := get(t, New(Options{BodyLimit: limit, SpillDir: dir}), srv.URL)
		if !bytes.Equal(r.Body, body[:limit]) || !r.Truncated || r.BodyBytes != limit+extra {
			t.Fatalf("length %v: kept %d bytes, truncated %v, counted %d; want %d, true, %d",
				withLength, len(r.Body), r.Truncated, r.BodyBytes, limit, limit+extra)
		}
		if r.Spill == "" || filepath.Dir(r.Spill) != dir {
			t.Fatalf("length %v: spill %q, want a file in %s", withLength, r.Spill, dir)
		}
		fi, err := os.Stat(r.Spill)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("spill mode %v, want 0600: the body may hold secrets", fi.Mode().Perm())
		}
		got, err := os.ReadFile(r.Spill)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != extra || !bytes.Equal(got, body[limit:]) {
			t.Fatalf("length %v: spill has %d bytes, want the %d past the limit", withLength, len(got), extra)
		}
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
		if left := spillFiles(t, dir); len(left) != 0 || r.Spill != "" {
			t.Fatalf("after Close: files %v, Spill %q", left, r.Spill)
		}
	}
}

// A body that ends at the limit, and a client without SpillDir, leave no file.
func TestNoSpillWithoutBytesPastTheLimit(t *testing.T) {
	const limit = 256 << 10
	srv, _ := bodyServer(t, limit, true)
	dir := t.TempDir()
	if r := get(t, New(Options{BodyLimit: limit, SpillDir: dir}), srv.URL); r.Spill != "" || r.Truncated {
		t.Errorf("a body of exactly the limit: spill %q, truncated %v", r.Spill, r.Truncated)
	}
	if left := spillFiles(t, dir); len(left) != 0 {
		t.Errorf("files left: %v", left)
	}
	big, _ := bodyServer(t, 2*limit, true)
	if r := get(t, New(Options{BodyLimit: limit}), big.URL); r.Spill != "" || !r.Truncated || r.BodyBytes != 2*limit {
		t.Errorf("without SpillDir: spill %q, truncated %v, counted %d", r.Spill, r.Truncated, r.BodyBytes)
	}
}

// A SpillDir that cannot be written to is no failure: the rest is counted.
func TestSpillDirMissingCountsTheRest(t *testing.T) {
	const limit = 64 << 10
	srv, _ := bodyServer(t, 3*limit, false)
	r := get(t, New(Options{BodyLimit: limit, SpillDir: filepath.Join(t.TempDir(), "gone")}), srv.URL)
	if r.Spill != "" || !r.Truncated || r.BodyBytes != 3*limit {
		t.Errorf("spill %q, truncated %v, counted %d; want none, true, %d", r.Spill, r.Truncated, r.BodyBytes, 3*limit)
	}
}

// A gzip body's spill is compressed bytes that do not follow the decoded
// Body, so it is not kept.
func TestGzipBodyKeepsNoSpill(t *testing.T) {
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(pattern(4 << 20))
	zw.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(z.Bytes())
	}))
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	c := New(Options{BodyLimit: int64(z.Len() / 2), SpillDir: dir})
	ex := c.Do(t.Context(), &Request{Method: "GET", URL: srv.URL, Header: http.Header{"Accept-Encoding": {"gzip"}}})
	if ex.Err != nil {
		t.Fatal(ex.Err)
	}
	if r := ex.Response; r.Encoding != "gzip" || r.Spill != "" {
		t.Errorf("encoding %q, spill %q; want gzip and no spill", r.Encoding, r.Spill)
	}
	if left := spillFiles(t, dir); len(left) != 0 {
		t.Errorf("files left: %v", left)
	}
}

// RemoveSpills removes what Close was not called for.
func TestRemoveSpills(t *testing.T) {
	const limit = 64 << 10
	srv, _ := bodyServer(t, 2*limit, true)
	dir := t.TempDir()
	c := New(Options{BodyLimit: limit, SpillDir: dir})
	for range 3 {
		get(t, c, srv.URL)
	}
	if n := len(spillFiles(t, dir)); n != 3 {
		t.Fatalf("%d spill files, want 3", n)
	}
	if err := RemoveSpills(); err != nil {
		t.Fatal(err)
	}
	if left := spillFiles(t, dir); len(left) != 0 {
		t.Errorf("files left after RemoveSpills: %v", left)
	}
}

// The spilled part never passes through memory whole: 64 MiB past a 1 MiB
// limit allocate a small fraction of it.
func TestSpillIsNotHeldInMemory(t *testing.T) {
	const limit, extra = 1 << 20, 64 << 20
	srv, _ := bodyServer(t, limit+extra, true)
	c := New(Options{BodyLimit: limit, SpillDir: t.TempDir()})
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	r := get(t, c, srv.URL)
	runtime.ReadMemStats(&after)
	defer r.Close()
	if r.BodyBytes != limit+extra {
		t.Fatalf("counted %d bytes, want %d", r.BodyBytes, limit+extra)
	}
	// The server's body (allocated before) is not counted; the client's
	// share is the kept MiB and its buffers.
	if got := after.TotalAlloc - before.TotalAlloc; got > limit+8<<20 {
		t.Errorf("allocated %d MiB while spilling %d MiB", got>>20, extra>>20)
	}
}

// A spill stops at SpillLimit: a server that sends without end cannot fill
// the disk. What is past it is counted.
func TestSpillStopsAtItsLimit(t *testing.T) {
	const limit, extra, cap = 64 << 10, 1 << 20, 100 << 10
	srv, body := bodyServer(t, limit+extra, false)
	dir := t.TempDir()
	r := get(t, New(Options{BodyLimit: limit, SpillDir: dir, SpillLimit: cap}), srv.URL)
	defer r.Close()
	got, err := os.ReadFile(r.Spill)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, body[limit:limit+cap]) || r.BodyBytes != limit+extra || !r.Truncated {
		t.Errorf("spill of %d bytes (want %d), counted %d (want %d), truncated %v", len(got), cap, r.BodyBytes, limit+extra, r.Truncated)
	}
}
