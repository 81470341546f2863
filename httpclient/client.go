package httpclient

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptrace"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
)

// Request is what the user composed, or what keyhole sends after adding credentials.
type Request struct {
	Method string
	URL    string
	Header http.Header
	Body   []byte
	// Secrets are what the authorizers wrote and the user marked as secret
	// (MarkSecret), beyond what the names say (IsSecretHeader, IsSecretQuery).
	Secrets []Secret
	// Conn, when set, sends the request on the connection of a
	// connection-bound exchange (NTLM, Negotiate); see Conn.
	Conn *Conn
}

// Clone returns a deep copy, so that adding credentials never changes the draft.
func (r *Request) Clone() *Request {
	c := *r
	c.Header = r.Header.Clone()
	if c.Header == nil {
		c.Header = http.Header{}
	}
	c.Body = bytes.Clone(r.Body)
	c.Secrets = slices.Clone(r.Secrets)
	return &c
}

// Response is what came back, with the body read up to the client's limit.
type Response struct {
	Status     int
	StatusText string // the reason phrase, e.g. "Unauthorized"; apply SafeLine before display
	Proto      string
	URL        string // the URL that answered (after redirects)
	Header     http.Header
	Body       []byte // decoded when Encoding is set
	BodyBytes  int64  // every byte of body the server sent, kept or not (before decoding)
	Truncated  bool   // Body holds only the first BodyLimit bytes
	Encoding   string // content coding keyhole removed from Body ("gzip"), or ""
	FromProxy  bool   // the proxy's answer to CONNECT: the origin was never reached
	// Spill names a file (mode 0600, in Options.SpillDir) holding the bytes
	// the server sent past Body, as sent; "" when nothing was spilled.
	// Remove it with Close, or every spill file with RemoveSpills.
	Spill string
}

// Close removes the response's spill file, if it has one.
func (r *Response) Close() error {
	if r == nil || r.Spill == "" {
		return nil
	}
	name := r.Spill
	r.Spill = ""
	spills.Delete(name)
	if err := os.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing the spilled body %s: %w; delete it by hand", name, err)
	}
	return nil
}

// spills holds the names of the spill files written by this process and
// not yet removed, so that one call at exit removes them all.
var spills sync.Map

