package credentials

import "golang.org/x/oauth2"

// PKCE is a proof key for one authorization code request (RFC 7636): the
// verifier stays with keyhole, the challenge goes in the authorization URL.
type PKCE struct {
	Verifier  string
	Challenge string
	Method    string // always "S256": "plain" protects nothing an attacker can see
}

// NewPKCE returns a fresh verifier (32 random bytes, base64url) and its S256 challenge.
func NewPKCE() PKCE { return PKCEFromVerifier(oauth2.GenerateVerifier()) }

// PKCEFromVerifier derives the S256 challenge of a given verifier.
func PKCEFromVerifier(verifier string) PKCE {
	return PKCE{Verifier: verifier, Challenge: oauth2.S256ChallengeFromVerifier(verifier), Method: "S256"}
}

// AuthOption is the pair of authorization URL parameters carrying the challenge.
func (p PKCE) AuthOption() oauth2.AuthCodeOption { return oauth2.S256ChallengeOption(p.Verifier) }

// ExchangeOption is the code_verifier parameter of the token request.
func (p PKCE) ExchangeOption() oauth2.AuthCodeOption { return oauth2.VerifierOption(p.Verifier) }
