package httpclient

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// Origin is a URL's scheme, host and port, as curl compares them to decide
// whether credentials may follow a redirect: a credential is bound to the
// origin the user gave it for.
type Origin struct {
	Scheme string // lower case: "http" or "https"
	Host   string // lower case, without brackets around an IPv6 address
	Port   string // always set: the scheme's default when the URL has none
}

// OriginOf returns u's origin.
func OriginOf(u *url.URL) Origin {
	return Origin{Scheme: strings.ToLower(u.Scheme), Host: strings.ToLower(u.Hostname()), Port: port(u)}
}

// OriginOfURL returns the origin of raw; ok is false when raw is not an
// absolute http(s) URL.
func OriginOfURL(raw string) (o Origin, ok bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (!strings.EqualFold(u.Scheme, "http") && !strings.EqualFold(u.Scheme, "https")) {
		return Origin{}, false
	}
	return OriginOf(u), true
}

// ParseOrigin reads an origin the user trusts: scheme://host[:port], or
// host[:port], which then stands for both http and https (and, without a
// port, for any port of that host).
func ParseOrigin(s string) (Origin, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Origin{}, fmt.Errorf("an empty origin; give scheme://host:port or host[:port]")
	}
	if strings.Contains(s, "://") {
		u, err := url.Parse(s)
		if err != nil || !hostPortOK(u) || (u.Scheme != "http" && u.Scheme != "https") || (u.Path != "" && u.Path != "/") || u.User != nil || u.RawQuery != "" {
			return Origin{}, fmt.Errorf("%q is not an origin; give scheme://host[:port] such as https://auth.example.com", s)
		}
		return OriginOf(u), nil
	}
	u, err := url.Parse("//" + s)
	if err != nil || !hostPortOK(u) || u.Path != "" || u.User != nil {
		return Origin{}, fmt.Errorf("%q is not an origin; give host[:port] or scheme://host[:port]", s)
	}
	return Origin{Host: strings.ToLower(u.Hostname()), Port: u.Port()}, nil
}

// hostPortOK reports whether u names a host, an IPv6 one in brackets, and
// a port, if any, from 1 to 65535: url.Parse takes ":::" or "h:99999".
func hostPortOK(u *url.URL) bool {
	h := u.Hostname()
	if h == "" || strings.Contains(h, ":") && !strings.HasPrefix(u.Host, "[") {
		return false
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		return err == nil && n >= 1 && n <= 65535
	}
	return !strings.HasSuffix(u.Host, ":")
}

// String writes the origin as scheme://host:port, the port left out when it is
// the scheme's default; an origin parsed from host[:port] has no scheme.
func (o Origin) String() string {
	host := o.Host
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	p := o.Port
	if (o.Scheme == "http" && p == "80") || (o.Scheme == "https" && p == "443") {
		p = ""
	}
	if p != "" {
		host += ":" + p
	}
	if o.Scheme == "" {
		return host
	}
	return o.Scheme + "://" + host
}

// Covers reports whether o, an origin the user trusts, includes target: the
// same scheme, host and port, where a trusted origin without scheme or port
// matches any.
func (o Origin) Covers(target Origin) bool {
	return (o.Scheme == "" || o.Scheme == target.Scheme) && o.Host == target.Host && (o.Port == "" || o.Port == target.Port)
}

// IsLoopback reports whether o's host is localhost or a loopback address.
func (o Origin) IsLoopback() bool { return isLoopbackHost(o.Host) }

func isLoopbackHost(h string) bool {
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// MaySendSecret is the trust boundary: may a secret the user gave for the
// origin bound go to target, which a server named (a registry realm, a token
// endpoint, an authorization server, a Location)? Yes to bound itself, and
// to an origin the user trusts explicitly (trusted); never to another origin
// over plain http off loopback, trusted or not. When the answer is no, why says so
// in a sentence that names target.
func MaySendSecret(bound, target Origin, trusted []Origin) (ok bool, why string) {
	if bound == target {
		return true, ""
	}
	if target.Scheme == "http" && !target.IsLoopback() {
		return false, fmt.Sprintf("%s is plain http off this machine, where anyone on the way could read it", SafeLine(target.String()))
	}
	for _, t := range trusted {
		if t.Covers(target) {
			return true, ""
		}
	}
	if bound.Host == "" {
		return false, fmt.Sprintf("%s was named by a server, and keyhole does not know which origin the secret was given for", SafeLine(target.String()))
	}
	return false, fmt.Sprintf("%s is another origin than %s, where it was given, and a server chose it", SafeLine(target.String()), SafeLine(bound.String()))
}

type withheldKey struct{}

// WithWithheld notes on ctx what was held back from the requests made with
// it and why, so that the recorder files the note with the exchange
// (Exchange.Withheld) and the diagnosis can explain it.
func WithWithheld(ctx context.Context, note string) context.Context {
	prev, _ := ctx.Value(withheldKey{}).([]string)
	return context.WithValue(ctx, withheldKey{}, append(prev[:len(prev):len(prev)], note))
}

func withheldOf(ctx context.Context) []string {
	w, _ := ctx.Value(withheldKey{}).([]string)
	return w
}
