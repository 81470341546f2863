package credentials

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"keyhole/httpclient"
)

// A Client ID Metadata Document (draft-ietf-oauth-client-id-metadata-document)
// lets a client skip registration: its client_id is an https URL, and the
// document at that URL is the client's metadata (RFC 7591 names), which the
// authorization server fetches when the client first shows up. The MCP
// authorization spec (2025-11-25) prefers it to dynamic registration.

// ClientMetadata is a Client ID Metadata Document: RFC 7591 client metadata
// whose client_id is the document's own URL.
type ClientMetadata struct {
	ClientID        string   `json:"client_id"`
	ClientName      string   `json:"client_name,omitempty"`
	ClientURI       string   `json:"client_uri,omitempty"`
	LogoURI         string   `json:"logo_uri,omitempty"`
	RedirectURIs    []string `json:"redirect_uris,omitempty"`
	GrantTypes      []string `json:"grant_types,omitempty"`
	ResponseTypes   []string `json:"response_types,omitempty"`
	AuthMethod      string   `json:"token_endpoint_auth_method,omitempty"`
	JWKSURI         string   `json:"jwks_uri,omitempty"`
	JWKS            any      `json:"jwks,omitempty"`
	Scope           string   `json:"scope,omitempty"`
	ApplicationType string   `json:"application_type,omitempty"`
}

// maxClientMetadata caps a fetched document; the draft suggests servers
// take no more than 5 KB, and keyhole checks what they will.
const maxClientMetadata = 5 << 10

// IsClientIDURL reports whether a client id is a URL, and so names a Client
// ID Metadata Document rather than a registration the server keeps.
func IsClientIDURL(id string) bool {
	u, err := url.Parse(id)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// CheckClientIDURL says why id cannot be a Client ID Metadata Document's
// URL (draft §3: https, a path, no dot segments, no fragment, no user or
// password), or nil. An http URL on this machine passes, with loopback true:
// the draft forbids it, but a server made for local development (keyhole's
// practice server) may take it.
func CheckClientIDURL(id string) (loopback bool, err error) {
	u, err := url.Parse(id)
	if err != nil || u.Host == "" {
		return false, fmt.Errorf("client id %q is not a URL", safeLine(id))
	}
	switch {
	case u.Scheme == "http" && httpclient.OriginOf(u).IsLoopback():
		loopback = true
	case u.Scheme != "https":
		return false, fmt.Errorf("client id %q: a Client ID Metadata Document's URL must be https", safeLine(id))
	}
	switch {
	case u.Path == "" || u.Path == "/":
		return loopback, fmt.Errorf("client id %q: the document's URL must have a path (https://host/client.json)", safeLine(id))
	case u.User != nil:
		return loopback, fmt.Errorf("client id %q: the document's URL must not hold a user or password", safeLine(id))
	case strings.Contains(id, "#"):
		return loopback, fmt.Errorf("client id %q: the document's URL must not have a fragment", safeLine(id))
	}
	for _, seg := range strings.Split(u.EscapedPath(), "/") {
		if s := strings.ReplaceAll(strings.ToLower(seg), "%2e", "."); s == "." || s == ".." {
			return loopback, fmt.Errorf("client id %q: the document's URL must not have . or .. segments", safeLine(id))
		}
	}
	return loopback, nil
}

// CheckClientMetadata reads body, fetched from the client id URL id, as a
// Client ID Metadata Document and checks what the draft asks of it: a JSON
// object whose client_id is exactly id, no client secret and no
// shared-secret authentication (anyone can read the document), https URLs,
// and a key for private_key_jwt. Each error says what to change in it.
func CheckClientMetadata(id string, body []byte) (*ClientMetadata, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, fmt.Errorf("the client metadata document at %s is not a JSON object: %s", safeLine(id), safeLine(err.Error()))
	}
	var m ClientMetadata
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, fmt.Errorf("the client metadata document at %s has a field of the wrong type: %s", safeLine(id), safeLine(err.Error()))
	}
	switch {
	case m.ClientID == "":
		return nil, fmt.Errorf("the client metadata document at %s has no client_id; it must be the document's own URL", safeLine(id))
	case m.ClientID != id:
		return nil, fmt.Errorf("the client metadata document at %s says client_id %q; it must be exactly the URL it is served at", safeLine(id), safeLine(m.ClientID))
	}
	if _, ok := raw["client_secret"]; ok {
		return nil, errors.New("the client metadata document holds a client_secret: anyone can read the document, so a secret there is no secret; remove it")
	}
	if _, ok := raw["client_secret_expires_at"]; ok {
		return nil, errors.New("the client metadata document holds client_secret_expires_at, which the draft forbids; remove it")
	}
	switch m.AuthMethod {
	case "", AuthNone, AuthPrivateKeyJWT, AuthTLS, "self_signed_tls_client_auth":
	case AuthBasic, AuthPost, "client_secret_jwt":
		return nil, fmt.Errorf("the client metadata document says token_endpoint_auth_method %s, a shared secret, which the draft forbids: use none (a public client with PKCE) or private_key_jwt with jwks_uri", m.AuthMethod)
	}
	if m.AuthMethod == AuthPrivateKeyJWT && m.JWKSURI == "" && m.JWKS == nil {
		return nil, errors.New("the client metadata document says private_key_jwt but has no jwks_uri (or jwks): the server could not check keyhole's signature")
	}
	for _, f := range []struct{ name, v string }{{"client_uri", m.ClientURI}, {"logo_uri", m.LogoURI}, {"jwks_uri", m.JWKSURI}} {
		if u, err := url.Parse(f.v); f.v != "" && (err != nil || u.Scheme != "https") {
			return nil, fmt.Errorf("the client metadata document's %s %q is not an https URL", f.name, safeLine(f.v))
		}
	}
	return &m, nil
}

