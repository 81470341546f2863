package practice

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"golang.org/x/oauth2"

	"keyhole/httpclient"
)

// registerClient posts metadata to the registration endpoint.
func registerClient(t *testing.T, srv *Server, contentType, body string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Post(srv.URL+"/oauth/register", contentType, strings.NewReader(body))
	m := readJSON(t, resp, err)
	return resp.StatusCode, m
}

// TestDynamicRegistration follows RFC 7591 at the practice server: a public
// client gets a client_id and no secret, a default one a secret, and what it
// registered is what it may use.
func TestDynamicRegistration(t *testing.T) {
	srv := startOAuth(t, nil)
	if as := getJSON(t, srv.URL+"/.well-known/oauth-authorization-server"); as["registration_endpoint"] != srv.URL+"/oauth/register" {
		t.Fatalf("registration_endpoint %v", as["registration_endpoint"])
	}
	for _, c := range []struct{ name, ct, body, err string }{
		{"not JSON", "application/json", "redirect_uris=x", "invalid_client_metadata"},
		{"a form", "application/x-www-form-urlencoded", `{}`, "invalid_client_metadata"},
		{"no redirect", "application/json", `{"token_endpoint_auth_method":"none"}`, "invalid_redirect_uri"},
		{"a web redirect", "application/json", `{"redirect_uris":["https://evil.example/cb"]}`, "invalid_redirect_uri"},
		{"an unknown grant", "application/json", `{"redirect_uris":["http://127.0.0.1/cb"],"grant_types":["implicit"]}`, "invalid_client_metadata"},
		{"public client_credentials", "application/json", `{"grant_types":["client_credentials"],"token_endpoint_auth_method":"none"}`, "invalid_client_metadata"},
		{"private_key_jwt", "application/json", `{"redirect_uris":["http://127.0.0.1/cb"],"token_endpoint_auth_method":"private_key_jwt"}`, "invalid_client_metadata"},
	} {
		if status, m := registerClient(t, srv, c.ct, c.body); status != 400 || m["error"] != c.err {
			t.Errorf("%s: %d %v, want 400 %s", c.name, status, m, c.err)
		}
	}
	status, m := registerClient(t, srv, "application/json", `{"client_name":"k","redirect_uris":["http://127.0.0.1/callback"],"grant_types":["authorization_code","refresh_token"],"token_endpoint_auth_method":"none"}`)
	id, _ := m["client_id"].(string)
	if status != 201 || id == "" || m["client_secret"] != nil || m["token_endpoint_auth_method"] != "none" {
		t.Fatalf("public registration: %d %v", status, m)
	}
	status, conf := registerClient(t, srv, "application/json", `{"redirect_uris":["http://127.0.0.1/callback"]}`)
	if status != 201 || conf["client_secret"] == nil || conf["token_endpoint_auth_method"] != "client_secret_basic" {
		t.Fatalf("default registration: %d %v", status, conf)
	}

	// A device client registered without redirect URIs has none.
	_, dev := registerClient(t, srv, "application/json", `{"grant_types":["`+deviceGrantType+`"],"token_endpoint_auth_method":"none"}`)
	if resp, _ := http.Get(srv.URL + "/oauth/authorize?" + authRequest(dev["client_id"].(string), "http://127.0.0.1:9/callback", oauth2.GenerateVerifier()).Encode()); resp.StatusCode != 400 {
		t.Fatalf("a client with no redirect_uris at the authorization endpoint: %d", resp.StatusCode)
	}

	// The public client: the registered path on any loopback port, and
	// client_id alone at the token endpoint; no other path, no secret.
	verifier := oauth2.GenerateVerifier()
	if resp, _ := http.Get(srv.URL + "/oauth/authorize?" + authRequest(id, "http://127.0.0.1:9/other", verifier).Encode()); resp.StatusCode != 400 {
		t.Fatalf("an unregistered redirect path: %d", resp.StatusCode)
	}
	redirect := "http://127.0.0.1:9/callback"
	at := authRequest(id, redirect, verifier)
	at.Set("action", "approve")
	loc := redirected(t, "POST", srv.URL+"/oauth/authorize", at)
	form := url.Values{"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")}, "redirect_uri": {redirect}, "code_verifier": {verifier}, "client_id": {id}}
	withSecret := url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {"x"}}
	if s, m, _ := tokenRequest(t, srv, withSecret, false); s != 401 || m["error"] != "invalid_client" {
		t.Fatalf("a public client with a secret: %d %v", s, m)
	}
	if s, m, _ := tokenRequest(t, srv, url.Values{"grant_type": {"client_credentials"}, "client_id": {id}}, false); s != 400 || m["error"] != "unauthorized_client" {
		t.Fatalf("client_credentials for a client registered for the code grant: %d %v", s, m)
	}
	s, tok, _ := tokenRequest(t, srv, form, false)
	if s != 200 || tok["access_token"] == nil {
		t.Fatalf("the public client's code: %d %v", s, tok)
	}
	// Its refresh token is its own.
	if s, m, _ := tokenRequest(t, srv, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok["refresh_token"].(string)}}, true); s != 400 || m["error"] != "invalid_grant" {
		t.Fatalf("another client's refresh token: %d %v", s, m)
	}
}

