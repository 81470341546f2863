package practice

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"keyhole/httpclient"
)

// The practice OAuth 2.0 client. Public like the other practice credentials.
const (
	ClientID     = "practice-client"
	ClientSecret = "practice-secret"
	// PostClientID is a second client, registered for client_secret_post:
	// its id and secret must come in the form, never in Basic.
	PostClientID     = "post-client"
	PostClientSecret = "post-secret"
	// TenantPath is the path of the tenant issuer: its metadata is at
	// /.well-known/oauth-authorization-server/tenant (RFC 8414 §3.1).
	TenantPath = "/tenant"
	// ScopeSecrets is the scope /scoped demands; tokens get "read" unless asked.
	ScopeSecrets = "read:secrets"
	// DefaultTokenTTL is how long access tokens live unless SetTokenTTL says otherwise.
	DefaultTokenTTL = 60 * time.Second
	// SkewOffset is how far /skew's clock runs behind everybody else's.
	SkewOffset = 5 * time.Minute
	// ParPath is the resource of the PAR lesson; its 401 names no metadata,
	// so a client given both endpoints reads none.
	ParPath = "/par"
	// MCPRegisterPath and MCPDocumentPath are MCP-style resources: a bare
	// 401 naming only resource_metadata, tokens checked for their audience.
	// One is for dynamic registration, one for client ID metadata documents;
	// both trust the same authorization server, which offers both.
	MCPRegisterPath = "/mcp/dcr"
	MCPDocumentPath = "/mcp/cimd"
)

// practiceScopes are the scopes the authorization server grants.
var practiceScopes = []string{"read", "write", ScopeSecrets}

// protectedPaths are the resources behind the authorization server.
var protectedPaths = []string{"/jwt", "/scoped", "/skew", "/dpop", "/wrong-resource", "/aud", TenantPath + "/api", "/client-auth",
	ParPath, MCPRegisterPath, MCPDocumentPath}

// audienceChecked are the resources that take only tokens asked for them
// (aud is the resource, RFC 8707), not tokens for the server as a whole.
var audienceChecked = []string{"/aud", MCPRegisterPath, MCPDocumentPath}

// mcpPath reports whether path is an MCP-style resource.
func mcpPath(path string) bool { return path == MCPRegisterPath || path == MCPDocumentPath }

const deviceGrantType = "urn:ietf:params:oauth:grant-type:device_code"

// maxGrants bounds each table of codes, device codes and refresh tokens, so
// a client stuck in a loop cannot grow the server without end.
const maxGrants = 10000

// trim drops arbitrary entries until m has room for one more.
func trim[K comparable, V any](m map[K]V) {
	for k := range m {
		if len(m) < maxGrants {
			return
		}
		delete(m, k)
	}
}

// authServer is the practice authorization server's state. server.go is not
// this file's, so the state hangs off a package-level map keyed by *Server.
type authServer struct {
	mu      sync.Mutex
	key     []byte // HS256 key for access tokens, new for every server
	ttl     time.Duration
	now     func() time.Time
	codes   map[string]*authCode
	refresh map[string]grant
	devices map[string]*deviceGrant // by device_code
	users   map[string]string       // user_code → device_code
	jtis    map[string]time.Time    // DPoP proof ids seen, against replay
	clients map[string]*client      // registered dynamically (RFC 7591), by client_id
	pushed  map[string]*pushedRequest
	asNonce string
	rsNonce string
}

// grant is what a token is issued for, and to which client.
type grant struct {
	sub, scope, aud, client string
}

type authCode struct {
	grant
	redirect, challenge string
	expires             time.Time
}

type deviceGrant struct {
	grant
	userCode string
	expires  time.Time
	state    string // "pending", "approved", "denied"
	slowed   bool   // slow_down was sent once already
}

var authServers sync.Map // *Server → *authServer

func (s *Server) auth() *authServer {
	if a, ok := authServers.Load(s); ok {
		return a.(*authServer)
	}
	a := &authServer{
		key: randomBytes(32), ttl: DefaultTokenTTL, now: s.clock,
		codes: map[string]*authCode{}, refresh: map[string]grant{},
		devices: map[string]*deviceGrant{}, users: map[string]string{}, jtis: map[string]time.Time{},
		clients: map[string]*client{}, pushed: map[string]*pushedRequest{},
		asNonce: randomID(), rsNonce: randomID(),
	}
	got, _ := authServers.LoadOrStore(s, a)
	return got.(*authServer)
}

