package practice_test

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"keyhole/credentials"
	"keyhole/practice"
)

// keyhole practice --tls: https with a fresh CA, and /mtls answered with the
// client certificate it wrote.
func TestStartTLSServesMTLS(t *testing.T) {
	srv, err := practice.Start(practice.Options{TLS: true})
	if err != nil {
		t.Fatal(err)
	}
	dir := srv.TLSDir
	cfg, err := credentials.ClientTLS(filepath.Join(dir, "client.pem"), filepath.Join(dir, "client-key.pem"), filepath.Join(dir, "ca.pem"), false)
	if err != nil {
		t.Fatal(err)
	}
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}}
	resp, err := hc.Get(srv.URL + "/mtls")
	if err != nil {
		t.Fatalf("GET /mtls over TLS: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET /mtls with the client certificate: %d, want 200", resp.StatusCode)
	}
	if srv.URL[:8] != "https://" {
		t.Errorf("URL %q is not https", srv.URL)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("Close left the TLS folder %s behind (%v)", dir, err)
	}
}