// TestClientMetadataDocument follows the OAuth Client ID Metadata Document
// draft at the practice server: a client_id that is a URL is fetched, and
// must name itself and list the redirect URI.
func TestClientMetadataDocument(t *testing.T) {
	srv := startOAuth(t, nil)
	if as := getJSON(t, srv.URL+"/.well-known/oauth-authorization-server"); as["client_id_metadata_document_supported"] != true {
		t.Fatalf("client_id_metadata_document_supported %v", as["client_id_metadata_document_supported"])
	}
	id := srv.URL + ClientDocumentPath
	if doc := getJSON(t, id); doc["client_id"] != id {
		t.Fatalf("the practice document names %v", doc["client_id"])
	}
	verifier := oauth2.GenerateVerifier()
	redirect := "http://127.0.0.1:4242/callback"
	if s, m, _ := push(t, srv, "", "", authRequest(id, redirect, verifier)); s != 201 {
		t.Fatalf("PAR with the document's URL: %d %v", s, m)
	}
	at := authRequest(id, redirect, verifier)
	at.Set("action", "approve")
	loc := redirected(t, "POST", srv.URL+"/oauth/authorize", at)
	form := url.Values{"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")}, "redirect_uri": {redirect}, "code_verifier": {verifier}, "client_id": {id}}
	if s, tok, _ := tokenRequest(t, srv, form, false); s != 200 || tok["access_token"] == nil {
		t.Fatalf("token for the document's client: %d %v", s, tok)
	}
	// Its id is public: it alone gets no token without a user.
	if s, m, _ := tokenRequest(t, srv, url.Values{"grant_type": {"client_credentials"}, "client_id": {id}}, false); s != 400 || m["error"] != "unauthorized_client" {
		t.Fatalf("client_credentials for the document's client: %d %v", s, m)
	}
	// Not listed: a redirect on another path.
	if s, m, _ := push(t, srv, "", "", authRequest(id, "http://127.0.0.1:4242/elsewhere", verifier)); s != 400 || m["error"] != "invalid_request" {
		t.Fatalf("an unlisted redirect: %d %v", s, m)
	}
	s, m, _ := push(t, srv, "", "", authRequest(srv.URL+ImpostorDocumentPath, redirect, verifier))
	if desc, _ := m["error_description"].(string); s != 401 || m["error"] != "invalid_client" || !strings.Contains(desc, "must name its own URL") {
		t.Fatalf("the impostor's document: %d %v", s, m)
	}
}

