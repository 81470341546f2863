package httpclient

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// maxProblems bounds the problems reported for one field value, so that a
// hostile megabyte of garbage yields a readable list rather than a flood.
const maxProblems = 50

// ParseChallenges parses one field value of WWW-Authenticate or
// Proxy-Authenticate into its challenges (RFC 9110 §11). It never fails: what
// can be recovered is returned, and everything wrong is a Problem with the
// byte offset in value where it was found.
//
// The parser is written by hand because neither net/http nor any maintained Go
// library parses this grammar correctly (several challenges per field,
// token68, BWS, quoted-pairs, empty list elements; see STANDARDS.md §1).
func ParseChallenges(value string) ([]Challenge, []Problem) {
	p := parser{s: unfold(value)}
	p.run()
	return p.out, p.problems
}

// unfold replaces obs-fold (CRLF or LF followed by SP/HTAB) by spaces of the
// same length (RFC 9112 §5.2), so that offsets still point into the original
// value. It allocates only when the value has a line break.
func unfold(s string) string {
	// IndexByte is vectorised; IndexAny would cost more than the parse.
	if strings.IndexByte(s, '\n') < 0 && strings.IndexByte(s, '\r') < 0 {
		return s
	}
	b := []byte(s)
	for i := 0; i < len(b); i++ {
		end := i
		if b[i] == '\r' && i+1 < len(b) && b[i+1] == '\n' {
			end = i + 1
		} else if b[i] != '\n' {
			continue
		}
		if end+1 < len(b) && (b[end+1] == ' ' || b[end+1] == '\t') {
			for j := i; j <= end; j++ {
				b[j] = ' '
			}
		}
		i = end
	}
	return string(b)
}

// separator says what came between the previous element and this one, to tell
// a well-formed list from one where the server forgot a comma.
type separator int

const (
	sepStart separator = iota // start of the field
	sepComma                  // at least one comma
	sepSpace                  // the space after a scheme, which opens its parameters
	sepNone                   // no comma after a previous element
)

type parser struct {
	s        string
	i        int
	out      []Challenge
	params   []Param // one backing array for every challenge's Params
	problems []Problem
	open     bool            // the current challenge takes auth-params
	first    int             // index in params of the current challenge's first parameter
	seen     map[string]bool // parameter names of the current challenge, once there are many
}

func (p *parser) problem(severity string, off int, format string, args ...any) {
	switch {
	case len(p.problems) < maxProblems:
		p.problems = append(p.problems, Problem{Severity: severity, Offset: off, Message: fmt.Sprintf(format, args...)})
	case len(p.problems) == maxProblems:
		p.problems = append(p.problems, Problem{Severity: SeverityError, Offset: off, Message: "too many problems in this field; the rest are not listed"})
	}
}

func (p *parser) run() {
	// Every parameter has an "=", so this bounds their number and lets one
	// allocation usually hold them all.
	if n := strings.Count(p.s, "="); n > 0 {
		p.params = make([]Param, 0, min(n, 256))
	}
	sep := sepStart
	for {
		comma := false
		for p.i < len(p.s) {
			c := p.s[p.i]
			if c == ',' {
				comma = true
			} else if c != ' ' && c != '\t' {
				break
			}
			p.i++
		}
		if comma {
			sep = sepComma
		}
		if p.i >= len(p.s) {
			break
		}
		start := p.i
		name := p.token()
		if name == "" {
			p.problem(SeverityError, start, "%s is not allowed here; expected an auth-scheme or a parameter name", describeByte(p.s[start]))
			p.skipJunk()
			sep = sepNone
			continue
		}
		if eq := p.skipWS(p.i); eq < len(p.s) && p.s[eq] == '=' {
			p.param(name, start, eq, sep)
			sep = sepNone
		} else {
			sep = p.challenge(name, start, sep)
		}
	}
	p.close()
	if len(p.problems) > 1 {
		// Values are checked before their names' placement; report in order.
		slices.SortStableFunc(p.problems, func(a, b Problem) int { return a.Offset - b.Offset })
	}
}

