// Package httpclient sends one HTTP request with tracing, follows redirects hop by
// hop, bounds what it reads, and parses the authentication challenges of the answer.
package httpclient

import (
	"net/http"
	"strings"
)

// Header names that carry challenges.
const (
	WWWAuthenticate   = "WWW-Authenticate"
	ProxyAuthenticate = "Proxy-Authenticate"
)

// Challenge is one auth-scheme with its parameters or token68 (RFC 9110 §11.3).
type Challenge struct {
	Header  string  // WWWAuthenticate or ProxyAuthenticate
	Scheme  string  // as the server spelled it; compare with Is
	Params  []Param // in the order sent; names lower-cased
	Token68 string
	Offset  int // byte offset of the scheme in its field line
	Line    int // index of the field line among those of Header (ParseHeader)
}

// Param is one auth-param; Name is lower-cased, Value has quoted-pairs unescaped.
type Param struct {
	Name   string
	Value  string
	Quoted bool
}

// Is reports whether the challenge's scheme is scheme, case-insensitively.
func (c Challenge) Is(scheme string) bool { return strings.EqualFold(c.Scheme, scheme) }

// Get returns the first parameter called name (case-insensitive).
func (c Challenge) Get(name string) (string, bool) {
	for _, p := range c.Params {
		if strings.EqualFold(p.Name, name) {
			return p.Value, true
		}
	}
	return "", false
}

// Param returns the value of parameter name, or "".
func (c Challenge) Param(name string) string { v, _ := c.Get(name); return v }

// Severity of a parse problem.
const (
	SeverityWarning = "warning"
	SeverityError   = "error"
)

// Problem is something wrong in a challenge field, at a byte offset of the value.
type Problem struct {
	Severity string
	Offset   int
	Message  string // one line; quotes any byte from the server it names
	Header   string // set by ParseHeader
	Line     int    // index of the field line among those of Header (ParseHeader)
}

// ParseHeader parses every field line of header (WWW-Authenticate or
// Proxy-Authenticate) in h; all lines count, not only the first (Header.Get
// would miss the rest). Offsets of problems refer to the line they were found
// in, whose index is Line.
func ParseHeader(h http.Header, header string) ([]Challenge, []Problem) {
	var all []Challenge
	var problems []Problem
	for line, v := range h.Values(header) {
		cs, ps := ParseChallenges(v)
		for i := range cs {
			cs[i].Header, cs[i].Line = header, line
		}
		for i := range ps {
			ps[i].Header, ps[i].Line = header, line
		}
		all = append(all, cs...)
		problems = append(problems, ps...)
	}
	return all, problems
}

// List splits a list-valued parameter such as qop="auth, auth-int" or a Bearer
// scope="a b" at commas and whitespace, trimmed, without empty items.
func (c Challenge) List(name string) []string {
	v, ok := c.Get(name)
	if !ok {
		return nil
	}
	return strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })
}

// String renders the challenge in canonical form, every value quoted, so that
// ParseChallenges reads it back to the same scheme, token68 and parameters.
// Apply Safe before showing it: values are the server's bytes.
func (c Challenge) String() string {
	var b strings.Builder
	b.WriteString(c.Scheme)
	if c.Token68 != "" {
		b.WriteByte(' ')
		b.WriteString(c.Token68)
		return b.String()
	}
	for i, p := range c.Params {
		if i == 0 {
			b.WriteByte(' ')
		} else {
			b.WriteString(", ")
		}
		b.WriteString(p.Name)
		b.WriteString(`="`)
		for j := 0; j < len(p.Value); j++ {
			if p.Value[j] == '"' || p.Value[j] == '\\' {
				b.WriteByte('\\')
			}
			b.WriteByte(p.Value[j])
		}
		b.WriteByte('"')
	}
	return b.String()
}