// SetTokenTTL sets how long access tokens live (default 60 s), for
// keyhole practice --token-ttl; short lives make expiry easy to watch.
func (s *Server) SetTokenTTL(d time.Duration) {
	a := s.auth()
	a.mu.Lock()
	defer a.mu.Unlock()
	if d < time.Second {
		d = time.Second // expires_in is whole seconds
	}
	a.ttl = d
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func randomID() string { return base64.RawURLEncoding.EncodeToString(randomBytes(18)) }

// baseURL is the server's origin as the client addressed it, which is the
// issuer and the audience of its tokens.
func baseURL(r *http.Request) string {
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}

// oauthRoutes registers the practice authorization server and the resources
// it protects.
func (s *Server) oauthRoutes(mux *http.ServeMux) {
	a := s.auth()
	mux.HandleFunc("/.well-known/oauth-authorization-server", a.asMetadata)
	mux.HandleFunc("/.well-known/oauth-authorization-server"+TenantPath, a.asMetadata)
	mux.HandleFunc(TenantPath+"/authorize", a.authorize)
	mux.HandleFunc(TenantPath+"/token", a.token)
	mux.HandleFunc(TenantPath+"/device", a.deviceAuthorization)
	for _, p := range protectedPaths {
		mux.HandleFunc("/.well-known/oauth-protected-resource"+p, a.resourceMetadata)
	}
	mux.HandleFunc("/oauth/token", a.token)
	mux.HandleFunc("/oauth/device", a.deviceAuthorization)
	mux.HandleFunc("/oauth/device/approve", a.deviceApprove)
	mux.HandleFunc("/oauth/authorize", a.authorize)
	mux.HandleFunc("/oauth/par", a.pushAuthorization)
	mux.HandleFunc("/oauth/register", a.register)
	mux.HandleFunc(ClientDocumentPath, clientDocumentHandler)
	mux.HandleFunc(ImpostorDocumentPath, clientDocumentHandler)
	mux.HandleFunc("/jwt", a.resource("/jwt", "", false))
	mux.HandleFunc("/scoped", a.resource("/scoped", ScopeSecrets, false))
	mux.HandleFunc("/skew", a.resource("/skew", "", false))
	mux.HandleFunc("/dpop", a.resource("/dpop", "", true))
	mux.HandleFunc("/wrong-resource", a.resource("/wrong-resource", "", false))
	mux.HandleFunc("/aud", a.resource("/aud", "", false))
	mux.HandleFunc(TenantPath+"/api", a.resource(TenantPath+"/api", "", false))
	mux.HandleFunc("/client-auth", a.resource("/client-auth", "", false))
	for _, p := range []string{ParPath, MCPRegisterPath, MCPDocumentPath} {
		mux.HandleFunc(p, a.resource(p, "", false))
	}
}

func (s *Server) oauthEndpoints() []Endpoint {
	client := ClientID + " / " + ClientSecret
	return []Endpoint{
		{"POST", "/oauth/token", "OAuth 2.0 token endpoint", client + "; password grant " + User + " / " + Password},
		{"POST", "/oauth/device", "OAuth 2.0 device authorization", client + "; approve at /oauth/device/approve"},
		{"GET", "/oauth/authorize", "OAuth 2.0 authorization (PKCE S256)", client + "; redirect to http://127.0.0.1:PORT/..."},
		{"GET", "/jwt", "Bearer (JWT from /oauth/token)", client},
		{"GET", "/scoped", "Bearer, scope " + ScopeSecrets, client + ", scope " + ScopeSecrets},
		{"GET", "/skew", "Bearer, clock 5m behind", client + ", resource <base>/skew"},
		{"GET", "/dpop", "DPoP (RFC 9449)", client + " with a DPoP proof"},
		{"GET", "/wrong-resource", "Bearer, mismatched metadata", "none: discovery must refuse it"},
		{"GET", "/aud", "Bearer, checks aud", client + ", resource <base>/aud"},
		{"GET", TenantPath + "/api", "Bearer, issuer <base>" + TenantPath, client + ", token URL " + TenantPath + "/token"},
		{"GET", "/client-auth", "Bearer", PostClientID + " / " + PostClientSecret + " in the form (client_secret_post)"},
		{"POST", "/oauth/par", "OAuth 2.0 pushed authorization requests (RFC 9126)", "any client; " + ParClientID + " must push"},
		{"POST", "/oauth/register", "OAuth 2.0 dynamic client registration (RFC 7591)", "loopback redirect_uris"},
		{"GET", ClientDocumentPath, "a client ID metadata document (its URL is the client_id)", "none"},
		{"GET", ParPath, "Bearer, authorization code through PAR", ParClientID + " / " + ParClientSecret + ", authorization code grant"},
		{"GET", MCPRegisterPath, "MCP-style: bare 401, resource_metadata", "no client id: register (RFC 7591)"},
		{"GET", MCPDocumentPath, "MCP-style: bare 401, resource_metadata", "client id <base>" + ClientDocumentPath},
	}
}

// asMetadata is RFC 8414 authorization server metadata.
// At /.well-known/oauth-authorization-server/tenant it is the tenant
// issuer's, whose endpoints are under /tenant.
func (a *authServer) asMetadata(w http.ResponseWriter, r *http.Request) {
	b := baseURL(r)
	issuer, authorize, token, device := b, b+"/oauth/authorize", b+"/oauth/token", b+"/oauth/device"
	if strings.HasSuffix(r.URL.Path, TenantPath) {
		issuer, authorize, token, device = b+TenantPath, b+TenantPath+"/authorize", b+TenantPath+"/token", b+TenantPath+"/device"
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                issuer,
		"authorization_endpoint":                authorize,
		"token_endpoint":                        token,
		"device_authorization_endpoint":         device,
		"grant_types_supported":                 []string{"client_credentials", "authorization_code", deviceGrantType, "refresh_token", "password"},
		"response_types_supported":              []string{"code"},
		"code_challenge_methods_supported":      []string{"S256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post", "none"},
		"scopes_supported":                      practiceScopes,
		"dpop_signing_alg_values_supported":     []string{"ES256"},
		// RFC 9126: every client may push; par-client must (its own
		// registration says so, not this server-wide flag).
		"pushed_authorization_request_endpoint": b + "/oauth/par",
		"require_pushed_authorization_requests": false,
		"registration_endpoint":                 b + "/oauth/register",
		"client_id_metadata_document_supported": true,
		// Every authorization response names its issuer (RFC 9207), so a
		// client can tell it from another server's in a mix-up.
		"authorization_response_iss_parameter_supported": true,
	})
}

