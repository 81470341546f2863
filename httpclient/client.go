package httpclient

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"time"
)

// Request is what the user composed, or what keyhole sends after adding credentials.
type Request struct {
	Method string
	URL    string
	Header http.Header
	Body   []byte
}

// Clone returns a deep copy, so that adding credentials never changes the draft.
func (r *Request) Clone() *Request {
	c := *r
	c.Header = r.Header.Clone()
	if c.Header == nil {
		c.Header = http.Header{}
	}
	c.Body = bytes.Clone(r.Body)
	return &c
}

// Response is what came back, with the body read up to the client's limit.
type Response struct {
	Status     int
	StatusText string // the reason phrase, e.g. "Unauthorized"
	Proto      string
	URL        string // the URL that answered (after redirects)
	Header     http.Header
	Body       []byte
	BodyBytes  int64 // every byte the server sent, kept or not
	Truncated  bool  // Body holds only the first BodyLimit bytes
}

// Hop is one redirect that was followed.
type Hop struct {
	Status            int
	From, To          string
	CredentialsResent bool     // Authorization/Cookie/Proxy-Authorization went to To
	Dropped           []string // header names not resent because To is another origin
}

// Timing of one exchange, from httptrace; zero where the phase did not happen.
type Timing struct {
	DNS, Connect, TLS, FirstByte, Total time.Duration
}

// Exchange is one request as sent and what came of it.
type Exchange struct {
	Request    *Request // as sent to the first URL, credentials included
	Response   *Response
	Err        error
	Redirects  []Hop
	Challenges []Challenge
	Problems   []Problem
	Timing     Timing
}

// Options configure a Client. The zero value is usable.
type Options struct {
	Timeout         time.Duration // whole exchange; 0 means 30s
	FollowRedirects bool
	MaxRedirects    int   // 0 means 10
	TrustRedirects  bool  // resend credentials to other origins
	BodyLimit       int64 // bytes of body kept; 0 means 50 MiB
	TLS             *tls.Config
	Proxy           func(*http.Request) (*url.URL, error)
	Jar             http.CookieJar
}

// Client sends requests; it is safe for concurrent use.
type Client struct {
	opts Options
	hc   *http.Client
}

// DefaultBodyLimit is how much of a body is kept when Options.BodyLimit is 0.
const DefaultBodyLimit = 50 << 20

