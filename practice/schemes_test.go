package practice

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"keyhole/credentials"
	"keyhole/httpclient"
	"keyhole/session"
)

// schemesClock is a movable clock for the nonce and token lifetimes.
type schemesClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *schemesClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *schemesClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func startSchemes(t *testing.T, o Options) (*Server, *httpclient.Client) {
	t.Helper()
	s, err := Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, httpclient.New(httpclient.Options{Timeout: 10 * time.Second})
}

func schemesDo(t *testing.T, c *httpclient.Client, r *httpclient.Request) *httpclient.Exchange {
	t.Helper()
	ex := c.Do(context.Background(), r)
	if ex.Err != nil {
		t.Fatal(ex.Err)
	}
	return ex
}

// schemesAnswer applies auth to ch and sends the request again.
func schemesAnswer(t *testing.T, c *httpclient.Client, req *httpclient.Request, auth credentials.Authorizer, ch *httpclient.Challenge) *httpclient.Exchange {
	t.Helper()
	r := req.Clone()
	if err := auth.Apply(r, ch); err != nil {
		t.Fatal(err)
	}
	return schemesDo(t, c, r)
}

func TestDigestEndpoint(t *testing.T) {
	s, c := startSchemes(t, Options{})
	req := &httpclient.Request{Method: "GET", URL: s.URL + "/digest", Header: http.Header{}}
	first := schemesDo(t, c, req)
	if first.Response.Status != 401 || len(first.Challenges) != 2 {
		t.Fatalf("first answer %d with %d challenges, want 401 with SHA-256 and MD5", first.Response.Status, len(first.Challenges))
	}
	for i, alg := range []string{"SHA-256", "MD5"} {
		ch := first.Challenges[i]
		if !ch.Is("Digest") || ch.Param("algorithm") != alg || ch.Param("qop") != "auth, auth-int" || ch.Param("opaque") == "" || ch.Param("realm") != Realm {
			t.Errorf("challenge %d = %+v", i, ch)
		}
	}
	d := &credentials.Digest{User: User, Password: Password}
	i, why := d.Choose(first.Challenges)
	if i != 0 || why != "chose SHA-256: strongest of SHA-256, MD5 offered" {
		t.Errorf("Choose = %d %q", i, why)
	}
	for _, ch := range first.Challenges {
		ex := schemesAnswer(t, c, req, d, &ch)
		if ex.Response.Status != 200 {
			t.Fatalf("%s: %d %s", ch.Param("algorithm"), ex.Response.Status, ex.Response.Body)
		}
		// rspauth: the server proves it knows the password (A2 = ":" uri).
		info, _ := httpclient.ParseChallenges("Digest " + ex.Response.Header.Get("Authentication-Info"))
		if len(info) != 1 || len(info[0].Param("rspauth")) < 32 {
			t.Errorf("Authentication-Info = %q", ex.Response.Header.Get("Authentication-Info"))
		}
	}

	// Wrong password: 401, a fresh nonce, no stale=true, and keyhole does not retry.
	wrong := &credentials.Digest{User: User, Password: "looking-glass"}
	ex := schemesAnswer(t, c, req, wrong, &first.Challenges[0])
	if ex.Response.Status != 401 || ex.Challenges[0].Param("stale") != "" || ex.Challenges[0].Param("nonce") == first.Challenges[0].Param("nonce") {
		t.Fatalf("wrong password: %d %+v", ex.Response.Status, ex.Challenges)
	}
	if reason := wrong.Rejected(&ex.Challenges[0]); reason != "" {
		t.Errorf("wrong password read as %q", reason)
	}

	// A replayed nc is refused.
	r := req.Clone()
	if err := d.Apply(r, &first.Challenges[0]); err != nil {
		t.Fatal(err)
	}
	if ex := schemesDo(t, c, r); ex.Response.Status != 200 {
		t.Fatalf("%d", ex.Response.Status)
	}
	if ex := schemesDo(t, c, r); ex.Response.Status != 401 || !strings.Contains(string(ex.Response.Body), "already used") {
		t.Errorf("replay: %d %s", ex.Response.Status, ex.Response.Body)
	}
}

