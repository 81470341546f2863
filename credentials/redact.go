package credentials

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"

	"keyhole/httpclient"
)

// Redacted stands in for a secret that is not shown.
const Redacted = httpclient.Redacted

// redactedUserinfo stands in for a URL password: net/url refuses non-ASCII
// userinfo, and a redacted URL must still parse when a saved session is
// loaded and diagnosed again.
const redactedUserinfo = "REDACTED"

// fingerprintKey is made once per process, when first needed: the first
// read from crypto/rand costs about 50 µs, which the TUI's first frame
// need not wait for. A keyed fingerprint compares equal within a run (the
// diff needs "same token?"), but a saved session or HAR gives nobody a hash
// to test password guesses against offline.
var fingerprintKey = sync.OnceValue(func() []byte {
	k := make([]byte, 32)
	rand.Read(k) // never fails: crypto/rand aborts the program instead (Go 1.24+)
	return k
})

// Fingerprint identifies a secret without revealing it: the first 8 hex digits
// of its HMAC-SHA256 under this process's key. Fingerprints compare only
// within one run of keyhole.
func Fingerprint(secret string) string {
	m := hmac.New(sha256.New, fingerprintKey())
	m.Write([]byte(secret))
	return "fp:" + hex.EncodeToString(m.Sum(nil)[:4])
}

// Mask hides secret, keeping its fingerprint.
func Mask(secret string) string {
	if secret == "" {
		return ""
	}
	return Redacted + " (" + Fingerprint(secret) + ")"
}

// masked matches what Mask and MaskHeader write, so masking a value loaded
// from a saved session keeps its fingerprint instead of fingerprinting the mask.
var masked = lazyRegexp(`^(?:[^\s:]*:)?` + Redacted + ` \((?:fp|sha256):[0-9a-f]{8}\)$|^[^\s:]*:` + Redacted + ` \(empty\)$`)

// lazyRegexp compiles pattern on first use: compiling each package-level
// pattern when the program starts delayed the TUI's first frame.
func lazyRegexp(pattern string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(pattern) })
}

// IsSecretHeader reports whether a header's value is a credential. It is
// httpclient.IsSecretHeader, the one rule that also strips credentials from
// redirects: a name an authorizer or the user marked counts too.
func IsSecretHeader(name string) bool { return httpclient.IsSecretHeader(name) }

// MaskHeader returns value with its secret part hidden; for Authorization it
// keeps the scheme ("Bearer •••"), and for Basic the user name too
// ("Basic alice:••• (fp:1a2b3c4d)"): the fingerprint covers the password
// alone, so it does not change with the user name.
func MaskHeader(name, value string) string {
	if !IsSecretHeader(name) {
		return value
	}
	switch strings.ToLower(name) {
	case "authorization", "proxy-authorization":
		scheme, rest, ok := strings.Cut(value, " ")
		if !ok {
			break
		}
		if masked().MatchString(rest) {
			return value
		}
		if strings.EqualFold(scheme, "Basic") {
			if s, ok := maskBasic(strings.TrimSpace(rest)); ok {
				return scheme + " " + s
			}
		}
		return scheme + " " + Mask(rest)
	}
	if masked().MatchString(value) {
		return value
	}
	return Mask(value)
}

// maskBasic shows the user name of Basic credentials and masks the password;
// ok is false when b64 is not user:password in base64.
func maskBasic(b64 string) (string, bool) {
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return "", false
	}
	user, pass, ok := strings.Cut(string(raw), ":")
	if !ok {
		return "", false
	}
	// The user name is shown as it was typed, but it may come from an
	// imported file, so it is made safe for the terminal like server text.
	user = httpclient.SafeLine(user)
	if pass == "" {
		return user + ":" + Redacted + " (empty)", true
	}
	return user + ":" + Mask(pass), true
}

// RedactHeader returns a copy of h with every credential masked.
func RedactHeader(h http.Header) http.Header {
	out := make(http.Header, len(h))
	for k, vs := range h {
		for _, v := range vs {
			out[k] = append(out[k], MaskHeader(k, v))
		}
	}
	return out
}

// IsSecretQueryParam reports whether a query parameter (or a parameter of an
// OAuth redirect's fragment) carries a credential: httpclient.IsSecretQuery.
func IsSecretQueryParam(name string) bool { return httpclient.IsSecretQuery(name) }

// RedactURL masks a password in the userinfo and credential parameters of the
// query and of the fragment (where the implicit flow puts the token). Other
// parameters keep their order and spelling, and the mask stays readable
// (not %E2%80%A2); a URL password becomes REDACTED, which still parses.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	changed := false
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), redactedUserinfo)
			changed = true
		}
	}
	if q, ok := redactParams(u.RawQuery); ok {
		u.RawQuery, changed = q, true
	}
	frag := u.EscapedFragment()
	if f, ok := redactParams(frag); ok {
		frag, changed = f, true
	}
	if !changed {
		return raw
	}
	// The mask is put in after encoding: url.URL would escape it.
	u.Fragment, u.RawFragment = "", ""
	s := u.String()
	if frag != "" {
		s += "#" + frag
	}
	return s
}

// redactParams masks the values of secret parameters in a&b=c form, leaving
// the rest of raw as it was.
func redactParams(raw string) (string, bool) {
	if !strings.Contains(raw, "=") {
		return raw, false
	}
	pairs := strings.Split(raw, "&")
	changed := false
	for i, p := range pairs {
		k, v, ok := strings.Cut(p, "=")
		if !ok || v == "" || v == Redacted {
			continue
		}
		name, err := url.QueryUnescape(k)
		if err != nil {
			name = k
		}
		if IsSecretQueryParam(name) {
			pairs[i] = k + "=" + Redacted
			changed = true
		}
	}
	return strings.Join(pairs, "&"), changed
}
