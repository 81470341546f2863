package credentials

import (
	"crypto/md5"
	"encoding/hex"
	"net/http"
	"strings"
	"sync"
	"testing"

	"keyhole/httpclient"
)

// RFC 7616 §3.9.1 inputs, with the "of" of erratum 4495.
var rfc7616 = DigestInput{
	User: "Mufasa", Realm: "http-auth@example.org", Password: "Circle of Life",
	Method: "GET", URI: "/dir/index.html",
	Nonce:  "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
	CNonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
	NC:     "00000001", QOP: "auth",
}

func withInput(in DigestInput, f func(*DigestInput)) DigestInput { f(&in); return in }

func TestDigestResponseVectors(t *testing.T) {
	tests := []struct {
		name               string
		in                 DigestInput
		ha1, ha2, response string
		userhash           string
	}{{
		name: "RFC 7616 §3.9.1 MD5",
		in:   withInput(rfc7616, func(in *DigestInput) { in.Algorithm = "MD5" }),
		ha1:  "3d78807defe7de2157e2b0b6573a855f", ha2: "39aff3a2bab6126f332b942af96d3366",
		response: "8ca523f5e9506fed4657c9700eebdbec",
	}, {
		name:     "RFC 7616 §3.9.1 SHA-256",
		in:       withInput(rfc7616, func(in *DigestInput) { in.Algorithm = "SHA-256" }),
		ha1:      "7987c64c30e25f1b74be53f966b49b90f2808aa92faf9a00262392d7b4794232",
		ha2:      "9a3fdae9a622fe8de177c24fa9c070f2b181ec85e15dcbdc32e10c82ad450b04",
		response: "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
	}, {
		name:     "RFC 7616 §3.9.1 inputs, MD5-sess",
		in:       withInput(rfc7616, func(in *DigestInput) { in.Algorithm = "MD5-sess" }),
		response: "e783283f46242139c486a698fec7211d",
	}, {
		name:     "RFC 7616 §3.9.1 inputs, SHA-256-sess",
		in:       withInput(rfc7616, func(in *DigestInput) { in.Algorithm = "SHA-256-sess" }),
		response: "2fd51b3a77ad75bad6afad6003e818d767133c46d9e2749e7f5232ae1ea3efd7",
	}, {
		name: "RFC 7616 §3.9.2 SHA-512-256 with userhash, values corrected (erratum 4897)",
		in: DigestInput{
			Algorithm: "SHA-512-256", User: "J\u00e4s\u00f8n Doe", Realm: "api@example.org",
			Password: "Secret, or not?", Method: "GET", URI: "/doe.json",
			Nonce:  "5TsQWLVdgBdmrQ0XsxbDODV+57QdFR34I9HAbC/RVvkK",
			CNonce: "NTg6RKcb9boFIAS3KrFK9BGeh+iDa/sm6jUMp2wds69v", NC: "00000001", QOP: "auth",
		},
		userhash: "793263caabb707a56211940d90411ea4a575adeccb7e360aeb624ed06ece9b0b",
		response: "3798d4131c277846293534c3edc11bd8a5e4cdcbff78b05db9d95eeb1cec68a5",
	}, {
		name: "RFC 2617 §3.5",
		in: DigestInput{
			User: "Mufasa", Realm: "testrealm@host.com", Password: "Circle Of Life",
			Method: "GET", URI: "/dir/index.html", Nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093",
			CNonce: "0a4f113b", NC: "00000001", QOP: "auth",
		},
		response: "6629fae49393a05397450978507c4ef1",
	}, {
		// RFC 2069 has no published vector; this is H(HA1:nonce:HA2) built
		// from the §3.9.1 hashes above, which the MD5 row pins down.
		name: "RFC 2069, no qop",
		in: withInput(rfc7616, func(in *DigestInput) {
			in.Algorithm, in.QOP, in.NC, in.CNonce = "MD5", "", "", ""
		}),
		ha1: "3d78807defe7de2157e2b0b6573a855f", ha2: "39aff3a2bab6126f332b942af96d3366",
		response: md5Hex("3d78807defe7de2157e2b0b6573a855f:7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v:39aff3a2bab6126f332b942af96d3366"),
	}, {
		name: "auth-int hashes the body into A2",
		in: withInput(rfc7616, func(in *DigestInput) {
			in.Algorithm, in.QOP, in.Method, in.Body = "MD5", "auth-int", "POST", []byte("hello")
		}),
		ha2: md5Hex("POST:/dir/index.html:" + md5Hex("hello")),
	}, {
		name:     "algorithm names are case-insensitive",
		in:       withInput(rfc7616, func(in *DigestInput) { in.Algorithm = "sha-256" }),
		response: "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DigestResponse(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			check := func(what, got, want string) {
				if want != "" && got != want {
					t.Errorf("%s = %s, want %s", what, got, want)
				}
			}
			check("HA1", got.HA1, tt.ha1)
			check("HA2", got.HA2, tt.ha2)
			check("response", got.Response, tt.response)
			check("userhash", got.UserHash, tt.userhash)
		})
	}
}

