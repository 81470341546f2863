package httpclient

import (
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// render writes challenges compactly: Scheme{name=value;...} or Scheme[token68],
// joined by " | ".
func render(cs []Challenge) string {
	var parts []string
	for _, c := range cs {
		switch {
		case c.Token68 != "":
			parts = append(parts, c.Scheme+"["+c.Token68+"]")
		case len(c.Params) > 0:
			var ps []string
			for _, p := range c.Params {
				ps = append(ps, p.Name+"="+p.Value)
			}
			parts = append(parts, c.Scheme+"{"+strings.Join(ps, ";")+"}")
		default:
			parts = append(parts, c.Scheme)
		}
	}
	return strings.Join(parts, " | ")
}

// renderProblems writes problems as severity@offset, space-separated.
func renderProblems(ps []Problem) string {
	var parts []string
	for _, p := range ps {
		parts = append(parts, fmt.Sprintf("%s@%d", p.Severity, p.Offset))
	}
	return strings.Join(parts, " ")
}

// parseVectors are the 28 vectors of STANDARDS.md §1 (numbered as there;
// vectors with two values get a letter), then real-world headers.
var parseVectors = []struct {
	name, value, want, problems string
}{
	{"1 obs-fold", "Basic\r\n realm=\"foo\"", "Basic{realm=foo}", ""},
	{"2 case", `BASIC REALM="foo"`, "BASIC{realm=foo}", ""},
	{"3 token realm", `Basic realm=foo`, "Basic{realm=foo}", "warning@6"},
	{"4 backslash token", `Basic realm=\f\o\o`, "Basic", "error@12"},
	{"5 single quotes", `Basic realm='foo'`, "Basic{realm='foo'}", "warning@6"},
	{"6 quoted-pair", `Basic realm="\"foo\""`, `Basic{realm="foo"}`, ""},
	{"7 empty element", `Basic , realm="foo"`, "Basic{realm=foo}", ""},
	{"8 no scheme", `Basic, realm="foo"`, "Basic", "error@7"},
	{"9 BWS", `Basic realm = "foo"`, "Basic{realm=foo}", ""},
	{"10 duplicate", `Basic realm="foo", realm="bar"`, "Basic{realm=foo}", "error@19"},
	{"11 empty elements", `Basic realm="foo", bar="xyz",, a=b,,,c=d`, "Basic{realm=foo;bar=xyz;a=b;c=d}", ""},
	{"12 no RFC 2047", `Basic realm="=?ISO-8859-1?Q?foo-=E4?="`, "Basic{realm==?ISO-8859-1?Q?foo-=E4?=}", ""},
	{"13 two challenges", `Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple"`,
		`Newauth{realm=apps;type=1;title=Login to "apps"} | Basic{realm=simple}`, ""},
	{"14 param named like a scheme", `Newauth realm="x", basic=foo, Basic realm="y"`, "Newauth{realm=x;basic=foo} | Basic{realm=y}", ""},
	{"15a bare schemes", `A, B`, "A | B", ""},
	{"15b leading comma", `,Basic realm="basic"`, "Basic{realm=basic}", ""},
	{"16 realm inside a value", `Basic foo="realm=nottherealm", realm="basic"`, "Basic{foo=realm=nottherealm;realm=basic}", ""},
	{"17 unterminated", `Basic realm="basic`, "Basic{realm=basic}", "error@12"},
	{"18 curl test76", `Basic, Wild-and-crazy, NTLM`, "Basic | Wild-and-crazy | NTLM", ""},
	{"19 curl test1204", `X-MobileMe-AuthToken realm="Newcastle", Basic realm="fun fun  fun"`,
		"X-MobileMe-AuthToken{realm=Newcastle} | Basic{realm=fun fun  fun}", ""},
	{"20 curl test1437", `Digest realm="testrealm", algorithm=MD5, algorithm=MD5, nonce=1, nonce=2`,
		"Digest{realm=testrealm;algorithm=MD5;nonce=1}", "error@41 error@65"},
	{"21 curl test2058", `Digest realm="testrealm", algorithm="SHA-256", nonce="1053604144"`,
		"Digest{realm=testrealm;algorithm=SHA-256;nonce=1053604144}", ""},
	{"22 curl test388", `Digest realm="testrealm", nonce="1053604199", stale=true, qop="crazy, auth"`,
		"Digest{realm=testrealm;nonce=1053604199;stale=true;qop=crazy, auth}", ""},
	{"23 curl test93", `Basic "oh please"`, "Basic", "error@6"},
	{"24 AWS missing commas", `Bearer scope="" error="invalid_token" error_description="the token does not have a valid audience"`,
		"Bearer{scope=;error=invalid_token;error_description=the token does not have a valid audience}", "warning@16 warning@38"},
	{"25 Azure HMAC", `HMAC-SHA256 error="invalid_token" error_description="The access token has expired", Bearer`,
		"HMAC-SHA256{error=invalid_token;error_description=The access token has expired} | Bearer", "warning@34"},
	{"26 HOBA colon", `HOBA: challenge=abc,expires=10`, "HOBA", "error@4 error@20"},
	{"27 Auth0 DPoP", `Bearer realm="api", DPoP algs="ES256"`, "Bearer{realm=api} | DPoP{algs=ES256}", ""},
	{"28a NTLM token68", `NTLM TlRMTVNTUAACAAAA`, "NTLM[TlRMTVNTUAACAAAA]", ""},
	{"28b Negotiate token68", `Negotiate RA==`, "Negotiate[RA==]", ""},

	// Real-world headers.
	{"Docker registry", `Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"`,
		"Bearer{realm=https://auth.docker.io/token;service=registry.docker.io;scope=repository:library/alpine:pull}", ""},
	{"AWS ECR", `Basic realm="https://123456789012.dkr.ecr.us-east-1.amazonaws.com/",service="ecr.amazonaws.com"`,
		"Basic{realm=https://123456789012.dkr.ecr.us-east-1.amazonaws.com/;service=ecr.amazonaws.com}", ""},
	{"Microsoft Entra", `Bearer authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", error="invalid_token", error_description="The access token is missing or invalid."`,
		"Bearer{authorization_uri=https://login.microsoftonline.com/common/oauth2/authorize;error=invalid_token;error_description=The access token is missing or invalid.}", ""},
	{"Azure Storage unquoted", `Bearer authorization_uri=https://login.microsoftonline.com/72f988bf/oauth2/authorize resource_id=https://storage.azure.com`,
		"Bearer{authorization_uri=https://login.microsoftonline.com/72f988bf/oauth2/authorize;resource_id=https://storage.azure.com}", "warning@25 warning@85 warning@97"},
	{"Negotiate alone", `Negotiate`, "Negotiate", ""},
	{"Negotiate final token", `Negotiate oRswGaADCgEAoxIEEAEAAABDh+CIwTbjqQAAAAA=`, "Negotiate[oRswGaADCgEAoxIEEAEAAABDh+CIwTbjqQAAAAA=]", ""},
	{"NTLM and Negotiate", `Negotiate, NTLM`, "Negotiate | NTLM", ""},
	{"RFC 9728 resource_metadata", `Bearer resource_metadata="https://resource.example.com/.well-known/oauth-protected-resource"`,
		"Bearer{resource_metadata=https://resource.example.com/.well-known/oauth-protected-resource}", ""},
	{"RFC 6750 error", `Bearer realm="example", error="invalid_token", error_description="The access token expired"`,
		"Bearer{realm=example;error=invalid_token;error_description=The access token expired}", ""},
	{"DPoP nonce", `DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof"`,
		"DPoP{error=use_dpop_nonce;error_description=Resource server requires nonce in DPoP proof}", ""},
	{"HTAB as BWS", "Digest\trealm=\"r\",\tnonce\t=\t\"n\"", "Digest{realm=r;nonce=n}", ""},
	{"control char in quotes", "Basic realm=\"a\x1bb\"", "Basic{realm=a\x1bb}", "error@14"},
	{"lone LF is not a fold", "Basic realm=\"a\"\nBearer", "Basic{realm=a} | Bearer", "error@15 warning@16"},
	{"token68 then param", `Negotiate abc=, realm="x"`, "Negotiate[abc=]", "error@16"},
	{"missing comma between challenges", `Basic realm="a" Bearer realm="b"`, "Basic{realm=a} | Bearer{realm=b}", "warning@16"},
	{"empty", ``, "", ""},
	{"only commas", ` , ,, `, "", ""},
	{"value missing", `Basic a=b, realm=`, "Basic{a=b}", "error@17"},
	{"token68 by grammar", `Basic realm=`, "Basic[realm=]", ""},
	{"param first", `realm="x", Basic`, "Basic", "error@0"},
	{"escaped backslash", `Basic realm="a\\b"`, `Basic{realm=a\b}`, ""},
}

func TestParseChallengesVectors(t *testing.T) {
	for _, v := range parseVectors {
		t.Run(v.name, func(t *testing.T) {
			cs, ps := ParseChallenges(v.value)
			if got := render(cs); got != v.want {
				t.Errorf("ParseChallenges(%q)\n got  %s\n want %s", v.value, got, v.want)
			}
			if got := renderProblems(ps); got != v.problems {
				t.Errorf("ParseChallenges(%q) problems\n got  %s\n want %s\n %v", v.value, got, v.problems, ps)
			}
			for _, p := range ps {
				if p.Offset < 0 || p.Offset > len(v.value) {
					t.Errorf("problem offset %d outside the value (len %d)", p.Offset, len(v.value))
				}
			}
		})
	}
}

func TestParseQuotedFlag(t *testing.T) {
	cs, _ := ParseChallenges(`Digest realm="r", algorithm=SHA-256, qop="auth"`)
	want := []Param{{"realm", "r", true}, {"algorithm", "SHA-256", false}, {"qop", "auth", true}}
	if !reflect.DeepEqual(cs[0].Params, want) {
		t.Errorf("params = %+v, want %+v", cs[0].Params, want)
	}
	if cs[0].Offset != 0 || !cs[0].Is("digest") {
		t.Errorf("challenge = %+v", cs[0])
	}
}

// TestChallengeList checks vector 22: the list is trimmed so "auth" is found.
func TestChallengeList(t *testing.T) {
	cs, _ := ParseChallenges(`Digest realm="testrealm", nonce="1053604199", stale=true, qop="crazy, auth"`)
	if got := cs[0].List("qop"); !reflect.DeepEqual(got, []string{"crazy", "auth"}) {
		t.Errorf("List(qop) = %q", got)
	}
	cs, _ = ParseChallenges(`Bearer scope="read  write", QOP=" a,,b "`)
	if got := cs[0].List("scope"); !reflect.DeepEqual(got, []string{"read", "write"}) {
		t.Errorf("List(scope) = %q", got)
	}
	if got := cs[0].List("qop"); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Errorf("List(qop) = %q", got)
	}
	if got := cs[0].List("missing"); got != nil {
		t.Errorf("List(missing) = %q", got)
	}
}

