package credentials

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"keyhole/httpclient"
)

// tokenService is a loopback registry token service that records each
// request and issues "tok-N" tokens.
type tokenService struct {
	mu       sync.Mutex
	requests []*http.Request
	answer   func(w http.ResponseWriter, r *http.Request, n int)
}

func (s *tokenService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, r)
	n := len(s.requests)
	s.mu.Unlock()
	if s.answer != nil {
		s.answer(w, r, n)
		return
	}
	json.NewEncoder(w).Encode(map[string]any{"token": fmt.Sprintf("tok-%d", n), "expires_in": 300})
}

func (s *tokenService) count() int { s.mu.Lock(); defer s.mu.Unlock(); return len(s.requests) }

func registryChallenge(t *testing.T, realm, scope string, extra string) *httpclient.Challenge {
	return digestChallenge(t, `Bearer realm="`+realm+`", service="registry.example", scope="`+scope+`"`+extra)
}

func TestRegistryTokenFlow(t *testing.T) {
	svc := &tokenService{}
	srv := httptest.NewServer(svc)
	defer srv.Close()
	var purposes []string
	var mu sync.Mutex
	hc := httpclient.New(httpclient.Options{}).Recorder(func(purpose string, ex *httpclient.Exchange) {
		mu.Lock()
		purposes = append(purposes, purpose)
		mu.Unlock()
	})
	clk := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	rt := &RegistryToken{User: "alice", Password: "wonderland", Now: func() time.Time { return clk }}
	rt.SetRequestURL(srv.URL + "/v2/") // the registry and its token service share an origin
	ctx := context.Background()
	ch := registryChallenge(t, srv.URL+"/token", "repository:demo:pull", "")

	r := &httpclient.Request{Method: "GET", URL: "http://registry.example/v2/", Header: http.Header{}}
	if err := rt.Apply(r, ch); err == nil {
		t.Fatal("Apply before Prepare sent no token and no error")
	}
	if err := rt.Prepare(ctx, hc, ch); err != nil {
		t.Fatal(err)
	}
	if err := rt.Apply(r, ch); err != nil {
		t.Fatal(err)
	}
	if got := r.Header.Get("Authorization"); got != "Bearer tok-1" {
		t.Fatalf("Authorization = %q", got)
	}
	req := svc.requests[0]
	q := req.URL.Query()
	if req.URL.Path != "/token" || q.Get("service") != "registry.example" || q.Get("scope") != "repository:demo:pull" || q.Get("account") != "alice" {
		t.Errorf("token request %s", req.URL)
	}
	if u, p, ok := req.BasicAuth(); !ok || u != "alice" || p != "wonderland" {
		t.Errorf("token request credentials %q %q %v", u, p, ok)
	}
	if len(purposes) != 1 || purposes[0] != "token" {
		t.Errorf("recorded purposes %v, want [token]", purposes)
	}

	// Same challenge again: the token is reused.
	if err := rt.Prepare(ctx, hc, ch); err != nil || svc.count() != 1 {
		t.Fatalf("second Prepare: %v, %d requests", err, svc.count())
	}
	if reason := rt.Rejected(ch); reason != "" {
		t.Errorf("same scope rejected: %q; a new token would not help", reason)
	}

	// A new scope: Rejected says why, Prepare fetches again with both scopes.
	ch2 := registryChallenge(t, srv.URL+"/token", "repository:demo:pull,push repository:other:pull", "")
	if reason := rt.Rejected(ch2); reason != "registry asks for scope repository:demo:pull,push repository:other:pull: fetching a new token" {
		t.Errorf("Rejected = %q", reason)
	}
	if err := rt.Prepare(ctx, hc, ch2); err != nil || svc.count() != 2 {
		t.Fatalf("Prepare for a new scope: %v, %d requests", err, svc.count())
	}
	if got := svc.requests[1].URL.Query()["scope"]; len(got) != 2 || got[0] != "repository:demo:pull,push" || got[1] != "repository:other:pull" {
		t.Errorf("scopes sent %v, want one scope parameter each", got)
	}

	// Expiry: invalid_token after expires_in means fetch again.
	clk = clk.Add(301 * time.Second)
	if reason := rt.Rejected(registryChallenge(t, srv.URL+"/token", "repository:demo:pull,push repository:other:pull", `, error="invalid_token"`)); reason != "registry token expired: fetching a new one" {
		t.Errorf("Rejected after expiry = %q", reason)
	}
	if err := rt.Prepare(ctx, hc, ch2); err != nil || svc.count() != 3 {
		t.Fatalf("Prepare after expiry: %v, %d requests", err, svc.count())
	}

	rt.Forget()
	if err := rt.Apply(r, ch); err == nil {
		t.Error("Apply after Forget still had a token")
	}
}