func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestDigestResponseErrors(t *testing.T) {
	tests := []struct {
		name string
		in   DigestInput
		want string
	}{
		{"-sess without qop", withInput(rfc7616, func(in *DigestInput) { in.Algorithm, in.QOP = "SHA-256-sess", "" }), "requires qop for -sess"},
		{"unknown algorithm", withInput(rfc7616, func(in *DigestInput) { in.Algorithm = "SHA-1" }), `algorithm "SHA-1"`},
		{"unknown qop", withInput(rfc7616, func(in *DigestInput) { in.QOP = "crazy" }), `unknown qop "crazy"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DigestResponse(tt.in)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

// challenge parses one WWW-Authenticate value with the shared parser.
func digestChallenge(t *testing.T, value string) *httpclient.Challenge {
	t.Helper()
	h := http.Header{}
	h.Add("WWW-Authenticate", value)
	chs, _ := httpclient.ParseHeader(h, httpclient.WWWAuthenticate)
	if len(chs) != 1 {
		t.Fatalf("%q parsed into %d challenges", value, len(chs))
	}
	return &chs[0]
}

// params parses the Authorization value back, to check what was sent.
func digestParams(t *testing.T, value string) map[string]httpclient.Param {
	t.Helper()
	chs, problems := httpclient.ParseChallenges(value)
	if len(chs) != 1 || len(problems) != 0 {
		t.Fatalf("%q: %d challenges, problems %v", value, len(chs), problems)
	}
	out := map[string]httpclient.Param{}
	for _, p := range chs[0].Params {
		out[p.Name] = p
	}
	return out
}

func fixedCNonce(s string) func() (string, error) { return func() (string, error) { return s, nil } }

func TestDigestApplyRFC7616(t *testing.T) {
	for _, tt := range []struct{ alg, response string }{
		{"SHA-256", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"},
		{"MD5", "8ca523f5e9506fed4657c9700eebdbec"},
	} {
		t.Run(tt.alg, func(t *testing.T) {
			ch := digestChallenge(t, `Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=`+tt.alg+`, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`)
			d := &Digest{User: "Mufasa", Password: "Circle of Life", CNonce: fixedCNonce(rfc7616.CNonce)}
			r := &httpclient.Request{Method: "GET", URL: "http://www.example.org/dir/index.html", Header: http.Header{}}
			if err := d.Apply(r, ch); err != nil {
				t.Fatal(err)
			}
			v := r.Header.Get("Authorization")
			p := digestParams(t, v)
			want := map[string]string{
				"username": "Mufasa", "realm": "http-auth@example.org", "uri": "/dir/index.html",
				"algorithm": tt.alg, "nonce": rfc7616.Nonce, "nc": "00000001", "cnonce": rfc7616.CNonce,
				"qop": "auth", "response": tt.response, "opaque": "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS",
			}
			for k, w := range want {
				if p[k].Value != w {
					t.Errorf("%s = %q, want %q in %s", k, p[k].Value, w, v)
				}
			}
			for _, k := range []string{"algorithm", "qop", "nc"} {
				if p[k].Quoted {
					t.Errorf("%s is quoted in %s; RFC 7616 §3.4 forbids it", k, v)
				}
			}
		})
	}
}

func TestDigestApplyUserhashAndUTF8(t *testing.T) {
	const nonce, cnonce = "5TsQWLVdgBdmrQ0XsxbDODV+57QdFR34I9HAbC/RVvkK", "NTg6RKcb9boFIAS3KrFK9BGeh+iDa/sm6jUMp2wds69v"
	d := &Digest{User: "J\u00e4s\u00f8n Doe", Password: "Secret, or not?", CNonce: fixedCNonce(cnonce)}
	r := &httpclient.Request{Method: "GET", URL: "http://api.example.org/doe.json", Header: http.Header{}}
	ch := digestChallenge(t, `Digest realm="api@example.org", qop="auth", algorithm=SHA-512-256, nonce="`+nonce+`", opaque="HRPCssKJSGjCrkzDg8OhwpzCiGPChXYjwrI2QmXDnsOS", charset=UTF-8, userhash=true`)
	if err := d.Apply(r, ch); err != nil {
		t.Fatal(err)
	}
	p := digestParams(t, r.Header.Get("Authorization"))
	if got := p["username"].Value; got != "793263caabb707a56211940d90411ea4a575adeccb7e360aeb624ed06ece9b0b" {
		t.Errorf("username = %s, want the userhash", got)
	}
	if got := p["response"].Value; got != "3798d4131c277846293534c3edc11bd8a5e4cdcbff78b05db9d95eeb1cec68a5" {
		t.Errorf("response = %s", got)
	}
	if p["userhash"].Value != "true" || p["userhash"].Quoted {
		t.Errorf("userhash = %+v, want unquoted true", p["userhash"])
	}

	// Without userhash the non-ASCII name goes as username* (RFC 8187), never with username.
	ch = digestChallenge(t, `Digest realm="api@example.org", qop="auth", algorithm=SHA-512-256, nonce="`+nonce+`", charset=UTF-8`)
	r.Header = http.Header{}
	if err := d.Apply(r, ch); err != nil {
		t.Fatal(err)
	}
	p = digestParams(t, r.Header.Get("Authorization"))
	if got, want := p["username*"].Value, "UTF-8''J%C3%A4s%C3%B8n%20Doe"; got != want {
		t.Errorf("username* = %q, want %q", got, want)
	}
	if _, ok := p["username"]; ok {
		t.Error("both username and username* were sent")
	}
}

func TestDigestApplyChoices(t *testing.T) {
	tests := []struct {
		name      string
		challenge string
		user      string
		authInt   bool
		method    string
		url       string
		body      string
		want      map[string]string // "-" means absent
		wantErr   string
	}{{
		name:      "prefers auth over auth-int",
		challenge: `Digest realm="r", nonce="n", qop="auth-int, auth"`,
		want:      map[string]string{"qop": "auth"},
	}, {
		name:      "auth-int when the user asks",
		challenge: `Digest realm="r", nonce="n", qop="auth-int, auth"`,
		authInt:   true, method: "POST", body: "x=1",
		want: map[string]string{"qop": "auth-int"},
	}, {
		name:      "auth-int when it is all that is offered",
		challenge: `Digest realm="r", nonce="n", qop=auth-int`,
		want:      map[string]string{"qop": "auth-int"},
	}, {
		name:      "unknown qop items are skipped (curl test388)",
		challenge: `Digest realm="r", nonce="n", stale=true, qop="crazy, auth"`,
		want:      map[string]string{"qop": "auth"},
	}, {
		name:      "RFC 2069: no qop, no nc, no cnonce, no algorithm",
		challenge: `Digest realm="r", nonce="n"`,
		want:      map[string]string{"qop": "-", "nc": "-", "cnonce": "-", "algorithm": "-", "opaque": "-"},
	}, {
		name:      "uri keeps the query",
		challenge: `Digest realm="r", nonce="n", qop=auth`,
		url:       "http://h/a%20b?x=1&y=2",
		want:      map[string]string{"uri": "/a%20b?x=1&y=2"},
	}, {
		name:      "quotes and backslashes in the user name are escaped",
		challenge: `Digest realm="r", nonce="n", qop=auth`,
		user:      `a"b\c`,
		want:      map[string]string{"username": `a"b\c`},
	}, {
		name:      "-sess without qop is refused",
		challenge: `Digest realm="r", nonce="n", algorithm=SHA-256-sess`,
		wantErr:   "requires qop for -sess",
	}, {
		name:      "only unknown qops",
		challenge: `Digest realm="r", nonce="n", qop="crazy"`,
		wantErr:   "keyhole knows auth and auth-int",
	}, {
		name:      "no nonce",
		challenge: `Digest realm="r", qop="auth"`,
		wantErr:   "no nonce",
	}, {
		name:      "unsupported algorithm",
		challenge: `Digest realm="r", nonce="n", algorithm=SHA-1`,
		wantErr:   "supports MD5, SHA-256 and SHA-512-256",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := &Digest{User: "u", Password: "p", AuthInt: tt.authInt}
			if tt.user != "" {
				d.User = tt.user
			}
			u := tt.url
			if u == "" {
				u = "http://h/p"
			}
			r := &httpclient.Request{Method: tt.method, URL: u, Header: http.Header{}, Body: []byte(tt.body)}
			err := d.Apply(r, digestChallenge(t, tt.challenge))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			p := digestParams(t, r.Header.Get("Authorization"))
			for k, w := range tt.want {
				got, ok := p[k]
				switch {
				case w == "-" && ok:
					t.Errorf("%s = %q, want it absent", k, got.Value)
				case w != "-" && got.Value != w:
					t.Errorf("%s = %q, want %q", k, got.Value, w)
				}
			}
		})
	}
}

