// Package credentials holds the authentication schemes keyhole can answer a
// challenge with, how each one is applied to a request, and where secrets are kept.
package credentials

import (
	"keyhole/httpclient"
)

// Authorizer adds credentials to a request. ch is the challenge being answered,
// or nil when credentials are sent before any challenge arrived. An Authorizer
// answering a Proxy-Authenticate challenge sets Proxy-Authorization.
type Authorizer interface {
	// Scheme is the auth-scheme this authorizer answers, e.g. "Basic".
	Scheme() string
	Apply(r *httpclient.Request, ch *httpclient.Challenge) error
}

// HeaderFor returns the request header that answers ch: Proxy-Authorization
// for a proxy's challenge, Authorization otherwise.
func HeaderFor(ch *httpclient.Challenge) string {
	if ch != nil && ch.Header == httpclient.ProxyAuthenticate {
		return "Proxy-Authorization"
	}
	return "Authorization"
}
