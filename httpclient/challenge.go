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
	Message  string
}

// ParseHeader parses every field line of header (WWW-Authenticate or
// Proxy-Authenticate) in h. Offsets of problems refer to the line they were found in.
func ParseHeader(h http.Header, header string) ([]Challenge, []Problem) {
	var all []Challenge
	var problems []Problem
	for _, v := range h.Values(header) {
		cs, ps := ParseChallenges(v)
		for i := range cs {
			cs[i].Header = header
		}
		all = append(all, cs...)
		problems = append(problems, ps...)
	}
	return all, problems
}
