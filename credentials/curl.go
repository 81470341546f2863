package credentials

import (
	"net/http"
	"strings"
)

// CurlOption is one curl option with its value, as a scheme's CurlArgs hook
// writes a credential for curl: Name ("--digest", "-u") and the pieces
// of its value, one shell word (none for a bare option).
type CurlOption struct {
	Name  string
	Value []CurlPiece
}

// CurlPiece is a part of an option's value: literal Text, or, when Var is
// set, a secret the command reads from that environment variable unless
// the user asked to see secrets, when Text is written instead. A secret
// the value never carried is Unsent (a Digest password: only its hash
// was sent): always the variable.
type CurlPiece struct {
	Text, Var string
	Unsent    bool
}

// curlLogin is the common curl spelling of a credential: option (its
// --proxy- variant for a proxy) and -u USER:PASSWORD (-U for a proxy),
// the password a secret in $KEYHOLE_PASSWORD ($KEYHOLE_PROXY_PASSWORD).
func curlLogin(option string, proxy bool, user, password CurlPiece) []CurlOption {
	u, variable := "-u", "KEYHOLE_PASSWORD"
	if proxy {
		option, u, variable = "--proxy-"+strings.TrimPrefix(option, "--"), "-U", "KEYHOLE_PROXY_PASSWORD"
	}
	password.Var = variable
	return []CurlOption{{Name: option}, {Name: u, Value: []CurlPiece{user, {Text: ":"}, password}}}
}

// CurlArgs returns the curl options that make curl compute again the
// credential value, written in header name ("Authorization" or
// "Proxy-Authorization"), by the description of its scheme that knows how
// (its CurlArgs hook); nil when none does: the header itself is then the
// way. The hook may take out of h the headers curl writes itself.
func CurlArgs(name, value string, h http.Header) []CurlOption {
	scheme, _, _ := strings.Cut(strings.TrimSpace(value), " ")
	proxy := strings.EqualFold(name, "Proxy-Authorization")
	for _, d := range ForWire(scheme) {
		if d.CurlArgs == nil {
			continue
		}
		if args := d.CurlArgs(value, h, proxy); args != nil {
			return args
		}
	}
	return nil
}
