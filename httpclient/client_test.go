package httpclient

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/textproto"
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// seen records the requests a test server received.
type seen struct {
	mu   sync.Mutex
	reqs []*http.Request
}

func (s *seen) add(r *http.Request) {
	s.mu.Lock()
	s.reqs = append(s.reqs, r.Clone(context.Background()))
	s.mu.Unlock()
}

func (s *seen) last(t *testing.T) *http.Request {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.reqs) == 0 {
		t.Fatal("the server saw no request")
	}
	return s.reqs[len(s.reqs)-1]
}

func serve(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func do(t *testing.T, c *Client, method, u string, h http.Header, body []byte) *Exchange {
	t.Helper()
	return c.Do(context.Background(), &Request{Method: method, URL: u, Header: h, Body: body})
}

func kindOf(err error) string {
	var te *TransportError
	if errors.As(err, &te) {
		return te.Kind
	}
	return fmt.Sprintf("not a *TransportError: %T %v", err, err)
}

func TestRedirectToAnotherPortDropsCredentials(t *testing.T) {
	var target seen
	b := serve(t, func(w http.ResponseWriter, r *http.Request) { target.add(r) })
	a := serve(t, func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, b.URL+"/landed", http.StatusFound) })
	h := http.Header{"Authorization": {"Basic dTpw"}, "Cookie": {"sid=1"}, "X-Other": {"kept"}}

	ex := do(t, New(Options{FollowRedirects: true}), "GET", a.URL+"/start", h, nil)
	if ex.Err != nil || ex.Response.Status != 200 {
		t.Fatalf("err %v, response %+v", ex.Err, ex.Response)
	}
	got := target.last(t)
	if got.Header.Get("Authorization") != "" || got.Header.Get("Cookie") != "" || got.Header.Get("X-Other") != "kept" {
		t.Errorf("the other origin got headers %v", got.Header)
	}
	if len(ex.Redirects) != 1 {
		t.Fatalf("redirects = %+v", ex.Redirects)
	}
	hop := ex.Redirects[0]
	if hop.Status != 302 || hop.To != b.URL+"/landed" || hop.CredentialsResent || strings.Join(hop.Dropped, ",") != "Authorization,Cookie" {
		t.Errorf("hop = %+v", hop)
	}
	if ex.Request.Header.Get("Authorization") == "" {
		t.Error("Exchange.Request lost the credentials it was sent with")
	}
	if ex.Response.URL != b.URL+"/landed" {
		t.Errorf("response URL %q", ex.Response.URL)
	}
}

func TestRedirectTrustedKeepsCredentials(t *testing.T) {
	var target seen
	b := serve(t, func(w http.ResponseWriter, r *http.Request) { target.add(r) })
	a := serve(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, b.URL+"/", http.StatusTemporaryRedirect)
	})
	ex := do(t, New(Options{FollowRedirects: true, TrustRedirects: true}), "GET", a.URL, http.Header{"Authorization": {"Bearer t"}}, nil)
	if ex.Err != nil {
		t.Fatal(ex.Err)
	}
	if target.last(t).Header.Get("Authorization") != "Bearer t" {
		t.Error("trusted redirect did not resend Authorization")
	}
	if hop := ex.Redirects[0]; !hop.CredentialsResent || len(hop.Dropped) != 0 {
		t.Errorf("hop = %+v", hop)
	}
}

