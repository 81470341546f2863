package credentials

import "keyhole/httpclient"

// strength ranks the challenge schemes keyhole can answer; higher is
// preferred. Schemes that never put a reusable secret on the wire rank above
// those that do.
var strength = map[string]int{
	"digest": 30,
	"dpop":   25,
	"bearer": 20,
	"basic":  10,
}

// sendOnly are schemes keyhole can send although no server asks for them in
// a challenge: API keys (a 401 without WWW-Authenticate) and AWS SigV4 (AWS
// answers 403 with an XML body, never a challenge). They are not ranked, so
// Preferred never picks a challenge that merely names them.
var sendOnly = map[string]bool{
	"apikey":           true,
	"aws4-hmac-sha256": true,
}

// Supported reports whether keyhole can send credentials of this scheme: the
// Scheme of one of its Authorizers.
func Supported(scheme string) bool {
	s := lower(scheme)
	_, ok := strength[s]
	return ok || sendOnly[s]
}

// Preferred returns the index in chs of the strongest challenge keyhole can
// answer, or -1 when it supports none of them.
func Preferred(chs []httpclient.Challenge) int {
	best, bestScore := -1, 0
	for i, c := range chs {
		if s := strength[lower(c.Scheme)]; s > bestScore {
			best, bestScore = i, s
		}
	}
	return best
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
