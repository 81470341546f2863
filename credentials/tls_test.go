package credentials

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"keyhole/httpclient"
)

// testPKI writes a CA, a client certificate signed by it and the client's key
// into a temporary directory.
type testPKI struct {
	dir                       string
	ca                        *x509.Certificate
	caFile, certFile, keyFile string
	otherKeyFile              string // a key that belongs to no certificate here
	certPEM, keyPEM           []byte
}

func newTestPKI(t *testing.T) *testPKI {
	t.Helper()
	p := &testPKI{dir: t.TempDir()}
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	p.ca, _ = x509.ParseCertificate(der)
	p.caFile = p.write(t, "ca.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))

	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leaf := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "alice"},
		NotBefore: tmpl.NotBefore, NotAfter: tmpl.NotAfter,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, KeyUsage: x509.KeyUsageDigitalSignature,
	}
	der, err = x509.CreateCertificate(rand.Reader, leaf, p.ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	p.certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	kder, _ := x509.MarshalPKCS8PrivateKey(key)
	p.keyPEM = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})
	p.certFile = p.write(t, "client.pem", p.certPEM)
	p.keyFile = p.write(t, "client-key.pem", p.keyPEM)
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	oder, _ := x509.MarshalPKCS8PrivateKey(other)
	p.otherKeyFile = p.write(t, "other-key.pem", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: oder}))
	return p
}

func (p *testPKI) write(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(p.dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestClientTLSErrors(t *testing.T) {
	p := newTestPKI(t)
	garbage := p.write(t, "garbage.pem", []byte("not a certificate\n"))
	der := p.write(t, "client.der", p.ca.Raw)
	encrypted := p.write(t, "enc.pem", pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte{1, 2, 3}}))
	missing := filepath.Join(p.dir, "absent.pem")
	tests := []struct {
		name                string
		cert, key, ca, want string
	}{
		{"missing certificate", missing, p.keyFile, "", "the client certificate file " + missing + " does not exist"},
		{"missing key", p.certFile, missing, "", "the private key file " + missing + " does not exist"},
		{"missing CA", p.certFile, p.keyFile, missing, "the CA certificate file " + missing + " does not exist"},
		{"key of another certificate", p.certFile, p.otherKeyFile, "", "does not belong to the certificate"},
		{"garbage certificate", garbage, p.keyFile, "", "holds no PEM certificate"},
		{"DER certificate", der, p.keyFile, "", "openssl x509 -inform der"},
		{"garbage key", p.certFile, garbage, "", "holds no PEM private key"},
		{"encrypted key", p.certFile, encrypted, "", "is encrypted; decrypt it first"},
		{"garbage CA", "", "", garbage, "holds no PEM certificate"},
		{"key without certificate", "", p.keyFile, "", "without its certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ClientTLS(tt.cert, tt.key, tt.ca, false)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "mtls: ") || strings.Contains(err.Error(), "\n") {
				t.Errorf("not a one-line mtls error: %q", err)
			}
		})
	}
}

func TestClientTLSHandshake(t *testing.T) {
	p := newTestPKI(t)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("hello " + r.TLS.PeerCertificates[0].Subject.CommonName))
	}))
	pool := x509.NewCertPool()
	pool.AddCert(p.ca)
	srv.TLS = &tls.Config{ClientCAs: pool, ClientAuth: tls.RequireAndVerifyClientCert}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes below are on purpose
	srv.StartTLS()
	defer srv.Close()
	// The test server's own certificate is signed by httptest's CA.
	serverCA := p.write(t, "server-ca.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}))
	combined := p.write(t, "combined.pem", append(append([]byte{}, p.certPEM...), p.keyPEM...))

	get := func(cfg *tls.Config) *httpclient.Exchange {
		return httpclient.New(httpclient.Options{TLS: cfg}).Do(context.Background(), &httpclient.Request{Method: "GET", URL: srv.URL, Header: http.Header{}})
	}
	for name, files := range map[string][2]string{"separate files": {p.certFile, p.keyFile}, "one combined file": {combined, ""}} {
		cfg, err := ClientTLS(files[0], files[1], serverCA, false)
		if err != nil {
			t.Fatal(err)
		}
		if ex := get(cfg); ex.Err != nil || string(ex.Response.Body) != "hello alice" {
			t.Errorf("%s: %v %+v", name, ex.Err, ex.Response)
		}
	}
	cfg, err := ClientTLS(p.certFile, p.keyFile, "", true)
	if err != nil || !cfg.InsecureSkipVerify {
		t.Fatalf("insecure: %v %+v", err, cfg)
	}
	if ex := get(cfg); ex.Err != nil {
		t.Errorf("insecure with a client certificate: %v", ex.Err)
	}
	cfg, _ = ClientTLS("", "", serverCA, false)
	if ex := get(cfg); ex.Err == nil {
		t.Error("no client certificate, yet the server answered")
	}
	cfg, _ = ClientTLS(p.certFile, p.keyFile, "", false)
	if ex := get(cfg); ex.Err == nil || !strings.Contains(ex.Err.Error(), "certificate") {
		t.Errorf("an unknown server CA: %v, want a verification error", ex.Err)
	}
}
