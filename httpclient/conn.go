package httpclient

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Conn keeps the legs of a connection-bound exchange (NTLM, Negotiate) on one
// HTTP/1.1 connection. Those schemes authenticate the TCP connection, not the
// request: the server remembers the type 2 challenge it sent on this
// connection, and a type 3 arriving on another is refused (RFC 4559 §4, curl
// forces HTTP/1.1 for NTLM). A request whose Conn is set goes through a
// transport of its own that speaks only HTTP/1.1 and holds at most one
// connection per host, so each leg reuses the connection the previous one
// left open. Through a proxy, an https request's CONNECT is made here too,
// and a CONNECT refused with 407 keeps its connection for the next leg, so
// the proxy can be answered on the tunnel it challenged.
//
// A Conn is safe for concurrent use; its legs are meant to be sent one after
// another.
type Conn struct {
	mu      sync.Mutex
	owner   *Client
	hc      *http.Client
	tr      *http.Transport
	opened  int      // connections this Conn has opened
	pending net.Conn // a proxy connection whose CONNECT was refused, kept open for the next leg
	local   string   // local address of the connection opened last
}

// NewConn returns a Conn that has not connected yet.
func NewConn() *Conn { return &Conn{} }

// ConnUse says which connection of a Conn an exchange went over.
type ConnUse struct {
	// N numbers the connections of the Conn, from 1; legs that share N
	// shared a connection.
	N int
	// Opened reports that this exchange had to open connection N: the
	// previous leg's connection was closed (by the server or the proxy).
	Opened bool
	// Local is the local address of the connection, e.g. 127.0.0.1:50412.
	Local string
}

// Close closes the connection the Conn holds, if any.
func (b *Conn) Close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.tr != nil {
		b.tr.CloseIdleConnections()
	}
	if b.pending != nil {
		b.pending.Close()
		b.pending = nil
	}
}

// client returns the http.Client for c's requests bound to b, built on first
// use from c's settings (timeouts, TLS, proxy, cookies).
func (b *Conn) client(c *Client) *http.Client {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.hc != nil && b.owner == c {
		return b.hc
	}
	if b.tr != nil {
		b.tr.CloseIdleConnections()
	}
	tr := c.tr.Clone()
	tr.ForceAttemptHTTP2 = false
	// A non-nil empty map turns HTTP/2 off for TLS connections too.
	tr.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
	tr.MaxConnsPerHost = 1
	tr.MaxIdleConnsPerHost = 1
	// The transport's own CONNECT closes the connection on a 407, which
	// loses an NTLM challenge made to the tunnel; dial makes the CONNECT.
	tr.Proxy = func(r *http.Request) (*url.URL, error) {
		if r.URL.Scheme == "https" {
			return nil, nil
		}
		return c.proxy(r)
	}
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		return b.dial(ctx, c, network, addr)
	}
	b.owner, b.tr = c, tr
	b.hc = &http.Client{Transport: tr, CheckRedirect: c.hc.CheckRedirect, Jar: c.hc.Jar}
	return b.hc
}

// dial opens a connection to addr, or for an https request through a proxy
// a tunnel to it, answering the CONNECT with the request's
// Proxy-Authorization (see Client.prepare).
func (b *Conn) dial(ctx context.Context, c *Client, network, addr string) (net.Conn, error) {
	st, _ := ctx.Value(connectKey{}).(*connectState)
	if st == nil || st.tunnel == nil {
		conn, err := c.dialer.DialContext(ctx, network, addr)
		if err == nil {
			b.opened1(conn)
		}
		return conn, err
	}
	b.mu.Lock()
	conn := b.pending
	b.pending = nil
	b.mu.Unlock()
	if conn == nil {
		var err error
		conn, err = c.dialer.DialContext(ctx, network, canonicalAddr(st.tunnel))
		if err != nil {
			return nil, &net.OpError{Op: "proxyconnect", Net: network, Err: err}
		}
		b.opened1(conn)
	}
	tunnel, refusal, keep, err := connect(ctx, conn, addr, st.proxyAuth)
	if err != nil {
		conn.Close()
		return nil, &net.OpError{Op: "proxyconnect", Net: network, Err: err}
	}
	if refusal == nil {
		return tunnel, nil
	}
	refusal.URL = st.tunnel.Redacted()
	st.mu.Lock()
	st.refusal = refusal
	st.mu.Unlock()
	if keep {
		b.mu.Lock()
		b.pending = tunnel
		b.mu.Unlock()
	} else {
		conn.Close()
	}
	return nil, errConnectRefused
}

