package session

import (
	"bytes"
	"encoding/json"
	"strings"
)

// SecretScanner finds the values of secret-named fields (secretBodyFields)
// and JWTs in JSON text that arrives in pieces: a body's kept bytes, then
// the rest read back from its spill file. It needs no valid document, so a
// body cut by the client's limit is masked up to the cut, and a value cut
// by it is masked to the cut.
//
// It is hand-written rather than built on encoding/json's Decoder, whose
// token walk runs at about 20 MB/s and allocates per token, and which can
// neither resume across pieces nor read past a cut. Outside strings it
// only looks for the next quote; a string followed by ':' is a key.
type SecretScanner struct {
	code bool  // "code" is an authorization code here (a token request)
	off  int64 // offset of the next byte given to Scan
	st   scanState

	// The string being read, or the one just read (scanAfterString).
	strStart int64
	esc      bool
	strEnd   int64
	key      [32]byte // its first bytes, as sent
	keyLen   int
	raw      []byte // its raw bytes, only once an escape was seen and while short
	escaped  bool
	dots     int  // '.' in it, for the JWT test
	jwtChars bool // only base64url characters and dots so far

	// The secret value being skipped.
	valStart int64
	depth    int  // nesting inside a secret object or array
	inStr    bool // inside a string inside a secret object or array
	null     int  // bytes of "null" matched by a secret scalar so far
}

type scanState uint8

const (
	scanOut         scanState = iota // between tokens
	scanString                       // inside a string that may be a key
	scanAfterString                  // after a string: ':' makes it a key
	scanValue                        // after a secret key's ':'
	scanSecretString
	scanSecretContainer
	scanSecretScalar
)

// maxEscapedKey bounds the raw bytes kept of a key written with escapes
// ("\u0063ode"): no secret name is longer, even fully escaped.
const maxEscapedKey = 6 * 32

// NewSecretScanner returns a scanner for a document in which a field named
// "code" is a secret only when authCode is set (see CodeIsSecret).
func NewSecretScanner(authCode bool) *SecretScanner {
	return &SecretScanner{code: authCode}
}

// CodeIsSecret reports whether a JSON document's "code" fields are OAuth
// authorization codes: only in a token request of the authorization_code
// grant. Anywhere else "code" is an error or status code ("UNAUTHORIZED")
// that a reader needs to see.
// A token request is small: a big body is not searched for the grant.
func CodeIsSecret(b []byte) bool {
	return len(b) <= 64<<10 && bytes.Contains(b, []byte(`"authorization_code"`))
}

// Scan reads the next piece of the document and calls found with the
// offsets, counted from the first byte ever scanned, of each secret value
// it ends. A value still open at the end of p is reported by a later Scan
// or by Flush.
func (s *SecretScanner) Scan(p []byte, found func(start, end int64)) {
	base := s.off
	s.off += int64(len(p))
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch s.st {
		case scanOut:
			j := bytes.IndexByte(p[i:], '"')
			if j < 0 {
				return
			}
			i += j
			s.beginString(base + int64(i))
		case scanString:
			if s.esc {
				s.esc = false
				s.keep(p[i : i+1])
				continue
			}
			// The bytes up to the next quote or backslash, in one go: most
			// of a body is inside strings.
			j := i
			for j < len(p) && p[j] != '"' && p[j] != '\\' {
				j++
			}
			s.run(p[i:j])
			if i = j; i == len(p) {
				return
			}
			s.keep(p[i : i+1])
			if p[i] == '"' {
				s.st, s.strEnd = scanAfterString, base+int64(i)+1
			} else {
				s.escape()
			}
		case scanAfterString:
			switch c {
			case ' ', '\t', '\n', '\r':
			case ':':
				if s.isSecretKey() {
					s.st = scanValue
				} else {
					s.st = scanOut
				}
			default:
				s.endValueString(found)
				s.st = scanOut
				i-- // c starts the next token
			}
		case scanValue:
			switch c {
			case ' ', '\t', '\n', '\r':
			case '"':
				s.st, s.valStart, s.esc = scanSecretString, base+int64(i), false
			case '{', '[':
				s.st, s.valStart, s.depth, s.inStr, s.esc = scanSecretContainer, base+int64(i), 1, false, false
			case ',', '}', ']':
				s.st = scanOut // no value: a broken document
			default:
				s.st, s.valStart, s.null = scanSecretScalar, base+int64(i), 0
				i--
			}
		case scanSecretString:
			switch {
			case s.esc:
				s.esc = false
			case c == '\\':
				s.esc = true
			case c == '"':
				// "" holds no secret: masking it would only mislead.
				if end := base + int64(i) + 1; end-s.valStart > 2 {
					found(s.valStart, end)
				}
				s.st = scanOut
			}
		case scanSecretContainer:
			switch {
			case s.inStr && s.esc:
				s.esc = false
			case s.inStr && c == '\\':
				s.esc = true
			case c == '"':
				s.inStr = !s.inStr
			case s.inStr:
			case c == '{' || c == '[':
				s.depth++
			case c == '}' || c == ']':
				if s.depth--; s.depth == 0 {
					found(s.valStart, base+int64(i)+1)
					s.st = scanOut
				}
			}
		case scanSecretScalar:
			switch c {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				s.endScalar(base+int64(i), found)
				s.st = scanOut
				i--
			default:
				if s.null >= 0 && s.null < 4 && c == "null"[s.null] {
					s.null++
				} else {
					s.null = -1
				}
			}
		}
	}
}

