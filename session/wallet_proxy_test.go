package session

import (
	"net/http"
	"net/url"
	"strconv"
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

// The proxy choice reads the environment as curl 7.88 does (checked by hand
// against curl and, through Squid, in TestSendEnvProxyNTLMSquid).
func TestProxyFuncReadsTheEnvironmentAsCurl(t *testing.T) {
	fixed, _, _ := ParseProxy("http://fixed.test:1")
	for _, c := range []struct {
		env     map[string]string
		fixed   *url.URL
		noProxy *string
		target  string
		want    string
	}{
		{map[string]string{"http_proxy": "env.test:3128"}, nil, nil, "http://127.0.0.1:8080/", "http://env.test:3128"},
		{map[string]string{"http_proxy": "env.test:3128"}, nil, nil, "http://localhost/", "http://env.test:3128"},
		{map[string]string{"HTTP_PROXY": "env.test:3128"}, nil, nil, "http://127.0.0.1/", ""},
		{map[string]string{"HTTPS_PROXY": "env.test:3128"}, nil, nil, "http://127.0.0.1/", ""},
		{map[string]string{"HTTPS_PROXY": "env.test:3128"}, nil, nil, "https://127.0.0.1/", "http://env.test:3128"},
		{map[string]string{"https_proxy": "a.test:1", "HTTPS_PROXY": "b.test:1"}, nil, nil, "https://x.test/", "http://a.test:1"},
		{map[string]string{"ALL_PROXY": "socks5h://all.test:1080"}, nil, nil, "https://x.test/", "socks5h://all.test:1080"},
		{map[string]string{"http_proxy": "http://u:pw@env.test:1"}, nil, nil, "http://x.test/", "http://env.test:1"},
		{map[string]string{"http_proxy": "env.test:1", "NO_PROXY": "x.test"}, nil, nil, "http://api.x.test/", ""},
		{map[string]string{"http_proxy": "env.test:1", "no_proxy": "y.test", "NO_PROXY": "x.test"}, nil, nil, "http://x.test/", "http://env.test:1"},
		{map[string]string{"http_proxy": "env.test:1", "NO_PROXY": "x.test"}, nil, new("other.test"), "http://x.test/", "http://env.test:1"},
		{map[string]string{"NO_PROXY": "x.test"}, fixed, nil, "http://x.test/", ""},
		{nil, fixed, nil, "http://x.test/", "http://fixed.test:1"},
		{nil, fixed, new("*"), "http://x.test/", ""},
		{nil, nil, nil, "http://x.test/", ""},
		// --noproxy '' overrides no_proxy: the proxy is used (curl 7.88:
		// no_proxy=127.0.0.1 curl -x P --noproxy '' http://127.0.0.1/ goes to P).
		{map[string]string{"http_proxy": "env.test:1", "no_proxy": "x.test"}, nil, new(""), "http://x.test/", "http://env.test:1"},
		{map[string]string{"NO_PROXY": "x.test"}, fixed, new(""), "http://x.test/", "http://fixed.test:1"},
	} {
		f := proxyFunc(c.fixed, c.noProxy, func(k string) string { return c.env[k] })
		u, _ := url.Parse(c.target)
		p, err := f(&http.Request{URL: u})
		got := ""
		if p != nil {
			got = p.String()
		}
		if err != nil || got != c.want {
			np := "(none)"
			if c.noProxy != nil {
				np = strconv.Quote(*c.noProxy)
			}
			t.Errorf("%v -x %v --noproxy %s, %s: %q %v, want %q", c.env, c.fixed, np, c.target, got, err, c.want)
		}
	}
	f := proxyFunc(nil, nil, func(k string) string { return map[string]string{"http_proxy": "ftp://u:secret@x"}[k] })
	_, err := f(&http.Request{URL: &url.URL{Scheme: "http", Host: "a.test"}})
	if err == nil || !strings.Contains(err.Error(), "http_proxy is not a proxy URL") || strings.Contains(err.Error(), "secret") {
		t.Errorf("a bad http_proxy: %v", err)
	}
}