func TestRedirectSameOriginAndMethods(t *testing.T) {
	var final seen
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/303":
			http.Redirect(w, r, "/final", http.StatusSeeOther)
		case "/307":
			http.Redirect(w, r, "/final", http.StatusTemporaryRedirect)
		case "/302":
			http.Redirect(w, r, "/final", http.StatusFound)
		case "/final":
			body, _ := io.ReadAll(r.Body)
			r.Header.Set("X-Body", string(body))
			final.add(r)
		}
	})
	c := New(Options{FollowRedirects: true})
	for _, tc := range []struct{ path, method, body string }{
		{"/303", "GET", ""}, {"/302", "GET", ""}, {"/307", "POST", "a=1"},
	} {
		ex := do(t, c, "POST", srv.URL+tc.path, http.Header{"Authorization": {"Basic x"}, "Content-Type": {"application/x-www-form-urlencoded"}}, []byte("a=1"))
		if ex.Err != nil {
			t.Fatal(ex.Err)
		}
		got := final.last(t)
		if got.Method != tc.method || got.Header.Get("X-Body") != tc.body {
			t.Errorf("%s: final request %s with body %q; want %s %q", tc.path, got.Method, got.Header.Get("X-Body"), tc.method, tc.body)
		}
		if got.Header.Get("Authorization") != "Basic x" || !ex.Redirects[0].CredentialsResent {
			t.Errorf("%s: same-origin redirect lost Authorization (hop %+v)", tc.path, ex.Redirects[0])
		}
	}
}

func TestRedirectLimitAndUnfollowed(t *testing.T) {
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/again", http.StatusFound) })
	ex := do(t, New(Options{FollowRedirects: true, MaxRedirects: 3}), "GET", srv.URL, nil, nil)
	// Stopped at the limit, the last redirect is the answer, cut short.
	if kindOf(ex.Err) != KindRedirectLimit || !ex.CutShort() || len(ex.Redirects) != 3 || ex.Response.Status != 302 {
		t.Errorf("err %v, %d redirects, status %d", ex.Err, len(ex.Redirects), ex.Response.Status)
	}
	ex = do(t, New(Options{}), "GET", srv.URL, nil, nil)
	if ex.Err != nil || len(ex.Redirects) != 0 || ex.Response.Status != 302 {
		t.Errorf("not following: err %v, %d redirects", ex.Err, len(ex.Redirects))
	}
}

func TestEveryChallengeLineParsed(t *testing.T) {
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("WWW-Authenticate", `Basic realm="one"`)
		w.Header().Add("WWW-Authenticate", `Bearer realm="two", error="invalid_token"`)
		w.Header().Add("WWW-Authenticate", `Negotiate, NTLM`)
		w.Header().Add("Proxy-Authenticate", `Digest realm="p", nonce="n", nonce="m"`)
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, "no entry")
	})
	ex := do(t, New(Options{}), "GET", srv.URL, nil, nil)
	if ex.Err != nil {
		t.Fatal(ex.Err)
	}
	if got := render(ex.Challenges); got != "Basic{realm=one} | Bearer{realm=two;error=invalid_token} | Negotiate | NTLM | Digest{realm=p;nonce=n}" {
		t.Errorf("challenges: %s", got)
	}
	if h := ex.Challenges[4].Header; h != ProxyAuthenticate {
		t.Errorf("last challenge header %q", h)
	}
	if len(ex.Problems) != 1 || ex.Problems[0].Header != ProxyAuthenticate {
		t.Errorf("problems %+v", ex.Problems)
	}
	if ex.Response.Status != 401 || ex.Response.StatusText != "Unauthorized" || string(ex.Response.Body) != "no entry" || ex.Response.BodyBytes != 8 {
		t.Errorf("response %+v", ex.Response)
	}
}

func TestTimingOnFreshConnection(t *testing.T) {
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {})
	ex := do(t, New(Options{}), "GET", srv.URL, nil, nil)
	if ex.Err != nil {
		t.Fatal(ex.Err)
	}
	tm := ex.Timing
	if tm.Connect <= 0 || tm.FirstByte <= 0 || tm.Total < tm.FirstByte {
		t.Errorf("timing %+v", tm)
	}
}

func TestCancelledByContext(t *testing.T) {
	arrived := make(chan struct{})
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		<-r.Context().Done()
	})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-arrived; cancel() }()
	ex := New(Options{}).Do(ctx, &Request{Method: "GET", URL: srv.URL})
	if kindOf(ex.Err) != KindCancelled {
		t.Errorf("err %v, kind %s", ex.Err, kindOf(ex.Err))
	}
}

