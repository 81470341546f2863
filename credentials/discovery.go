package credentials

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"keyhole/httpclient"
)

// maxMetadata caps a metadata document: enough for any real one, small
// enough that a hostile server cannot make keyhole hold gigabytes.
const maxMetadata = 1 << 20

// Discovery is what a protected resource and its authorization server say
// about themselves (RFC 9728, RFC 8414).
type Discovery struct {
	ResourceMetadataURL   string   // where the protected resource metadata came from
	Resource              string   // its "resource"
	AuthorizationServers  []string // its "authorization_servers"
	ResourceDocumentation string   // its "resource_documentation"
	ResourceScopes        []string // its "scopes_supported"
	BearerMethods         []string // its "bearer_methods_supported"
	DPoPBound             bool     // its "dpop_bound_access_tokens_required"

	Issuer          string   // the authorization server's "issuer"
	MetadataURL     string   // where its metadata came from
	TokenURL        string   // token_endpoint
	AuthURL         string   // authorization_endpoint
	DeviceURL       string   // device_authorization_endpoint
	ScopesSupported []string // the authorization server's scopes_supported
	PKCEMethods     []string // code_challenge_methods_supported
	GrantTypes      []string // grant_types_supported
	DPoPAlgs        []string // dpop_signing_alg_values_supported
	AuthMethods     []string // token_endpoint_auth_methods_supported
	RegistrationURL string   // registration_endpoint (RFC 7591)
	PARURL          string   // pushed_authorization_request_endpoint (RFC 9126)
	RequirePAR      bool     // require_pushed_authorization_requests
	IssParameter    bool     // authorization_response_iss_parameter_supported (RFC 9207)
	CIMD            bool     // client_id_metadata_document_supported
	// MTLSAliases are the endpoints to use with mutual TLS
	// (mtls_endpoint_aliases, RFC 8705 §5), by metadata name.
	MTLSAliases map[string]string

	// ResourceMismatch is set when the metadata names another resource than
	// the one requested: RFC 9728 §3.3 says to discard it, and OAuth2 does.
	ResourceMismatch bool
	// IssuerMismatch is set when the authorization server metadata names
	// another issuer than the one it was looked up for (RFC 8414 §3.3).
	IssuerMismatch bool
	// Problems found on the way, one line each, most serious first.
	Problems []string
}

// ProtectedResourceMetadataURL is where RFC 9728 §3.1 puts the metadata of
// resourceURL: the well-known segment goes between the host and the path.
func ProtectedResourceMetadataURL(resourceURL string) (string, error) {
	return wellKnown(resourceURL, "oauth-protected-resource")
}

// AuthorizationServerMetadataURL is where RFC 8414 §3.1 puts the metadata of
// issuer, likewise inserted before the issuer's path.
func AuthorizationServerMetadataURL(issuer string) (string, error) {
	return wellKnown(issuer, "oauth-authorization-server")
}

func wellKnown(raw, name string) (string, error) {
	u, err := httpURL(raw)
	if err != nil {
		return "", err
	}
	path := strings.TrimSuffix(u.EscapedPath(), "/")
	u.RawQuery, u.Fragment, u.RawPath = "", "", ""
	u.Path = "/.well-known/" + name
	s := u.String() + path
	return s, nil
}

func httpURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("discovery: %q is not a URL: %w", raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("discovery: refusing %q: metadata is fetched only from http(s) URLs with a host", raw)
	}
	return u, nil
}

