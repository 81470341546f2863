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
	// The challenge in words, above the finding in both faces, names it too.
	if w := Explain(a).Wants; len(w) != 1 || !strings.HasPrefix(w[0], "proxy: Negotiate, wants a Kerberos ticket for HTTP/localhost, the proxy's, not the server's") {
		t.Errorf("wants %q", w)
	}
	// Without a proxy on the way (a server answering 407 itself) there is
	// no host to name.
	direct := httptest.NewServer(proxy.Config.Handler)
	t.Cleanup(direct.Close)
	_, b := send(t, httpclient.Options{}, direct.URL)
	if f := finding(t, b, "proxy-auth-required"); !strings.Contains(f.Next, "Kerberos ticket for the proxy instead") {
		t.Errorf("direct 407: %q", f.Next)
	}
	if w := Explain(b).Wants; len(w) != 1 || !strings.Contains(w[0], "the proxy's HTTP/host") {
		t.Errorf("direct 407 wants %q", w)
	}
}