// RemoveSpills removes every spill file this process wrote and has not
// removed yet. Call it when the program ends.
func RemoveSpills() error {
	var errs []error
	spills.Range(func(k, _ any) bool {
		spills.Delete(k)
		if err := os.Remove(k.(string)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
		return true
	})
	if len(errs) > 0 {
		return fmt.Errorf("removing spilled bodies: %w; delete them by hand", errors.Join(errs...))
	}
	return nil
}

// Hop is one redirect that was followed.
type Hop struct {
	Status            int
	From, To          string
	CredentialsResent bool     // Authorization/Cookie/Proxy-Authorization went to To
	Dropped           []string // header names not resent because To is another origin
}

// Timing of one exchange, from httptrace; zero where the phase did not happen
// (a reused connection has no DNS, Connect or TLS). Phases are those of the
// first hop; Total covers every hop and the body.
type Timing struct {
	DNS, Connect, TLS, FirstByte, Total time.Duration
}

// CutShort reports that an answer came but is not whole: its body was cut by
// the timeout or a broken stream, or it is a redirect keyhole stopped
// following at the hop limit. Err says which.
func (ex *Exchange) CutShort() bool { return ex != nil && ex.Response != nil && ex.Err != nil }

// Exchange is one request as sent and what came of it.
type Exchange struct {
	Request    *Request // as sent to the first URL, credentials included
	Response   *Response
	Err        error // a *TransportError when the transport failed
	Redirects  []Hop
	Challenges []Challenge // WWW-Authenticate, then Proxy-Authenticate
	Problems   []Problem
	Timing     Timing
	Proxy      string // proxy the last request went through (password redacted), "" if direct
	// Withheld says what keyhole held back from this request and why
	// (WithWithheld), e.g. a password a server asked for on another origin.
	Withheld []string
	Conn     *ConnUse // the connection of Request.Conn it went over; nil without one
	// Step says why a request the Recorder saw was made (WithStep), "" when
	// its purpose says it all.
	Step string
}

// Options configure a Client. The zero value is usable.
type Options struct {
	Timeout         time.Duration // whole exchange; 0 means 30s
	ConnectTimeout  time.Duration // TCP connect, and the TLS handshake; 0 means 10s
	FollowRedirects bool
	MaxRedirects    int   // 0 means 10
	TrustRedirects  bool  // resend credentials to other origins
	BodyLimit       int64 // bytes of body kept; 0 means 50 MiB
	// SpillDir, when set, is where the body past BodyLimit is written (one
	// temporary file per response, mode 0600; see Response.Spill) instead of
	// only counted. It is never held in memory.
	SpillDir string
	// SpillLimit caps the bytes written to a spill file; past it the body
	// is only counted. 0 means DefaultSpillLimit.
	SpillLimit int64
	TLS        *tls.Config
	// CertOrigins, when not nil, are the only origins TLS's client
	// certificate is presented to (the URL the user gave it for, the origins
	// they trust); Client.PresentCertTo adds one. nil presents it to any
	// server that asks, as Go and curl do.
	CertOrigins []Origin
	// Proxy picks the proxy for a request; nil means the environment
	// (HTTP_PROXY, HTTPS_PROXY, NO_PROXY, read once per process by net/http,
	// and never for loopback addresses).
	Proxy  func(*http.Request) (*url.URL, error)
	Jar    http.CookieJar
	NewJar bool // without Jar: the client makes its own cookie jar
}

// Defaults and bounds.
const (
	DefaultBodyLimit = 50 << 20
	// DefaultSpillLimit keeps a runaway download from filling the disk:
	// a TUI pane is no place to read more than this.
	DefaultSpillLimit     = 1 << 30
	DefaultTimeout        = 30 * time.Second
	DefaultConnectTimeout = 10 * time.Second
	// MaxHeaderBytes bounds the response header block. curl allows about
	// 300 KB; net/http's default of 10 MiB is more than any real server needs.
	MaxHeaderBytes = 1 << 20
)

// Client sends requests; it is safe for concurrent use.
type Client struct {
	opts   Options
	hc     *http.Client
	tr     *http.Transport
	dialer *net.Dialer
	proxy  func(*http.Request) (*url.URL, error)
	jar    *jarHolder // nil when the client keeps no cookies
	certs  *certScope // nil when the client certificate goes to any server that asks
}

// New builds a client from o.
func New(o Options) *Client {
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if o.ConnectTimeout == 0 {
		o.ConnectTimeout = DefaultConnectTimeout
	}
	if o.MaxRedirects == 0 {
		o.MaxRedirects = 10
	}
	if o.SpillLimit == 0 {
		o.SpillLimit = DefaultSpillLimit
	}
	if o.BodyLimit == 0 {
		o.BodyLimit = DefaultBodyLimit
	}
	c := &Client{opts: o, proxy: o.Proxy}
	if c.proxy == nil {
		c.proxy = http.ProxyFromEnvironment
	}
	c.dialer = &net.Dialer{Timeout: o.ConnectTimeout, KeepAlive: 30 * time.Second}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = c.dialer.DialContext
	tr.TLSHandshakeTimeout = o.ConnectTimeout
	tr.TLSClientConfig = o.TLS
	if o.TLS != nil && len(o.TLS.Certificates) > 0 && o.CertOrigins != nil {
		c.certs = &certScope{origins: slices.Clone(o.CertOrigins)}
		tr.TLSClientConfig = c.certs.scoped(o.TLS)
	}
	tr.Proxy = c.proxy
	tr.MaxResponseHeaderBytes = MaxHeaderBytes
	// keyhole decodes bodies itself, within its limit (see read), and shows
	// the headers the server really sent.
	tr.DisableCompression = true
	tr.GetProxyConnectHeader = getProxyConnectHeader
	tr.OnProxyConnectResponse = onProxyConnectResponse
	c.tr = tr
	if o.Jar != nil || o.NewJar {
		c.jar = &jarHolder{j: o.Jar}
		if o.Jar == nil {
			c.jar.j = newJar()
		}
	}
	c.hc = &http.Client{
		Transport: tr,
		// keyhole follows redirects itself, hop by hop, to record and police each one.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	if c.jar != nil {
		c.hc.Jar = c.jar
	}
	return c
}

// Options returns the options the client was built with, defaults filled in.
func (c *Client) Options() Options { return c.opts }

// ProxyFor returns the proxy a request to rawURL would go through, password
// redacted, or "" for a direct connection (or a URL that does not parse).
func (c *Client) ProxyFor(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return ""
	}
	p, err := c.proxy(&http.Request{Method: http.MethodGet, URL: u, Header: http.Header{}})
	if err != nil || p == nil {
		return ""
	}
	return p.Redacted()
}

