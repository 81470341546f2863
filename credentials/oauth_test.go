package credentials_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"keyhole/credentials"
	"keyhole/httpclient"
	"keyhole/practice"
)

// clock is a settable offset from the real time, shared by the practice
// server and the authorizer so that tests move time instead of sleeping.
type clock struct{ off atomic.Int64 }

func (c *clock) Now() time.Time          { return time.Now().Add(time.Duration(c.off.Load())) }
func (c *clock) Advance(d time.Duration) { c.off.Add(int64(d)) }

func startPractice(t *testing.T, c *clock) *practice.Server {
	t.Helper()
	o := practice.Options{}
	if c != nil {
		o.Now = c.Now
	}
	srv, err := practice.Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// recorded is what went through the recording client, as the session sees it.
type recorded struct {
	mu  sync.Mutex
	exs []rec
}

type rec struct {
	purpose string
	ex      *httpclient.Exchange
}

func (r *recorded) add(p string, ex *httpclient.Exchange) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.exs = append(r.exs, rec{p, ex})
}

func (r *recorded) purposes() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, e := range r.exs {
		out = append(out, e.purpose)
	}
	return out
}

func (r *recorded) bodies() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	for _, e := range r.exs {
		if e.ex.Request != nil {
			b.Write(e.ex.Request.Body)
		}
		b.WriteString(" -> ")
		if e.ex.Response != nil {
			b.Write(e.ex.Response.Body)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// loop drives an authorizer the way the session does: send, read the
// challenge, Prepare through the recording client, Apply, resend; on a
// rejection hand over DPoP-Nonce, ask Rejected, and retry at most twice.
type loop struct {
	t    *testing.T
	c    *httpclient.Client
	rec  *recorded
	auto []string
}

func newLoop(t *testing.T) *loop {
	return &loop{t: t, c: httpclient.New(httpclient.Options{}), rec: &recorded{}}
}

func (l *loop) send(ctx context.Context, auth credentials.Authorizer, rawURL string) *httpclient.Exchange {
	l.t.Helper()
	ex := l.c.Do(ctx, &httpclient.Request{Method: "GET", URL: rawURL, Header: http.Header{}})
	if ex.Err != nil {
		l.t.Fatal(ex.Err)
	}
	var ch *httpclient.Challenge
	pick := func(ex *httpclient.Exchange) *httpclient.Challenge {
		for i := range ex.Challenges {
			if ex.Challenges[i].Is(auth.Scheme()) {
				return &ex.Challenges[i]
			}
		}
		return nil
	}
	ch = pick(ex)
	for try := 0; try < 3; try++ {
		if p, ok := auth.(credentials.Preparer); ok {
			if err := p.Prepare(ctx, l.c.Recorder(l.rec.add), ch); err != nil {
				l.t.Fatalf("Prepare: %v\n%s", err, l.rec.bodies())
			}
		}
		r := &httpclient.Request{Method: "GET", URL: rawURL, Header: http.Header{}}
		if err := auth.Apply(r, ch); err != nil {
			l.t.Fatal(err)
		}
		ex = l.c.Do(ctx, r)
		if ex.Err != nil {
			l.t.Fatal(ex.Err)
		}
		l.rec.add("request", ex)
		if ex.Response.Status < 400 || try == 2 {
			return ex
		}
		ch = pick(ex)
		if n, ok := auth.(credentials.NonceTaker); ok && ex.Response.Header.Get("DPoP-Nonce") != "" {
			n.SetNonce(ex.Response.Header.Get("DPoP-Nonce"))
		}
		rf, ok := auth.(credentials.Refresher)
		if !ok {
			return ex
		}
		why := rf.Rejected(ch)
		if why == "" {
			return ex
		}
		l.auto = append(l.auto, why)
	}
	return ex
}

func status(ex *httpclient.Exchange) int { return ex.Response.Status }

func count(list []string, s string) int {
	n := 0
	for _, v := range list {
		if v == s {
			n++
		}
	}
	return n
}

func TestClientCredentialsAgainstPractice(t *testing.T) {
	srv := startPractice(t, nil)
	o := &credentials.OAuth2{ClientID: practice.ClientID, ClientSecret: practice.ClientSecret, TokenURL: srv.URL + "/oauth/token"}
	l := newLoop(t)
	ex := l.send(t.Context(), o, srv.URL+"/jwt")
	if status(ex) != 200 {
		t.Fatalf("status %d: %s", status(ex), ex.Response.Body)
	}
	if got := ex.Request.Header.Get("Authorization"); !strings.HasPrefix(got, "Bearer eyJ") {
		t.Fatalf("Authorization = %q", got)
	}
	if n := count(l.rec.purposes(), "token"); n < 1 {
		t.Fatalf("no token request was recorded: %v", l.rec.purposes())
	}
	j, err := credentials.ParseJWT(o.Token().AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	if j.Issuer != srv.URL || !strings.Contains(strings.Join(j.Scope, " "), "read") {
		t.Fatalf("token claims: iss %q scope %v", j.Issuer, j.Scope)
	}
	// A second send reuses the token: no new token request.
	before := count(l.rec.purposes(), "token")
	l.send(t.Context(), o, srv.URL+"/jwt")
	if after := count(l.rec.purposes(), "token"); after != before {
		t.Fatalf("token fetched again while valid: %d → %d", before, after)
	}
	o.Forget()
	if o.Token() != nil {
		t.Fatal("Forget kept the token")
	}
}

func TestWrongClientSecretIsExplained(t *testing.T) {
	srv := startPractice(t, nil)
	o := &credentials.OAuth2{ClientID: practice.ClientID, ClientSecret: "nope", TokenURL: srv.URL + "/oauth/token"}
	err := o.Prepare(t.Context(), http.DefaultClient, nil)
	if err == nil || !strings.Contains(err.Error(), "invalid_client") || !strings.Contains(err.Error(), "client id and secret") {
		t.Fatalf("err = %v", err)
	}
}

func TestDiscoveryFromTheChallenge(t *testing.T) {
	srv := startPractice(t, nil)
	o := &credentials.OAuth2{ClientID: practice.ClientID, ClientSecret: practice.ClientSecret, Resource: srv.URL + "/jwt"}
	l := newLoop(t)
	ex := l.send(t.Context(), o, srv.URL+"/jwt")
	if status(ex) != 200 {
		t.Fatalf("status %d: %s", status(ex), ex.Response.Body)
	}
	p := l.rec.purposes()
	if count(p, "discovery") != 2 || count(p, "token") < 1 {
		t.Fatalf("purposes %v: want two discovery fetches and a token request", p)
	}
	if o.TokenURL != srv.URL+"/oauth/token" {
		t.Fatalf("discovered token URL %q", o.TokenURL)
	}
	j, _ := credentials.ParseJWT(o.Token().AccessToken)
	if len(j.Audience) != 1 || j.Audience[0] != srv.URL+"/jwt" {
		t.Fatalf("resource indicator not honoured: aud %v", j.Audience)
	}
}

func TestDiscoveryRefusesAMismatchedResource(t *testing.T) {
	srv := startPractice(t, nil)
	c := httpclient.New(httpclient.Options{})
	ex := c.Do(t.Context(), &httpclient.Request{Method: "GET", URL: srv.URL + "/wrong-resource"})
	if ex.Err != nil || len(ex.Challenges) == 0 {
		t.Fatalf("no challenge: %v", ex.Err)
	}
	d, err := credentials.Discover(t.Context(), http.DefaultClient, srv.URL+"/wrong-resource", &ex.Challenges[0])
	if err != nil {
		t.Fatal(err)
	}
	if !d.ResourceMismatch || len(d.Problems) == 0 || !strings.Contains(d.Problems[0], "RFC 9728 §3.3") {
		t.Fatalf("mismatch not reported: %+v", d)
	}
	o := &credentials.OAuth2{ClientID: practice.ClientID, ClientSecret: practice.ClientSecret, Resource: srv.URL + "/wrong-resource"}
	if err := o.Prepare(t.Context(), http.DefaultClient, &ex.Challenges[0]); err == nil || !strings.Contains(err.Error(), "refusing") {
		t.Fatalf("Prepare used mismatched metadata: %v", err)
	}
	// Without a resource indicator, the URL being requested is the yardstick.
	o = &credentials.OAuth2{ClientID: practice.ClientID, ClientSecret: practice.ClientSecret}
	o.SetRequestURL(srv.URL + "/wrong-resource")
	if err := o.Prepare(t.Context(), http.DefaultClient, &ex.Challenges[0]); err == nil || !strings.Contains(err.Error(), "refusing") {
		t.Fatalf("Prepare used mismatched metadata: %v", err)
	}
	// And without any challenge, the metadata is looked up at its well-known place.
	o = &credentials.OAuth2{ClientID: practice.ClientID, ClientSecret: practice.ClientSecret}
	o.SetRequestURL(srv.URL + "/jwt")
	if err := o.Prepare(t.Context(), http.DefaultClient, nil); err != nil || o.TokenURL != srv.URL+"/oauth/token" {
		t.Fatalf("well-known discovery: %v, token URL %q", err, o.TokenURL)
	}
}

func TestAuthorizationCodeWithPKCE(t *testing.T) {
	srv := startPractice(t, nil)
	var seen atomic.Value
	approved := make(chan error, 1)
	o := &credentials.OAuth2{
		Grant: credentials.GrantAuthorizationCode, ClientID: practice.ClientID, ClientSecret: practice.ClientSecret,
		AuthURL: srv.URL + "/oauth/authorize", TokenURL: srv.URL + "/oauth/token", Scopes: []string{"read"},
		OpenBrowser: func(string) error { return errorString("no browser in tests") },
		// The test plays the user: it reads the consent page and posts its form,
		// and the redirect lands on keyhole's loopback listener.
		OnAuthURL: func(u string) {
			seen.Store(u)
			go func() { approved <- consent(u, "approve") }()
		},
	}
	if err := o.Prepare(t.Context(), http.DefaultClient, nil); err != nil {
		t.Fatal(err)
	}
	if err := <-approved; err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(seen.Load().(string))
	q := u.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || !strings.HasPrefix(q.Get("redirect_uri"), "http://127.0.0.1:") {
		t.Fatalf("authorization URL %s", u)
	}
	tok := o.Token()
	if tok.AccessToken == "" || tok.RefreshToken == "" {
		t.Fatalf("token %+v", tok)
	}
	l := newLoop(t)
	if ex := l.send(t.Context(), o, srv.URL+"/jwt"); status(ex) != 200 {
		t.Fatalf("status %d", status(ex))
	}
}

func TestAuthorizationCodeDenied(t *testing.T) {
	srv := startPractice(t, nil)
	o := &credentials.OAuth2{
		Grant: credentials.GrantAuthorizationCode, ClientID: practice.ClientID, ClientSecret: practice.ClientSecret,
		AuthURL: srv.URL + "/oauth/authorize", TokenURL: srv.URL + "/oauth/token",
		OnAuthURL: func(u string) { go consent(u, "deny") },
	}
	err := o.Prepare(t.Context(), http.DefaultClient, nil)
	if err == nil || !strings.Contains(err.Error(), "access_denied") {
		t.Fatalf("err = %v", err)
	}
}

type errorString string

func (e errorString) Error() string { return string(e) }

// consent GETs the consent page, then posts its form the way a browser would.
func consent(authURL, action string) error {
	resp, err := http.Get(authURL)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		return errorString("consent page: " + resp.Status)
	}
	u, _ := url.Parse(authURL)
	form := u.Query()
	form.Set("action", action)
	u.RawQuery = ""
	resp, err = http.PostForm(u.String(), form) // follows the 302 to the loopback redirect
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		return errorString("redirect target: " + resp.Status)
	}
	return nil
}

func TestDeviceFlowHonoursSlowDown(t *testing.T) {
	if testing.Short() {
		t.Skip("polls for about 7 s: RFC 8628 slow_down adds 5 s")
	}
	srv := startPractice(t, nil)
	var userCode, verify string
	o := &credentials.OAuth2{
		Grant: credentials.GrantDeviceCode, ClientID: practice.ClientID, ClientSecret: practice.ClientSecret,
		DeviceURL: srv.URL + "/oauth/device", TokenURL: srv.URL + "/oauth/token",
		OnDeviceCode: func(uc, v, _ string) { userCode, verify = uc, v },
	}
	// Approve only once the server has said slow_down, to see the client obey it.
	rec := &recorded{}
	var once sync.Once
	var polls []time.Time
	hc := httpclient.New(httpclient.Options{}).Recorder(func(p string, ex *httpclient.Exchange) {
		rec.add(p, ex)
		if strings.Contains(string(ex.Request.Body), "device_code=") {
			polls = append(polls, time.Now())
		}
		if ex.Response != nil && strings.Contains(string(ex.Response.Body), "slow_down") {
			once.Do(func() {
				go http.PostForm(verify, url.Values{"user_code": {userCode}, "action": {"approve"}})
			})
		}
	})
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if err := o.Prepare(ctx, hc, nil); err != nil {
		t.Fatalf("%v\n%s", err, rec.bodies())
	}
	b := rec.bodies()
	if !strings.Contains(b, "slow_down") || len(polls) != 2 {
		t.Fatalf("expected a slow_down then a token:\n%s", b)
	}
	// slow_down adds 5 s to the 1 s interval (RFC 8628 §3.5): a lower bound, so no flake.
	if gap := polls[1].Sub(polls[0]); gap < 5*time.Second {
		t.Fatalf("polled again %v after slow_down", gap)
	}
	if o.Token().RefreshToken == "" {
		t.Fatal("no refresh token")
	}
}

func TestRefreshWhenTheTokenExpires(t *testing.T) {
	var c clock
	srv := startPractice(t, &c)
	srv.SetTokenTTL(60 * time.Second)
	o := &credentials.OAuth2{Grant: credentials.GrantPassword, ClientID: practice.ClientID, ClientSecret: practice.ClientSecret,
		TokenURL: srv.URL + "/oauth/token", User: practice.User, Password: practice.Password, Now: c.Now}
	if !strings.Contains(o.Describe(), "deprecated") {
		t.Fatalf("password grant not marked deprecated: %s", o.Describe())
	}
	l := newLoop(t)
	if ex := l.send(t.Context(), o, srv.URL+"/jwt"); status(ex) != 200 {
		t.Fatalf("status %d", status(ex))
	}
	first := o.Token()
	c.Advance(61 * time.Second)
	if ex := l.send(t.Context(), o, srv.URL+"/jwt"); status(ex) != 200 {
		t.Fatalf("after expiry: status %d: %s", status(ex), ex.Response.Body)
	}
	if !strings.Contains(l.rec.bodies(), "grant_type=refresh_token") {
		t.Fatalf("no refresh request:\n%s", l.rec.bodies())
	}
	if o.Token().AccessToken == first.AccessToken || o.Token().RefreshToken == first.RefreshToken {
		t.Fatal("token or refresh token not renewed")
	}
	if len(l.auto) != 0 {
		t.Fatalf("the refresh should have happened before sending, not after a 401: %v", l.auto)
	}
}

func TestRefreshWhenTheServerSaysInvalidToken(t *testing.T) {
	var server clock
	srv := startPractice(t, &server)
	o := &credentials.OAuth2{Grant: credentials.GrantPassword, ClientID: practice.ClientID, ClientSecret: practice.ClientSecret,
		TokenURL: srv.URL + "/oauth/token", User: practice.User, Password: practice.Password}
	l := newLoop(t)
	l.send(t.Context(), o, srv.URL+"/jwt")
	// Only the server's clock moves: keyhole believes the token is still good.
	server.Advance(2 * time.Minute)
	ex := l.send(t.Context(), o, srv.URL+"/jwt")
	if status(ex) != 200 {
		t.Fatalf("status %d: %s", status(ex), ex.Response.Body)
	}
	// The server said why: "The access token expired" by its clock.
	if len(l.auto) != 1 || l.auto[0] != "token expired (invalid_token): refreshing" {
		t.Fatalf("automatic steps %q", l.auto)
	}
	// The same token rejected twice is not retried again.
	ch := &httpclient.Challenge{Scheme: "Bearer", Params: []httpclient.Param{{Name: "error", Value: "invalid_token"}}}
	if o.Rejected(ch) == "" {
		t.Fatal("a fresh token's first rejection should be retried")
	}
	if why := o.Rejected(ch); why != "" {
		t.Fatalf("second rejection of the same token retried: %q", why)
	}
}

func TestInsufficientScopeAsksOnce(t *testing.T) {
	srv := startPractice(t, nil)
	// No scope asked for: the server grants "read", and the retry keeps it.
	o := &credentials.OAuth2{ClientID: practice.ClientID, ClientSecret: practice.ClientSecret, TokenURL: srv.URL + "/oauth/token"}
	l := newLoop(t)
	ex := l.send(t.Context(), o, srv.URL+"/scoped")
	if status(ex) != 200 {
		t.Fatalf("status %d: %s", status(ex), ex.Response.Body)
	}
	if len(l.auto) != 1 || l.auto[0] != "insufficient scope: asking for scope "+practice.ScopeSecrets {
		t.Fatalf("automatic steps %q", l.auto)
	}
	if j, _ := credentials.ParseJWT(o.Token().AccessToken); strings.Join(j.Scope, " ") != "read "+practice.ScopeSecrets {
		t.Fatalf("scope after the retry: %v", j.Scope)
	}
	ch := &httpclient.Challenge{Scheme: "Bearer", Params: []httpclient.Param{{Name: "error", Value: "insufficient_scope"}, {Name: "scope", Value: "admin"}}}
	if o.Rejected(ch) == "" {
		t.Fatal("a new missing scope should be asked for")
	}
	if why := o.Rejected(ch); why != "" {
		t.Fatalf("the same scope set asked for twice: %q", why)
	}
}

func TestDPoPWithNoncesAtBothServers(t *testing.T) {
	srv := startPractice(t, nil)
	o := &credentials.OAuth2{ClientID: practice.ClientID, ClientSecret: practice.ClientSecret, TokenURL: srv.URL + "/oauth/token", DPoP: true}
	if o.Scheme() != "DPoP" {
		t.Fatal(o.Scheme())
	}
	l := newLoop(t)
	ex := l.send(t.Context(), o, srv.URL+"/dpop")
	if status(ex) != 200 {
		t.Fatalf("status %d: %s\n%s", status(ex), ex.Response.Body, l.rec.bodies())
	}
	if !strings.EqualFold(o.Token().TokenType, "DPoP") {
		t.Fatalf("token type %q", o.Token().TokenType)
	}
	if !strings.Contains(l.rec.bodies(), "use_dpop_nonce") {
		t.Fatal("the authorization server's nonce round was not seen")
	}
	if len(l.auto) != 1 || !strings.Contains(l.auto[0], "use_dpop_nonce") {
		t.Fatalf("automatic steps %q", l.auto)
	}
	if !strings.HasPrefix(ex.Request.Header.Get("Authorization"), "DPoP ") || ex.Request.Header.Get("DPoP") == "" {
		t.Fatalf("headers %v", ex.Request.Header)
	}
	j, _ := credentials.ParseJWT(o.Token().AccessToken)
	cnf, _ := j.Claims["cnf"].(map[string]any)
	if cnf["jkt"] != o.DPoPKey().Thumbprint() {
		t.Fatalf("cnf.jkt %v, key thumbprint %s", cnf["jkt"], o.DPoPKey().Thumbprint())
	}
	// A DPoP-bound token sent as a plain Bearer token is refused.
	r := &httpclient.Request{Method: "GET", URL: srv.URL + "/jwt", Header: http.Header{"Authorization": {"Bearer " + o.Token().AccessToken}}}
	if ex := l.c.Do(t.Context(), r); status(ex) != 401 {
		t.Fatalf("bound token accepted as Bearer: %d", status(ex))
	}
}

func TestSkewNeedsATokenForSkewsClock(t *testing.T) {
	srv := startPractice(t, nil)
	// A token asked for another resource carries the authorization
	// server's times, from the future for /skew.
	other := &credentials.OAuth2{ClientID: practice.ClientID, ClientSecret: practice.ClientSecret, TokenURL: srv.URL + "/oauth/token", Resource: srv.URL + "/jwt"}
	l := newLoop(t)
	ex := l.send(t.Context(), other, srv.URL+"/skew")
	if status(ex) != 401 {
		t.Fatalf("status %d", status(ex))
	}
	date, _ := http.ParseTime(ex.Response.Header.Get("Date"))
	if d := time.Since(date); d < 4*time.Minute {
		t.Fatalf("/skew's Date is only %v behind", d)
	}
	if desc := ex.Challenges[0].Param("error_description"); !strings.Contains(desc, "not valid yet") {
		t.Fatalf("error_description %q", desc)
	}
	// Without a resource given, the one /skew's metadata names is asked for
	// (RFC 8707, RFC 9728), and the token is minted for /skew.
	plain := &credentials.OAuth2{ClientID: practice.ClientID, ClientSecret: practice.ClientSecret, TokenURL: srv.URL + "/oauth/token"}
	if ex := l.send(t.Context(), plain, srv.URL+"/skew"); status(ex) != 200 {
		t.Fatalf("token asked with /skew's resource refused: %d %s", status(ex), ex.Response.Body)
	}
	if plain.Resource != srv.URL+"/skew" {
		t.Fatalf("resource %q", plain.Resource)
	}
}

func TestExplainTokenError(t *testing.T) {
	for _, code := range []string{"invalid_client", "invalid_grant", "invalid_scope", "unauthorized_client", "unsupported_grant_type", "invalid_request", "access_denied", "expired_token"} {
		s := credentials.ExplainTokenError(code, "")
		if s == "" || strings.Contains(s, "answered with error") {
			t.Errorf("%s has no plain explanation: %q", code, s)
		}
	}
	s := credentials.ExplainTokenError("weird\x1b[2J", "bad \x1b]0;title\x07 thing")
	if strings.ContainsAny(s, "\x1b\x07") {
		t.Fatalf("control characters reached the explanation: %q", s)
	}
}

func TestSystemBrowserRefusesNonHTTP(t *testing.T) {
	for _, u := range []string{"file:///etc/passwd", "javascript:alert(1)", "-x"} {
		if err := credentials.SystemBrowser(u); err == nil || !strings.Contains(err.Error(), "not http(s)") {
			t.Errorf("%s: %v", u, err)
		}
	}
}

// A public client sends client_id in the form and no Authorization header.
func TestPublicClientSendsClientIDInTheForm(t *testing.T) {
	got := make(chan *http.Request, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		got <- r
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"access_token":"at","token_type":"Bearer","expires_in":60}`))
	}))
	defer srv.Close()
	o := &credentials.OAuth2{ClientID: "public-app", TokenURL: srv.URL}
	if err := o.Prepare(t.Context(), nil, nil); err != nil {
		t.Fatal(err)
	}
	r := <-got
	if r.Header.Get("Authorization") != "" || r.PostForm.Get("client_id") != "public-app" || r.PostForm.Has("client_secret") {
		t.Fatalf("Authorization %q, form %v", r.Header.Get("Authorization"), r.PostForm)
	}
	o2 := &credentials.OAuth2{ClientID: "app", ClientSecret: "s3cret", TokenURL: srv.URL}
	o2.Prepare(t.Context(), nil, nil)
	if r := <-got; !strings.HasPrefix(r.Header.Get("Authorization"), "Basic ") || r.PostForm.Has("client_secret") {
		t.Fatalf("confidential client: Authorization %q, form %v", r.Header.Get("Authorization"), r.PostForm)
	}
}

// Given only the token URL, the device endpoint comes from the RFC 8414
// metadata of the token endpoint's origin.
func TestDeviceEndpointFoundFromTheTokenURL(t *testing.T) {
	srv := startPractice(t, nil)
	o := &credentials.OAuth2{
		Grant: credentials.GrantDeviceCode, ClientID: practice.ClientID, ClientSecret: practice.ClientSecret,
		TokenURL: srv.URL + "/oauth/token",
	}
	o.OnDeviceCode = func(userCode, _, complete string) {
		// Approve at once, before the first poll, as a quick user would.
		resp, err := http.PostForm(srv.URL+"/oauth/device/approve", url.Values{"user_code": {userCode}, "action": {"approve"}})
		if err == nil {
			resp.Body.Close()
		}
		if !strings.Contains(complete, url.QueryEscape(userCode)) {
			t.Errorf("verification_uri_complete %q lacks the code", complete)
		}
	}
	rec := &recorded{}
	if err := o.Prepare(t.Context(), httpclient.New(httpclient.Options{}).Recorder(rec.add), nil); err != nil {
		t.Fatalf("%v\n%s", err, rec.bodies())
	}
	// The token URL's parent path is tried as the issuer first (RFC 8414
	// path-inserted, then OpenID path-appended), then the origin.
	if o.DeviceURL != srv.URL+"/oauth/device" || count(rec.purposes(), "discovery") != 3 {
		t.Fatalf("device URL %q, purposes %v", o.DeviceURL, rec.purposes())
	}
	if strings.Contains(rec.bodies(), "slow_down") {
		t.Fatal("approved before the first poll, yet told to slow down")
	}
}