// digestFields is the challenge of RFC 7616 §3.9.1: two field lines.
var digestFields = []string{
	`Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`,
	`Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=MD5, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`,
}

func TestParseHeaderEveryLine(t *testing.T) {
	h := http.Header{}
	for _, f := range digestFields {
		h.Add("Www-Authenticate", f)
	}
	h.Add("Www-Authenticate", `Basic realm="x", Basic realm="y", realm="z"`)
	cs, ps := ParseHeader(h, WWWAuthenticate)
	if len(cs) != 4 {
		t.Fatalf("got %d challenges, want 4: %s", len(cs), render(cs))
	}
	if cs[0].Param("algorithm") != "SHA-256" || cs[1].Param("algorithm") != "MD5" {
		t.Errorf("algorithms: %q, %q", cs[0].Param("algorithm"), cs[1].Param("algorithm"))
	}
	for i, c := range cs {
		if c.Header != WWWAuthenticate || c.Line != min(i, 2) {
			t.Errorf("challenge %d: header %q line %d", i, c.Header, c.Line)
		}
	}
	if got := cs[0].List("qop"); !reflect.DeepEqual(got, []string{"auth", "auth-int"}) {
		t.Errorf("qop list = %q", got)
	}
	if len(ps) != 1 || ps[0].Line != 2 || ps[0].Header != WWWAuthenticate || ps[0].Offset != 34 {
		t.Errorf("problems = %+v", ps)
	}
}

