package credentials

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"strings"
)

// ClientTLS builds the TLS configuration for mutual TLS: the client
// certificate and key (keyFile may be "" when certFile holds both), the CA
// that signed the server's certificate (replacing the system roots, as curl's
// --cacert does; "" keeps them), and insecure to skip verifying the server.
// Each error names the file and says how to fix it, because a bad client
// certificate otherwise shows up only as a handshake failure.
func ClientTLS(certFile, keyFile, caFile string, insecure bool) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: insecure}
	switch {
	case certFile != "":
		if keyFile == "" {
			keyFile = certFile
		}
		cert, err := loadClientCert(certFile, keyFile)
		if err != nil {
			return nil, err
		}
		cfg.Certificates = []tls.Certificate{cert}
	case keyFile != "":
		return nil, errors.New("mtls: a private key was given without its certificate; give the certificate file too")
	}
	if caFile != "" {
		data, err := readTLSFile("CA certificate", caFile)
		if err != nil {
			return nil, err
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(data) {
			return nil, fmt.Errorf("mtls: %s holds no PEM certificate (-----BEGIN CERTIFICATE-----); give the CA in PEM form", caFile)
		}
		cfg.RootCAs = pool
	}
	return cfg, nil
}

func loadClientCert(certFile, keyFile string) (tls.Certificate, error) {
	certPEM, err := readTLSFile("client certificate", certFile)
	if err != nil {
		return tls.Certificate{}, err
	}
	keyPEM, err := readTLSFile("private key", keyFile)
	if err != nil {
		return tls.Certificate{}, err
	}
	if !hasPEMBlock(certPEM, func(t string) bool { return t == "CERTIFICATE" }) {
		return tls.Certificate{}, fmt.Errorf("mtls: %s holds no PEM certificate (-----BEGIN CERTIFICATE-----); if it is DER, convert it: openssl x509 -inform der -in %s -out cert.pem", certFile, certFile)
	}
	if bytes.Contains(keyPEM, []byte("ENCRYPTED")) {
		return tls.Certificate{}, fmt.Errorf("mtls: the private key in %s is encrypted; decrypt it first: openssl pkey -in %s -out key.pem", keyFile, keyFile)
	}
	if !hasPEMBlock(keyPEM, func(t string) bool { return strings.HasSuffix(t, "PRIVATE KEY") }) {
		return tls.Certificate{}, fmt.Errorf("mtls: %s holds no PEM private key (-----BEGIN PRIVATE KEY-----); give the key file that goes with the certificate", keyFile)
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		if strings.Contains(err.Error(), "does not match") {
			return tls.Certificate{}, fmt.Errorf("mtls: the private key in %s does not belong to the certificate in %s; give the key the certificate was issued for", keyFile, certFile)
		}
		return tls.Certificate{}, fmt.Errorf("mtls: cannot use %s with %s: %v", certFile, keyFile, err)
	}
	return cert, nil
}

func readTLSFile(what, path string) ([]byte, error) {
	limit := int64(MaxSmallFile)
	if what == "CA certificate" {
		limit = MaxCABundle
	}
	data, err := ReadFileLimit(path, limit)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("mtls: the %s file %s does not exist; check the path", what, path)
	case err != nil:
		return nil, fmt.Errorf("mtls: cannot read the %s file %s: %w", what, path, err)
	}
	return data, nil
}

func hasPEMBlock(data []byte, want func(string) bool) bool {
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return false
		}
		if want(b.Type) {
			return true
		}
	}
}
