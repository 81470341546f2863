package practice

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// noFollow is a client that shows redirects instead of following them.
var noFollow = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// push posts form to the PAR endpoint, with Basic credentials when id is set.
func push(t *testing.T, srv *Server, id, secret string, form url.Values) (int, map[string]any, http.Header) {
	t.Helper()
	req, _ := http.NewRequest("POST", srv.URL+"/oauth/par", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if id != "" {
		req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	}
	resp, err := http.DefaultClient.Do(req)
	m := readJSON(t, resp, err)
	return resp.StatusCode, m, resp.Header
}

// authRequest is a well-formed authorization request for client id, with
// PKCE for verifier.
func authRequest(id, redirect, verifier string) url.Values {
	return url.Values{"response_type": {"code"}, "client_id": {id}, "redirect_uri": {redirect}, "state": {"st"},
		"code_challenge": {oauth2.S256ChallengeFromVerifier(verifier)}, "code_challenge_method": {"S256"}}
}

// redirected opens u without following and returns where it sends the
// browser, failing unless it is a redirect.
func redirected(t *testing.T, method, u string, form url.Values) *url.URL {
	t.Helper()
	var resp *http.Response
	var err error
	if method == "POST" {
		resp, err = noFollow.PostForm(u, form)
	} else {
		resp, err = noFollow.Get(u)
	}
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("%s %s: %d %s, want a redirect", method, u, resp.StatusCode, body)
	}
	loc, _ := url.Parse(resp.Header.Get("Location"))
	return loc
}

