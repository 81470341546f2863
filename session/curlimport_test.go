package session

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"keyhole/httpclient"
	"keyhole/practice"
)

func TestParseCurl(t *testing.T) {
	formCT := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	dir := t.TempDir()
	file := filepath.Join(dir, "body.txt")
	os.WriteFile(file, []byte("line1\r\nline2\n"), 0o600)
	cases := []struct {
		cmd    string
		method string
		url    string
		body   string
		header http.Header
		check  func(*Imported) string
	}{
		{cmd: `curl https://example.test/a`, method: "GET", url: "https://example.test/a"},
		{cmd: `curl example.test/a`, method: "GET", url: "http://example.test/a"},
		{cmd: `curl -sSL -XPOST 'http://127.0.0.1/p?q=1' -H 'Accept: application/json' -d 'a=1' -d b=2`,
			method: "POST", url: "http://127.0.0.1/p?q=1", body: "a=1&b=2",
			header: http.Header{"Accept": {"application/json"}, "Content-Type": {"application/x-www-form-urlencoded"}},
			check: func(im *Imported) string {
				if !im.Location || len(im.Unknown) != 0 {
					return "want Location and no unknown options"
				}
				return ""
			}},
		{cmd: `curl -u alice:won:der --digest http://h/`, method: "GET", url: "http://h/",
			check: func(im *Imported) string {
				if im.Auth != "digest" || im.User != "alice" || im.Password != "won:der" {
					return "want digest alice won:der"
				}
				return ""
			}},
		{cmd: `curl --oauth2-bearer "$TOKEN" http://h/`, method: "GET", url: "http://h/",
			check: func(im *Imported) string {
				if im.Auth != "bearer" || im.Values["token"] != "$TOKEN" || !reflect.DeepEqual(im.Variables, []string{"TOKEN"}) {
					return "want bearer $TOKEN and Variables [TOKEN]"
				}
				return ""
			}},
		{cmd: `curl -H $'X-A: a\tb\x21' http://h`, method: "GET", url: "http://h", header: http.Header{"X-A": {"a\tb!"}}},
		{cmd: "curl \\\n  -k \\\n  --compressed \\\n  'http://h/x'", method: "GET", url: "http://h/x",
			check: func(im *Imported) string {
				if !im.Insecure || !im.Compressed {
					return "want Insecure and Compressed"
				}
				return ""
			}},
		{cmd: `curl --json '{"a":1}' http://h/j`, method: "POST", url: "http://h/j", body: `{"a":1}`,
			header: http.Header{"Content-Type": {"application/json"}, "Accept": {"application/json"}}},
		{cmd: `curl -G -d q=1 --data-urlencode 'name=a b&c' http://h/s`, method: "GET", url: "http://h/s?q=1&name=a%20b%26c"},
		{cmd: `curl -u AKID:SECRET --aws-sigv4 aws:amz:us-east-1:s3 https://s3.test/b`, method: "GET", url: "https://s3.test/b",
			check: func(im *Imported) string {
				if im.Auth != "aws-sigv4" || im.Values["aws_sigv4"] != "aws:amz:us-east-1:s3" || im.User != "AKID" || im.Password != "SECRET" {
					return "want aws-sigv4 with AKID/SECRET"
				}
				return ""
			}},
		{cmd: `curl -E cert.pem --key k.pem --cacert ca.pem -A ua/1 -e http://ref/ -b 'a=b; c=d' http://h`, method: "GET", url: "http://h",
			header: http.Header{"User-Agent": {"ua/1"}, "Referer": {"http://ref/"}, "Cookie": {"a=b; c=d"}},
			check: func(im *Imported) string {
				if im.Cert != "cert.pem" || im.Key != "k.pem" || im.CACert != "ca.pem" {
					return "want cert, key and cacert"
				}
				return ""
			}},
		{cmd: `curl --proxy http://p:3128 -F a=b --foo -Z -U bob:pxpw --pass kp http://h`, method: "GET", url: "http://h",
			check: func(im *Imported) string {
				want := []string{"--form a=b", "--foo", "--parallel", "--pass •••"}
				if !reflect.DeepEqual(im.Unknown, want) {
					return "Unknown = " + strings.Join(im.Unknown, "|")
				}
				if im.Proxy != "http://p:3128" || im.ProxyUser != "bob" || im.ProxyPassword != "pxpw" || im.ProxyAuth != "basic" {
					return "want the proxy and its Basic credentials"
				}
				return ""
			}},
		{cmd: `curl -E 'c\:1.pem:pw:x' http://h`, method: "GET", url: "http://h",
			check: func(im *Imported) string {
				if im.Cert != "c:1.pem" || im.CertPassword != "pw:x" {
					return "want cert c:1.pem with password pw:x"
				}
				return ""
			}},
		{cmd: `curl --cert 'C:\certs\c.pem' http://h`, method: "GET", url: "http://h",
			check: func(im *Imported) string {
				if im.Cert != `C:\certs\c.pem` || im.CertPassword != "" {
					return "want a Windows path kept whole"
				}
				return ""
			}},
		{cmd: `curl --url=http://h/x --request=PUT --data-binary @` + file, method: "PUT", url: "http://h/x", body: "line1\r\nline2\n", header: formCT},
		{cmd: `curl -d @` + file + ` http://h/x`, method: "POST", url: "http://h/x", body: "line1line2", header: formCT},
		{cmd: `curl -I http://h`, method: "HEAD", url: "http://h"},
		{cmd: `curl -H 'Content-Type:' -H 'X-Empty;' -d x http://h`, method: "POST", url: "http://h", body: "x", header: http.Header{"X-Empty": {""}}},
		{cmd: `/usr/bin/curl http://h 2>/dev/null`, method: "GET", url: "http://h"},
		{cmd: `curl -X GET -d 'a' --location-trusted http://h`, method: "GET", url: "http://h", body: "a",
			header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
			check: func(im *Imported) string {
				if !im.Location || !im.Trusted {
					return "want Location and Trusted"
				}
				return ""
			}},
	}
	for _, c := range cases {
		im, err := ParseCurl(c.cmd)
		if err != nil {
			t.Errorf("ParseCurl(%q): %v", c.cmd, err)
			continue
		}
		r := im.Request
		if r.Method != c.method || r.URL != c.url || string(r.Body) != c.body {
			t.Errorf("ParseCurl(%q) = %s %s body %q; want %s %s body %q", c.cmd, r.Method, r.URL, r.Body, c.method, c.url, c.body)
		}
		if c.header == nil {
			c.header = http.Header{}
		}
		if !reflect.DeepEqual(r.Header, c.header) {
			t.Errorf("ParseCurl(%q) headers = %v, want %v", c.cmd, r.Header, c.header)
		}
		if c.check != nil {
			if msg := c.check(im); msg != "" {
				t.Errorf("ParseCurl(%q): %s (got %+v)", c.cmd, msg, im)
			}
		}
	}
}

