package credentials

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// JWT is a token decoded without verifying its signature: keyhole reads tokens
// to explain them, it does not trust them.
type JWT struct {
	Raw       string
	Header    map[string]any
	Claims    map[string]any
	Alg       string
	Issuer    string
	Subject   string
	Audience  []string
	Scope     []string // from "scope" (space-separated) or "scp"
	ExpiresAt *time.Time
	NotBefore *time.Time
	IssuedAt  *time.Time
}

// LooksLikeJWT reports whether s has the three dot-separated parts of a JWS.
func LooksLikeJWT(s string) bool { return strings.Count(s, ".") == 2 && strings.HasPrefix(s, "eyJ") }

// ParseJWT decodes token's header and claims without verifying it.
func ParseJWT(token string) (*JWT, error) {
	claims := jwt.MapClaims{}
	t, _, err := jwt.NewParser().ParseUnverified(strings.TrimSpace(token), claims)
	if err != nil {
		return nil, fmt.Errorf("jwt: cannot decode: %w", err)
	}
	j := &JWT{Raw: t.Raw, Header: t.Header, Claims: claims}
	j.Alg, _ = t.Header["alg"].(string)
	j.Issuer, _ = claims.GetIssuer()
	j.Subject, _ = claims.GetSubject()
	j.Audience, _ = claims.GetAudience()
	if d, err := claims.GetExpirationTime(); err == nil && d != nil && readableTime(claims["exp"]) {
		j.ExpiresAt = &d.Time
	}
	if d, err := claims.GetNotBefore(); err == nil && d != nil && readableTime(claims["nbf"]) {
		j.NotBefore = &d.Time
	}
	if d, err := claims.GetIssuedAt(); err == nil && d != nil && readableTime(claims["iat"]) {
		j.IssuedAt = &d.Time
	}
	switch s := claims["scope"].(type) {
	case string:
		j.Scope = strings.Fields(s)
	}
	if len(j.Scope) == 0 {
		if l, ok := claims["scp"].([]any); ok {
			for _, v := range l {
				if s, ok := v.(string); ok {
					j.Scope = append(j.Scope, s)
				}
			}
		} else if s, ok := claims["scp"].(string); ok {
			j.Scope = strings.Fields(s)
		}
	}
	return j, nil
}

// NumericDates keyhole reads as times: years 1 to 9999. Past them the
// seconds overflow time.Time's arithmetic ("expired 106751d ago" for
// exp 1e20), so such a claim is reported instead of read.
const (
	minNumericDate = -62135596800 // 0001-01-01T00:00:00Z
	maxNumericDate = 253402300799 // 9999-12-31T23:59:59Z
)

// readableTime reports whether a time claim's number of seconds is within
// years 1 to 9999.
func readableTime(v any) bool {
	var f float64
	switch n := v.(type) {
	case float64:
		f = n
	case json.Number:
		var err error
		if f, err = n.Float64(); err != nil {
			return false
		}
	default:
		return true // GetExpirationTime and friends refused it already
	}
	return f >= minNumericDate && f <= maxNumericDate
}

// TimeClaim is one of exp, nbf, iat read against two clocks: the local one
// and the server's (its Date header), because a token that looks fine here can
// be expired or not yet valid there.
type TimeClaim struct {
	Claim  string // "exp", "nbf" or "iat"
	Time   time.Time
	Local  string // e.g. "expires in 3m" against the local clock
	Server string // the same against the server's clock; "" when unknown
}

// Times lists exp, nbf and iat with their meaning now. server is the time of
// the server's Date header, or the zero time when there is none.
func (j *JWT) Times(local, server time.Time) []TimeClaim {
	var out []TimeClaim
	for _, c := range []struct {
		name string
		t    *time.Time
	}{{"exp", j.ExpiresAt}, {"nbf", j.NotBefore}, {"iat", j.IssuedAt}} {
		if c.t == nil {
			continue
		}
		tc := TimeClaim{Claim: c.name, Time: *c.t, Local: Relative(c.name, *c.t, local)}
		if !server.IsZero() {
			tc.Server = Relative(c.name, *c.t, server)
		}
		out = append(out, tc)
	}
	return out
}