// ClearCookies forgets every cookie: the client starts over with an empty jar.
// It does nothing for a client built without Jar or NewJar.
func (c *Client) ClearCookies() {
	if c.jar != nil {
		c.jar.clear()
	}
}

// jarHolder lets ClearCookies swap the jar under a client that is in use.
type jarHolder struct {
	mu sync.RWMutex
	j  http.CookieJar
}

func newJar() http.CookieJar {
	j, _ := cookiejar.New(nil) // cannot fail without options
	return j
}

func (h *jarHolder) SetCookies(u *url.URL, cookies []*http.Cookie) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	h.j.SetCookies(u, cookies)
}

func (h *jarHolder) Cookies(u *url.URL) []*http.Cookie {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.j.Cookies(u)
}

func (h *jarHolder) clear() {
	h.mu.Lock()
	h.j = newJar()
	h.mu.Unlock()
}

// Do sends r, follows redirects if asked, and reads the final answer. It never
// panics on a transport failure: the failure is in Exchange.Err, a
// *TransportError.
func (c *Client) Do(ctx context.Context, r *Request) *Exchange {
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	ex := &Exchange{Request: r.Clone(), Withheld: withheldOf(ctx)}
	tt := &timingTrace{start: time.Now()}
	defer func() { ex.Timing = tt.get() }()
	ctx, watched := c.watch(ctx, r, ex)
	defer watched()

	cur := r.Clone()
	for hop := 0; ; hop++ {
		hctx := ctx
		if hop == 0 {
			hctx = httptrace.WithClientTrace(ctx, tt.trace())
		}
		registry.remember(cur)
		resp, refusal, proxy, err := c.send(hctx, cur)
		ex.Proxy = proxy
		if err != nil {
			var te *TransportError
			if errors.As(err, &te) && c.retryLeniently(cur, te) {
				// See lenient.go: the answer Go refused, read as sent.
				if r, lerr := c.readLeniently(ctx, cur); lerr == nil {
					ex.Response = r
					ex.Challenges, ex.Problems = parseBoth(r.Header)
					return ex
				}
			}
			ex.Err = err
			return ex
		}
		if refusal != nil {
			ex.Response = refusal
			ex.Challenges, ex.Problems = parseBoth(refusal.Header)
			return ex
		}
		loc := resp.Header.Get("Location")
		if !c.opts.FollowRedirects || !isRedirect(resp.StatusCode) || loc == "" || hop >= c.opts.MaxRedirects {
			ex.Response, ex.Err = c.read(resp)
			ex.Challenges, ex.Problems = parseBoth(resp.Header)
			if ex.Err == nil && c.opts.FollowRedirects && isRedirect(resp.StatusCode) && loc != "" {
				ex.Err = &TransportError{Kind: KindRedirectLimit,
					Err:  fmt.Errorf("stopped after %d redirects, and the server still redirects (to %s)", hop, SafeLine(loc)),
					Hint: "a redirect loop, often a login that wants a cookie or a proxy that rewrites the scheme: follow the hops in the timeline"}
			}
			return ex
		}
		io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		next, err := resp.Request.URL.Parse(loc)
		if err != nil {
			ex.Err = &TransportError{Kind: KindOther, Err: fmt.Errorf("the server redirected to an invalid Location %q: %w", loc, err),
				Hint: "the server sent a broken redirect; request the target URL directly"}
			return ex
		}
		h := Hop{Status: resp.StatusCode, From: cur.URL, To: next.String()}
		nr := cur.Clone()
		nr.URL = next.String()
		if resp.StatusCode == 303 || ((resp.StatusCode == 301 || resp.StatusCode == 302) && cur.Method == http.MethodPost) {
			nr.Method, nr.Body = http.MethodGet, nil
			nr.Header.Del("Content-Type")
		}
		if !SameOrigin(resp.Request.URL, next) && !c.opts.TrustRedirects {
			for _, name := range nr.secretHeaderNames() {
				h.Dropped = append(h.Dropped, name)
				nr.Header.Del(name)
			}
			slices.Sort(h.Dropped)
		}
		h.CredentialsResent = len(nr.secretHeaderNames()) > 0
		ex.Redirects = append(ex.Redirects, h)
		cur = nr
	}
}