// resourceMetadata is RFC 9728 protected resource metadata. The one for
// /wrong-resource names another resource on purpose: a client must discard it.
func (a *authServer) resourceMetadata(w http.ResponseWriter, r *http.Request) {
	b := baseURL(r)
	path := strings.TrimPrefix(r.URL.Path, "/.well-known/oauth-protected-resource")
	resource := b + path
	if path == "/wrong-resource" {
		resource = b + "/somewhere-else"
	}
	as := b
	if path == TenantPath+"/api" {
		as = b + TenantPath
	}
	m := map[string]any{
		"resource":                 resource,
		"authorization_servers":    []string{as},
		"scopes_supported":         practiceScopes,
		"bearer_methods_supported": []string{"header"},
		"resource_documentation":   b + "/",
	}
	if path == "/dpop" {
		m["dpop_signing_alg_values_supported"] = []string{"ES256"}
		m["dpop_bound_access_tokens_required"] = true
	}
	writeJSON(w, http.StatusOK, m)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// oauthError is an RFC 6749 §5.2 error answer.
func oauthError(w http.ResponseWriter, status int, code, description string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": description})
}

// scopeOK reports whether every requested scope is one the server grants.
func scopeOK(scope string) bool {
	for _, s := range strings.Fields(scope) {
		if !slices.Contains(practiceScopes, s) {
			return false
		}
	}
	return true
}

// audience checks an RFC 8707 resource parameter: it must be one of this
// server's resources; "" means the server itself.
func audience(r *http.Request, resource string) (string, bool) {
	b := baseURL(r)
	if resource == "" || resource == b {
		return b, true
	}
	for _, p := range protectedPaths {
		if resource == b+p {
			return resource, true
		}
	}
	return "", false
}

// token is the token endpoint (RFC 6749 §3.2).
func (a *authServer) token(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		oauthError(w, http.StatusMethodNotAllowed, "invalid_request", "the token endpoint takes POST with a form body")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "the body is not a form: "+err.Error())
		return
	}
	f := r.PostForm
	c, ok := a.authenticate(w, r)
	if !ok {
		return
	}
	if gt := f.Get("grant_type"); gt != "" && !c.grantOK(gt) {
		oauthError(w, http.StatusBadRequest, "unauthorized_client", "this client may not use grant_type "+quoteSafe(gt))
		return
	}
	jkt, ok := a.tokenDPoP(w, r)
	if !ok {
		return
	}
	aud, ok := audience(r, f.Get("resource"))
	if !ok {
		oauthError(w, http.StatusBadRequest, "invalid_target", "resource must be this server or one of its protected paths (RFC 8707)")
		return
	}
	scope := f.Get("scope")
	if !scopeOK(scope) {
		oauthError(w, http.StatusBadRequest, "invalid_scope", "the practice server grants only: "+strings.Join(practiceScopes, " "))
		return
	}
	if scope == "" {
		scope = "read"
	}
	switch gt := f.Get("grant_type"); gt {
	case "client_credentials":
		a.issue(w, r, grant{sub: c.id, scope: scope, aud: aud, client: c.id}, jkt, false)
	case "password":
		if !equal(f.Get("username"), User) || !equal(f.Get("password"), Password) {
			oauthError(w, http.StatusBadRequest, "invalid_grant", "wrong user name or password (alice / wonderland); and the password grant is deprecated: RFC 9700 says not to use it")
			return
		}
		a.issue(w, r, grant{sub: User, scope: scope, aud: aud, client: c.id}, jkt, true)
	case "authorization_code":
		a.exchangeCode(w, r, c, jkt)
	case deviceGrantType:
		a.pollDevice(w, r, jkt)
	case "refresh_token":
		a.mu.Lock()
		g, ok := a.refresh[f.Get("refresh_token")]
		delete(a.refresh, f.Get("refresh_token")) // rotated: each refresh token works once
		a.mu.Unlock()
		if !ok || g.client != c.id {
			oauthError(w, http.StatusBadRequest, "invalid_grant", "unknown or already used refresh token, or one issued to another client; run the grant again")
			return
		}
		if f.Get("scope") != "" {
			for _, s := range strings.Fields(f.Get("scope")) {
				if !slices.Contains(strings.Fields(g.scope), s) {
					oauthError(w, http.StatusBadRequest, "invalid_scope", "a refresh cannot widen the scope; run the grant again for "+s)
					return
				}
			}
			g.scope = f.Get("scope")
		}
		a.issue(w, r, g, jkt, true)
	case "":
		oauthError(w, http.StatusBadRequest, "invalid_request", "grant_type is missing")
	default:
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "grant_type "+gt+" is not supported here")
	}
}