// challenge starts a new challenge whose scheme, name, was read at start.
func (p *parser) challenge(name string, start int, sep separator) separator {
	p.close()
	if sep == sepNone {
		p.problem(SeverityWarning, start, "missing comma before %q; read as a new challenge", name)
	}
	p.out = append(p.out, Challenge{Scheme: name, Offset: start})
	p.first, p.seen, p.open = len(p.params), nil, false
	if p.i >= len(p.s) || p.s[p.i] == ',' {
		return sepNone
	}
	if c := p.s[p.i]; c != ' ' && c != '\t' {
		p.problem(SeverityError, p.i, "%s is not allowed in the auth-scheme %q; a scheme is a token followed by a space or a comma", describeByte(c), name)
		p.skipElement()
		return sepNone
	}
	r := p.skipWS(p.i)
	if end, ok := p.token68(r); ok {
		p.out[len(p.out)-1].Token68 = p.s[r:end]
		p.i = end
		return sepNone
	}
	p.i, p.open = r, true
	return sepSpace
}

// token68 reports where a token68 starting at i ends, if one does: it must be
// followed by the end of the field or a comma, else it is a parameter name.
func (p *parser) token68(i int) (int, bool) {
	j := i
	for j < len(p.s) && isToken68Char(p.s[j]) {
		j++
	}
	if j == i {
		return 0, false
	}
	for j < len(p.s) && p.s[j] == '=' {
		j++
	}
	if k := p.skipWS(j); k < len(p.s) && p.s[k] != ',' {
		return 0, false
	}
	return j, true
}

// param reads the value of parameter name (read at start, "=" at eq) and adds
// it to the current challenge.
func (p *parser) param(name string, start, eq int, sep separator) {
	value, quoted, ok := p.value(name, p.skipWS(eq+1))
	if !ok {
		p.skipElement()
		return
	}
	switch {
	case len(p.out) == 0:
		p.problem(SeverityError, start, "parameter %q comes before any auth-scheme; it belongs to no challenge", name)
		return
	case !p.open:
		cur := p.out[len(p.out)-1]
		if cur.Token68 != "" {
			p.problem(SeverityError, start, "parameter %q follows the token68 of %q; a challenge has a token68 or parameters, not both", name, cur.Scheme)
		} else {
			p.problem(SeverityError, start, "parameter %q has no scheme: a comma right after %q ends that challenge, so the parameter is ignored", name, cur.Scheme)
		}
		return
	case sep == sepNone:
		p.problem(SeverityWarning, start, "missing comma before parameter %q; read as a parameter of %q", name, p.out[len(p.out)-1].Scheme)
	}
	name = strings.ToLower(name)
	if p.duplicate(name) {
		p.problem(SeverityError, start, "parameter %q appears twice in %q (RFC 9110 §11.2 allows it once); the first value is kept", name, p.out[len(p.out)-1].Scheme)
		return
	}
	if name == "realm" && !quoted {
		p.problem(SeverityWarning, start, "realm is not a quoted string (RFC 9110 §11.5 requires senders to quote it); accepted as is")
	}
	p.params = append(p.params, Param{Name: name, Value: value, Quoted: quoted})
}

// duplicate reports whether the current challenge already has parameter name.
// Past a few parameters it switches to a map, so that a hostile field with
// thousands of them stays linear.
func (p *parser) duplicate(name string) bool {
	cur := p.params[p.first:]
	if p.seen == nil && len(cur) < 16 {
		for _, q := range cur {
			if q.Name == name {
				return true
			}
		}
		return false
	}
	if p.seen == nil {
		p.seen = make(map[string]bool, 2*len(cur))
		for _, q := range cur {
			p.seen[q.Name] = true
		}
	}
	if p.seen[name] {
		return true
	}
	p.seen[name] = true
	return false
}

// value reads a token or quoted-string at i and leaves p.i after it.
func (p *parser) value(name string, i int) (v string, quoted, ok bool) {
	if i >= len(p.s) || p.s[i] == ',' {
		p.problem(SeverityError, i, "parameter %q has no value; write a token or a quoted string after \"=\"", name)
		p.i = i
		return "", false, false
	}
	if p.s[i] == '"' {
		v, p.i = p.quoted(i)
		return v, true, true
	}
	j := i
	for j < len(p.s) && isTchar(p.s[j]) {
		j++
	}
	if j == i {
		p.problem(SeverityError, i, "%s cannot start the value of %q; a value is a token or a quoted string", describeByte(p.s[i]), name)
		p.i = i
		return "", false, false
	}
	if j < len(p.s) && isLoose(p.s[j]) {
		// Unquoted URLs and base64 nonces (Azure Storage sends
		// authorization_uri=https://...): not tokens, but meant as one value.
		for j < len(p.s) && isLoose(p.s[j]) {
			j++
		}
		p.problem(SeverityWarning, i, "value of %q is not a token and should be a quoted string; accepted up to the next space or comma", name)
	}
	p.i = j
	return p.s[i:j], false, true
}

