package credentials

import "keyhole/httpclient"

// strength ranks the schemes keyhole can answer; higher is preferred. Schemes
// that never put a reusable secret on the wire rank above those that do.
var strength = map[string]int{
	"digest": 30,
	"dpop":   25,
	"bearer": 20,
	"basic":  10,
}

// Supported reports whether keyhole can answer a challenge of this scheme.
func Supported(scheme string) bool { _, ok := strength[lower(scheme)]; return ok }

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
