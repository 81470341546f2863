package credentials

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/oauth2"

	"keyhole/httpclient"
)

// Client authentication methods at the token endpoint (RFC 6749 §2.3.1,
// RFC 7523 §2.2, RFC 8705 §2, OpenID Connect Core §9), by their metadata names.
const (
	AuthBasic         = "client_secret_basic"
	AuthPost          = "client_secret_post"
	AuthPrivateKeyJWT = "private_key_jwt"
	AuthTLS           = "tls_client_auth"
	AuthNone          = "none"
)

// ClientAuthMethod reads the --client-auth spelling (basic, post,
// private_key_jwt, tls, none) or a metadata name; false for another.
func ClientAuthMethod(s string) (string, bool) {
	switch strings.ToLower(strings.ReplaceAll(s, "-", "_")) {
	case "basic", AuthBasic:
		return AuthBasic, true
	case "post", AuthPost:
		return AuthPost, true
	case "private_key_jwt", "jwt":
		return AuthPrivateKeyJWT, true
	case "tls", AuthTLS:
		return AuthTLS, true
	case "none":
		return AuthNone, true
	}
	return "", false
}

// LoadClientKey reads a PEM private key (PKCS#8, PKCS#1 or SEC 1) for
// private_key_jwt.
func LoadClientKey(path string) (crypto.Signer, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) { // its words name the path already: once is enough
			err = pe.Err
		}
		return nil, fmt.Errorf("cannot read %s: %v", path, err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, fmt.Errorf("%s holds no PEM private key", path)
	}
	var k any
	if k, err = x509.ParsePKCS8PrivateKey(blk.Bytes); err != nil {
		if k, err = x509.ParseECPrivateKey(blk.Bytes); err != nil {
			if k, err = x509.ParsePKCS1PrivateKey(blk.Bytes); err != nil {
				return nil, fmt.Errorf("%s is not an RSA, EC or Ed25519 private key", path)
			}
		}
	}
	s, ok := k.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("%s is not a signing key", path)
	}
	return s, nil
}

// usableMethods are the methods the credentials held allow, in keyhole's
// order of preference: a key given says more than a secret.
func (o *OAuth2) usableMethods() []string {
	var m []string
	if o.ClientKey != nil {
		m = append(m, AuthPrivateKeyJWT)
	}
	if o.ClientSecret != "" {
		m = append(m, AuthBasic, AuthPost)
	}
	if len(m) == 0 {
		m = append(m, AuthNone)
	}
	return m
}

// clientMethod is the client authentication to use, and why, in words.
func (o *OAuth2) clientMethod() (method, why string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.clientMethodLocked()
}

func (o *OAuth2) clientMethodLocked() (string, string) {
	switch {
	case o.ClientAuth != "":
		return o.ClientAuth, "as asked"
	case o.AuthInForm && o.ClientSecret != "":
		return AuthPost, "as asked"
	case o.method != "":
		return o.method, o.methodWhy
	}
	usable := o.usableMethods()
	if len(o.authMethods) > 0 {
		for _, m := range usable {
			if slices.Contains(o.authMethods, m) {
				return m, "the server's metadata lists " + m + " among " + safeLine(strings.Join(o.authMethods, ", "))
			}
		}
	}
	switch usable[0] {
	case AuthNone:
		return AuthNone, "no client secret or key: a public client sends only its client_id (PKCE protects the code)"
	case AuthBasic:
		return AuthBasic, "the default every server supports (RFC 6749 §2.3.1)"
	}
	return usable[0], "the only method the credentials given allow"
}

// otherMethods are the methods left to try after invalid_client: those the
// server lists (or Basic and the form when it lists none) that the
// credentials allow, other than those tried.
func (o *OAuth2) otherMethods(tried []string) []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []string
	for _, m := range o.usableMethods() {
		if slices.Contains(tried, m) || m == AuthNone {
			continue
		}
		if len(o.authMethods) == 0 || slices.Contains(o.authMethods, m) {
			out = append(out, m)
		}
	}
	return out
}

// oauth2Style is how x/oauth2 sends the client's credentials for method:
// in Basic, or in the form (client_id alone when there is no secret to send).
func oauth2Style(method string) oauth2.AuthStyle {
	if method == AuthBasic {
		return oauth2.AuthStyleInHeader
	}
	return oauth2.AuthStyleInParams
}

// secretFor is the client secret x/oauth2 sends with method: only Basic and
// the form carry it.
func (o *OAuth2) secretFor(method string) string {
	if method == AuthBasic || method == AuthPost {
		return o.ClientSecret
	}
	return ""
}

