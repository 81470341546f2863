package session

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"keyhole/credentials"
	"keyhole/httpclient"
	"keyhole/practice"
)

// withProxy starts the practice server with its forward proxy.
func withProxy(t *testing.T) *practice.Server {
	t.Helper()
	srv, err := practice.Start(practice.Options{ProxyAddr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

func originOf(t *testing.T, raw string) httpclient.Origin {
	t.Helper()
	o, err := OriginFor(raw)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// run starts a session on GET url with client options o and runs it.
func run(t *testing.T, o httpclient.Options, url string, w *Wallet, p Policy) (*Session, Outcome) {
	t.Helper()
	s := New(httpclient.New(o), httpclient.Request{Method: http.MethodGet, URL: url, Header: http.Header{}})
	out := s.Run(context.Background(), w, p)
	return s, out
}

// trail is the attempts as "purpose status carried" lines.
func trail(as []*Attempt) string {
	var b strings.Builder
	for _, a := range as {
		fmt.Fprintf(&b, "%s %d %s\n", a.Purpose, a.Status(), a.CarriedWords())
	}
	return b.String()
}

func basicOffer(t *testing.T, at, source string, proxy bool) *Offer {
	return &Offer{Auth: credentials.Basic{User: practice.User, Password: practice.Password}, Origin: originOf(t, at), Proxy: proxy, Source: source}
}

// Issue 16, problem 1: the proxy's 407 and then the server's 401 are both
// answered, and the proxy's credentials stay on the request that answers
// the server.
func TestRunProxyThenServer(t *testing.T) {
	srv := withProxy(t)
	u, _, err := ParseProxy(srv.Proxy.URL)
	if err != nil {
		t.Fatal(err)
	}
	w := &Wallet{}
	w.Add(basicOffer(t, srv.URL, "-u", false))
	w.Add(basicOffer(t, srv.Proxy.URL, "-U", true))
	_, out := run(t, httpclient.Options{Proxy: ProxyFunc(u, nil)}, srv.URL+"/basic", w, Policy{})
	want := "request 407 none\nrequest 401 proxy Basic\nrequest 200 Basic, proxy Basic\n"
	if got := trail(out.Attempts); got != want || out.Stop != StopAnswered {
		t.Fatalf("attempts:\n%s(stop %s: %s), want\n%s", got, out.Stop, out.Why, want)
	}
	last := out.Attempts[2]
	if last.Exchange.Request.Header.Get("Proxy-Authorization") == "" || last.Exchange.Request.Header.Get("Authorization") == "" {
		t.Errorf("the last request lacks a header: %v", last.Exchange.Request.Header)
	}
	if !strings.Contains(last.Reason, "answering the server's Basic challenge with Basic from -u") {
		t.Errorf("reason of the last attempt: %q", last.Reason)
	}
	if c := last.Carried[0]; c.Source != "-u" || c.Detail != "alice" || c.Proxy {
		t.Errorf("carried: %+v", last.Carried)
	}
}

// The proxy offer never answers the server, nor the server's the proxy.
func TestRunProxyCredentialsStayWithTheProxy(t *testing.T) {
	srv := withProxy(t)
	u, _, _ := ParseProxy(srv.Proxy.URL)
	w := &Wallet{}
	w.Add(basicOffer(t, srv.Proxy.URL, "-U", true))
	_, out := run(t, httpclient.Options{Proxy: ProxyFunc(u, nil)}, srv.URL+"/basic", w, Policy{})
	if got := trail(out.Attempts); got != "request 407 none\nrequest 401 proxy Basic\n" || out.Stop != StopNoCredentials {
		t.Fatalf("-U alone:\n%s(stop %s)", got, out.Stop)
	}
	w = &Wallet{}
	w.Add(basicOffer(t, srv.URL, "-u", false))
	_, out = run(t, httpclient.Options{Proxy: ProxyFunc(u, nil)}, srv.URL+"/basic", w, Policy{})
	if got := trail(out.Attempts); got != "request 407 none\n" || out.Stop != StopNoCredentials {
		t.Fatalf("-u alone:\n%s(stop %s)", got, out.Stop)
	}
}

// privateServer answers 404 to a request without the right Basic
// credentials, as GitHub does for a private resource: no challenge ever
// comes.
func privateServer(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != practice.User || p != practice.Password {
			http.NotFound(w, r)
			return
		}
		fmt.Fprintln(w, "private")
	}))
	t.Cleanup(srv.Close)
	return srv
}

// Issue 16, problem 6: credentials that wait for a challenge that never
// comes are said to have been held back, with how to send them up front.
func TestRunHeldBackCredentialsAreSaid(t *testing.T) {
	srv := privateServer(t)
	w := &Wallet{}
	w.Add(basicOffer(t, srv.URL, "-u", false))
	_, out := run(t, httpclient.Options{}, srv.URL+"/repo", w, Policy{})
	if got := trail(out.Attempts); got != "request 404 none\n" {
		t.Fatalf("attempts:\n%s", got)
	}
	var f *Finding
	for i, x := range out.Attempts[0].Findings {
		if x.Code == "credentials-held-back" {
			f = &out.Attempts[0].Findings[i]
		}
	}
	if f == nil || !strings.Contains(f.Message, "with -u were never sent") || f.Do.Kind != "send-upfront" || f.Do.Scheme != "basic" {
		t.Fatalf("no held-back finding: %+v", out.Attempts[0].Findings)
	}
	if strings.Contains(f.Next, "keyhole send") || strings.Contains(f.Next, "--auth") {
		t.Errorf("the finding's words are one face's: %q", f.Next)
	}

	_, out = run(t, httpclient.Options{}, srv.URL+"/repo", w, Policy{Send: SendUpfront})
	if got := trail(out.Attempts); got != "request 200 Basic\n" {
		t.Fatalf("sent up front:\n%s", got)
	}
	for _, x := range out.Attempts[0].Findings {
		if x.Code == "credentials-held-back" {
			t.Errorf("held-back finding on an attempt that carried them: %+v", x)
		}
	}

	// The finding's step, as a face takes it: those offers go up front.
	if n := w.SendUpfront(originOf(t, srv.URL), f.Do.Scheme); n != 1 {
		t.Fatalf("SendUpfront changed %d offers, want 1", n)
	}
	_, out = run(t, httpclient.Options{}, srv.URL+"/repo", w, Policy{})
	if got := trail(out.Attempts); got != "request 200 Basic\n" {
		t.Fatalf("after SendUpfront:\n%s", got)
	}
}

// Credentials are bound to their origin: a redirect to another origin that
// challenges does not get them, unless the policy trusts it. The attacker
// is a second loopback origin (localhost:P2 against 127.0.0.1:P1).
func TestRunNeverAnswersAnotherOrigin(t *testing.T) {
	var got atomic.Value
	attacker := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a := r.Header.Get("Authorization"); a != "" {
			got.Store(a)
		}
		w.Header().Set("WWW-Authenticate", `Basic realm="give me your password"`)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer attacker.Close()
	evil := strings.Replace(attacker.URL, "127.0.0.1", "localhost", 1)
	home := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, evil+"/steal", http.StatusFound)
	}))
	defer home.Close()

	w := &Wallet{}
	w.Add(basicOffer(t, home.URL, "-u", false))
	_, out := run(t, httpclient.Options{FollowRedirects: true}, home.URL+"/start", w, Policy{})
	if out.Stop != StopOtherOrigin || len(out.Attempts) != 2 || got.Load() != nil {
		t.Fatalf("the other origin got the credentials, or Run did not stop when they were left behind: %s, %d attempts, it got %v", out.Stop, len(out.Attempts), got.Load())
	}
	// An offer for the attacker's origin would answer; none for home does.
	w.Add(basicOffer(t, evil, "-u", false))
	_, out = run(t, httpclient.Options{FollowRedirects: true}, home.URL+"/start", w, Policy{Trusted: []httpclient.Origin{originOf(t, evil)}})
	if got.Load() != nil {
		t.Fatalf("credentials for home went to the trusted redirect's origin without its client trusting redirects")
	}
	_, out = run(t, httpclient.Options{FollowRedirects: true, TrustRedirects: true}, home.URL+"/start", w, Policy{TrustRedirects: true})
	if got.Load() == nil || len(out.Attempts) < 2 {
		t.Fatalf("trusted redirects: the credentials did not follow (%s)", trail(out.Attempts))
	}
}