func TestTimeoutKind(t *testing.T) {
	release := make(chan struct{})
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	ex := do(t, New(Options{Timeout: 100 * time.Millisecond}), "GET", srv.URL, nil, nil)
	if kindOf(ex.Err) != KindTimeout || !strings.Contains(ex.Err.Error(), "allow more time") {
		t.Errorf("err %v, kind %s", ex.Err, kindOf(ex.Err))
	}
}

func TestRefusedKind(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ex := do(t, New(Options{}), "GET", "http://"+addr+"/", nil, nil)
	if kindOf(ex.Err) != KindRefused || !strings.Contains(ex.Err.Error(), addr) {
		t.Errorf("err %v, kind %s", ex.Err, kindOf(ex.Err))
	}
}

// TestDNSKind resolves through a resolver whose DNS server cannot be reached,
// so no query leaves the machine.
func TestDNSKind(t *testing.T) {
	c := New(Options{})
	c.dialer.Resolver = &net.Resolver{PreferGo: true, Dial: func(context.Context, string, string) (net.Conn, error) {
		return nil, errors.New("no DNS server in tests")
	}}
	ex := do(t, c, "GET", "http://keyhole-test.invalid/", nil, nil)
	if kindOf(ex.Err) != KindDNS || !strings.Contains(ex.Err.Error(), "keyhole-test.invalid") {
		t.Errorf("err %v, kind %s", ex.Err, kindOf(ex.Err))
	}
}

func TestResetKind(t *testing.T) {
	for _, rst := range []bool{false, true} {
		srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
			conn, _, err := http.NewResponseController(w).Hijack()
			if err != nil {
				return
			}
			if rst {
				conn.(*net.TCPConn).SetLinger(0) // close with RST
			}
			conn.Close()
		})
		ex := do(t, New(Options{}), "POST", srv.URL, nil, []byte("x"))
		if kindOf(ex.Err) != KindReset {
			t.Errorf("RST %v: err %v, kind %s", rst, ex.Err, kindOf(ex.Err))
		}
	}
}

func TestTLSKinds(t *testing.T) {
	plain := serve(t, func(w http.ResponseWriter, r *http.Request) {})
	secure := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer secure.Close()
	mtls := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	mtls.TLS = &tls.Config{ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: x509.NewCertPool()}
	mtls.StartTLS()
	defer mtls.Close()
	trusting := func(s *httptest.Server) *tls.Config {
		return &tls.Config{RootCAs: s.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs}
	}

	for _, tc := range []struct {
		name, url, kind, hint string
		tls                   *tls.Config
	}{
		{"unknown authority", secure.URL, KindTLSUnknownAuthority, "trust the CA", nil},
		{"client certificate required", mtls.URL, KindTLSClientCert, "client certificate", trusting(mtls)},
		{"https to plain http", strings.Replace(plain.URL, "http:", "https:", 1), KindTLS, "try http://", nil},
		{"certificate for another name", strings.Replace(secure.URL, "127.0.0.1", "localhost", 1), KindTLS, "another name", trusting(secure)},
		{"trusted works", secure.URL, "", "", trusting(secure)},
	} {
		ex := do(t, New(Options{TLS: tc.tls}), "GET", tc.url, nil, nil)
		if tc.kind == "" {
			if ex.Err != nil || ex.Timing.TLS <= 0 {
				t.Errorf("%s: err %v, timing %+v", tc.name, ex.Err, ex.Timing)
			}
			continue
		}
		if kindOf(ex.Err) != tc.kind || !strings.Contains(ex.Err.Error(), tc.hint) {
			t.Errorf("%s: err %v, kind %s", tc.name, ex.Err, kindOf(ex.Err))
		}
	}
}

func TestHeadersTooLarge(t *testing.T) {
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Huge", strings.Repeat("a", MaxHeaderBytes+1000))
	})
	ex := do(t, New(Options{}), "GET", srv.URL, nil, nil)
	if kindOf(ex.Err) != KindHeadersTooLarge || !strings.Contains(ex.Err.Error(), "1 MiB") {
		t.Errorf("err %v, kind %s", ex.Err, kindOf(ex.Err))
	}
	if strings.Contains(ex.Err.Error(), "\n") {
		t.Error("error is not one line")
	}
}

