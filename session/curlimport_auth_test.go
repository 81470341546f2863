package session

import (
	"strconv"
	"strings"
	"testing"

	"keyhole/credentials"
)

// A pasted Authorization header becomes masked credentials, not a header
// shown in plain text; schemes keyhole does not build stay headers.
func TestParseCurlLiftsAuthorizationHeader(t *testing.T) {
	im, err := ParseCurl(`curl -H 'Authorization: Bearer tok-123' http://127.0.0.1:1/x`)
	if err != nil {
		t.Fatal(err)
	}
	if im.Auth != "bearer" || im.Values["token"] != "tok-123" || im.Request.Header.Get("Authorization") != "" {
		t.Errorf("bearer: auth %q token %q header %q", im.Auth, im.Values["token"], im.Request.Header.Get("Authorization"))
	}
	im, err = ParseCurl(`curl -H 'authorization: basic YWxpY2U6d29uZGVybGFuZA==' http://127.0.0.1:1/x`)
	if err != nil {
		t.Fatal(err)
	}
	if im.Auth != "basic" || im.User != "alice" || im.Password != "wonderland" || im.Request.Header.Get("Authorization") != "" {
		t.Errorf("basic: %+v", im)
	}
	for _, cmd := range []string{
		`curl -H 'Authorization: Digest username="a"' http://127.0.0.1:1/x`,
		`curl -u bob:pw -H 'Authorization: Bearer other' http://127.0.0.1:1/x`,
		`curl -H 'Authorization: Basic !!notbase64' http://127.0.0.1:1/x`,
	} {
		im, err := ParseCurl(cmd)
		if err != nil {
			t.Fatal(err)
		}
		if im.Request.Header.Get("Authorization") == "" {
			t.Errorf("%s: the header was taken although it is not a plain Basic or Bearer to lift", cmd)
		}
	}
}

// TestParseCurlAuthAndProxy is how each of curl's scheme, proxy, netrc and
// cookie options lands in the import, and what it says it cannot do.
func TestParseCurlAuthAndProxy(t *testing.T) {
	const u = " http://127.0.0.1:1/x"
	type want struct {
		auth, user, password                       string
		proxy, proxyUser, proxyPassword, proxyAuth string
		noProxy, netrc, netrcFile, token, cannot   string
		unknown                                    string
	}
	cases := []struct {
		cmd  string
		want want
	}{
		{"curl -u a:b" + u, want{auth: "basic", user: "a", password: "b"}},
		{"curl --basic -u a:b" + u, want{auth: "basic", user: "a", password: "b"}},
		{"curl --digest -u a:b" + u, want{auth: "digest", user: "a", password: "b"}},
		{"curl -u a:b --digest" + u, want{auth: "digest", user: "a", password: "b"}},
		{"curl --anyauth -u a:b" + u, want{auth: "auto", user: "a", password: "b"}},
		{"curl --ntlm -u a:b" + u, want{auth: "ntlm", user: "a", password: "b"}},
		{"curl --negotiate -u :" + u, want{auth: "negotiate"}},
		{"curl --negotiate -u alice:pw" + u, want{auth: "negotiate", user: "alice", password: "pw"}},
		{"curl --digest" + u, want{unknown: "--digest (without -u)"}},
		{"curl -u a:b --oauth2-bearer tok" + u, want{auth: "bearer", user: "a", password: "b", token: "tok"}},
		{"curl -x 127.0.0.1:3128" + u, want{proxy: "127.0.0.1:3128"}},
		{"curl --proxy http://p:1 -U bob:pw" + u, want{proxy: "http://p:1", proxyUser: "bob", proxyPassword: "pw", proxyAuth: "basic"}},
		{"curl -x http://p:1 -U bob:pw --proxy-basic" + u, want{proxy: "http://p:1", proxyUser: "bob", proxyPassword: "pw", proxyAuth: "basic"}},
		{"curl -x http://p:1 --proxy-anyauth -U bob:pw" + u, want{proxy: "http://p:1", proxyUser: "bob", proxyPassword: "pw", proxyAuth: "auto"}},
		{"curl -x http://p:1 -U bob:pw --proxy-digest" + u, want{proxy: "http://p:1", proxyUser: "bob", proxyPassword: "pw", proxyAuth: "digest"}},
		{"curl -x http://p:1 -U bob:pw --proxy-ntlm" + u, want{proxy: "http://p:1", proxyUser: "bob", proxyPassword: "pw", proxyAuth: "ntlm"}},
		{"curl -x http://bob:pw@p:1" + u, want{proxy: "http://p:1", proxyUser: "bob", proxyPassword: "pw", proxyAuth: "basic"}},
		{"curl -x http://p:1 -U bob:pw --proxy-negotiate -u a:b --digest" + u, want{auth: "digest", user: "a", password: "b", proxy: "http://p:1",
			proxyUser: "bob", proxyPassword: "pw", proxyAuth: "negotiate"}},
		// The Kerberos ticket needs no user: -U : as curl spells it, or none.
		{"curl -x http://p:1 --proxy-negotiate -U :" + u, want{proxy: "http://p:1", proxyAuth: "negotiate"}},
		{"curl -x http://p:1 --proxy-negotiate" + u, want{proxy: "http://p:1", proxyAuth: "negotiate"}},
		{"curl -x http://p:1 --proxy-digest" + u, want{proxy: "http://p:1", unknown: "--proxy-digest (without -U)"}},
		{"curl --socks5-hostname 127.0.0.1:1080" + u, want{proxy: "socks5h://127.0.0.1:1080"}},
		{"curl --socks5 127.0.0.1:1080" + u, want{proxy: "socks5://127.0.0.1:1080"}},
		{"curl -x p:1 --noproxy '*'" + u, want{proxy: "p:1", noProxy: `"*"`}},
		{"curl -x p:1 --noproxy ''" + u, want{proxy: "p:1", noProxy: `""`}}, // given empty: no_proxy is overridden
		{"curl -n" + u, want{netrc: "required"}},
		{"curl --netrc-optional" + u, want{netrc: "optional"}},
		{"curl --netrc-file /tmp/n --netrc-optional" + u, want{netrc: "optional", netrcFile: "/tmp/n"}},
		{"curl --netrc-file /tmp/n" + u, want{netrc: "required", netrcFile: "/tmp/n"}},
		{"curl -b jar.txt" + u, want{cannot: "keyhole does not read cookie files: -b jar.txt ignored; give the cookies themselves, e.g. -b 'name=value'"}},
	}
	for _, c := range cases {
		im, err := ParseCurl(c.cmd)
		if err != nil {
			t.Errorf("%s: %v", c.cmd, err)
			continue
		}
		noProxy := "" // not given
		if im.NoProxy != nil {
			noProxy = strconv.Quote(*im.NoProxy)
		}
		got := want{
			auth: im.Auth, user: im.User, password: im.Password,
			proxy: im.Proxy, proxyUser: im.ProxyUser, proxyPassword: im.ProxyPassword, proxyAuth: im.ProxyAuth,
			noProxy: noProxy, netrc: im.Netrc, netrcFile: im.NetrcFile, token: im.Values["token"],
			cannot: strings.Join(im.Cannot, " | "), unknown: strings.Join(im.Unknown, " | "),
		}
		if got != c.want {
			t.Errorf("%s:\n got %+v\nwant %+v", c.cmd, got, c.want)
		}
		// What keyhole cannot answer never becomes credentials it sends.
		if a, err := im.Authorizer(); im.Cannot != nil && strings.Contains(got.cannot, "the password") && (a != nil || err != nil) {
			t.Errorf("%s: Authorizer = %v, %v; want none", c.cmd, a, err)
		}
	}
}

