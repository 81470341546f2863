package practice

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// ParClientID is a client registered with require_pushed_authorization_requests
// (RFC 9126 §6): its authorization requests must come through the PAR endpoint.
const (
	ParClientID     = "par-client"
	ParClientSecret = "par-secret"
	// ClientDocumentPath is a client ID metadata document the practice server
	// hosts for the CIMD lesson; its URL is the client_id.
	ClientDocumentPath = "/clients/keyhole.json"
	// ImpostorDocumentPath hosts a document that names another client_id
	// than its own URL, which the authorization server must refuse.
	ImpostorDocumentPath = "/clients/impostor.json"
)

// client is what the authorization server knows of a client, from its
// registration in advance, dynamic registration (RFC 7591) or its metadata
// document (the client_id is the document's URL).
type client struct {
	id     string
	secret string // "" for a public client (token_endpoint_auth_method none)
	// authMethod is how it authenticates at the token and PAR endpoints:
	// "" accepts Basic or the form; otherwise client_secret_post or none.
	authMethod string
	// redirects are its registered redirect URIs; nil accepts any loopback
	// redirect (the clients registered in advance).
	redirects  []string
	grants     []string // nil: every grant
	requirePAR bool
}

// public reports whether the client has no secret: it sends its client_id
// and PKCE protects its codes.
func (c *client) public() bool { return c.secret == "" }

// redirectOK checks a redirect_uri against the client's registration: an
// exact match, with any port for a loopback one (RFC 8252 §7.3).
func (c *client) redirectOK(raw string) bool {
	if !loopbackRedirect(raw) {
		return false
	}
	if c.redirects == nil {
		return true
	}
	got, _ := url.Parse(raw)
	for _, r := range c.redirects {
		if r == raw {
			return true
		}
		u, err := url.Parse(r)
		if err == nil && loopbackRedirect(r) && u.Hostname() == got.Hostname() && u.Path == got.Path && u.RawQuery == got.RawQuery {
			return true
		}
	}
	return false
}

// grantOK reports whether the client may use grant type gt. A public
// client never gets a grant that needs no user: anyone can send its id.
func (c *client) grantOK(gt string) bool {
	if c.public() && (gt == "client_credentials" || gt == "password") {
		return false
	}
	return c.grants == nil || slices.Contains(c.grants, gt) || gt == "refresh_token" && slices.Contains(c.grants, "authorization_code")
}

// staticClients are the clients registered in advance.
var staticClients = []client{
	{id: ClientID, secret: ClientSecret},
	{id: PostClientID, secret: PostClientSecret, authMethod: "client_secret_post"},
	{id: ParClientID, secret: ParClientSecret, requirePAR: true, grants: []string{"authorization_code", "refresh_token"}},
}

// lookupClient finds the client called id: registered in advance or
// dynamically, or, when id is an http(s) URL, read from the metadata
// document there. The error says why in words for the client's developer.
func (a *authServer) lookupClient(r *http.Request, id string) (*client, error) {
	if id == "" {
		return nil, errors.New("client_id is missing")
	}
	for i := range staticClients {
		if equal(id, staticClients[i].id) {
			c := staticClients[i]
			return &c, nil
		}
	}
	a.mu.Lock()
	c, ok := a.clients[id]
	a.mu.Unlock()
	if ok {
		return c, nil
	}
	if strings.HasPrefix(id, "https://") || strings.HasPrefix(id, "http://") {
		if !fromLoopback(r) {
			// A server started with --public takes requests from a network;
			// they must not make it fetch from this machine's loopback.
			return nil, errors.New("client metadata documents are fetched only for requests made from this machine")
		}
		return a.clientDocument(r.Context(), id)
	}
	return nil, fmt.Errorf("unknown client_id %q; the practice clients are %s, %s and %s, a client_id from the registration endpoint, or the URL of a client metadata document", quoteSafe(id), ClientID, PostClientID, ParClientID)
}

// maxClientDocument bounds a client metadata document (the draft's
// recommended limit is 5 kilobytes).
const maxClientDocument = 5 << 10