func TestDigestNonceCount(t *testing.T) {
	d := &Digest{User: "u", Password: "p"}
	ch1 := digestChallenge(t, `Digest realm="r", nonce="one", qop=auth`)
	ch2 := digestChallenge(t, `Digest realm="r", nonce="two", qop=auth`)
	nc := func(ch *httpclient.Challenge) string {
		r := &httpclient.Request{Method: "GET", URL: "http://h/", Header: http.Header{}}
		if err := d.Apply(r, ch); err != nil {
			t.Fatal(err)
		}
		return digestParams(t, r.Header.Get("Authorization"))["nc"].Value
	}
	for _, want := range []struct {
		ch *httpclient.Challenge
		nc string
	}{{ch1, "00000001"}, {ch1, "00000002"}, {ch2, "00000001"}, {ch1, "00000003"}} {
		if got := nc(want.ch); got != want.nc {
			t.Fatalf("nc = %s, want %s", got, want.nc)
		}
	}
	d.Forget()
	if got := nc(ch1); got != "00000001" {
		t.Fatalf("after Forget nc = %s, want 00000001", got)
	}

	// Concurrent requests with one nonce each get a distinct nc.
	var wg sync.WaitGroup
	var mu sync.Mutex
	seen := map[string]bool{}
	for range 50 {
		wg.Go(func() {
			r := &httpclient.Request{Method: "GET", URL: "http://h/", Header: http.Header{}}
			if err := d.Apply(r, ch2); err != nil {
				t.Error(err)
				return
			}
			v := digestParams(t, r.Header.Get("Authorization"))["nc"].Value
			mu.Lock()
			defer mu.Unlock()
			if seen[v] {
				t.Errorf("nc %s used twice", v)
			}
			seen[v] = true
		})
	}
	wg.Wait()
}