// TestPARServer follows RFC 9126 at the practice server: what the metadata
// says, what the PAR endpoint takes and refuses, a client that must push,
// and request_uri at the authorization endpoint standing for the pushed
// parameters alone, once.
func TestPARServer(t *testing.T) {
	var mu sync.Mutex
	now := time.Now()
	srv := startOAuth(t, func() time.Time { mu.Lock(); defer mu.Unlock(); return now })
	as := getJSON(t, srv.URL+"/.well-known/oauth-authorization-server")
	if as["pushed_authorization_request_endpoint"] != srv.URL+"/oauth/par" || as["require_pushed_authorization_requests"] != false {
		t.Fatalf("AS metadata: PAR %v, required %v", as["pushed_authorization_request_endpoint"], as["require_pushed_authorization_requests"])
	}
	redirect, other := "http://127.0.0.1:9/callback", "http://127.0.0.1:9/elsewhere"
	verifier := oauth2.GenerateVerifier()
	q := authRequest(ParClientID, redirect, verifier)

	// Without PAR, par-client is sent back with invalid_request and its state.
	loc := redirected(t, "GET", srv.URL+"/oauth/authorize?"+q.Encode(), nil)
	if !strings.HasPrefix(loc.String(), redirect) || loc.Query().Get("error") != "invalid_request" ||
		!strings.Contains(loc.Query().Get("error_description"), "require_pushed_authorization_requests") || loc.Query().Get("state") != "st" {
		t.Fatalf("par-client without PAR: redirected to %s", loc)
	}

	for _, c := range []struct {
		name, id, secret string
		edit             func(url.Values)
		status           int
		err              string
	}{
		{"no client authentication", "", "", func(f url.Values) { f.Del("client_id") }, 401, "invalid_client"},
		{"wrong secret", ParClientID, "nope", nil, 401, "invalid_client"},
		{"request_uri pushed", ParClientID, ParClientSecret, func(f url.Values) { f.Set("request_uri", "urn:x") }, 400, "invalid_request"},
		{"another client's id in the form", ParClientID, ParClientSecret, func(f url.Values) { f.Set("client_id", ClientID) }, 400, "invalid_request"},
		{"non-loopback redirect", ParClientID, ParClientSecret, func(f url.Values) { f.Set("redirect_uri", "https://evil.example/cb") }, 400, "invalid_request"},
		{"no PKCE", ParClientID, ParClientSecret, func(f url.Values) { f.Del("code_challenge") }, 400, "invalid_request"},
		{"unknown scope", ParClientID, ParClientSecret, func(f url.Values) { f.Set("scope", "admin") }, 400, "invalid_scope"},
		{"foreign resource", ParClientID, ParClientSecret, func(f url.Values) { f.Set("resource", "https://elsewhere.example/") }, 400, "invalid_target"},
	} {
		f := authRequest(ParClientID, redirect, verifier)
		if c.edit != nil {
			c.edit(f)
		}
		if status, m, _ := push(t, srv, c.id, c.secret, f); status != c.status || m["error"] != c.err {
			t.Errorf("%s: %d %v, want %d %s", c.name, status, m, c.status, c.err)
		}
	}
	if resp, err := http.Get(srv.URL + "/oauth/par"); err != nil || resp.StatusCode != 405 {
		t.Fatalf("GET /oauth/par: %v %v", resp, err)
	}

	status, m, h := push(t, srv, ParClientID, ParClientSecret, q)
	uri, _ := m["request_uri"].(string)
	if status != 201 || !strings.HasPrefix(uri, "urn:ietf:params:oauth:request_uri:") || m["expires_in"] != 60.0 || h.Get("Cache-Control") != "no-store" {
		t.Fatalf("PAR: %d %v %v", status, m, h)
	}
	// Parameters beside request_uri do not count (RFC 9126 §4): this
	// redirect_uri is ignored, the pushed one is used.
	at := url.Values{"client_id": {ParClientID}, "request_uri": {uri}, "redirect_uri": {other}}
	if resp, err := http.Get(srv.URL + "/oauth/authorize?" + url.Values{"client_id": {ClientID}, "request_uri": {uri}}.Encode()); err != nil || resp.StatusCode != 400 {
		t.Fatalf("request_uri with another client_id: %v %v", resp, err)
	}
	resp, err := http.Get(srv.URL + "/oauth/authorize?" + at.Encode())
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), `name="request_uri"`) || strings.Contains(string(page), "code_challenge") ||
		!strings.Contains(string(page), "RFC 9126") {
		t.Fatalf("consent page for a pushed request: %d %s", resp.StatusCode, page)
	}
	at.Set("action", "approve")
	loc = redirected(t, "POST", srv.URL+"/oauth/authorize", at)
	code := loc.Query().Get("code")
	if !strings.HasPrefix(loc.String(), redirect+"?") || code == "" || loc.Query().Get("state") != "st" {
		t.Fatalf("approve: redirected to %s", loc)
	}
	if resp, _ := http.PostForm(srv.URL+"/oauth/authorize", at); resp.StatusCode != 400 {
		t.Fatalf("request_uri used twice: %d", resp.StatusCode)
	}
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect}, "code_verifier": {verifier}}
	req, _ := http.NewRequest("POST", srv.URL+"/oauth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(ParClientID, ParClientSecret)
	resp, err = http.DefaultClient.Do(req)
	if tok := readJSON(t, resp, err); resp.StatusCode != 200 || tok["access_token"] == nil {
		t.Fatalf("token: %d %v", resp.StatusCode, tok)
	}

	// A request_uri expires.
	_, m, _ = push(t, srv, ParClientID, ParClientSecret, q)
	mu.Lock()
	now = now.Add(2 * pushedTTL)
	mu.Unlock()
	resp, _ = http.Get(srv.URL + "/oauth/authorize?" + url.Values{"client_id": {ParClientID}, "request_uri": {m["request_uri"].(string)}}.Encode())
	page, _ = io.ReadAll(resp.Body)
	if resp.StatusCode != 400 || !strings.Contains(string(page), "expired") {
		t.Fatalf("expired request_uri: %d %s", resp.StatusCode, page)
	}
}

// TestPARWithCurl pushes with curl, the reference client, as RFC 9126 §2.1's
// example does, and opens the authorization endpoint with what it got.
func TestPARWithCurl(t *testing.T) {
	srv := startOAuth(t, nil)
	q := authRequest(ParClientID, "http://127.0.0.1:9/callback", oauth2.GenerateVerifier())
	args := []string{"-u", ParClientID + ":" + ParClientSecret}
	for k := range q {
		args = append(args, "--data-urlencode", k+"="+q.Get(k))
	}
	status, out := curl(t, append(args, srv.URL+"/oauth/par")...)
	if status != 201 || !strings.Contains(out, `"request_uri":"urn:ietf:params:oauth:request_uri:`) {
		t.Fatalf("curl PAR: %d %s", status, out)
	}
}