// allocated runs f and returns how many bytes the process allocated meanwhile.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

const gib = 1 << 30

// TestHugeBodyStaysBounded streams 1 GiB from a shared buffer: the client
// keeps its limit, counts the rest, and allocates a small fraction of it.
func TestHugeBodyStaysBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 1 GiB")
	}
	chunk := make([]byte, 64<<10)
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(gib))
		for sent := 0; sent < gib; sent += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	var ex *Exchange
	n := allocated(func() {
		ex = do(t, New(Options{BodyLimit: 1 << 20, Timeout: 2 * time.Minute}), "GET", srv.URL, nil, nil)
	})
	if ex.Err != nil {
		t.Fatal(ex.Err)
	}
	r := ex.Response
	if len(r.Body) != 1<<20 || r.BodyBytes != gib || !r.Truncated {
		t.Errorf("body %d bytes kept, %d counted, truncated %v", len(r.Body), r.BodyBytes, r.Truncated)
	}
	if n > 64<<20 {
		t.Errorf("allocated %d MiB for a 1 GiB body with a 1 MiB limit", n>>20)
	}
	t.Logf("allocated %.1f MiB", float64(n)/(1<<20))
}

// gzipBomb is a multi-member gzip stream that inflates to 1 GiB of zeros from
// about a megabyte.
func gzipBomb(t *testing.T) []byte {
	var member bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&member, gzip.BestCompression)
	zw.Write(make([]byte, 1<<20))
	zw.Close()
	return bytes.Repeat(member.Bytes(), gib>>20)
}

func TestGzipBombStaysBounded(t *testing.T) {
	bomb := gzipBomb(t)
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(bomb)
	})
	var ex *Exchange
	n := allocated(func() { ex = do(t, New(Options{BodyLimit: 4 << 20}), "GET", srv.URL, nil, nil) })
	if ex.Err != nil {
		t.Fatal(ex.Err)
	}
	r := ex.Response
	if r.Encoding != "gzip" || len(r.Body) != 4<<20 || !r.Truncated || r.BodyBytes != int64(len(bomb)) {
		t.Errorf("encoding %q, %d bytes kept, %d on the wire (sent %d), truncated %v", r.Encoding, len(r.Body), r.BodyBytes, len(bomb), r.Truncated)
	}
	if n > 64<<20 {
		t.Errorf("allocated %d MiB for a gzip bomb with a 4 MiB limit", n>>20)
	}
	t.Logf("wire %d bytes; allocated %.1f MiB", len(bomb), float64(n)/(1<<20))
}

func TestGzipBodyDecoded(t *testing.T) {
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	io.WriteString(zw, `{"error":"invalid_token"}`)
	zw.Close()
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(z.Bytes())
	})
	ex := do(t, New(Options{}), "GET", srv.URL, nil, nil)
	r := ex.Response
	if ex.Err != nil || string(r.Body) != `{"error":"invalid_token"}` || r.Encoding != "gzip" || r.BodyBytes != int64(z.Len()) || r.Truncated {
		t.Errorf("err %v, body %q, encoding %q, bytes %d", ex.Err, r.Body, r.Encoding, r.BodyBytes)
	}
	if r.Header.Get("Content-Encoding") != "gzip" {
		t.Error("the header as sent was altered")
	}
	// A body that claims gzip but is not stays as sent.
	srv2 := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		io.WriteString(w, "plain")
	})
	ex = do(t, New(Options{}), "GET", srv2.URL, nil, nil)
	if ex.Err != nil || string(ex.Response.Body) != "plain" || ex.Response.Encoding != "" {
		t.Errorf("err %v, body %q, encoding %q", ex.Err, ex.Response.Body, ex.Response.Encoding)
	}
}

