package httpclient

import (
	"context"
	"crypto/tls"
	"net/http"
	"slices"
	"sync"
)

// certScope presents the client certificate only to the origins it was
// given for. Go presents tls.Config.Certificates to every server that asks
// for one, a redirect target or a token endpoint a server named as much as
// the origin the user meant; a certificate is a credential (the server
// learns who holds it, and tls_client_auth and certificate-bound tokens
// authenticate with it), so it follows the same trust rule as a password.
type certScope struct {
	mu      sync.Mutex
	origins []Origin
}

type originKey struct{}

// withOrigin puts the origin req goes to in its context, where the TLS
// handshake (net/http runs it with the request's context values) finds it.
func withOrigin(req *http.Request) *http.Request {
	return req.WithContext(context.WithValue(req.Context(), originKey{}, OriginOf(req.URL)))
}

func (s *certScope) allows(o Origin) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.ContainsFunc(s.origins, func(t Origin) bool { return t.Covers(o) })
}

// scoped returns a copy of cfg that presents its certificate only where s
// allows: GetClientCertificate answers a server's request with no
// certificate for any other origin.
func (s *certScope) scoped(cfg *tls.Config) *tls.Config {
	c := cfg.Clone()
	certs := c.Certificates
	c.Certificates = nil
	c.GetClientCertificate = func(cri *tls.CertificateRequestInfo) (*tls.Certificate, error) {
		o, ok := cri.Context().Value(originKey{}).(Origin)
		if !ok || !s.allows(o) {
			return &tls.Certificate{}, nil
		}
		for i := range certs {
			if cri.SupportsCertificate(&certs[i]) == nil {
				return &certs[i], nil
			}
		}
		return &certs[0], nil
	}
	return c
}

// PresentCertTo lets the client certificate go to o too (a token endpoint
// that authenticates the client by it, RFC 8705). Idle connections are
// closed: one opened to o before, without the certificate, must not be
// reused for a request that needs it. It does nothing when the certificate
// is not scoped (Options.CertOrigins nil) or there is none.
func (c *Client) PresentCertTo(o Origin) {
	if c.certs == nil || c.certs.allows(o) {
		return
	}
	c.certs.mu.Lock()
	c.certs.origins = append(c.certs.origins, o)
	c.certs.mu.Unlock()
	c.tr.CloseIdleConnections()
}

// ScopeCertTo makes origins the only ones the client certificate goes to,
// replacing those before (the TUI's client outlives one URL: each send
// scopes it to the URL being sent). Idle connections are closed when the
// scope changes, so that one that showed the certificate is not reused for
// an origin out of scope. It does nothing for an unscoped client.
func (c *Client) ScopeCertTo(origins ...Origin) {
	if c.certs == nil {
		return
	}
	c.certs.mu.Lock()
	same := slices.Equal(c.certs.origins, origins)
	c.certs.origins = slices.Clone(origins)
	c.certs.mu.Unlock()
	if !same {
		c.tr.CloseIdleConnections()
	}
}
