package session

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"math"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
	"unsafe"

	"keyhole/credentials"
	"keyhole/httpclient"
)

// Document is the JSON record of a session: what `keyhole send --json` prints
// and what a saved session holds. Its field names are a stable contract; new
// fields may be added, none removed.
type Document struct {
	Final    Final    `json:"final"`
	Attempts []Record `json:"attempts"`
}

// Final points at the last attempt of the user's request.
type Final struct {
	Status  *int `json:"status"`  // nil when no response came
	Attempt int  `json:"attempt"` // its N; 0 when there is none
}

// Record is one attempt.
type Record struct {
	N       int    `json:"n"`
	Purpose string `json:"purpose"`
	Step    string `json:"step,omitempty"` // what a request keyhole made on its own did: "token request", "client registration", ...
	Auto    string `json:"auto,omitempty"`
	Note    string `json:"note,omitempty"`
	Scheme  string `json:"scheme,omitempty"`
	Reason  string `json:"reason,omitempty"`
	// Carried is Attempt.CarriedWords for a request attempt ("Basic, proxy
	// Basic", "none"); Credentials the same as data.
	Carried     string            `json:"carried,omitempty"`
	Credentials []Carried         `json:"credentials,omitempty"`
	Started     time.Time         `json:"started,omitzero"`
	Finished    time.Time         `json:"finished,omitzero"`
	Request     RequestRecord     `json:"request"`
	Response    *ResponseRecord   `json:"response"`
	Error       *string           `json:"error"`
	Redirects   []RedirectRecord  `json:"redirects"`
	Challenges  []ChallengeRecord `json:"challenges"`
	Problems    []ProblemRecord   `json:"problems,omitempty"`
	Findings    []FindingRecord   `json:"findings"`
	TimingMS    TimingRecord      `json:"timing_ms"`
}

// RequestRecord is a request as sent.
type RequestRecord struct {
	Method       string      `json:"method"`
	URL          string      `json:"url"`
	Headers      http.Header `json:"headers"`
	Body         string      `json:"body,omitempty"`
	BodyEncoding string      `json:"body_encoding,omitempty"` // "base64" when Body is not UTF-8 text
}

// ResponseRecord is the answer that ended an attempt.
type ResponseRecord struct {
	Status       int         `json:"status"`
	StatusText   string      `json:"status_text,omitempty"`
	Proto        string      `json:"proto"`
	URL          string      `json:"url,omitempty"`
	Headers      http.Header `json:"headers"`
	BodyBytes    int64       `json:"body_bytes"`
	Body         string      `json:"body"`
	BodyEncoding string      `json:"body_encoding,omitempty"` // "base64" when Body is not UTF-8 text
	Truncated    bool        `json:"truncated,omitempty"`
}

// RedirectRecord is one hop that was followed.
type RedirectRecord struct {
	Status            int      `json:"status"`
	From              string   `json:"from"`
	To                string   `json:"to"`
	CredentialsResent bool     `json:"credentials_resent"`
	Dropped           []string `json:"dropped,omitempty"`
}

// ChallengeRecord is one challenge; Params keeps the order the server sent.
type ChallengeRecord struct {
	Header  string `json:"header"`
	Scheme  string `json:"scheme"`
	Params  Params `json:"params"`
	Token68 string `json:"token68"`
}

// ProblemRecord is a parse problem of a challenge field.
type ProblemRecord struct {
	Severity string `json:"severity"`
	Offset   int    `json:"offset"`
	Message  string `json:"message"`
}

// FindingRecord is one finding of the diagnosis.
type FindingRecord struct {
	Code     string  `json:"code"`
	Severity string  `json:"severity"`
	Message  string  `json:"message"`
	Next     string  `json:"next,omitempty"`
	DocURL   string  `json:"doc_url,omitempty"`
	Do       *Action `json:"do,omitempty"` // Finding.Do, when there is one
}

// TimingRecord holds the phases of an exchange in milliseconds.
type TimingRecord struct {
	DNS       float64 `json:"dns"`
	Connect   float64 `json:"connect"`
	TLS       float64 `json:"tls"`
	FirstByte float64 `json:"first_byte"`
	Total     float64 `json:"total"`
}

// Params is a challenge's parameters as one JSON object in the server's order.
// A repeated name (invalid, RFC 9110 §11.2) keeps its first value, as
// Challenge.Get does; the parser reports the duplicate as a problem.
type Params []httpclient.Param