func TestDigestEndpointAuthInt(t *testing.T) {
	s, c := startSchemes(t, Options{})
	req := &httpclient.Request{Method: "POST", URL: s.URL + "/digest?x=1", Header: http.Header{"Content-Type": {"text/plain"}}, Body: []byte("hello")}
	first := schemesDo(t, c, req)
	d := &credentials.Digest{User: User, Password: Password, AuthInt: true}
	r := req.Clone()
	if err := d.Apply(r, &first.Challenges[0]); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.Header.Get("Authorization"), "qop=auth-int") {
		t.Fatalf("sent %s", r.Header.Get("Authorization"))
	}
	tampered := r.Clone()
	tampered.Body = []byte("hellO")
	if ex := schemesDo(t, c, tampered); ex.Response.Status != 401 {
		t.Errorf("a changed body passed auth-int: %d", ex.Response.Status)
	}
	if ex := schemesDo(t, c, r); ex.Response.Status != 200 {
		t.Errorf("auth-int: %d %s", ex.Response.Status, ex.Response.Body)
	}
}

func TestDigestEndpointStale(t *testing.T) {
	clk := &schemesClock{t: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)}
	s, c := startSchemes(t, Options{Now: clk.now})
	req := &httpclient.Request{Method: "GET", URL: s.URL + "/digest", Header: http.Header{}}
	d := &credentials.Digest{User: User, Password: Password}

	// Ten uses, then stale=true; the Refresher retries with the new nonce.
	ch := schemesDo(t, c, req).Challenges[0]
	for n := 1; n <= digestNonceUses; n++ {
		if ex := schemesAnswer(t, c, req, d, &ch); ex.Response.Status != 200 {
			t.Fatalf("use %d: %d", n, ex.Response.Status)
		}
	}
	ex := schemesAnswer(t, c, req, d, &ch)
	if ex.Response.Status != 401 || ex.Challenges[0].Param("stale") != "true" {
		t.Fatalf("use 11: %d %+v, want 401 stale=true", ex.Response.Status, ex.Challenges)
	}
	if reason := d.Rejected(&ex.Challenges[0]); reason != "nonce went stale: recomputing with the new nonce" {
		t.Errorf("Rejected = %q", reason)
	}
	ch = ex.Challenges[0]
	if ex := schemesAnswer(t, c, req, d, &ch); ex.Response.Status != 200 {
		t.Fatalf("after stale: %d", ex.Response.Status)
	}

	// Thirty seconds later the same nonce is stale too.
	clk.add(digestNonceLife + time.Second)
	ex = schemesAnswer(t, c, req, d, &ch)
	if ex.Response.Status != 401 || ex.Challenges[0].Param("stale") != "true" {
		t.Fatalf("after 31 s: %d %+v", ex.Response.Status, ex.Challenges)
	}
	// A wrong password on a stale nonce is still a wrong password.
	ex = schemesAnswer(t, c, req, &credentials.Digest{User: User, Password: "x"}, &ch)
	if ex.Challenges[0].Param("stale") != "" {
		t.Error("stale=true for a wrong password")
	}
}

func TestDigestSHA512Userhash(t *testing.T) {
	s, c := startSchemes(t, Options{})
	req := &httpclient.Request{Method: "GET", URL: s.URL + "/digest/sha512", Header: http.Header{}}
	first := schemesDo(t, c, req)
	if len(first.Challenges) != 1 || first.Challenges[0].Param("algorithm") != "SHA-512-256" || first.Challenges[0].Param("userhash") != "true" {
		t.Fatalf("challenges %+v", first.Challenges)
	}
	r := req.Clone()
	if err := (&credentials.Digest{User: User, Password: Password}).Apply(r, &first.Challenges[0]); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(r.Header.Get("Authorization"), User) {
		t.Errorf("the user name travels in clear: %s", r.Header.Get("Authorization"))
	}
	if ex := schemesDo(t, c, r); ex.Response.Status != 200 {
		t.Fatalf("%d %s", ex.Response.Status, ex.Response.Body)
	}
	if ex := schemesAnswer(t, c, req, &credentials.Digest{User: "bob", Password: Password}, &first.Challenges[0]); ex.Response.Status != 401 {
		t.Errorf("another user passed: %d", ex.Response.Status)
	}
}

