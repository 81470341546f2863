package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"keyhole/practice"
	"keyhole/session"
)

// sentRecords reads keyhole send --json --show-secrets output: per attempt,
// its purpose, status, what it carried and the request headers.
func sentRecords(t *testing.T, stdout string) []struct {
	Purpose  string
	Status   int
	Carried  string
	Reason   string
	Findings []struct{ Code, Message, Next string }
	Request  struct {
		URL     string
		Headers map[string][]string
		Body    string
	}
} {
	t.Helper()
	var doc struct {
		Attempts []struct {
			Purpose  string
			Carried  string
			Reason   string
			Findings []struct{ Code, Message, Next string }
			Request  struct {
				URL     string
				Headers map[string][]string
				Body    string
			}
			Response *struct{ Status int }
		}
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, stdout)
	}
	out := make([]struct {
		Purpose  string
		Status   int
		Carried  string
		Reason   string
		Findings []struct{ Code, Message, Next string }
		Request  struct {
			URL     string
			Headers map[string][]string
			Body    string
		}
	}, len(doc.Attempts))
	for i, a := range doc.Attempts {
		out[i].Purpose, out[i].Carried, out[i].Reason, out[i].Findings, out[i].Request = a.Purpose, a.Carried, a.Reason, a.Findings, a.Request
		if a.Response != nil {
			out[i].Status = a.Response.Status
		}
	}
	return out
}

// Issue 16, problem 1 (send side): the proxy's 407, then the server's 401,
// then 200 with both Authorization and Proxy-Authorization on the last request.
func TestSendProxyThenServerCarriesBoth(t *testing.T) {
	srv := startPractice(t)
	proxy := startProxy(t)
	r := keyhole(t, runOpts{}, "send", "--json", "-x", proxy.URL, "-U", "alice:wonderland", "-u", "alice:wonderland", srv.URL+"/basic")
	wantCode(t, r, exitOK)
	as := sentRecords(t, r.stdout)
	var got []string
	for _, a := range as {
		got = append(got, fmt.Sprintf("%d %s", a.Status, a.Carried))
	}
	if strings.Join(got, "; ") != "407 none; 401 proxy Basic; 200 Basic, proxy Basic" {
		t.Fatalf("attempts: %q", got)
	}
	h := as[2].Request.Headers
	if len(h["Authorization"]) == 0 || len(h["Proxy-Authorization"]) == 0 {
		t.Errorf("the last request lacks a credential header: %v", h)
	}
}

// Issue 16, problem 2: client credentials against a DPoP-only resource get
// a DPoP-bound token (the token request carries a DPoP proof) and then 200.
func TestSendClientCredentialsAnswerDPoP(t *testing.T) {
	srv := startPractice(t)
	r := keyhole(t, runOpts{}, "send", "--json", "--client-id", practice.ClientID, "--client-secret", practice.ClientSecret, srv.URL+"/dpop")
	wantCode(t, r, exitOK)
	proof := false
	for _, a := range sentRecords(t, r.stdout) {
		if a.Purpose == "token" && len(a.Request.Headers["Dpop"]) > 0 {
			proof = true
		}
	}
	if !proof {
		t.Errorf("no token request with a DPoP proof:\n%s", r.stdout)
	}
	if !strings.Contains(r.stdout, `"carried": "DPoP"`) {
		t.Errorf("no attempt carried DPoP:\n%s", r.stdout)
	}
}

// Issue 16, problem 3 (send side): the words for the user's own -H
// Authorization come from the attempt, as the TUI shows them.
func TestSendHeaderCredentialsAreAttemptData(t *testing.T) {
	srv := startPractice(t)
	r := keyhole(t, runOpts{}, "send", "--json", "-H", "Authorization: Bearer "+practice.Token, srv.URL+"/bearer")
	wantCode(t, r, exitOK)
	as := sentRecords(t, r.stdout)
	if len(as) != 1 || as[0].Carried != "Bearer (from -H)" {
		t.Errorf("carried: %+v", as)
	}
}

// Issue 16, problem 5: an expired --token with --refresh-token and a client
// is refreshed, not given up on.
func TestSendExpiredTokenIsRefreshed(t *testing.T) {
	srv := startPractice(t)
	common := []string{"--client-id", practice.ClientID, "--client-secret", practice.ClientSecret, "--token-url", srv.URL + "/oauth/token"}
	rt := passwordGrantRefreshToken(t, srv.URL, common)

	args := append(append([]string{"send", "--json", "--token", "expired-or-revoked", "--refresh-token", "env:KH_RT"}, common...), srv.URL+"/jwt")
	r := keyhole(t, runOpts{env: []string{"KH_RT=" + rt}}, args...)
	wantCode(t, r, exitOK, args...)
	refreshed := false
	for _, a := range sentRecords(t, r.stdout) {
		if a.Purpose == "token" && strings.Contains(a.Request.Body, "grant_type=refresh_token") {
			refreshed = true
		}
	}
	if !refreshed {
		t.Errorf("no refresh_token grant:\n%s", r.stdout)
	}
}

// Issue 16, problem 6: -u held back for a challenge that never came (a 404
// as GitHub gives for a private resource) is said, with how to send it up
// front; --auth basic then gets in.
func TestSendHeldBackUserIsSaid(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != testUser || p != testPassword {
			http.NotFound(w, r)
			return
		}
		fmt.Fprintln(w, "private repository")
	}))
	defer srv.Close()
	r := keyhole(t, runOpts{}, "send", "-u", testUser+":"+testPassword, srv.URL+"/owner/private")
	wantCode(t, r, exitHTTPError)
	if !strings.Contains(r.stdout, "credentials-held-back") || !strings.Contains(r.stdout, "With keyhole send: --auth basic.") {
		t.Errorf("nothing says -u was held back:\n%s", r.stdout)
	}
	// The record keeps the advice in words true in every face, and the
	// step itself for a program to take.
	r = keyhole(t, runOpts{}, "send", "--json", "-u", testUser+":"+testPassword, srv.URL+"/owner/private")
	var doc session.Document
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	f := doc.Attempts[len(doc.Attempts)-1].Findings[0]
	if f.Code != "credentials-held-back" || strings.Contains(f.Next, "keyhole send") || f.Do == nil || f.Do.Kind != "send-upfront" || f.Do.Scheme != "basic" {
		t.Errorf("--json finding %+v (do %+v)", f, f.Do)
	}
	r = keyhole(t, runOpts{}, "send", "--auth", "basic", "-u", testUser+":"+testPassword, srv.URL+"/owner/private")
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stdout, "private repository") || strings.Contains(r.stdout, "credentials-held-back") {
		t.Errorf("--auth basic:\n%s", r.stdout)
	}
}
