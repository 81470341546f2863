package practice

import (
	"bufio"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"keyhole/credentials"
	"keyhole/httpclient"
	"keyhole/session"
)

func TestStartRefusesNonLoopbackUnlessPublic(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", "192.0.2.1:0", ":0", "example.com:80"} {
		if s, err := Start(Options{Addr: addr}); err == nil {
			s.Close()
			t.Errorf("Start(%q) succeeded, want a refusal", addr)
		}
		if p, err := StartProxy(addr); err == nil {
			p.Close()
			t.Errorf("StartProxy(%q) succeeded, want a refusal", addr)
		}
	}
	for _, addr := range []string{"127.0.0.1:0", "localhost:0", "[::1]:0"} {
		if err := checkLoopback(addr); err != nil {
			t.Errorf("checkLoopback(%q): %v", addr, err)
		}
	}
}

// TestEveryEndpointAnswers walks the list keyhole practice prints: each path
// must exist (no 404) and none may fail (no 5xx).
func TestEveryEndpointAnswers(t *testing.T) {
	s := start(t, Options{})
	for _, e := range s.Endpoints() {
		u := s.URL + e.Path
		if e.Path == "/slow" {
			u += "?ms=1"
		}
		req, _ := http.NewRequest(e.Method, u, nil)
		resp, err := noRedirects.Do(req)
		if err != nil {
			t.Errorf("%s %s: %v", e.Method, e.Path, err)
			continue
		}
		resp.Body.Close()
		if resp.StatusCode == 404 || resp.StatusCode >= 500 {
			t.Errorf("%s %s: status %d", e.Method, e.Path, resp.StatusCode)
		}
		if e.Scheme == "" {
			t.Errorf("%s %s: no scheme in the listing", e.Method, e.Path)
		}
	}
}

// proxyClient goes through p, with the practice credentials when auth is set.
func proxyClient(p *Proxy, auth bool) *http.Client {
	u, _ := url.Parse(p.URL)
	if auth {
		u.User = url.UserPassword(User, Password)
	}
	return &http.Client{
		Transport:     &http.Transport{Proxy: http.ProxyURL(u)},
		CheckRedirect: noRedirects.CheckRedirect,
	}
}

func TestForwardProxyDemandsCredentials(t *testing.T) {
	s := start(t, Options{ProxyAddr: "127.0.0.1:0"})
	if s.Proxy == nil {
		t.Fatal("Options.ProxyAddr did not start a proxy")
	}
	a := get(t, proxyClient(s.Proxy, false), s.URL+"/basic", nil)
	if a.status != 407 || a.header.Get("Proxy-Authenticate") != `Basic realm="practice-proxy", charset="UTF-8"` {
		t.Fatalf("no proxy credentials: status %d Proxy-Authenticate %q, want 407 Basic", a.status, a.header.Get("Proxy-Authenticate"))
	}
	wrong, _ := url.Parse(s.Proxy.URL)
	wrong.User = url.UserPassword(User, "nope")
	c := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(wrong)}}
	if a := get(t, c, s.URL+"/basic", nil); a.status != 407 {
		t.Errorf("wrong proxy password: status %d, want 407", a.status)
	}
}