// loopbackRedirect is the first of uris keyhole can listen on: http on
// 127.0.0.1, [::1] or localhost. Its port may be absent (any port, RFC 8252
// §7.3).
func loopbackRedirect(uris []string) (*url.URL, bool) {
	for _, r := range uris {
		u, err := url.Parse(r)
		if err != nil || u.Scheme != "http" {
			continue
		}
		if h := u.Hostname(); h == "127.0.0.1" || h == "::1" || h == "localhost" {
			return u, true
		}
	}
	return nil, false
}

// useClientIDURL decides how a client id that is a URL is used, once the
// authorization server's metadata is known, in the MCP spec's order: as a
// Client ID Metadata Document when the server says it takes them (after
// reading the document, so that a wrong one is explained here rather than
// refused by the server without a word), else by registering (RFC 7591)
// when the server offers that, else as a plain client id. It reports
// whether keyhole must register.
func (o *OAuth2) useClientIDURL(ctx context.Context, hc *http.Client) (bool, error) {
	o.mu.Lock()
	supported, registration, id := o.cimdSupported, o.registrationURL, o.ClientID
	o.mu.Unlock()
	if !supported {
		why := "the client id is a URL (a Client ID Metadata Document), but the authorization server's metadata does not say client_id_metadata_document_supported"
		switch {
		case registration != "" && !o.NoRegister:
			o.setClientWhy(why + "; it offers registration_endpoint, so keyhole registers (RFC 7591), as the MCP authorization spec orders")
			return true, nil
		case registration != "":
			why += "; it offers registration_endpoint, but registering is turned off (Register no)"
		default:
			why += " and offers no registration"
		}
		o.setClientWhy(why + ": keyhole sends the URL as a plain client id, which works only if the server knows it")
		return false, nil
	}
	loopback, err := CheckClientIDURL(id)
	if err != nil {
		return false, fmt.Errorf("oauth2: %v", err)
	}
	doc, err := o.readClientMetadata(ctx, hc, id)
	if err != nil {
		return false, err
	}
	why := "client id " + safeLine(id) + " is a Client ID Metadata Document: the server says client_id_metadata_document_supported and fetches keyhole's metadata from that URL, so there is nothing to register"
	if loopback {
		why += " (an http URL on this machine: the draft wants https, so only a server made for local development takes it)"
	}
	o.mu.Lock()
	if r, ok := loopbackRedirect(doc.RedirectURIs); ok {
		o.redirect = r
	}
	if doc.AuthMethod != "" && o.ClientAuth == "" {
		o.method, o.methodWhy = doc.AuthMethod, "the method the client metadata document names"
	}
	o.clientWhy = why + o.grantWhy
	o.mu.Unlock()
	return false, nil
}