// isLoose reports the bytes an unquoted value is stretched over when a server
// sends something that is not a token: anything visible but a comma or a quote.
func isLoose(c byte) bool { return c > ' ' && c != ',' && c != '"' && c != 0x7f }

// quoted reads the quoted-string whose opening quote is at i and returns its
// unescaped content and the offset after the closing quote. An unterminated
// string is reported and taken to run to the end of the field.
func (p *parser) quoted(i int) (string, int) {
	escaped, badChar := false, false
	j := i + 1
	for ; j < len(p.s); j++ {
		c := p.s[j]
		if !qspecial[c] {
			continue
		}
		if c == '"' {
			break
		}
		if c == '\\' && j+1 < len(p.s) {
			j++
			c = p.s[j]
			escaped = true
		}
		if !badChar && isCtl(c) {
			badChar = true
			p.problem(SeverityError, j, "%s is not allowed in a quoted string", describeByte(c))
		}
	}
	raw, next := p.s[i+1:min(j, len(p.s))], j+1
	if j >= len(p.s) {
		p.problem(SeverityError, i, "unterminated quoted string: the closing '\"' is missing")
		next = len(p.s)
	}
	if escaped {
		raw = unescape(raw)
	}
	return raw, next
}

// unescape replaces each quoted-pair by the octet it quotes (RFC 9110 §5.6.4).
func unescape(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// skipElement moves past the current list element, to the next comma that is
// not inside a quoted string, so that one bad element does not spoil the rest.
func (p *parser) skipElement() {
	inQuote := false
	for ; p.i < len(p.s); p.i++ {
		switch c := p.s[p.i]; {
		case inQuote && c == '\\':
			p.i++
		case c == '"':
			inQuote = !inQuote
		case c == ',' && !inQuote:
			return
		}
	}
}

// skipJunk moves past bytes that cannot start an element: a quoted string as
// a whole, else a run of bytes that are neither token characters nor
// separators, so that parsing resumes at the next thing that makes sense.
func (p *parser) skipJunk() {
	if p.s[p.i] == '"' {
		p.skipElement()
		return
	}
	for p.i < len(p.s) {
		c := p.s[p.i]
		if isTchar(c) || c == ',' || c == '"' || c == ' ' || c == '\t' {
			return
		}
		p.i++
	}
}

// close gives the current challenge its parameters.
func (p *parser) close() {
	if len(p.out) == 0 || len(p.params) == p.first {
		return
	}
	p.out[len(p.out)-1].Params = p.params[p.first:len(p.params):len(p.params)]
	p.first = len(p.params)
}

func (p *parser) token() string {
	start := p.i
	for p.i < len(p.s) && isTchar(p.s[p.i]) {
		p.i++
	}
	return p.s[start:p.i]
}

func (p *parser) skipWS(i int) int {
	for i < len(p.s) && (p.s[i] == ' ' || p.s[i] == '\t') {
		i++
	}
	return i
}

// tchars is the set of token characters (RFC 9110 §5.6.2).
var tchars = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = true, true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return t
}()

// qspecial marks the bytes a quoted string's scan must stop at.
var qspecial = func() (t [256]bool) {
	for c := range 0x20 {
		t[c] = c != '\t'
	}
	t['"'], t['\\'], t[0x7f] = true, true, true
	return t
}()

func isTchar(c byte) bool { return tchars[c] }

// isToken68Char reports the characters of token68 before its trailing "=".
func isToken68Char(c byte) bool {
	switch c {
	case '-', '.', '_', '~', '+', '/':
		return true
	}
	return c < 0x80 && (c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'z')
}

func isCtl(c byte) bool { return c < 0x20 && c != '\t' || c == 0x7f }

// IsToken reports whether s is a non-empty token (RFC 9110 §5.6.2), as every
// auth-scheme and parameter name is.
func IsToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isTchar(s[i]) {
			return false
		}
	}
	return true
}

// describeByte names c for a problem message, quoted so that a hostile byte
// cannot reach the terminal raw.
func describeByte(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return strconv.QuoteRune(rune(c))
	}
	return fmt.Sprintf("byte 0x%02x", c)
}