// connectProxy is a loopback HTTPS proxy that wants Basic credentials on
// CONNECT and records what it got.
type connectProxy struct {
	*httptest.Server
	mu   sync.Mutex
	auth []string
}

func newConnectProxy(t *testing.T) *connectProxy {
	p := &connectProxy{}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodConnect {
			http.Error(w, "CONNECT only", http.StatusMethodNotAllowed)
			return
		}
		p.mu.Lock()
		p.auth = append(p.auth, r.Header.Get("Proxy-Authorization"))
		p.mu.Unlock()
		if r.Header.Get("Proxy-Authorization") != "Basic cHJveHk6cHc=" {
			w.Header().Set("Proxy-Authenticate", `Basic realm="corp proxy"`)
			http.Error(w, "proxy auth needed", http.StatusProxyAuthRequired)
			return
		}
		up, err := net.Dial("tcp", r.Host)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusOK)
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			up.Close()
			return
		}
		go func() { io.Copy(up, buf); up.Close() }()
		io.Copy(conn, up)
		conn.Close()
	}))
	t.Cleanup(p.Close)
	return p
}

func TestProxyAuthorizationGoesOnConnect(t *testing.T) {
	proxy := newConnectProxy(t)
	var origin seen
	target := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin.add(r)
		io.WriteString(w, "through")
	}))
	defer target.Close()
	pu, _ := url.Parse(proxy.URL)
	c := New(Options{
		Proxy: http.ProxyURL(pu),
		TLS:   &tls.Config{RootCAs: target.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs},
	})
	if got := c.ProxyFor(target.URL); got != proxy.URL {
		t.Errorf("ProxyFor = %q, want %q", got, proxy.URL)
	}

	ex := do(t, c, "GET", target.URL+"/secret", nil, nil)
	if ex.Err != nil {
		t.Fatal(ex.Err)
	}
	r := ex.Response
	if r.Status != 407 || !r.FromProxy || ex.Proxy != proxy.URL || !strings.Contains(string(r.Body), "proxy auth needed") {
		t.Errorf("response %d from proxy %v via %q, body %q", r.Status, r.FromProxy, ex.Proxy, r.Body)
	}
	if len(ex.Challenges) != 1 || ex.Challenges[0].Header != ProxyAuthenticate || ex.Challenges[0].Param("realm") != "corp proxy" {
		t.Errorf("challenges %+v", ex.Challenges)
	}

	ex = do(t, c, "GET", target.URL+"/secret", http.Header{"Proxy-Authorization": {"Basic cHJveHk6cHc="}}, nil)
	if ex.Err != nil || ex.Response.Status != 200 || string(ex.Response.Body) != "through" || ex.Response.FromProxy {
		t.Fatalf("err %v, response %+v", ex.Err, ex.Response)
	}
	if got := origin.last(t).Header.Get("Proxy-Authorization"); got != "" {
		t.Errorf("the origin received Proxy-Authorization %q through the tunnel", got)
	}
	proxy.mu.Lock()
	defer proxy.mu.Unlock()
	if strings.Join(proxy.auth, "|") != "|Basic cHJveHk6cHc=" {
		t.Errorf("CONNECTs carried %q", proxy.auth)
	}
	if ex.Request.Header.Get("Proxy-Authorization") == "" {
		t.Error("Exchange.Request should show the Proxy-Authorization that was sent")
	}
}

// TestProxyFromEnvironment runs in a child process, because net/http reads
// the proxy variables once per process.
func TestProxyFromEnvironment(t *testing.T) {
	if os.Getenv("KEYHOLE_PROXY_CHILD") == "1" {
		c := New(Options{})
		for u, want := range map[string]string{
			"https://api.example.test/x": "http://proxy.example.test:3128",
			"http://api.example.test/x":  "http://user:xxxxx@plain.example.test:8080",
			"https://svc.internal.test/": "",
			"http://127.0.0.1:8080/":     "",
			"::not a url":                "",
		} {
			if got := c.ProxyFor(u); got != want {
				t.Errorf("ProxyFor(%q) = %q, want %q", u, got, want)
			}
		}
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestProxyFromEnvironment$", "-test.v")
	cmd.Env = append(os.Environ(), "KEYHOLE_PROXY_CHILD=1",
		"HTTPS_PROXY=http://proxy.example.test:3128", "HTTP_PROXY=http://user:secret@plain.example.test:8080",
		"NO_PROXY=internal.test", "https_proxy=", "http_proxy=", "no_proxy=", "REQUEST_METHOD=")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestProxyFromEnvironment") {
		t.Errorf("child: %v\n%s", err, out)
	}
}

