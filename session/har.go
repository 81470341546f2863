package session

import (
	"bytes"
	"encoding/base64"
	"io"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Version names keyhole in exported files (HAR's creator); main sets it.
var Version = "dev"

// HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/). Field names and
// which are required follow the spec; keyhole's own data is in fields that
// start with "_", as the spec allows.
type harLog struct {
	Log harBody `json:"log"`
}

type harBody struct {
	Version string     `json:"version"`
	Creator harCreator `json:"creator"`
	Entries []harEntry `json:"entries"`
}

type harCreator struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type harEntry struct {
	StartedDateTime string      `json:"startedDateTime"`
	Time            float64     `json:"time"`
	Request         harRequest  `json:"request"`
	Response        harResponse `json:"response"`
	Cache           struct{}    `json:"cache"`
	Timings         harTimings  `json:"timings"`
	Comment         string      `json:"comment,omitempty"`
	Error           string      `json:"_error,omitempty"`
	Keyhole         harKeyhole  `json:"_keyhole"`
}

type harKeyhole struct {
	N        int             `json:"n"`
	Purpose  string          `json:"purpose"`
	Step     string          `json:"step,omitempty"`
	Auto     string          `json:"auto,omitempty"`
	Scheme   string          `json:"scheme,omitempty"`
	Findings []FindingRecord `json:"findings"`
}

type harNV struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type harCookie struct {
	Name     string `json:"name"`
	Value    string `json:"value"`
	Path     string `json:"path,omitempty"`
	Domain   string `json:"domain,omitempty"`
	Expires  string `json:"expires,omitempty"`
	HTTPOnly bool   `json:"httpOnly,omitempty"`
	Secure   bool   `json:"secure,omitempty"`
}

type harRequest struct {
	Method      string       `json:"method"`
	URL         string       `json:"url"`
	HTTPVersion string       `json:"httpVersion"`
	Cookies     []harCookie  `json:"cookies"`
	Headers     []harNV      `json:"headers"`
	QueryString []harNV      `json:"queryString"`
	PostData    *harPostData `json:"postData,omitempty"`
	HeadersSize int          `json:"headersSize"`
	BodySize    int          `json:"bodySize"`
}

type harPostData struct {
	MimeType string  `json:"mimeType"`
	Params   []harNV `json:"params"`
	Text     string  `json:"text"`
}

type harResponse struct {
	Status      int         `json:"status"`
	StatusText  string      `json:"statusText"`
	HTTPVersion string      `json:"httpVersion"`
	Cookies     []harCookie `json:"cookies"`
	Headers     []harNV     `json:"headers"`
	Content     harContent  `json:"content"`
	RedirectURL string      `json:"redirectURL"`
	HeadersSize int         `json:"headersSize"`
	BodySize    int         `json:"bodySize"`
}

type harContent struct {
	Size     int64  `json:"size"`
	MimeType string `json:"mimeType"`
	Text     string `json:"text,omitempty"`
	Encoding string `json:"encoding,omitempty"`
}

type harTimings struct {
	Blocked float64 `json:"blocked"`
	DNS     float64 `json:"dns"`
	Connect float64 `json:"connect"`
	Send    float64 `json:"send"`
	Wait    float64 `json:"wait"`
	Receive float64 `json:"receive"`
	SSL     float64 `json:"ssl"`
}

// HAR returns the attempts as a HAR 1.2 log, one entry per attempt (token and
// discovery requests included), secrets masked unless showSecrets. An attempt
// that got no answer has status 0 and its error in "_error", as browsers do.
// It is written by WriteJSON, so DEL and C1 controls from a server are
// escaped and the file is safe to print to a terminal.
func HAR(attempts []*Attempt, showSecrets bool) ([]byte, error) {
	var b bytes.Buffer
	if err := WriteHAR(&b, attempts, showSecrets); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// WriteHAR is HAR streamed to w, without the whole log in memory twice.
func WriteHAR(w io.Writer, attempts []*Attempt, showSecrets bool) error {
	doc := Records(attempts, showSecrets)
	l := harLog{Log: harBody{Version: "1.2", Creator: harCreator{"keyhole", Version}, Entries: []harEntry{}}}
	for i, r := range doc.Attempts {
		l.Log.Entries = append(l.Log.Entries, harFromRecord(attempts[i], r))
	}
	return WriteJSON(w, l, true)
}

func harFromRecord(a *Attempt, r Record) harEntry {
	started := r.Started
	if started.IsZero() {
		started = time.Unix(0, 0) // HAR requires a date; the attempt has none
	}
	e := harEntry{
		StartedDateTime: started.UTC().Format("2006-01-02T15:04:05.000Z07:00"),
		Keyhole:         harKeyhole{N: r.N, Purpose: r.Purpose, Step: r.Step, Auto: r.Auto, Scheme: r.Scheme, Findings: r.Findings},
	}
	if r.Error != nil {
		e.Error = *r.Error
	}
	proto := "HTTP/1.1"
	if r.Response != nil && r.Response.Proto != "" {
		proto = r.Response.Proto
	}

	req := harRequest{
		Method: r.Request.Method, URL: r.Request.URL, HTTPVersion: proto,
		Cookies: requestCookies(r.Request.Headers), Headers: harHeaders(r.Request.Headers),
		QueryString: []harNV{}, HeadersSize: -1,
	}
	if u, err := url.Parse(r.Request.URL); err == nil {
		for _, pair := range strings.Split(u.RawQuery, "&") {
			if pair == "" {
				continue
			}
			k, v, _ := strings.Cut(pair, "=")
			uk, err1 := url.QueryUnescape(k)
			uv, err2 := url.QueryUnescape(v)
			if err1 != nil || err2 != nil {
				uk, uv = k, v
			}
			req.QueryString = append(req.QueryString, harNV{uk, uv})
		}
	}
	if a.Exchange != nil && a.Exchange.Request != nil {
		req.BodySize = len(a.Exchange.Request.Body)
	}
	if r.Request.Body != "" || req.BodySize > 0 {
		ct := r.Request.Headers.Get("Content-Type")
		pd := &harPostData{MimeType: ct, Params: []harNV{}, Text: r.Request.Body}
		if r.Request.BodyEncoding == "base64" {
			// HAR's postData has no encoding field; say so rather than
			// hand a reader bytes it would take for text.
			pd.Text = ""
			e.Comment = "request body is binary; not included"
		}
		if mt, _, _ := mime.ParseMediaType(ct); mt == "application/x-www-form-urlencoded" {
			for _, pair := range strings.Split(pd.Text, "&") {
				if k, v, ok := strings.Cut(pair, "="); ok {
					uk, _ := url.QueryUnescape(k)
					uv, err := url.QueryUnescape(v)
					if err != nil {
						uv = v
					}
					pd.Params = append(pd.Params, harNV{uk, uv})
				}
			}
		}
		req.PostData = pd
	}
	e.Request = req

	resp := harResponse{Cookies: []harCookie{}, Headers: []harNV{}, HeadersSize: -1, BodySize: -1,
		Content: harContent{MimeType: "x-unknown"}}
	if rr := r.Response; rr != nil {
		resp.Status, resp.StatusText, resp.HTTPVersion = rr.Status, rr.StatusText, rr.Proto
		resp.Headers = harHeaders(rr.Headers)
		resp.Cookies = responseCookies(rr.Headers)
		resp.RedirectURL = rr.Headers.Get("Location")
		resp.BodySize = int(rr.BodyBytes)
		ct := rr.Headers.Get("Content-Type")
		if ct == "" {
			ct = "x-unknown"
		}
		resp.Content = harContent{Size: rr.BodyBytes, MimeType: ct, Text: rr.Body}
		if rr.BodyEncoding == "base64" {
			resp.Content.Encoding = "base64"
		} else if !utf8.ValidString(rr.Body) {
			resp.Content.Text, resp.Content.Encoding = base64.StdEncoding.EncodeToString([]byte(rr.Body)), "base64"
		}
	}
	e.Response = resp

	t := r.TimingMS
	// HAR's connect includes ssl; wait is the time to the first byte after
	// the connection was ready; send is not measured separately.
	wait := t.FirstByte - t.DNS - t.Connect
	if wait < 0 {
		wait = 0
	}
	receive := t.Total - t.FirstByte
	if receive < 0 || t.FirstByte == 0 {
		receive = 0
	}
	e.Timings = harTimings{Blocked: -1, DNS: orNone(t.DNS), Connect: orNone(t.Connect + t.TLS), SSL: orNone(t.TLS), Send: 0, Wait: wait, Receive: receive}
	e.Time = t.Total
	return e
}

// orNone is HAR's -1 for a phase that did not happen (a reused connection).
func orNone(ms float64) float64 {
	if ms == 0 {
		return -1
	}
	return ms
}

func harHeaders(h http.Header) []harNV {
	out := []harNV{}
	for _, k := range slices.Sorted(maps.Keys(h)) {
		for _, v := range h[k] {
			out = append(out, harNV{k, v})
		}
	}
	return out
}

func requestCookies(h http.Header) []harCookie {
	out := []harCookie{}
	for _, line := range h.Values("Cookie") {
		cs, err := http.ParseCookie(line)
		if err != nil {
			// A masked Cookie header is no longer name=value pairs.
			out = append(out, harCookie{Name: "Cookie", Value: line})
			continue
		}
		for _, c := range cs {
			out = append(out, harCookie{Name: c.Name, Value: c.Value})
		}
	}
	return out
}

func responseCookies(h http.Header) []harCookie {
	out := []harCookie{}
	for _, line := range h.Values("Set-Cookie") {
		c, err := http.ParseSetCookie(line)
		if err != nil {
			out = append(out, harCookie{Name: "Set-Cookie", Value: line})
			continue
		}
		hc := harCookie{Name: c.Name, Value: c.Value, Path: c.Path, Domain: c.Domain, HTTPOnly: c.HttpOnly, Secure: c.Secure}
		if !c.Expires.IsZero() {
			hc.Expires = c.Expires.UTC().Format(time.RFC3339)
		}
		out = append(out, hc)
	}
	return out
}
