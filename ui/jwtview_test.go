package ui

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"keyhole/credentials"
)

// FuzzJWTOverlay decodes tokens whose header and claims are any bytes: no
// control character may reach the screen, whatever the claims hold.
func FuzzJWTOverlay(f *testing.F) {
	f.Add(`{"alg":"none"}`, `{"sub":"bob\u001b[2J","exp":1}`, int64(0))
	f.Add(`{"alg":"HS256","kid":"\u009b31m"}`, `{"aud":["a","b\r\n"],"scope":"read write","nbf":4102444800,"iat":"x"}`, int64(1700000000))
	f.Add(`{"alg":"RS256"}`, `{"exp":1e300,"nested":{"k":"\u202e"}}`, int64(-5))
	enc := base64.RawURLEncoding.EncodeToString
	st := NewStyles(true)
	f.Fuzz(func(t *testing.T, header, claims string, server int64) {
		raw := enc([]byte(header)) + "." + enc([]byte(claims)) + ".c2lnbmF0dXJl"
		j, err := credentials.ParseJWT(raw)
		if err != nil {
			return
		}
		srv := time.Time{}
		if server != 0 {
			srv = time.Unix(server%(1<<40), 0)
		}
		o := jwtOverlay(st, j, foundToken{raw: raw, source: "fuzz", server: srv}, time.Unix(1700000000, 0))
		for i, l := range o.page(st, 100, 200) {
			l = sgr.ReplaceAllString(l, "")
			if strings.ContainsFunc(l, func(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) }) {
				t.Fatalf("line %d keeps a control character: %q", i, l)
			}
			if strings.Contains(l, "c2lnbmF0dXJl") {
				t.Fatalf("line %d shows the signature: %q", i, l)
			}
		}
	})
}