// A preferred offer answers before a stronger challenge's.
func TestRunPreferredOfferWins(t *testing.T) {
	srv := startPractice(t)
	w := &Wallet{}
	w.Add(&Offer{Auth: &credentials.Digest{User: practice.User, Password: practice.Password}, Origin: originOf(t, srv.URL), Source: "-u"})
	basic := w.Add(basicOffer(t, srv.URL, "-u", false))
	_, out := run(t, httpclient.Options{}, srv.URL+"/multi", w, Policy{})
	if n := len(out.Attempts); n < 2 || out.Attempts[1].Scheme != "Digest" {
		t.Fatalf("without a preference the strongest challenge wins:\n%s", trail(out.Attempts))
	}
	w.Prefer(basic)
	_, out = run(t, httpclient.Options{}, srv.URL+"/multi", w, Policy{})
	if n := len(out.Attempts); n < 2 || out.Attempts[1].Scheme != "Basic" {
		t.Fatalf("the preferred Basic did not answer:\n%s", trail(out.Attempts))
	}
}

// legs is a made-up two-leg, connection-bound scheme, to show how
// credentials.Handshaker plugs into Run: the server answers the first leg
// with a token the second leg must echo.
type legs struct{ token string }

func (*legs) Scheme() string { return "Legs" }
func (l *legs) Apply(r *httpclient.Request, ch *httpclient.Challenge) error {
	if ch != nil && ch.Token68 != "" {
		r.Header.Set("Authorization", "Legs reply-"+ch.Token68)
		return nil
	}
	r.Header.Set("Authorization", "Legs hello")
	return nil
}
func (l *legs) Continues(ch *httpclient.Challenge) bool { return ch.Token68 != "" }
func (*legs) ConnectionBound() bool                     { return true }

