package credentials

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"keyhole/httpclient"
)

// Grants OAuth2 can run.
const (
	GrantClientCredentials = "client_credentials"
	GrantAuthorizationCode = "authorization_code"
	GrantDeviceCode        = "device_code"
	GrantPassword          = "password"
	GrantRefreshToken      = "refresh_token"
)

// OAuth2 answers Bearer (or DPoP) challenges with an access token it obtains
// itself, through golang.org/x/oauth2. Every token and metadata request goes
// through the client handed to Prepare, so the session shows each one in the
// timeline. Use a pointer; it is safe for concurrent use.
type OAuth2 struct {
	Grant        string // one of the Grant* constants; "" means client_credentials
	ClientID     string
	ClientSecret string
	TokenURL     string // "" means discover it from the challenge (RFC 9728, RFC 8414)
	AuthURL      string // authorization endpoint, for authorization_code
	DeviceURL    string // device authorization endpoint, for device_code
	Scopes       []string
	Resource     string // RFC 8707 resource indicator, and the URL discovery checks against
	User         string // password grant only
	Password     string // password grant only
	RefreshToken string // the refresh token to start from, for the refresh_token grant
	DPoP         bool   // bind tokens to a per-session key (RFC 9449); also turned on when the resource asks for DPoP
	// AccessToken is a token the user already holds (--token beside
	// --refresh-token): it is used first and refreshed when rejected.
	AccessToken string
	// Trusted are the origins the user trusts with secrets when a server
	// names them as its token endpoint (--trust).
	Trusted []httpclient.Origin
	// AuthInForm sends the client id and secret in the form body
	// (client_secret_post) instead of HTTP Basic (client_secret_basic, which
	// RFC 6749 §2.3.1 makes every server support). x/oauth2's auto-detection is
	// not used: it resends every failed token request the other way, which
	// doubles the timeline and hides a device flow's slow_down.
	AuthInForm bool
	// ClientAuth forces the client authentication method (one of the Auth*
	// constants); "" picks it from the server's
	// token_endpoint_auth_methods_supported and the credentials held, and
	// tries the others the server lists after invalid_client.
	ClientAuth string
	// ClientKey signs private_key_jwt assertions (RFC 7523); ClientKeyID is
	// its kid, when the server needs one to find the key.
	ClientKey   crypto.Signer
	ClientKeyID string
	// Register makes keyhole register itself (RFC 7591) even when a client
	// id was given; without a client id it registers whenever the server
	// offers registration_endpoint, as an MCP client does. NoRegister
	// forbids registering (--register=false): the client id given is used
	// as it is.
	Register, NoRegister bool

	// PresentCertTo lets the TLS client certificate go to an origin: the
	// token endpoint, for tls_client_auth (the user's client shows it only
	// to the origins they gave it for). nil: the client decides alone.
	PresentCertTo func(httpclient.Origin)

	// OnDeviceCode tells the user where to enter the code (device_code grant).
	OnDeviceCode func(userCode, verificationURI, verificationURIComplete string)
	// OpenBrowser opens the authorization URL; nil or an error leaves it to OnAuthURL.
	OpenBrowser func(url string) error
	// OnAuthURL shows the authorization URL when no browser opened it.
	OnAuthURL func(url string)
	// Now is the local clock, for expiry; nil means time.Now.
	Now func() time.Time

	prep sync.Mutex // one token request at a time

	mu          sync.Mutex
	tok         *oauth2.Token
	expires     time.Time // by Now, from expires_in; zero when the server gave none
	stale       bool      // the server rejected tok: refresh or fetch again before use
	rejected    string    // the access token last rejected as invalid_token
	asked       map[string]bool
	dpop        *DPoPKey
	nonceMu     sync.Mutex
	asNonce     string // DPoP nonces of the authorization server and of the resource are independent (RFC 9449 §8, §9)
	rsNonce     string
	nonceUsed   string
	requestURL  string // what the user is requesting, for RFC 9728 §3.3
	holdExpired bool   // send the held token once past its expiry (HoldExpired)
	heldPast    string // the expired token sent so

	life       time.Duration // the held token's lifetime when issued, for renewing early
	dpopOn     atomic.Bool   // the resource asked for DPoP (challenge or metadata)
	discovered bool          // the protected resource metadata was read
	tokenNamed string        // the metadata that named TokenURL; "" when the user gave it
	issuer     string        // the authorization server's issuer, from its metadata
	issParam   bool          // it sends iss in authorization responses (RFC 9207)
	replacing  string        // why the next token request replaces the held token

	authMethods     []string // the token endpoint's token_endpoint_auth_methods_supported
	method          string   // the client authentication chosen, once one worked or was named
	methodWhy       string
	registrationURL string // registration_endpoint (RFC 7591)
	parURL          string // pushed_authorization_request_endpoint (RFC 9126)
	requirePAR      bool
	registered      bool   // ClientID and ClientSecret came from registration at this server
	cimdSupported   bool   // client_id_metadata_document_supported
	clientWhy       string // how the client id was chosen (Client ID Metadata Document, registration), once decided
	grantWhy        string // why the grant is not the one asked for (no client id: a registered client signs a user in)
	mtlsToken       string // mtls_endpoint_aliases (RFC 8705 §5)
	mtlsPAR         string
	endpointWhy     string   // why the token endpoint is not the metadata's token_endpoint, for the step's label
	redirect        *url.URL // the loopback redirect a client metadata document allows; nil: 127.0.0.1, any port
	step            string   // why the request being made is made, for its attempt
}

// SetRequestURL tells the authorizer which URL it is getting a token for.
// Discovery then checks that the protected resource metadata is about that
// URL (RFC 9728 §3.3) even when no Resource indicator was set, and finds the
// metadata at its well-known location when the challenge does not name it.
func (o *OAuth2) SetRequestURL(u string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.requestURL = u
}

func (o *OAuth2) requestURLSnapshot() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.requestURL
}

func (o *OAuth2) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

func (o *OAuth2) grant() string {
	if o.Grant == "" {
		return GrantClientCredentials
	}
	return o.Grant
}

// Scheme is "DPoP" when tokens are DPoP-bound, "Bearer" otherwise.
func (o *OAuth2) Scheme() string {
	if o.dpopWanted() {
		return "DPoP"
	}
	return "Bearer"
}