// issue answers with a JWT access token (and a refresh token when asked).
// Tokens for /skew carry times from /skew's clock, which runs SkewOffset behind.
func (a *authServer) issue(w http.ResponseWriter, r *http.Request, g grant, jkt string, withRefresh bool) {
	a.mu.Lock()
	ttl, now := a.ttl, a.now()
	a.mu.Unlock()
	if g.aud == baseURL(r)+"/skew" {
		now = now.Add(-SkewOffset)
	}
	claims := jwt.MapClaims{
		"iss": baseURL(r), "aud": g.aud, "sub": g.sub, "client_id": g.client, "scope": g.scope,
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(ttl).Unix(), "jti": randomID(),
	}
	typ := "Bearer"
	if jkt != "" {
		claims["cnf"] = map[string]string{"jkt": jkt}
		typ = "DPoP"
	}
	at, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(a.key)
	if err != nil {
		oauthError(w, http.StatusInternalServerError, "server_error", err.Error())
		return
	}
	out := map[string]any{"access_token": at, "token_type": typ, "expires_in": int(ttl / time.Second), "scope": g.scope}
	if withRefresh {
		rt := randomID()
		a.mu.Lock()
		trim(a.refresh)
		a.refresh[rt] = g
		a.mu.Unlock()
		out["refresh_token"] = rt
	}
	writeJSON(w, http.StatusOK, out)
}

// tokenDPoP checks a DPoP proof on a token request, if there is one, and
// returns the key thumbprint to bind the token to. The first proof without
// the server's nonce gets use_dpop_nonce (RFC 9449 §8).
func (a *authServer) tokenDPoP(w http.ResponseWriter, r *http.Request) (string, bool) {
	if r.Header.Get("DPoP") == "" {
		return "", true
	}
	jkt, nonceOK, err := a.checkProof(r, "")
	if err == nil && !nonceOK {
		w.Header().Set("DPoP-Nonce", a.asNonce)
		oauthError(w, http.StatusBadRequest, "use_dpop_nonce", "Authorization server requires nonce in DPoP proof")
		return "", false
	}
	if err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_dpop_proof", err.Error())
		return "", false
	}
	return jkt, true
}

// checkProof verifies the DPoP proof of r (RFC 9449 §4.3): typ, ES256 over
// the embedded jwk, htm, htu, a recent iat, an unused jti, ath when an access
// token is given. nonceOK reports whether it carried the current nonce.
func (a *authServer) checkProof(r *http.Request, accessToken string) (jkt string, nonceOK bool, err error) {
	if len(r.Header.Values("DPoP")) != 1 {
		return "", false, errors.New("send exactly one DPoP header")
	}
	var pub *ecdsa.PublicKey
	claims := jwt.MapClaims{}
	a.mu.Lock()
	now := a.now()
	a.mu.Unlock()
	tok, err := jwt.ParseWithClaims(r.Header.Get("DPoP"), claims, func(t *jwt.Token) (any, error) {
		if t.Header["typ"] != "dpop+jwt" {
			return nil, errors.New(`typ must be "dpop+jwt"`)
		}
		jwk, _ := t.Header["jwk"].(map[string]any)
		var err error
		pub, jkt, err = publicJWK(jwk)
		return pub, err
	}, jwt.WithValidMethods([]string{"ES256"}), jwt.WithTimeFunc(func() time.Time { return now }))
	if err != nil || !tok.Valid {
		return "", false, fmt.Errorf("the DPoP proof does not verify: %v", err)
	}
	htu := baseURL(r) + r.URL.Path
	switch {
	case claims["htm"] != r.Method:
		return "", false, fmt.Errorf("htm is %v but the request is %s", claims["htm"], r.Method)
	case claims["htu"] != htu:
		return "", false, fmt.Errorf("htu is %v but the request went to %s", claims["htu"], htu)
	}
	iat, err := claims.GetIssuedAt()
	if err != nil || iat == nil || iat.Sub(now).Abs() > time.Minute {
		return "", false, errors.New("iat is missing or more than a minute from the server's clock")
	}
	jti, _ := claims["jti"].(string)
	if jti == "" {
		return "", false, errors.New("jti is missing")
	}
	if accessToken != "" {
		sum := sha256.Sum256([]byte(accessToken))
		if claims["ath"] != base64.RawURLEncoding.EncodeToString(sum[:]) {
			return "", false, errors.New("ath does not match the access token")
		}
	}
	want := a.asNonce
	if accessToken != "" {
		want = a.rsNonce
	}
	if claims["nonce"] != want {
		return jkt, false, nil // not a replay: the client may retry with the nonce
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, seen := a.jtis[jti]; seen {
		return "", false, errors.New("this proof was already used (jti replay); sign a new one per request")
	}
	for k, t := range a.jtis {
		if now.Sub(t) > 2*time.Minute {
			delete(a.jtis, k)
		}
	}
	a.jtis[jti] = now
	return jkt, true, nil
}

// publicJWK reads a P-256 JWK and its RFC 7638 thumbprint.
func publicJWK(jwk map[string]any) (*ecdsa.PublicKey, string, error) {
	x, _ := jwk["x"].(string)
	y, _ := jwk["y"].(string)
	if jwk["kty"] != "EC" || jwk["crv"] != "P-256" || x == "" || y == "" {
		return nil, "", errors.New("the jwk header must be an EC P-256 public key")
	}
	if _, private := jwk["d"]; private {
		return nil, "", errors.New("the jwk header contains the private key")
	}
	xb, err1 := base64.RawURLEncoding.DecodeString(x)
	yb, err2 := base64.RawURLEncoding.DecodeString(y)
	if err1 != nil || err2 != nil || len(xb) != 32 || len(yb) != 32 {
		return nil, "", errors.New("the jwk x and y must be 32 bytes of base64url")
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, xb...), yb...))
	if err != nil {
		return nil, "", fmt.Errorf("the jwk is not a point on P-256: %w", err)
	}
	sum := sha256.Sum256([]byte(`{"crv":"P-256","kty":"EC","x":"` + x + `","y":"` + y + `"}`))
	return pub, base64.RawURLEncoding.EncodeToString(sum[:]), nil
}