func (o *OAuth2) setClientWhy(s string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.clientWhy = s
}

// readClientMetadata fetches the document at id as the authorization server
// will, and checks it, including that keyhole can receive the redirect it
// allows.
func (o *OAuth2) readClientMetadata(ctx context.Context, hc *http.Client, id string) (*ClientMetadata, error) {
	ctx = httpclient.WithStep(httpclient.WithPurpose(ctx, "discovery"),
		"client id metadata document: reading it where the authorization server will, to check it first (client_id must be its own URL, no secret, a redirect keyhole can take)")
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, id, nil)
	if err != nil {
		return nil, fmt.Errorf("oauth2: client id metadata document: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("oauth2: client id metadata document: cannot read %s: %s; the authorization server could not either", safeLine(id), safeLine(err.Error()))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxClientMetadata+1))
	if err != nil {
		return nil, fmt.Errorf("oauth2: client id metadata document: reading %s: %w", safeLine(id), err)
	}
	switch {
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("oauth2: client id metadata document: %s answered %d, not the document (servers fetch it without following redirects)", safeLine(id), resp.StatusCode)
	case len(body) > maxClientMetadata:
		return nil, fmt.Errorf("oauth2: client id metadata document: %s is larger than 5 KB, more than servers are asked to take", safeLine(id))
	}
	doc, err := CheckClientMetadata(id, body)
	if err != nil {
		return nil, fmt.Errorf("oauth2: %v", err)
	}
	if o.grant() == GrantAuthorizationCode {
		if _, ok := loopbackRedirect(doc.RedirectURIs); !ok {
			return nil, fmt.Errorf("oauth2: the client metadata document at %s lists no redirect_uris on http://127.0.0.1, [::1] or localhost, where keyhole receives the sign-in's redirect; add http://127.0.0.1/callback", safeLine(id))
		}
	}
	return doc, nil
}

// ClientMetadataServer serves keyhole's own Client ID Metadata Document on
// 127.0.0.1 for as long as keyhole runs, for a user who has no document
// hosted anywhere: a server on this machine (the practice server) can fetch
// it. Its URL is the client id.
type ClientMetadataServer struct {
	URL string
	srv *http.Server
}

// ServeClientMetadata starts serving keyhole's document at
// http://127.0.0.1:PORT/oauth-client.json on a free port.
func ServeClientMetadata() (*ClientMetadataServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("cannot serve the client metadata document on 127.0.0.1: %w", err)
	}
	s := &ClientMetadataServer{URL: "http://" + ln.Addr().String() + "/oauth-client.json"}
	doc, _ := json.MarshalIndent(KeyholeClientMetadata(s.URL), "", "  ")
	s.srv = &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/oauth-client.json" || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store") // it lives as long as this run
		w.Write(doc)
	})}
	go s.srv.Serve(ln)
	return s, nil
}

// Close stops serving the document.
func (s *ClientMetadataServer) Close() error { return s.srv.Close() }

// KeyholeClientMetadata is the document keyhole serves for itself at id: a
// public native client (no secret: PKCE protects the code) that signs a user
// in with a redirect to 127.0.0.1 on any port.
func KeyholeClientMetadata(id string) ClientMetadata {
	return ClientMetadata{
		ClientID:        id,
		ClientName:      "keyhole",
		RedirectURIs:    []string{"http://127.0.0.1/callback"},
		GrantTypes:      []string{"authorization_code", "refresh_token"},
		ResponseTypes:   []string{"code"},
		AuthMethod:      AuthNone,
		ApplicationType: "native",
	}
}

// AboutClientMetadata says in plain words what the served document is, for
// the user who asked keyhole to serve it.
func AboutClientMetadata(u string) string {
	return "keyhole serves its client metadata document at " + u + " while it runs. It is a small public JSON file that says who the client is " +
		"(client_name keyhole) and where a sign-in may send the browser back (redirect_uris, http://127.0.0.1/callback). " +
		"Its URL is keyhole's client_id: an authorization server that takes Client ID Metadata Documents reads the file instead of asking keyhole to register. " +
		"Only a server on this machine can reach it, and the draft wants https, so this is for the practice server and local development; " +
		"for a real server, host the same file at an https URL and give that URL with --client-id."
}