// Describe says which grant runs against which endpoint, for the timeline.
func (o *OAuth2) Describe() string {
	names := map[string]string{
		GrantClientCredentials: "client credentials",
		GrantAuthorizationCode: "authorization code with PKCE",
		GrantDeviceCode:        "device authorization",
		GrantPassword:          "resource owner password (deprecated: RFC 9700 §2.4 says it MUST NOT be used; prefer the authorization code or device grant)",
		GrantRefreshToken:      "refresh token",
	}
	g, ok := names[o.grant()]
	if !ok {
		g = o.grant()
	}
	s := "OAuth 2.0 " + g + " grant, client " + o.ClientID
	if len(o.Scopes) > 0 {
		s += ", scope " + strings.Join(o.Scopes, " ")
	}
	if o.dpopWanted() {
		s += ", DPoP-bound"
	}
	return s
}

// dpopWanted reports whether tokens are to be DPoP-bound: asked by the user,
// or by the resource.
func (o *OAuth2) dpopWanted() bool { return o.DPoP || o.dpopOn.Load() }

// FollowChallenges reads the challenges of a 401 before keyhole answers
// them: a resource that offers only DPoP (RFC 9449 §7.1, "DPoP algs=...")
// gets DPoP-bound tokens. It returns what it decided, for the timeline, or "".
func (o *OAuth2) FollowChallenges(chs []httpclient.Challenge) string {
	if o.dpopWanted() {
		return ""
	}
	var dpop *httpclient.Challenge
	for i := range chs {
		switch {
		case chs[i].Is("Bearer"):
			return ""
		case chs[i].Is("DPoP"):
			dpop = &chs[i]
		}
	}
	if dpop == nil {
		return ""
	}
	if algs := dpop.Param("algs"); algs != "" && !slices.Contains(strings.Fields(algs), "ES256") {
		return "the resource wants DPoP proofs signed with " + safeLine(algs) + "; keyhole signs with ES256 only"
	}
	o.dpopOn.Store(true)
	return "the resource accepts only DPoP-bound tokens (DPoP challenge): keyhole binds its tokens to a new ES256 key"
}

// Token returns a copy of the current token: the one given to start from
// (AccessToken) until Prepare takes it, else the one obtained, or nil.
func (o *OAuth2) Token() *oauth2.Token {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.tok == nil && o.AccessToken != "" {
		return &oauth2.Token{AccessToken: o.AccessToken, TokenType: "Bearer", RefreshToken: o.RefreshToken}
	}
	if o.tok == nil {
		return nil
	}
	t := *o.tok
	return &t
}

// Forget drops the tokens and DPoP nonces; the next Prepare starts over.
func (o *OAuth2) Forget() {
	o.mu.Lock()
	o.tok, o.expires, o.stale, o.rejected, o.asked = nil, time.Time{}, false, "", nil
	o.life, o.replacing = 0, ""
	o.mu.Unlock()
	o.nonceMu.Lock()
	o.asNonce, o.rsNonce, o.nonceUsed = "", "", ""
	o.nonceMu.Unlock()
}

// SetNonce takes the resource server's DPoP-Nonce header (RFC 9449 §9).
func (o *OAuth2) SetNonce(n string) {
	o.nonceMu.Lock()
	defer o.nonceMu.Unlock()
	o.rsNonce = n
}

// valid reports whether tok can be used now. Expiry is judged by o.Now
// rather than by x/oauth2's wall clock so that tests and the user's idea of
// "now" agree; like x/oauth2 it renews 10 s early, but never more than a
// quarter of the token's life, so short-lived tokens (5 s) get used.
func (o *OAuth2) valid() bool {
	if o.tok == nil || o.stale || o.tok.AccessToken == "" {
		return false
	}
	if o.expires.IsZero() {
		return true
	}
	if o.now().Before(o.expires.Add(-o.early())) {
		return true
	}
	if o.holdExpired && o.heldPast != o.tok.AccessToken {
		// Held past its expiry once, for the server to refuse where the
		// user sees it (the JWT lesson); the next send replaces it.
		o.heldPast = o.tok.AccessToken
		return true
	}
	return false
}

// HoldExpired, when on, makes the next send after the held token's expiry
// carry that token anyway, once, instead of renewing it first: the server's
// invalid_token refusal then shows, and the send after it gets a new token.
// session.Run turns it on with Policy.NoAutoRefresh.
func (o *OAuth2) HoldExpired(on bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.holdExpired = on
}

// early is how long before expiry the held token is renewed.
func (o *OAuth2) early() time.Duration {
	if o.life <= 0 {
		return 10 * time.Second
	}
	return min(10*time.Second, o.life/4)
}

func (o *OAuth2) store(t *oauth2.Token) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if t.RefreshToken == "" && o.tok != nil {
		t.RefreshToken = o.tok.RefreshToken
	}
	o.tok, o.stale, o.replacing = t, false, ""
	o.expires, o.life = time.Time{}, 0
	now := o.now()
	// x/oauth2 turns expires_in into Expiry by the wall clock and leaves
	// ExpiresIn zero; the lifetime is what it was when the token arrived.
	switch {
	case t.ExpiresIn > 0:
		o.life = time.Duration(t.ExpiresIn) * time.Second
		o.expires = now.Add(o.life)
	case !t.Expiry.IsZero():
		o.life = time.Until(t.Expiry)
		o.expires = now.Add(o.life)
	}
}

// ReplacedBecause says why the token request being made replaces the token
// that was held ("token expired", "token rejected: wrong audience"...), for
// the timeline; "" when no token was replaced.
func (o *OAuth2) ReplacedBecause() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.replacing
}