// loopbackRedirect accepts only http://127.0.0.1, [::1] or localhost on any
// port (RFC 8252 §7.3), the only redirects a practice client can receive.
func loopbackRedirect(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" || u.Fragment != "" {
		return false
	}
	if u.Hostname() == "localhost" {
		return true
	}
	ip := net.ParseIP(u.Hostname())
	return ip != nil && ip.IsLoopback()
}

// Parsed on first use: parsing at start-up delayed every run of keyhole.
var consentPage = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("consent").Parse(`<!doctype html>
<title>keyhole practice: authorize</title>
<h1>Authorize {{.ClientID}}?</h1>
<p>The client asks for scope <b>{{.Scope}}</b> and will get the answer at {{.RedirectURI}}.</p>
{{if .Pushed}}<p>The client pushed this request first (RFC 9126): this page got only its client_id and request_uri.</p>
{{end}}<p>Signed in as {{.User}}. Approving redirects your browser there with a one-time code.</p>
<form method="post" action="{{.Action}}">
{{range $k, $v := .Fields}}<input type="hidden" name="{{$k}}" value="{{$v}}">
{{end}}<button name="action" value="approve">Approve</button>
<button name="action" value="deny">Deny</button>
</form>
`))
})

// authParams are the parameters of an authorization request the server
// reads, and the ones a pushed request keeps.
var authParams = []string{"response_type", "client_id", "redirect_uri", "scope", "state", "code_challenge", "code_challenge_method", "resource"}

// checkAuthRequest checks an authorization request's parameters, once its
// client and redirect_uri are known good, and returns the token's audience
// and scope, or the error code and description to answer with.
func checkAuthRequest(r *http.Request, q url.Values) (aud, scope, code, desc string) {
	aud, audOK := audience(r, q.Get("resource"))
	switch {
	case q.Get("response_type") != "code":
		return "", "", "unsupported_response_type", "only response_type=code"
	case q.Get("code_challenge") == "" || q.Get("code_challenge_method") != "S256":
		return "", "", "invalid_request", "PKCE is required: send code_challenge with code_challenge_method=S256 (RFC 7636)"
	case !scopeOK(q.Get("scope")):
		return "", "", "invalid_scope", "the practice server grants only: " + strings.Join(practiceScopes, " ")
	case !audOK:
		return "", "", "invalid_target", "resource must be this server or one of its protected paths (RFC 8707)"
	}
	scope = q.Get("scope")
	if scope == "" {
		scope = "read"
	}
	return aud, scope, "", ""
}