func TestRegistryTokenAnonymousAndAccessToken(t *testing.T) {
	svc := &tokenService{answer: func(w http.ResponseWriter, r *http.Request, n int) {
		if r.Header.Get("Authorization") != "" || r.URL.Query().Has("account") {
			http.Error(w, "anonymous expected", 400)
			return
		}
		w.Write([]byte(`{"access_token":"at-1"}`))
	}}
	srv := httptest.NewServer(svc)
	defer srv.Close()
	rt := &RegistryToken{}
	ch := registryChallenge(t, srv.URL+"/token", "repository:demo:pull", "")
	if err := rt.Prepare(context.Background(), srv.Client(), ch); err != nil {
		t.Fatal(err)
	}
	r := &httpclient.Request{Method: "GET", URL: "http://h/", Header: http.Header{}}
	if err := rt.Apply(r, ch); err != nil || r.Header.Get("Authorization") != "Bearer at-1" {
		t.Fatalf("%v %q", err, r.Header.Get("Authorization"))
	}
}

func TestRegistryTokenErrors(t *testing.T) {
	answers := map[string]func(w http.ResponseWriter){
		"/401":      func(w http.ResponseWriter) { http.Error(w, "no", 401) },
		"/500":      func(w http.ResponseWriter) { http.Error(w, "\x1b[31mboom", 500) },
		"/notjson":  func(w http.ResponseWriter) { w.Write([]byte("<html>")) },
		"/notoken":  func(w http.ResponseWriter) { w.Write([]byte(`{"expires_in":3}`)) },
		"/badtoken": func(w http.ResponseWriter) { w.Write([]byte(`{"token":"a b"}`)) },
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { answers[r.URL.Path](w) }))
	defer srv.Close()
	tests := []struct{ realm, user, want string }{
		{srv.URL + "/401", "alice", "answered 401; check the user name and password"},
		{srv.URL + "/500", "", "answered 500"},
		{srv.URL + "/notjson", "", "not JSON"},
		{srv.URL + "/notoken", "", "without a usable token"},
		{srv.URL + "/badtoken", "", "without a usable token"},
		{"ftp://example/token", "", "not an http(s) URL"},
	}
	for _, tt := range tests {
		rt := &RegistryToken{User: tt.user, Password: "p"}
		rt.SetRequestURL(srv.URL + "/v2/")
		err := rt.Prepare(context.Background(), srv.Client(), registryChallenge(t, tt.realm, "s", ""))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.realm, err, tt.want)
		}
		if err != nil && strings.ContainsRune(err.Error(), 0x1b) {
			t.Errorf("%s: escape character in %q", tt.realm, err)
		}
	}
	if err := (&RegistryToken{}).Prepare(context.Background(), srv.Client(), nil); err == nil || !strings.Contains(err.Error(), "send the request once") {
		t.Errorf("no challenge: %v", err)
	}
}

// Issue 17 item 1: the realm is the server's choice. The password goes to a
// token service on the origin it was given for, or on one the user trusts;
// elsewhere the token is asked for anonymously and the exchange says why.
func TestRegistryTokenHoldsThePasswordFromAnotherOrigin(t *testing.T) {
	svc := &tokenService{}
	other := httptest.NewServer(svc)
	defer other.Close()
	realm := strings.Replace(other.URL, "127.0.0.1", "localhost", 1) + "/token"
	var withheld []string
	hc := httpclient.New(httpclient.Options{}).Recorder(func(_ string, ex *httpclient.Exchange) { withheld = append(withheld, ex.Withheld...) })
	ch := registryChallenge(t, realm, "repository:demo:pull", "")

	rt := &RegistryToken{User: "alice", Password: "wonderland-7781"}
	rt.SetRequestURL("http://127.0.0.1:1/v2/")
	if err := rt.Prepare(context.Background(), hc, ch); err != nil {
		t.Fatal(err)
	}
	if _, _, ok := svc.requests[0].BasicAuth(); ok || svc.requests[0].URL.Query().Has("account") {
		t.Fatalf("the password went to %s, another origin: %s %v", realm, svc.requests[0].URL, svc.requests[0].Header)
	}
	if len(withheld) != 1 || !strings.Contains(withheld[0], "--trust http://localhost:") {
		t.Errorf("the exchange does not say what was held back: %q", withheld)
	}

	trusted, _ := httpclient.ParseOrigin(realm[:strings.LastIndex(realm, "/")])
	rt = &RegistryToken{User: "alice", Password: "wonderland-7781", Trusted: []httpclient.Origin{trusted}}
	rt.SetRequestURL("http://127.0.0.1:1/v2/")
	if err := rt.Prepare(context.Background(), hc, ch); err != nil {
		t.Fatal(err)
	}
	if u, p, ok := svc.requests[1].BasicAuth(); !ok || u != "alice" || p != "wonderland-7781" {
		t.Errorf("with %v trusted the password did not go: %v", trusted, svc.requests[1].Header)
	}

	// Without a request to bind it to, the password goes nowhere.
	rt = &RegistryToken{User: "alice", Password: "wonderland-7781"}
	if err := rt.Prepare(context.Background(), hc, ch); err != nil {
		t.Fatal(err)
	}
	if _, _, ok := svc.requests[2].BasicAuth(); ok {
		t.Error("an unbound RegistryToken sent the password")
	}
}
