package session

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"testing"

	"keyhole/credentials"
	"keyhole/httpclient"
	"keyhole/practice"
)

// received is what a loopback server saw of one request.
type received struct {
	Method, URI, Body string
	Header            http.Header
}

// recordingServer keeps every request it receives and answers 200.
func recordingServer(t testing.TB) (*httptest.Server, func() []received) {
	var mu sync.Mutex
	var got []received
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, received{r.Method, r.RequestURI, string(b), r.Header.Clone()})
		mu.Unlock()
		io.WriteString(w, "ok")
	}))
	t.Cleanup(srv.Close)
	return srv, func() []received {
		mu.Lock()
		defer mu.Unlock()
		out := got
		got = nil
		return out
	}
}

// authorizer is the credentials an imported command asks for.
func authorizer(t testing.TB, im *Imported) credentials.Authorizer {
	switch im.Auth {
	case "basic":
		return credentials.Basic{User: im.User, Password: im.Password}
	case "bearer":
		return credentials.Bearer{Token: im.Values["token"]}
	case "":
		return nil
	}
	t.Fatalf("no authorizer for %q in this test", im.Auth)
	return nil
}

// sendImported sends an imported request through keyhole's client.
func sendImported(t testing.TB, im *Imported) *Attempt {
	r := im.Request.Clone()
	if auth := authorizer(t, im); auth != nil {
		if err := auth.Apply(r, nil); err != nil {
			t.Fatal(err)
		}
	}
	c := httpclient.New(httpclient.Options{FollowRedirects: im.Location, TrustRedirects: im.Trusted})
	ex := c.Do(context.Background(), r)
	if ex.Err != nil {
		t.Fatal(ex.Err)
	}
	return &Attempt{N: 1, Purpose: PurposeRequest, Exchange: ex}
}

func TestCurlRoundTrip(t *testing.T) {
	srv, got := recordingServer(t)
	u := srv.URL
	cmds := []string{
		`curl -X PUT -u alice:'p w'\''1' -H 'Content-Type: application/json' -H 'X-Trace: a "b" $c' --data-raw '{"password":"hunter2","n":1,"s":"it'\''s"}' '` + u + `/a?b=1&api_key=K&x=%20'`,
		`curl --oauth2-bearer tok.en-1 -d 'grant_type=client_credentials&client_secret=S3' -d 'code=abc' ` + u + `/t`,
		`curl -G --data-urlencode 'q=a b&c' -H 'Cookie: s=1; t=2' -H 'X-Api-Key: k-1' ` + u + `/s`,
		`curl -I -H 'Accept:' -H 'X-Empty;' ` + u + `/h`,
		`curl -X DELETE -H $'X-Tab: a\tb' ` + u + `/d`,
		`curl -X POST ` + u + `/nobody`,
		`curl -H 'Content-Type:' --data-binary $'\x01\x02bin' ` + u + `/bin`,
	}
	for _, cmd := range cmds {
		im, err := ParseCurl(cmd)
		if err != nil {
			t.Fatalf("ParseCurl(%q): %v", cmd, err)
		}
		a := sendImported(t, im)
		first := got()

		for _, show := range []bool{true, false} {
			out := Curl(a, show)
			// The variables the redacted command uses, set to the secrets,
			// as a user would before running it.
			env := secretEnv(a)
			im2, err := ParseCurlEnv(out, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
			if err != nil {
				t.Fatalf("parsing the exported %s: %v", out, err)
			}
			if len(im2.Variables) > 0 {
				t.Errorf("exported command uses unset variables %v:\n%s", im2.Variables, out)
			}
			sendImported(t, im2)
			second := got()
			if !sameRequests(first, second) {
				t.Errorf("show=%v: %q\nexported as\n%s\nsent differently:\n%+v\n%+v", show, cmd, out, first, second)
			}
		}
	}
}

// secretEnv maps the variables of a redacted export to the attempt's secrets.
func secretEnv(a *Attempt) map[string]string {
	env := map[string]string{}
	r := a.Exchange.Request
	if v := r.Header.Get("Authorization"); v != "" {
		scheme, rest, _ := strings.Cut(v, " ")
		switch strings.ToLower(scheme) {
		case "basic":
			raw, _ := base64.StdEncoding.DecodeString(rest)
			_, pass, _ := strings.Cut(string(raw), ":")
			env["KEYHOLE_PASSWORD"] = pass
		case "bearer":
			env["KEYHOLE_TOKEN"] = rest
		}
	}
	for k, vs := range r.Header {
		if k == "Cookie" {
			env["KEYHOLE_COOKIE"] = vs[0]
		} else if credentials.IsSecretHeader(k) {
			env["KEYHOLE_"+envName(k)] = vs[0]
		}
	}
	redactBody(r.Header.Get("Content-Type"), r.Body, func(field string) []byte {
		env["KEYHOLE_BODY_"+envName(field)] = fieldValue(r, field)
		return nil
	})
	if i := strings.Index(r.URL, "?"); i >= 0 {
		for _, pair := range strings.Split(r.URL[i+1:], "&") {
			k, v, _ := strings.Cut(pair, "=")
			if credentials.IsSecretQueryParam(k) {
				env["KEYHOLE_QUERY_"+envName(k)] = v
			}
		}
	}
	return env
}

// fieldValue finds a field's value in the simple bodies of these tests.
func fieldValue(r *httpclient.Request, field string) string {
	body := string(r.Body)
	if strings.Contains(r.Header.Get("Content-Type"), "json") {
		i := strings.Index(body, `"`+field+`":"`)
		rest := body[i+len(field)+4:]
		return rest[:strings.Index(rest, `"`)]
	}
	for _, pair := range strings.Split(body, "&") {
		if k, v, _ := strings.Cut(pair, "="); k == field {
			return v
		}
	}
	return ""
}

func sameRequests(a, b []received) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Method != b[i].Method || a[i].URI != b[i].URI || a[i].Body != b[i].Body || headerText(a[i].Header) != headerText(b[i].Header) {
			return false
		}
	}
	return true
}

