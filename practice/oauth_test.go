package practice

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/oauth2"

	"keyhole/credentials"
)

func startOAuth(t *testing.T, now func() time.Time) *Server {
	t.Helper()
	srv, err := Start(Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

func getJSON(t *testing.T, u string) map[string]any {
	t.Helper()
	resp, err := http.Get(u)
	return readJSON(t, resp, err)
}

func readJSON(t *testing.T, resp *http.Response, err error) map[string]any {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: not JSON: %s", resp.Request.URL, b)
	}
	return m
}

func TestMetadataDocuments(t *testing.T) {
	srv := startOAuth(t, nil)
	as := getJSON(t, srv.URL+"/.well-known/oauth-authorization-server")
	if as["issuer"] != srv.URL || as["token_endpoint"] != srv.URL+"/oauth/token" || as["device_authorization_endpoint"] != srv.URL+"/oauth/device" {
		t.Fatalf("AS metadata %v", as)
	}
	if m, _ := as["code_challenge_methods_supported"].([]any); len(m) != 1 || m[0] != "S256" {
		t.Fatalf("PKCE methods %v", as["code_challenge_methods_supported"])
	}
	for _, p := range []string{"/jwt", "/scoped", "/skew", "/dpop"} {
		rm := getJSON(t, srv.URL+"/.well-known/oauth-protected-resource"+p)
		if rm["resource"] != srv.URL+p {
			t.Errorf("%s: resource %v", p, rm["resource"])
		}
	}
	if rm := getJSON(t, srv.URL+"/.well-known/oauth-protected-resource/wrong-resource"); rm["resource"] == srv.URL+"/wrong-resource" {
		t.Fatal("/wrong-resource's metadata must name another resource")
	}
}

func tokenRequest(t *testing.T, srv *Server, form url.Values, basic bool) (int, map[string]any, http.Header) {
	t.Helper()
	req, _ := http.NewRequest("POST", srv.URL+"/oauth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basic {
		req.SetBasicAuth(url.QueryEscape(ClientID), url.QueryEscape(ClientSecret))
	}
	resp, err := http.DefaultClient.Do(req)
	m := readJSON(t, resp, err)
	return resp.StatusCode, m, resp.Header
}

func TestTokenEndpointErrors(t *testing.T) {
	srv := startOAuth(t, nil)
	cases := []struct {
		name   string
		form   url.Values
		basic  bool
		status int
		err    string
	}{
		{"wrong secret in the form", url.Values{"grant_type": {"client_credentials"}, "client_id": {ClientID}, "client_secret": {"x"}}, false, 401, "invalid_client"},
		{"no grant type", url.Values{}, true, 400, "invalid_request"},
		{"unknown grant type", url.Values{"grant_type": {"implicit"}}, true, 400, "unsupported_grant_type"},
		{"unknown scope", url.Values{"grant_type": {"client_credentials"}, "scope": {"admin"}}, true, 400, "invalid_scope"},
		{"foreign resource", url.Values{"grant_type": {"client_credentials"}, "resource": {"https://elsewhere.example/"}}, true, 400, "invalid_target"},
		{"wrong password", url.Values{"grant_type": {"password"}, "username": {User}, "password": {"x"}}, true, 400, "invalid_grant"},
		{"unknown code", url.Values{"grant_type": {"authorization_code"}, "code": {"x"}, "redirect_uri": {"http://127.0.0.1:1/cb"}}, true, 400, "invalid_grant"},
		{"unknown refresh token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"x"}}, true, 400, "invalid_grant"},
	}
	for _, c := range cases {
		status, m, _ := tokenRequest(t, srv, c.form, c.basic)
		if status != c.status || m["error"] != c.err {
			t.Errorf("%s: %d %v, want %d %s", c.name, status, m, c.status, c.err)
		}
	}
	// A client that authenticated with Basic and failed is told how (RFC 6749 §5.2).
	req, _ := http.NewRequest("POST", srv.URL+"/oauth/token", strings.NewReader("grant_type=client_credentials"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(ClientID, "wrong")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Basic ") {
		t.Fatalf("%d %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
}

func TestTokenTTLAndExpiryAtTheResource(t *testing.T) {
	var off atomic.Int64
	srv := startOAuth(t, func() time.Time { return time.Now().Add(time.Duration(off.Load())) })
	srv.SetTokenTTL(5 * time.Second)
	status, m, h := tokenRequest(t, srv, url.Values{"grant_type": {"client_credentials"}}, true)
	if status != 200 || m["expires_in"] != float64(5) || m["token_type"] != "Bearer" || h.Get("Cache-Control") != "no-store" {
		t.Fatalf("%d %v %v", status, m, h)
	}
	if _, has := m["refresh_token"]; has {
		t.Fatal("client_credentials should not issue a refresh token (RFC 6749 §4.4.3)")
	}
	at := m["access_token"].(string)
	call := func(path, token string) (int, string) {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("WWW-Authenticate")
	}
	if s, wa := call("/jwt", ""); s != 401 || !strings.Contains(wa, `resource_metadata="`+srv.URL+`/.well-known/oauth-protected-resource/jwt"`) {
		t.Fatalf("no token: %d %q", s, wa)
	}
	if s, _ := call("/jwt", at); s != 200 {
		t.Fatalf("fresh token: %d", s)
	}
	if s, wa := call("/jwt", at+"x"); s != 401 || !strings.Contains(wa, `error="invalid_token"`) {
		t.Fatalf("tampered token: %d %q", s, wa)
	}
	if s, wa := call("/scoped", at); s != 403 || !strings.Contains(wa, `error="insufficient_scope"`) || !strings.Contains(wa, `scope="read:secrets"`) {
		t.Fatalf("scoped: %d %q", s, wa)
	}
	off.Store(int64(6 * time.Second))
	if s, wa := call("/jwt", at); s != 401 || !strings.Contains(wa, `error_description="The access token expired"`) {
		t.Fatalf("expired: %d %q", s, wa)
	}
}

func TestAuthorizeDemandsPKCEAndCodesWorkOnce(t *testing.T) {
	srv := startOAuth(t, nil)
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	redirect := "http://127.0.0.1:9/callback"
	q := url.Values{"response_type": {"code"}, "client_id": {ClientID}, "redirect_uri": {redirect}, "state": {"st"}}
	resp, err := noFollow.Get(srv.URL + "/oauth/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != 302 || loc.Query().Get("error") != "invalid_request" || loc.Query().Get("state") != "st" {
		t.Fatalf("without PKCE: %d %s", resp.StatusCode, loc)
	}
	bad := url.Values{"response_type": {"code"}, "client_id": {ClientID}, "redirect_uri": {"https://evil.example/cb"}}
	if resp, _ := noFollow.Get(srv.URL + "/oauth/authorize?" + bad.Encode()); resp.StatusCode != 400 {
		t.Fatalf("non-loopback redirect: %d", resp.StatusCode)
	}

	verifier := oauth2.GenerateVerifier()
	q.Set("code_challenge", oauth2.S256ChallengeFromVerifier(verifier))
	q.Set("code_challenge_method", "S256")
	resp, _ = http.Get(srv.URL + "/oauth/authorize?" + q.Encode())
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(page), `value="approve"`) {
		t.Fatalf("consent page: %s", page)
	}
	q.Set("action", "approve")
	resp, err = noFollow.PostForm(srv.URL+"/oauth/authorize", q)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ = url.Parse(resp.Header.Get("Location"))
	code := loc.Query().Get("code")
	if resp.StatusCode != 302 || code == "" || !strings.HasPrefix(loc.String(), redirect) {
		t.Fatalf("approve: %d %s", resp.StatusCode, loc)
	}
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect}, "code_verifier": {verifier + "x"}}
	if s, m, _ := tokenRequest(t, srv, form, true); s != 400 || !strings.Contains(m["error_description"].(string), "PKCE") {
		t.Fatalf("wrong verifier: %d %v", s, m)
	}
	// The failed attempt spent the code, as RFC 6749 §4.1.2 lets a server do.
	form.Set("code_verifier", verifier)
	if s, m, _ := tokenRequest(t, srv, form, true); s != 400 || m["error"] != "invalid_grant" {
		t.Fatalf("reused code: %d %v", s, m)
	}
}

func TestDeviceDenied(t *testing.T) {
	srv := startOAuth(t, nil)
	resp, err := http.PostForm(srv.URL+"/oauth/device", url.Values{"client_id": {ClientID}})
	m := readJSON(t, resp, err)
	if m["interval"] != float64(1) || m["user_code"] == nil {
		t.Fatalf("device authorization %v", m)
	}
	resp, err = http.PostForm(srv.URL+"/oauth/device/approve", url.Values{"user_code": {strings.ReplaceAll(m["user_code"].(string), "-", "")}, "action": {"deny"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("deny page: %d", resp.StatusCode)
	}
	_, got, _ := tokenRequest(t, srv, url.Values{"grant_type": {deviceGrantType}, "device_code": {m["device_code"].(string)}}, true)
	if got["error"] != "access_denied" {
		t.Fatalf("poll after deny: %v", got)
	}
}

func TestOAuthEndpointsListed(t *testing.T) {
	srv := startOAuth(t, nil)
	paths := map[string]bool{}
	for _, e := range srv.Endpoints() {
		paths[e.Path] = true
	}
	for _, p := range append([]string{"/oauth/token", "/oauth/device", "/oauth/authorize"}, protectedPaths...) {
		if !paths[p] {
			t.Errorf("%s not listed", p)
		}
	}
}

// FuzzDPoPProof: the DPoP header is attacker-controlled bytes; checking it
// must never panic, and a proof it accepts is bound to the key in its header.
func FuzzDPoPProof(f *testing.F) {
	k, err := credentials.NewDPoPKey()
	if err != nil {
		f.Fatal(err)
	}
	good, _ := k.Proof("POST", "http://127.0.0.1/oauth/token", "", "")
	f.Add(good)
	f.Add("eyJhbGciOiJFUzI1NiIsInR5cCI6ImRwb3Arand0IiwiandrIjp7Imt0eSI6IkVDIn19.e30.x")
	f.Add("a.b.c")
	a := (&Server{}).auth()
	f.Fuzz(func(t *testing.T, proof string) {
		r := httptest.NewRequest("POST", "http://127.0.0.1/oauth/token", nil)
		r.Header.Set("DPoP", proof)
		jkt, _, err := a.checkProof(r, "")
		if err == nil {
			tok, _, perr := jwt.NewParser().ParseUnverified(proof, jwt.MapClaims{})
			if perr != nil {
				t.Fatalf("accepted an undecodable proof %q", proof)
			}
			jwk, _ := tok.Header["jwk"].(map[string]any)
			if _, want, jerr := publicJWK(jwk); jerr != nil || want != jkt {
				t.Fatalf("accepted proof bound to %q, its header's key is %q (%v)", jkt, want, jerr)
			}
		}
		a.checkProof(r, "some-access-token")
	})
}

func TestGrantTablesAreBounded(t *testing.T) {
	m := map[int]grant{}
	for i := range maxGrants + 5 {
		trim(m)
		m[i] = grant{}
	}
	if len(m) != maxGrants {
		t.Fatalf("%d entries kept, want at most %d", len(m), maxGrants)
	}
}

// Each issuer's authorization endpoint, as its metadata names it, says in
// every authorization response which issuer answered (RFC 9207), errors
// and codes alike, and the consent page posts back to that same endpoint.
func TestAuthorizationResponsesNameTheirIssuer(t *testing.T) {
	srv := startOAuth(t, nil)
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, meta := range []string{"/.well-known/oauth-authorization-server", "/.well-known/oauth-authorization-server" + TenantPath} {
		resp, err := http.Get(srv.URL + meta)
		as := readJSON(t, resp, err)
		issuer, endpoint := as["issuer"].(string), as["authorization_endpoint"].(string)
		if as["authorization_response_iss_parameter_supported"] != true {
			t.Errorf("%s: authorization_response_iss_parameter_supported = %v, want true", meta, as["authorization_response_iss_parameter_supported"])
		}
		redirect := "http://127.0.0.1:9/callback"
		q := url.Values{"response_type": {"code"}, "client_id": {ClientID}, "redirect_uri": {redirect}, "state": {"st"}}
		resp, err = noFollow.Get(endpoint + "?" + q.Encode()) // no PKCE: an error response
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc, _ := url.Parse(resp.Header.Get("Location"))
		if loc.Query().Get("error") == "" || loc.Query().Get("iss") != issuer {
			t.Errorf("%s: error response %s, want iss=%s", meta, loc, issuer)
		}
		q.Set("code_challenge", oauth2.S256ChallengeFromVerifier(oauth2.GenerateVerifier()))
		q.Set("code_challenge_method", "S256")
		resp, err = http.Get(endpoint + "?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if action := `action="` + strings.TrimPrefix(endpoint, srv.URL) + `"`; !strings.Contains(string(page), action) {
			t.Errorf("%s: the consent page does not post back with %s:\n%s", meta, action, page)
		}
		q.Set("action", "approve")
		resp, err = noFollow.PostForm(endpoint, q)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc, _ = url.Parse(resp.Header.Get("Location"))
		if loc.Query().Get("code") == "" || loc.Query().Get("iss") != issuer {
			t.Errorf("%s: code response %s, want a code and iss=%s", meta, loc, issuer)
		}
	}
}