// Prepare obtains a token, or refreshes the one it has when it expired or was
// rejected. A refresh that fails falls back to running the grant again.
func (o *OAuth2) Prepare(ctx context.Context, hc *http.Client, ch *httpclient.Challenge) error {
	o.prep.Lock()
	defer o.prep.Unlock()
	o.mu.Lock()
	if o.tok == nil && o.AccessToken != "" {
		o.tok = &oauth2.Token{AccessToken: o.AccessToken, TokenType: "Bearer", RefreshToken: o.RefreshToken}
		if j, err := ParseJWT(o.AccessToken); err == nil && j.ExpiresAt != nil {
			o.expires = *j.ExpiresAt // an expired token is refreshed before it is sent
		}
		o.AccessToken = ""
	}
	ok := o.valid()
	if !ok && o.tok != nil && o.replacing == "" {
		if left := o.expires.Sub(o.now()); left > 0 {
			o.replacing = "token expires in " + Duration(left) + ": renewing it early"
		} else {
			o.replacing = "token expired"
		}
	}
	o.mu.Unlock()
	if ok {
		return nil
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	o.mu.Lock()
	wantMeta := !o.discovered && o.Resource == "" && ch != nil && ch.Param("resource_metadata") != ""
	mustRegister := (o.ClientID == "" || o.Register) && !o.registered && !o.NoRegister
	// A client id that is a URL names a Client ID Metadata Document; whether
	// the server takes one is in its metadata. One with a secret was
	// registered: a document's client has none (anyone can read it).
	cimd := !mustRegister && !o.registered && o.clientWhy == "" && o.ClientSecret == "" && IsClientIDURL(o.ClientID)
	needMeta := mustRegister && o.registrationURL == "" || cimd && o.issuer == ""
	o.mu.Unlock()
	if o.missingEndpoint() != "" || wantMeta || needMeta && !o.discovered {
		if err := o.findEndpoints(ctx, hc, ch); err != nil {
			return err
		}
	}
	if needMeta {
		o.tokenMetadata(ctx, hc) // where to register, or whether it takes a client id URL
	}
	if cimd {
		var err error
		if mustRegister, err = o.useClientIDURL(ctx, hc); err != nil {
			return err
		}
	}
	if mustRegister {
		if err := o.register(ctx, hc); err != nil {
			return err
		}
	}
	o.mu.Lock()
	if len(o.Scopes) == 0 && ch != nil && ch.Param("scope") != "" {
		o.Scopes = strings.Fields(ch.Param("scope"))
	}
	o.mu.Unlock()
	if err := o.secretMayGo(); err != nil {
		return err
	}
	if method, _ := o.clientMethod(); method == AuthTLS {
		if err := o.certMayGo(); err != nil {
			return err
		}
	}
	if method, _ := o.clientMethod(); method == AuthPrivateKeyJWT && o.ClientKey == nil {
		return &NeedsGiven{Text: "oauth2: private_key_jwt needs the client's private key; give it (Client key, a PEM file)", Give: []string{"client_key"}}
	}
	plainHC := hc
	if o.ClientKey != nil {
		hc = o.assertionClient(hc)
	}
	if o.dpopWanted() {
		if err := o.dpopClient(&hc); err != nil {
			return err
		}
	}
	tokenHC := hc
	ctx = context.WithValue(httpclient.WithPurpose(ctx, "token"), oauth2.HTTPClient, hc)

	o.mu.Lock()
	var rt string
	if o.tok != nil {
		rt = o.tok.RefreshToken
	} else if o.grant() == GrantRefreshToken {
		rt = o.RefreshToken
	}
	o.mu.Unlock()
	if rt != "" {
		o.tokenStep("refresh_token")
		// An empty access token makes x/oauth2 refresh at once.
		t, err := o.config("").TokenSource(ctx, &oauth2.Token{RefreshToken: rt}).Token()
		if err == nil {
			o.store(t)
			return nil
		}
		if o.grant() == GrantRefreshToken {
			return o.tokenError(err)
		}
		o.mu.Lock()
		o.tok = nil // the refresh token is spent or revoked: run the grant again
		o.mu.Unlock()
	}
	o.tokenStep(o.grant())
	t, err := o.obtain(context.WithValue(ctx, parClientKey{}, tokenHC))
	if err != nil && isInvalidClient(err) && o.ClientAuth == "" && o.grant() != GrantAuthorizationCode && o.grant() != GrantDeviceCode {
		// The doctor: another method the server lists may be the one this
		// client was registered with. Each try is an attempt of its own.
		first, _ := o.clientMethod()
		tried := []string{first}
		o.tokenMetadata(ctx, plainHC) // which methods the server lists
		for _, m := range o.otherMethods(tried) {
			o.mu.Lock()
			o.method, o.methodWhy = m, "invalid_client with "+strings.Join(tried, ", then ")+": retrying with "+m
			o.step = "token request again: " + o.methodWhy + ", which the server also lists"
			o.mu.Unlock()
			tried = append(tried, m)
			if t, err = o.obtain(ctx); err == nil || !isInvalidClient(err) {
				break
			}
		}
		if err == nil {
			o.mu.Lock()
			o.methodWhy = "the server refused " + strings.Join(tried[:len(tried)-1], ", ") + " (invalid_client) and took " + tried[len(tried)-1] + "; set client auth to " + shortMethod(tried[len(tried)-1]) + " next time"
			o.mu.Unlock()
		} else if isInvalidClient(err) {
			o.mu.Lock()
			o.method = ""
			o.mu.Unlock()
			return fmt.Errorf("%w (tried %s)", o.tokenError(err), strings.Join(tried, ", "))
		}
	}
	if err != nil {
		return o.tokenError(err)
	}
	o.store(t)
	return nil
}

// tokenMetadata reads the metadata of the token endpoint's authorization
// server once, when no discovery has: how clients authenticate there and
// whether they can register.
func (o *OAuth2) tokenMetadata(ctx context.Context, hc *http.Client) {
	o.mu.Lock()
	known := o.issuer != "" || o.TokenURL == ""
	o.mu.Unlock()
	if known {
		return
	}
	if d, err := DiscoverFromTokenURL(ctx, hc, o.TokenURL); err == nil {
		o.fill(d)
	}
}

// parClientKey carries the client that pushed authorization requests go
// through (the one token requests use) to authCode.
type parClientKey struct{}

// tokenStep labels the token request about to be made: its grant and the
// client authentication, with why that one.
func (o *OAuth2) tokenStep(grant string) { o.clientStep("token request (" + grant + ")") }

// clientStep names a request the client authenticates, for its attempt's
// label: what it is and how the client authenticates.
func (o *OAuth2) clientStep(what string) {
	method, why := o.clientMethod()
	o.setStep(what + ", client authentication " + method + ": " + why + o.clientChoice())
}

// clientChoice is how the client id came to be, and why the token endpoint
// is not the metadata's, for a step's label: "" for a
// client id the user gave that is no URL (registered beforehand).
func (o *OAuth2) clientChoice() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.clientWhy == "" {
		return o.endpointWhy
	}
	return "; " + o.clientWhy + o.endpointWhy
}

// shortMethod is the --client-auth spelling of a method.
func shortMethod(m string) string {
	switch m {
	case AuthBasic:
		return "basic"
	case AuthPost:
		return "post"
	case AuthTLS:
		return "tls"
	}
	return m
}

func isInvalidClient(err error) bool {
	var re *oauth2.RetrieveError
	return errors.As(err, &re) && re.ErrorCode == "invalid_client"
}

// missingEndpoint names the endpoint the grant needs and lacks, or "".
func (o *OAuth2) missingEndpoint() string {
	switch {
	case o.TokenURL == "":
		return "token endpoint"
	case o.grant() == GrantAuthorizationCode && o.AuthURL == "":
		return "authorization endpoint"
	case o.grant() == GrantDeviceCode && o.DeviceURL == "":
		return "device authorization endpoint"
	}
	return ""
}

