package session

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"keyhole/credentials"
	"keyhole/httpclient"
)

func basicHeader(userPass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(userPass))
}

func TestTakeApart(t *testing.T) {
	jwtTok := token(t, jwt.MapClaims{"sub": "alice", "scope": "read write", "aud": "https://api.example"})

	// A real Digest answer to the RFC 7616 §3.9.1 challenge.
	ch := httpclient.Challenge{Header: httpclient.WWWAuthenticate, Scheme: "Digest", Params: []httpclient.Param{
		{Name: "realm", Value: "http-auth@example.org"}, {Name: "qop", Value: "auth, auth-int"},
		{Name: "algorithm", Value: "SHA-256"}, {Name: "nonce", Value: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"},
		{Name: "opaque", Value: "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"}}}
	req := &httpclient.Request{Method: "GET", URL: "http://www.example.org/dir/index.html", Header: http.Header{}}
	d := &credentials.Digest{User: "Mufasa", Password: "Circle of Life",
		CNonce: func() (string, error) { return "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", nil }}
	if err := d.Apply(req, &ch); err != nil {
		t.Fatal(err)
	}
	digest := req.Header.Get("Authorization")
	const digestResponse = "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"
	if !strings.Contains(digest, digestResponse) {
		t.Fatalf("the Digest authorizer did not produce the RFC vector: %s", digest)
	}

	cases := []struct {
		name    string
		h       http.Header
		secrets []string // must not appear anywhere in the output
		check   func(t *testing.T, cs []SentCredential)
	}{
		{"basic", http.Header{"Authorization": {basicHeader("alice:wonderland")}}, []string{"wonderland"},
			func(t *testing.T, cs []SentCredential) {
				c := cs[0]
				if c.Scheme != "Basic" || c.User != "alice" || c.Secret != credentials.Mask("wonderland") || c.Problem != "" {
					t.Errorf("%+v", c)
				}
			}},
		{"empty basic", http.Header{"Authorization": {"Basic Og=="}}, nil,
			func(t *testing.T, cs []SentCredential) {
				if !strings.Contains(cs[0].Problem, "empty") {
					t.Errorf("problem %q", cs[0].Problem)
				}
			}},
		{"basic not base64", http.Header{"Authorization": {"Basic alice:wonderland"}}, []string{"wonderland"},
			func(t *testing.T, cs []SentCredential) {
				if !strings.Contains(cs[0].Problem, "base64") {
					t.Errorf("problem %q", cs[0].Problem)
				}
			}},
		{"basic without colon", http.Header{"Authorization": {basicHeader("alicewonderland")}}, []string{"alicewonderland"},
			func(t *testing.T, cs []SentCredential) {
				if !strings.Contains(cs[0].Problem, "':'") || cs[0].User != "" {
					t.Errorf("%+v", cs[0])
				}
			}},
		{"basic hostile user", http.Header{"Authorization": {basicHeader("\x1b]52;c;x\x07:pw-secret")}}, []string{"pw-secret", "\x1b"},
			func(t *testing.T, cs []SentCredential) {
				if !strings.Contains(cs[0].User, `\x1b`) {
					t.Errorf("user %q", cs[0].User)
				}
			}},
		{"bearer jwt", http.Header{"Authorization": {"Bearer " + jwtTok}}, []string{jwtTok},
			func(t *testing.T, cs []SentCredential) {
				c := cs[0]
				if c.JWT == nil || c.JWT.Subject != "alice" || c.JWT.Raw != "" || strings.Join(c.JWT.Scope, " ") != "read write" {
					t.Errorf("jwt %+v", c.JWT)
				}
			}},
		{"bearer opaque", http.Header{"Authorization": {"Bearer practice-token"}}, []string{"practice-token"},
			func(t *testing.T, cs []SentCredential) {
				if cs[0].JWT != nil || cs[0].Secret != credentials.Mask("practice-token") {
					t.Errorf("%+v", cs[0])
				}
			}},
		{"digest", http.Header{"Authorization": {digest}}, []string{digestResponse, "Circle of Life"},
			func(t *testing.T, cs []SentCredential) {
				c := cs[0]
				if c.Scheme != "Digest" || c.User != "Mufasa" {
					t.Errorf("%+v", c)
				}
				fields := map[string]string{}
				for _, f := range c.Fields {
					fields[f.Name] = f.Value
				}
				if fields["algorithm"] != "SHA-256" || fields["nc"] != "00000001" || fields["response"] != credentials.Mask(digestResponse) {
					t.Errorf("fields %v", fields)
				}
			}},
		{"proxy and api key and cookie", http.Header{
			"Proxy-Authorization": {basicHeader("bob:builder")},
			"X-Api-Key":           {"k-123456"},
			"Cookie":              {"practice_session=abcdef"},
		}, []string{"builder", "k-123456", "abcdef"},
			func(t *testing.T, cs []SentCredential) {
				if len(cs) != 3 || cs[0].Header != "Proxy-Authorization" || cs[0].User != "bob" || cs[1].Header != "Cookie" || cs[2].Header != "X-Api-Key" {
					t.Errorf("%+v", cs)
				}
			}},
		{"sigv4", http.Header{"Authorization": {"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"}},
			[]string{"5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
			func(t *testing.T, cs []SentCredential) {
				if cs[0].User != "AKIDEXAMPLE" || len(cs[0].Fields) != 3 {
					t.Errorf("%+v", cs[0])
				}
			}},
		{"nothing", http.Header{"Accept": {"*/*"}}, nil,
			func(t *testing.T, cs []SentCredential) {
				if len(cs) != 0 {
					t.Errorf("%+v", cs)
				}
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := TakeApart(c.h)
			if c.name != "nothing" && len(got) == 0 {
				t.Fatal("nothing taken apart")
			}
			c.check(t, got)
			for _, secret := range c.secrets {
				if leaks(got, secret) {
					t.Errorf("output reveals %q: %+v", secret, got)
				}
			}
		})
	}
}

// leaks reports whether any text field of cs contains secret.
func leaks(cs []SentCredential, secret string) bool {
	for _, c := range cs {
		texts := []string{c.Header, c.Scheme, c.User, c.Secret, c.Problem}
		for _, f := range c.Fields {
			texts = append(texts, f.Name, f.Value)
		}
		for _, s := range texts {
			if strings.Contains(s, secret) {
				return true
			}
		}
	}
	return false
}

// FuzzTakeApart feeds arbitrary Authorization values: no panic, and a Basic
// password shows only as its mask.
func FuzzTakeApart(f *testing.F) {
	for _, s := range []string{"Basic Og==", basicHeader("alice:wonderland"), "Bearer eyJhbGciOiJIUzI1NiJ9.e30.x",
		`Digest username="a", response="0123456789", nc=00000001`, "AWS4-HMAC-SHA256 Credential=A/B, Signature=abc", "Negotiate RA==", "", "Basic"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		cs := TakeApart(http.Header{"Authorization": {v}, "Proxy-Authorization": {v}})
		if len(cs) != 2 {
			t.Fatalf("want two credentials, got %d", len(cs))
		}
		for _, c := range cs {
			texts := []string{c.Header, c.Scheme, c.User, c.Secret, c.Problem}
			for _, f := range c.Fields {
				texts = append(texts, f.Name, f.Value)
			}
			for _, s := range texts {
				if strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) }) {
					t.Fatalf("control character in %q", s)
				}
			}
		}
		scheme, rest, _ := strings.Cut(strings.TrimSpace(v), " ")
		if !strings.EqualFold(scheme, "Basic") {
			return
		}
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(rest))
		if err != nil {
			return
		}
		// The password's only trace is its mask; the user name is shown escaped.
		user, pass, ok := strings.Cut(string(raw), ":")
		if ok && (cs[0].Secret != credentials.Mask(pass) || cs[0].User != clean(user)) {
			t.Errorf("user %q / password %q shown as %+v", user, pass, cs[0])
		}
	})
}