// authorize is the authorization endpoint: GET shows the consent page, POST
// (the page's form) approves or denies and redirects back with code and state.
// A request_uri stands for a request pushed before (RFC 9126 §4), whose
// parameters are the only ones that count.
func (a *authServer) authorize(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "400 Bad Request: "+err.Error(), http.StatusBadRequest)
		return
	}
	q := r.Form
	// Errors about the client or the redirect are shown, never redirected (RFC 6749 §4.1.2.1).
	c, err := a.lookupClient(r, q.Get("client_id"))
	if err != nil {
		http.Error(w, "400 Bad Request: "+err.Error(), http.StatusBadRequest)
		return
	}
	requestURI := q.Get("request_uri")
	if requestURI != "" {
		p, why := a.pushedRequest(requestURI, c.id)
		if p == nil {
			http.Error(w, "400 Bad Request: invalid_request_uri: "+why, http.StatusBadRequest)
			return
		}
		q = p.params
	}
	redirect := q.Get("redirect_uri")
	if !c.redirectOK(redirect) {
		http.Error(w, "400 Bad Request: redirect_uri must be one the client registered, http://127.0.0.1:PORT/... (RFC 8252 §7.3)", http.StatusBadRequest)
		return
	}
	// The issuer this endpoint answers for: the tenant's has its own.
	issuer := baseURL(r)
	if strings.HasPrefix(r.URL.Path, TenantPath+"/") {
		issuer += TenantPath
	}
	back := func(params url.Values) {
		u, _ := url.Parse(redirect)
		qs := u.Query()
		for k, v := range params {
			qs[k] = v
		}
		if s := q.Get("state"); s != "" {
			qs.Set("state", s)
		}
		qs.Set("iss", issuer) // RFC 9207 §2, on errors too
		u.RawQuery = qs.Encode()
		http.Redirect(w, r, u.String(), http.StatusFound)
	}
	fail := func(code, desc string) {
		a.forgetPushed(requestURI)
		back(url.Values{"error": {code}, "error_description": {desc}})
	}
	if c.requirePAR && requestURI == "" {
		fail("invalid_request", "client "+c.id+" must push its authorization requests to "+baseURL(r)+"/oauth/par first (require_pushed_authorization_requests, RFC 9126 §6) and send only client_id and the request_uri it got here")
		return
	}
	aud, scope, code, desc := checkAuthRequest(r, q)
	if code != "" {
		fail(code, desc)
		return
	}
	if r.Method != http.MethodPost {
		fields := map[string]string{}
		if requestURI != "" {
			fields["client_id"], fields["request_uri"] = c.id, requestURI
		} else {
			for _, k := range authParams {
				fields[k] = q.Get(k)
			}
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		consentPage().Execute(w, map[string]any{"ClientID": c.id, "Scope": scope, "RedirectURI": redirect, "User": User, "Fields": fields, "Pushed": requestURI != "", "Action": r.URL.Path})
		return
	}
	if r.PostForm.Get("action") != "approve" {
		fail("access_denied", "the user denied the request")
		return
	}
	a.forgetPushed(requestURI) // one use (RFC 9126 §4)
	authz := randomID()
	a.mu.Lock()
	trim(a.codes)
	a.codes[authz] = &authCode{grant: grant{sub: User, scope: scope, aud: aud, client: c.id}, redirect: redirect, challenge: q.Get("code_challenge"), expires: a.now().Add(time.Minute)}
	a.mu.Unlock()
	back(url.Values{"code": {authz}})
}

func (a *authServer) exchangeCode(w http.ResponseWriter, r *http.Request, c *client, jkt string) {
	f := r.PostForm
	a.mu.Lock()
	code, ok := a.codes[f.Get("code")]
	delete(a.codes, f.Get("code")) // one use only (RFC 6749 §4.1.2)
	now := a.now()
	a.mu.Unlock()
	switch {
	case !ok:
		oauthError(w, http.StatusBadRequest, "invalid_grant", "unknown or already used authorization code")
	case code.client != c.id:
		oauthError(w, http.StatusBadRequest, "invalid_grant", "the authorization code was issued to another client (RFC 6749 §4.1.3)")
	case now.After(code.expires):
		oauthError(w, http.StatusBadRequest, "invalid_grant", "the authorization code expired (they live one minute)")
	case f.Get("redirect_uri") != code.redirect:
		oauthError(w, http.StatusBadRequest, "invalid_grant", "redirect_uri differs from the one in the authorization request")
	case f.Get("code_verifier") == "":
		oauthError(w, http.StatusBadRequest, "invalid_request", "code_verifier is missing (PKCE, RFC 7636 §4.5)")
	case s256(f.Get("code_verifier")) != code.challenge:
		oauthError(w, http.StatusBadRequest, "invalid_grant", "code_verifier does not match the code_challenge (PKCE)")
	default:
		a.issue(w, r, code.grant, jkt, true)
	}
}

