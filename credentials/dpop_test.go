package credentials

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"encoding/base64"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestDPoPProofVerifiesWithItsOwnJWK(t *testing.T) {
	k, err := NewDPoPKey()
	if err != nil {
		t.Fatal(err)
	}
	k.Now = func() time.Time { return t0 }
	proof, err := k.Proof("get", "https://rs.example/r?q=1#frag", "at-123", "n1")
	if err != nil {
		t.Fatal(err)
	}
	claims := jwt.MapClaims{}
	tok, err := jwt.ParseWithClaims(proof, claims, func(tok *jwt.Token) (any, error) {
		if tok.Header["typ"] != "dpop+jwt" {
			t.Errorf("typ %v", tok.Header["typ"])
		}
		jwk := tok.Header["jwk"].(map[string]any)
		if _, private := jwk["d"]; private {
			t.Error("private key in the proof")
		}
		x, _ := base64.RawURLEncoding.DecodeString(jwk["x"].(string))
		y, _ := base64.RawURLEncoding.DecodeString(jwk["y"].(string))
		return ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, x...), y...))
	}, jwt.WithValidMethods([]string{"ES256"}), jwt.WithTimeFunc(func() time.Time { return t0 }))
	if err != nil || !tok.Valid {
		t.Fatalf("proof does not verify: %v", err)
	}
	want := map[string]any{"htm": "GET", "htu": "https://rs.example/r", "nonce": "n1", "ath": AccessTokenHash("at-123"), "iat": float64(t0.Unix())}
	for name, v := range want {
		if claims[name] != v {
			t.Errorf("%s = %v, want %v", name, claims[name], v)
		}
	}
	again, _ := k.Proof("GET", "https://rs.example/r", "", "")
	c2 := jwt.MapClaims{}
	jwt.NewParser().ParseUnverified(again, c2)
	if c2["jti"] == claims["jti"] || c2["ath"] != nil || c2["nonce"] != nil {
		t.Fatalf("second proof: %v", c2)
	}
}

// RFC 9449 §4.2: ath of the example access token "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU".
func TestAccessTokenHashVector(t *testing.T) {
	if got := AccessTokenHash("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"); got != "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo" {
		t.Fatalf("ath = %s", got)
	}
}

func TestThumbprintIsStableAndPerKey(t *testing.T) {
	a, _ := NewDPoPKey()
	b, _ := NewDPoPKey()
	if a.Thumbprint() != a.Thumbprint() || a.Thumbprint() == b.Thumbprint() || len(a.Thumbprint()) != 43 {
		t.Fatalf("thumbprints %s %s", a.Thumbprint(), b.Thumbprint())
	}
}