// findEndpoints fills the endpoints the grant lacks, and the resource
// indicator: from the protected resource's metadata when there is a challenge
// or URL to find it from, else from the metadata of the issuer the token
// endpoint's URL belongs to (its path, then its parents, RFC 8414 §3.1 and
// OpenID Connect Discovery §4). Metadata about another resource or issuer,
// or served by another origin than the resource it describes, is refused.
func (o *OAuth2) findEndpoints(ctx context.Context, hc *http.Client, ch *httpclient.Challenge) error {
	against := o.requestURLSnapshot()
	if o.Resource != "" {
		against = o.Resource
	}
	if against != "" || (ch != nil && ch.Param("resource_metadata") != "") {
		d, err := Discover(ctx, hc, against, ch)
		if err == nil && d.ResourceMismatch && against != "" && ch != nil && ch.Param("resource_metadata") != "" {
			// A challenge remembered from another resource of the origin
			// (the 401 of /wrong-resource, answered again at /jwt) names
			// that resource's metadata: look where the resource asked for
			// keeps its own (RFC 9728 §3.1), derived from its URL, not from
			// the server's words.
			if own, werr := ProtectedResourceMetadataURL(against); werr == nil && own != ch.Param("resource_metadata") {
				if d2, err2 := Discover(ctx, hc, against, nil); err2 == nil {
					d = d2
				}
			}
		}
		o.mu.Lock()
		o.discovered = true
		o.mu.Unlock()
		if err == nil {
			if d.ResourceMismatch || d.IssuerMismatch {
				return fmt.Errorf("oauth2: refusing the discovered metadata: %s", d.Problems[0])
			}
			if err := o.fill(d); err != nil {
				return err
			}
			o.mu.Lock()
			if o.Resource == "" {
				o.Resource = d.Resource // RFC 8707: the token is asked for this resource
			}
			if g := o.grant(); len(o.Scopes) == 0 && (ch == nil || ch.Param("scope") == "") && (g == GrantAuthorizationCode || g == GrantDeviceCode) {
				// As MCP clients do: the challenge's scope, else every scope the
				// resource lists. A user's sign-in is not asked twice for a
				// missing scope; a machine client steps up instead.
				o.Scopes = slices.Clone(d.ResourceScopes)
			}

			o.mu.Unlock()
			if d.DPoPBound {
				o.dpopOn.Store(true)
			}
		} else if o.TokenURL == "" {
			return err
		}
	}
	if o.missingEndpoint() != "" && o.TokenURL != "" {
		if d, err := DiscoverFromTokenURL(ctx, hc, o.TokenURL); err == nil {
			if err := o.fill(d); err != nil {
				return err
			}
		}
	}
	if m := o.missingEndpoint(); m != "" {
		if o.TokenURL == "" {
			return &NeedsGiven{Text: "oauth2: no token URL; give one (Token URL), or answer a challenge that names resource_metadata (RFC 9728)", Give: []string{"token_url"}}
		}
		key := map[string]string{"authorization endpoint": "auth_url", "device authorization endpoint": "device_url"}[m]
		return &NeedsGiven{Give: []string{key},
			Text: fmt.Sprintf("oauth2: the %s grant needs the %s and discovery did not find it; give its URL (%s)", o.grant(), m, oauthLabel(key))}
	}
	return nil
}

// fill takes the endpoints o lacks from d, refusing any that is not http(s).
func (o *OAuth2) fill(d *Discovery) error {
	for _, u := range []string{d.TokenURL, d.AuthURL, d.DeviceURL} {
		if _, err := httpURL(u); u != "" && err != nil {
			return fmt.Errorf("oauth2: refusing the discovered metadata: an endpoint is not an http(s) URL (%s)", safeLine(u))
		}
	}
	if o.TokenURL == "" && d.TokenURL != "" {
		o.TokenURL, o.tokenNamed = d.TokenURL, d.MetadataURL
	}
	if d.Issuer != "" && o.issuer == "" {
		o.issuer, o.issParam = d.Issuer, d.IssParameter
		o.mu.Lock()
		o.authMethods, o.registrationURL, o.parURL, o.requirePAR = d.AuthMethods, d.RegistrationURL, d.PARURL, d.RequirePAR
		o.cimdSupported = d.CIMD
		o.mtlsToken, o.mtlsPAR = d.MTLSAliases["token_endpoint"], d.MTLSAliases["pushed_authorization_request_endpoint"]
		o.mu.Unlock()
	}
	if o.AuthURL == "" {
		o.AuthURL = d.AuthURL
	}
	if o.DeviceURL == "" {
		o.DeviceURL = d.DeviceURL
	}
	return nil
}

// scopes reads Scopes under the lock, since Rejected may add to them.
func (o *OAuth2) scopes() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.Scopes)
}

func (o *OAuth2) config(redirect string) *oauth2.Config {
	// A public client (no secret) identifies itself with client_id in the
	// form (RFC 6749 §2.3.1, §4.1.3); Basic with an empty password is not that.
	method, _ := o.clientMethod()
	return &oauth2.Config{
		ClientID:     o.ClientID,
		ClientSecret: o.secretFor(method),
		Endpoint:     oauth2.Endpoint{AuthURL: o.AuthURL, TokenURL: o.TokenURL, DeviceAuthURL: o.DeviceURL, AuthStyle: oauth2Style(method)},
		RedirectURL:  redirect,
		Scopes:       o.scopes(),
	}
}

// CheckEndpointURL says why v, given as name (a flag or a form field), cannot
// be an endpoint URL or, with resource, an RFC 8707 resource indicator; nil
// when it can or is empty. Both faces check what the user typed with it.
func CheckEndpointURL(name, v string, resource bool) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return fmt.Errorf("%s %q is not an http:// or https:// URL", name, v)
	}
	if resource && u.Fragment != "" {
		return fmt.Errorf("%s %q has a fragment, which RFC 8707 §2 forbids", name, v)
	}
	return nil
}

func (o *OAuth2) resourceOpts() []oauth2.AuthCodeOption {
	if o.Resource == "" {
		return nil
	}
	return []oauth2.AuthCodeOption{oauth2.SetAuthURLParam("resource", o.Resource)}
}