// clientDocument fetches and checks the client ID metadata document at id
// (draft-ietf-oauth-client-id-metadata-document): the URL must be a loopback
// one here (the practice server fetches nothing else, so it cannot be made to
// reach into a network), the document's client_id must be that very URL, and
// it must name no shared secret.
func (a *authServer) clientDocument(ctx context.Context, id string) (*client, error) {
	u, err := url.Parse(id)
	switch {
	case err != nil || u.Host == "":
		return nil, fmt.Errorf("client_id %q is not a URL", quoteSafe(id))
	case !loopbackHost(u.Hostname()):
		return nil, fmt.Errorf("client_id %s: the practice server fetches client metadata documents only from loopback addresses (127.0.0.1, [::1], localhost); a real server fetches https URLs", quoteSafe(id))
	case u.Path == "" || u.Path == "/":
		return nil, fmt.Errorf("client_id %s has no path; a client metadata document's URL names the document", quoteSafe(id))
	case u.Fragment != "" || u.User != nil:
		return nil, fmt.Errorf("client_id %s must not have a fragment or user information", quoteSafe(id))
	case slices.ContainsFunc(strings.Split(u.Path, "/"), func(s string) bool { return s == "." || s == ".." }):
		return nil, fmt.Errorf("client_id %s must not have . or .. path segments", quoteSafe(id))
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, id, nil)
	if err != nil {
		return nil, fmt.Errorf("client_id %s: %v", quoteSafe(id), quoteSafe(err.Error()))
	}
	req.Header.Set("Accept", "application/json")
	resp, err := fetcher().Do(req)
	if err != nil {
		return nil, fmt.Errorf("cannot fetch the client metadata document at %s: %s", quoteSafe(id), quoteSafe(err.Error()))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("the client metadata document at %s answered %d, not 200 (redirects are not followed)", quoteSafe(id), resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxClientDocument+1))
	if err != nil {
		return nil, fmt.Errorf("reading the client metadata document at %s: %s", quoteSafe(id), quoteSafe(err.Error()))
	}
	if len(body) > maxClientDocument {
		return nil, fmt.Errorf("the client metadata document at %s is larger than %d bytes", quoteSafe(id), maxClientDocument)
	}
	return checkClientDocument(id, body)
}

// checkClientDocument reads the client metadata document body fetched from
// id: its client_id must be id, it may hold no secret, and it must list
// redirect URIs; the client it describes is public.
func checkClientDocument(id string, body []byte) (*client, error) {
	// Member names are matched exactly: encoding/json alone would take
	// "Client_ID" for client_id.
	var members map[string]json.RawMessage
	if err := json.Unmarshal(body, &members); err != nil {
		return nil, fmt.Errorf("the client metadata document at %s is not a JSON object: %s", quoteSafe(id), quoteSafe(err.Error()))
	}
	var clientID, authMethod string
	var redirects, grants []string
	for name, v := range map[string]any{"client_id": &clientID, "token_endpoint_auth_method": &authMethod, "redirect_uris": &redirects, "grant_types": &grants} {
		if raw, ok := members[name]; ok && json.Unmarshal(raw, v) != nil {
			return nil, fmt.Errorf("the client metadata document at %s has a %s of the wrong type", quoteSafe(id), name)
		}
	}
	_, secret := members["client_secret"]
	_, secretExp := members["client_secret_expires_at"]
	redirects = slices.DeleteFunc(redirects, func(u string) bool { return u == "" })
	switch {
	case clientID != id:
		return nil, fmt.Errorf("the client metadata document at %s says its client_id is %q: a document must name its own URL, or anyone could claim another client's identity", quoteSafe(id), quoteSafe(clientID))
	case secret || secretExp:
		return nil, fmt.Errorf("the client metadata document at %s holds a client_secret: a public document cannot keep a secret", quoteSafe(id))
	case authMethod != "" && authMethod != "none":
		return nil, fmt.Errorf("the client metadata document at %s asks for token_endpoint_auth_method %q; the practice server takes none (a public client with PKCE) from documents", quoteSafe(id), quoteSafe(authMethod))
	case len(redirects) == 0:
		return nil, fmt.Errorf("the client metadata document at %s lists no redirect_uris", quoteSafe(id))
	}
	return &client{id: id, redirects: redirects, grants: grants, authMethod: "none"}, nil
}

// fromLoopback reports whether r came from this machine.
func fromLoopback(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	ip := net.ParseIP(host)
	return err == nil && ip != nil && ip.IsLoopback()
}

// fetcher is the client that fetches client metadata documents: through
// the practice proxy's loopback-only dialer, which checks the address
// actually dialled; no proxy (one from the environment would be another
// address); no redirects.
func fetcher() *http.Client {
	return &http.Client{
		Transport: &http.Transport{Proxy: nil, DialContext: loopbackDialer.DialContext, MaxResponseHeaderBytes: 16 << 10},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
		Timeout: 5 * time.Second,
	}
}

// clientDocumentHandler serves the practice client metadata documents: one
// for keyhole, whose client_id is its own URL, and the impostor's, which
// claims to be keyhole's.
func clientDocumentHandler(w http.ResponseWriter, r *http.Request) {
	own := baseURL(r) + ClientDocumentPath
	id := own
	if r.URL.Path == ImpostorDocumentPath {
		id = "https://keyhole.example/client.json" // not where it is served
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"client_id":                  id,
		"client_name":                "keyhole (practice copy)",
		"redirect_uris":              []string{"http://127.0.0.1/callback", "http://[::1]/callback"},
		"grant_types":                []string{"authorization_code", "refresh_token"},
		"response_types":             []string{"code"},
		"token_endpoint_auth_method": "none",
	})
}