func s256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// deviceAuthorization starts RFC 8628: a device code for the client, a user
// code for the person. interval is 1 s (RFC default 5) so practice is quick.
func (a *authServer) deviceAuthorization(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		oauthError(w, http.StatusMethodNotAllowed, "invalid_request", "the device authorization endpoint takes POST")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	id, _, ok := r.BasicAuth()
	if !ok {
		id = r.PostForm.Get("client_id")
	}
	if id != ClientID {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "unknown client_id; the practice client is "+ClientID)
		return
	}
	scope := r.PostForm.Get("scope")
	if !scopeOK(scope) {
		oauthError(w, http.StatusBadRequest, "invalid_scope", "the practice server grants only: "+strings.Join(practiceScopes, " "))
		return
	}
	if scope == "" {
		scope = "read"
	}
	aud, ok := audience(r, r.PostForm.Get("resource"))
	if !ok {
		oauthError(w, http.StatusBadRequest, "invalid_target", "resource must be this server or one of its protected paths (RFC 8707)")
		return
	}
	dc, uc := randomID(), userCode()
	a.mu.Lock()
	if len(a.devices) >= maxGrants {
		for c, d := range a.devices {
			delete(a.devices, c)
			delete(a.users, d.userCode)
			if len(a.devices) < maxGrants {
				break
			}
		}
	}
	a.devices[dc] = &deviceGrant{grant: grant{sub: User, scope: scope, aud: aud, client: ClientID}, userCode: uc, expires: a.now().Add(5 * time.Minute), state: "pending"}
	a.users[uc] = dc
	a.mu.Unlock()
	v := baseURL(r) + "/oauth/device/approve"
	writeJSON(w, http.StatusOK, map[string]any{
		"device_code": dc, "user_code": uc, "verification_uri": v,
		"verification_uri_complete": v + "?user_code=" + url.QueryEscape(uc),
		"expires_in":                300, "interval": 1,
	})
}

// userCode is eight letters without vowels or look-alikes (RFC 8628 §6.1).
func userCode() string {
	const alphabet = "BCDFGHJKLMNPQRSTVWXZ"
	b := randomBytes(8)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b[:4]) + "-" + string(b[4:])
}

// pollDevice answers the client's polling. The first poll before approval
// gets slow_down, once, so the lesson shows a client adding 5 s for good.
func (a *authServer) pollDevice(w http.ResponseWriter, r *http.Request, jkt string) {
	dc := r.PostForm.Get("device_code")
	a.mu.Lock()
	d, ok := a.devices[dc]
	var g grant
	state := ""
	if ok {
		switch {
		case a.now().After(d.expires):
			state = "expired"
		case d.state == "pending" && !d.slowed:
			d.slowed, state = true, "slow"
		default:
			state = d.state
		}
		if state == "approved" || state == "denied" || state == "expired" {
			delete(a.devices, dc)
			delete(a.users, d.userCode)
		}
		g = d.grant
	}
	a.mu.Unlock()
	switch {
	case !ok:
		oauthError(w, http.StatusBadRequest, "invalid_grant", "unknown or already used device code")
	case state == "expired":
		oauthError(w, http.StatusBadRequest, "expired_token", "the device code expired; start again")
	case state == "slow":
		oauthError(w, http.StatusBadRequest, "slow_down", "polling too fast: add 5 seconds to the interval")
	case state == "pending":
		oauthError(w, http.StatusBadRequest, "authorization_pending", "the user has not approved yet")
	case state == "denied":
		oauthError(w, http.StatusBadRequest, "access_denied", "the user denied the request")
	default:
		a.issue(w, r, g, jkt, true)
	}
}

// Parsed on first use: parsing at start-up delayed every run of keyhole.
var devicePage = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("device").Parse(`<!doctype html>
<title>keyhole practice: connect a device</title>
<h1>Connect a device</h1>
{{if .Message}}<p>{{.Message}}</p>{{end}}
<form method="post" action="/oauth/device/approve">
<label>Code shown on the device: <input name="user_code" value="{{.UserCode}}" autocomplete="off"></label>
<button name="action" value="approve">Approve</button>
<button name="action" value="deny">Deny</button>
</form>
`))
})

// deviceApprove is the verification page where the person types the user code.
func (a *authServer) deviceApprove(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "400 Bad Request: "+err.Error(), http.StatusBadRequest)
		return
	}
	uc := strings.ToUpper(strings.TrimSpace(r.Form.Get("user_code")))
	if len(uc) == 8 && !strings.Contains(uc, "-") {
		uc = uc[:4] + "-" + uc[4:]
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if r.Method != http.MethodPost {
		devicePage().Execute(w, map[string]string{"UserCode": uc})
		return
	}
	a.mu.Lock()
	d, ok := a.devices[a.users[uc]]
	if ok {
		d.state = "denied"
		if r.PostForm.Get("action") == "approve" {
			d.state = "approved"
		}
	}
	a.mu.Unlock()
	switch {
	case !ok:
		w.WriteHeader(http.StatusNotFound)
		devicePage().Execute(w, map[string]string{"UserCode": uc, "Message": "No device is waiting with that code; check it and try again."})
	case d.state == "approved":
		devicePage().Execute(w, map[string]string{"Message": "Approved. Go back to keyhole: the device gets its token at its next poll."})
	default:
		devicePage().Execute(w, map[string]string{"Message": "Denied. The device will be told access_denied."})
	}
}