// assertion signs a private_key_jwt client assertion for endpoint (RFC 7523
// §3): iss and sub the client id, aud the endpoint, a fresh jti, 60 s of life.
func (o *OAuth2) assertion(endpoint string) (string, error) {
	var m jwt.SigningMethod
	switch k := o.ClientKey.(type) {
	case *rsa.PrivateKey:
		m = jwt.SigningMethodRS256
	case *ecdsa.PrivateKey:
		switch k.Curve.Params().BitSize {
		case 256:
			m = jwt.SigningMethodES256
		case 384:
			m = jwt.SigningMethodES384
		default:
			m = jwt.SigningMethodES512
		}
	case ed25519.PrivateKey:
		m = jwt.SigningMethodEdDSA
	default:
		return "", errors.New("oauth2: the client key is neither RSA, EC nor Ed25519")
	}
	now := o.now()
	t := jwt.NewWithClaims(m, jwt.MapClaims{
		"iss": o.ClientID, "sub": o.ClientID, "aud": endpoint, "jti": randomString(),
		"iat": now.Unix(), "exp": now.Add(time.Minute).Unix(),
	})
	if o.ClientKeyID != "" {
		t.Header["kid"] = o.ClientKeyID
	}
	s, err := t.SignedString(o.ClientKey)
	if err != nil {
		return "", fmt.Errorf("oauth2: cannot sign the client assertion: %w", err)
	}
	return s, nil
}

// assertionClient wraps hc so that, while the method is private_key_jwt, a
// form POSTed to the token endpoint carries a fresh assertion. Hand-written: x/oauth2 has no
// private_key_jwt support, and an extra parameter alone cannot reach its
// refresh requests.
func (o *OAuth2) assertionClient(hc *http.Client) *http.Client {
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	c := *hc
	c.Transport = roundTripFunc(func(req *http.Request) (*http.Response, error) {
		if m, _ := o.clientMethod(); m != AuthPrivateKeyJWT || req.Method != http.MethodPost || req.Body == nil || req.URL.String() != o.TokenURL {
			return base.RoundTrip(req)
		}
		body, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, err
		}
		u := *req.URL
		u.RawQuery = ""
		a, err := o.assertion(u.String())
		if err != nil {
			return nil, err
		}
		form.Set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
		form.Set("client_assertion", a)
		b := []byte(form.Encode())
		r := req.Clone(req.Context())
		r.Body = io.NopCloser(bytes.NewReader(b))
		r.ContentLength = int64(len(b))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
		return base.RoundTrip(r)
	})
	return &c
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// authenticate adds the client's credentials to a request keyhole builds
// itself (pushed authorization request), by method.
func (o *OAuth2) authenticate(req *http.Request, form url.Values, method string) error {
	form.Set("client_id", o.ClientID)
	switch method {
	case AuthBasic:
		form.Del("client_id")
		// RFC 6749 §2.3.1: form-encode both before Basic.
		req.SetBasicAuth(url.QueryEscape(o.ClientID), url.QueryEscape(o.ClientSecret))
	case AuthPost:
		form.Set("client_secret", o.ClientSecret)
	case AuthPrivateKeyJWT:
		u := *req.URL
		u.RawQuery = ""
		a, err := o.assertion(u.String())
		if err != nil {
			return err
		}
		form.Set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
		form.Set("client_assertion", a)
	}
	return nil
}

// postForm POSTs form to endpoint through hc and reads a JSON answer into
// out, or the OAuth error into an error that names step.
func postForm(ctx context.Context, hc *http.Client, endpoint, step string, form url.Values, prep func(*http.Request) error, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, nil)
	if err != nil {
		return fmt.Errorf("oauth2: %s: %w", step, err)
	}
	if prep != nil {
		if err := prep(req); err != nil {
			return err
		}
	}
	b := []byte(form.Encode())
	req.Body = io.NopCloser(bytes.NewReader(b))
	req.ContentLength = int64(len(b))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	return doJSON(hc, req, step, out)
}

func doJSON(hc *http.Client, req *http.Request, step string, out any) error {
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("oauth2: %s: %s", step, safeLine(err.Error()))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxMetadata))
	if err != nil {
		return fmt.Errorf("oauth2: %s: %w", step, err)
	}
	if resp.StatusCode/100 != 2 {
		var e struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
		}
		if json.Unmarshal(body, &e) == nil && e.Error != "" {
			return fmt.Errorf("oauth2: %s refused (%s): %s", step, safeLine(e.Error), ExplainTokenError(e.Error, e.Description))
		}
		return fmt.Errorf("oauth2: %s: the server answered %d without an OAuth error", step, resp.StatusCode)
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("oauth2: %s: the answer is not JSON: %s", step, safeLine(err.Error()))
	}
	return nil
}