func TestCookieJar(t *testing.T) {
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/login" {
			http.SetCookie(w, &http.Cookie{Name: "sid", Value: "abc", Path: "/"})
			return
		}
		if c, err := r.Cookie("sid"); err == nil {
			io.WriteString(w, c.Value)
		}
	})
	own, _ := cookiejar.New(nil)
	for name, c := range map[string]*Client{"NewJar": New(Options{NewJar: true}), "Jar": New(Options{Jar: own})} {
		do(t, c, "GET", srv.URL+"/login", nil, nil)
		if got := string(do(t, c, "GET", srv.URL+"/me", nil, nil).Response.Body); got != "abc" {
			t.Errorf("%s: cookie not kept: %q", name, got)
		}
		c.ClearCookies()
		if got := string(do(t, c, "GET", srv.URL+"/me", nil, nil).Response.Body); got != "" {
			t.Errorf("%s: cookie kept after ClearCookies: %q", name, got)
		}
	}
	c := New(Options{})
	do(t, c, "GET", srv.URL+"/login", nil, nil)
	c.ClearCookies() // no jar: nothing to do, and no panic
	if got := string(do(t, c, "GET", srv.URL+"/me", nil, nil).Response.Body); got != "" {
		t.Errorf("a client without a jar kept a cookie: %q", got)
	}
}

func TestRecorder(t *testing.T) {
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	io.WriteString(zw, `{"access_token":"tok","token_type":"Bearer"}`)
	zw.Close()
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if string(body) != "grant_type=client_credentials&pad="+strings.Repeat("x", 100) {
			http.Error(w, "bad body "+string(body), 400)
			return
		}
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Type", "application/json")
		w.Write(z.Bytes())
	})
	c := New(Options{BodyLimit: 64})
	var got []*Exchange
	var purposes []string
	hc := c.Recorder(func(purpose string, ex *Exchange) {
		purposes = append(purposes, purpose)
		got = append(got, ex)
	})
	req, _ := http.NewRequestWithContext(WithPurpose(context.Background(), "token"), "POST", srv.URL+"/token",
		strings.NewReader("grant_type=client_credentials&pad="+strings.Repeat("x", 100)))
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != `{"access_token":"tok","token_type":"Bearer"}` || resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "" {
		t.Errorf("caller got %d %q, headers %v", resp.StatusCode, body, resp.Header)
	}
	if len(got) != 1 || purposes[0] != "token" {
		t.Fatalf("recorded %d exchanges, purposes %q", len(got), purposes)
	}
	ex := got[0]
	if ex.Request.Method != "POST" || len(ex.Request.Body) != 64 || ex.Response.Encoding != "gzip" || ex.Timing.Total <= 0 {
		t.Errorf("recorded request %+v, response %+v", ex.Request, ex.Response)
	}

	// A failure reaches both the caller and the record as a *TransportError.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	_, err = hc.Get("http://" + addr + "/")
	if kindOf(err) != KindRefused || kindOf(got[1].Err) != KindRefused {
		t.Errorf("caller err %v, recorded %v", err, got[1].Err)
	}
}

