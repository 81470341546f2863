package session

import (
	"maps"
	"reflect"
	"strings"
	"testing"

	"keyhole/credentials"
	"keyhole/practice"
)

// Every scheme whose curl option takes a value is imported from its
// description alone: "curl OPT V -u U:P URL" names the scheme, puts V in
// the field its CurlValue names and -u in the fields CurlLoginKeys names
// (none for a scheme -u is not for), and builds that scheme's Authorizer
// from them; V is never taken for the URL, whichever way it is spelled.
func TestParseCurlReadsEveryDescribedValueOption(t *testing.T) {
	// Two valid values of each scheme's option, so that the test sees V
	// reach the Authorizer; a new scheme with a value option adds its own.
	samples := map[string][2]string{
		"bearer":    {"tok-7781", "tok-9"},
		"aws-sigv4": {"aws:amz:eu-west-1:s3", "aws:amz:us-west-2:sts"},
	}
	const url = "http://127.0.0.1:1/x"
	seen := 0
	for _, d := range credentials.Schemes {
		if d.CurlValue == "" {
			continue
		}
		seen++
		vs, ok := samples[d.Mode]
		if !ok {
			t.Errorf("%s takes a value (%s) but this test has no sample of it; add one", d.Mode, d.Curl)
			continue
		}
		if !curlArgOptions()[d.Curl] {
			t.Errorf("%s is not among the options that take a value", d.Curl)
		}
		var built []credentials.Authorizer
		for _, v := range vs {
			for _, cmd := range []string{
				"curl " + d.Curl + " '" + v + "' -u 'AKID7:pw 7' " + url,
				"curl -u 'AKID7:pw 7' " + url + " " + d.Curl + "='" + v + "'",
			} {
				im := mustParseCurl(t, cmd)
				want := map[string]string{d.CurlValue: v}
				if user, password, ok := d.CurlLoginKeys(); ok {
					want[user], want[password] = "AKID7", "pw 7"
				}
				if im.Auth != d.Mode || im.Request.URL != url || len(im.Unknown)+len(im.Cannot) != 0 || !maps.Equal(im.Values, want) {
					t.Errorf("%s: auth %q URL %q values %v unknown %q; want %s, %v", cmd, im.Auth, im.Request.URL, im.Values, im.Unknown, d.Mode, want)
					continue
				}
				got, err := im.Authorizer()
				if err != nil {
					t.Errorf("%s: Authorizer: %v", cmd, err)
					continue
				}
				if exp, err := d.Build(want); err != nil || !reflect.DeepEqual(got, exp) {
					t.Errorf("%s: Authorizer %#v, want %s's own from %v: %#v (%v)", cmd, got, d.Mode, want, exp, err)
				}
				r := im.Request.Clone()
				if err := got.Apply(r, nil); err != nil || r.Header.Get(d.Headers[0]) == "" {
					t.Errorf("%s: Apply: %v, %s %q", cmd, err, d.Headers[0], r.Header.Get(d.Headers[0]))
				}
				offers, err := im.Offers()
				if err != nil || len(offers) != 1 || offers[0].Source != "curl "+d.Curl || offers[0].Upfront == d.Challenged {
					t.Errorf("%s: offers %v, %v", cmd, offers, err)
				}
				built = append(built, got)
			}
		}
		if len(built) == 4 && reflect.DeepEqual(built[0], built[2]) {
			t.Errorf("%s: %q and %q build the same Authorizer: the value does not reach it", d.Curl, vs[0], vs[1])
		}
	}
	if seen < len(samples) {
		t.Errorf("%d schemes take a value in curl, the samples name %d: one lost its CurlValue", seen, len(samples))
	}
}

// A value option's scheme keeps -u when -u fills its fields (SigV4's keys,
// whatever scheme option follows); a scheme -u is not for (a bearer token)
// gives way to the scheme option that names -u's.
func TestParseCurlValueOptionAndLogin(t *testing.T) {
	for _, c := range []struct{ cmd, auth, user string }{
		{"curl --oauth2-bearer tok -u alice:pw http://h", "bearer", ""},
		{"curl --oauth2-bearer tok --digest -u alice:pw http://h", "digest", "alice"},
		{"curl --aws-sigv4 aws:amz:us-east-1:s3 --digest -u AKID:sk http://h", "aws-sigv4", ""},
		{"curl -H 'Authorization: Bearer " + practice.Token + "' http://h", "bearer", ""},
	} {
		im := mustParseCurl(t, c.cmd)
		if im.Auth != c.auth || im.Values["user"] != c.user {
			t.Errorf("%s: auth %q user field %q, want %q %q", c.cmd, im.Auth, im.Values["user"], c.auth, c.user)
		}
		if strings.Contains(c.cmd, "Bearer") && (im.Values["token"] != practice.Token || im.Request.Header.Get("Authorization") != "") {
			t.Errorf("%s: the header's token is not the bearer's: %v", c.cmd, im.Values)
		}
	}
}