// register makes keyhole a client of the authorization server by dynamic
// client registration (RFC 7591): a native, public client with a loopback
// redirect (any port, RFC 8252 §7.3) for the grant it runs.
func (o *OAuth2) register(ctx context.Context, hc *http.Client) error {
	o.mu.Lock()
	endpoint := o.registrationURL
	o.mu.Unlock()
	if endpoint == "" {
		o.mu.Lock()
		cimd := o.cimdSupported
		o.mu.Unlock()
		if cimd {
			return &NeedsGiven{Give: []string{"client_id", GiveServedMetadata},
				Text: "oauth2: no client id, and the authorization server offers no registration_endpoint (RFC 7591); it takes Client ID Metadata Documents: give the URL of one as the client id (Client id, https://…/client.json: a document you host)"}
		}
		return &NeedsGiven{Give: []string{"client_id"},
			Text: "oauth2: no client id, and the authorization server offers no registration_endpoint (RFC 7591) nor Client ID Metadata Documents: register keyhole there by hand and give its client id (Client id)"}
	}
	grants := []string{"authorization_code", "refresh_token"}
	if o.grant() == GrantDeviceCode {
		grants = []string{"urn:ietf:params:oauth:grant-type:device_code", "refresh_token"}
	}
	meta := map[string]any{
		"client_name":                "keyhole",
		"application_type":           "native",
		"redirect_uris":              []string{"http://127.0.0.1/callback"},
		"grant_types":                grants,
		"response_types":             []string{"code"},
		"token_endpoint_auth_method": AuthNone,
	}
	if o.grant() == GrantDeviceCode {
		meta["response_types"] = []string{}
		meta["redirect_uris"] = []string{}
	}
	if s := o.scopes(); len(s) > 0 {
		meta["scope"] = strings.Join(s, " ")
	}
	b, _ := json.Marshal(meta)
	req, err := http.NewRequestWithContext(httpclient.WithPurpose(ctx, "registration"), http.MethodPost, endpoint, bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("oauth2: client registration: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	why := "client registration (RFC 7591): no client id was given and the authorization server offers registration_endpoint, so keyhole registers itself as a public client (no secret is sent), as an MCP client does"
	if o.ClientID != "" {
		why = "client registration (RFC 7591): as asked (Register yes)"
	}
	o.mu.Lock()
	why += o.grantWhy
	if o.clientWhy != "" {
		why = "client registration (RFC 7591); " + o.clientWhy
	}
	o.mu.Unlock()
	o.setStep(why)
	var got struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
		AuthMethod   string `json:"token_endpoint_auth_method"`
	}
	if err := doJSON(hc, req, "client registration", &got); err != nil {
		return err
	}
	if got.ClientID == "" {
		return errors.New("oauth2: client registration: the answer has no client_id (RFC 7591 §3.2.1)")
	}
	o.mu.Lock()
	o.ClientID, o.ClientSecret, o.registered = got.ClientID, got.ClientSecret, true
	if o.clientWhy != "" {
		o.clientWhy = "client id from the registration just made"
	}
	if got.AuthMethod != "" {
		o.method, o.methodWhy = got.AuthMethod, "the method the registration answer names"
	}
	o.mu.Unlock()
	return nil
}

// pushAuthorization sends the authorization request's parameters to the
// pushed authorization request endpoint (RFC 9126) and returns the URL the
// browser opens: client_id and the request_uri the server answered.
func (o *OAuth2) pushAuthorization(ctx context.Context, hc *http.Client, endpoint string, params url.Values) (string, error) {
	method, why := o.clientMethod()
	o.mu.Lock()
	required := o.requirePAR
	o.mu.Unlock()
	because := "the server offers it"
	if required {
		because = "the server requires it"
	}
	o.setStep("pushed authorization request (RFC 9126): " + because + "; client authentication " + method + " (" + why + ")" + o.clientChoice())
	var got struct {
		RequestURI string `json:"request_uri"`
		ExpiresIn  int    `json:"expires_in"`
	}
	err := postForm(httpclient.WithPurpose(ctx, "par"), hc, endpoint, "pushed authorization request", params,
		func(req *http.Request) error { return o.authenticate(req, params, method) }, &got)
	if err != nil {
		return "", err
	}
	if got.RequestURI == "" {
		return "", errors.New("oauth2: pushed authorization request: the answer has no request_uri (RFC 9126 §2.2)")
	}
	u, err := url.Parse(o.AuthURL)
	if err != nil {
		return "", fmt.Errorf("oauth2: the authorization URL %q is not a URL", safeLine(o.AuthURL))
	}
	q := u.Query()
	q.Set("client_id", o.ClientID)
	q.Set("request_uri", got.RequestURI)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// setStep names the request about to be made, for its attempt's label.
func (o *OAuth2) setStep(s string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.step = s
}

// StepReason says why the request being made was made (which OAuth step,
// with which client authentication and why), for its attempt in the
// timeline; "" when nothing more than "a token request" is known.
func (o *OAuth2) StepReason() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.step
}