// TestClientMetadataDocumentAttacks plays the attacker against the
// document fetcher: documents served by another loopback origin that claim
// the practice client's identity, list another redirect, redirect elsewhere,
// hold a secret or are too big; and client_ids that are not loopback, which
// the server must refuse without fetching (tests reach only loopback, so the
// refusal must come before any dial: its words say so).
func TestClientMetadataDocumentAttacks(t *testing.T) {
	srv := startOAuth(t, nil)
	var served atomic.Int32
	var docs map[string]any
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		switch v := docs[r.URL.Path].(type) {
		case string:
			http.Redirect(w, r, v, http.StatusFound)
		default:
			json.NewEncoder(w).Encode(v)
		}
	}))
	defer evil.Close()
	ev, _ := url.Parse(evil.URL)
	other := "http://localhost:" + ev.Port() // the same server under another name
	docs = map[string]any{
		"/claims.json": map[string]any{"client_id": srv.URL + ClientDocumentPath, "redirect_uris": []string{"http://127.0.0.1/callback"}},
		"/redirects-elsewhere.json": map[string]any{"client_id": other + "/redirects-elsewhere.json",
			"redirect_uris": []string{"http://127.0.0.1/attacker"}},
		"/to-the-real-one.json": srv.URL + ClientDocumentPath,
		"/secret.json": map[string]any{"client_id": evil.URL + "/secret.json", "client_secret": "s",
			"redirect_uris": []string{"http://127.0.0.1/callback"}},
		"/basic.json": map[string]any{"client_id": evil.URL + "/basic.json", "token_endpoint_auth_method": "client_secret_basic",
			"redirect_uris": []string{"http://127.0.0.1/callback"}},
		"/no-grants.json": map[string]any{"client_id": evil.URL + "/no-grants.json", "redirect_uris": []string{"http://127.0.0.1/callback"}},
		"/big.json": map[string]any{"client_id": evil.URL + "/big.json", "redirect_uris": []string{"http://127.0.0.1/callback"},
			"client_name": strings.Repeat("x", maxClientDocument)},
	}
	verifier := oauth2.GenerateVerifier()
	redirect := "http://127.0.0.1:4242/callback"
	for _, c := range []struct{ name, id, redirect, want string }{
		{"claims the practice client's id", evil.URL + "/claims.json", redirect, "must name its own URL"},
		{"a redirect it does not list", other + "/redirects-elsewhere.json", redirect, "redirect_uri"},
		{"redirects to a good document", evil.URL + "/to-the-real-one.json", redirect, "redirects are not followed"},
		{"holds a secret", evil.URL + "/secret.json", redirect, "cannot keep a secret"},
		{"wants Basic", evil.URL + "/basic.json", redirect, "client_secret_basic"},
		{"too big", evil.URL + "/big.json", redirect, "larger than"},
	} {
		s, m, _ := push(t, srv, "", "", authRequest(c.id, c.redirect, verifier))
		if desc, _ := m["error_description"].(string); s == 201 || !strings.Contains(desc, c.want) {
			t.Errorf("%s: %d %v, want a refusal about %q", c.name, s, m, c.want)
		}
	}
	if served.Load() == 0 {
		t.Fatal("the attacker's documents were never fetched: the refusals above prove nothing")
	}
	// A document that names no grant_types is still a public client: its
	// id, which anyone can send, gets no token without a user.
	for _, gt := range []url.Values{{"grant_type": {"client_credentials"}}, {"grant_type": {"password"}, "username": {User}, "password": {Password}}} {
		gt.Set("client_id", evil.URL+"/no-grants.json")
		if s, m, _ := tokenRequest(t, srv, gt, false); s != 400 || m["error"] != "unauthorized_client" {
			t.Errorf("%s for a document's client: %d %v", gt.Get("grant_type"), s, m)
		}
	}
	fetched := served.Load()
	for _, id := range []string{"http://192.0.2.1/client.json", "https://keyhole.example/client.json", "http://10.0.0.1:" + ev.Port() + "/claims.json",
		"http://[fe80::1]/client.json", "http://127.0.0.1.example/client.json"} {
		s, m, _ := push(t, srv, "", "", authRequest(id, redirect, verifier))
		if desc, _ := m["error_description"].(string); s != 401 || !strings.Contains(desc, "only from loopback addresses") {
			t.Errorf("%s: %d %v, want a refusal before any fetch", id, s, m)
		}
	}
	for _, id := range []string{srv.URL, srv.URL + "/", srv.URL + "/clients/../clients/keyhole.json", srv.URL + ClientDocumentPath + "#f"} {
		if s, m, _ := push(t, srv, "", "", authRequest(id, redirect, verifier)); s != 401 {
			t.Errorf("client_id %s: %d %v, want a refusal", id, s, m)
		}
	}
	if served.Load() != fetched {
		t.Fatal("a refused client_id was fetched")
	}
	// The guard behind the names: an address that is not loopback is not dialled.
	if _, err := fetcher().Get("http://[fe80::1]:9/x"); err == nil || !strings.Contains(err.Error(), "not a loopback address") {
		t.Fatalf("fetching a link-local address: %v", err)
	}
	var buf bytes.Buffer
	json.NewEncoder(&buf).Encode(docs["/claims.json"])
	if buf.Len() > maxClientDocument {
		t.Fatal("the test's documents should be small")
	}
}