func TestParseCurlEnv(t *testing.T) {
	env := map[string]string{"KEYHOLE_PASSWORD": "pw 1"}
	im, err := ParseCurlEnv(`curl -u 'alice:'"$KEYHOLE_PASSWORD" http://h/$MISSING`, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	if im.Password != "pw 1" || im.Request.URL != "http://h/$MISSING" || !reflect.DeepEqual(im.Variables, []string{"MISSING"}) {
		t.Errorf("got %+v", im)
	}
}

func TestParseCurlErrors(t *testing.T) {
	for cmd, want := range map[string]string{
		`wget http://x`:              "not curl",
		`curl -s`:                    "no URL",
		`curl http://x | jq .`:       "plain curl command",
		`curl http://x; rm -rf /`:    "found 2 commands",
		`curl $(cat url.txt)`:        "needs a shell",
		`curl <(echo x)`:             "needs a shell",
		"curl `cat url`":             "needs a shell",
		`curl http://x -H`:           "needs a value",
		`curl 'http://x`:             "cannot read the command",
		`curl -H 'NoColon' http://x`: "has no ':'",
		`curl -d @- http://x`:        "standard input",
		`curl -d @/nonexistent/x h`:  "/nonexistent/x",
		``:                           "found 0 commands",
		`curl 'http://[::1' `:        "not valid",
	} {
		_, err := ParseCurl(cmd)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseCurl(%q) = %v, want an error with %q", cmd, err, want)
		}
	}
}

func FuzzParseCurl(f *testing.F) {
	for _, s := range []string{
		`curl https://example.test/a`,
		`curl -sSL -XPOST 'http://127.0.0.1/p?q=1' -H 'Accept: application/json' -d 'a=1' -d b=2`,
		`curl -u alice:wonder --digest http://h/`,
		`curl -H $'X-A: a\tb' --json '{"a":1}' -G --data-urlencode 'q=a b' http://h`,
		"curl \\\n -k --url=http://h -- -x",
		`curl --oauth2-bearer "${TOKEN:-x}" http://h/$((1+2))`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, cmd string) {
		im, err := ParseCurl(cmd)
		if err != nil {
			return
		}
		// Whatever parses must export and parse again to the same request.
		out := CurlRequest(im.Request, CurlOptions{ShowSecrets: true})
		again, err := ParseCurl(out)
		if err != nil {
			t.Fatalf("re-parsing %q: %v", out, err)
		}
		if again.Request.Method != im.Request.Method || again.Request.URL != im.Request.URL || string(again.Request.Body) != string(im.Request.Body) {
			t.Fatalf("round trip changed the request:\n%+v\n%+v\nvia %s", im.Request, again.Request, out)
		}
	})
}

// TestImportedAuthorizer answers the practice server's challenges with the
// credentials of imported curl commands, through the session loop.
func TestImportedAuthorizer(t *testing.T) {
	srv, err := practice.Start(practice.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	for _, cmd := range []string{
		"curl -u alice:wonderland " + srv.URL + "/basic",
		"curl --digest -u alice:wonderland " + srv.URL + "/digest",
		"curl --oauth2-bearer practice-token " + srv.URL + "/bearer",
	} {
		im := mustParseCurl(t, cmd)
		auth, err := im.Authorizer()
		if err != nil || auth == nil {
			t.Fatalf("%s: Authorizer = %v, %v", cmd, auth, err)
		}
		s := New(httpclient.New(httpclient.Options{}), im.Request)
		s.Send(context.Background(), nil) // the challenge to answer
		s.Send(context.Background(), auth)
		if st := s.Last().Status(); st != 200 {
			t.Errorf("%s: got %d after answering, want 200", cmd, st)
		}
	}
	im := mustParseCurl(t, "curl --aws-sigv4 aws:amz:us-east-1:s3 -u AKIDEXAMPLE:secret https://s3.test/b")
	auth, err := im.Authorizer()
	if err != nil {
		t.Fatal(err)
	}
	r := im.Request.Clone()
	if err := auth.Apply(r, nil); err != nil || !strings.Contains(r.Header.Get("Authorization"), "Credential=AKIDEXAMPLE/") {
		t.Errorf("SigV4 Apply: %v, %q", err, r.Header.Get("Authorization"))
	}
	if _, err := mustParseCurl(t, "curl --aws-sigv4 aws -u a:b http://h").Authorizer(); err == nil {
		t.Error("--aws-sigv4 without region accepted")
	}
	if a, err := mustParseCurl(t, "curl http://h").Authorizer(); a != nil || err != nil {
		t.Errorf("no auth: %v, %v", a, err)
	}
}