func TestRunMultiLegHandshake(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := r.Header.Get("Authorization")
		mu.Lock()
		seen = append(seen, a)
		mu.Unlock()
		switch a {
		case "Legs hello":
			w.Header().Set("WWW-Authenticate", "Legs c2VydmVy")
		case "Legs reply-c2VydmVy":
			fmt.Fprintln(w, "in")
			return
		default:
			w.Header().Set("WWW-Authenticate", "Legs")
		}
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer srv.Close()
	w := &Wallet{}
	w.Add(&Offer{Auth: &legs{}, Origin: originOf(t, srv.URL), Source: "test"})
	_, out := run(t, httpclient.Options{}, srv.URL+"/", w, Policy{MaxAttempts: 2})
	if got := trail(out.Attempts); got != "request 401 none\nrequest 401 Legs\nrequest 200 Legs\n" {
		t.Fatalf("legs:\n%s(seen %q)", got, seen)
	}
	if r := out.Attempts[2].Reason; r != "Legs handshake, leg 2" {
		t.Errorf("reason of the second leg: %q", r)
	}
}

// Issue 16, problem 3 (session side): the user's own Authorization header
// is what the attempt carried, whichever face sent it.
func TestAttemptCarriesTheUsersOwnHeader(t *testing.T) {
	srv := startPractice(t)
	s := New(httpclient.New(httpclient.Options{}), httpclient.Request{Method: "GET", URL: srv.URL + "/bearer",
		Header: http.Header{"Authorization": {"Bearer " + practice.Token}}})
	as, err := s.Send(context.Background(), nil)
	if err != nil || len(as) != 1 {
		t.Fatal(err)
	}
	if got := as[0].CarriedWords(); got != "Bearer (from -H)" {
		t.Errorf("carried %q", got)
	}
	out := s.Run(context.Background(), &Wallet{HeaderSource: "headers"}, Policy{})
	if got := out.Attempts[0].CarriedWords(); got != "Bearer (from headers)" || out.Attempts[0].Status() != 200 {
		t.Errorf("carried %q, status %d", got, out.Attempts[0].Status())
	}
}

