package session

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"keyhole/httpclient"
)

// A proxy that answers 407 Negotiate wants a ticket for HTTP/<its own
// host>: the finding names that service, not the server's, whose name
// the user typed and would otherwise kinit for.
func TestProxyNegotiateNamesTheProxysService(t *testing.T) {
	var saw string
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		saw = r.URL.String()
		w.Header().Set("Proxy-Authenticate", "Negotiate")
		w.WriteHeader(http.StatusProxyAuthRequired)
	}))
	t.Cleanup(proxy.Close)
	// The proxy by name, the server a name that never resolves: only the
	// loopback proxy is ever reached.
	pu, _ := url.Parse(strings.Replace(proxy.URL, "127.0.0.1", "localhost", 1))
	_, a := send(t, httpclient.Options{Proxy: http.ProxyURL(pu)}, "http://intranet.keyhole.test/report")
	if saw != "http://intranet.keyhole.test/report" || a.Status() != 407 {
		t.Fatalf("the proxy saw %q, status %d", saw, a.Status())
	}
	f := finding(t, a, "proxy-auth-required")
	if !strings.Contains(f.Next, "Kerberos ticket for HTTP/localhost (the proxy's host, not the server's)") || strings.Contains(f.Next, "intranet") {
		t.Errorf("the finding does not name the proxy's service: %q", f.Next)
	}
	if f.Do.Kind != "proxy-credentials" || f.Do.Scheme != "Negotiate" {
		t.Errorf("do: %+v", f.Do)
	}
}
