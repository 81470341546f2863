package main

import (
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Issue 17 items 8 and 12: a token's claims may hold bidi overrides and
// zero-width characters, and times no clock can hold; keyhole jwt shows the
// former escaped in plain and --json output and reports the latter instead
// of overflowing ("expired 106751d ago").
func TestJWTHostileClaims(t *testing.T) {
	at := jwtAt.Format(time.RFC3339)
	tok := jwtToken(t, jwt.MapClaims{"exp": 1e20, "sub": "admin\u202egnp.exe", "name": "ali\u200bce\ufeff"})
	for _, mode := range [][]string{{}, {"--json"}} {
		r := keyhole(t, runOpts{}, append(append([]string{"jwt", "--at", at}, mode...), tok)...)
		if strings.Contains(r.all(), "106751d") || !strings.Contains(r.stdout, "outside the years 1 to 9999") {
			t.Errorf("%q: exp 1e20 is not reported as unreadable:\n%s", mode, r.all())
		}
		if strings.ContainsAny(r.all(), "\u202e\u200b\ufeff") {
			t.Errorf("%q: a bidi override or zero-width character reached the terminal raw: %q", mode, r.all())
		}
		if !strings.Contains(r.stdout, `\u202e`) || !strings.Contains(r.stdout, `\u200b`) {
			t.Errorf("%q: the escaped characters are not shown:\n%s", mode, r.stdout)
		}
	}
}