// TestChallengeStringRoundTrip: String renders something that parses back to
// the same challenges with no problems.
func TestChallengeStringRoundTrip(t *testing.T) {
	for _, v := range parseVectors {
		cs, _ := ParseChallenges(v.value)
		checkRoundTrip(t, v.value, cs)
	}
}

func checkRoundTrip(t *testing.T, value string, cs []Challenge) {
	t.Helper()
	for _, c := range cs {
		back, ps := ParseChallenges(c.String())
		if len(back) != 1 || render(back) != render([]Challenge{c}) {
			t.Errorf("%q: %q parsed back as %s, want %s", value, c.String(), render(back), render([]Challenge{c}))
		}
		for _, p := range ps {
			if p.Severity == SeverityError && !hasCtl(c) {
				t.Errorf("%q: %q parsed back with %+v", value, c.String(), p)
			}
		}
	}
}

// hasCtl reports a parameter value with control characters, which String keeps
// and a parser reports (they cannot be escaped in a quoted string).
func hasCtl(c Challenge) bool {
	for _, p := range c.Params {
		for i := 0; i < len(p.Value); i++ {
			if isCtl(p.Value[i]) {
				return true
			}
		}
	}
	return false
}

// TestParseHostileSizes: big and repetitive fields stay linear and bounded.
func TestParseHostileSizes(t *testing.T) {
	var b strings.Builder
	b.WriteString("Basic ")
	for i := range 20000 {
		fmt.Fprintf(&b, "p%d=v,", i)
	}
	cs, ps := ParseChallenges(b.String())
	if len(cs) != 1 || len(cs[0].Params) != 20000 || len(ps) != 0 {
		t.Fatalf("got %d challenges, %d params, %d problems", len(cs), len(cs[0].Params), len(ps))
	}
	cs, ps = ParseChallenges(strings.Repeat(`Basic realm="a", realm="b", `, 5000))
	if len(cs) != 5000 || len(ps) != maxProblems+1 {
		t.Errorf("got %d challenges and %d problems; want 5000 and %d", len(cs), len(ps), maxProblems+1)
	}
	cs, _ = ParseChallenges(strings.Repeat(`\`, 100000))
	if len(cs) != 0 {
		t.Errorf("backslashes gave %d challenges", len(cs))
	}
}

func BenchmarkParseChallenge(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(digestFields[0])))
	for b.Loop() {
		cs, _ := ParseChallenges(digestFields[0])
		if len(cs) != 1 {
			b.Fatal("no challenge")
		}
	}
}