// MarshalJSON writes the parameters as an object in order.
func (ps Params) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	seen := map[string]bool{}
	for _, p := range ps {
		if seen[p.Name] {
			continue
		}
		seen[p.Name] = true
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(p.Name)
		v, _ := json.Marshal(p.Value)
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads an object of string values, keeping its order.
func (ps *Params) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	t, err := dec.Token()
	if err != nil {
		return err
	}
	if t == nil {
		*ps = nil
		return nil
	}
	if d, ok := t.(json.Delim); !ok || d != '{' {
		return errors.New("challenge params must be an object")
	}
	out := Params{}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return err
		}
		var v string
		if err := dec.Decode(&v); err != nil {
			return err
		}
		out = append(out, httpclient.Param{Name: k.(string), Value: v})
	}
	*ps = out
	return nil
}

// Records builds the JSON record of attempts. Unless showSecrets, every
// credential is masked: secret headers, URL passwords and secret query
// parameters, secrets in JSON and form bodies, the Digest response.
func Records(attempts []*Attempt, showSecrets bool) Document {
	d := Document{Attempts: make([]Record, 0, len(attempts))}
	for _, a := range attempts {
		d.Attempts = append(d.Attempts, recordOf(a, showSecrets))
		if a.Purpose == PurposeRequest || a.Purpose == "" {
			d.Final = Final{Attempt: a.N}
			if s := a.Status(); s != 0 {
				d.Final.Status = &s
			}
		}
	}
	return d
}

func recordOf(a *Attempt, show bool) Record {
	r := Record{
		N: a.N, Purpose: a.Purpose, Step: a.Label(), Auto: a.Auto, Note: a.Note, Scheme: a.Scheme, Reason: a.Reason, Credentials: a.Carried,
		Started: a.Started, Finished: a.Finished, Redirects: []RedirectRecord{}, Challenges: []ChallengeRecord{}, Findings: []FindingRecord{},
	}
	if r.Purpose == "" {
		r.Purpose = PurposeRequest
	}
	if r.Purpose == PurposeRequest {
		r.Carried = a.CarriedWords()
	}
	for _, f := range a.Findings {
		fr := FindingRecord{Code: f.Code, Severity: f.Severity, Message: f.Message, Next: f.Next, DocURL: f.DocURL}
		if f.Do.Kind != "" {
			fr.Do = &f.Do
		}
		r.Findings = append(r.Findings, fr)
	}
	ex := a.Exchange
	if ex == nil {
		r.Request.Headers = http.Header{}
		return r
	}
	if ex.Request != nil {
		r.Request = RequestRecord{Method: ex.Request.Method, URL: redactURL(ex.Request.URL, show), Headers: redactHeaders(ex.Request.Header, show)}
		body := ex.Request.Body
		if !show {
			body = RedactBody(ex.Request.Header.Get("Content-Type"), body)
		}
		r.Request.Body, r.Request.BodyEncoding = encodeBody(body)
	}
	if r.Request.Headers == nil {
		r.Request.Headers = http.Header{}
	}
	if resp := ex.Response; resp != nil {
		rr := &ResponseRecord{
			Status: resp.Status, StatusText: resp.StatusText, Proto: resp.Proto,
			URL: redactURL(resp.URL, show), Headers: redactHeaders(resp.Header, show),
			BodyBytes: resp.BodyBytes, Truncated: resp.Truncated,
		}
		body := resp.Body
		if !show {
			body = RedactBody(resp.Header.Get("Content-Type"), body)
		}
		rr.Body, rr.BodyEncoding = encodeBody(body)
		r.Response = rr
	}
	if ex.Err != nil {
		msg := ex.Err.Error()
		if !show {
			msg = redactURLsIn(msg)
		}
		r.Error = &msg
	}
	for _, h := range ex.Redirects {
		r.Redirects = append(r.Redirects, RedirectRecord{h.Status, redactURL(h.From, show), redactURL(h.To, show), h.CredentialsResent, h.Dropped})
	}
	for _, c := range ex.Challenges {
		r.Challenges = append(r.Challenges, ChallengeRecord{c.Header, c.Scheme, Params(c.Params), c.Token68})
	}
	for _, p := range ex.Problems {
		r.Problems = append(r.Problems, ProblemRecord{p.Severity, p.Offset, p.Message})
	}
	t := ex.Timing
	r.TimingMS = TimingRecord{millis(t.DNS), millis(t.Connect), millis(t.TLS), millis(t.FirstByte), millis(t.Total)}
	if !show {
		scrubRecord(&r)
	}
	return r
}

func millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// encodeBody keeps text as text and carries anything else as base64, because
// JSON strings would silently replace invalid UTF-8.
func encodeBody(b []byte) (string, string) {
	if utf8.Valid(b) {
		// Not copied: a body is never changed once read, and a 50 MiB
		// copy per document was most of --json's peak memory.
		return unsafe.String(unsafe.SliceData(b), len(b)), ""
	}
	return base64.StdEncoding.EncodeToString(b), "base64"
}

func decodeBody(s, encoding string) ([]byte, error) {
	switch encoding {
	case "":
		if s == "" {
			return nil, nil
		}
		return []byte(s), nil
	case "base64":
		return base64.StdEncoding.DecodeString(s)
	}
	return nil, errors.New("unknown body_encoding " + encoding)
}

func redactURL(u string, show bool) string {
	if show {
		return u
	}
	return credentials.RedactURL(u)
}

var urlInText = lazyRegexp(`https?://[^\s"'<>]+`)

// lazyRegexp compiles pattern on first use: compiling each package-level
// pattern when the program starts delayed the TUI's first frame.
func lazyRegexp(pattern string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(pattern) })
}

// redactURLsIn masks credentials in the URLs quoted by a message: Go's
// errors quote the request URL, query string included.
func redactURLsIn(s string) string {
	if !strings.Contains(s, "://") {
		return s
	}
	return urlInText().ReplaceAllStringFunc(s, credentials.RedactURL)
}

// redactHeaders masks credentials like credentials.RedactHeader, except that a
// Digest answer keeps its parameters and hides only the response: the user,
// realm, nonce and nc are what a reader needs to see why Digest failed, and
// only the response is derived from the password.
func redactHeaders(h http.Header, show bool) http.Header {
	if show {
		return h.Clone()
	}
	out := credentials.RedactHeader(h)
	for k, vs := range h {
		for i, v := range vs {
			switch {
			case strings.Contains(v, credentials.Redacted):
				// Masked already (a loaded session): masking again would
				// replace the secret's fingerprint with the mask's.
				out[k][i] = v
			case urlHeaders[http.CanonicalHeaderKey(k)]:
				// An OAuth redirect carries the code (or, implicit flow, the token) in its URL.
				out[k][i] = credentials.RedactURL(v)
			default:
				if masked, ok := maskDigest(k, v); ok {
					out[k][i] = masked
				}
			}
		}
	}
	return out
}

// urlHeaders hold a URL whose query may carry credentials.
var urlHeaders = map[string]bool{"Location": true, "Content-Location": true, "Referer": true}

// maskDigest hides the response of a Digest Authorization or
// Proxy-Authorization value.
func maskDigest(name, value string) (string, bool) {
	switch strings.ToLower(name) {
	case "authorization", "proxy-authorization":
	default:
		return "", false
	}
	scheme, _, ok := strings.Cut(value, " ")
	if !ok || !strings.EqualFold(scheme, "Digest") {
		return "", false
	}
	chs, _ := httpclient.ParseChallenges(value)
	if len(chs) != 1 {
		return "", false
	}
	parts := make([]string, 0, len(chs[0].Params))
	for _, p := range chs[0].Params {
		v := p.Value
		if p.Name == "response" {
			v = credentials.Mask(v)
		}
		if p.Quoted || p.Name == "response" {
			v = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v) + `"`
		}
		parts = append(parts, p.Name+"="+v)
	}
	return scheme + " " + strings.Join(parts, ", "), true
}

// secretBodyFields are JSON keys and form fields whose value is a credential, in
// token requests and responses, registry token answers and login forms.
var secretBodyFields = map[string]bool{
	"access_token":              true,
	"refresh_token":             true,
	"id_token":                  true,
	"token":                     true,
	"client_secret":             true,
	"client_assertion":          true,
	"assertion":                 true,
	"subject_token":             true,
	"actor_token":               true,
	"password":                  true,
	"passwd":                    true,
	"device_code":               true,
	"code":                      true,
	"code_verifier":             true,
	"api_key":                   true,
	"apikey":                    true,
	"secret":                    true,
	"private_key":               true,
	"secret_access_key":         true,
	"session_token":             true,
	"registration_token":        true,
	"registration_access_token": true,
}

// IsSecretField reports whether a JSON key or form field name carries a credential.
func IsSecretField(name string) bool { return secretBodyFields[strings.ToLower(name)] }

// RedactBody returns b with the values of secret fields replaced by
// credentials.Redacted, in JSON bodies (any depth) and form-encoded bodies. The
// content type decides, and a body without one is recognised by its shape,
// since token endpoints do not always label their answers. Anything else comes
// back unchanged; b is never modified.
func RedactBody(contentType string, b []byte) []byte {
	out, _ := redactBody(contentType, b, nil)
	return out
}

