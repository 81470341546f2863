package session

import (
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strings"

	"keyhole/credentials"
)

// ParseProxy reads a proxy URL as both faces take it (-x, the proxy
// overlay): http, https, socks5 or socks5h, a host and no path; a bare
// host:port is http://, as curl reads it. User info is taken out of the URL
// and returned apart as "user[:password]", so that it answers the proxy's
// 407 in the open, as -U does, instead of going unseen on every request.
func ParseProxy(raw string) (proxy *url.URL, userinfo string, err error) {
	s := strings.TrimSpace(raw)
	if !strings.Contains(s, "://") {
		s = "http://" + s // curl's default proxy scheme
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.Path != "" && u.Path != "/" || u.RawQuery != "" {
		return nil, "", fmt.Errorf("%q is not a proxy URL; give one such as http://127.0.0.1:8402", raw)
	}
	switch u.Scheme = strings.ToLower(u.Scheme); u.Scheme {
	case "http", "https", "socks5", "socks5h":
	default:
		return nil, "", fmt.Errorf("keyhole cannot use a %s:// proxy; use http, https, socks5 or socks5h", u.Scheme)
	}
	if u.User != nil {
		userinfo = u.User.Username()
		if pw, ok := u.User.Password(); ok {
			userinfo += ":" + pw
		}
		u.User = nil
	}
	u.Path = ""
	return u, userinfo, nil
}

// BypassProxy reports whether host is in a no-proxy list, as curl's
// --noproxy and NO_PROXY read it: "*", a host name or any name under a
// domain ("example.com" and ".example.com" both match api.example.com), an
// IP address, or a CIDR block.
func BypassProxy(list, host string) bool {
	host = strings.ToLower(strings.TrimSuffix(strings.Trim(host, "[]"), "."))
	ip, ipErr := netip.ParseAddr(host)
	for _, e := range strings.Split(list, ",") {
		e = strings.ToLower(strings.Trim(strings.TrimSpace(e), "[]"))
		if e == "" {
			continue
		}
		if e == "*" {
			return true
		}
		if p, err := netip.ParsePrefix(e); err == nil {
			if ipErr == nil && p.Contains(ip.Unmap()) {
				return true
			}
			continue
		}
		e = strings.TrimSuffix(strings.TrimPrefix(e, "."), ".")
		if host == e || strings.HasSuffix(host, "."+e) {
			return true
		}
	}
	return false
}

// ProxyFunc is a client's proxy choice (httpclient.Options.Proxy): proxy,
// or with nil the environment's (HTTP_PROXY, HTTPS_PROXY, NO_PROXY), except
// for the hosts in noProxy. A fixed proxy, unlike HTTP_PROXY, also carries
// requests to loopback addresses, as curl's -x does. It returns nil (the
// environment's, unchanged) when both are empty.
func ProxyFunc(proxy *url.URL, noProxy string) func(*http.Request) (*url.URL, error) {
	if proxy == nil && noProxy == "" {
		return nil
	}
	return func(r *http.Request) (*url.URL, error) {
		if BypassProxy(noProxy, r.URL.Hostname()) {
			return nil, nil
		}
		if proxy != nil {
			return proxy, nil
		}
		return http.ProxyFromEnvironment(r)
	}
}

// ProxyModes are the schemes that answer a proxy's 407, as --proxy-auth
// names them, "auto" (any of them, what the proxy offers) first.
func ProxyModes() []string {
	modes := []string{"auto"}
	for _, d := range credentials.Schemes {
		if d.Proxy {
			modes = append(modes, d.Mode)
		}
	}
	return modes
}

// AtProxy readies a to answer the proxy at proxyURL: a Negotiate ticket is
// for HTTP/<the proxy's host>, the service that sent the 407, not for the
// host of the request going through it.
func AtProxy(a credentials.Authorizer, proxyURL string) credentials.Authorizer {
	if n, ok := a.(*credentials.Negotiate); ok {
		if u, err := url.Parse(proxyURL); err == nil {
			n.Host = u.Hostname()
		}
	}
	return a
}