// Discover reads the protected resource metadata named by the challenge's
// resource_metadata (RFC 9728 §5.1), or found at the well-known location of
// resourceURL, then the metadata of its first authorization server (RFC 8414,
// falling back to OpenID Connect discovery). resourceURL is the URL the user
// requested; it may be "" when ch names the metadata. Every fetch goes
// through hc labelled "discovery". An error means nothing useful was found;
// findings about documents that were found are in Problems.
func Discover(ctx context.Context, hc *http.Client, resourceURL string, ch *httpclient.Challenge) (*Discovery, error) {
	if hc == nil {
		hc = http.DefaultClient
	}
	ctx = httpclient.WithPurpose(ctx, "discovery")
	d := &Discovery{}
	var err error
	if ch != nil && ch.Param("resource_metadata") != "" {
		d.ResourceMetadataURL = ch.Param("resource_metadata")
	} else if resourceURL != "" {
		if d.ResourceMetadataURL, err = ProtectedResourceMetadataURL(resourceURL); err != nil {
			return nil, err
		}
	} else {
		return nil, errors.New("discovery: no resource_metadata in the challenge and no resource URL to look under")
	}
	var prm struct {
		Resource              string   `json:"resource"`
		AuthorizationServers  []string `json:"authorization_servers"`
		ScopesSupported       []string `json:"scopes_supported"`
		BearerMethods         []string `json:"bearer_methods_supported"`
		ResourceDocumentation string   `json:"resource_documentation"`
		DPoPBound             bool     `json:"dpop_bound_access_tokens_required"`
	}
	step := "protected resource metadata (RFC 9728): the challenge names it (resource_metadata)"
	if ch == nil || ch.Param("resource_metadata") == "" {
		step = "protected resource metadata (RFC 9728 §3.1): at the resource's well-known location, since no challenge named it"
	}
	if err := fetchJSON(httpclient.WithStep(ctx, step), hc, d.ResourceMetadataURL, &prm); err != nil {
		return nil, err
	}
	d.Resource, d.AuthorizationServers, d.ResourceScopes = prm.Resource, prm.AuthorizationServers, prm.ScopesSupported
	d.BearerMethods, d.ResourceDocumentation, d.DPoPBound = prm.BearerMethods, prm.ResourceDocumentation, prm.DPoPBound
	if !sameOrigin(prm.Resource, d.ResourceMetadataURL) {
		// Metadata from an origin is used only for that origin's resources:
		// otherwise a server reached by a redirect could name itself the
		// authorization server of the resource the user asked for.
		d.ResourceMismatch = true
		d.Problems = append(d.Problems, fmt.Sprintf("the metadata at %s claims resource %q on another origin; metadata is used only for its own origin's resources (RFC 9728 §3.3, §7.3)",
			safeLine(d.ResourceMetadataURL), safeLine(prm.Resource)))
	} else if resourceURL != "" && !sameResource(prm.Resource, resourceURL) {
		d.ResourceMismatch = true
		d.Problems = append(d.Problems, fmt.Sprintf("the metadata is for resource %q, not %q; RFC 9728 §3.3 says to discard it (it may be an attacker's)",
			safeLine(prm.Resource), safeLine(resourceURL)))
	}
	if len(prm.AuthorizationServers) == 0 {
		d.Problems = append(d.Problems, "the protected resource metadata lists no authorization_servers; give the token URL yourself")
		return d, nil
	}
	as := httpclient.WithStep(ctx, "authorization server metadata (RFC 8414): the resource's metadata names "+safeLine(prm.AuthorizationServers[0])+" as its authorization server")
	err = d.authorizationServer(as, hc, prm.AuthorizationServers[0])
	return d, err
}

// DiscoverAuthorizationServer reads the RFC 8414 metadata of issuer alone
// (falling back to OpenID Connect discovery), for when the token URL is known
// but the authorization or device endpoint is not.
func DiscoverAuthorizationServer(ctx context.Context, hc *http.Client, issuer string) (*Discovery, error) {
	if hc == nil {
		hc = http.DefaultClient
	}
	d := &Discovery{}
	ctx = httpclient.WithStep(httpclient.WithPurpose(ctx, "discovery"), "authorization server metadata (RFC 8414) of "+safeLine(issuer))
	return d, d.authorizationServer(ctx, hc, issuer)
}

func (d *Discovery) authorizationServer(ctx context.Context, hc *http.Client, issuer string) error {
	var asm struct {
		Issuer        string         `json:"issuer"`
		Token         string         `json:"token_endpoint"`
		Authorization string         `json:"authorization_endpoint"`
		Device        string         `json:"device_authorization_endpoint"`
		Scopes        []string       `json:"scopes_supported"`
		PKCE          []string       `json:"code_challenge_methods_supported"`
		Grants        []string       `json:"grant_types_supported"`
		DPoPAlgs      []string       `json:"dpop_signing_alg_values_supported"`
		AuthMethods   []string       `json:"token_endpoint_auth_methods_supported"`
		Registration  string         `json:"registration_endpoint"`
		PAR           string         `json:"pushed_authorization_request_endpoint"`
		RequirePAR    bool           `json:"require_pushed_authorization_requests"`
		IssParameter  bool           `json:"authorization_response_iss_parameter_supported"`
		CIMD          bool           `json:"client_id_metadata_document_supported"`
		MTLSAliases   map[string]any `json:"mtls_endpoint_aliases"`
	}
	var err error
	d.MetadataURL, err = AuthorizationServerMetadataURL(issuer)
	if err != nil {
		return err
	}
	if err := fetchJSON(ctx, hc, d.MetadataURL, &asm); err != nil {
		// OpenID Connect Discovery 1.0 §4 appends its well-known path instead.
		oidc := strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration"
		again := httpclient.WithStep(ctx, "OpenID Connect discovery (path appended, OIDC Discovery §4): the RFC 8414 location had no metadata")
		if err2 := fetchJSON(again, hc, oidc, &asm); err2 != nil {
			return fmt.Errorf("%w; OpenID configuration also failed: %w", err, err2)
		}
		d.MetadataURL = oidc
	}
	d.Issuer, d.TokenURL, d.AuthURL, d.DeviceURL = asm.Issuer, asm.Token, asm.Authorization, asm.Device
	d.ScopesSupported, d.PKCEMethods, d.GrantTypes, d.DPoPAlgs = asm.Scopes, asm.PKCE, asm.Grants, asm.DPoPAlgs
	d.AuthMethods, d.RegistrationURL, d.PARURL, d.RequirePAR = asm.AuthMethods, asm.Registration, asm.PAR, asm.RequirePAR
	d.IssParameter, d.CIMD = asm.IssParameter, asm.CIMD
	for name, v := range asm.MTLSAliases {
		u, ok := v.(string)
		if !ok {
			continue
		}
		if _, err := httpURL(u); err != nil {
			d.Problems = append(d.Problems, "mtls_endpoint_aliases."+safeLine(name)+" is not an http(s) URL: "+safeLine(u))
			continue
		}
		if d.MTLSAliases == nil {
			d.MTLSAliases = map[string]string{}
		}
		d.MTLSAliases[name] = u
	}
	if asm.Issuer != issuer {
		d.IssuerMismatch = true
		d.Problems = append(d.Problems, fmt.Sprintf("the authorization server metadata says issuer %q but was looked up for %q; RFC 8414 §3.3 says not to use it",
			safeLine(asm.Issuer), safeLine(issuer)))
	}
	if !slices.Contains(asm.PKCE, "S256") {
		d.Problems = append(d.Problems, "the authorization server does not advertise PKCE S256 (code_challenge_methods_supported); authorization code flows may be open to code interception")
	}
	for _, e := range []struct{ name, u string }{{"token_endpoint", d.TokenURL}, {"authorization_endpoint", d.AuthURL}, {"device_authorization_endpoint", d.DeviceURL},
		{"registration_endpoint", d.RegistrationURL}, {"pushed_authorization_request_endpoint", d.PARURL}} {
		if e.u == "" {
			continue
		}
		if _, err := httpURL(e.u); err != nil {
			d.Problems = append(d.Problems, e.name+" is not an http(s) URL: "+safeLine(e.u))
		}
	}
	return nil
}