func TestForwardProxyForwardsToLoopback(t *testing.T) {
	s := start(t, Options{ProxyAddr: "127.0.0.1:0"})
	c := proxyClient(s.Proxy, true)

	// The origin's own challenge passes through untouched.
	a := get(t, c, s.URL+"/basic", nil)
	if a.status != 401 || !strings.HasPrefix(a.header.Get("WWW-Authenticate"), "Basic ") {
		t.Fatalf("/basic through the proxy: status %d, want the origin's 401", a.status)
	}
	if a := get(t, c, s.URL+"/basic", basicAuth(User, Password)); a.status != 200 {
		t.Fatalf("/basic with both credentials: status %d, want 200", a.status)
	}
	// /proxy accepts what came through the proxy, which consumed Proxy-Authorization.
	if a := get(t, c, s.URL+"/proxy", nil); a.status != 200 {
		t.Errorf("/proxy through the proxy: status %d, want 200", a.status)
	}

	// What the origin sees: Via added, proxy credentials gone.
	seen := make(chan http.Header, 1)
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen <- r.Header.Clone() }))
	defer origin.Close()
	get(t, c, origin.URL+"/x", nil)
	h := <-seen
	if h.Get("Proxy-Authorization") != "" || h.Get("Via") != viaProxy {
		t.Errorf("origin saw Proxy-Authorization %q Via %q; want none and %q", h.Get("Proxy-Authorization"), h.Get("Via"), viaProxy)
	}
	// localhost is loopback too.
	lh := strings.Replace(origin.URL, "127.0.0.1", "localhost", 1)
	if a := get(t, c, lh+"/x", nil); a.status != 200 {
		t.Errorf("localhost destination: status %d, want 200", a.status)
	}
}

func TestForwardProxyRefusesOtherDestinations(t *testing.T) {
	p, err := StartProxy("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	c := proxyClient(p, true)
	// Nothing is dialled: the proxy refuses by name, before any DNS or TCP.
	for _, dest := range []string{"http://192.0.2.1/", "http://example.invalid/", "http://10.0.0.1:8080/x"} {
		a := get(t, c, dest, nil)
		if a.status != 403 || !strings.Contains(a.body, "only loopback") {
			t.Errorf("%s: status %d body %q, want 403 explaining loopback only", dest, a.status, a.body)
		}
	}
	// CONNECT to elsewhere: refused too.
	tc := &http.Client{Transport: &http.Transport{Proxy: c.Transport.(*http.Transport).Proxy}}
	if _, err := tc.Get("https://192.0.2.1/"); err == nil || !strings.Contains(err.Error(), "Forbidden") {
		t.Errorf("CONNECT 192.0.2.1: err %v, want Forbidden", err)
	}
	// Asked directly, as if it were a web server: a 400 that says how to use it.
	a := get(t, noRedirects, p.URL+"/basic", nil)
	if a.status != 400 || !strings.Contains(a.body, "forward proxy") {
		t.Errorf("direct request: status %d body %q, want 400 explaining", a.status, a.body)
	}
}

func TestForwardProxyTunnelsConnect(t *testing.T) {
	p, err := StartProxy("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	origin := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "over tls")
	}))
	defer origin.Close()

	tr := origin.Client().Transport.(*http.Transport).Clone()
	pu, _ := url.Parse(p.URL)
	pu.User = url.UserPassword(User, Password)
	tr.Proxy = http.ProxyURL(pu)
	a := get(t, &http.Client{Transport: tr}, origin.URL+"/", nil)
	if a.status != 200 || a.body != "over tls" {
		t.Fatalf("through CONNECT: status %d body %q", a.status, a.body)
	}

	pu.User = nil
	tr = tr.Clone()
	tr.Proxy = http.ProxyURL(pu)
	if _, err := (&http.Client{Transport: tr}).Get(origin.URL + "/"); err == nil || !strings.Contains(err.Error(), "Proxy Authentication Required") {
		t.Errorf("CONNECT without credentials: err %v, want 407", err)
	}
}

