package httpclient

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
)

// An API key in a header is a credential like any other: a redirect to another
// origin must not carry it unless the user trusts the redirect.
func TestRedirectDropsAPIKeyHeaders(t *testing.T) {
	var got http.Header
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
	}))
	defer target.Close()
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/there", http.StatusFound)
	}))
	defer origin.Close()

	send := func(trust bool) *Exchange {
		c := New(Options{FollowRedirects: true, TrustRedirects: trust})
		h := http.Header{}
		h.Set("X-API-Key", "k-123")
		h.Set("Private-Token", "glpat-1")
		h.Set("X-Request-Id", "r-1")
		return c.Do(context.Background(), &Request{Method: "GET", URL: origin.URL, Header: h})
	}

	ex := send(false)
	if ex.Err != nil {
		t.Fatal(ex.Err)
	}
	if got.Get("X-API-Key") != "" || got.Get("Private-Token") != "" {
		t.Errorf("credentials reached another origin: X-API-Key=%q Private-Token=%q", got.Get("X-API-Key"), got.Get("Private-Token"))
	}
	if got.Get("X-Request-Id") != "r-1" {
		t.Errorf("an ordinary header was dropped too: %v", got)
	}
	hop := ex.Redirects[0]
	if !slices.Contains(hop.Dropped, "X-Api-Key") || !slices.Contains(hop.Dropped, "Private-Token") || hop.CredentialsResent {
		t.Errorf("hop = %+v, want X-Api-Key and Private-Token dropped and nothing resent", hop)
	}

	if ex := send(true); ex.Err != nil || got.Get("X-API-Key") != "k-123" || !ex.Redirects[0].CredentialsResent {
		t.Errorf("trusted redirect: err=%v X-API-Key=%q hop=%+v", ex.Err, got.Get("X-API-Key"), ex.Redirects[0])
	}
}

func TestIsCredentialHeader(t *testing.T) {
	for name, want := range map[string]bool{
		"Authorization": true, "Cookie": true, "Proxy-Authorization": true, "DPoP": true,
		"X-API-Key": true, "Api-Key": true, "X-Goog-Api-Key": true, "Private-Token": true,
		"X-Auth-Token": true, "X-Amz-Security-Token": true,
		"Accept": false, "Content-Type": false, "X-Request-Id": false, "User-Agent": false,
	} {
		if IsCredentialHeader(name) != want {
			t.Errorf("IsCredentialHeader(%q) = %v, want %v", name, !want, want)
		}
	}
}
