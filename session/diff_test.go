package session

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"keyhole/credentials"
	"keyhole/httpclient"
)

// unsignedJWT builds a JWT with the given scope; keyhole reads tokens without
// verifying them, and so does this test's server.
func unsignedJWT(scope string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + enc([]byte(`{"sub":"alice","scope":"`+scope+`"}`)) + "."
}

func sendAll(t *testing.T, url string, auths ...credentials.Authorizer) []*Attempt {
	s := New(httpclient.New(httpclient.Options{}), httpclient.Request{Method: "GET", URL: url})
	for _, a := range auths {
		if _, err := s.Send(context.Background(), a); err != nil {
			t.Fatal(err)
		}
	}
	return s.Attempts()
}

func TestSummaryScope(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		j, err := credentials.ParseJWT(tok)
		if err == nil && strings.Contains(strings.Join(j.Scope, " "), "read:secrets") {
			w.Write([]byte("the secrets"))
			return
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="api", error="insufficient_scope", scope="read read:secrets"`)
		w.WriteHeader(403)
	}))
	defer srv.Close()
	read, more := unsignedJWT("read"), unsignedJWT("read read:secrets")
	at := sendAll(t, srv.URL+"/secrets", credentials.Bearer{Token: read}, credentials.Bearer{Token: more})
	if got, want := Summary(at[0], at[1]), "attempt 2 worked because the scope changed (read → read read:secrets)"; got != want {
		t.Errorf("Summary = %q\nwant      %q", got, want)
	}
	changes := Diff(at[0], at[1])
	var auth, status *Change
	for i, c := range changes {
		switch {
		case c.Section == "header" && c.Name == "Authorization":
			auth = &changes[i]
		case c.Section == "status":
			status = &changes[i]
		}
	}
	if auth == nil || status == nil {
		t.Fatalf("changes lack Authorization or status: %v", changes)
	}
	wantAuth := "Authorization: Bearer " + credentials.Mask(read) + " → " + credentials.Mask(more) + " (token scope changed (read → read read:secrets))"
	if auth.String() != wantAuth {
		t.Errorf("auth change %q\nwant        %q", auth.String(), wantAuth)
	}
	for _, c := range changes {
		if strings.Contains(c.Before+c.After, read) || strings.Contains(c.Before+c.After, more) {
			t.Errorf("a change shows a token: %v", c)
		}
	}
	if status.Before != "403 Forbidden" || status.After != "200 OK" {
		t.Errorf("status change %v", status)
	}
}

func TestDiffDigestStale(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("WWW-Authenticate", `Digest realm="r", qop="auth", nonce="n1", algorithm=SHA-256`)
		} else {
			w.Header().Set("WWW-Authenticate", `Digest realm="r", qop="auth", nonce="n2", algorithm=SHA-256, stale=true`)
		}
		w.WriteHeader(401)
	}))
	defer srv.Close()
	at := sendAll(t, srv.URL, nil, nil)
	got := map[string]string{}
	for _, c := range Diff(at[0], at[1]) {
		got[c.Section+"/"+c.Name] = c.Note
	}
	if got["challenge/Digest nonce"] != "nonce rotated" || !strings.HasPrefix(got["challenge/Digest stale"], "stale=true appeared") {
		t.Errorf("changes = %v", got)
	}
	if s := Summary(at[0], at[1]); s != "attempt 2 failed again (401 Unauthorized): stale=true appeared: the nonce expired, the credentials were fine" {
		t.Errorf("Summary = %q", s)
	}
}

func TestDiffBasic(t *testing.T) {
	srv := secretServer(t)
	at := sendAll(t, srv.URL+"/basic", nil, credentials.Basic{User: tUser, Password: "wrong"}, credentials.Basic{User: tUser, Password: tPassword}, credentials.Basic{User: "bob", Password: tPassword})
	cases := []struct {
		a, b int
		want string
	}{
		{0, 1, "attempt 2 failed again (401 Unauthorized) although credentials were sent (Basic)"},
		{1, 2, "attempt 3 worked because the password changed"},
		{2, 3, "attempt 4 got 401 Unauthorized instead of 200 OK after the user changed (alice → bob)"},
		{2, 2, "attempt 3 worked, as attempt 3 did"},
	}
	for _, c := range cases {
		if got := Summary(at[c.a], at[c.b]); got != c.want {
			t.Errorf("Summary(%d, %d) = %q\nwant %q", c.a+1, c.b+1, got, c.want)
		}
	}
	// Findings: attempt 3's success appears, attempt 2's rejection resolves.
	var notes []string
	for _, c := range Diff(at[1], at[2]) {
		if c.Section == "finding" {
			notes = append(notes, c.Name+" "+c.Note)
		}
		if strings.Contains(c.Before+c.After, tPassword) || strings.Contains(c.Before+c.After, "wrong") {
			t.Errorf("change shows a password: %v", c)
		}
	}
	joined := strings.Join(notes, "; ")
	if !strings.Contains(joined, "success appeared") || !strings.Contains(joined, "resolved") {
		t.Errorf("finding changes = %q", joined)
	}
}

func TestDiffRequest(t *testing.T) {
	mk := func(method, url, body string, h http.Header) *Attempt {
		return &Attempt{N: 1, Exchange: &httpclient.Exchange{Request: &httpclient.Request{Method: method, URL: url, Header: h, Body: []byte(body)}}}
	}
	a := mk("GET", "http://h/a?api_key=one", "", http.Header{"Accept": {"text/html"}})
	b := mk("POST", "http://h/a?api_key=two", `{"password":"p1","x":"\u001b[2J"}`, http.Header{"Accept": {"application/json"}, "Content-Type": {"application/json"}})
	var lines []string
	for _, c := range Diff(a, b) {
		lines = append(lines, c.Section+" "+c.String())
	}
	got := strings.Join(lines, "\n")
	for _, want := range []string{
		"request-line method: GET → POST",
		"request-line url: http://h/a?api_key=••• → http://h/a?api_key=••• (a secret query parameter or URL password changed)",
		"header Accept: text/html → application/json",
		"header Content-Type: (none) → application/json",
		`body body: (none) → {"password":"•••","x":"\u001b[2J"} (0 → 33 bytes)`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("diff lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "p1") || strings.Contains(got, "\x1b") {
		t.Errorf("diff leaks a secret or an escape:\n%q", got)
	}
	if s := Summary(a, b); s != "attempt 1 failed again (not sent) although the method changed (GET → POST)" && !strings.Contains(s, "method changed") {
		t.Errorf("Summary = %q", s)
	}
}
