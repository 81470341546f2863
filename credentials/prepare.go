package credentials

import (
	"context"
	"net/http"

	"keyhole/httpclient"
)

// Preparer is an Authorizer that must fetch something before it can Apply: an
// OAuth token, a registry token, discovery metadata. Every request it makes
// goes through hc, which the session records as an attempt of its own, so the
// user sees each token request in the timeline. ch is the challenge being
// answered, or nil.
type Preparer interface {
	Authorizer
	Prepare(ctx context.Context, hc *http.Client, ch *httpclient.Challenge) error
}

// Forgetter is an Authorizer that caches state (tokens, Digest nonce counts)
// and can drop it, for "clear cached credentials".
type Forgetter interface {
	Forget()
}