func headerText(h http.Header) string {
	var lines []string
	for k, vs := range h {
		lines = append(lines, k+": "+strings.Join(vs, "\x00"))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

func TestCurlExportShape(t *testing.T) {
	srv, _ := recordingServer(t)
	im := mustParseCurl(t, `curl -u alice:secret-pw -H 'X-Api-Key: key-1' -d 'client_secret=cs-3&a=1' `+srv.URL+`/p?token=tok-2`)
	a := sendImported(t, im)
	out := Curl(a, false)
	for _, sec := range []string{"secret-pw", "key-1", "cs-3", "tok-2"} {
		if strings.Contains(out, sec) {
			t.Errorf("redacted export contains %q:\n%s", sec, out)
		}
	}
	for _, want := range []string{`--basic`, `-u alice:"$KEYHOLE_PASSWORD"`, `-H 'X-Api-Key: '"$KEYHOLE_X_API_KEY"`, `client_secret="$KEYHOLE_BODY_CLIENT_SECRET"'&a=1'`, `token='"$KEYHOLE_QUERY_TOKEN"`} {
		if !strings.Contains(out, want) {
			t.Errorf("export lacks %s:\n%s", want, out)
		}
	}
	shown := Curl(a, true)
	if !strings.Contains(shown, "-u alice:secret-pw") || !strings.Contains(shown, "cs-3") {
		t.Errorf("export with secrets:\n%s", shown)
	}

	digest := &Attempt{Exchange: &httpclient.Exchange{Request: &httpclient.Request{Method: "GET", URL: "http://h/d", Header: http.Header{
		"Authorization": {`Digest username="Mufasa", realm="r", nonce="n", uri="/d", response="0123", qop=auth, nc=00000001, cnonce="c"`}}}}}
	if got := Curl(digest, true); !strings.Contains(got, `--digest`) || !strings.Contains(got, `-u Mufasa:"$KEYHOLE_PASSWORD"`) || strings.Contains(got, "0123") {
		t.Errorf("Digest export:\n%s", got)
	}
	kerberos := &Attempt{Exchange: &httpclient.Exchange{Request: &httpclient.Request{Method: "GET", URL: "http://h/k", Header: http.Header{
		"Authorization": {"Negotiate YIIBkwYGKwYBBQUCoIIBhzCCAYOgDTALBgkqhkiG9xIBAgKiggFwBIIBbGBw"}}}}}
	if got := Curl(kerberos, true); !strings.Contains(got, "--negotiate") || !strings.Contains(got, "-u :") || strings.Contains(got, "YIIB") {
		t.Errorf("Negotiate export (a ticket: curl's -u :):\n%s", got)
	}
	kerberos.Exchange.Proxy = "http://localhost:3128"
	kerberos.Exchange.Request.Header = http.Header{"Proxy-Authorization": {"Negotiate YIIBkwYGKwYBBQUCoIIBhzCCAYOgDTALBgkqhkiG9xIBAgKiggFwBIIBbGBw"}}
	if got := Curl(kerberos, true); !strings.Contains(got, "--proxy-negotiate") || !strings.Contains(got, "-U :") || !strings.Contains(got, "-x http://localhost:3128") || strings.Contains(got, "YIIB") {
		t.Errorf("a proxy's Negotiate export (curl's --proxy-negotiate -U :):\n%s", got)
	}
	sig := &Attempt{Exchange: &httpclient.Exchange{Request: &httpclient.Request{Method: "GET", URL: "https://s3.test/b", Header: http.Header{
		"Authorization": {`AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=abcd`},
		"X-Amz-Date":    {"20260101T000000Z"}}}}}
	if got := Curl(sig, false); !strings.Contains(got, `--aws-sigv4 aws:amz:us-east-1:s3`) || !strings.Contains(got, `-u "$AWS_ACCESS_KEY_ID":"$AWS_SECRET_ACCESS_KEY"`) || strings.Contains(got, "abcd") || strings.Contains(got, "X-Amz-Date") {
		t.Errorf("SigV4 export:\n%s", got)
	}
	redirected := &Attempt{Exchange: &httpclient.Exchange{Request: &httpclient.Request{Method: "GET", URL: "http://a/"},
		Redirects: []httpclient.Hop{{Status: 302, From: "http://a/", To: "http://b/", CredentialsResent: true}}}}
	if got := Curl(redirected, false); !strings.Contains(got, "-L") || !strings.Contains(got, "--location-trusted") {
		t.Errorf("redirect export:\n%s", got)
	}
}

func mustParseCurl(t testing.TB, cmd string) *Imported {
	im, err := ParseCurl(cmd)
	if err != nil {
		t.Fatal(err)
	}
	return im
}

// TestCurlExportRunsInRealCurl runs the exported command in sh with the real
// curl binary, the secrets in the environment, against a loopback server.
func TestCurlExportRunsInRealCurl(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed; the export is checked by re-parsing only")
	}
	srv, got := recordingServer(t)
	im := mustParseCurl(t, `curl -X PATCH -u 'al ice:p'\''w$1' -H 'Content-Type: application/json' -H 'X-Odd: a  "b" \n' --data-raw '{"password":"hunter2","msg":"it'\''s $HOME"}' '`+srv.URL+`/r?x=1&api_key=K%2B'`)
	a := sendImported(t, im)
	want := got()[0]
	for _, show := range []bool{true, false} {
		cmd := exec.Command("sh", "-c", Curl(a, show)+" -sS -o /dev/null")
		cmd.Env = append(os.Environ(), "KEYHOLE_PASSWORD=p'w$1", "KEYHOLE_QUERY_API_KEY=K%2B", "KEYHOLE_BODY_PASSWORD=hunter2")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("curl failed: %v\n%s", err, out)
		}
		r := got()
		if len(r) != 1 {
			t.Fatalf("server saw %d requests", len(r))
		}
		c := r[0]
		if c.Method != want.Method || c.URI != want.URI || c.Header.Get("Authorization") != want.Header.Get("Authorization") ||
			c.Header.Get("X-Odd") != want.Header.Get("X-Odd") || c.Header.Get("Content-Type") != "application/json" {
			t.Errorf("show=%v: curl sent %s %s %v\nkeyhole sent %s %s %v", show, c.Method, c.URI, c.Header, want.Method, want.URI, want.Header)
		}
		if c.Body != want.Body {
			t.Errorf("curl body %q, keyhole body %q", c.Body, want.Body)
		}
	}
}

