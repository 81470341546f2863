package practice

import (
	"net/http"
	"net/url"
	"time"
)

// pushedTTL is how long a request_uri stays usable (RFC 9126 §2.2 suggests
// between 5 and 600 seconds).
const pushedTTL = time.Minute

const requestURIPrefix = "urn:ietf:params:oauth:request_uri:"

// pushedRequest is an authorization request a client pushed (RFC 9126).
type pushedRequest struct {
	client  string
	params  url.Values
	expires time.Time
}

// pushAuthorization is the pushed authorization request endpoint (RFC 9126
// §2): the client authenticates as at the token endpoint and posts the
// authorization request's parameters; they are checked now, and the answer
// is a request_uri that stands for them at the authorization endpoint.
func (a *authServer) pushAuthorization(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		oauthError(w, http.StatusMethodNotAllowed, "invalid_request", "the pushed authorization request endpoint takes POST with a form body")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "the body is not a form: "+err.Error())
		return
	}
	c, ok := a.authenticate(w, r)
	if !ok {
		return
	}
	f := r.PostForm
	switch {
	case f.Has("request_uri"):
		oauthError(w, http.StatusBadRequest, "invalid_request", "request_uri must not be pushed (RFC 9126 §2.1)")
		return
	case f.Get("client_id") != "" && f.Get("client_id") != c.id:
		oauthError(w, http.StatusBadRequest, "invalid_request", "client_id in the form is not the client that authenticated")
		return
	case !c.redirectOK(f.Get("redirect_uri")):
		oauthError(w, http.StatusBadRequest, "invalid_request", "redirect_uri must be one the client registered, http://127.0.0.1:PORT/... (RFC 8252 §7.3)")
		return
	}
	if _, _, code, desc := checkAuthRequest(r, f); code != "" {
		oauthError(w, http.StatusBadRequest, code, desc)
		return
	}
	p := &pushedRequest{client: c.id, params: url.Values{}, expires: a.now().Add(pushedTTL)}
	for _, k := range authParams {
		if v := f.Get(k); v != "" {
			p.params.Set(k, v)
		}
	}
	p.params.Set("client_id", c.id)
	uri := requestURIPrefix + randomID()
	a.mu.Lock()
	trim(a.pushed)
	a.pushed[uri] = p
	a.mu.Unlock()
	writeJSON(w, http.StatusCreated, map[string]any{"request_uri": uri, "expires_in": int(pushedTTL / time.Second)})
}

// pushedRequest returns the request pushed as uri by client, or nil and why
// not. It stays until the authorization completes (forgetPushed), so the
// consent page can be shown and then approved.
func (a *authServer) pushedRequest(uri, client string) (*pushedRequest, string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	p, ok := a.pushed[uri]
	switch {
	case !ok:
		return nil, "unknown or already used request_uri; push the request again"
	case a.now().After(p.expires):
		delete(a.pushed, uri)
		return nil, "the request_uri expired (they live a minute); push the request again"
	case p.client != client:
		return nil, "the request_uri was pushed by another client than client_id says"
	}
	return p, ""
}

// forgetPushed ends a pushed request's use; "" is no request.
func (a *authServer) forgetPushed(uri string) {
	if uri == "" {
		return
	}
	a.mu.Lock()
	delete(a.pushed, uri)
	a.mu.Unlock()
}