// Relative says what a time claim means at now, in words.
func Relative(claim string, t, now time.Time) string {
	d := t.Sub(now)
	future := d > 0
	if d < 0 {
		d = -d
	}
	ago, in := Duration(d)+" ago", "in "+Duration(d)
	switch claim {
	case "exp":
		if future {
			return "expires " + in
		}
		return "expired " + ago
	case "nbf":
		if future {
			return "not valid yet: valid " + in
		}
		return "valid since " + ago
	case "iat":
		if future {
			return "issued " + Duration(d) + " in the future"
		}
		return "issued " + ago
	}
	if future {
		return in
	}
	return ago
}

// Duration rounds d for people: "45s", "3m", "2h5m", "3d4h".
func Duration(d time.Duration) string {
	if d < 0 {
		d = -d
		if d < 0 { // the most negative Duration has no positive twin
			d = time.Duration(1<<63 - 1)
		}
	}
	switch s := int64(d / time.Second); {
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 3600:
		return fmt.Sprintf("%dm", s/60)
	case s < 86400:
		if m := s % 3600 / 60; m != 0 {
			return fmt.Sprintf("%dh%dm", s/3600, m)
		}
		return fmt.Sprintf("%dh", s/3600)
	default:
		if h := s % 86400 / 3600; h != 0 {
			return fmt.Sprintf("%dd%dh", s/86400, h)
		}
		return fmt.Sprintf("%dd", s/86400)
	}
}

// Warnings lists what is suspicious about the token at now: alg "none", no
// exp, exp already past, nbf or iat in the future (a clock skew), time claims
// that are not numbers.
func (j *JWT) Warnings(now time.Time) []string {
	var w []string
	if strings.EqualFold(j.Alg, "none") {
		w = append(w, `alg is "none": the token is unsigned and any server that accepts it accepts forgeries`)
	}
	for _, name := range []string{"exp", "nbf", "iat"} {
		if v, ok := j.Claims[name]; ok {
			switch v.(type) {
			case float64, json.Number:
				if !readableTime(v) {
					w = append(w, fmt.Sprintf("%s is %v seconds, outside the years 1 to 9999: not a time anyone can compare with", name, v))
				}
			default:
				w = append(w, name+" is not a number of seconds (RFC 7519 §2 NumericDate); servers will reject the token")
			}
		}
	}
	if _, ok := j.Claims["exp"]; !ok {
		w = append(w, "no exp: the token never expires, so a leaked copy works forever")
	}
	if err := j.ValidAt(now); err != nil {
		w = append(w, err.Error())
	}
	if j.IssuedAt != nil && j.IssuedAt.After(now) {
		w = append(w, "iat is "+Duration(j.IssuedAt.Sub(now))+" in the future: the issuer's clock is ahead of this one (clock skew)")
	}
	return w
}

// ValidAt reports whether exp and nbf allow the token at t, without leeway:
// an error says by how much it is expired or not yet valid.
func (j *JWT) ValidAt(t time.Time) error {
	if j.ExpiresAt != nil && !t.Before(*j.ExpiresAt) {
		return fmt.Errorf("expired %s ago (exp %s)", Duration(t.Sub(*j.ExpiresAt)), j.ExpiresAt.UTC().Format(time.RFC3339))
	}
	if j.NotBefore != nil && t.Before(*j.NotBefore) {
		return fmt.Errorf("not valid for another %s (nbf %s): the issuer's clock may be ahead (clock skew)", Duration(j.NotBefore.Sub(t)), j.NotBefore.UTC().Format(time.RFC3339))
	}
	return nil
}
