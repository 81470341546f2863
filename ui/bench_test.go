package ui

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"keyhole/httpclient"
	"keyhole/session"
)

// jsonBody builds a compact JSON array of user records of about size bytes,
// the shape of a real API listing: nested objects, arrays, escapes, numbers.
func jsonBody(size int) []byte {
	var b bytes.Buffer
	b.Grow(size + 512)
	b.WriteByte('[')
	for i := 0; b.Len() < size; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":%d,"login":"user%d","email":"user%d@example.test","active":%t,`+
			`"roles":["reader","writer"],"profile":{"name":"User \"%d\"","city":"Zürich","score":%d.%02d},`+
			`"token":null}`, i, i, i, i%3 != 0, i, i%1000, i%100)
	}
	b.WriteByte(']')
	return b.Bytes()
}

// serveBody answers every request with body as JSON on a loopback server.
func serveBody(tb testing.TB, body []byte) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body)
	}))
	tb.Cleanup(srv.Close)
	return srv.URL
}

// drive feeds msgs to m and runs the commands they return the way the
// program does, feeding back the model's own messages, for benchmarks that
// cannot use press (it takes a *testing.T).
func drive(tb testing.TB, m Model, msgs ...tea.Msg) Model {
	tb.Helper()
	var run func(tea.Cmd)
	queue := []tea.Msg{}
	run = func(c tea.Cmd) {
		if c == nil {
			return
		}
		switch msg := c().(type) {
		case tea.BatchMsg:
			for _, c := range msg {
				run(c)
			}
		default:
			if ours(msg) {
				queue = append(queue, msg)
			}
		}
	}
	queue = append(queue, msgs...)
	for len(queue) > 0 {
		msg := queue[0]
		queue = queue[1:]
		next, cmd := m.Update(msg)
		m = next.(Model)
		run(cmd)
	}
	return m
}

// peakHeap samples the heap while f runs and returns the highest HeapAlloc
// above what was in use before.
func peakHeap(f func()) uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var s runtime.MemStats
		for {
			runtime.ReadMemStats(&s)
			if s.HeapAlloc > peak.Load() {
				peak.Store(s.HeapAlloc)
			}
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	f()
	close(stop)
	wg.Wait()
	runtime.ReadMemStats(&ms)
	if ms.HeapAlloc > peak.Load() {
		peak.Store(ms.HeapAlloc)
	}
	return peak.Load() - min(base, peak.Load())
}

// bigBodyModel sends a JSON body of size bytes through the real path (loopback
// server, Session.Send, sentMsg) and scrolls to its middle. It returns the
// peak heap while the body arrived and was formatted, per byte of body.
func bigBodyModel(b *testing.B, size int) (Model, float64) {
	body := jsonBody(size)
	u := serveBody(b, body)
	m := New(Options{URL: u})
	m = drive(b, m, tea.WindowSizeMsg{Width: 200, Height: 50})
	peak := peakHeap(func() { m = drive(b, m, enter) })
	if m.resp.total() < size/200 {
		b.Fatalf("a %d-byte body gave %d lines; status %q", size, m.resp.total(), m.Status())
	}
	doc, resp := m.resp.doc, m.sess.Last().Exchange.Response
	b.Cleanup(func() { doc.close(); resp.Close() }) // a body past 50 MiB spilled to a file
	for m.Focused() != "response" {
		m = drive(b, m, tab)
	}
	m.resp.scroll(m.resp.total() / 2)
	return m, float64(peak) / float64(len(body))
}

// benchView times one frame; ratio, when not 0, is reported as peak-heap/body.
func benchView(b *testing.B, m Model, ratio float64) {
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		_ = m.View()
	}
	if ratio != 0 {
		b.ReportMetric(ratio, "peak-heap/body") // after the loop: ResetTimer drops metrics
	}
}

func BenchmarkViewBigBody1MB(b *testing.B) {
	m, ratio := bigBodyModel(b, 1<<20)
	benchView(b, m, ratio)
}

