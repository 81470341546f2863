package credentials

import (
	"net/http"
	"path/filepath"
	"slices"
	"testing"

	"keyhole/httpclient"
	"keyhole/internal/oidctest"
)

// sample holds a value for every field of every scheme.
var sample = map[string]string{
	"user": "alice", "password": "wonderland", "token": "tok", "client_id": "c", "client_secret": "s",
	"api_key_name": "X-API-Key", "api_key": "k", "aws_sigv4": "aws:amz:us-east-1:s3",
	"access_key": "AKIDEXAMPLE", "secret_key": "wJalrXUtnFEMI", "session_token": "",
}

// Each description builds an Authorizer of its own wire scheme, and each
// secret header it says it writes is one the secret rule knows.
func TestDescriptionsBuildTheirScheme(t *testing.T) {
	modes := map[string]bool{}
	for _, d := range Schemes {
		if modes[d.Mode] {
			t.Errorf("mode %q described twice", d.Mode)
		}
		modes[d.Mode] = true
		a, err := d.Build(sample)
		if err != nil {
			t.Errorf("%s: %v", d.Mode, err)
			continue
		}
		if a.Scheme() != d.Wire {
			t.Errorf("%s builds %T, whose scheme is %q, not %q", d.Mode, a, a.Scheme(), d.Wire)
		}
		if !Supported(d.Wire) {
			t.Errorf("%s: Supported(%q) is false", d.Mode, d.Wire)
		}
		for _, h := range d.Headers {
			if !httpclient.IsSecretHeader(h) {
				t.Errorf("%s writes %s, which the secret rule does not know", d.Mode, h)
			}
		}
		if len(d.Fields) == 0 {
			t.Errorf("%s has no fields", d.Mode)
		}
	}
}

// Preferred reads the ranks of the descriptions: Digest over NTLM over DPoP
// over Bearer over Basic; schemes no challenge asks for are never picked.
func TestPreferredFollowsTheRanks(t *testing.T) {
	chs := func(schemes ...string) []httpclient.Challenge {
		var out []httpclient.Challenge
		for _, s := range schemes {
			out = append(out, httpclient.Challenge{Scheme: s, Header: httpclient.WWWAuthenticate})
		}
		return out
	}
	for _, c := range []struct {
		offered []string
		want    int
	}{
		{[]string{"Basic", "Digest"}, 1},
		{[]string{"Basic", "NTLM", "Digest"}, 2},
		{[]string{"Bearer", "DPoP"}, 1},
		{[]string{"NTLM", "DPoP"}, 0},
		{[]string{"Basic", "Bearer"}, 1},
		{[]string{"APIKey", "AWS4-HMAC-SHA256"}, -1},
		{[]string{"Newauth"}, -1},
	} {
		if got := Preferred(chs(c.offered...)); got != c.want {
			t.Errorf("Preferred(%v) = %d, want %d", c.offered, got, c.want)
		}
	}
}

// Profiles keep in the secret store every secret field of every scheme:
// the fields the profiles kept secret before the descriptions, and more.
func TestProfileSecretsAreTheSchemesSecretFields(t *testing.T) {
	for _, k := range []string{"password", "token", "api_key", "client_secret", "secret_key", "session_token", "refresh_token"} {
		if !IsSecretField(k) {
			t.Errorf("profile field %q is not kept secret", k)
		}
	}
	for _, k := range []string{"user", "client_id", "token_url", "scope", "aws_sigv4", "api_key_name"} {
		if IsSecretField(k) {
			t.Errorf("profile field %q is kept secret, but is not one", k)
		}
	}
}

func TestMarkWrittenMarksTheDescribedHeaders(t *testing.T) {
	r := &httpclient.Request{Method: "GET", URL: "http://127.0.0.1/", Header: http.Header{}}
	if err := (Bearer{Token: "tok-123456789"}).Apply(r, nil); err != nil {
		t.Fatal(err)
	}
	MarkWritten(r, "Bearer")
	if !slices.ContainsFunc(r.Secrets, func(s httpclient.Secret) bool { return s.Name == "Authorization" && s.Value == "Bearer tok-123456789" }) {
		t.Errorf("Authorization not marked: %+v", r.Secrets)
	}
}