// parseBoth parses WWW-Authenticate and then Proxy-Authenticate.
func parseBoth(h http.Header) ([]Challenge, []Problem) {
	cs, ps := ParseHeader(h, WWWAuthenticate)
	pc, pp := ParseHeader(h, ProxyAuthenticate)
	return append(cs, pc...), append(ps, pp...)
}

// SameOrigin reports whether a and b share scheme, host and port (curl's rule).
func SameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Hostname(), b.Hostname()) && port(a) == port(b)
}

func port(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return "443"
	case "http":
		return "80"
	}
	return ""
}

func isRedirect(code int) bool {
	switch code {
	case 301, 302, 303, 307, 308:
		return true
	}
	return false
}

// send makes one round trip of r. When a proxy refuses the CONNECT tunnel,
// its answer comes back as refusal instead. proxy is the proxy used, redacted.
func (c *Client) send(ctx context.Context, r *Request) (resp *http.Response, refusal *Response, proxy string, err error) {
	var body io.Reader
	if r.Body != nil {
		body = bytes.NewReader(r.Body)
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, r.URL, body)
	if err != nil {
		return nil, nil, "", &TransportError{Kind: KindOther, Err: fmt.Errorf("cannot build the request: %w", err),
			Hint: "check the method and the URL (scheme://host[:port]/path)"}
	}
	req.Header = r.Header.Clone()
	if req.Header == nil {
		req.Header = http.Header{}
	}
	req, st, proxy := c.prepare(req)
	hc := c.hc
	if r.Conn != nil {
		hc = r.Conn.client(c)
	}
	resp, err = hc.Do(req)
	if err != nil {
		if refusal := st.refused(); refusal != nil {
			return nil, refusal, proxy, nil
		}
		return nil, nil, proxy, classify(err)
	}
	return resp, nil, proxy, nil
}

// prepare routes a request through a proxy tunnel correctly: a
// Proxy-Authorization header is for the proxy, so on an https URL (CONNECT)
// it goes on the CONNECT and is taken off the request that travels, encrypted,
// to the origin.
func (c *Client) prepare(req *http.Request) (*http.Request, *connectState, string) {
	if c.certs != nil {
		req = withOrigin(req)
	}
	p, err := c.proxy(req)
	if err != nil || p == nil {
		return req, nil, ""
	}
	st := &connectState{}
	// Clone, not WithContext: the header changes, and a RoundTripper must not
	// modify its caller's request.
	req = req.Clone(context.WithValue(req.Context(), connectKey{}, st))
	if req.URL.Scheme == "https" {
		st.tunnel = p
		st.proxyAuth = req.Header.Get("Proxy-Authorization")
		req.Header.Del("Proxy-Authorization")
	}
	return req, st, p.Redacted()
}

type connectKey struct{}

// connectState carries one request's CONNECT credentials to the transport and
// brings back the proxy's refusal, which net/http otherwise reduces to an
// error string and so loses the Proxy-Authenticate challenge.
type connectState struct {
	proxyAuth string
	tunnel    *url.URL // the proxy an https request tunnels through
	mu        sync.Mutex
	refusal   *Response
}

// errConnectRefused is returned from OnProxyConnectResponse so that the
// refusal recorded in connectState is reported as a response, not an error.
var errConnectRefused = errors.New("the proxy refused the CONNECT tunnel")

