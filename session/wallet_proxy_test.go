package session

import (
	"strings"
	"testing"

	"keyhole/credentials"
)

// -U and --proxy-auth become proxy offers: -U : (no user) is the Kerberos
// ticket only, a mode keeps one scheme, and a Negotiate offer asks its
// ticket for the proxy's host, not the request's.
func TestGivenProxyOffers(t *testing.T) {
	const proxy = "http://proxy.example:3128"
	for _, c := range []struct {
		user, mode, want, err string
	}{
		{":", "", "Negotiate proxy@http://proxy.example:3128 from -U", ""},
		{":", "negotiate", "Negotiate proxy@http://proxy.example:3128 from -U", ""},
		{":", "basic", "Basic proxy@http://proxy.example:3128 from -U", ""}, // curl -U : sends an empty Basic too
		{"bob:pw", "ntlm", "NTLM proxy@http://proxy.example:3128 from -U", ""},
		{"bob:pw", "auto", "Basic proxy@http://proxy.example:3128 from -U, Digest proxy@http://proxy.example:3128 from -U, NTLM proxy@http://proxy.example:3128 from -U, Negotiate proxy@http://proxy.example:3128 from -U", ""},
		{"bob:pw", "bearer", "", `keyhole cannot answer a proxy with "bearer"; use auto, basic, digest, ntlm, negotiate`},
		{"bob:pw", "nonsense", "", `keyhole cannot answer a proxy with "nonsense"`},
	} {
		g := &Given{URL: "http://127.0.0.1:8401/x", Mode: "none", ProxyUser: c.user, ProxyMode: c.mode, ProxySource: "-U", Proxy: proxy}
		w, err := g.Wallet()
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q %q: error %v, want %q", c.user, c.mode, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q %q: %v", c.user, c.mode, err)
			continue
		}
		if got := offersOf(w); got != c.want {
			t.Errorf("%q %q:\n got %s\nwant %s", c.user, c.mode, got, c.want)
		}
		for _, o := range w.Offers {
			if n, ok := o.Auth.(*credentials.Negotiate); ok && n.Host != "proxy.example" {
				t.Errorf("%q %q: the proxy's Negotiate asks a ticket for %q", c.user, c.mode, n.Host)
			}
		}
	}
}
