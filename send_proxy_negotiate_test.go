package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A proxy (-x, by name) that answers 407 Negotiate: send's challenge line
// and finding name the service whose ticket it wants, HTTP/<the proxy's
// host>, not the server's. The server's name never resolves: only the
// loopback proxy is reached.
func TestSendProxyNegotiateNamesTheProxysHost(t *testing.T) {
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Proxy-Authenticate", "Negotiate")
		w.WriteHeader(http.StatusProxyAuthRequired)
	}))
	t.Cleanup(proxy.Close)
	r := keyhole(t, runOpts{}, "send", "-x", strings.Replace(proxy.URL, "127.0.0.1", "localhost", 1), "http://intranet.keyhole.test/report")
	wantCode(t, r, exitAuth)
	for _, want := range []string{
		"challenge (Proxy-Authenticate): Negotiate, wants a Kerberos ticket for HTTP/localhost, the proxy's, not the server's",
		"Its Negotiate takes a Kerberos ticket for HTTP/localhost (the proxy's host, not the server's)",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
}