func getProxyConnectHeader(ctx context.Context, _ *url.URL, _ string) (http.Header, error) {
	st, _ := ctx.Value(connectKey{}).(*connectState)
	if st == nil || st.proxyAuth == "" {
		return nil, nil
	}
	return http.Header{"Proxy-Authorization": {st.proxyAuth}}, nil
}

func onProxyConnectResponse(ctx context.Context, proxy *url.URL, _ *http.Request, res *http.Response) error {
	st, _ := ctx.Value(connectKey{}).(*connectState)
	if st == nil || res.StatusCode == http.StatusOK {
		return nil
	}
	body, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	r := &Response{
		Status: res.StatusCode, StatusText: reason(res), Proto: res.Proto, URL: proxy.Redacted(),
		Header: res.Header, Body: body, BodyBytes: int64(len(body)), FromProxy: true,
	}
	st.mu.Lock()
	st.refusal = r
	st.mu.Unlock()
	return errConnectRefused
}

// refused returns the proxy's refusal of the CONNECT tunnel, if there was one.
func (st *connectState) refused() *Response {
	if st == nil {
		return nil
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.refusal
}

// httpResponse rebuilds a refusal as the *http.Response a library expects.
func (r *Response) httpResponse(req *http.Request) *http.Response {
	return &http.Response{
		Status: fmt.Sprintf("%d %s", r.Status, r.StatusText), StatusCode: r.Status, Proto: r.Proto,
		Header: r.Header, Body: io.NopCloser(bytes.NewReader(r.Body)), ContentLength: int64(len(r.Body)),
		Request: req, Close: true,
	}
}

func reason(resp *http.Response) string {
	if _, text, ok := strings.Cut(resp.Status, " "); ok {
		return text
	}
	return http.StatusText(resp.StatusCode)
}

// timingTrace collects the phases of one round trip. The transport calls it
// from its own goroutines, possibly after the request gave up, so it locks.
type timingTrace struct {
	mu                  sync.Mutex
	start               time.Time
	dns, conn, tlsStart time.Time
	t                   Timing
}

func (tt *timingTrace) trace() *httptrace.ClientTrace {
	set := func(f func()) { tt.mu.Lock(); f(); tt.mu.Unlock() }
	return &httptrace.ClientTrace{
		DNSStart:     func(httptrace.DNSStartInfo) { set(func() { tt.dns = time.Now() }) },
		DNSDone:      func(httptrace.DNSDoneInfo) { set(func() { tt.t.DNS = time.Since(tt.dns) }) },
		ConnectStart: func(string, string) { set(func() { tt.conn = time.Now() }) },
		ConnectDone: func(string, string, error) {
			set(func() { tt.t.Connect = time.Since(tt.conn) })
		},
		TLSHandshakeStart: func() { set(func() { tt.tlsStart = time.Now() }) },
		TLSHandshakeDone: func(tls.ConnectionState, error) {
			set(func() { tt.t.TLS = time.Since(tt.tlsStart) })
		},
		GotFirstResponseByte: func() { set(func() { tt.t.FirstByte = time.Since(tt.start) }) },
	}
}

func (tt *timingTrace) get() Timing {
	tt.mu.Lock()
	defer tt.mu.Unlock()
	t := tt.t
	t.Total = time.Since(tt.start)
	return t
}

// read reads resp's body within the client's limit and closes it. Bytes past
// the limit are counted, not kept. A gzip body is decoded, and decoding stops
// at the limit too, so a small body that inflates to gigabytes costs nothing.
func (c *Client) read(resp *http.Response) (*Response, error) {
	defer resp.Body.Close()
	out := &Response{
		Status:     resp.StatusCode,
		StatusText: reason(resp),
		Proto:      resp.Proto,
		URL:        resp.Request.URL.String(),
		Header:     resp.Header,
	}
	limit := c.opts.BodyLimit
	body, full, err := readBody(resp.Body, resp.ContentLength, limit)
	out.Body, out.BodyBytes = body, int64(len(body))
	if err == nil && full {
		var rest int64
		rest, err = c.spill(out, resp.Body)
		out.BodyBytes += rest
		out.Truncated = rest > 0
	}
	if err != nil {
		return out, classify(fmt.Errorf("reading the body: %w", err))
	}
	if strings.EqualFold(strings.TrimSpace(resp.Header.Get("Content-Encoding")), "gzip") {
		if dec, more, ok := gunzip(out.Body, limit); ok {
			out.Body, out.Encoding = dec, "gzip"
			out.Truncated = out.Truncated || more
			// The spill holds compressed bytes that do not continue the
			// decoded Body; shown after it, they would read as garbage.
			out.Close()
		}
	}
	return out, nil
}

// spill copies what is left of body to a new file in SpillDir, or counts it
// when there is no SpillDir. A file that cannot be made or written (a full
// disk) is no reason to fail the exchange: the rest is then only counted, as
// without SpillDir, and the file removed, so no partial spill is shown as the
// body. It is removed too when the body ends right at the limit.
func (c *Client) spill(out *Response, body io.Reader) (int64, error) {
	if c.opts.SpillDir == "" {
		return io.Copy(io.Discard, body)
	}
	f, err := os.CreateTemp(c.opts.SpillDir, "keyhole-body-*") // mode 0600
	if err != nil {
		return io.Copy(io.Discard, body)
	}
	spills.Store(f.Name(), true)
	out.Spill = f.Name()
	w := &spillWriter{f: f, room: c.opts.SpillLimit}
	n, err := io.Copy(w, body) // err is the server's: w never fails
	if cerr := f.Close(); w.err == nil {
		w.err = cerr
	}
	if w.err != nil || n == 0 {
		out.Close()
	}
	return n, err
}

// spillWriter writes to f until a write fails or room runs out, then only
// counts, so that io.Copy's error is always the body's.
type spillWriter struct {
	f    *os.File
	room int64
	err  error
}

func (w *spillWriter) Write(p []byte) (int, error) {
	if k := min(int64(len(p)), w.room); w.err == nil && k > 0 {
		_, w.err = w.f.Write(p[:k])
		w.room -= k
	}
	return len(p), nil
}

// gunzip decodes at most limit bytes of b. more reports that there were more;
// ok is false when b is not gzip, and then the body is best shown as sent.
func gunzip(b []byte, limit int64) (dec []byte, more, ok bool) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, false, false
	}
	// Compressed bodies are commonly a quarter of their size or less.
	dec, full, err := readBody(zr, int64(len(b))*4, limit)
	if full {
		var one [1]byte
		n, _ := io.ReadFull(zr, one[:])
		return dec, n > 0, true
	}
	// A body cut at the limit ends mid-stream; what came out is still useful.
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, false, false
	}
	return dec, false, true
}

