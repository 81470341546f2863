package session

import (
	"cmp"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"os"
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

// ProxyFunc is a client's proxy choice (httpclient.Options.Proxy), as curl
// makes it: proxy (-x) when set, else the one the environment names for
// the URL's scheme (EnvProxy); none for a host in noProxy (--noproxy) or,
// when noProxy is nil, in no_proxy or NO_PROXY, which apply to -x too. A
// given but empty noProxy overrides the environment, as curl's --noproxy ”.
// Unlike Go's http.ProxyFromEnvironment, requests to loopback hosts go
// through the proxy as well, as curl sends them. The environment is read
// on each request.
func ProxyFunc(proxy *url.URL, noProxy *string) func(*http.Request) (*url.URL, error) {
	return proxyFunc(proxy, noProxy, os.Getenv)
}

func proxyFunc(proxy *url.URL, noProxy *string, getenv func(string) string) func(*http.Request) (*url.URL, error) {
	return func(r *http.Request) (*url.URL, error) {
		if BypassProxy(noProxyList(noProxy, getenv), r.URL.Hostname()) {
			return nil, nil
		}
		if proxy != nil {
			return proxy, nil
		}
		u, _, err := envProxy(r.URL.Scheme, getenv)
		if u != nil {
			u.User = nil // never sent unseen: keyhole send answers the 407 with it (EnvProxy)
		}
		return u, err
	}
}

// EnvProxy is the proxy the environment names for a request to rawURL, user
// info kept, and the variable that named it, as curl reads them:
// http_proxy for http:// (lower-case only: curl ignores HTTP_PROXY, which
// a CGI request's Proxy header could set), https_proxy or HTTPS_PROXY for
// https://, else all_proxy or ALL_PROXY. nil when none is set or the
// no-proxy list (noProxy, or no_proxy when it is nil, as in ProxyFunc)
// lists the host.
func EnvProxy(rawURL string, noProxy *string) (*url.URL, string, error) {
	u, err := url.Parse(rawURL)
	if err != nil || BypassProxy(noProxyList(noProxy, os.Getenv), u.Hostname()) {
		return nil, "", nil
	}
	return envProxy(u.Scheme, os.Getenv)
}

// noProxyList is the no-proxy list in force: noProxy when given, even
// empty (curl's --noproxy ” overrides no_proxy), else no_proxy or NO_PROXY.
func noProxyList(noProxy *string, getenv func(string) string) string {
	if noProxy != nil {
		return *noProxy
	}
	return cmp.Or(getenv("no_proxy"), getenv("NO_PROXY"))
}

func envProxy(scheme string, getenv func(string) string) (*url.URL, string, error) {
	names := []string{"all_proxy", "ALL_PROXY"}
	switch strings.ToLower(scheme) {
	case "http":
		names = append([]string{"http_proxy"}, names...)
	case "https":
		names = append([]string{"https_proxy", "HTTPS_PROXY"}, names...)
	}
	for _, name := range names {
		raw := getenv(name)
		if raw == "" {
			continue
		}
		u, userinfo, err := ParseProxy(raw)
		if err != nil { // said without the value, which may hold a password
			return nil, name, fmt.Errorf("%s is not a proxy URL keyhole can use; give one such as http://127.0.0.1:3128 (http, https, socks5 or socks5h), or unset it", name)
		}
		if userinfo != "" {
			user, pass, ok := strings.Cut(userinfo, ":")
			u.User = url.User(user)
			if ok {
				u.User = url.UserPassword(user, pass)
			}
		}
		return u, name, nil
	}
	return nil, "", nil
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