func TestParseProxy(t *testing.T) {
	for _, c := range []struct{ in, url, user, err string }{
		{"127.0.0.1:8402", "http://127.0.0.1:8402", "", ""},
		{"socks5h://127.0.0.1:1080", "socks5h://127.0.0.1:1080", "", ""},
		{"http://alice:wonderland@127.0.0.1:8402/", "http://127.0.0.1:8402", "alice:wonderland", ""},
		{"HTTPS://alice@proxy.test", "https://proxy.test", "alice", ""},
		{"ftp://127.0.0.1:1", "", "", "use http, https, socks5 or socks5h"},
		{"http://127.0.0.1:8402/path", "", "", "is not a proxy URL"},
		{"http://", "", "", "is not a proxy URL"},
	} {
		u, user, err := ParseProxy(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: err %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || u.String() != c.url || user != c.user {
			t.Errorf("%q: %v %q %v, want %q %q", c.in, u, user, err, c.url, c.user)
		}
	}
}

func TestOriginFor(t *testing.T) {
	for in, want := range map[string]string{
		"http://127.0.0.1:8401/basic": "http://127.0.0.1:8401",
		"HTTPS://Example.COM./x":      "https://example.com",
		"example.com":                 "http://example.com",
		"http://[::1]/":               "http://[::1]",
		"socks5://127.0.0.1":          "socks5://127.0.0.1:1080",
	} {
		if o := originOf(t, in); o.String() != want {
			t.Errorf("%q: %q, want %q", in, o, want)
		}
	}
	if originOf(t, "http://a.test/x") == originOf(t, "https://a.test/x") {
		t.Error("the scheme does not count")
	}
	if !sameOrigin(originOf(t, "http://a.test"), "http://A.test:80/y") {
		t.Error("same origin refused")
	}
	if _, err := OriginFor(":::"); err == nil {
		t.Error("no host, no error")
	}
}

func TestBase64BasicDetail(t *testing.T) {
	v := "Basic " + base64.StdEncoding.EncodeToString([]byte("bob:pw"))
	if s, d := credentials.Carried(v); s != "Basic" || d != "bob" {
		t.Errorf("%q %q", s, d)
	}
	if s, d := credentials.Carried(`Digest username="a", algorithm=SHA-256, nonce="n"`); s != "Digest" || d != "SHA-256" {
		t.Errorf("%q %q", s, d)
	}
}

// A Digest answer stays in the challenge's protection space: its domain, and
// its origin. Moving the draft elsewhere does not take the answer along.
func TestDigestAnswerStaysInItsDomain(t *testing.T) {
	var leaked atomic.Value
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a := r.Header.Get("Authorization"); a != "" {
			leaked.Store(a)
		}
	}))
	defer other.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a := r.Header.Get("Authorization"); a != "" && !strings.HasPrefix(r.URL.Path, "/private/") {
			leaked.Store(a)
		}
		if strings.HasPrefix(r.URL.Path, "/private/") {
			w.Header().Set("WWW-Authenticate", `Digest realm="r", qop="auth", nonce="n1", domain="/private/"`)
			w.WriteHeader(http.StatusUnauthorized)
		}
	}))
	defer srv.Close()
	s := New(httpclient.New(httpclient.Options{}), httpclient.Request{Method: "GET", URL: srv.URL + "/private/a", Header: http.Header{}})
	if _, err := s.Send(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	d := &credentials.Digest{User: "u", Password: "p"}
	for _, to := range []string{srv.URL + "/private/b", srv.URL + "/apikey", strings.Replace(other.URL, "127.0.0.1", "localhost", 1) + "/private/a"} {
		s.SetDraft(httpclient.Request{Method: "GET", URL: to, Header: http.Header{}})
		as, err := s.Send(context.Background(), d)
		inDomain := strings.HasPrefix(to, srv.URL+"/private/")
		if inDomain && (err != nil || as[len(as)-1].Scheme != "Digest") {
			t.Errorf("%s: the challenge's own domain was not answered: %v", to, err)
		}
		if !inDomain && err == nil {
			t.Errorf("%s: a Digest answer went outside the challenge's domain", to)
		}
	}
	if leaked.Load() != nil {
		t.Errorf("credentials reached a URL outside the protection space: %v", leaked.Load())
	}
}

