package practice

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"keyhole/credentials"
	"keyhole/httpclient"
)

// start runs a practice server on a free loopback port for one test.
func start(t *testing.T, o Options) *Server {
	t.Helper()
	s, err := Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// noRedirects is a client that shows each 3xx instead of following it.
var noRedirects = &http.Client{
	Transport:     &http.Transport{Proxy: nil},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

type answer struct {
	status int
	header http.Header
	body   string
}

func get(t *testing.T, c *http.Client, rawURL string, edit func(*http.Request)) answer {
	t.Helper()
	req, err := http.NewRequest("GET", rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(req)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{resp.StatusCode, resp.Header, string(b)}
}

func basicAuth(user, password string) func(*http.Request) {
	return func(r *http.Request) { r.SetBasicAuth(user, password) }
}

func TestMultiOffersThreeChallengesInOneField(t *testing.T) {
	s := start(t, Options{})
	a := get(t, noRedirects, s.URL+"/multi", nil)
	if a.status != 401 {
		t.Fatalf("status %d, want 401", a.status)
	}
	v := a.header.Values("WWW-Authenticate")
	if len(v) != 1 {
		t.Fatalf("%d WWW-Authenticate fields, want 1: %q", len(v), v)
	}
	for _, scheme := range []string{"Newauth realm=", "Digest realm=", "Basic realm="} {
		if !strings.Contains(v[0], scheme) {
			t.Errorf("field %q lacks %s", v[0], scheme)
		}
	}
	if a := get(t, noRedirects, s.URL+"/multi", basicAuth(User, Password)); a.status != 200 {
		t.Errorf("Basic alice: status %d, want 200", a.status)
	}
	if a := get(t, noRedirects, s.URL+"/multi", basicAuth(User, "nope")); a.status != 401 {
		t.Errorf("Basic with a wrong password: status %d, want 401", a.status)
	}
}

func TestMultiSplitSendsOneFieldPerChallenge(t *testing.T) {
	s := start(t, Options{})
	for _, path := range []string{"/multi/split", "/multi?split=1"} {
		a := get(t, noRedirects, s.URL+path, nil)
		v := a.header.Values("WWW-Authenticate")
		if a.status != 401 || len(v) != 3 {
			t.Fatalf("%s: status %d with %d fields %q, want 401 with 3", path, a.status, len(v), v)
		}
		for i, prefix := range []string{"Newauth ", "Digest ", "Basic "} {
			if !strings.HasPrefix(v[i], prefix) {
				t.Errorf("%s: field %d is %q, want it to start with %q", path, i, v[i], prefix)
			}
		}
	}
}

func TestRedirectCrossesOriginAndTargetDemandsBasic(t *testing.T) {
	s := start(t, Options{})
	a := get(t, noRedirects, s.URL+"/redirect", basicAuth(User, Password))
	if a.status != 302 {
		t.Fatalf("status %d, want 302", a.status)
	}
	loc, err := url.Parse(a.header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	base, _ := url.Parse(s.URL)
	if loc.Hostname() != "localhost" || loc.Port() != base.Port() || loc.Path != "/redirect/target" {
		t.Fatalf("Location %q, want http://localhost:%s/redirect/target", loc, base.Port())
	}
	// Asked through localhost, it points back at 127.0.0.1: always the other origin.
	a = get(t, noRedirects, loc.Scheme+"://"+loc.Host+"/redirect", nil)
	if l := a.header.Get("Location"); !strings.HasPrefix(l, "http://127.0.0.1:"+base.Port()+"/") {
		t.Errorf("from localhost, Location %q, want 127.0.0.1", l)
	}

	// Go's own client drops Authorization on the host change: the target answers 401.
	a = get(t, &http.Client{Transport: &http.Transport{Proxy: nil}}, s.URL+"/redirect", basicAuth(User, Password))
	if a.status != 401 || !strings.HasPrefix(a.header.Get("WWW-Authenticate"), "Basic ") {
		t.Errorf("followed redirect: status %d challenge %q, want 401 Basic", a.status, a.header.Get("WWW-Authenticate"))
	}
	// Trusting the hop means sending them to the target too.
	if a := get(t, noRedirects, loc.String(), basicAuth(User, Password)); a.status != 200 {
		t.Errorf("target with credentials: status %d, want 200", a.status)
	}
}

func TestProxyEndpointAnswers407(t *testing.T) {
	s := start(t, Options{})
	a := get(t, noRedirects, s.URL+"/proxy", nil)
	if a.status != 407 || a.header.Get("Proxy-Authenticate") != `Basic realm="practice-proxy", charset="UTF-8"` {
		t.Fatalf("status %d Proxy-Authenticate %q, want 407 Basic realm=practice-proxy", a.status, a.header.Get("Proxy-Authenticate"))
	}
	if a.header.Get("WWW-Authenticate") != "" {
		t.Error("a 407 should not carry WWW-Authenticate")
	}
	withProxyAuth := func(r *http.Request) {
		r.Header.Set("Proxy-Authorization", "Basic YWxpY2U6d29uZGVybGFuZA==") // alice:wonderland
	}
	if a := get(t, noRedirects, s.URL+"/proxy", withProxyAuth); a.status != 200 {
		t.Errorf("with Proxy-Authorization: status %d, want 200", a.status)
	}
	// Authorization is the wrong header for a proxy.
	if a := get(t, noRedirects, s.URL+"/proxy", basicAuth(User, Password)); a.status != 407 {
		t.Errorf("with Authorization instead: status %d, want 407", a.status)
	}
	// A forged Via is not enough; only the real proxy's stamp is.
	forged := func(r *http.Request) { r.Header.Set("Via", viaProxy); r.Header.Set(stampHeader, "guess") }
	if a := get(t, noRedirects, s.URL+"/proxy", forged); a.status != 407 {
		t.Errorf("with a forged stamp: status %d, want 407", a.status)
	}
}

func TestForbiddenIsNotUnauthorized(t *testing.T) {
	s := start(t, Options{})
	a := get(t, noRedirects, s.URL+"/forbidden", nil)
	if a.status != 401 || !strings.HasPrefix(a.header.Get("WWW-Authenticate"), "Basic ") {
		t.Fatalf("no credentials: status %d challenge %q, want 401 Basic", a.status, a.header.Get("WWW-Authenticate"))
	}
	a = get(t, noRedirects, s.URL+"/forbidden", basicAuth(User, Password))
	if a.status != 403 || !strings.Contains(a.body, `"admin"`) || a.header.Get("WWW-Authenticate") != "" {
		t.Fatalf("alice: status %d body %q, want 403 naming the admin role and no challenge", a.status, a.body)
	}
	if a := get(t, noRedirects, s.URL+"/forbidden", basicAuth(User, "nope")); a.status != 401 {
		t.Errorf("wrong password: status %d, want 401", a.status)
	}
	if a := get(t, noRedirects, s.URL+"/forbidden", basicAuth(Admin, AdminPassword)); a.status != 200 {
		t.Errorf("bob: status %d, want 200", a.status)
	}
}

// clock is a settable clock for the server.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func TestSessionCookieLogin(t *testing.T) {
	clk := &clock{t: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)}
	s := start(t, Options{Now: clk.now})
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Transport: &http.Transport{Proxy: nil}, CheckRedirect: noRedirects.CheckRedirect}

	a := get(t, c, s.URL+"/session", nil)
	if a.status != 302 || !strings.HasPrefix(a.header.Get("Location"), "/login") || a.header.Get("WWW-Authenticate") != "" {
		t.Fatalf("no cookie: status %d Location %q, want 302 to /login without a challenge", a.status, a.header.Get("Location"))
	}
	if a := get(t, c, s.URL+"/login", nil); a.status != 200 || !strings.Contains(a.body, `<form method="post"`) {
		t.Fatalf("GET /login: status %d, want 200 and a form", a.status)
	}

	post := func(user, password string) *http.Response {
		t.Helper()
		resp, err := c.PostForm(s.URL+"/login", url.Values{"user": {user}, "password": {password}, "next": {"/session"}})
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	if resp := post(User, "nope"); resp.StatusCode != 200 || len(resp.Cookies()) != 0 {
		t.Fatalf("wrong password: status %d cookies %v, want the form again and no cookie", resp.StatusCode, resp.Cookies())
	}
	resp := post(User, Password)
	if resp.StatusCode != 302 || resp.Header.Get("Location") != "/session" {
		t.Fatalf("login: status %d Location %q, want 302 to /session", resp.StatusCode, resp.Header.Get("Location"))
	}
	if a := get(t, c, s.URL+"/session", nil); a.status != 200 || !strings.Contains(a.body, `"alice"`) {
		t.Fatalf("with the cookie: status %d body %q, want 200 for alice", a.status, a.body)
	}

	// The server forgets the login after the TTL; the stale cookie leads back to the form.
	clk.add(DefaultSessionTTL)
	if a := get(t, c, s.URL+"/session", nil); a.status != 302 || !strings.Contains(a.body, "no longer knows") {
		t.Fatalf("after expiry: status %d body %q, want 302 explaining the stale cookie", a.status, a.body)
	}
	u, _ := url.Parse(s.URL)
	if len(jar.Cookies(u)) != 1 {
		t.Fatal("the stale cookie should still be in the jar")
	}

	// Logging in again works; logout server-only leaves a stale cookie; plain logout clears it.
	post(User, Password)
	if a := get(t, c, s.URL+"/session", nil); a.status != 200 {
		t.Fatalf("second login: status %d, want 200", a.status)
	}
	get(t, c, s.URL+"/logout?server-only=1", nil)
	if a := get(t, c, s.URL+"/session", nil); a.status != 302 || len(jar.Cookies(u)) != 1 {
		t.Fatalf("after server-only logout: status %d with %d cookies, want 302 and the stale cookie kept", a.status, len(jar.Cookies(u)))
	}
	post(User, Password)
	get(t, c, s.URL+"/logout", nil)
	if len(jar.Cookies(u)) != 0 {
		t.Errorf("logout left cookies %v in the jar", jar.Cookies(u))
	}
}

func TestLoginRedirectStaysOnThisServer(t *testing.T) {
	for in, want := range map[string]string{
		"/basic": "/basic", "": "/session", "//evil.example/": "/session",
		"http://evil.example/": "/session", "/\\evil": "/session",
	} {
		if got := localPath(in); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNoChallenge(t *testing.T) {
	s := start(t, Options{})
	a := get(t, noRedirects, s.URL+"/no-challenge", nil)
	if a.status != 401 || len(a.header.Values("WWW-Authenticate")) != 0 {
		t.Fatalf("status %d WWW-Authenticate %q, want 401 without a challenge", a.status, a.header.Values("WWW-Authenticate"))
	}
	if a := get(t, noRedirects, s.URL+"/no-challenge", basicAuth(User, Password)); a.status != 200 {
		t.Errorf("guessing Basic: status %d, want 200", a.status)
	}
}

func TestHostileSendsControlCharacters(t *testing.T) {
	s := start(t, Options{})
	a := get(t, noRedirects, s.URL+"/hostile", nil)
	if a.status != 401 {
		t.Fatalf("status %d, want 401", a.status)
	}
	realm := a.header.Get("WWW-Authenticate")
	if !strings.HasPrefix(realm, "Basic ") || !strings.Contains(realm, "\u009b2J") {
		t.Errorf("challenge %q lacks the C1 CSI 2J", realm)
	}
	if n := a.header.Get("X-Note"); !strings.Contains(n, "\u009d52;c;") || !strings.HasSuffix(n, "\u009c") {
		t.Errorf("X-Note %q lacks an OSC 52 clipboard write", n)
	}
	if c1 := a.header.Get("X-C1"); !strings.Contains(c1, "\x9b") {
		t.Errorf("X-C1 %q lacks the raw 8-bit CSI byte", c1)
	}
	for _, want := range []string{"\x1b[2J", "\x07", "\x7f", "\x9b", "\x1b]52;", "\r200 OK"} {
		if !strings.Contains(a.body, want) {
			t.Errorf("body lacks %q", want)
		}
	}
	if a := get(t, noRedirects, s.URL+"/hostile", basicAuth(User, Password)); a.status != 200 {
		t.Errorf("with credentials: status %d, want 200", a.status)
	}
	// The 7-bit forms in header lines make Go's client refuse the response.
	if _, err := noRedirects.Get(s.URL + "/hostile?headers=7bit"); err == nil || !strings.Contains(err.Error(), "malformed MIME header") {
		t.Errorf("headers=7bit: err %v, want Go's malformed MIME header refusal", err)
	}
}

func TestSlowAnswersAfterTheDelayAndHonoursCancel(t *testing.T) {
	s := start(t, Options{})
	if a := get(t, noRedirects, s.URL+"/slow?ms=10", basicAuth(User, Password)); a.status != 200 {
		t.Errorf("status %d, want 200", a.status)
	}
	if a := get(t, noRedirects, s.URL+"/slow?ms=10", nil); a.status != 401 {
		t.Errorf("no credentials: status %d, want 401", a.status)
	}
	if a := get(t, noRedirects, s.URL+"/slow?ms=soon", nil); a.status != 400 {
		t.Errorf("ms=soon: status %d, want 400", a.status)
	}

	// A request for the longest delay, cancelled: the handler must stop too,
	// or Shutdown, which waits for active requests, would wait out the 30 s.
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", s.URL+"/slow?ms=30000", nil)
	errc := make(chan error, 1)
	go func() {
		resp, err := noRedirects.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	time.Sleep(50 * time.Millisecond)
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled request: err %v, want context.Canceled", err)
	}
	sctx, stop := context.WithTimeout(context.Background(), 10*time.Second)
	defer stop()
	if err := s.srv.Shutdown(sctx); err != nil {
		t.Errorf("Shutdown: %v; the /slow handler kept running after the client cancelled", err)
	}
}

// TestMultiAcceptsDigest answers /multi's Digest challenge, picked out of the
// three by keyhole's parser, with keyhole's Digest, in both header layouts.
func TestMultiAcceptsDigest(t *testing.T) {
	s := start(t, Options{})
	for _, path := range []string{"/multi", "/multi/split"} {
		a := get(t, noRedirects, s.URL+path, nil)
		chs, problems := httpclient.ParseHeader(a.header, "WWW-Authenticate")
		if len(chs) != 3 || len(problems) != 0 {
			t.Fatalf("%s: parsed %d challenges, problems %v; want Newauth, Digest, Basic", path, len(chs), problems)
		}
		i := slices.IndexFunc(chs, func(c httpclient.Challenge) bool { return c.Is("Digest") })
		if i < 0 {
			t.Fatalf("%s: no Digest challenge", path)
		}
		for _, password := range []string{"nope", Password} {
			req := &httpclient.Request{Method: "GET", URL: s.URL + path, Header: http.Header{}}
			d := &credentials.Digest{User: User, Password: password}
			if err := d.Apply(req, &chs[i]); err != nil {
				t.Fatal(err)
			}
			a := get(t, noRedirects, req.URL, func(r *http.Request) { r.Header = req.Header })
			want := 200
			if password != Password {
				want = 401
			}
			if a.status != want {
				t.Errorf("%s Digest with password %q: status %d, want %d (%s)", path, password, a.status, want, a.body)
			}
		}
	}
}

// TestHostileIsMadeSafe reads /hostile with keyhole's client and checks that
// httpclient.Safe and SafeLine leave nothing a terminal would act on.
func TestHostileIsMadeSafe(t *testing.T) {
	s := start(t, Options{})
	ex := httpclient.New(httpclient.Options{}).Do(context.Background(), &httpclient.Request{Method: "GET", URL: s.URL + "/hostile", Header: http.Header{}})
	if ex.Err != nil || ex.Response == nil || ex.Response.Status != 401 {
		t.Fatalf("GET /hostile with keyhole's client: %+v", ex.Err)
	}
	acts := func(r rune) bool { return r < 0x20 || r >= 0x7f && r < 0xa0 || r == utf8.RuneError }
	for name, values := range ex.Response.Header {
		for _, v := range values {
			if got := httpclient.SafeLine(v); strings.ContainsFunc(got, acts) || !utf8.ValidString(got) {
				t.Errorf("SafeLine(%s) = %q still holds a control character", name, got)
			}
		}
	}
	body := httpclient.Safe(string(ex.Response.Body))
	if strings.ContainsFunc(body, func(r rune) bool { return r != '\n' && r != '\t' && acts(r) }) || !utf8.ValidString(body) {
		t.Errorf("Safe(body) = %q still holds a control character", body)
	}
	chs, _ := httpclient.ParseHeader(ex.Response.Header, "WWW-Authenticate")
	if len(chs) != 1 || !strings.Contains(chs[0].Param("realm"), "\u009b") {
		t.Errorf("the hostile realm did not survive parsing: %+v", chs)
	}
}
