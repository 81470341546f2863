package practice

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"strings"
	"sync"
	"syscall"
	"time"
)

// ProxyRealm is the realm of the forward proxy's Proxy-Authenticate challenge.
const ProxyRealm = "practice-proxy"

// viaProxy is what the forward proxy adds to Via, so a reader of a forwarded
// request sees which proxy it crossed.
const viaProxy = "1.1 keyhole-practice-proxy"

// stampHeader carries proxyStamp on requests the forward proxy forwards. The
// proxy consumes Proxy-Authorization, as RFC 9110 §11.7.2 says the first proxy
// does, so /proxy needs another sign that the request came through an
// authenticated proxy; a random value chosen per process cannot be forged by
// a client, unlike Via.
const stampHeader = "Keyhole-Practice-Proxy"

var proxyStamp = sync.OnceValue(func() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
})

// Proxy is a running practice forward proxy. It demands
// Proxy-Authorization: Basic alice / wonderland (Digest for requests to
// ProxyDigestPath) and forwards plain HTTP requests and CONNECT tunnels, to
// loopback destinations only.
type Proxy struct {
	URL string // e.g. http://127.0.0.1:8402; use it as HTTP_PROXY or curl -x
	srv *http.Server
	rp  *httputil.ReverseProxy
	tr  *http.Transport

	mu      sync.Mutex
	tunnels map[net.Conn]struct{} // hijacked connections, which srv.Close does not know about
	closed  bool
}

// StartProxy listens on addr (loopback only; "" means 127.0.0.1:0) and serves
// the forward proxy in the background.
func StartProxy(addr string) (*Proxy, error) { return startProxy(addr, false) }

func startProxy(addr string, public bool) (*Proxy, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	if !public {
		if err := checkLoopback(addr); err != nil {
			return nil, err
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("practice: proxy cannot listen on %s: %w; choose another address (port 0 picks a free one)", addr, err)
	}
	p := &Proxy{URL: "http://" + dialable(ln.Addr().(*net.TCPAddr)), tunnels: map[net.Conn]struct{}{}}
	p.tr = &http.Transport{
		Proxy:               nil, // never chain to the environment's proxy
		DialContext:         loopbackDialer.DialContext,
		MaxIdleConnsPerHost: 4,
		IdleConnTimeout:     30 * time.Second,
	}
	p.rp = &httputil.ReverseProxy{
		Transport: p.tr,
		Rewrite: func(pr *httputil.ProxyRequest) {
			// Hop-by-hop headers, Proxy-Authorization among them, are
			// already gone from pr.Out; the absolute URL stays as it came.
			pr.Out.Header.Add("Via", viaProxy)
			pr.Out.Header.Set(stampHeader, proxyStamp())
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			http.Error(w, "practice proxy: cannot reach "+r.URL.Host+": "+err.Error()+"; is the destination running?", http.StatusBadGateway)
		},
	}
	p.srv = &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second}
	go p.srv.Serve(ln)
	return p, nil
}

// Close stops the proxy and every open tunnel.
func (p *Proxy) Close() error {
	p.mu.Lock()
	p.closed = true
	for c := range p.tunnels {
		c.Close()
	}
	p.mu.Unlock()
	err := p.srv.Close()
	p.tr.CloseIdleConnections()
	return err
}

// loopbackDialer refuses, after name resolution, any address that is not
// loopback: the destination check in ServeHTTP looks at names, this one at
// the address actually dialled.
var loopbackDialer = &net.Dialer{
	Timeout: 10 * time.Second,
	Control: func(network, address string, _ syscall.RawConn) error {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return err
		}
		if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
			return errors.New("practice proxy: " + address + " is not a loopback address")
		}
		return nil
	},
}

func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodConnect && r.URL.Host == "" {
		http.Error(w, "practice proxy: this is a forward proxy, not a web server; use it as a proxy, e.g. curl -x "+p.URL+" -U "+User+":"+Password+" URL", http.StatusBadRequest)
		return
	}
	if wantsProxyDigest(r) {
		if _, stale, why := proxyDigest().verify(r, nil); why != "" {
			proxyDigest().refuse(w, stale, why)
			return
		}
	} else if !proxyCredentialsOK(r.Header) {
		w.Header().Set("Proxy-Authenticate", `Basic realm="`+ProxyRealm+`", charset="UTF-8"`)
		http.Error(w, "407 Proxy Authentication Required: send Proxy-Authorization with Basic "+User+" / "+Password, http.StatusProxyAuthRequired)
		return
	}
	host := r.URL.Host
	if r.Method == http.MethodConnect {
		host = r.Host
	}
	if !loopbackHost(host) {
		http.Error(w, "practice proxy: refusing to forward to "+host+": only loopback destinations (127.0.0.1, [::1], localhost) are allowed", http.StatusForbidden)
		return
	}
	if r.Method == http.MethodConnect {
		p.tunnel(w, r)
		return
	}
	r.Header.Del(stampHeader) // only this proxy may set it
	p.rp.ServeHTTP(w, r)
}

