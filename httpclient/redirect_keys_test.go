package httpclient

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
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

func TestIsSecretHeader(t *testing.T) {
	for name, want := range map[string]bool{
		"Authorization": true, "Cookie": true, "Proxy-Authorization": true, "DPoP": true,
		"X-API-Key": true, "Api-Key": true, "X-Goog-Api-Key": true, "Private-Token": true,
		"X-Auth-Token": true, "X-Amz-Security-Token": true, "X-Client-Key": true, "Ocp-Apim-Subscription-Key": true,
		"X-Access-Key": true, "Signature": true, "X-Custom-Token": true, "Set-Cookie": true, "X-Client-Secret": true,
		"WWW-Authenticate": false, "Proxy-Authenticate": false, "Authentication-Info": false,
		"Access-Control-Allow-Credentials": false, "Access-Control-Allow-Headers": false, "Strict-Transport-Security": false,
		"Accept": false, "Content-Type": false, "X-Request-Id": false, "User-Agent": false,
	} {
		if IsSecretHeader(name) != want {
			t.Errorf("IsSecretHeader(%q) = %v, want %v", name, !want, want)
		}
	}
}

// A name no list knows is secret once an authorizer or the user marks it,
// and every secret value sent is scrubbed from text that quotes it.
func TestMarkedSecretsAreMaskedAndScrubbed(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	r := &Request{Method: "GET", URL: srv.URL + "/?tenant=t-query-99881", Header: http.Header{"X-Tenant": {"t-header-99881"}}}
	if IsSecretHeader("X-Tenant") || IsSecretQuery("tenant") {
		t.Fatal("X-Tenant is secret before anyone marked it")
	}
	r.MarkSecret(InHeader, "X-Tenant", "t-header-99881")
	r.MarkSecret(InQuery, "tenant", "t-query-99881")
	if ex := New(Options{}).Do(context.Background(), r); ex.Err != nil {
		t.Fatal(ex.Err)
	}
	if !IsSecretHeader("x-tenant") || !IsSecretQuery("Tenant") {
		t.Error("the marked names are not secret after the request was sent")
	}
	echo := `reason: t-header-99881, json: "t-query-99881", url: t-header-99881%21`
	if got := Scrub(echo); strings.Contains(got, "99881") {
		t.Errorf("Scrub(%q) = %q", echo, got)
	}
}