func TestCarriedDetail(t *testing.T) {
	for v, want := range map[string][2]string{
		"Basic YWxpY2U6d29uZGVybGFuZA==":                    {"Basic", "alice"},
		`Digest username="a", algorithm=SHA-256, nonce="n"`: {"Digest", "SHA-256"},
		`Digest username="a", nonce="n"`:                    {"Digest", "MD5"},
		"Bearer abc":                                        {"Bearer", ""},
		"Basic \x1b[31mnot base64":                          {"Basic", ""},
		"Basic " + "ZXNjAWJAYjpw" /* "esc\x01b@b:p" */ + "": {"Basic", "esc\\x01b@b"},
	} {
		s, d := Carried(v)
		if s != want[0] || d != want[1] {
			t.Errorf("Carried(%q) = %q, %q; want %q, %q", v, s, d, want[0], want[1])
		}
	}
}

// The OAuth 2.0 client's extras are fields of its description, so a profile
// saves and loads them like any field and Build sets them: the resource,
// the endpoints, the client authentication and its key, registration.
func TestOAuthExtrasRoundTripThroughAProfile(t *testing.T) {
	keyPath, _ := oidctest.ClientKey(t)
	ps, err := OpenProfiles(filepath.Join(t.TempDir(), "profiles.json"), NewMemoryStore())
	if err != nil {
		t.Fatal(err)
	}
	given := map[string]string{"client_id": "app", "grant": GrantAuthorizationCode, "resource": "https://api.example/",
		"auth_url": "http://127.0.0.1:1/authorize", "device_url": "http://127.0.0.1:1/device",
		"client_auth": "private_key_jwt", "client_key": keyPath, "register": "yes"}
	p, err := ps.Save("extras", "", "oauth2", given)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ps.Values(p)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range given {
		if got[k] != v {
			t.Errorf("profile field %s = %q, want %q", k, got[k], v)
		}
	}
	d, _ := Describe("oauth2")
	a, err := d.Build(got)
	if err != nil {
		t.Fatal(err)
	}
	o := a.(*OAuth2)
	if o.Resource != given["resource"] || o.AuthURL != given["auth_url"] || o.DeviceURL != given["device_url"] ||
		o.ClientAuth != AuthPrivateKeyJWT || o.ClientKey == nil || !o.Register {
		t.Fatalf("built %+v", o)
	}
	for _, bad := range []map[string]string{
		{"client_id": "app", "resource": "https://api.example/#frag"},
		{"client_id": "app", "auth_url": "not a url"},
		{"client_id": "app", "client_auth": "carrier-pigeon"},
		{"client_id": "app", "client_auth": "private_key_jwt"},
		{"client_id": "app", "client_key": filepath.Join(t.TempDir(), "missing.pem")},
	} {
		if _, err := d.Build(bad); err == nil {
			t.Errorf("Build(%v) took it", bad)
		}
	}
}

// Schemes are in their declared Order, not in the order their files' init
// functions ran: a menu, the form and --auth's list read the same every
// build.
func TestSchemesFollowTheirOrder(t *testing.T) {
	want := []string{"basic", "digest", "bearer", "oauth2", "dpop", "registry", "ntlm", "negotiate", "apikey", "aws-sigv4", "scram-sha-256"}
	if got := Modes(); !slices.Equal(got, want) {
		t.Errorf("Modes() = %v, want %v", got, want)
	}
	if !slices.IsSortedFunc(Schemes, func(a, b Description) int { return a.Order - b.Order }) {
		t.Errorf("Schemes are not sorted by Order")
	}
}

// The curl mapping of a description names its own fields: the field a
// value option fills (CurlValue) and those -u fills (CurlLogin), so that
// curl import, the TUI's form and keyhole send fill them by key.
func TestCurlMappingNamesTheSchemesFields(t *testing.T) {
	has := func(d Description, key string) bool {
		return slices.ContainsFunc(d.Fields, func(f Field) bool { return f.Key == key })
	}
	for _, d := range Schemes {
		if d.CurlValue != "" && (d.Curl == "" || !has(d, d.CurlValue)) {
			t.Errorf("%s: CurlValue %q is not one of its fields, or it has no Curl option", d.Mode, d.CurlValue)
		}
		if l := d.CurlLogin; l != [2]string{} && (!has(d, l[0]) || !has(d, l[1])) {
			t.Errorf("%s: CurlLogin %q are not its fields", d.Mode, l)
		}
	}
	if u, p, ok := (Description{Fields: userPassword}).CurlLoginKeys(); u != "user" || p != "password" || !ok {
		t.Errorf("-u of a user and password scheme fills %q %q %v", u, p, ok)
	}
	bearer, _ := Describe("bearer")
	if _, _, ok := bearer.CurlLoginKeys(); ok {
		t.Error("-u fills a bearer token's fields")
	}
}