// readBody reads r until EOF or until limit bytes are in, into a buffer sized
// from hint (a Content-Length; <= 0 when unknown). full reports that the limit
// was reached, with r perhaps not at its end. bytes.Buffer.ReadFrom is not
// used because it grows before every read: a buffer sized exactly to the body
// doubled on the read that finds EOF, and a 50 MiB body took 151 MiB. Here,
// a full buffer is first probed with a small read, and it grows only when
// that read brings data, never past limit.
func readBody(r io.Reader, hint, limit int64) (body []byte, full bool, err error) {
	size := int64(bytes.MinRead)
	if hint > 0 {
		size = max(min(hint, limit), 1)
	}
	buf := make([]byte, 0, min(size, limit))
	var probe [bytes.MinRead]byte
	for int64(len(buf)) < limit {
		if len(buf) < cap(buf) {
			n, err := r.Read(buf[len(buf):cap(buf)])
			buf = buf[:len(buf)+n]
			if err == io.EOF {
				return buf, false, nil
			}
			if err != nil {
				return buf, false, err
			}
			continue
		}
		n, err := r.Read(probe[:min(int64(len(probe)), limit-int64(len(buf)))])
		if n > 0 {
			// The hint was short or absent: double, within the limit.
			grown := make([]byte, len(buf), min(max(2*int64(cap(buf)), int64(len(buf)+n)), limit))
			copy(grown, buf)
			buf = append(grown, probe[:n]...)
		}
		if err == io.EOF {
			return buf, false, nil
		}
		if err != nil {
			return buf, false, err
		}
	}
	return buf, true, nil
}