func BenchmarkViewBigBody60MB(b *testing.B) {
	m, ratio := bigBodyModel(b, 60<<20)
	benchView(b, m, ratio)
}

// BenchmarkScrollKeystroke60MB is one keystroke in the response pane of a
// 60 MB body: Update with down or pgdown, then the frame it draws.
func BenchmarkScrollKeystroke60MB(b *testing.B) {
	m, ratio := bigBodyModel(b, 60<<20)
	pgdn := tea.KeyPressMsg{Code: tea.KeyPgDown}
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		k := down
		if i%2 == 1 {
			k = pgdn
		}
		i++
		next, _ := m.Update(k)
		m = next.(Model)
		_ = m.View()
	}
	b.ReportMetric(ratio, "peak-heap/body")
}

// BenchmarkView1000Attempts draws a frame with 1,000 attempts in the
// timeline; BenchmarkView1Attempt is the same frame with one, to show what
// the count costs.
func BenchmarkView1000Attempts(b *testing.B) { benchAttempts(b, 1000) }
func BenchmarkView1Attempt(b *testing.B)     { benchAttempts(b, 1) }

func benchAttempts(b *testing.B, n int) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Basic realm="x"`)
		w.WriteHeader(401)
	}))
	b.Cleanup(srv.Close)
	m := New(Options{URL: srv.URL + "/a/rather/long/path/that/needs/an/ellipsis/in/the/timeline?page=1"})
	m = drive(b, m, tea.WindowSizeMsg{Width: 200, Height: 50})
	m = drive(b, m, enter)
	var as []*session.Attempt
	for range n {
		as = append(as, m.sess.Last())
	}
	m.tl.set(as)
	m = drive(b, m, tea.WindowSizeMsg{Width: 200, Height: 50})
	benchView(b, m, 0)
}

// BenchmarkResizeBigBody60MB is a terminal resize with a 60 MB body shown:
// the rows of every line are counted again for the new width.
func BenchmarkResizeBigBody60MB(b *testing.B) {
	m, _ := bigBodyModel(b, 60<<20)
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		i++
		next, _ := m.Update(tea.WindowSizeMsg{Width: 200 - i%2*40, Height: 50})
		m = next.(Model)
		_ = m.View()
	}
}

// BenchmarkViewSpill draws a frame in the middle of a 40 MiB body of which
// the client keeps 8 MiB and spills the rest: the rows on screen are read
// from the spill file. peak-heap/body is the heap while it arrived and was
// indexed, per byte of the whole body.
func BenchmarkViewSpill(b *testing.B) {
	var body bytes.Buffer
	for i := 0; body.Len() < 40<<20; i++ {
		fmt.Fprintf(&body, "%d user%d@example.test active=%t score=%d\n", i, i, i%3 != 0, i%1000)
	}
	u := serveBody(b, body.Bytes())
	m := New(Options{URL: u})
	m.sess.SetClient(httpclient.New(httpclient.Options{BodyLimit: 8 << 20, SpillDir: b.TempDir()}))
	m = drive(b, m, tea.WindowSizeMsg{Width: 200, Height: 50})
	peak := peakHeap(func() { m = drive(b, m, enter) })
	resp := m.sess.Last().Exchange.Response
	if resp.Spill == "" {
		b.Fatalf("no spill; status %q", m.Status())
	}
	b.Cleanup(func() { resp.Close() })
	for m.Focused() != "response" {
		m = drive(b, m, tab)
	}
	m.resp.scroll(m.resp.total() * 3 / 4)
	benchView(b, m, float64(peak)/float64(body.Len()))
}

// benchSizes are the body sizes of the size-sweep benchmarks: around the
// kept-body limit (50 MiB) on both sides, to show there is no step there.
var benchSizes = []int{1 << 20, 10 << 20, 49 << 20, 51 << 20, 200 << 20}

// BenchmarkEnterToShown is Enter on the URL until the body's first rows
// are drawn, through a loopback server, for bodies of each size (past
// 50 MiB the rest spills to a file). peak-heap/body is the heap while it
// arrived and was formatted.
func BenchmarkEnterToShown(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(fmt.Sprintf("%dMB", size>>20), func(b *testing.B) {
			body := jsonBody(size)
			u := serveBody(b, body)
			b.SetBytes(int64(len(body)))
			var peak uint64
			for b.Loop() {
				m := drive(b, New(Options{URL: u}), tea.WindowSizeMsg{Width: 200, Height: 50})
				peak = max(peak, peakHeap(func() { m = drive(b, m, enter) }))
				_ = m.View()
				if m.resp.shownDoc() == nil {
					b.Fatalf("no body shown; status %q", m.Status())
				}
				b.StopTimer()
				m.resp.setDoc(nil)
				m.sess.Last().Exchange.Response.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(peak)/float64(len(body)), "peak-heap/body")
		})
	}
}

// BenchmarkResizeSizes is a terminal resize and its frame with a body of
// each size shown.
func BenchmarkResizeSizes(b *testing.B) {
	for _, size := range []int{1 << 20, 10 << 20, 60 << 20, 200 << 20} {
		b.Run(fmt.Sprintf("%dMB", size>>20), func(b *testing.B) {
			m, _ := bigBodyModel(b, size)
			i := 0
			for b.Loop() {
				i++
				next, _ := m.Update(tea.WindowSizeMsg{Width: 200 - i%2*120, Height: 50})
				m = next.(Model)
				_ = m.View()
			}
		})
	}
}

// BenchmarkPageDown200MB is page-down and its frame in a 200 MB body.
func BenchmarkPageDown200MB(b *testing.B) {
	m, _ := bigBodyModel(b, 200<<20)
	pgdn := tea.KeyPressMsg{Code: tea.KeyPgDown}
	for b.Loop() {
		next, _ := m.Update(pgdn)
		m = next.(Model)
		_ = m.View()
	}
}

// BenchmarkKeystrokeWhileLoading is a keystroke (Update and its frame)
// while another goroutine formats a 60 MB body, as the body Cmd does when
// a response arrives: the formatting must not stall the UI.
func BenchmarkKeystrokeWhileLoading(b *testing.B) {
	body := jsonBody(60 << 20)
	resp := &httpclient.Response{Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: body, BodyBytes: int64(len(body))}
	m := drive(b, New(Options{URL: "http://127.0.0.1:1/"}), tea.WindowSizeMsg{Width: 200, Height: 50})
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
				docFor(resp, false, nil, 200)
			}
		}
	}()
	b.Cleanup(func() { close(stop); <-done })
	keys := []tea.Msg{tea.KeyPressMsg{Code: 'a', Text: "a"}, tea.KeyPressMsg{Code: tea.KeyBackspace}}
	i := 0
	for b.Loop() {
		next, _ := m.Update(keys[i%2])
		m = next.(Model)
		_ = m.View()
		i++
	}
}

// BenchmarkDocForEchoScrub is formatting a 48 MiB JSON body for the response
// pane after credentials were sent, so what the server may echo of them is
// masked too (docFor's echo replacer). peak-heap/body is the heap while it
// ran.
func BenchmarkDocForEchoScrub(b *testing.B) {
	body := jsonBody(48 << 20)
	resp := &httpclient.Response{Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: body, BodyBytes: int64(len(body))}
	echo := httpclient.NewScrubber([]string{"alice:wonderland", "d29uZGVybGFuZA"}, true)
	b.SetBytes(int64(len(body)))
	var peak uint64
	for b.Loop() {
		peak = max(peak, peakHeap(func() { docFor(resp, false, echo, 120) }))
	}
	b.ReportMetric(float64(peak)/float64(len(body)), "peak-heap/body")
}
