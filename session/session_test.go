package session

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"keyhole/credentials"
	"keyhole/httpclient"
	"keyhole/practice"
)

// digestServer speaks RFC 7616 Digest: it offers SHA-256 and MD5, verifies
// answers with credentials.DigestResponse, and calls the first correct answer
// with a nonce from a first challenge stale, so the client has to recompute
// once with the nonce sent along with stale=true.
type digestServer struct {
	*httptest.Server
	mu     sync.Mutex
	nonces int
	fresh  map[string]bool // nonces handed out with stale=true
}

func newDigestServer(t *testing.T) *digestServer {
	d := &digestServer{fresh: map[string]bool{}}
	d.Server = httptest.NewServer(d)
	t.Cleanup(d.Close)
	return d
}

func (d *digestServer) challenge(w http.ResponseWriter, stale bool) {
	d.mu.Lock()
	d.nonces++
	nonce := fmt.Sprintf("nonce-%d", d.nonces)
	d.fresh[nonce] = stale
	d.mu.Unlock()
	extra := ""
	if stale {
		extra = ", stale=true"
	}
	for _, alg := range []string{"SHA-256", "MD5"} {
		w.Header().Add("WWW-Authenticate", `Digest realm="lab", qop="auth", algorithm=`+alg+`, nonce="`+nonce+`", opaque="o"`+extra)
	}
	w.WriteHeader(http.StatusUnauthorized)
}

func (d *digestServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	chs, _ := httpclient.ParseChallenges(r.Header.Get("Authorization"))
	if len(chs) != 1 || !chs[0].Is("Digest") {
		d.challenge(w, false)
		return
	}
	c := chs[0]
	want, err := credentials.DigestResponse(credentials.DigestInput{
		Algorithm: c.Param("algorithm"), User: practice.User, Realm: "lab", Password: practice.Password,
		Method: r.Method, URI: c.Param("uri"), Nonce: c.Param("nonce"), CNonce: c.Param("cnonce"),
		NC: c.Param("nc"), QOP: c.Param("qop"),
	})
	if err != nil || c.Param("response") != want.Response || c.Param("username") != practice.User {
		d.challenge(w, false) // wrong password: a new nonce, not stale
		return
	}
	d.mu.Lock()
	fresh := d.fresh[c.Param("nonce")]
	d.mu.Unlock()
	if !fresh {
		d.challenge(w, true)
		return
	}
	fmt.Fprintf(w, "hello %s, answered with %s\n", practice.User, c.Param("algorithm"))
}

func TestSendDigestStaleRetry(t *testing.T) {
	srv := newDigestServer(t)
	s := New(httpclient.New(httpclient.Options{}), httpclient.Request{Method: "GET", URL: srv.URL + "/dir/index.html"})
	ctx := context.Background()
	if _, err := s.Send(ctx, nil); err != nil {
		t.Fatal(err)
	}
	made, err := s.Send(ctx, &credentials.Digest{User: practice.User, Password: practice.Password})
	if err != nil {
		t.Fatal(err)
	}
	if len(made) != 2 {
		t.Fatalf("want the answer and one automatic retry, got %d attempts", len(made))
	}
	first, retry := made[0], made[1]
	if first.Status() != 401 || first.Auto != "" || !strings.Contains(first.Note, "SHA-256") {
		t.Errorf("first answer: status %d, auto %q, note %q", first.Status(), first.Auto, first.Note)
	}
	finding(t, first, "digest-stale-nonce")
	if retry.Status() != 200 || !strings.Contains(retry.Auto, "stale") {
		t.Fatalf("retry: status %d, auto %q", retry.Status(), retry.Auto)
	}
	if f := finding(t, retry, "success"); !strings.Contains(f.Message, "automatic retry") {
		t.Errorf("success should credit the automatic retry: %q", f.Message)
	}
	if got := len(s.Attempts()); got != 3 {
		t.Errorf("timeline holds %d attempts, want 3", got)
	}
	for i, a := range s.Attempts() {
		if a.N != i+1 || a.Started.IsZero() || a.Finished.Before(a.Started) {
			t.Errorf("attempt %d: N %d, started %v, finished %v", i, a.N, a.Started, a.Finished)
		}
	}

	// A wrong password gets a new nonce without stale=true: no automatic retry.
	made, err = s.Send(ctx, &credentials.Digest{User: practice.User, Password: "wrong"})
	if err != nil {
		t.Fatal(err)
	}
	if len(made) != 1 || made[0].Status() != 401 {
		t.Fatalf("wrong password: %d attempts, last status %d", len(made), made[len(made)-1].Status())
	}
	finding(t, made[0], "credentials-rejected")
}