// opened1 counts a connection just opened.
func (b *Conn) opened1(conn net.Conn) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.opened++
	b.local = conn.LocalAddr().String()
}

// connect sends CONNECT addr on conn and reads the answer. On 200 it returns
// the tunnel; otherwise the proxy's answer as a refusal, with keep telling
// whether the proxy left the connection open for another try.
func connect(ctx context.Context, conn net.Conn, addr, proxyAuth string) (tunnel net.Conn, refusal *Response, keep bool, err error) {
	if d, ok := ctx.Deadline(); ok {
		conn.SetDeadline(d)
		defer conn.SetDeadline(time.Time{})
	}
	req := &http.Request{Method: http.MethodConnect, URL: &url.URL{Opaque: addr}, Host: addr, Header: http.Header{}}
	if proxyAuth != "" {
		req.Header.Set("Proxy-Authorization", proxyAuth)
	}
	req.Header.Set("Proxy-Connection", "Keep-Alive")
	if err := req.Write(conn); err != nil {
		return nil, nil, false, err
	}
	br := bufio.NewReader(conn)
	res, err := http.ReadResponse(br, req)
	if err != nil {
		return nil, nil, false, err
	}
	if trace := httptrace.ContextClientTrace(ctx); trace != nil && trace.GotFirstResponseByte != nil {
		trace.GotFirstResponseByte()
	}
	wrapped := &bufferedConn{Conn: conn, r: br}
	if res.StatusCode == http.StatusOK {
		return wrapped, nil, false, nil
	}
	body, err := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	res.Body.Close()
	refusal = &Response{
		Status: res.StatusCode, StatusText: reason(res), Proto: res.Proto,
		Header: res.Header, Body: body, BodyBytes: int64(len(body)), FromProxy: true,
	}
	keep = err == nil && !res.Close && res.ContentLength >= 0 && int64(len(body)) == res.ContentLength
	return wrapped, refusal, keep, nil
}

// bufferedConn reads through the reader that read the CONNECT answer, which
// may hold bytes the proxy sent after it.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// canonicalAddr is host:port of a proxy URL, with the scheme's default port.
func canonicalAddr(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	return net.JoinHostPort(u.Hostname(), port(u))
}

// watch prepares ctx to record which of r.Conn's connections r goes over;
// done fills in ex.Conn once the exchange is over. Without r.Conn it does
// nothing.
func (c *Client) watch(ctx context.Context, r *Request, ex *Exchange) (_ context.Context, done func()) {
	b := r.Conn
	if b == nil {
		return ctx, func() {}
	}
	b.mu.Lock()
	before := b.opened
	b.mu.Unlock()
	la := &localAddr{}
	return la.trace(ctx), func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		local := la.get()
		if local == "" {
			local = b.local // a CONNECT refused: no connection reached the transport
		}
		ex.Conn = &ConnUse{N: b.opened, Opened: b.opened > before, Local: local}
	}
}

// localAddr records the local address of the connection a request got.
type localAddr struct {
	mu   sync.Mutex
	addr string
}

// trace adds to ctx's trace (httptrace composes them) a hook that records
// the connection's local address.
func (l *localAddr) trace(ctx context.Context) context.Context {
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) {
		l.mu.Lock()
		l.addr = info.Conn.LocalAddr().String()
		l.mu.Unlock()
	}})
}

func (l *localAddr) get() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.addr
}

// String is the ConnUse in words for the attempt lines.
func (u *ConnUse) String() string {
	if u == nil {
		return ""
	}
	s := fmt.Sprintf("connection #%d", u.N)
	if u.Local != "" {
		s += " from " + u.Local
	}
	if u.Opened && u.N > 1 {
		s += " (new: the previous one was closed)"
	}
	return strings.TrimSpace(s)
}