// curl is an independent Digest client: the practice server must speak
// standard Digest to it.
func TestDigestEndpointWithCurl(t *testing.T) {
	s, _ := startSchemes(t, Options{})
	paths := []string{"/digest", "/digest/sha512"}
	if !curlAtLeast(t, 8, 8) {
		// Before 8.8.0 curl hashed "SHA-512-256" with SHA-256 (curl PR #13070
		// added SHA-512/256); it fails against lighttpd's SHA-512-256 too.
		t.Log("this curl predates real SHA-512-256 Digest support (8.8.0); checking /digest only")
		paths = paths[:1]
	}
	for _, path := range paths {
		status, out := curl(t, "--digest", "-u", User+":"+Password, s.URL+path)
		if status != 200 || !strings.Contains(out, `"scheme":"Digest"`) {
			t.Errorf("curl --digest %s: %d\n%s", path, status, out)
		}
		status, _ = curl(t, "--digest", "-u", User+":nope", s.URL+path)
		if status != 401 {
			t.Errorf("curl --digest with a wrong password on %s: %d", path, status)
		}
	}
	status, out := curl(t, "--digest", "-u", User+":"+Password, "--data-binary", "a=1", s.URL+"/digest")
	if status != 200 {
		t.Errorf("curl --digest POST: %d\n%s", status, out)
	}
}

// curlAtLeast reports whether the installed curl is at least major.minor.
func curlAtLeast(t *testing.T, major, minor int) bool {
	t.Helper()
	out, err := exec.Command("curl", "--version").Output()
	if err != nil {
		t.Skip("curl is not installed; install it (apt-get install curl) to run the interop tests")
	}
	var ma, mi int
	if _, err := fmt.Sscanf(string(out), "curl %d.%d", &ma, &mi); err != nil {
		t.Fatalf("cannot read the curl version from %q", out)
	}
	return ma > major || ma == major && mi >= minor
}

func TestAPIKeyEndpoint(t *testing.T) {
	s, c := startSchemes(t, Options{})
	req := &httpclient.Request{Method: "GET", URL: s.URL + "/apikey", Header: http.Header{}}
	ex := schemesDo(t, c, req)
	if ex.Response.Status != 401 || ex.Response.Header.Get("WWW-Authenticate") != "" || !strings.Contains(string(ex.Response.Body), "X-API-Key: "+apiKey) {
		t.Fatalf("no key: %d %v %s", ex.Response.Status, ex.Response.Header, ex.Response.Body)
	}
	for _, k := range []credentials.APIKey{{Value: apiKey}, {Value: apiKey, In: "query"}} {
		if ex := schemesAnswer(t, c, req, k, nil); ex.Response.Status != 200 {
			t.Errorf("%+v: %d", k, ex.Response.Status)
		}
	}
	if ex := schemesAnswer(t, c, req, credentials.APIKey{Value: "guess"}, nil); ex.Response.Status != 401 || !strings.Contains(string(ex.Response.Body), "not valid") {
		t.Errorf("wrong key: %d %s", ex.Response.Status, ex.Response.Body)
	}
	if ex := schemesAnswer(t, c, req, credentials.Bearer{Token: apiKey}, nil); ex.Response.Status != 401 || !strings.Contains(string(ex.Response.Body), "Authorization header is not where") {
		t.Errorf("key as Bearer: %d %s", ex.Response.Status, ex.Response.Body)
	}
}

