package httpclient

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"time"
)

type purposeKey struct{}

// WithPurpose labels the requests made with ctx ("token", "discovery"), so a
// recorder can file them as such.
func WithPurpose(ctx context.Context, purpose string) context.Context {
	return context.WithValue(ctx, purposeKey{}, purpose)
}

// PurposeOf returns the label given by WithPurpose, or "".
func PurposeOf(ctx context.Context) string {
	p, _ := ctx.Value(purposeKey{}).(string)
	return p
}

// Recorder returns an *http.Client that sends through c's transport and calls
// record with an Exchange for every round trip, so that requests made by
// libraries (golang.org/x/oauth2) are seen like any other. Bodies are read
// through the client's limit and handed back to the caller unchanged.
func (c *Client) Recorder(record func(purpose string, ex *Exchange)) *http.Client {
	return &http.Client{
		Transport:     &recorder{c: c, record: record},
		Timeout:       c.opts.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

type recorder struct {
	c      *Client
	record func(string, *Exchange)
}

func (t *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	sent := &Request{Method: req.Method, URL: req.URL.String(), Header: req.Header.Clone()}
	if req.Body != nil {
		b, err := io.ReadAll(io.LimitReader(req.Body, t.c.opts.BodyLimit))
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		sent.Body = b
		req.Body = io.NopCloser(bytes.NewReader(b))
	}
	ex := &Exchange{Request: sent}
	defer func() {
		ex.Timing.Total = time.Since(start)
		t.record(PurposeOf(req.Context()), ex)
	}()
	resp, err := t.c.hc.Transport.RoundTrip(req)
	if err != nil {
		ex.Err = describe(err)
		return nil, err
	}
	r, err := t.c.read(resp)
	ex.Response, ex.Err = r, err
	ex.Challenges, ex.Problems = ParseHeader(resp.Header, WWWAuthenticate)
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(r.Body))
	return resp, nil
}
