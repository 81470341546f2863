package session

import (
	"strings"

	"keyhole/httpclient"
)

// Describe says in plain words what a challenge asks for, e.g.
// "Digest, SHA-256, realm 'x', qop auth or auth-int, nonce is fresh".
func Describe(c httpclient.Challenge) string {
	parts := []string{c.Scheme}
	if r, ok := c.Get("realm"); ok {
		parts = append(parts, "realm '"+r+"'")
	}
	return strings.Join(parts, ", ")
}