func TestRegistryEndpoint(t *testing.T) {
	s, c := startSchemes(t, Options{})
	req := &httpclient.Request{Method: "GET", URL: s.URL + "/registry/v2/", Header: http.Header{}}
	first := schemesDo(t, c, req)
	if first.Response.Status != 401 || len(first.Challenges) != 1 {
		t.Fatalf("%d %+v", first.Response.Status, first.Challenges)
	}
	ch := first.Challenges[0]
	if ch.Param("realm") != s.URL+"/registry/token" || ch.Param("service") != registryService || ch.Param("scope") != "repository:demo:pull" {
		t.Fatalf("challenge %+v", ch)
	}
	var purposes []string
	hc := c.Recorder(func(p string, ex *httpclient.Exchange) { purposes = append(purposes, p) })

	rt := &credentials.RegistryToken{}
	if err := rt.Prepare(context.Background(), hc, &ch); err != nil {
		t.Fatal(err)
	}
	if len(purposes) != 1 || purposes[0] != "token" {
		t.Errorf("token requests recorded as %v", purposes)
	}
	if ex := schemesAnswer(t, c, req, rt, &ch); ex.Response.Status != 200 {
		t.Fatalf("with the token: %d %s", ex.Response.Status, ex.Response.Body)
	}
	tags := req.Clone()
	tags.URL = s.URL + "/registry/v2/demo/tags/list"
	if ex := schemesAnswer(t, c, tags, rt, &ch); ex.Response.Status != 200 || !strings.Contains(string(ex.Response.Body), "latest") {
		t.Errorf("tags: %d %s", ex.Response.Status, ex.Response.Body)
	}
	ex := schemesAnswer(t, c, req, credentials.Bearer{Token: "made-up"}, &ch)
	if ex.Response.Status != 401 || ex.Challenges[0].Param("error") != "invalid_token" {
		t.Errorf("made-up token: %d %+v", ex.Response.Status, ex.Challenges)
	}

	// With alice's password the token service also grants push; a wrong one is refused.
	wrong := &credentials.RegistryToken{User: User, Password: "nope"}
	wrong.SetRequestURL(req.URL) // the password is for this origin, where the realm is too
	if err := wrong.Prepare(context.Background(), hc, &ch); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("wrong password: %v", err)
	}
	// The grants themselves, read from a registry's own table.
	reg := &registry{now: time.Now, tokens: map[string]registryGrant{}}
	for _, tt := range []struct {
		user, scope string
		want        string
	}{
		{"", "repository:demo:pull,push", "pull"},
		{User, "repository:demo:pull,push", "pull,push"},
		{"", "repository:other:pull", ""},
	} {
		r := httptest.NewRequest("GET", "/registry/token?service="+registryService+"&scope="+tt.scope, nil)
		if tt.user != "" {
			r.SetBasicAuth(tt.user, Password)
		}
		rec := httptest.NewRecorder()
		reg.token(rec, r)
		var m map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil || rec.Code != 200 {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
		tok, _ := m["token"].(string)
		if got := strings.Join(reg.tokens[tok].actions, ","); got != tt.want || m["access_token"] != tok {
			t.Errorf("user %q scope %s: granted %q, want %q", tt.user, tt.scope, got, tt.want)
		}
	}
	rec := httptest.NewRecorder()
	reg.token(rec, httptest.NewRequest("GET", "/registry/token?service=other", nil))
	if rec.Code != 400 {
		t.Errorf("unknown service: %d", rec.Code)
	}
}