// TestCloseEndsTunnels opens a raw CONNECT tunnel and checks that Close ends
// it: hijacked connections are not closed by http.Server.Close on its own.
func TestCloseEndsTunnels(t *testing.T) {
	s, err := Start(Options{ProxyAddr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	proxyAddr := strings.TrimPrefix(s.Proxy.URL, "http://")
	conn, err := net.Dial("tcp", proxyAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	target := strings.TrimPrefix(s.URL, "http://")
	fmt.Fprintf(conn, "CONNECT %s HTTP/1.1\r\nHost: %s\r\nProxy-Authorization: Basic YWxpY2U6d29uZGVybGFuZA==\r\n\r\n", target, target)
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("CONNECT: %v %v", resp, err)
	}
	// The tunnel carries HTTP to the practice server.
	fmt.Fprintf(conn, "GET /basic HTTP/1.1\r\nHost: %s\r\nAuthorization: Basic YWxpY2U6d29uZGVybGFuZA==\r\n\r\n", target)
	resp, err = http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET through the tunnel: %v %v", resp, err)
	}
	io.Copy(io.Discard, resp.Body)

	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := br.ReadByte(); err == nil || isTimeout(err) {
		t.Errorf("tunnel still open after Close: %v", err)
	}
	if c, err := net.Dial("tcp", proxyAddr); err == nil {
		c.Close()
		t.Error("the proxy still accepts connections after Server.Close")
	}
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

func TestLoopbackHost(t *testing.T) {
	for host, want := range map[string]bool{
		"127.0.0.1:80": true, "[::1]:8080": true, "localhost:1": true, "LOCALHOST": true, "127.8.9.10:5": true,
		"10.0.0.1:80": false, "example.com:443": false, "localhost.example.com:80": false, "": false, "[::]:80": false,
	} {
		if got := loopbackHost(host); got != want {
			t.Errorf("loopbackHost(%q) = %v, want %v", host, got, want)
		}
	}
}

func TestDialableNamesLoopbackForWildcards(t *testing.T) {
	for _, c := range []struct {
		addr *net.TCPAddr
		want string
	}{
		{&net.TCPAddr{IP: net.IPv4zero, Port: 8401}, "127.0.0.1:8401"},
		{&net.TCPAddr{IP: net.IPv6unspecified, Port: 1}, "127.0.0.1:1"},
		{&net.TCPAddr{IP: net.IPv6loopback, Port: 2}, "[::1]:2"},
		{&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 3}, "127.0.0.1:3"},
	} {
		if got := dialable(c.addr); got != c.want {
			t.Errorf("dialable(%v) = %q, want %q", c.addr, got, c.want)
		}
	}
}

// FuzzParseBasic feeds Proxy-Authorization values, which come from any
// client of the proxy, to the parser: it must not panic, and whatever it
// accepts must be what encoding the same pair gives.
func FuzzParseBasic(f *testing.F) {
	for _, seed := range []string{"Basic YWxpY2U6d29uZGVybGFuZA==", "basic   YWxpY2U6", "Basic", "Basic Og==", "Bearer x", "BASIC !!!", ""} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, v string) {
		u, p, ok := parseBasic(v)
		if !ok {
			return
		}
		if strings.Contains(u, ":") {
			t.Fatalf("user %q contains a colon", u)
		}
		again, p2, ok2 := parseBasic("Basic " + base64.StdEncoding.EncodeToString([]byte(u+":"+p)))
		if !ok2 || again != u || p2 != p {
			t.Fatalf("%q parsed as %q:%q, re-encoded as %q:%q", v, u, p, again, p2)
		}
	})
}

// TestKeyholeLoopThroughTheForwardProxy: keyhole's client goes through the
// real proxy, gets its 407, and the loop answers it with Proxy-Authorization.
func TestKeyholeLoopThroughTheForwardProxy(t *testing.T) {
	s := start(t, Options{ProxyAddr: "127.0.0.1:0"})
	pu, _ := url.Parse(s.Proxy.URL)
	c := httpclient.New(httpclient.Options{Proxy: http.ProxyURL(pu)})
	sess := session.New(c, httpclient.Request{Method: "GET", URL: s.URL + "/proxy", Header: http.Header{}})
	made, err := sess.Send(context.Background(), nil)
	if err != nil || len(made) != 1 || made[0].Status() != 407 {
		t.Fatalf("first attempt: %v %v, want one 407", made, err)
	}
	made, err = sess.Send(context.Background(), credentials.Basic{User: User, Password: Password})
	if err != nil || made[len(made)-1].Status() != 200 {
		t.Fatalf("answering the proxy: %v, last status %d, want 200", err, made[len(made)-1].Status())
	}
	if got := made[len(made)-1].Exchange.Request.Header.Get("Proxy-Authorization"); got == "" {
		t.Error("the answer did not carry Proxy-Authorization")
	}
}
