package httpclient

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"time"
)

type purposeKey struct{}

// WithPurpose labels the requests made with ctx ("discovery", "token",
// "registration", "par", "device"), so a recorder can file them as such.
func WithPurpose(ctx context.Context, purpose string) context.Context {
	return context.WithValue(ctx, purposeKey{}, purpose)
}

// PurposeOf returns the label given by WithPurpose, or "".
func PurposeOf(ctx context.Context) string {
	p, _ := ctx.Value(purposeKey{}).(string)
	return p
}

type stepKey struct{}

// WithStep says why a request made by a library or a Preparer is made
// ("the authorization server's metadata, named by the resource's"), for the
// attempt it is filed as; the recorder puts it in Exchange.Step.
func WithStep(ctx context.Context, why string) context.Context {
	return context.WithValue(ctx, stepKey{}, why)
}

// StepOf returns the reason given by WithStep, or "".
func StepOf(ctx context.Context) string {
	s, _ := ctx.Value(stepKey{}).(string)
	return s
}

// Recorder returns an *http.Client that sends through c's transport (its
// timeouts, proxy, TLS settings and cookies) and calls record with an
// Exchange for every round trip, so that requests made by libraries
// (golang.org/x/oauth2) are seen like any other. The response body is read
// through the client's limit (and gzip decoded) and handed to the caller as
// read; a transport failure is a *TransportError for both.
func (c *Client) Recorder(record func(purpose string, ex *Exchange)) *http.Client {
	hc := &http.Client{
		Transport:     &recorder{c: c, record: record},
		Timeout:       c.opts.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	if c.jar != nil {
		hc.Jar = c.jar
	}
	return hc
}

type recorder struct {
	c      *Client
	record func(string, *Exchange)
}

func (t *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	sent := &Request{Method: req.Method, URL: req.URL.String(), Header: req.Header.Clone()}
	if req.Body != nil && req.Body != http.NoBody {
		// The whole body is sent; the record keeps what fits the limit.
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, &TransportError{KindOther, fmt.Errorf("reading the request body: %w", err), ""}
		}
		sent.Body = b[:min(int64(len(b)), t.c.opts.BodyLimit)]
		req = req.Clone(req.Context())
		req.Body = io.NopCloser(bytes.NewReader(b))
	}
	registry.remember(sent)
	ex := &Exchange{Request: sent, Withheld: withheldOf(req.Context()), Step: StepOf(req.Context())}
	tt := &timingTrace{start: start}
	defer func() {
		ex.Timing = tt.get()
		t.record(PurposeOf(req.Context()), ex)
	}()
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), tt.trace()))
	req, st, proxy := t.c.prepare(req)
	ex.Proxy = proxy
	resp, err := t.c.tr.RoundTrip(req)
	if err != nil {
		if refusal := st.refused(); refusal != nil {
			ex.Response = refusal
			ex.Challenges, ex.Problems = parseBoth(refusal.Header)
			return refusal.httpResponse(req), nil
		}
		te := classify(err)
		ex.Err = te
		return nil, te
	}
	r, err := t.c.read(resp)
	ex.Response, ex.Err = r, err
	ex.Challenges, ex.Problems = parseBoth(resp.Header)
	if err != nil {
		return nil, err
	}
	if r.Encoding != "" {
		// As net/http does when it decodes: the body no longer matches these.
		resp.Header = resp.Header.Clone()
		resp.Header.Del("Content-Encoding")
		resp.Header.Del("Content-Length")
		resp.Uncompressed = true
	}
	resp.ContentLength = int64(len(r.Body))
	resp.Body = io.NopCloser(bytes.NewReader(r.Body))
	return resp, nil
}