func TestMTLS(t *testing.T) {
	dir := t.TempDir()
	caPEM, certFile, keyFile, serverTLS, err := MTLSMaterial(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(caPEM, "BEGIN CERTIFICATE") {
		t.Fatalf("caPEM %q", caPEM)
	}
	srv := httptest.NewUnstartedServer((&Server{}).Handler())
	srv.TLS = serverTLS
	// The handshake with a foreign certificate below fails on purpose.
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	defer srv.Close()

	cfg, err := credentials.ClientTLS(certFile, keyFile, filepath.Join(dir, "ca.pem"), false)
	if err != nil {
		t.Fatal(err)
	}
	with := httpclient.New(httpclient.Options{TLS: cfg})
	ex := schemesDo(t, with, &httpclient.Request{Method: "GET", URL: srv.URL + "/mtls", Header: http.Header{}})
	if ex.Response.Status != 200 || !strings.Contains(string(ex.Response.Body), `"subject":"alice"`) {
		t.Fatalf("with the client certificate: %d %s", ex.Response.Status, ex.Response.Body)
	}
	// localhost is in the server certificate too.
	ex = schemesDo(t, with, &httpclient.Request{Method: "GET", URL: strings.Replace(srv.URL, "127.0.0.1", "localhost", 1) + "/mtls", Header: http.Header{}})
	if ex.Response.Status != 200 {
		t.Errorf("via localhost: %d", ex.Response.Status)
	}

	noCert, err := credentials.ClientTLS("", "", filepath.Join(dir, "ca.pem"), false)
	if err != nil {
		t.Fatal(err)
	}
	ex = schemesDo(t, httpclient.New(httpclient.Options{TLS: noCert}), &httpclient.Request{Method: "GET", URL: srv.URL + "/mtls", Header: http.Header{}})
	if ex.Response.Status != 403 || !strings.Contains(string(ex.Response.Body), "no client certificate") {
		t.Errorf("without a certificate: %d %s", ex.Response.Status, ex.Response.Body)
	}

	// A certificate from another CA fails the handshake.
	otherDir := t.TempDir()
	_, otherCert, otherKey, _, err := MTLSMaterial(otherDir)
	if err != nil {
		t.Fatal(err)
	}
	other, err := credentials.ClientTLS(otherCert, otherKey, filepath.Join(dir, "ca.pem"), false)
	if err != nil {
		t.Fatal(err)
	}
	if ex := httpclient.New(httpclient.Options{TLS: other}).Do(context.Background(), &httpclient.Request{Method: "GET", URL: srv.URL + "/mtls", Header: http.Header{}}); ex.Err == nil {
		t.Errorf("a certificate from another CA got %d", ex.Response.Status)
	}

	// Over plain HTTP /mtls explains what it needs.
	plain, c := startSchemes(t, Options{})
	if ex := schemesDo(t, c, &httpclient.Request{Method: "GET", URL: plain.URL + "/mtls", Header: http.Header{}}); ex.Response.Status != 400 {
		t.Errorf("plain HTTP: %d", ex.Response.Status)
	}
}

func TestMTLSWithCurl(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed")
	}
	dir := t.TempDir()
	_, certFile, keyFile, serverTLS, err := MTLSMaterial(dir)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer((&Server{}).Handler())
	srv.TLS = serverTLS
	srv.StartTLS()
	defer srv.Close()
	status, out := curl(t, "--cacert", filepath.Join(dir, "ca.pem"), "--cert", certFile, "--key", keyFile, srv.URL+"/mtls")
	if status != 200 || !strings.Contains(out, `"scheme":"mTLS"`) {
		t.Errorf("curl with the client certificate: %d\n%s", status, out)
	}
}

func TestSchemeEndpointsListed(t *testing.T) {
	s, _ := startSchemes(t, Options{})
	listed := map[string]bool{}
	for _, e := range s.Endpoints() {
		listed[e.Path] = true
	}
	for _, p := range []string{"/digest", "/digest/sha512", "/apikey", "/registry/v2/"} {
		if !listed[p] {
			t.Errorf("%s not listed", p)
		}
	}
	if listed["/mtls"] {
		t.Error("/mtls listed on a plain HTTP server")
	}
	if !slicesHasMTLS((&Server{URL: "https://127.0.0.1:1"}).schemeEndpoints()) {
		t.Error("/mtls not listed on a TLS server")
	}
}

func slicesHasMTLS(es []Endpoint) bool {
	for _, e := range es {
		if e.Path == "/mtls" {
			return true
		}
	}
	return false
}

