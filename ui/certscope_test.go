package ui

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"keyhole/credentials"
	"keyhole/internal/oidctest"
)

// The attacker: the origin the client certificate was set for redirects to
// another (127.0.0.1 to localhost), which asks for a certificate too. The
// TUI follows the redirect but must not show it the certificate: the
// certificate goes to the origin of the URL being sent and nowhere else.
func TestClientCertStaysWithItsOrigin(t *testing.T) {
	ca := oidctest.NewCA(t)
	var otherSaw, firstSaw atomic.Int32
	other := ca.ServeTLS(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.TLS.PeerCertificates) > 0 {
			otherSaw.Add(1)
		}
		w.Write([]byte("elsewhere"))
	}), true)
	other = strings.Replace(other, "127.0.0.1", "localhost", 1)
	first := ca.ServeTLS(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.TLS.PeerCertificates) > 0 {
			firstSaw.Add(1)
		}
		http.Redirect(w, r, other+"/landing", http.StatusFound)
	}), true)

	m := sized(t, New(Options{URL: first + "/start"}), 120, 40)
	conf, err := credentials.ClientTLS(ca.ClientCert, ca.ClientKey, ca.CAFile, false)
	if err != nil {
		t.Fatal(err)
	}
	m = press(t, m, tlsMsg{conf: conf, paths: [3]string{ca.ClientCert, ca.ClientKey, ca.CAFile}})
	m = press(t, m, enter)
	if last := m.sess.Last(); last.Status() != 200 {
		t.Fatalf("last attempt %d (status %q)\n%s", last.Status(), m.Status(), attemptsOf(m))
	}
	if firstSaw.Load() == 0 {
		t.Fatal("the origin the certificate was set for did not get it")
	}
	if n := otherSaw.Load(); n != 0 {
		t.Fatalf("the redirect's origin was shown the client certificate (%d requests)", n)
	}
}