func (o *OAuth2) obtain(ctx context.Context) (*oauth2.Token, error) {
	switch o.grant() {
	case GrantClientCredentials:
		method, _ := o.clientMethod()
		cc := clientcredentials.Config{ClientID: o.ClientID, ClientSecret: o.secretFor(method), TokenURL: o.TokenURL, Scopes: o.scopes(), AuthStyle: oauth2Style(method)}
		if o.Resource != "" {
			cc.EndpointParams = url.Values{"resource": {o.Resource}}
		}
		return cc.Token(ctx)
	case GrantPassword:
		return o.config("").PasswordCredentialsToken(ctx, o.User, o.Password)
	case GrantDeviceCode:
		return o.device(ctx)
	case GrantAuthorizationCode:
		return o.authCode(ctx)
	case GrantRefreshToken:
		return nil, errors.New("oauth2: the refresh_token grant needs a refresh token; paste one or use another grant")
	}
	return nil, fmt.Errorf("oauth2: unknown grant %q; use client_credentials, authorization_code, device_code, password or refresh_token", o.Grant)
}

// device runs RFC 8628: x/oauth2 polls, honouring authorization_pending and
// adding 5 s for good on slow_down.
func (o *OAuth2) device(ctx context.Context) (*oauth2.Token, error) {
	if o.DeviceURL == "" {
		return nil, errors.New("oauth2: the device grant needs the device authorization endpoint; give its URL")
	}
	c := o.config("")
	o.clientStep("device authorization request (RFC 8628)")
	da, err := c.DeviceAuth(labelled(ctx, "device"), o.resourceOpts()...)
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && re.ErrorCode != "" {
			return nil, fmt.Errorf("oauth2: device authorization request refused (%s): %s", safeLine(re.ErrorCode), ExplainTokenError(re.ErrorCode, re.ErrorDescription))
		}
		return nil, err
	}
	if o.OnDeviceCode != nil {
		o.OnDeviceCode(da.UserCode, da.VerificationURI, da.VerificationURIComplete)
	}
	o.tokenStep(GrantDeviceCode)
	return c.DeviceAccessToken(ctx, da, o.resourceOpts()...)
}

// labelled returns ctx with x/oauth2's client (oauth2.HTTPClient) labelling
// each request it sends with purpose: x/oauth2 builds the device
// authorization request without the context, so a label on ctx alone never
// reaches the recorder.
func labelled(ctx context.Context, purpose string) context.Context {
	hc, ok := ctx.Value(oauth2.HTTPClient).(*http.Client)
	if !ok {
		return ctx
	}
	c := *hc
	c.Transport = purposeTransport{base: hc.Transport, purpose: purpose}
	return context.WithValue(ctx, oauth2.HTTPClient, &c)
}

type purposeTransport struct {
	base    http.RoundTripper
	purpose string
}

func (t purposeTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return t.base.RoundTrip(r.WithContext(httpclient.WithPurpose(r.Context(), t.purpose)))
}

// authCode runs the authorization code grant with PKCE S256 over a loopback
// redirect on 127.0.0.1 and a free port (RFC 8252 §7.3, §8.3).
func (o *OAuth2) authCode(ctx context.Context) (*oauth2.Token, error) {
	if o.AuthURL == "" {
		return nil, errors.New("oauth2: the authorization code grant needs the authorization endpoint; give its URL")
	}
	o.mu.Lock()
	want := o.redirect
	o.mu.Unlock()
	ln, redirect, err := listenRedirect(want)
	if err != nil {
		return nil, err
	}
	state := randomString()
	pk := NewPKCE()
	c := o.config(redirect)
	authURL := c.AuthCodeURL(state, append(o.resourceOpts(), pk.AuthOption())...)
	o.mu.Lock()
	par := o.parURL
	o.mu.Unlock()
	if hc, ok := ctx.Value(parClientKey{}).(*http.Client); ok && par != "" {
		u, _ := url.Parse(authURL)
		if authURL, err = o.pushAuthorization(ctx, hc, par, u.Query()); err != nil {
			return nil, err
		}
		o.tokenStep(GrantAuthorizationCode)
	}

	type result struct {
		code string
		err  error
	}
	o.mu.Lock()
	issuer, issParam := o.issuer, o.issParam
	o.mu.Unlock()
	got := make(chan result, 1)
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != callbackPath(want) {
			http.NotFound(w, r)
			return
		}
		q := r.URL.Query()
		var res result
		switch {
		case q.Get("state") != state:
			res.err = errors.New("oauth2: the redirect carried the wrong state; another page may be trying to inject a code (RFC 6749 §10.12); start again")
		case issProblem(q, issuer, issParam) != "":
			res.err = errors.New("oauth2: authorization step: " + issProblem(q, issuer, issParam))
		case q.Get("error") != "":
			res.err = &AuthorizationError{Code: q.Get("error"), Description: q.Get("error_description")}
		case q.Get("code") == "":
			res.err = errors.New("oauth2: the redirect carried no code; the authorization server did not follow RFC 6749 §4.1.2")
		default:
			res.code = q.Get("code")
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if res.err != nil {
			fmt.Fprintf(w, "<p>keyhole: %s</p>", html.EscapeString(res.err.Error()))
		} else {
			fmt.Fprint(w, "<p>keyhole got the authorization code. You can close this window.</p>")
		}
		select {
		case got <- res:
		default:
		}
	})}
	go srv.Serve(ln)
	defer srv.Close()

	if o.OpenBrowser == nil || o.OpenBrowser(authURL) != nil {
		if o.OnAuthURL == nil {
			return nil, errors.New("oauth2: no browser and nowhere to show the authorization URL")
		}
		o.OnAuthURL(authURL)
	}
	var res result
	select {
	case res = <-got:
	case <-ctx.Done():
		return nil, fmt.Errorf("oauth2: gave up waiting for the browser to come back: %w", ctx.Err())
	}
	if res.err != nil {
		return nil, res.err
	}
	return c.Exchange(ctx, res.code, append(o.resourceOpts(), pk.ExchangeOption())...)
}

// listenRedirect listens where the authorization server may send the
// browser back: on 127.0.0.1 and a free port (RFC 8252 §7.3, §8.3), or where
// want (a redirect_uris entry of the client's metadata document) says. It
// returns the redirect URI to send.
func listenRedirect(want *url.URL) (net.Listener, string, error) {
	if want == nil {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, "", fmt.Errorf("oauth2: cannot listen for the redirect on 127.0.0.1: %w", err)
		}
		return ln, "http://" + ln.Addr().String() + "/callback", nil
	}
	host := want.Hostname()
	if host == "localhost" {
		host = "127.0.0.1"
	}
	port := want.Port()
	if port == "" {
		port = "0" // any port: RFC 8252 §7.3
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(host, port))
	if err != nil {
		return nil, "", fmt.Errorf("oauth2: cannot listen for the redirect at %s, which the client metadata document names: %w", safeLine(want.String()), err)
	}
	u := *want
	_, got, _ := net.SplitHostPort(ln.Addr().String())
	u.Host = net.JoinHostPort(want.Hostname(), got)
	if u.Path == "" {
		u.Path = "/"
	}
	return ln, u.String(), nil
}