// DiscoverFromTokenURL finds the metadata of the authorization server whose
// token endpoint is tokenURL, for when the token URL is known but another
// endpoint is not. The issuer is not known, so each path the token endpoint
// is under is tried as one, longest first (https://idp/tenant/oauth/token:
// https://idp/tenant/oauth, https://idp/tenant, https://idp), each with the
// RFC 8414 §3.1 path-inserted location and then the OpenID Connect
// Discovery §4 path-appended one. A document is taken only when its issuer
// is the one it was looked up for (RFC 8414 §3.3) and it names tokenURL as
// its token endpoint.
func DiscoverFromTokenURL(ctx context.Context, hc *http.Client, tokenURL string) (*Discovery, error) {
	u, err := httpURL(tokenURL)
	if err != nil {
		return nil, err
	}
	path := strings.TrimSuffix(u.EscapedPath(), "/")
	var errs []error
	for {
		i := strings.LastIndex(path, "/")
		if i < 0 {
			break
		}
		path = path[:i]
		issuer := u.Scheme + "://" + u.Host + path
		d, err := DiscoverAuthorizationServer(ctx, hc, issuer)
		switch {
		case err != nil:
			errs = append(errs, err)
		case d.IssuerMismatch:
			errs = append(errs, errors.New(d.Problems[0]))
		case d.TokenURL != tokenURL:
			errs = append(errs, fmt.Errorf("discovery: the metadata of %s names token endpoint %s, not %s", safeLine(issuer), safeLine(d.TokenURL), safeLine(tokenURL)))
		default:
			return d, nil
		}
	}
	return nil, fmt.Errorf("discovery: no authorization server metadata found for the token endpoint %s: %w", safeLine(tokenURL), errors.Join(errs...))
}

// sameOrigin reports whether two URLs share scheme, host and port.
func sameOrigin(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	return err1 == nil && err2 == nil && ua.Host != "" && httpclient.SameOrigin(ua, ub)
}

// sameResource compares resource identifiers as RFC 9728 §3.3 asks (they must
// be identical), forgiving only a query or fragment on the requested URL,
// which is not part of the resource.
func sameResource(meta, requested string) bool {
	if meta == requested {
		return true
	}
	u, err := url.Parse(requested)
	if err != nil {
		return false
	}
	u.RawQuery, u.Fragment, u.RawFragment = "", "", ""
	return meta == u.String()
}

func fetchJSON(ctx context.Context, hc *http.Client, raw string, into any) error {
	if _, err := httpURL(raw); err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, raw, nil)
	if err != nil {
		return fmt.Errorf("discovery: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("discovery: fetching %s: %s", raw, safeLine(err.Error()))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxMetadata+1))
	if err != nil {
		return fmt.Errorf("discovery: reading %s: %w", raw, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("discovery: %s answered %d, not the metadata", raw, resp.StatusCode)
	}
	if len(body) > maxMetadata {
		return fmt.Errorf("discovery: %s is larger than 1 MiB; refusing it", raw)
	}
	if ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); ct != "" && ct != "application/json" && !strings.HasSuffix(ct, "+json") {
		return fmt.Errorf("discovery: %s is %s, not JSON metadata", raw, safeLine(ct))
	}
	if err := json.Unmarshal(body, into); err != nil {
		return fmt.Errorf("discovery: %s is not valid metadata JSON: %s", raw, safeLine(err.Error()))
	}
	return nil
}
