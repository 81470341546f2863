package credentials

import (
	"testing"

	"keyhole/httpclient"
)

// TestSupportedCoversEveryAuthorizer checks Supported against the Scheme of
// every Authorizer keyhole has, so a new one cannot be forgotten in pick.go.
func TestSupportedCoversEveryAuthorizer(t *testing.T) {
	for _, a := range []Authorizer{Basic{}, &Digest{}, Bearer{}, &OAuth2{}, &OAuth2{DPoP: true}, &RegistryToken{}, APIKey{}, SigV4{}, &NTLM{}, &Negotiate{}} {
		if !Supported(a.Scheme()) {
			t.Errorf("Supported(%q) = false, but %T sends it", a.Scheme(), a)
		}
	}
	for _, s := range []string{"basic", "DIGEST", "Aws4-Hmac-Sha256", "apikey"} {
		if !Supported(s) {
			t.Errorf("Supported(%q) = false; scheme names are case-insensitive", s)
		}
	}
	for _, s := range []string{"Newauth", "HOBA", ""} {
		if Supported(s) {
			t.Errorf("Supported(%q) = true, but keyhole cannot answer it", s)
		}
	}
}

func TestPreferredPicksOnlyChallengeSchemes(t *testing.T) {
	ch := func(schemes ...string) []httpclient.Challenge {
		var out []httpclient.Challenge
		for _, s := range schemes {
			out = append(out, httpclient.Challenge{Scheme: s})
		}
		return out
	}
	for _, tc := range []struct {
		chs  []httpclient.Challenge
		want int
	}{
		{ch("Basic", "Digest"), 1},
		{ch("Bearer", "DPoP", "Basic"), 1},
		{ch("APIKey", "Basic"), 1},
		{ch("AWS4-HMAC-SHA256"), -1},
		{ch("APIKey"), -1},
		{ch("Negotiate", "NTLM"), 0},
		{ch("Negotiate"), 0},
		{ch("NTLM", "Digest"), 1},
		{nil, -1},
	} {
		if got := Preferred(tc.chs); got != tc.want {
			t.Errorf("Preferred(%v) = %d, want %d", tc.chs, got, tc.want)
		}
	}
}
