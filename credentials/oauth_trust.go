package credentials

import (
	"fmt"
	"net/url"
	"strings"

	"keyhole/httpclient"
)

// HeldBack is the error of a token request keyhole would not make because
// it would have carried a secret where the user did not send it.
type HeldBack struct {
	What   string // "the client secret", "the refresh token"...
	To     string // the token endpoint
	Reason string // why, in words true in every face
	// Give is what would let it go, in TokenRefusal.Give's keys (Gives).
	Give []string
}

func (e *HeldBack) gives() []string { return e.Give }

func (e *HeldBack) Error() string {
	return "oauth2: held back " + e.What + " from " + safeLine(e.To) + ": " + e.Reason
}

// secrets names what a token request of this authorizer carries that the
// user gave and a stranger must not get, or "" when it carries none.
func (o *OAuth2) secrets() string {
	var s []string
	if o.ClientSecret != "" && !o.registered {
		s = append(s, "the client secret")
	}
	if o.RefreshToken != "" {
		s = append(s, "the refresh token")
	}
	if o.grant() == GrantPassword && o.Password != "" {
		s = append(s, "the password")
	}
	return strings.Join(s, " and ")
}

// secretMayGo enforces the trust rule for the token endpoint: a plain-http
// endpoint off loopback never receives a secret, and an endpoint that a
// server named (metadata, not the user's --token-url) on another origin than
// the one the user sent the request to receives one only when the user
// trusts that origin (--trust).
//
// A client secret keyhole got by registering is bound to the origin of the
// registration endpoint that gave it: it goes to a token endpoint there, or
// at an origin the user trusts.
func (o *OAuth2) secretMayGo() error {
	if o.TokenURL == "" {
		return nil
	}
	o.mu.Lock()
	registered, from := o.registered && o.ClientSecret != "", o.registrationURL
	o.mu.Unlock()
	if registered {
		bound, _ := httpclient.OriginOfURL(from)
		to, _ := httpclient.OriginOfURL(o.TokenURL)
		if ok, why := httpclient.MaySendSecret(bound, to, o.Trusted); !ok {
			return &HeldBack{What: "the client secret the registration gave", To: o.TokenURL, Reason: why + "; it goes there only if you trust " + safeLine(to.String()),
				Give: []string{GiveTrust + "=" + to.String()}}
		}
	}
	what := o.secrets()
	if what == "" {
		return nil
	}
	return o.mayGo(what)
}

// mayGo is the trust rule for what, which a token request carries.
func (o *OAuth2) mayGo(what string) error {
	tu, err := url.Parse(o.TokenURL)
	if err != nil {
		return fmt.Errorf("oauth2: the token URL %q is not a URL", safeLine(o.TokenURL))
	}
	if tu.Scheme == "http" && !httpclient.OriginOf(tu).IsLoopback() {
		return &HeldBack{What: what, To: o.TokenURL, Reason: "it is plain http off this machine, where anyone on the way can read it; use the https:// token endpoint"}
	}
	o.mu.Lock()
	named, given := o.tokenNamed, o.requestURL
	if given == "" {
		given = o.Resource
	}
	o.mu.Unlock()
	if named == "" || given == "" {
		return nil // the user gave the token URL, or nothing says where the secret belongs
	}
	bound, _ := httpclient.OriginOfURL(given)
	ok, why := httpclient.MaySendSecret(bound, httpclient.OriginOf(tu), o.Trusted)
	if ok {
		return nil
	}
	origin := tu.Scheme + "://" + tu.Host
	return &HeldBack{What: what, To: o.TokenURL, Give: []string{GiveTrust + "=" + origin, "token_url"}, Reason: fmt.Sprintf(
		"the token endpoint was named by the metadata at %s, not by you: %s; it goes there only if you trust %s, or when you give the token URL yourself (Token URL)",
		safeLine(named), why, safeLine(origin))}
}

// certMayGo readies tls_client_auth (RFC 8705 §2): the token endpoint is
// the server's mtls_endpoint_aliases one when it names one (§5), it must be
// https, and it gets the client certificate only under the trust rule of a
// secret; then the client is told to present the certificate there (and at
// the pushed authorization request endpoint).
func (o *OAuth2) certMayGo() error {
	o.mu.Lock()
	if o.tokenNamed != "" && o.mtlsToken != "" && o.TokenURL != o.mtlsToken {
		o.TokenURL = o.mtlsToken
		o.endpointWhy = "; the token endpoint is the mutual-TLS one the server names (mtls_endpoint_aliases, RFC 8705 §5)"
	}
	if o.mtlsPAR != "" && o.parURL != "" {
		o.parURL = o.mtlsPAR
	}
	par := o.parURL
	o.mu.Unlock()
	if o.TokenURL == "" {
		return nil
	}
	tu, err := url.Parse(o.TokenURL)
	if err != nil {
		return fmt.Errorf("oauth2: the token URL %q is not a URL", safeLine(o.TokenURL))
	}
	if tu.Scheme != "https" {
		return fmt.Errorf("oauth2: tls_client_auth needs an https token endpoint, since the client certificate is presented in the TLS handshake; %s is %s", safeLine(o.TokenURL), safeLine(tu.Scheme))
	}
	if err := o.mayGo("the client certificate"); err != nil {
		return err
	}
	if o.PresentCertTo != nil {
		o.PresentCertTo(httpclient.OriginOf(tu))
		if pu, err := url.Parse(par); par != "" && err == nil && httpclient.SameOrigin(pu, tu) {
			o.PresentCertTo(httpclient.OriginOf(pu))
		}
	}
	return nil
}