func TestSharedDigest(t *testing.T) {
	chs, _ := httpclient.ParseChallenges(sharedDigestChallenge())
	r := &httpclient.Request{Method: "GET", URL: "http://127.0.0.1/multi", Header: http.Header{}}
	if err := (&credentials.Digest{User: User, Password: Password}).Apply(r, &chs[0]); err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/multi", nil)
	req.Header.Set("Authorization", r.Header.Get("Authorization"))
	if !sharedDigestOK(req) {
		t.Error("valid credentials refused")
	}
	if sharedDigestOK(req) {
		t.Error("the same nc accepted twice")
	}
	req.Header.Set("Authorization", "Basic YWxpY2U6d29uZGVybGFuZA==")
	if sharedDigestOK(req) {
		t.Error("Basic accepted as Digest")
	}
}

// FuzzDigestVerify feeds the verifier arbitrary Authorization values: it must
// never panic, and never accept one without the password.
func FuzzDigestVerify(f *testing.F) {
	d := newDigestVerifier(time.Now, []string{"SHA-256", "MD5"}, "auth, auth-int", false)
	f.Add(`Digest username="alice", realm="practice", uri="/digest", algorithm=SHA-256, nonce="n", nc=00000001, cnonce="c", qop=auth, response="r", opaque="o"`)
	f.Add(`Digest username*=UTF-8''al%69ce, realm=practice, uri="/digest", nc=0000000g, qop=auth-int`)
	f.Fuzz(func(t *testing.T, h string) {
		r := httptest.NewRequest("GET", "/digest", nil)
		r.Header["Authorization"] = []string{h}
		if _, _, why := d.verify(r, nil); why == "" {
			t.Fatalf("accepted %q", h)
		}
	})
}

// The session loop drives the schemes against the practice server as the
// TUI and keyhole send do: a stale nonce is retried on its own, a wrong
// password is not, and a registry token is fetched as an attempt of its own.
func TestSchemesThroughTheSession(t *testing.T) {
	s, c := startSchemes(t, Options{})
	ctx := context.Background()

	sess := session.New(c, httpclient.Request{Method: "GET", URL: s.URL + "/digest", Header: http.Header{}})
	if made, err := sess.Send(ctx, nil); err != nil || made[0].Status() != 401 {
		t.Fatalf("no credentials: %v %v", err, made)
	}
	if made, err := sess.Send(ctx, &credentials.Digest{User: User, Password: "wrong"}); err != nil || len(made) != 1 || made[0].Status() != 401 {
		t.Fatalf("wrong password: %v, %d attempts, want one 401 and no automatic retry", err, len(made))
	}
	d := &credentials.Digest{User: User, Password: Password}
	stale := false
	for n := 0; n < digestNonceUses+2; n++ {
		made, err := sess.Send(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		last := made[len(made)-1]
		if last.Status() != 200 {
			t.Fatalf("send %d ended %d", n, last.Status())
		}
		if len(made) == 2 {
			stale = made[0].Status() == 401 && made[1].Auto == "nonce went stale: recomputing with the new nonce"
		}
	}
	if !stale {
		t.Error("the nonce never went stale, or the stale retry was not automatic")
	}

	sess = session.New(c, httpclient.Request{Method: "GET", URL: s.URL + "/registry/v2/", Header: http.Header{}})
	if _, err := sess.Send(ctx, nil); err != nil {
		t.Fatal(err)
	}
	made, err := sess.Send(ctx, &credentials.RegistryToken{})
	if err != nil {
		t.Fatal(err)
	}
	if len(made) != 2 || made[0].Purpose != session.PurposeToken || made[0].Status() != 200 || made[1].Status() != 200 {
		for _, a := range made {
			t.Logf("attempt %s %d", a.Purpose, a.Status())
		}
		t.Fatal("want a token attempt then the request, both 200")
	}

	sess = session.New(c, httpclient.Request{Method: "GET", URL: s.URL + "/apikey", Header: http.Header{}})
	if made, err := sess.Send(ctx, credentials.APIKey{Value: apiKey}); err != nil || made[0].Status() != 200 {
		t.Fatalf("API key: %v %v", err, made)
	}
}
