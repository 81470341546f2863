package credentials

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
)

// Redacted stands in for a secret that is not shown.
const Redacted = "•••"

// Fingerprint identifies a secret without revealing it: the first 8 hex digits
// of its SHA-256, so two attempts can be compared ("same token?").
func Fingerprint(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return "sha256:" + hex.EncodeToString(sum[:4])
}

// Mask hides secret, keeping its length class and fingerprint.
func Mask(secret string) string {
	if secret == "" {
		return ""
	}
	return Redacted + " (" + Fingerprint(secret) + ")"
}

// secretHeaders carry credentials in their whole value.
var secretHeaders = map[string]bool{
	"authorization":        true,
	"proxy-authorization":  true,
	"cookie":               true,
	"set-cookie":           true,
	"x-api-key":            true,
	"api-key":              true,
	"x-auth-token":         true,
	"dpop":                 true,
	"x-amz-security-token": true,
}

// IsSecretHeader reports whether a header's value is a credential.
func IsSecretHeader(name string) bool { return secretHeaders[strings.ToLower(name)] }

// MaskHeader returns value with its secret part hidden; for Authorization it
// keeps the scheme ("Bearer •••").
func MaskHeader(name, value string) string {
	if !IsSecretHeader(name) {
		return value
	}
	switch strings.ToLower(name) {
	case "authorization", "proxy-authorization":
		scheme, rest, ok := strings.Cut(value, " ")
		if ok {
			return scheme + " " + Mask(rest)
		}
	}
	return Mask(value)
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

// secretQuery are query parameters that carry credentials.
var secretQuery = []string{"api_key", "apikey", "key", "access_token", "token", "client_secret", "password", "sig", "signature", "x-amz-signature", "x-amz-credential", "x-amz-security-token", "code"}

// RedactURL masks a password in the userinfo and credential query parameters.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	changed := false
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), Redacted)
			changed = true
		}
	}
	q := u.Query()
	for k := range q {
		for _, s := range secretQuery {
			if strings.EqualFold(k, s) {
				q.Set(k, Redacted)
				changed = true
			}
		}
	}
	if !changed {
		return raw
	}
	u.RawQuery = q.Encode()
	return u.String()
}