// Every scheme whose description names a curl option that selects it is
// read back from curl's command line, for the server and, when it answers
// proxies, as --proxy-OPTION for the proxy; its offer names the option.
func TestParseCurlReadsEveryDescribedOption(t *testing.T) {
	for _, d := range credentials.Schemes {
		if d.Curl == "" || curlArgOptions()[d.Curl] {
			continue
		}
		im, err := ParseCurl(`curl ` + d.Curl + ` -u 'CORP\alice:pw' -x http://127.0.0.1:3128 http://127.0.0.1:1/x`)
		if err != nil {
			t.Fatal(err)
		}
		if im.Auth != d.Mode || im.User != `CORP\alice` {
			t.Errorf("%s: auth %q user %q, want %q", d.Curl, im.Auth, im.User, d.Mode)
		}
		offers, err := im.Offers()
		if err != nil || len(offers) != 1 || !strings.Contains(offers[0].Source, d.Curl) && d.Mode != "basic" {
			t.Errorf("%s: offers %v, %v", d.Curl, offers, err)
		}
		if !d.Proxy {
			continue
		}
		opt := "--proxy-" + strings.TrimPrefix(d.Curl, "--")
		im, err = ParseCurl(`curl ` + opt + ` -U 'CORP\alice:pw' -x http://127.0.0.1:3128 http://127.0.0.1:1/x`)
		if err != nil {
			t.Fatal(err)
		}
		if im.ProxyAuth != d.Mode || im.ProxyUser != `CORP\alice` {
			t.Errorf("%s: proxy auth %q user %q, want %q", opt, im.ProxyAuth, im.ProxyUser, d.Mode)
		}
		offers, err = im.Offers()
		if err != nil || len(offers) != 1 || offers[0].Source != "curl "+opt+" -U" && d.Mode != "basic" {
			t.Errorf("%s: offers %v, %v", opt, offers, err)
		}
	}
}
