package oidctest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// CA is a test certificate authority, written to a temporary directory:
// CAFile is its certificate (what --cacert and NODE_EXTRA_CA_CERTS take),
// ServerCert/ServerKey a certificate for 127.0.0.1 and localhost, and
// ClientCert/ClientKey a client certificate with subject CN=keyhole-client
// (the tls_client_auth client of server.js).
type CA struct {
	CAFile                string
	ServerCert, ServerKey string
	ClientCert, ClientKey string

	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

// NewCA makes a CA and its two leaf certificates, valid for an hour.
func NewCA(t testing.TB) *CA {
	t.Helper()
	dir := t.TempDir()
	key := newKey(t)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "keyhole test CA"},
		NotBefore: time.Now().Add(-time.Minute), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	ca := &CA{CAFile: filepath.Join(dir, "ca.pem"), cert: cert, key: key}
	writePEM(t, ca.CAFile, "CERTIFICATE", der)
	ca.ServerCert, ca.ServerKey = ca.leaf(t, dir, "server", &x509.Certificate{
		Subject: pkix.Name{CommonName: "127.0.0.1"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames: []string{"localhost"}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	ca.ClientCert, ca.ClientKey = ca.leaf(t, dir, "client", &x509.Certificate{
		Subject: pkix.Name{CommonName: "keyhole-client"}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	})
	return ca
}

func (ca *CA) leaf(t testing.TB, dir, name string, tmpl *x509.Certificate) (certFile, keyFile string) {
	t.Helper()
	key := newKey(t)
	n, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl.SerialNumber = n
	tmpl.NotBefore, tmpl.NotAfter = time.Now().Add(-time.Minute), time.Now().Add(time.Hour)
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, name+".pem"), filepath.Join(dir, name+"-key.pem")
	writePEM(t, certFile, "CERTIFICATE", der)
	writePEM(t, keyFile, "PRIVATE KEY", kder)
	return certFile, keyFile
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func writePEM(t testing.TB, path, typ string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

// StartTLS runs server.js with its TLS listener too (Server.TLSOrigin),
// which asks clients for a certificate of ca, and with Node trusting ca
// for the https documents it fetches.
func StartTLS(t testing.TB, ca *CA, env ...string) *Server {
	t.Helper()
	return Start(t, append([]string{"TLS_CERT=" + ca.ServerCert, "TLS_KEY=" + ca.ServerKey, "TLS_CA=" + ca.CAFile,
		"NODE_EXTRA_CA_CERTS=" + ca.CAFile}, env...)...)
}

// ServeTLS serves h over https on 127.0.0.1 with ca's server certificate,
// until t ends, and returns its origin. With clientCerts, it asks for a
// client certificate (of any issuer) and h sees it in r.TLS.
func (ca *CA) ServeTLS(t testing.TB, h http.Handler, clientCerts bool) string {
	t.Helper()
	cert, err := tls.LoadX509KeyPair(ca.ServerCert, ca.ServerKey)
	if err != nil {
		t.Fatal(err)
	}
	s := httptest.NewUnstartedServer(h)
	s.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	if clientCerts {
		s.TLS.ClientAuth = tls.RequestClientCert
	}
	s.StartTLS()
	t.Cleanup(s.Close)
	return s.URL
}