// callbackPath is the path the redirect comes back to.
func callbackPath(want *url.URL) string {
	if want == nil {
		return "/callback"
	}
	if want.Path == "" {
		return "/"
	}
	return want.Path
}

// SystemBrowser opens url with xdg-open when a graphical session exists, the
// way OpenBrowser expects; it fails (and the URL gets printed) otherwise.
func SystemBrowser(u string) error {
	if p, err := url.Parse(u); err != nil || (p.Scheme != "http" && p.Scheme != "https") {
		return errors.New("refusing to open a URL that is not http(s)")
	}
	if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		return errors.New("no graphical session to open a browser in")
	}
	return exec.Command("xdg-open", u).Start()
}

func randomString() string {
	b := make([]byte, 16)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Apply sends the access token: "Bearer <at>", or "DPoP <at>" with a DPoP
// proof for this very request when the token is DPoP-bound.
func (o *OAuth2) Apply(r *httpclient.Request, ch *httpclient.Challenge) error {
	o.mu.Lock()
	tok, key := o.tok, o.dpop
	o.mu.Unlock()
	if tok == nil || tok.AccessToken == "" {
		return errors.New("oauth2: no access token yet; the token request has to succeed first")
	}
	if r.Header == nil {
		r.Header = http.Header{}
	}
	if o.dpopWanted() && key != nil && strings.EqualFold(tok.TokenType, "DPoP") {
		o.nonceMu.Lock()
		nonce := o.rsNonce
		o.nonceMu.Unlock()
		proof, err := key.Proof(r.Method, r.URL, tok.AccessToken, nonce)
		if err != nil {
			return err
		}
		r.Header.Set("DPoP", proof)
		r.Header.Set(HeaderFor(ch), "DPoP "+tok.AccessToken)
		return nil
	}
	r.Header.Set(HeaderFor(ch), "Bearer "+tok.AccessToken)
	return nil
}

// Rejected decides whether a rejection is worth one automatic retry:
// invalid_token → refresh (or fetch a new token), insufficient_scope → ask for
// the missing scopes, use_dpop_nonce → resend with the nonce. Each is tried
// at most once for the same token, scope set or nonce, so a server that keeps
// refusing cannot make keyhole loop.
func (o *OAuth2) Rejected(ch *httpclient.Challenge) string {
	if ch == nil {
		return ""
	}
	switch ch.Param("error") {
	case "use_dpop_nonce":
		o.nonceMu.Lock()
		defer o.nonceMu.Unlock()
		if !o.dpopWanted() || o.rsNonce == "" || o.rsNonce == o.nonceUsed {
			return ""
		}
		o.nonceUsed = o.rsNonce
		return "server asked for a DPoP nonce (use_dpop_nonce): resending with it"
	case "invalid_token":
		o.mu.Lock()
		defer o.mu.Unlock()
		if o.tok == nil || o.tok.AccessToken == o.rejected {
			return ""
		}
		why := o.whyRejected(ch)
		if why == rejectedAudience {
			// The same request would get a token for the same audience; only
			// a resource indicator learnt from the metadata can change that.
			if o.Resource != "" || o.discovered || ch.Param("resource_metadata") == "" {
				return ""
			}
		}
		o.rejected, o.stale = o.tok.AccessToken, true
		o.replacing = why
		if o.tok.RefreshToken != "" && why != rejectedAudience {
			return why + " (invalid_token): refreshing"
		}
		switch o.grant() {
		case GrantClientCredentials, GrantPassword:
			if why == rejectedAudience {
				return why + " (invalid_token): asking again with the resource from its metadata (RFC 8707)"
			}
			return why + " (invalid_token): fetching a new one"
		}
		o.stale, o.replacing = false, "" // an interactive grant needs the user: do not start it unasked
		return ""
	case "insufficient_scope":
		want := strings.Fields(ch.Param("scope"))
		o.mu.Lock()
		defer o.mu.Unlock()
		if len(o.Scopes) == 0 && o.tok != nil {
			// Nothing was asked for, so the server chose; keep what it granted
			// rather than trade it for the missing scope alone.
			if granted, _ := o.tok.Extra("scope").(string); granted != "" {
				o.Scopes = strings.Fields(granted)
			}
		}
		var missing []string
		for _, s := range want {
			if !slices.Contains(o.Scopes, s) {
				missing = append(missing, s)
			}
		}
		if len(missing) == 0 {
			return ""
		}
		scopes := append(slices.Clone(o.Scopes), missing...)
		slices.Sort(scopes)
		key := strings.Join(scopes, " ")
		if o.asked[key] {
			return ""
		}
		if o.asked == nil {
			o.asked = map[string]bool{}
		}
		o.asked[key] = true
		o.Scopes = append(o.Scopes, missing...)
		// The old token cannot grow its scope; run the grant again.
		o.tok, o.stale = nil, false
		return "insufficient scope: asking for scope " + safeLine(strings.Join(missing, " "))
	}
	return ""
}

// What a rejected token's retry says it was.
const (
	rejectedExpired  = "token expired"
	rejectedAudience = "token rejected: it is for another audience"
	rejectedToken    = "token rejected"
)

// whyRejected tells an expired token from one for another audience and
// from one refused for a reason the server did not say: from the expiry
// keyhole knows (expires_in, a JWT's exp) and the server's
// error_description. A JWT's aud is not compared with the URL: an API's
// audience is often a name, not its URL.
// Called with o.mu held.
func (o *OAuth2) whyRejected(ch *httpclient.Challenge) string {
	now := o.now()
	var j *JWT
	if LooksLikeJWT(o.tok.AccessToken) {
		j, _ = ParseJWT(o.tok.AccessToken)
	}
	if !o.expires.IsZero() && !now.Before(o.expires) || j != nil && j.ExpiresAt != nil && !now.Before(*j.ExpiresAt) {
		return rejectedExpired
	}
	// The server's words come next: it knows why it refused.
	words := strings.FieldsFunc(strings.ToLower(ch.Param("error_description")), func(r rune) bool {
		return !('a' <= r && r <= 'z')
	})
	switch {
	case slices.Contains(words, "expired") || slices.Contains(words, "exp"):
		return rejectedExpired
	case slices.Contains(words, "audience") || slices.Contains(words, "aud"):
		return rejectedAudience
	}
	return rejectedToken
}

// dpopClient wraps hc so that token requests carry a DPoP proof and, once,
// answer the authorization server's use_dpop_nonce (RFC 9449 §8). Hand-written:
// x/oauth2 has no DPoP support.
func (o *OAuth2) dpopClient(hc **http.Client) error {
	o.mu.Lock()
	if o.dpop == nil {
		k, err := NewDPoPKey()
		if err != nil {
			o.mu.Unlock()
			return err
		}
		k.Now = o.Now
		o.dpop = k
	}
	key := o.dpop
	o.mu.Unlock()
	base := (*hc).Transport
	if base == nil {
		base = http.DefaultTransport
	}
	c := **hc
	c.Transport = &dpopTransport{base: base, o: o, key: key}
	*hc = &c
	return nil
}

// DPoPKey returns the session's DPoP key, or nil before the first DPoP token.
func (o *OAuth2) DPoPKey() *DPoPKey {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.dpop
}

type dpopTransport struct {
	base http.RoundTripper
	o    *OAuth2
	key  *DPoPKey
}

func (t *dpopTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	for try := 0; ; try++ {
		r := req.Clone(req.Context())
		if try > 0 {
			b, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			r.Body = b
		}
		t.o.nonceMu.Lock()
		nonce := t.o.asNonce
		t.o.nonceMu.Unlock()
		proof, err := t.key.Proof(req.Method, req.URL.String(), "", nonce)
		if err != nil {
			return nil, err
		}
		r.Header.Set("DPoP", proof)
		resp, err := t.base.RoundTrip(r)
		if err != nil {
			return nil, err
		}
		n := resp.Header.Get("DPoP-Nonce")
		if n != "" {
			t.o.nonceMu.Lock()
			t.o.asNonce = n
			t.o.nonceMu.Unlock()
		}
		if try > 0 || n == "" || n == nonce || resp.StatusCode != http.StatusBadRequest || req.GetBody == nil {
			return resp, nil
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		if dpopError(body) != "use_dpop_nonce" {
			resp.Body = io.NopCloser(bytes.NewReader(body))
			return resp, nil
		}
		t.o.setStep("token request again, its DPoP proof now carrying the nonce the authorization server asked for (use_dpop_nonce, RFC 9449 §8)")
	}
}

// issProblem checks the iss of an authorization response against the
// issuer whose metadata named the endpoints (RFC 9207 §2.4): a different one
// means the response came from another authorization server (a mix-up
// attack); none, from a server that says it sends one, is as bad. "" when
// all is well or the issuer is not known.
func issProblem(q url.Values, issuer string, required bool) string {
	iss, sent := q["iss"]
	switch {
	case issuer == "":
		return ""
	case !sent && required:
		return "the authorization response carries no iss although the authorization server's metadata says it sends one (RFC 9207); it may come from another server: start again"
	case sent && (len(iss) != 1 || iss[0] != issuer):
		return fmt.Sprintf("the authorization response says it comes from issuer %q, not %q (RFC 9207): another authorization server may be mixed up in this sign-in; start again", safeLine(strings.Join(iss, ",")), safeLine(issuer))
	}
	return ""
}

// authorizationErrors say what each error of the authorization step (the
// redirect back from the browser, RFC 6749 §4.1.2.1; OpenID Connect Core
// §3.1.2.6; RFC 8707; RFC 9126) means and what to do about it.
var authorizationErrors = map[string]string{
	"invalid_request":           "the authorization server refused the authorization request as malformed or not allowed, before asking the user: a parameter is missing or wrong, the redirect URI is not registered, or the server requires pushed authorization requests (PAR, RFC 9126)",
	"unauthorized_client":       "this client may not use the authorization code flow; enable it for the client at the authorization server",
	"access_denied":             "the user, or a policy of the server, declined the sign-in or the consent; sign in again and approve",
	"unsupported_response_type": "the authorization server does not issue codes to this client (response_type=code)",
	"invalid_scope":             "a requested scope is unknown or not allowed for this client; ask for fewer or other scopes",
	"invalid_target":            "the resource indicator (resource=, RFC 8707) names a resource the authorization server does not know or will not issue tokens for; check the resource asked for (Resource)",
	"server_error":              "the authorization server failed while handling the sign-in; try again later",
	"temporarily_unavailable":   "the authorization server is overloaded or down; try again later",
	"login_required":            "the server wants the user to sign in, and the request said not to ask",
	"consent_required":          "the server wants the user's consent, and the request said not to ask",
	"interaction_required":      "the server needs the user on its pages, and the request said not to ask",
	"invalid_request_uri":       "the pushed request_uri is unknown, used already or expired (RFC 9126); push the request again",
	"invalid_request_object":    "the signed request object was refused",
}

// AuthorizationError is an error the authorization server sent back on the
// redirect to keyhole (RFC 6749 §4.1.2.1): no attempt of keyhole's shows it,
// since the browser made that request, so the run's error carries the code.
type AuthorizationError struct {
	Code, Description string // as the server sent them, unchecked
}

// gives asks, for invalid_target, for another resource (Gives).
func (e *AuthorizationError) gives() []string {
	if e.Code == "invalid_target" {
		return []string{"resource"}
	}
	return nil
}

func (e *AuthorizationError) Error() string {
	return fmt.Sprintf("oauth2: authorization step refused (%s): %s", safeLine(e.Code), ExplainAuthorizationError(e.Code, e.Description))
}

// ExplainAuthorizationError says what an error of the authorization step
// means, with the server's own description made safe for a terminal.
func ExplainAuthorizationError(code, description string) string {
	return explainOAuthError(authorizationErrors, "the authorization server answered the authorization request with error ", code, description)
}

// tokenErrors say in plain words what each RFC 6749 §5.2 (and RFC 8628 §3.5)
// error means and what to do about it.
var tokenErrors = map[string]string{
	"invalid_request":         "the token request is malformed: a parameter is missing, repeated or not understood; check the grant's required parameters",
	"invalid_client":          "the client is unknown or its secret is wrong; check the client id and secret, and whether the server wants them in Basic or in the form",
	"invalid_grant":           "the code, refresh token, device code or password was refused: wrong, expired, already used, or issued to another client; start the grant again",
	"unauthorized_client":     "this client is not allowed to use this grant type; enable the grant for the client at the authorization server",
	"unsupported_grant_type":  "the authorization server does not support this grant type; pick another grant",
	"invalid_scope":           "a requested scope is unknown or not allowed for this client; ask for fewer or different scopes",
	"access_denied":           "the user or the server said no; ask again and approve",
	"expired_token":           "the device code expired before it was approved; start the device flow again",
	"authorization_pending":   "the user has not approved yet; keep polling",
	"slow_down":               "polling too fast; wait 5 seconds more between polls from now on",
	"use_dpop_nonce":          "the server wants a DPoP nonce in the proof; resend with the nonce from its DPoP-Nonce header",
	"invalid_dpop_proof":      "the DPoP proof was refused: check its htm, htu, iat and signature",
	"invalid_target":          "the resource indicator (resource=, RFC 8707) names a resource this server does not issue tokens for",
	"invalid_client_metadata": "the registration was refused: a field of the client metadata is not allowed (RFC 7591 §3.2.2)",
	"invalid_redirect_uri":    "the registration was refused: the server does not accept the loopback redirect URI (RFC 7591 §3.2.2)",
	"server_error":            "the authorization server failed; try again later",
	"temporarily_unavailable": "the authorization server is overloaded or down; try again later",
}

// ExplainTokenError says what a token endpoint error code means, with the
// server's own description (made safe for a terminal) when it gave one.
func ExplainTokenError(code, description string) string {
	return explainOAuthError(tokenErrors, "the authorization server answered with error ", code, description)
}

// explainOAuthError looks code up in words, or names it after unknown, and
// adds the server's own description, made safe for a terminal.
func explainOAuthError(words map[string]string, unknown, code, description string) string {
	s, ok := words[code]
	if !ok {
		s = unknown + strings.TrimSpace(safeLine(code))
	}
	if description != "" {
		s += " (server says: " + safeLine(description) + ")"
	}
	return s
}

// tokenError turns x/oauth2's error into one line that says what to do,
// with the likely cause from what keyhole sent.
func (o *OAuth2) tokenError(err error) error {
	if ae := (*AuthorizationError)(nil); errors.As(err, &ae) {
		return err // the authorization step's, in its own words
	}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		if re.ErrorCode != "" {
			cause, give := o.likelyCause(re.ErrorCode)
			return &TokenRefusal{Give: give,
				Text: fmt.Sprintf("oauth2: token request refused (%s): %s%s", safeLine(re.ErrorCode), ExplainTokenError(re.ErrorCode, re.ErrorDescription), cause)}
		}
		status := 0
		if re.Response != nil {
			status = re.Response.StatusCode
		}
		return fmt.Errorf("oauth2: the token endpoint answered %d without an OAuth error; check the token URL", status)
	}
	msg := safeLine(err.Error())
	if strings.HasPrefix(msg, "oauth2: ") {
		return errors.New(msg)
	}
	return errors.New("oauth2: " + msg)
}

// TokenRefusal is a token endpoint's refusal (RFC 6749 §5.2) in words true
// in every face, with what its likely cause asks the user to give.
type TokenRefusal struct {
	Text string
	// Give is what the likely cause asks for, any one of them: a key of
	// OAuth 2.0's fields ("client_secret"), a key with the value to set
	// ("client_auth=post"), or GiveClientCert. Each face names them its
	// own way: keyhole send by its flags, the TUI by its form.
	Give []string
}

// GiveClientCert in TokenRefusal.Give is the TLS client certificate and its key.
const GiveClientCert = "client_cert"

func (e *TokenRefusal) Error() string { return e.Text }

func (e *TokenRefusal) gives() []string { return e.Give }

// NeedsGiven is an error that asks the user to give something before
// keyhole can go on (an OAuth 2.0 client's field, a profile's command
// trusted): Text in words true in every face (naming the form's field),
// Give in TokenRefusal.Give's keys.
type NeedsGiven struct {
	Text string
	Give []string
}

func (e *NeedsGiven) Error() string { return e.Text }

func (e *NeedsGiven) gives() []string { return e.Give }

// GiveTrust in a Give list, as "trust=ORIGIN", is trusting ORIGIN with the
// secrets given for another; GiveServedMetadata is keyhole serving its own
// Client ID Metadata Document on this machine; GiveCommandTrust is running
// a copied profile's cmd: reference once, and trusting it from then on.
// keyhole send does each with a flag; the TUI has none of them.
const (
	GiveTrust          = "trust"
	GiveServedMetadata = "serve_client_metadata"
	GiveCommandTrust   = "allow_cmd"
)

// Gives is what err, or an error it wraps, asks the user to give, in
// TokenRefusal.Give's keys, or nil: each face names them its own way.
func Gives(err error) []string {
	var g interface{ gives() []string }
	if errors.As(err, &g) {
		return g.gives()
	}
	return nil
}

// oauthLabel is what the form calls the OAuth 2.0 field key.
func oauthLabel(key string) string {
	for _, f := range oauthFields {
		if f.Key == key {
			return f.Label
		}
	}
	return key
}

// likelyCause says what in keyhole's own request most likely drew the
// error code, or "", and what to give instead (TokenRefusal.Give).
func (o *OAuth2) likelyCause(code string) (string, []string) {
	method, why := o.clientMethod()
	o.mu.Lock()
	listed := slices.Clone(o.authMethods)
	o.mu.Unlock()
	switch code {
	case "invalid_client":
		s := "; keyhole authenticated with " + method + " (" + why + ")"
		if len(listed) > 0 && !slices.Contains(listed, method) {
			s += ", which the server does not list (it lists " + safeLine(strings.Join(listed, ", ")) + ")"
		}
		switch {
		case method == AuthBasic && url.QueryEscape(o.ClientSecret) != o.ClientSecret:
			return s + "; the secret holds characters that Basic form-encodes first (RFC 6749 §2.3.1), which some servers do not decode: try client auth post, the secret in the form body", []string{"client_auth=post"}
		case method == AuthNone:
			return s + "; the server may want this client to authenticate: give a client secret or a client key", []string{"client_secret", "client_key"}
		case method == AuthTLS:
			return s + "; with tls_client_auth the server knows the client by the certificate of the TLS connection (RFC 8705 §2): give the client certificate and its key, the certificate whose subject (or SAN) the client was registered with", []string{GiveClientCert}
		}
		return s, nil
	case "invalid_grant":
		switch o.grant() {
		case GrantAuthorizationCode:
			return "; for a code: it was used already or expired, or the redirect_uri or the PKCE code_verifier does not match the authorization request", nil
		case GrantRefreshToken:
			return "; for a refresh token: it was used already (a server that rotates refresh tokens takes each once) or revoked", nil
		case GrantPassword:
			return "; for the password grant: the user name or password is wrong", nil
		}
	case "invalid_target":
		if o.Resource != "" {
			return "; keyhole asked for resource " + safeLine(o.Resource) + " (RFC 8707)", nil
		}
	case "invalid_scope":
		if s := o.scopes(); len(s) > 0 {
			return "; keyhole asked for scope " + safeLine(strings.Join(s, " ")), nil
		}
	case "unauthorized_client":
		return "; the grant was " + o.grant(), nil
	}
	return "", nil
}

// safeLine makes server-supplied text safe for a terminal, on one line.
func safeLine(s string) string { return httpclient.SafeLine(s) }
