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

// Chooser is an Authorizer that picks which of several challenges of its
// scheme to answer (Digest: the strongest algorithm). why says which and why,
// for the user.
type Chooser interface {
	Choose(chs []httpclient.Challenge) (index int, why string)
}

// Refresher is an Authorizer that can do something about a rejection: refresh
// an expired token, fetch a registry token with a new scope, take a new Digest
// nonce. Rejected is told the challenge that came back and returns a reason
// ("token expired: refreshing") when an automatic retry is worthwhile, or "".
// The session retries at most a bounded number of times.
type Refresher interface {
	Rejected(ch *httpclient.Challenge) (reason string)
}