// TestMCPResources: a bare 401 naming only the resource metadata, which
// names the authorization server, and tokens refused unless asked for the
// resource itself.
func TestMCPResources(t *testing.T) {
	srv := startOAuth(t, nil)
	for _, p := range []string{MCPRegisterPath, MCPDocumentPath} {
		resp, err := http.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		meta := srv.URL + "/.well-known/oauth-protected-resource" + p
		if got := resp.Header.Get("WWW-Authenticate"); resp.StatusCode != 401 || got != `Bearer resource_metadata="`+meta+`"` {
			t.Fatalf("%s: %d %q", p, resp.StatusCode, got)
		}
		rm := getJSON(t, meta)
		if as, _ := rm["authorization_servers"].([]any); rm["resource"] != srv.URL+p || len(as) != 1 || as[0] != srv.URL {
			t.Fatalf("%s metadata: %v", p, rm)
		}
		for resource, want := range map[string]int{"": 401, srv.URL + "/jwt": 401, srv.URL + p: 200} {
			form := url.Values{"grant_type": {"client_credentials"}}
			if resource != "" {
				form.Set("resource", resource)
			}
			_, tok, _ := tokenRequest(t, srv, form, true)
			req, _ := http.NewRequest("GET", srv.URL+p, nil)
			req.Header.Set("Authorization", "Bearer "+tok["access_token"].(string))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != want {
				t.Errorf("%s with a token for resource %q: %d, want %d", p, resource, resp.StatusCode, want)
			}
		}
	}
}

// FuzzClientDocument feeds the document check bytes a client may serve:
// it never panics, accepts only a document that names id and holds no
// secret, and its words carry nothing a terminal would act on.
func FuzzClientDocument(f *testing.F) {
	const id = "http://127.0.0.1:9/clients/keyhole.json"
	f.Add(id, []byte(`{"client_id":"`+id+`","redirect_uris":["http://127.0.0.1/callback"],"token_endpoint_auth_method":"none"}`))
	f.Add(id, []byte(`{"client_id":"https://keyhole.example/client.json","redirect_uris":["http://127.0.0.1/callback"]}`))
	f.Add(id, []byte(`{"client_id":"`+id+`","client_secret":null,"redirect_uris":[]}`))
	f.Add(id, []byte(`{"client_id":"\u009b2J\u202e","token_endpoint_auth_method":"\u001b[2J"}`))
	f.Add(id, []byte(`[1,2]`))
	f.Fuzz(func(t *testing.T, id string, body []byte) {
		c, err := checkClientDocument(id, body)
		if err != nil {
			if strings.ContainsFunc(err.Error(), func(r rune) bool { return r < 0x20 || r == 0x7f || httpclient.IsUnsafeRune(r) }) {
				t.Fatalf("the refusal carries a control or direction mark: %q", err)
			}
			return
		}
		var doc map[string]any
		if json.Unmarshal(body, &doc) != nil || doc["client_id"] != id || c.id != id || !c.public() || len(c.redirects) == 0 {
			t.Fatalf("accepted %q for %q: %+v", body, id, c)
		}
		if _, ok := doc["client_secret"]; ok {
			t.Fatalf("accepted a document with a client_secret: %q", body)
		}
	})
}
