package ui

import (
	"strings"
	"testing"

	"keyhole/internal/oidctest"
	"keyhole/session"
)

// The OAuth 2.0 form's Client auth and Client key fields (the description's
// client_auth and client_key, keyhole send's --client-auth and --client-key)
// sign the token request with private_key_jwt (RFC 7523), which the
// oidc-provider server checks against the client's registered public key.
func TestOAuthFormPrivateKeyJWTAgainstOIDCProvider(t *testing.T) {
	path, jwk := oidctest.ClientKey(t)
	as := oidctest.Start(t, "CLIENT_JWK="+jwk)
	m := sized(t, New(Options{URL: as.Origin + "/api/aud"}), 120, 40)
	m = toOAuthForm(t, m)
	var labels []string
	for _, f := range m.form.fields {
		labels = append(labels, f.label)
	}
	// Token URL (empty: discovered), Client id, Client secret (none),
	// Scope, Resource, then the client's authentication.
	if got := strings.Join(labels, ","); got != "Token URL,Client id,Client secret,Scope,Resource,Client auth,Client key,Register" {
		t.Fatalf("fields %s", got)
	}
	m = fill(t, m, "", "cc-jwt", "", "read", "", "private_key_jwt", path)
	var token *session.Attempt
	for _, a := range m.sess.Attempts() {
		if a.Purpose == session.PurposeToken && a.Exchange != nil {
			token = a
		}
	}
	if token == nil || !strings.Contains(string(token.Exchange.Request.Body), "client_assertion_type") {
		t.Fatalf("no token request with a client assertion (status %q)\n%s", m.Status(), attemptsOf(m))
	}
	if last := m.sess.Last(); last.Status() != 200 {
		t.Fatalf("last attempt %d (status %q)\n%s", last.Status(), m.Status(), attemptsOf(m))
	}

	// private_key_jwt without the key is refused in the form, before any request.
	m = sized(t, New(Options{URL: as.Origin + "/api/aud"}), 120, 40)
	m = toOAuthForm(t, m)
	n := len(m.sess.Attempts())
	m = fill(t, m, "", "cc-jwt", "", "read", "", "private_key_jwt")
	if len(m.sess.Attempts()) != n || !strings.Contains(m.Status(), "needs the client's key") {
		t.Fatalf("private_key_jwt without a key: %d requests, status %q", len(m.sess.Attempts())-n, m.Status())
	}
}
