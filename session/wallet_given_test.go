package session

import (
	"slices"
	"strings"
	"testing"

	"keyhole/credentials"
)

// offersOf lists a wallet's offers as "scheme[ up][ proxy] from SOURCE".
func offersOf(w *Wallet) string {
	var out []string
	for _, o := range w.Offers {
		s := o.Auth.Scheme()
		if o.Upfront {
			s += " up"
		}
		if o.Proxy {
			s += " proxy@" + o.Origin.String()
		}
		out = append(out, s+" from "+o.Source)
	}
	return strings.Join(out, ", ")
}

// What was given becomes offers by the scheme descriptions: which schemes,
// which go up front, which are the proxy's, and where each came from.
func TestGivenWallet(t *testing.T) {
	const url = "http://127.0.0.1:8401/x"
	for _, c := range []struct {
		mode   string
		values map[string]string
		proxy  string
		want   string
	}{
		{"", map[string]string{"user": "alice", "password": "pw"}, "", userOffers(t)},
		{"basic", map[string]string{"user": "alice", "password": "pw"}, "", "Basic up from -u"},
		{"digest", map[string]string{"user": "alice", "password": "pw"}, "", "Digest from -u"},
		{"", map[string]string{"token": "t"}, "", "Bearer from --token"},
		{"bearer", map[string]string{"token": "t"}, "", "Bearer up from --token"},
		{"", map[string]string{"api_key_name": "X-Key", "api_key": "k"}, "", "Bearer from anonymous, APIKey up from --api-key"},
		{"", map[string]string{"client_id": "c", "client_secret": "s"}, "", "Bearer from --client-id, Bearer from anonymous"},
		{"dpop", map[string]string{"client_id": "c"}, "", "DPoP up from --client-id"},
		// --token beside --refresh-token is the OAuth client's own token.
		{"", map[string]string{"token": "t", "refresh_token": "r", "client_id": "c"}, "", "Bearer from --client-id"},
		{"none", map[string]string{"user": "alice", "password": "pw"}, "", ""},
		{"", nil, "http://127.0.0.1:8402", "Basic proxy@http://127.0.0.1:8402 from -U, Digest proxy@http://127.0.0.1:8402 from -U, NTLM proxy@http://127.0.0.1:8402 from -U, Negotiate proxy@http://127.0.0.1:8402 from -U, Bearer from anonymous"},
	} {
		g := &Given{URL: url, Mode: c.mode, Values: c.values, ProxySource: "-U", Proxy: c.proxy}
		if c.proxy != "" {
			g.ProxyUser = "bob:pw"
		}
		w, err := g.Wallet()
		if err != nil {
			t.Errorf("%q %v: %v", c.mode, c.values, err)
			continue
		}
		if got := offersOf(w); got != c.want {
			t.Errorf("%q %v:\n got %s\nwant %s", c.mode, c.values, got, c.want)
		}
	}
	// -U with no proxy on the way is bound to nothing.
	w, err := (&Given{URL: url, Mode: "none", ProxyUser: "bob:pw", ProxySource: "-U"}).Wallet()
	if err != nil || len(w.Offers) != 0 {
		t.Errorf("-U without a proxy: %v %s", err, offersOf(w))
	}
	for _, c := range []struct {
		g    Given
		says string
	}{
		{Given{Mode: "bearer"}, "--auth bearer needs its credentials: --token"},
		{Given{Mode: "kerberos"}, `unknown mode "kerberos"`},
		{Given{Values: map[string]string{"token": "env:KEYHOLE_TEST_UNSET_9"}}, "--token: "},
		{Given{Values: map[string]string{"client_id": "c", "grant": "magic"}}, `grant "magic"`},
		// A value no scheme can send is said by where it came from; the
		// scheme only when the user chose it.
		{Given{ProxyUser: "a:b\x01", Proxy: "http://127.0.0.1:1", ProxySource: "-U"}, "-U: the password contains a control character"},
		{Given{Values: map[string]string{"user": "a", "password": "b\xff"}, Sources: map[string]string{"password": "curl -u"}}, "curl -u: the password is not valid UTF-8"},
		{Given{Mode: "ntlm", Values: map[string]string{"user": "a\x1b", "password": "b"}}, "-u: ntlm: the user name contains a control character"},
	} {
		c.g.URL = url
		_, err := c.g.Wallet()
		if err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%+v: error %v, want %q", c.g, err, c.says)
		}
	}
}

// userOffers is what -u alone offers: every scheme that takes a user and
// password (its description), each waiting for its challenge, the registry
// token asked for with it among them; a scheme added from its own file
// joins them.
func userOffers(t *testing.T) string {
	var out []string
	for _, d := range credentials.Schemes {
		if !d.Named && slices.ContainsFunc(d.Fields, func(f credentials.Field) bool { return f.Key == "user" && !f.Borrowed }) {
			out = append(out, d.Wire+" from -u")
		}
	}
	s := strings.Join(out, ", ")
	if !strings.HasPrefix(s, "Basic from -u, Digest from -u, Bearer from -u, NTLM from -u, Negotiate from -u") {
		t.Fatalf("-u's schemes: %s", s)
	}
	return s
}