// resource guards a protected path with the server's access tokens. scope,
// when set, must be among the token's; dpop demands DPoP-bound tokens and
// proofs carrying the server's nonce.
func (a *authServer) resource(path, scope string, dpop bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b := baseURL(r)
		meta := b + "/.well-known/oauth-protected-resource" + path
		now := a.clockFor(path)
		if path == "/skew" {
			w.Header().Set("Date", now.UTC().Format(http.TimeFormat))
		}
		scheme := "Bearer"
		if dpop {
			scheme = "DPoP"
		}
		deny := func(status int, params string) {
			v := scheme + ` realm="` + Realm + `", resource_metadata="` + meta + `"`
			hint := fmt.Sprintf("get a token from %s/oauth/token (client %s / %s)", b, ClientID, ClientSecret)
			switch {
			case dpop:
				v = scheme + ` algs="ES256", resource_metadata="` + meta + `"`
			case path == ParPath:
				v = scheme + ` realm="` + Realm + `"`
				hint = fmt.Sprintf("sign in with the authorization code grant as %s / %s, whose authorization requests must be pushed to %s/oauth/par first (RFC 9126)", ParClientID, ParClientSecret, b)
			case mcpPath(path):
				v = scheme + ` resource_metadata="` + meta + `"`
				hint = "the resource metadata names the authorization server; register a client there or use a client ID metadata document, then sign in for resource " + b + path
			}
			if params != "" {
				v += ", " + params
			}
			w.Header().Set("WWW-Authenticate", v)
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(status)
			fmt.Fprintf(w, "%d %s: %s\n", status, http.StatusText(status), hint)
		}
		got, at, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		if at == "" || !strings.EqualFold(got, scheme) {
			if dpop && strings.EqualFold(got, "Bearer") {
				deny(http.StatusUnauthorized, `error="invalid_token", error_description="this resource needs a DPoP-bound token sent with the DPoP scheme and a proof"`)
				return
			}
			deny(http.StatusUnauthorized, "")
			return
		}
		claims, desc := a.verify(r, at, path, now)
		if desc != "" {
			deny(http.StatusUnauthorized, `error="invalid_token", error_description="`+desc+`"`)
			return
		}
		cnf, _ := claims["cnf"].(map[string]any)
		jkt, _ := cnf["jkt"].(string)
		if dpop {
			proofKey, nonceOK, err := a.checkProof(r, at)
			switch {
			case err != nil:
				deny(http.StatusUnauthorized, `error="invalid_dpop_proof", error_description="`+quoteSafe(err.Error())+`"`)
				return
			case jkt == "" || proofKey != jkt:
				deny(http.StatusUnauthorized, `error="invalid_token", error_description="the token is not bound to the key that signed the proof"`)
				return
			case !nonceOK:
				w.Header().Set("DPoP-Nonce", a.rsNonce)
				deny(http.StatusUnauthorized, `error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof"`)
				return
			}
		} else if jkt != "" {
			deny(http.StatusUnauthorized, `error="invalid_token", error_description="the token is DPoP-bound; send it with the DPoP scheme and a proof"`)
			return
		}
		sc, _ := claims["scope"].(string)
		if scope != "" && !slices.Contains(strings.Fields(sc), scope) {
			deny(http.StatusForbidden, `error="insufficient_scope", scope="`+scope+`", error_description="this resource needs scope `+scope+`"`)
			return
		}
		sub, _ := claims["sub"].(string)
		writeJSON(w, http.StatusOK, map[string]any{"ok": true, "scheme": scheme, "sub": sub, "scope": sc, "path": path})
	}
}

// clockFor is the resource's idea of now; /skew's runs SkewOffset behind.
func (a *authServer) clockFor(path string) time.Time {
	a.mu.Lock()
	now := a.now()
	a.mu.Unlock()
	if path == "/skew" {
		return now.Add(-SkewOffset)
	}
	return now
}

// verify checks an access token for path at now and says, in the words that
// go into error_description, why it is refused.
func (a *authServer) verify(r *http.Request, raw, path string, now time.Time) (jwt.MapClaims, string) {
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(raw, claims, func(*jwt.Token) (any, error) { return a.key, nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithIssuer(baseURL(r)), jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(func() time.Time { return now }))
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return nil, "The access token expired"
	case errors.Is(err, jwt.ErrTokenNotValidYet), errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		nbf, _ := claims.GetNotBefore()
		ahead := "some time"
		if nbf != nil {
			ahead = nbf.Sub(now).Round(time.Second).String()
		}
		return nil, "The access token is not valid yet: its nbf is " + ahead + " ahead of this server's clock (see the Date header); the clocks disagree"
	case err != nil:
		return nil, "The access token is not valid here: " + quoteSafe(err.Error())
	}
	aud, _ := claims.GetAudience()
	b := baseURL(r)
	if slices.Contains(audienceChecked, path) && !slices.Contains(aud, b+path) || !slices.Contains(aud, b) && !slices.Contains(aud, b+path) {
		return nil, "The access token is for another audience (" + quoteSafe(strings.Join(aud, " ")) + "), not " + b + path
	}
	return claims, ""
}

// quoteSafe keeps text inside a quoted-string and safe for a terminal: no
// quotes, backslashes, controls (C0, C1) or invisible direction marks. It
// carries what a client sent (a document's client_id) back in error words.
func quoteSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '"' || r == '\\' || r < 0x20 || r == 0x7f || httpclient.IsUnsafeRune(r) {
			return '\''
		}
		return r
	}, s)
}