// rotating is a real Refresher: a token source that moves to its next token
// when the server rejects the current one.
type rotating struct {
	mu     sync.Mutex
	tokens []string
	forgot int
}

func (r *rotating) Scheme() string { return "Bearer" }
func (r *rotating) Apply(req *httpclient.Request, ch *httpclient.Challenge) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return credentials.Bearer{Token: r.tokens[0]}.Apply(req, ch)
}
func (r *rotating) Rejected(ch *httpclient.Challenge) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if ch.Param("error") != "invalid_token" || len(r.tokens) < 2 {
		return ""
	}
	r.tokens = r.tokens[1:]
	return "token rejected (invalid_token): trying the next one"
}
func (r *rotating) Forget() { r.mu.Lock(); r.forgot++; r.mu.Unlock() }

func TestSendRefresherRetries(t *testing.T) {
	p := startPractice(t)
	s := New(httpclient.New(httpclient.Options{}), httpclient.Request{Method: "GET", URL: p.URL + "/bearer"})
	ctx := context.Background()
	s.Send(ctx, nil)
	made, err := s.Send(ctx, &rotating{tokens: []string{"expired-1", practice.Token}})
	if err != nil {
		t.Fatal(err)
	}
	if len(made) != 2 || made[0].Status() != 401 || made[1].Status() != 200 {
		t.Fatalf("want 401 then an automatic 200, got %d attempts", len(made))
	}
	if made[1].Auto != "token rejected (invalid_token): trying the next one" {
		t.Errorf("auto %q", made[1].Auto)
	}
	finding(t, made[0], "token-invalid")
}

func TestSendRetriesAreBounded(t *testing.T) {
	p := startPractice(t)
	s := New(httpclient.New(httpclient.Options{}), httpclient.Request{Method: "GET", URL: p.URL + "/bearer"})
	ctx := context.Background()
	s.Send(ctx, nil)
	tokens := []string{"a", "b", "c", "d", "e", "f"}
	made, err := s.Send(ctx, &rotating{tokens: tokens})
	if err != nil {
		t.Fatal(err)
	}
	if len(made) != 1+MaxAutoRetries {
		t.Fatalf("a Refresher that always has a reason made %d attempts, want %d", len(made), 1+MaxAutoRetries)
	}
	for _, a := range made[1:] {
		if a.Auto == "" || a.Status() != 401 {
			t.Errorf("attempt %d: auto %q status %d", a.N, a.Auto, a.Status())
		}
	}
}

// tokenFetcher is a real Preparer: it discovers the token endpoint, fetches
// a token over HTTP through the client it is handed, then sends it.
type tokenFetcher struct{ tok string }