// New builds a client from o.
func New(o Options) *Client {
	if o.Timeout == 0 {
		o.Timeout = 30 * time.Second
	}
	if o.MaxRedirects == 0 {
		o.MaxRedirects = 10
	}
	if o.BodyLimit == 0 {
		o.BodyLimit = DefaultBodyLimit
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = o.TLS
	tr.Proxy = o.Proxy
	if o.Proxy == nil {
		tr.Proxy = http.ProxyFromEnvironment
	}
	tr.MaxResponseHeaderBytes = 1 << 20
	hc := &http.Client{
		Transport: tr,
		Jar:       o.Jar,
		// keyhole follows redirects itself, hop by hop, to record and police each one.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return &Client{opts: o, hc: hc}
}

// Options returns the options the client was built with.
func (c *Client) Options() Options { return c.opts }

// credentialHeaders are resent only to the same origin unless redirects are trusted.
var credentialHeaders = []string{"Authorization", "Cookie", "Proxy-Authorization"}

// Do sends r, follows redirects if asked, and reads the final answer. It never
// panics on a transport failure: the failure is in Exchange.Err.
func (c *Client) Do(ctx context.Context, r *Request) *Exchange {
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	ex := &Exchange{Request: r.Clone()}
	start := time.Now()
	defer func() { ex.Timing.Total = time.Since(start) }()

	cur := r.Clone()
	for hop := 0; ; hop++ {
		resp, err := c.send(ctx, cur, &ex.Timing, start, hop == 0)
		if err != nil {
			ex.Err = err
			return ex
		}
		loc := resp.Header.Get("Location")
		if !c.opts.FollowRedirects || !isRedirect(resp.StatusCode) || loc == "" || hop >= c.opts.MaxRedirects {
			ex.Response, ex.Err = c.read(resp)
			ex.Challenges, ex.Problems = ParseHeader(resp.Header, WWWAuthenticate)
			pc, pp := ParseHeader(resp.Header, ProxyAuthenticate)
			ex.Challenges = append(ex.Challenges, pc...)
			ex.Problems = append(ex.Problems, pp...)
			return ex
		}
		io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		next, err := resp.Request.URL.Parse(loc)
		if err != nil {
			ex.Err = fmt.Errorf("redirect to an invalid Location %q: %w", loc, err)
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
			for _, name := range credentialHeaders {
				if nr.Header.Get(name) != "" {
					h.Dropped = append(h.Dropped, name)
					nr.Header.Del(name)
				}
			}
		}
		h.CredentialsResent = hasAny(nr.Header, credentialHeaders)
		ex.Redirects = append(ex.Redirects, h)
		cur = nr
	}
}

func hasAny(h http.Header, names []string) bool {
	for _, n := range names {
		if h.Get(n) != "" {
			return true
		}
	}
	return false
}

// SameOrigin reports whether a and b share scheme, host and port (curl's rule).
func SameOrigin(a, b *url.URL) bool {
	return a.Scheme == b.Scheme && a.Hostname() == b.Hostname() && port(a) == port(b)
}

func port(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	switch u.Scheme {
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

func (c *Client) send(ctx context.Context, r *Request, t *Timing, start time.Time, first bool) (*http.Response, error) {
	var body io.Reader
	if r.Body != nil {
		body = bytes.NewReader(r.Body)
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, r.URL, body)
	if err != nil {
		return nil, fmt.Errorf("cannot build the request: %w", err)
	}
	req.Header = r.Header.Clone()
	if req.Header == nil {
		req.Header = http.Header{}
	}
	if first {
		req = req.WithContext(httptrace.WithClientTrace(ctx, trace(t, start)))
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, describe(err)
	}
	return resp, nil
}

func trace(t *Timing, start time.Time) *httptrace.ClientTrace {
	var dns, conn, tlsStart time.Time
	return &httptrace.ClientTrace{
		DNSStart:             func(httptrace.DNSStartInfo) { dns = time.Now() },
		DNSDone:              func(httptrace.DNSDoneInfo) { t.DNS = time.Since(dns) },
		ConnectStart:         func(string, string) { conn = time.Now() },
		ConnectDone:          func(string, string, error) { t.Connect = time.Since(conn) },
		TLSHandshakeStart:    func() { tlsStart = time.Now() },
		TLSHandshakeDone:     func(tls.ConnectionState, error) { t.TLS = time.Since(tlsStart) },
		GotFirstResponseByte: func() { t.FirstByte = time.Since(start) },
	}
}

func (c *Client) read(resp *http.Response) (*Response, error) {
	defer resp.Body.Close()
	out := &Response{
		Status:     resp.StatusCode,
		StatusText: http.StatusText(resp.StatusCode),
		Proto:      resp.Proto,
		URL:        resp.Request.URL.String(),
		Header:     resp.Header,
	}
	if len(resp.Status) > 4 {
		out.StatusText = resp.Status[4:]
	}
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(resp.Body, c.opts.BodyLimit))
	out.BodyBytes = n
	if err == nil && n == c.opts.BodyLimit {
		rest, err2 := io.Copy(io.Discard, resp.Body)
		out.BodyBytes += rest
		out.Truncated = rest > 0
		err = err2
	}
	out.Body = buf.Bytes()
	if err != nil {
		return out, fmt.Errorf("reading the body: %w", describe(err))
	}
	return out, nil
}

// describe turns transport errors into one line that says what happened.
func describe(err error) error {
	switch {
	case errors.Is(err, context.Canceled):
		return errors.New("cancelled")
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("timed out: %w", err)
	}
	return err
}