// TestCurlExportAgainstPractice exports attempts that worked against the
// practice server and runs them in the real curl with the secrets in the
// environment: curl must get the same 200, Digest included (curl redoes the
// challenge round trip itself).
func TestCurlExportAgainstPractice(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed")
	}
	srv, err := practice.Start(practice.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	for _, c := range []struct {
		path string
		auth credentials.Authorizer
	}{
		{"/basic", credentials.Basic{User: practice.User, Password: practice.Password}},
		{"/digest", &credentials.Digest{User: practice.User, Password: practice.Password}},
		{"/bearer", credentials.Bearer{Token: practice.Token}},
	} {
		s := New(httpclient.New(httpclient.Options{}), httpclient.Request{Method: "GET", URL: srv.URL + c.path})
		s.Send(context.Background(), nil)
		s.Send(context.Background(), c.auth)
		last := s.Last()
		if last.Status() != 200 {
			t.Fatalf("%s: keyhole got %d", c.path, last.Status())
		}
		cmd := exec.Command("sh", "-c", Curl(last, false)+" -s -o /dev/null -w '%{http_code}'")
		cmd.Env = append(os.Environ(), "KEYHOLE_PASSWORD="+practice.Password, "KEYHOLE_TOKEN="+practice.Token)
		out, err := cmd.Output()
		if err != nil || string(out) != "200" {
			t.Errorf("%s: curl said %q, %v for\n%s", c.path, out, err, Curl(last, false))
		}
	}
}