func (f *tokenFetcher) Scheme() string { return "Bearer" }
func (f *tokenFetcher) Apply(r *httpclient.Request, ch *httpclient.Challenge) error {
	return credentials.Bearer{Token: f.tok}.Apply(r, ch)
}
func (f *tokenFetcher) Prepare(ctx context.Context, hc *http.Client, ch *httpclient.Challenge) error {
	if ch == nil {
		return fmt.Errorf("no challenge to answer")
	}
	var meta struct {
		TokenEndpoint string `json:"token_endpoint"`
	}
	if err := getJSON(httpclient.WithPurpose(ctx, PurposeDiscovery), hc, ch.Param("realm")+"/meta", &meta); err != nil {
		return err
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := getJSON(httpclient.WithPurpose(ctx, PurposeToken), hc, meta.TokenEndpoint, &tok); err != nil {
		return err
	}
	f.tok = tok.AccessToken
	return nil
}

func getJSON(ctx context.Context, hc *http.Client, url string, v any) error {
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		return err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(v)
}

func TestSendRecordsPreparerRequests(t *testing.T) {
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/meta":
			fmt.Fprintf(w, `{"token_endpoint":%q}`, srv.URL+"/token")
		case "/token":
			fmt.Fprint(w, `{"access_token":"fetched-token"}`)
		default:
			if r.Header.Get("Authorization") == "Bearer fetched-token" {
				fmt.Fprintln(w, "ok")
				return
			}
			w.Header().Set("WWW-Authenticate", `Bearer realm="`+srv.URL+`"`)
			w.WriteHeader(401)
		}
	}))
	defer srv.Close()
	s := New(httpclient.New(httpclient.Options{}), httpclient.Request{Method: "GET", URL: srv.URL + "/api"})
	ctx := context.Background()
	s.Send(ctx, nil)
	made, err := s.Send(ctx, &tokenFetcher{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{PurposeDiscovery, PurposeToken, PurposeRequest}
	if len(made) != len(want) {
		t.Fatalf("made %d attempts, want %v", len(made), want)
	}
	for i, a := range made {
		if a.Purpose != want[i] {
			t.Errorf("attempt %d purpose %q, want %q", i, a.Purpose, want[i])
		}
		if i < 2 && (a.Auto == "" || a.Status() != 200 || a.Exchange.Response.Body == nil) {
			t.Errorf("prepared attempt %d: auto %q status %d", i, a.Auto, a.Status())
		}
	}
	if made[2].Status() != 200 || s.Last() != made[2] {
		t.Errorf("the request: status %d; Last is the request: %v", made[2].Status(), s.Last() == made[2])
	}
	if len(s.Attempts()) != 4 {
		t.Errorf("timeline %d attempts, want 4", len(s.Attempts()))
	}
}

func TestSendPrepareErrorKeepsAttempts(t *testing.T) {
	s := New(httpclient.New(httpclient.Options{}), httpclient.Request{Method: "GET", URL: "http://127.0.0.1:1/"})
	if _, err := s.Send(context.Background(), &tokenFetcher{}); err == nil || !strings.Contains(err.Error(), "no challenge") {
		t.Fatalf("want the Preparer's error, got %v", err)
	}
	if len(s.Attempts()) != 0 {
		t.Errorf("nothing was sent, yet %d attempts", len(s.Attempts()))
	}
	s.SetClient(nil)
	if _, err := s.Send(context.Background(), nil); err == nil {
		t.Error("a session without a client must say so")
	}
}

func TestForget(t *testing.T) {
	p := startPractice(t)
	s := New(httpclient.New(httpclient.Options{}), httpclient.Request{Method: "GET", URL: p.URL + "/bearer"})
	r := &rotating{tokens: []string{practice.Token}}
	s.Send(context.Background(), r)
	s.Forget()
	s.Forget()
	if r.forgot != 2 {
		t.Errorf("Forget reached the cached authorizer %d times, want 2", r.forgot)
	}
	if len(s.Attempts()) != 1 {
		t.Errorf("Forget must keep the attempts")
	}
}

// TestConcurrentReaders reads snapshots the way the UI does while a command
// goroutine sends; run with -race.
func TestConcurrentReaders(t *testing.T) {
	p := startPractice(t)
	s := New(httpclient.New(httpclient.Options{}), httpclient.Request{Method: "GET", URL: p.URL + "/basic"})
	var done atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for !done.Load() {
			for _, a := range s.Attempts() {
				_ = Explain(a)
				_ = a.Status()
			}
			_ = s.Last()
			_ = s.Draft()
			_ = s.HTTPClient()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for i := 0; i < 5; i++ {
		s.Send(ctx, nil)
		s.Send(ctx, credentials.Basic{User: practice.User, Password: practice.Password})
		s.SetDraft(httpclient.Request{Method: "GET", URL: p.URL + "/basic"})
		s.SetClient(httpclient.New(httpclient.Options{}))
		s.Forget()
	}
	done.Store(true)
	wg.Wait()
	if n := len(s.Attempts()); n != 10 {
		t.Errorf("%d attempts, want 10", n)
	}
}

// TestSendOAuthPractice runs the OAuth engineer's client against the practice
// authorization server: discovery and token requests appear as attempts, and
// the automatic retries fix a missing scope and a DPoP nonce.
func TestSendOAuthPractice(t *testing.T) {
	p := startPractice(t)
	ctx := context.Background()
	client := func(dpop bool) *credentials.OAuth2 {
		return &credentials.OAuth2{ClientID: practice.ClientID, ClientSecret: practice.ClientSecret, DPoP: dpop}
	}
	purposes := func(as []*Attempt) string {
		var out []string
		for _, a := range as {
			out = append(out, fmt.Sprintf("%s:%d", a.Purpose, a.Status()))
		}
		return strings.Join(out, " ")
	}

	t.Run("jwt", func(t *testing.T) {
		s := New(httpclient.New(httpclient.Options{}), httpclient.Request{Method: "GET", URL: p.URL + "/jwt"})
		first, _ := s.Send(ctx, nil)
		finding(t, first[0], "resource-metadata")
		made, err := s.Send(ctx, client(false))
		if err != nil {
			t.Fatal(err)
		}
		last := made[len(made)-1]
		if last.Purpose != PurposeRequest || last.Status() != 200 {
			t.Fatalf("attempts %s", purposes(made))
		}
		var token, discovery int
		for _, a := range made[:len(made)-1] {
			switch a.Purpose {
			case PurposeToken:
				token++
			case PurposeDiscovery:
				discovery++
			}
		}
		if token == 0 || discovery == 0 {
			t.Errorf("want discovery and token attempts before the request: %s", purposes(made))
		}
		var docs []string
		for _, a := range made {
			for _, f := range a.Findings {
				if f.Code == "resource-metadata" && f.DocURL != "" {
					docs = append(docs, f.DocURL)
				}
			}
		}
		if len(docs) != 1 || docs[0] != p.URL+"/" {
			t.Errorf("the metadata's resource_documentation as DocURL: %q", docs)
		}
		finding(t, last, "success")
	})
	// With no challenge yet and no token URL, the request URL is all there
	// is: the metadata is found at its well-known location.
	t.Run("jwt-first-send", func(t *testing.T) {
		s := New(httpclient.New(httpclient.Options{}), httpclient.Request{Method: "GET", URL: p.URL + "/jwt"})
		o := &credentials.OAuth2{Grant: credentials.GrantClientCredentials, ClientID: practice.ClientID, ClientSecret: practice.ClientSecret}
		made, err := s.Send(ctx, o)
		if err != nil {
			t.Fatalf("Send: %v (attempts %s)", err, purposes(made))
		}
		if last := made[len(made)-1]; last.Purpose != PurposeRequest || last.Status() != 200 {
			t.Fatalf("attempts %s", purposes(made))
		}
		if !strings.HasPrefix(made[0].Exchange.Request.URL, p.URL+"/.well-known/oauth-protected-resource/jwt") || made[0].Purpose != PurposeDiscovery {
			t.Errorf("the first attempt should fetch /jwt's metadata: %s %s", made[0].Purpose, made[0].Exchange.Request.URL)
		}
		for _, a := range made {
			noFinding(t, a, "resource-mismatch")
		}
		if o.TokenURL != p.URL+"/oauth/token" {
			t.Errorf("discovered token URL %q", o.TokenURL)
		}
	})
	// /wrong-resource's metadata names another resource on purpose: the
	// discovery attempt says so, and no token is asked for with it.
	t.Run("wrong-resource", func(t *testing.T) {
		for _, first := range []bool{true, false} {
			s := New(httpclient.New(httpclient.Options{}), httpclient.Request{Method: "GET", URL: p.URL + "/wrong-resource"})
			if !first {
				s.Send(ctx, nil) // a challenge naming resource_metadata first
			}
			made, err := s.Send(ctx, client(false))
			if err == nil || !strings.Contains(err.Error(), "somewhere-else") {
				t.Fatalf("first %v: err %v, want the metadata refused", first, err)
			}
			// Discovery reads the authorization server's metadata too; no
			// token request may follow.
			if len(made) == 0 || slices.ContainsFunc(made, func(a *Attempt) bool { return a.Purpose != PurposeDiscovery }) {
				t.Fatalf("first %v: attempts %s, want metadata fetches only", first, purposes(made))
			}
			f := finding(t, made[0], "resource-mismatch")
			if f.Severity != Error || !strings.Contains(f.Message, p.URL+"/somewhere-else") || !strings.Contains(f.Message, p.URL+"/wrong-resource") {
				t.Errorf("first %v: %+v", first, f)
			}
			noFinding(t, made[0], "resource-metadata")
		}
	})
	t.Run("scoped", func(t *testing.T) {
		s := New(httpclient.New(httpclient.Options{}), httpclient.Request{Method: "GET", URL: p.URL + "/scoped"})
		s.Send(ctx, nil)
		made, err := s.Send(ctx, client(false))
		if err != nil {
			t.Fatal(err)
		}
		var requests []*Attempt
		for _, a := range made {
			if a.Purpose == PurposeRequest {
				requests = append(requests, a)
			}
		}
		if len(requests) != 2 || requests[0].Status() != 403 || requests[1].Status() != 200 {
			t.Fatalf("want 403 then an automatic 200: %s", purposes(made))
		}
		if f := finding(t, requests[0], "insufficient-scope"); !strings.Contains(f.Message, "missing '"+practice.ScopeSecrets+"'") {
			t.Errorf("should name the missing scope: %q", f.Message)
		}
		noFinding(t, requests[0], "forbidden")
		if !strings.Contains(requests[1].Auto, practice.ScopeSecrets) {
			t.Errorf("auto %q", requests[1].Auto)
		}
	})
	t.Run("dpop", func(t *testing.T) {
		s := New(httpclient.New(httpclient.Options{}), httpclient.Request{Method: "GET", URL: p.URL + "/dpop"})
		s.Send(ctx, nil)
		made, err := s.Send(ctx, client(true))
		if err != nil {
			t.Fatal(err)
		}
		last := made[len(made)-1]
		if last.Status() != 200 || last.Auto == "" {
			t.Fatalf("want an automatic 200 after use_dpop_nonce: %s", purposes(made))
		}
		var nonce *Attempt
		for _, a := range made {
			if a.Purpose == PurposeRequest && a.Status() == 401 {
				nonce = a
			}
		}
		if nonce == nil {
			t.Fatalf("no 401 asking for a nonce: %s", purposes(made))
		}
		finding(t, nonce, "dpop-nonce-required")
		parts := TakeApart(last.Exchange.Request.Header)
		if len(parts) != 2 || parts[0].Scheme != "DPoP" || parts[1].Scheme != "DPoP proof" || parts[1].JWT == nil {
			t.Errorf("sent credentials taken apart: %+v", parts)
		}
	})
	t.Run("skew", func(t *testing.T) {
		// A token minted by the authorization server's clock is from the
		// future for /skew, whose clock runs behind.
		s := New(httpclient.New(httpclient.Options{}), httpclient.Request{Method: "GET", URL: p.URL + "/skew"})
		first, _ := s.Send(ctx, nil)
		if f := finding(t, first[0], "clock-skew"); !strings.Contains(f.Message, "ahead of") {
			t.Errorf("the practice /skew clock runs behind ours: %q", f.Message)
		}
		o := client(false)
		o.TokenURL = p.URL + "/oauth/token"
		made, err := s.Send(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		// The resource named by /skew's metadata is asked for (RFC 8707),
		// so the token carries /skew's clock and is taken.
		last := made[len(made)-1]
		if last.Status() != 200 || !strings.Contains(string(made[len(made)-2].Exchange.Request.Body), "resource=") {
			t.Fatalf("attempts %s", purposes(made))
		}
	})
}

// TestForgetClearsCookies logs in to the practice cookie session, then
// forgets: the next request is sent to the login page again.
func TestForgetClearsCookies(t *testing.T) {
	p := startPractice(t)
	ctx := context.Background()
	s := New(httpclient.New(httpclient.Options{NewJar: true, FollowRedirects: true}), httpclient.Request{
		Method: "POST", URL: p.URL + "/login?next=/session",
		Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
		Body:   []byte("user=" + practice.User + "&password=" + practice.Password),
	})
	made, _ := s.Send(ctx, nil)
	if made[0].Status() != 200 {
		t.Fatalf("login: status %d", made[0].Status())
	}
	s.SetDraft(httpclient.Request{Method: "GET", URL: p.URL + "/session"})
	made, _ = s.Send(ctx, nil)
	noFinding(t, made[0], "login-redirect")
	s.Forget()
	made, _ = s.Send(ctx, nil)
	finding(t, made[0], "login-redirect")
}

// TestSendDigestPractice answers the practice server's two Digest challenges
// with the real Digest authorizer.
func TestSendDigestPractice(t *testing.T) {
	p := startPractice(t)
	ctx := context.Background()
	s := New(httpclient.New(httpclient.Options{}), httpclient.Request{Method: "GET", URL: p.URL + "/digest"})
	s.Send(ctx, nil)
	d := &credentials.Digest{User: practice.User, Password: practice.Password}
	made, err := s.Send(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	last := made[len(made)-1]
	if last.Status() != 200 || !strings.Contains(made[0].Note, "SHA-256") {
		t.Fatalf("status %d, note %q", last.Status(), made[0].Note)
	}
	finding(t, last, "success")
	made, _ = s.Send(ctx, &credentials.Digest{User: practice.User, Password: "wrong"})
	finding(t, made[len(made)-1], "credentials-rejected")
}
