package credentials

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// DPoPKey is the key pair that binds tokens to keyhole (RFC 9449). It lives
// only in memory, for one session: a DPoP key on disk would be a bearer secret.
type DPoPKey struct {
	key *ecdsa.PrivateKey
	jwk map[string]any
	Now func() time.Time // iat of proofs; nil means time.Now
}

// NewDPoPKey generates an ES256 (P-256) key.
func NewDPoPKey() (*DPoPKey, error) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("dpop: cannot generate a P-256 key: %w", err)
	}
	pub, err := k.PublicKey.ECDH()
	if err != nil {
		return nil, fmt.Errorf("dpop: %w", err)
	}
	pt := pub.Bytes() // 0x04 || X || Y, each 32 bytes
	b64 := base64.RawURLEncoding.EncodeToString
	return &DPoPKey{key: k, jwk: map[string]any{
		"kty": "EC", "crv": "P-256", "x": b64(pt[1:33]), "y": b64(pt[33:65]),
	}}, nil
}

// JWK returns the public key as a JSON Web Key.
func (k *DPoPKey) JWK() map[string]any {
	out := make(map[string]any, len(k.jwk))
	for n, v := range k.jwk {
		out[n] = v
	}
	return out
}

// Thumbprint is the RFC 7638 SHA-256 thumbprint of the public key: the
// "jkt" an authorization server puts in a bound token's cnf claim.
func (k *DPoPKey) Thumbprint() string {
	// RFC 7638 §3.2: the required members only, in lexicographic order, no spaces.
	s := fmt.Sprintf(`{"crv":"P-256","kty":"EC","x":"%s","y":"%s"}`, k.jwk["x"], k.jwk["y"])
	sum := sha256.Sum256([]byte(s))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// Proof signs a DPoP proof for one request: htm and htu (the URL without
// query and fragment, RFC 9449 §4.2), a fresh jti, iat, the server's nonce
// when it gave one, and ath (the hash of the access token) when accessToken
// is not "" — that is, at a resource rather than at the token endpoint.
func (k *DPoPKey) Proof(method, rawURL, accessToken, nonce string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", fmt.Errorf("dpop: cannot sign a proof for %q: %w", rawURL, err)
	}
	u.RawQuery, u.Fragment, u.RawFragment = "", "", ""
	now := time.Now
	if k.Now != nil {
		now = k.Now
	}
	jti := make([]byte, 16)
	rand.Read(jti)
	claims := jwt.MapClaims{
		"jti": base64.RawURLEncoding.EncodeToString(jti),
		"htm": strings.ToUpper(method),
		"htu": u.String(),
		"iat": now().Unix(),
	}
	if nonce != "" {
		claims["nonce"] = nonce
	}
	if accessToken != "" {
		claims["ath"] = AccessTokenHash(accessToken)
	}
	t := jwt.NewWithClaims(jwt.SigningMethodES256, claims)
	t.Header["typ"] = "dpop+jwt"
	t.Header["jwk"] = k.JWK()
	s, err := t.SignedString(k.key)
	if err != nil {
		return "", fmt.Errorf("dpop: cannot sign the proof: %w", err)
	}
	return s, nil
}

// AccessTokenHash is the ath claim: base64url(SHA-256(access token)).
func AccessTokenHash(accessToken string) string {
	sum := sha256.Sum256([]byte(accessToken))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// NonceTaker is an Authorizer that needs the DPoP-Nonce header of a response
// (RFC 9449 §9): the session hands it over before asking Rejected.
type NonceTaker interface {
	SetNonce(nonce string)
}

// dpopError reads the "error" of a JSON token-endpoint answer, to spot
// use_dpop_nonce (RFC 9449 §8), which x/oauth2 would report as a failure.
func dpopError(body []byte) string {
	var e struct {
		Error string `json:"error"`
	}
	json.Unmarshal(body, &e)
	return e.Error
}