// The TUI's picker: a Run that stopped at a challenge, then an offer added
// and preferred, and Run again answers that challenge at once.
func TestRunResumesAtTheLastChallenge(t *testing.T) {
	srv := startPractice(t)
	s := New(httpclient.New(httpclient.Options{}), httpclient.Request{Method: "GET", URL: srv.URL + "/basic", Header: http.Header{}})
	w := &Wallet{HeaderSource: "the headers"}
	out := s.Run(context.Background(), w, Policy{})
	if out.Stop != StopNoCredentials || len(out.Attempts) != 1 {
		t.Fatalf("empty wallet: %s\n%s", out.Stop, trail(out.Attempts))
	}
	w.Prefer(w.Add(&Offer{Auth: credentials.Basic{User: practice.User, Password: practice.Password}, Origin: originOf(t, srv.URL), Source: "form"}))
	out = s.Run(context.Background(), w, Policy{})
	if got := trail(out.Attempts); got != "request 200 Basic\n" || out.Stop != StopAnswered {
		t.Fatalf("after the pick:\n%s", got)
	}
	if r := out.Attempts[0].Reason; r != "answering the server's Basic challenge with Basic from form" {
		t.Errorf("reason %q", r)
	}
}

// NoAutoRefresh keeps an invalid_token rejection for the user to see (a
// lesson shows the failure first); by default Run fetches a new token at once.
func TestRunNoAutoRefresh(t *testing.T) {
	srv := startPractice(t)
	offer := func() *Wallet {
		w := &Wallet{}
		w.Add(&Offer{Auth: &credentials.OAuth2{ClientID: practice.ClientID, ClientSecret: practice.ClientSecret,
			TokenURL: srv.URL + "/oauth/token", AccessToken: "revoked-or-garbage"}, Origin: originOf(t, srv.URL), Upfront: true, Source: "test"})
		return w
	}
	_, out := run(t, httpclient.Options{}, srv.URL+"/jwt", offer(), Policy{NoAutoRefresh: true})
	if got := trail(out.Attempts); got != "request 401 Bearer\n" || out.Stop != StopRejected {
		t.Fatalf("NoAutoRefresh:\n%s(stop %s)", got, out.Stop)
	}
	_, out = run(t, httpclient.Options{}, srv.URL+"/jwt", offer(), Policy{})
	if got := trail(out.Attempts); !strings.HasPrefix(got, "request 401 Bearer\n") || !strings.HasSuffix(got, "token 200 Basic\nrequest 200 Bearer\n") {
		t.Fatalf("default policy:\n%s(stop %s)", got, out.Stop)
	}
}

// One registry rule for both faces: a Bearer challenge whose realm is a
// token service URL and that names a service or a scope.
func TestIsRegistryChallenge(t *testing.T) {
	for v, want := range map[string]bool{
		`Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"`: true,
		`Bearer realm="http://127.0.0.1:8401/token",scope="repository:demo:pull"`:                                         true,
		`Bearer realm="example",service="api"`:                                                                            false,
		`Bearer realm="https://auth.example.com/token"`:                                                                   false,
		`Basic realm="https://auth.example.com/token",service="x"`:                                                        false,
	} {
		chs, _ := httpclient.ParseChallenges(v)
		if got := IsRegistryChallenge(chs[0]); got != want {
			t.Errorf("%s: %v, want %v", v, got, want)
		}
	}
}
