package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// Issue 17 item 10: an answer that was cut short (a body stopped by the
// timeout, a broken chunked stream, a redirect loop stopped at the hop
// limit) is not a success: exit status 6, a finding, and the reason printed
// in every mode.
func TestSendCutShortAnswerFails(t *testing.T) {
	stall := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/slow":
			w.Header().Set("Content-Length", "100")
			w.WriteHeader(200)
			fmt.Fprint(w, "the first part")
			w.(http.Flusher).Flush()
			select {
			case <-stall:
			case <-time.After(10 * time.Second):
			}
		case "/chunked":
			conn, buf, _ := w.(http.Hijacker).Hijack()
			defer conn.Close()
			buf.WriteString("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nZZ\r\nbroken")
			buf.Flush()
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		}
	}))
	defer srv.Close()
	defer close(stall) // before Close, which waits for the stalled handler
	for _, c := range []struct{ path, want string }{
		{"/slow", "timed out"},
		{"/chunked", "cut short"},
		{"/loop", "redirect"},
	} {
		for _, mode := range [][]string{{}, {"-q"}, {"--json"}} {
			args := append(append([]string{"send", "--timeout", "1s"}, mode...), srv.URL+c.path)
			r := keyhole(t, runOpts{}, args...)
			wantCode(t, r, exitCutShort, args...)
			if !strings.Contains(r.all(), c.want) {
				t.Errorf("%q: the output does not say %q:\n%s", args, c.want, r.all())
			}
		}
	}
}
