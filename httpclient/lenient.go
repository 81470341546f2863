package httpclient

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// A server that puts ESC or BEL in a response header makes Go's parser
// refuse the whole response (net/textproto, RFC 9110 §5.5), and keyhole
// would show "no response" where a 401 and its challenge came: a hostile
// server could hide its answer that way. For a request that is safe to send
// twice (GET, HEAD, OPTIONS without a body) and goes straight to the origin,
// keyhole sends it once more on a connection of its own and reads the answer
// with the lenient reader below; every value is then shown escaped (Safe),
// and the diagnosis says the header held control characters.

// retryLeniently reports whether a request refused with err may be sent again
// and read leniently.
func (c *Client) retryLeniently(r *Request, err *TransportError) bool {
	if err.Kind != KindMalformedHeader || len(r.Body) > 0 {
		return false
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
	default:
		return false
	}
	u, perr := url.Parse(r.URL)
	if perr != nil {
		return false
	}
	p, perr := c.proxy(&http.Request{Method: r.Method, URL: u, Header: http.Header{}})
	return perr == nil && p == nil
}

// readLeniently sends r on a new direct connection and reads its answer
// without Go's header rules, within MaxHeaderBytes and the body limit.
func (c *Client) readLeniently(ctx context.Context, r *Request) (*Response, error) {
	req, err := http.NewRequestWithContext(ctx, r.Method, r.URL, nil)
	if err != nil {
		return nil, err
	}
	req.Header = r.Header.Clone()
	req.Close = true
	addr := req.URL.Host
	if req.URL.Port() == "" {
		addr = net.JoinHostPort(req.URL.Hostname(), port(req.URL))
	}
	conn, err := c.dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if d, ok := ctx.Deadline(); ok {
		conn.SetDeadline(d)
	}
	if req.URL.Scheme == "https" {
		cfg := &tls.Config{}
		if c.opts.TLS != nil {
			cfg = c.opts.TLS.Clone()
		}
		if cfg.ServerName == "" {
			cfg.ServerName = req.URL.Hostname()
		}
		cfg.NextProtos = []string{"http/1.1"}
		tc := tls.Client(conn, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			return nil, err
		}
		conn = tc
	}
	if err := req.Write(conn); err != nil {
		return nil, err
	}
	br := bufio.NewReader(conn)
	out, err := ReadLenientHead(br)
	if err != nil {
		return nil, err
	}
	out.URL = r.URL
	if r.Method == http.MethodHead || out.Status == 204 || out.Status == 304 {
		return out, nil
	}
	n, _ := strconv.ParseInt(strings.TrimSpace(out.Header.Get("Content-Length")), 10, 64)
	var body io.Reader = br
	if n > 0 {
		body = io.LimitReader(br, n)
	}
	b, full, err := readBody(body, n, c.opts.BodyLimit)
	out.Body, out.BodyBytes, out.Truncated = b, int64(len(b)), full
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return out, classify(fmt.Errorf("reading the body: %w", err))
	}
	return out, nil
}

// ReadLenientHead reads an HTTP/1.x status line and header block from br as
// sent, within MaxHeaderBytes: control characters are kept (display escapes
// them), a line without a colon is skipped, and an obsolete folded line
// continues the value before it. It fails only when there is no status line.
func ReadLenientHead(br *bufio.Reader) (*Response, error) {
	left := MaxHeaderBytes
	line := func() (string, error) {
		var b []byte
		for {
			chunk, err := br.ReadSlice('\n')
			b = append(b, chunk...)
			if left -= len(chunk); left < 0 {
				return "", errors.New("the response headers exceed 1 MiB")
			}
			if err == bufio.ErrBufferFull {
				continue
			}
			if err != nil && len(b) == 0 {
				return "", err
			}
			return strings.TrimRight(string(b), "\r\n"), nil
		}
	}
	status, err := line()
	if err != nil {
		return nil, fmt.Errorf("reading the status line: %w", err)
	}
	proto, rest, _ := strings.Cut(status, " ")
	code, text, _ := strings.Cut(strings.TrimLeft(rest, " "), " ")
	n, err := strconv.Atoi(code)
	if !strings.HasPrefix(proto, "HTTP/1.") || err != nil || n < 100 || n > 999 {
		return nil, fmt.Errorf("%q is not an HTTP/1.x status line", status)
	}
	out := &Response{Status: n, StatusText: text, Proto: proto, Header: http.Header{}}
	last := ""
	for {
		l, err := line()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			return nil, err
		}
		if l == "" {
			return out, nil
		}
		if (l[0] == ' ' || l[0] == '\t') && last != "" {
			vs := out.Header[last]
			vs[len(vs)-1] += " " + strings.TrimSpace(l)
			continue
		}
		name, value, ok := strings.Cut(l, ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			continue
		}
		last = http.CanonicalHeaderKey(name)
		out.Header[last] = append(out.Header[last], strings.Trim(value, " \t"))
	}
}
