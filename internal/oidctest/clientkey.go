package oidctest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
)

// ClientKey writes a new P-256 private key as PEM in a temporary directory
// and returns its path and its public JWK, for server.js's cc-jwt client
// (Start(t, "CLIENT_JWK="+jwk)) and private_key_jwt (RFC 7523).
func ClientKey(t testing.TB) (path, jwk string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(t.TempDir(), "client.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	pt, err := key.PublicKey.ECDH()
	if err != nil {
		t.Fatal(err)
	}
	b := pt.Bytes()
	j, _ := json.Marshal(map[string]string{"kty": "EC", "crv": "P-256", "alg": "ES256",
		"x": base64.RawURLEncoding.EncodeToString(b[1:33]), "y": base64.RawURLEncoding.EncodeToString(b[33:65])})
	return path, string(j)
}
