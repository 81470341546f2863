package credentials

import (
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
	if d, err := claims.GetExpirationTime(); err == nil && d != nil {
		j.ExpiresAt = &d.Time
	}
	if d, err := claims.GetNotBefore(); err == nil && d != nil {
		j.NotBefore = &d.Time
	}
	if d, err := claims.GetIssuedAt(); err == nil && d != nil {
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
