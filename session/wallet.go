package session

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"keyhole/credentials"
	"keyhole/httpclient"
)

// OriginFor returns the origin a credential given for raw is bound to:
// scheme, host and port as curl compares them (httpclient.Origin). A bare
// host[:port] is http://, as curl reads a proxy without a scheme; socks5
// proxies have origins too.
func OriginFor(raw string) (httpclient.Origin, error) {
	s := strings.TrimSpace(raw)
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Hostname() == "" {
		return httpclient.Origin{}, fmt.Errorf("%q has no host; give scheme://host[:port]", raw)
	}
	o := httpclient.OriginOf(u)
	o.Host = strings.TrimSuffix(o.Host, ".")
	if o.Port == "" && strings.HasPrefix(o.Scheme, "socks5") {
		o.Port = "1080"
	}
	return o, nil
}

// sameOrigin reports whether raw is at o.
func sameOrigin(o httpclient.Origin, raw string) bool {
	other, err := OriginFor(raw)
	return err == nil && o.Host != "" && other == o
}

// Offer is one credential the user offered, bound to the origin it was
// given for: a server's origin, or for a proxy credential the proxy's.
type Offer struct {
	Auth credentials.Authorizer
	// Origin is where Auth may be sent; Run never sends it anywhere else.
	Origin httpclient.Origin
	// Proxy offers answer Proxy-Authenticate and go in Proxy-Authorization;
	// the others answer WWW-Authenticate only, so a server's password never
	// goes to a proxy nor a proxy's to the server.
	Proxy bool
	// Upfront offers go with the first request, before any challenge: the
	// scheme has no challenge of its own (API keys, SigV4) or the user said
	// so (--auth basic, curl -u). The others wait for a challenge they answer.
	Upfront bool
	// Source says where the user gave it, for the attempt lines and the
	// findings: "-u", "-U", "--token", "form", "profile work", "curl -u".
	Source string
	// Preferred offers answer before any other that could; among several,
	// the challenge rank (credentials.Preferred) decides. The TUI's "pick a
	// scheme" adds an offer and prefers it.
	Preferred bool
	// Accepts, when set, narrows the challenges the offer answers beyond
	// its scheme: a registry token answers only IsRegistryChallenge.
	Accepts func(httpclient.Challenge) bool
}

// Wallet is everything the user offered for one request: server and proxy
// credentials of any number of schemes, tokens and the OAuth clients that
// refresh them, and the client certificate named for the attempt lines.
// Run reads it; the faces fill it.
type Wallet struct {
	Offers []*Offer
	// ClientCert names the client certificate the client offers on https
	// (e.g. "client certificate CN=alice"), "" when none. The certificate
	// itself lives in the client's TLS configuration.
	ClientCert string
	// HeaderSource names where the draft's own headers came from ("-H",
	// "headers"), for an attempt that carries the user's own Authorization.
	// "" means "-H".
	HeaderSource string
}

// Add puts e in the wallet and returns it.
func (w *Wallet) Add(e *Offer) *Offer {
	w.Offers = append(w.Offers, e)
	return e
}

// Prefer makes e the one offer preferred among those that could answer.
func (w *Wallet) Prefer(e *Offer) {
	for _, x := range w.Offers {
		x.Preferred = x == e
	}
}

// SendUpfront makes the server offers for at whose scheme mode (a
// credentials.Modes value) can go before its challenge go with the first
// request from now on: a face's answer to a credentials-held-back finding
// (its Do). The offers are replaced, not changed, as a Run in flight reads
// them. It reports how many there were.
func (w *Wallet) SendUpfront(at httpclient.Origin, mode string) int {
	n := 0
	for i, e := range w.Offers {
		if e.Proxy || e.Origin != at || e.Upfront || e.Accepts != nil ||
			!slices.ContainsFunc(credentials.ForWire(e.Auth.Scheme()), func(d credentials.Description) bool { return d.Mode == mode && !d.Challenged }) {
			continue
		}
		up := *e
		up.Upfront = true
		w.Offers[i] = &up
		n++
	}
	return n
}

// Given reports whether the wallet holds any credential for the server
// (not the proxy).
func (w *Wallet) Given() bool {
	for _, e := range w.Offers {
		if !e.Proxy {
			return true
		}
	}
	return false
}

// answer picks the offer that answers one of chs: an offer of the same side
// (proxy or server), bound to at, not yet tried, whose scheme one challenge
// names. A preferred offer wins; otherwise the strongest challenge does
// (credentials.Preferred). It returns the offer, or nil.
func (w *Wallet) answer(chs []httpclient.Challenge, proxy bool, at httpclient.Origin, tried map[*Offer]bool) *Offer {
	header := httpclient.WWWAuthenticate
	if proxy {
		header = httpclient.ProxyAuthenticate
	}
	if at.Host == "" {
		return nil // no origin (no proxy on the way): nothing is bound to it
	}
	var usable []httpclient.Challenge
	var by []*Offer
	for _, c := range chs {
		if c.Header != header {
			continue
		}
		for _, e := range w.Offers {
			if e.Proxy != proxy || tried[e] || e.Origin != at || !c.Is(e.Auth.Scheme()) || (e.Accepts != nil && !e.Accepts(c)) {
				continue
			}
			if e.Preferred {
				return e
			}
			usable = append(usable, c)
			by = append(by, e)
			break
		}
	}
	if len(usable) == 0 {
		return nil
	}
	return by[max(credentials.Preferred(usable), 0)]
}

// upfront returns the offer to send with the first request to at (a proxy
// offer when proxy): a preferred upfront offer, else the first upfront one.
// With all, every server offer whose scheme can go before its challenge
// counts as upfront.
func (w *Wallet) upfront(at httpclient.Origin, proxy, all bool) *Offer {
	if at.Host == "" {
		return nil
	}
	var first *Offer
	for _, e := range w.Offers {
		if e.Proxy != proxy || e.Origin != at || !(e.Upfront || all && canGoFirst(e.Auth)) {
			continue
		}
		if e.Preferred {
			return e
		}
		if first == nil {
			first = e
		}
	}
	return first
}

// canGoFirst reports whether auth can be sent before any challenge: some
// description of its scheme needs none.
func canGoFirst(auth credentials.Authorizer) bool {
	for _, d := range credentials.ForWire(auth.Scheme()) {
		if !d.Challenged {
			return true
		}
	}
	return false
}
