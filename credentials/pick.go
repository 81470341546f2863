package credentials

import "keyhole/httpclient"

// Supported reports whether keyhole can send credentials of this scheme: the
// Wire of one of its descriptions.
func Supported(scheme string) bool { return len(ForWire(scheme)) > 0 }

// Preferred returns the index in chs of the strongest challenge keyhole can
// answer, by the Rank of the schemes' descriptions, or -1 when it supports
// none of them. Schemes no challenge asks for (Rank 0) are never picked.
func Preferred(chs []httpclient.Challenge) int {
	best, bestScore := -1, 0
	for i, c := range chs {
		if s := rank(c.Scheme); s > bestScore {
			best, bestScore = i, s
		}
	}
	return best
}