func TestDigestRandomCNonce(t *testing.T) {
	d := &Digest{User: "u", Password: "p"}
	ch := digestChallenge(t, `Digest realm="r", nonce="n", qop=auth`)
	seen := map[string]bool{}
	for range 20 {
		r := &httpclient.Request{Method: "GET", URL: "http://h/", Header: http.Header{}}
		if err := d.Apply(r, ch); err != nil {
			t.Fatal(err)
		}
		c := digestParams(t, r.Header.Get("Authorization"))["cnonce"].Value
		if len(c) != 32 || seen[c] {
			t.Fatalf("cnonce %q: want 32 fresh hex digits", c)
		}
		seen[c] = true
	}
}

func TestDigestProxy(t *testing.T) {
	h := http.Header{}
	h.Add("Proxy-Authenticate", `Digest realm="proxy", nonce="n", qop=auth`)
	chs, _ := httpclient.ParseHeader(h, httpclient.ProxyAuthenticate)
	r := &httpclient.Request{Method: "GET", URL: "http://h/", Header: http.Header{}}
	if err := (&Digest{User: "u", Password: "p"}).Apply(r, &chs[0]); err != nil {
		t.Fatal(err)
	}
	if r.Header.Get("Proxy-Authorization") == "" || r.Header.Get("Authorization") != "" {
		t.Fatalf("headers = %v, want only Proxy-Authorization", r.Header)
	}
}

func TestDigestChoose(t *testing.T) {
	parse := func(v string) []httpclient.Challenge {
		h := http.Header{}
		for _, line := range strings.Split(v, "\n") {
			h.Add("WWW-Authenticate", line)
		}
		chs, _ := httpclient.ParseHeader(h, httpclient.WWWAuthenticate)
		return chs
	}
	tests := []struct {
		name    string
		value   string
		want    int
		wantWhy string
	}{
		{"RFC 7616 order", "Digest realm=\"r\", nonce=\"a\", algorithm=SHA-256\nDigest realm=\"r\", nonce=\"b\", algorithm=MD5", 0, "chose SHA-256: strongest of SHA-256, MD5 offered"},
		{"weakest first", "Digest realm=\"r\", nonce=\"a\"\nDigest realm=\"r\", nonce=\"b\", algorithm=SHA-512-256\nDigest realm=\"r\", nonce=\"c\", algorithm=SHA-256", 1, "chose SHA-512-256: strongest of MD5, SHA-512-256, SHA-256 offered"},
		{"skips other schemes", "Basic realm=\"r\"\nDigest realm=\"r\", nonce=\"b\", algorithm=MD5", 1, "chose MD5: the only Digest algorithm offered"},
		{"unsupported only", "Digest realm=\"r\", nonce=\"a\", algorithm=SHA-1", -1, "none of the offered Digest algorithms (SHA-1) is supported"},
		{"none", "Basic realm=\"r\"", -1, "no Digest challenge was offered"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			i, why := (&Digest{}).Choose(parse(tt.value))
			if i != tt.want || why != tt.wantWhy {
				t.Fatalf("Choose = %d %q, want %d %q", i, why, tt.want, tt.wantWhy)
			}
		})
	}
}

