package session

import (
	"fmt"
	"strings"
	"testing"

	"keyhole/credentials"
	"keyhole/httpclient"
)

// choiceWords writes choices as "0:basic", "-1:apikey", "0:" (a challenge
// keyhole cannot answer) or "do:trust-redirect", the preselected one marked
// with "*".
func choiceWords(cs []Choice, pre int) string {
	var out []string
	for i, c := range cs {
		w := fmt.Sprintf("%d:%s", c.Challenge, c.Mode)
		if c.Action != nil {
			w = "do:" + c.Action.Kind
		}
		if i == pre {
			w = "*" + w
		}
		out = append(out, w)
	}
	return strings.Join(out, " ")
}

// Choices against real loopback answers: the rows each face lists and the
// one preselected.
func TestChoices(t *testing.T) {
	p := startPractice(t)
	alice := credentials.Basic{User: "alice", Password: "wonderland"}
	follow := httpclient.Options{FollowRedirects: true}
	registry := challenger(t, 401, map[string]string{"WWW-Authenticate": `Bearer realm="http://127.0.0.1:1/token",service="registry.test",scope="repository:a/b:pull"`}, "")
	for _, tc := range []struct {
		name string
		o    httpclient.Options
		url  string
		auth credentials.Authorizer
		want string
	}{
		{"basic lesson", httpclient.Options{}, p.URL + "/basic", nil, "*0:basic -1:apikey"},
		{"the strongest challenge is preselected, whatever its place", httpclient.Options{},
			challenger(t, 401, map[string]string{"WWW-Authenticate": `Basic realm="x", Digest realm="x", nonce="n", algorithm=SHA-256`}, "").URL, nil,
			"0:basic *1:digest -1:apikey"},
		{"a challenge keyhole cannot answer", httpclient.Options{},
			challenger(t, 401, map[string]string{"WWW-Authenticate": `Mutual realm="x"`}, "").URL, nil, "*0: -1:apikey"},
		{"a Bearer challenge: no registry token (no token realm, no service)", httpclient.Options{},
			challenger(t, 401, map[string]string{"WWW-Authenticate": `Bearer realm="api"`}, "").URL, nil,
			"*0:bearer 0:oauth2 -1:apikey"},
		{"a Bearer challenge whose realm is a URL but names no service or scope: no registry token", httpclient.Options{},
			challenger(t, 401, map[string]string{"WWW-Authenticate": `Bearer realm="http://127.0.0.1:1/token"`}, "").URL, nil,
			"*0:bearer 0:oauth2 -1:apikey"},
		{"a challenge naming its resource metadata: the OAuth client (the MCP path)", httpclient.Options{}, p.URL + "/mcp/dcr", nil,
			"0:bearer *0:oauth2 -1:apikey do:fetch-metadata"},
		{"a registry's challenge puts its token first", httpclient.Options{}, registry.URL, nil,
			"*0:registry 0:bearer 0:oauth2 -1:apikey"},
		{"401 without a challenge: an API key", httpclient.Options{},
			challenger(t, 401, nil, "").URL, nil, "-1:bearer -1:basic *-1:apikey"},
		{"407 without a challenge: no API key", httpclient.Options{},
			challenger(t, 407, nil, "").URL, nil, "*-1:bearer -1:basic"},
		{"an AWS error: a signature", httpclient.Options{}, fakeS3(t).URL + "/bucket/key", nil, "*-1:aws-sigv4"},
		{"a 403 that is not AWS's: nothing", httpclient.Options{},
			challenger(t, 403, map[string]string{"Content-Type": "application/xml"}, "<Error><Code>NoSuchThing</Code></Error>").URL, nil, ""},
		{"credentials dropped on a redirect: trusting it is preselected", follow, p.URL + "/redirect", alice,
			"0:basic -1:apikey *do:trust-redirect"},
		{"200: nothing", httpclient.Options{}, p.URL + "/basic", alice, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, a := send(t, tc.o, tc.url, tc.auth)
			cs, pre := Choices(a)
			if got := choiceWords(cs, pre); got != tc.want {
				t.Fatalf("status %d: choices %q, want %q", a.Status(), got, tc.want)
			}
			if len(cs) == 0 && pre != -1 {
				t.Fatalf("no choices, preselected %d", pre)
			}
		})
	}
}

// Credentials held back for a challenge that never came (a 404 where a
// private resource hides) are sent up front from the choices, preselected.
func TestChoicesHeldBack(t *testing.T) {
	srv := privateServer(t)
	w := &Wallet{}
	w.Add(basicOffer(t, srv.URL, "-u", false))
	_, out := run(t, httpclient.Options{}, srv.URL+"/repo", w, Policy{})
	cs, pre := Choices(out.Attempts[0])
	if got := choiceWords(cs, pre); got != "*do:send-upfront" {
		t.Fatalf("choices %q", got)
	}
	if cs[0].Action.Scheme != "basic" {
		t.Fatalf("sends %q up front, want basic", cs[0].Action.Scheme)
	}
}

// What keyhole send is given to take a choice: the scheme's fields that are
// not optional, and --auth when those alone would not choose it.
func TestChoiceNeeds(t *testing.T) {
	p := startPractice(t)
	noChallenge := challenger(t, 401, nil, "")
	for _, tc := range []struct {
		url   string
		c     Choice
		keys  string
		named bool
	}{
		{p.URL + "/basic", Choice{Challenge: 0, Mode: "basic"}, "user", false},
		{p.URL + "/scram", Choice{Challenge: 0, Mode: "scram-sha-256"}, "user", false}, // -u alone answers SCRAM's challenge
		{p.URL + "/bearer", Choice{Challenge: 0, Mode: "bearer"}, "token", false},
		{p.URL + "/bearer", Choice{Challenge: 0, Mode: "dpop"}, "", true},            // named only
		{p.URL + "/mcp/dcr", Choice{Challenge: 0, Mode: "oauth2"}, "", true},         // every field optional: --auth oauth2
		{p.URL + "/registry/v2/", Choice{Challenge: 0, Mode: "registry"}, "", false}, // offered anonymously
		{noChallenge.URL, Choice{Challenge: -1, Mode: "apikey"}, "api_key", false},   // goes up front by itself
		{noChallenge.URL, Choice{Challenge: -1, Mode: "basic"}, "user", true},        // would wait for a challenge
		{p.URL + "/basic", Choice{Challenge: -1, Action: &Action{Kind: "retry"}}, "", false},
	} {
		_, a := send(t, httpclient.Options{}, tc.url)
		fs, named := tc.c.Needs(a)
		var keys []string
		for _, f := range fs {
			keys = append(keys, f.Key)
		}
		if strings.Join(keys, " ") != tc.keys || named != tc.named {
			t.Errorf("%s %+v: needs %q named %v, want %q named %v", tc.url, tc.c, keys, named, tc.keys, tc.named)
		}
	}
}