// redactBody replaces each secret value with replace(field); a nil replace
// or result means the default: Redacted (as a JSON string in JSON bodies). It reports
// whether anything was replaced.
func redactBody(contentType string, b []byte, replace func(field string) []byte) ([]byte, bool) {
	if len(b) == 0 {
		return b, false
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	switch {
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		out, n := redactJSON(b, replace)
		return out, n > 0
	case mt == "application/x-www-form-urlencoded":
		return redactForm(b, replace)
	case mt == "" || mt == "text/plain" || mt == "application/octet-stream":
		if t := bytes.TrimSpace(b); len(t) > 0 && (t[0] == '{' || t[0] == '[') {
			out, n := redactJSON(b, replace)
			return out, n > 0
		}
		if looksLikeForm(b) {
			return redactForm(b, replace)
		}
	}
	return b, false
}

func looksLikeForm(b []byte) bool {
	return bytes.IndexByte(b, '=') > 0 && !bytes.ContainsAny(b, " \t\r\n<>{}\"")
}

// redactJSON splices replacements over the byte ranges of secret values
// (see SecretScanner), so the rest of the body keeps its exact bytes. A
// body cut by the client's limit is masked up to the cut.
func redactJSON(b []byte, replace func(string) []byte) ([]byte, int) {
	return splice(b, JSONSecrets(b), replace)
}

func splice(b []byte, spans []Span, replace func(string) []byte) ([]byte, int) {
	if len(spans) == 0 {
		return b, 0
	}
	var out bytes.Buffer
	out.Grow(len(b)) // one allocation: a big body must not be copied by doubling
	last := 0
	for _, sp := range spans {
		out.Write(b[last:sp.Start])
		if r := replaceOf(replace, b, sp); r != nil {
			out.Write(r)
		} else {
			out.WriteString(redactedJSON)
		}
		last = sp.End
	}
	out.Write(b[last:])
	return out.Bytes(), len(spans)
}

func replaceOf(replace func(string) []byte, b []byte, sp Span) []byte {
	if replace == nil {
		return nil
	}
	return replace(sp.Field(b))
}

// MaskSpans returns b with each span, in order, replaced by Redacted as a
// JSON string; b itself is not changed.
func MaskSpans(b []byte, spans []Span) []byte {
	if len(spans) == 0 {
		return b
	}
	out, _ := splice(b, spans, nil)
	return out
}

// Span is the byte range of a secret value in a body.
type Span struct{ Start, End int }

// Field names the secret at sp in b for curl's variables: "jwt" for a
// token found by its shape, else the key before it.
func (sp Span) Field(b []byte) string {
	i := bytes.LastIndexByte(b[:sp.Start], ':')
	if i < 0 {
		return "jwt"
	}
	k := bytes.TrimRight(b[:i], " \t\r\n")
	if !bytes.HasSuffix(k, []byte(`"`)) {
		return "jwt"
	}
	j := bytes.LastIndexByte(k[:len(k)-1], '"')
	var name string
	if j < 0 || json.Unmarshal(k[j:], &name) != nil || !IsSecretField(name) {
		return "jwt"
	}
	return name
}

// JSONSecrets finds the secret values of the JSON document b, in order.
func JSONSecrets(b []byte) []Span {
	var spans []Span
	found := func(start, end int64) { spans = append(spans, Span{int(start), int(end)}) }
	s := NewSecretScanner(CodeIsSecret(b))
	s.Scan(b, found)
	s.Flush(found)
	return spans
}

var redactedJSON = `"` + credentials.Redacted + `"`

// redactForm replaces secret values of an application/x-www-form-urlencoded
// body, keeping every other byte and the order of the fields.
func redactForm(b []byte, replace func(string) []byte) ([]byte, bool) {
	pairs := bytes.Split(b, []byte("&"))
	code := codeIsSecretInForm(pairs)
	changed := false
	for i, p := range pairs {
		k, _, ok := bytes.Cut(p, []byte("="))
		if !ok {
			continue
		}
		name, err := url.QueryUnescape(string(k))
		if lower := strings.ToLower(name); err != nil || !secretBodyFields[lower] || lower == "code" && !code {
			continue
		}
		var r []byte
		if replace != nil {
			r = replace(name)
		}
		if r == nil {
			r = []byte(credentials.Redacted)
		}
		pairs[i] = append(append(append([]byte{}, k...), '='), r...)
		changed = true
	}
	if !changed {
		return b, false
	}
	return bytes.Join(pairs, []byte("&")), true
}

// codeIsSecretInForm reports whether a form's "code" is an OAuth
// authorization code: the form is a token request of that grant (RFC 6749
// §4.1.3), or carries a PKCE verifier.
func codeIsSecretInForm(pairs [][]byte) bool {
	for _, p := range pairs {
		k, v, _ := bytes.Cut(p, []byte("="))
		switch string(k) {
		case "grant_type":
			if string(v) == "authorization_code" {
				return true
			}
		case "code_verifier":
			return true
		}
	}
	return false
}

// Attempt rebuilds an attempt from its record, for a loaded session. Secrets
// that were masked when the record was written stay masked.
func (r Record) Attempt() (*Attempt, error) {
	a := &Attempt{N: r.N, Purpose: r.Purpose, Step: r.Step, Auto: r.Auto, Note: r.Note, Scheme: r.Scheme, Reason: r.Reason, Carried: r.Credentials,
		Started: r.Started, Finished: r.Finished}
	ex := &httpclient.Exchange{}
	body, err := decodeBody(r.Request.Body, r.Request.BodyEncoding)
	if err != nil {
		return nil, errors.New("attempt " + strconv.Itoa(r.N) + ": request body: " + err.Error())
	}
	ex.Request = &httpclient.Request{Method: r.Request.Method, URL: r.Request.URL, Header: canonicalHeader(r.Request.Headers), Body: body}
	if rr := r.Response; rr != nil {
		body, err := decodeBody(rr.Body, rr.BodyEncoding)
		if err != nil {
			return nil, errors.New("attempt " + strconv.Itoa(r.N) + ": response body: " + err.Error())
		}
		ex.Response = &httpclient.Response{
			Status: rr.Status, StatusText: rr.StatusText, Proto: rr.Proto, URL: rr.URL,
			Header: canonicalHeader(rr.Headers), Body: body, BodyBytes: rr.BodyBytes, Truncated: rr.Truncated,
		}
	}
	if r.Error != nil {
		ex.Err = errors.New(*r.Error)
	}
	for _, h := range r.Redirects {
		ex.Redirects = append(ex.Redirects, httpclient.Hop{Status: h.Status, From: h.From, To: h.To, CredentialsResent: h.CredentialsResent, Dropped: h.Dropped})
	}
	for _, c := range r.Challenges {
		ex.Challenges = append(ex.Challenges, httpclient.Challenge{Header: c.Header, Scheme: c.Scheme, Params: []httpclient.Param(c.Params), Token68: c.Token68})
	}
	for _, p := range r.Problems {
		ex.Problems = append(ex.Problems, httpclient.Problem{Severity: p.Severity, Offset: p.Offset, Message: p.Message})
	}
	t := r.TimingMS
	ex.Timing = httpclient.Timing{DNS: fromMillis(t.DNS), Connect: fromMillis(t.Connect), TLS: fromMillis(t.TLS), FirstByte: fromMillis(t.FirstByte), Total: fromMillis(t.Total)}
	a.Exchange = ex
	for _, f := range r.Findings {
		fd := Finding{Code: f.Code, Severity: f.Severity, Message: f.Message, Next: f.Next, DocURL: f.DocURL}
		if f.Do != nil {
			fd.Do = *f.Do
		}
		a.Findings = append(a.Findings, fd)
	}
	return a, nil
}

// fromMillis rounds, so that a duration read back prints as it was written.
func fromMillis(ms float64) time.Duration {
	return time.Duration(math.Round(ms * float64(time.Millisecond)))
}

// canonicalHeader re-keys a header read from JSON, whose names may be in any case.
func canonicalHeader(h http.Header) http.Header {
	out := make(http.Header, len(h))
	for k, vs := range h {
		ck := http.CanonicalHeaderKey(k)
		out[ck] = append(out[ck], vs...)
	}
	return out
}

// WriteJSON writes v as JSON and a newline, indented by two spaces when
// indent, with DEL, the C1 controls, bidirectional controls and invisible
// characters escaped (\u007f, \u009b, \u202e, \u200b; see jsonEscaper),
// so that a server's body inside a Document cannot drive or garble the
// terminal it is printed to, and the output decodes to the same value. It streams: the bodies of the documents
// keyhole writes are not copied into the encoder's buffer (see holes).
func WriteJSON(w io.Writer, v any, indent bool) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	e := &jsonEscaper{w: bw}
	h := newHoles()
	v = h.punched(v)
	enc := json.NewEncoder(holeWriter{e, h})
	if indent {
		enc.SetIndent("", "  ")
	}
	if err := enc.Encode(v); err != nil {
		return err
	}
	e.flush() // cannot hold anything back with valid UTF-8, but never drop a byte
	return bw.Flush()
}