// tunnel answers CONNECT: it dials the destination and copies bytes both ways
// until either side closes.
func (p *Proxy) tunnel(w http.ResponseWriter, r *http.Request) {
	up, err := loopbackDialer.DialContext(r.Context(), "tcp", r.Host)
	if err != nil {
		http.Error(w, "practice proxy: cannot reach "+r.Host+": "+err.Error()+"; is the destination running?", http.StatusBadGateway)
		return
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		up.Close()
		http.Error(w, "practice proxy: CONNECT needs HTTP/1.1", http.StatusHTTPVersionNotSupported)
		return
	}
	down, brw, err := hj.Hijack()
	if err != nil {
		up.Close()
		return
	}
	if !p.track(down, up) {
		return
	}
	defer p.untrack(down, up)
	if _, err := io.WriteString(down, "HTTP/1.1 200 Connection established\r\nVia: "+viaProxy+"\r\n\r\n"); err != nil {
		return
	}
	// Bytes the client sent right after its CONNECT may already sit in the
	// server's read buffer.
	if n := brw.Reader.Buffered(); n > 0 {
		b, _ := brw.Reader.Peek(n)
		if _, err := up.Write(b); err != nil {
			return
		}
	}
	done := make(chan struct{}, 2)
	go func() { io.Copy(up, down); closeWrite(up); done <- struct{}{} }()
	go func() { io.Copy(down, up); closeWrite(down); done <- struct{}{} }()
	<-done
	<-done
}

func closeWrite(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		tc.CloseWrite()
		return
	}
	c.Close()
}

// track registers a tunnel's connections so Close can end them; it reports
// false, having closed them, when the proxy is already closed.
func (p *Proxy) track(cs ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		for _, c := range cs {
			c.Close()
		}
		return false
	}
	for _, c := range cs {
		p.tunnels[c] = struct{}{}
	}
	return true
}

func (p *Proxy) untrack(cs ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range cs {
		c.Close()
		delete(p.tunnels, c)
	}
}

// loopbackHost reports whether hostport names a loopback destination without
// resolving anything: an IP literal, or localhost, which /etc/hosts maps to
// loopback (the dialer checks the resolved address again).
func loopbackHost(hostport string) bool {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = hostport
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// proxyCredentialsOK checks Proxy-Authorization for the practice user, the
// way Request.BasicAuth checks Authorization (net/http has no helper for the
// proxy header).
func proxyCredentialsOK(h http.Header) bool {
	u, p, ok := parseBasic(h.Get("Proxy-Authorization"))
	return ok && equal(u, User) && equal(p, Password)
}

func parseBasic(v string) (user, password string, ok bool) {
	const prefix = "basic "
	if len(v) < len(prefix) || !equalFold(v[:len(prefix)], prefix) {
		return "", "", false
	}
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(v[len(prefix):]))
	if err != nil {
		return "", "", false
	}
	user, password, ok = strings.Cut(string(b), ":")
	return user, password, ok
}

// proxyDigest verifies the proxy's Digest challenge of the proxy-Digest
// lesson: SHA-256 or MD5, qop auth, in the proxy's realm, shared by the
// forward proxy and ProxyDigestPath so either can be used.
var proxyDigest = sync.OnceValue(func() *digestVerifier {
	d := newDigestVerifier(time.Now, []string{"SHA-256", "MD5"}, "auth", false)
	d.proxy = true
	return d
})

// wantsProxyDigest reports whether the forward proxy asks r for Digest
// rather than Basic: requests for the proxy-Digest lesson's path.
func wantsProxyDigest(r *http.Request) bool {
	return r.Method != http.MethodConnect && r.URL.Path == ProxyDigestPath
}

// proxyDigestEndpoint plays a proxy that wants Digest, for a client that
// does not go through the practice proxy; one that does arrives stamped.
func proxyDigestEndpoint(w http.ResponseWriter, r *http.Request) {
	if equal(r.Header.Get(stampHeader), proxyStamp()) {
		welcome(w, User, "Digest", map[string]string{"via": "proxy"})
		return
	}
	if _, stale, why := proxyDigest().verify(r, nil); why != "" {
		proxyDigest().refuse(w, stale, why+"; or go through the practice proxy (keyhole practice --proxy-addr)")
		return
	}
	welcome(w, User, "Digest", map[string]string{"proxy": "answered in Proxy-Authorization"})
}