func TestDigestRejected(t *testing.T) {
	d := &Digest{User: "u", Password: "p"}
	r := &httpclient.Request{Method: "GET", URL: "http://h/", Header: http.Header{}}
	if err := d.Apply(r, digestChallenge(t, `Digest realm="r", nonce="old", qop=auth`)); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ value, want string }{
		{`Digest realm="r", nonce="new", qop=auth, stale=true`, "nonce went stale: recomputing with the new nonce"},
		{`Digest realm="r", nonce="new", qop=auth, stale="TRUE"`, "nonce went stale: recomputing with the new nonce"},
		{`Digest realm="r", nonce="new", qop=auth`, ""},              // wrong password
		{`Digest realm="r", nonce="new", qop=auth, stale=false`, ""}, // wrong password
		{`Digest realm="r", nonce="old", qop=auth, stale=true`, ""},  // would loop
		{`Basic realm="r"`, ""},
	}
	for _, tt := range tests {
		if got := d.Rejected(digestChallenge(t, tt.value)); got != tt.want {
			t.Errorf("Rejected(%s) = %q, want %q", tt.value, got, tt.want)
		}
	}
	if got := d.Rejected(nil); got != "" {
		t.Errorf("Rejected(nil) = %q", got)
	}
}

func TestDigestRefusesControlCharacters(t *testing.T) {
	ch := &httpclient.Challenge{Scheme: "Digest", Params: []httpclient.Param{
		{Name: "realm", Value: "r"}, {Name: "nonce", Value: "n\r\nX-Injected: 1"},
	}}
	r := &httpclient.Request{Method: "GET", URL: "http://h/", Header: http.Header{}}
	if err := (&Digest{User: "u", Password: "p"}).Apply(r, ch); err == nil {
		t.Fatalf("a nonce with CRLF was echoed: %q", r.Header.Get("Authorization"))
	}
	if err := (&Digest{User: "u\n", Password: "p"}).Apply(r, digestChallenge(t, `Digest realm="r", nonce="n"`)); err == nil {
		t.Fatal("a user name with a newline was accepted")
	}
	if err := (&Digest{}).Apply(r, nil); err == nil || !strings.Contains(err.Error(), "send the request once") {
		t.Fatalf("nil challenge: %v", err)
	}
}

func FuzzDigestApply(f *testing.F) {
	f.Add(`Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, nonce="7ypf", opaque="FQhe"`)
	f.Add(`Digest realm="r", nonce="n", algorithm=MD5-sess, qop=auth, userhash=true`)
	f.Add(`Digest realm="\"x\"", nonce=n, stale=true, qop="crazy, auth"`)
	f.Fuzz(func(t *testing.T, value string) {
		chs, _ := httpclient.ParseChallenges(value)
		d := &Digest{User: "Jäsøn Doe", Password: "p"}
		d.Choose(chs)
		for i := range chs {
			d.Rejected(&chs[i])
			r := &httpclient.Request{Method: "GET", URL: "http://h/p?q", Header: http.Header{}}
			if err := d.Apply(r, &chs[i]); err != nil {
				continue
			}
			v := r.Header.Get("Authorization")
			if strings.ContainsFunc(v, isCTL) {
				t.Fatalf("control character in %q", v)
			}
			back, _ := httpclient.ParseChallenges(v)
			if len(back) != 1 || back[0].Param("response") == "" {
				t.Fatalf("%q does not parse back into one set of credentials", v)
			}
		}
	})
}

func BenchmarkDigestApply(b *testing.B) {
	ch := &httpclient.Challenge{Scheme: "Digest", Params: []httpclient.Param{
		{Name: "realm", Value: "http-auth@example.org"}, {Name: "qop", Value: "auth, auth-int"},
		{Name: "algorithm", Value: "SHA-256"}, {Name: "nonce", Value: rfc7616.Nonce}, {Name: "opaque", Value: "FQhe"},
	}}
	d := &Digest{User: "Mufasa", Password: "Circle of Life"}
	for b.Loop() {
		r := &httpclient.Request{Method: "GET", URL: "http://www.example.org/dir/index.html", Header: http.Header{}}
		if err := d.Apply(r, ch); err != nil {
			b.Fatal(err)
		}
	}
}