func TestRecorderSeesProxyRefusal(t *testing.T) {
	proxy := newConnectProxy(t)
	pu, _ := url.Parse(proxy.URL)
	c := New(Options{Proxy: http.ProxyURL(pu)})
	var got *Exchange
	req, _ := http.NewRequest("GET", "https://127.0.0.1:1/", nil)
	req.Header.Set("Proxy-Authorization", "Basic d3Jvbmc6d3Jvbmc=")
	resp, err := c.Recorder(func(_ string, ex *Exchange) { got = ex }).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if req.Header.Get("Proxy-Authorization") == "" {
		t.Error("the caller's request was modified")
	}
	proxy.mu.Lock()
	if len(proxy.auth) != 1 || proxy.auth[0] != "Basic d3Jvbmc6d3Jvbmc=" {
		t.Errorf("CONNECT carried %q", proxy.auth)
	}
	proxy.mu.Unlock()
	resp.Body.Close()
	if resp.StatusCode != 407 || got.Response.Status != 407 || len(got.Challenges) != 1 {
		t.Errorf("caller %d, recorded %+v", resp.StatusCode, got)
	}
}

func TestDefaults(t *testing.T) {
	o := New(Options{}).Options()
	if o.Timeout != DefaultTimeout || o.ConnectTimeout != DefaultConnectTimeout || o.BodyLimit != DefaultBodyLimit || o.MaxRedirects != 10 {
		t.Errorf("defaults %+v", o)
	}
	c := New(Options{ConnectTimeout: time.Second})
	if c.dialer.Timeout != time.Second || c.tr.TLSHandshakeTimeout != time.Second || c.tr.MaxResponseHeaderBytes != MaxHeaderBytes {
		t.Errorf("transport not configured: dial %v, tls %v", c.dialer.Timeout, c.tr.TLSHandshakeTimeout)
	}
}

func TestSameOrigin(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"http://h/a", "http://h:80/b", true},
		{"https://H/", "https://h:443/", true},
		{"http://h/", "https://h/", false},
		{"http://h:8080/", "http://h:8081/", false},
		{"http://h/", "http://evil.h/", false},
	} {
		a, _ := url.Parse(tc.a)
		b, _ := url.Parse(tc.b)
		if got := SameOrigin(a, b); got != tc.want {
			t.Errorf("SameOrigin(%s, %s) = %v", tc.a, tc.b, got)
		}
	}
}

// TestConnectTimeout fills the accept queue of a loopback listener that never
// accepts, so the kernel drops further SYNs and a connect hangs: only the
// connect timeout can end it, well before the total timeout.
func TestConnectTimeout(t *testing.T) {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(fd)
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, _ := syscall.Getsockname(fd)
	addr := fmt.Sprintf("127.0.0.1:%d", sa.(*syscall.SockaddrInet4).Port)
	for range 4 {
		conn, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err != nil {
			break // the queue is full
		}
		defer conn.Close()
	}
	ex := do(t, New(Options{ConnectTimeout: 300 * time.Millisecond, Timeout: time.Minute}), "GET", "http://"+addr+"/", nil, nil)
	if ex.Err == nil {
		t.Skip("this kernel accepted the connection despite a full queue")
	}
	if kindOf(ex.Err) != KindTimeout || !strings.Contains(ex.Err.Error(), "connecting to "+addr) || ex.Timing.Total > 30*time.Second {
		t.Errorf("err %v, kind %s after %v", ex.Err, kindOf(ex.Err), ex.Timing.Total)
	}
	t.Logf("%v after %v", ex.Err, ex.Timing.Total)
}

func TestProxyRefused(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	pu, _ := url.Parse("http://" + addr)
	ex := do(t, New(Options{Proxy: http.ProxyURL(pu)}), "GET", "https://127.0.0.1:1/", nil, nil)
	if kindOf(ex.Err) != KindRefused || !strings.Contains(ex.Err.Error(), "the proxy: connection refused by "+addr) || ex.Proxy != "http://"+addr {
		t.Errorf("err %v, kind %s, proxy %q", ex.Err, kindOf(ex.Err), ex.Proxy)
	}
}