// register is the dynamic client registration endpoint (RFC 7591 §3): a
// client posts its metadata as JSON and gets a client_id, and a secret unless
// it is public. Redirect URIs must be loopback ones.
func (a *authServer) register(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		oauthError(w, http.StatusMethodNotAllowed, "invalid_request", "the registration endpoint takes POST with a JSON body")
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(strings.ToLower(ct), "application/json") {
		oauthError(w, http.StatusBadRequest, "invalid_client_metadata", "the client metadata must be sent as application/json (RFC 7591 §3.1)")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	var meta struct {
		Redirects     []string `json:"redirect_uris"`
		Grants        []string `json:"grant_types"`
		ResponseTypes []string `json:"response_types"`
		AuthMethod    string   `json:"token_endpoint_auth_method"`
		Name          string   `json:"client_name"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err != nil || dec.Decode(&meta) != nil {
		oauthError(w, http.StatusBadRequest, "invalid_client_metadata", "the body is not a JSON object of client metadata (RFC 7591 §2)")
		return
	}
	if meta.AuthMethod == "" {
		meta.AuthMethod = "client_secret_basic" // RFC 7591 §2's default
	}
	if len(meta.Grants) == 0 {
		meta.Grants = []string{"authorization_code"}
	}
	for _, g := range meta.Grants {
		if !slices.Contains([]string{"authorization_code", "refresh_token", deviceGrantType, "client_credentials"}, g) {
			oauthError(w, http.StatusBadRequest, "invalid_client_metadata", "grant_types: "+quoteSafe(g)+" is not a grant the practice server runs")
			return
		}
	}
	if meta.AuthMethod == "none" && slices.Contains(meta.Grants, "client_credentials") {
		oauthError(w, http.StatusBadRequest, "invalid_client_metadata", "a public client (token_endpoint_auth_method none) cannot use client_credentials: anyone could send its client_id")
		return
	}
	if !slices.Contains([]string{"none", "client_secret_basic", "client_secret_post"}, meta.AuthMethod) {
		oauthError(w, http.StatusBadRequest, "invalid_client_metadata", "token_endpoint_auth_method must be none, client_secret_basic or client_secret_post here")
		return
	}
	if slices.Contains(meta.Grants, "authorization_code") && len(meta.Redirects) == 0 {
		oauthError(w, http.StatusBadRequest, "invalid_redirect_uri", "the authorization_code grant needs redirect_uris")
		return
	}
	for _, u := range meta.Redirects {
		if !loopbackRedirect(u) {
			oauthError(w, http.StatusBadRequest, "invalid_redirect_uri", "redirect_uris must be loopback ones here, http://127.0.0.1/... (RFC 8252 §7.3): "+quoteSafe(u))
			return
		}
	}
	// Never nil: a client registered without redirect URIs has none, not
	// every loopback one.
	c := &client{id: "dyn-" + randomID(), redirects: append([]string{}, meta.Redirects...), grants: meta.Grants, authMethod: meta.AuthMethod}
	if meta.AuthMethod != "none" {
		c.secret = randomID()
		if meta.AuthMethod == "client_secret_basic" {
			c.authMethod = ""
		}
	}
	a.mu.Lock()
	trim(a.clients)
	a.clients[c.id] = c
	issued := a.now().Unix()
	a.mu.Unlock()
	out := map[string]any{
		"client_id":                  c.id,
		"client_id_issued_at":        issued,
		"redirect_uris":              meta.Redirects,
		"grant_types":                meta.Grants,
		"token_endpoint_auth_method": meta.AuthMethod,
	}
	if meta.Name != "" {
		out["client_name"] = meta.Name
	}
	if len(meta.ResponseTypes) > 0 {
		out["response_types"] = meta.ResponseTypes
	}
	if c.secret != "" {
		out["client_secret"], out["client_secret_expires_at"] = c.secret, 0
	}
	writeJSON(w, http.StatusCreated, out)
}

// authenticate finds and authenticates the client of a token or PAR
// request: Basic or the form for a confidential client, as it was
// registered; client_id alone for a public one. On failure it has answered.
func (a *authServer) authenticate(w http.ResponseWriter, r *http.Request) (*client, bool) {
	f := r.PostForm
	id, secret, viaHeader := r.BasicAuth()
	if viaHeader {
		// RFC 6749 §2.3.1: the id and secret are form-encoded before Basic.
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = f.Get("client_id"), f.Get("client_secret")
	}
	refuse := func(desc string) (*client, bool) {
		if viaHeader {
			w.Header().Set("WWW-Authenticate", `Basic realm="practice-oauth"`)
		}
		oauthError(w, http.StatusUnauthorized, "invalid_client", desc)
		return nil, false
	}
	c, err := a.lookupClient(r, id)
	switch {
	case err != nil:
		return refuse(err.Error())
	case c.public() && (viaHeader || secret != ""):
		return refuse("this client is public (token_endpoint_auth_method none): send client_id in the form and no secret")
	case c.public():
		return c, true
	case c.authMethod == "client_secret_post" && viaHeader:
		// Registered for client_secret_post: Basic is the wrong method.
		return refuse("this client is registered for client_secret_post: send client_id and client_secret in the form, not in Basic")
	case !equal(secret, c.secret):
		return refuse("unknown client or wrong secret; the practice client is " + ClientID + " / " + ClientSecret)
	}
	return c, true
}