// Offset is how many bytes Scan has read.
func (s *SecretScanner) Offset() int64 { return s.off }

// Open reports where the secret value still open at the end of what Scan
// has read starts: the part of it read so far is to be masked already.
func (s *SecretScanner) Open() (start int64, ok bool) {
	switch s.st {
	case scanSecretString, scanSecretContainer, scanSecretScalar:
		return s.valStart, true
	}
	return 0, false
}

// Flush ends the document: a value open at its end (cut by the body limit)
// is reported up to the end.
func (s *SecretScanner) Flush(found func(start, end int64)) {
	switch s.st {
	case scanAfterString:
		s.endValueString(found)
	case scanString:
		if s.isJWT() && s.dots >= 1 {
			found(s.strStart, s.off) // a JWT cut short is still most of one
		}
	case scanSecretString, scanSecretContainer:
		found(s.valStart, s.off)
	case scanSecretScalar:
		s.endScalar(s.off, found)
	}
	s.st = scanOut
}

func (s *SecretScanner) beginString(at int64) {
	s.st, s.strStart, s.esc, s.keyLen, s.escaped, s.dots, s.jwtChars = scanString, at, false, 0, false, 0, true
	s.raw = s.raw[:0]
}

// run takes bytes of a string that are neither quotes nor backslashes.
func (s *SecretScanner) run(b []byte) {
	s.keep(b)
	if s.keyLen < len(s.key) {
		copy(s.key[s.keyLen:], b)
	}
	s.keyLen += len(b)
	// A JWT starts with "eyJ" (a JSON header, base64url): any other
	// string is done with at once, whatever its length.
	k, n := &s.key, s.keyLen
	if !s.jwtChars || n > 0 && k[0] != 'e' || n > 1 && k[1] != 'y' || n > 2 && k[2] != 'J' {
		s.jwtChars = false
		return
	}
	for _, c := range b {
		switch {
		case c == '.':
			s.dots++
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_', c == '=':
		default:
			s.jwtChars = false
			return
		}
	}
}

// escape takes a backslash in a string: the byte after it is escaped, and
// the string, if a key, is decoded before it is compared.
func (s *SecretScanner) escape() {
	s.esc, s.jwtChars = true, false
	if !s.escaped {
		s.escaped = true
		s.raw = append(append(append(s.raw[:0], '"'), s.key[:min(s.keyLen, len(s.key))]...), '\\')
	}
}

// keep holds the raw bytes of a string written with escapes, while short.
func (s *SecretScanner) keep(b []byte) {
	if s.escaped && len(s.raw) <= maxEscapedKey {
		s.raw = append(s.raw, b[:min(len(b), maxEscapedKey+1-len(s.raw))]...)
	}
}

// isSecretKey reports whether the string just read, followed by ':', names a
// secret field.
func (s *SecretScanner) isSecretKey() bool {
	if s.keyLen > len(s.key) {
		return false // each byte counted is at least one character of the name
	}
	if s.escaped {
		var name string
		if len(s.raw) > maxEscapedKey || json.Unmarshal(s.raw, &name) != nil {
			return false
		}
		name = strings.ToLower(name)
		return secretBodyFields[name] && (name != "code" || s.code)
	}
	if s.keyLen == 0 || !secretShapes[s.keyLen][s.key[0]|0x20] {
		return false // most keys: no secret name has this length and first letter
	}
	var lower [len(s.key)]byte
	for i, c := range s.key[:s.keyLen] {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower[i] = c
	}
	k := lower[:s.keyLen]
	return secretBodyFields[string(k)] && (string(k) != "code" || s.code)
}

// isJWT reports whether the string read so far may be a JWT.
func (s *SecretScanner) isJWT() bool {
	return s.jwtChars && s.keyLen >= 3 && string(s.key[:3]) == "eyJ"
}

// endValueString reports the string just read, a value, if it is a JWT
// (under a key not known to be secret: "jwt", "assertion_token", ...).
func (s *SecretScanner) endValueString(found func(start, end int64)) {
	if s.isJWT() && s.dots == 2 {
		found(s.strStart, s.strEnd)
	}
}

func (s *SecretScanner) endScalar(end int64, found func(start, end int64)) {
	if s.null != 4 || end-s.valStart != 4 { // null holds no secret
		found(s.valStart, end)
	}
}

// secretShapes[n][c] tells whether a secret field's name has n bytes and
// starts with c: a test far cheaper than a map look-up, which most keys fail.
var secretShapes = func() (t [33][256]bool) {
	for name := range secretBodyFields {
		t[len(name)][name[0]] = true
	}
	return t
}()