// TestPlainProxy: for an http:// URL the proxy gets the whole request, so
// Proxy-Authorization travels with it and a 407 is an ordinary response.
func TestPlainProxy(t *testing.T) {
	var got seen
	proxy := serve(t, func(w http.ResponseWriter, r *http.Request) {
		got.add(r)
		if r.Header.Get("Proxy-Authorization") == "" {
			w.Header().Set("Proxy-Authenticate", `Basic realm="squid"`)
			w.WriteHeader(http.StatusProxyAuthRequired)
			return
		}
		io.WriteString(w, "via proxy "+r.URL.String())
	})
	pu, _ := url.Parse(proxy.URL)
	c := New(Options{Proxy: http.ProxyURL(pu)})
	// The name is never resolved: the proxy, on loopback, answers for it.
	ex := do(t, c, "GET", "http://origin.example.test/x", nil, nil)
	if ex.Err != nil || ex.Response.Status != 407 || ex.Response.FromProxy || len(ex.Challenges) != 1 || ex.Challenges[0].Header != ProxyAuthenticate {
		t.Fatalf("err %v, response %+v, challenges %+v", ex.Err, ex.Response, ex.Challenges)
	}
	ex = do(t, c, "GET", "http://origin.example.test/x", http.Header{"Proxy-Authorization": {"Basic eDp5"}}, nil)
	if ex.Err != nil || string(ex.Response.Body) != "via proxy http://origin.example.test/x" || ex.Proxy != proxy.URL {
		t.Fatalf("err %v, body %q, proxy %q", ex.Err, ex.Response.Body, ex.Proxy)
	}
	if got.last(t).Header.Get("Proxy-Authorization") != "Basic eDp5" {
		t.Error("the proxy did not get Proxy-Authorization")
	}
}

// rawServer answers every connection on a loopback port with the bytes of
// answer, whatever was asked, so the response can break HTTP's rules.
func rawServer(t *testing.T, answer string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				buf := make([]byte, 4096)
				conn.Read(buf) // the request line and headers fit
				io.WriteString(conn, answer)
			}()
		}
	}()
	return "http://" + ln.Addr().String() + "/"
}

func TestMalformedHeaderKind(t *testing.T) {
	for _, tc := range []struct{ name, header, want string }{
		{"escape and bell", "X-Note: clipboard\x1b]52;c;aGk=\x07", "control characters in a response header; it may be hostile or broken"},
		{"delete", "X-Note: ok\x7f", "control characters"},
		{"no colon", "X-Note clipboard", "no colon"},
	} {
		u := rawServer(t, "HTTP/1.1 401 Unauthorized\r\n"+tc.header+"\r\nContent-Length: 0\r\n\r\n")
		// A POST: a GET would be read again leniently (lenient.go).
		ex := do(t, New(Options{}), "POST", u, nil, []byte("a=1"))
		if kindOf(ex.Err) != KindMalformedHeader || !strings.Contains(ex.Err.Error(), tc.want) {
			t.Errorf("%s: err %v, kind %s", tc.name, ex.Err, kindOf(ex.Err))
			continue
		}
		if msg := ex.Err.Error(); strings.ContainsAny(msg, "\x1b\x07\x7f\n") {
			t.Errorf("%s: the error carries the server's control characters: %q", tc.name, msg)
		}
	}
}

// FuzzMalformedHeader feeds server header lines through the explanation of
// Go's refusal: no panic, and no control character in the one-line error.
func FuzzMalformedHeader(f *testing.F) {
	f.Add("X-Note: clipboard\x1b]52;c;aGk=\x07")
	f.Add("X-Note clipboard")
	f.Add("\x9b: \"\\")
	f.Fuzz(func(t *testing.T, line string) {
		te := classify(fmt.Errorf("net/http: HTTP/1.x transport connection broken: %w", textproto.ProtocolError(fmt.Sprintf("malformed MIME header line: %q", line))))
		if te.Kind != KindMalformedHeader {
			t.Fatalf("kind %s for %q", te.Kind, line)
		}
		if msg := te.Error(); strings.ContainsFunc(msg, func(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) }) {
			t.Fatalf("control character in %q", msg)
		}
	})
}
