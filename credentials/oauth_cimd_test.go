package credentials

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestCheckClientIDURL(t *testing.T) {
	for _, tc := range []struct {
		id       string
		loopback bool
		err      string
	}{
		{"https://app.example/client.json", false, ""},
		{"https://app.example:8443/oauth/client?v=1", false, ""},
		{"http://127.0.0.1:9/oauth-client.json", true, ""},
		{"http://[::1]:9/c.json", true, ""},
		{"http://app.example/client.json", false, "must be https"},
		{"https://app.example", false, "must have a path"},
		{"https://app.example/", false, "must have a path"},
		{"https://user:pw@app.example/c.json", false, "user or password"},
		{"https://app.example/c.json#x", false, "fragment"},
		{"https://app.example/a/../c.json", false, ". or .. segments"},
		{"https://app.example/a/%2E%2e/c.json", false, ". or .. segments"},
		{"client-123", false, "not a URL"},
	} {
		loopback, err := CheckClientIDURL(tc.id)
		if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) || err == nil && loopback != tc.loopback {
			t.Errorf("CheckClientIDURL(%q) = %v, %v; want loopback %v, error with %q", tc.id, loopback, err, tc.loopback, tc.err)
		}
	}
}

func TestCheckClientMetadata(t *testing.T) {
	const id = "https://app.example/client.json"
	for _, tc := range []struct{ name, doc, err string }{
		{"public client", `{"client_id":"` + id + `","redirect_uris":["http://127.0.0.1/callback"],"token_endpoint_auth_method":"none"}`, ""},
		{"private_key_jwt with jwks_uri", `{"client_id":"` + id + `","token_endpoint_auth_method":"private_key_jwt","jwks_uri":"https://app.example/jwks"}`, ""},
		{"not an object", `["x"]`, "not a JSON object"},
		{"no client_id", `{"client_name":"x"}`, "has no client_id"},
		{"another client_id", `{"client_id":"https://app.example/other.json"}`, "exactly the URL"},
		{"client_id with a slash more", `{"client_id":"` + id + `/"}`, "exactly the URL"},
		{"a secret", `{"client_id":"` + id + `","client_secret":"x"}`, "no secret"},
		{"secret expiry", `{"client_id":"` + id + `","client_secret_expires_at":0}`, "client_secret_expires_at"},
		{"shared-secret method", `{"client_id":"` + id + `","token_endpoint_auth_method":"client_secret_basic"}`, "a shared secret"},
		{"private_key_jwt without keys", `{"client_id":"` + id + `","token_endpoint_auth_method":"private_key_jwt"}`, "no jwks_uri"},
		{"http jwks_uri", `{"client_id":"` + id + `","token_endpoint_auth_method":"private_key_jwt","jwks_uri":"http://app.example/jwks"}`, "not an https URL"},
		{"wrong type", `{"client_id":"` + id + `","redirect_uris":"http://127.0.0.1/callback"}`, "wrong type"},
	} {
		_, err := CheckClientMetadata(id, []byte(tc.doc))
		if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("%s: CheckClientMetadata = %v; want an error with %q", tc.name, err, tc.err)
		}
	}
}

func FuzzCheckClientMetadata(f *testing.F) {
	f.Add("https://app.example/c.json", `{"client_id":"https://app.example/c.json","redirect_uris":["http://127.0.0.1/callback"]}`)
	f.Add("http://127.0.0.1:1/c.json", `{"client_id":1}`)
	f.Add("https://a/%2e%2E/c", `{"client_secret":"\u001b[2J"}`)
	f.Fuzz(func(t *testing.T, id, doc string) {
		CheckClientIDURL(id)
		m, err := CheckClientMetadata(id, []byte(doc))
		if err == nil && m.ClientID != id {
			t.Fatalf("accepted a document for client_id %q at %q", m.ClientID, id)
		}
		if err != nil && strings.ContainsAny(err.Error(), "\x1b\x07") {
			t.Fatalf("the error carries control bytes from the document: %q", err)
		}
	})
}

// The document keyhole serves for itself passes the draft's checks, says what
// a server needs (a public native client, a loopback redirect), and is gone
// once keyhole stops.
func TestServeClientMetadata(t *testing.T) {
	s, err := ServeClientMetadata()
	if err != nil {
		t.Fatal(err)
	}
	loopback, err := CheckClientIDURL(s.URL)
	if err != nil || !loopback {
		t.Fatalf("the served URL %s: loopback %v, %v", s.URL, loopback, err)
	}
	resp, err := http.Get(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	m, err := CheckClientMetadata(s.URL, body)
	if err != nil {
		t.Fatalf("keyhole's own document fails the draft's checks: %v\n%s", err, body)
	}
	if _, ok := loopbackRedirect(m.RedirectURIs); !ok || m.AuthMethod != AuthNone {
		t.Errorf("the document does not describe a public client with a loopback redirect: %s", body)
	}
	var raw map[string]any
	json.Unmarshal(body, &raw)
	if _, ok := raw["client_secret"]; ok {
		t.Error("the document holds a client_secret")
	}
	if r, err := http.Get(strings.TrimSuffix(s.URL, "oauth-client.json") + "other"); err == nil {
		if r.StatusCode != http.StatusNotFound {
			t.Errorf("another path answered %d", r.StatusCode)
		}
		r.Body.Close()
	}
	s.Close()
	if _, err := http.Get(s.URL); err == nil {
		t.Error("the document is still served after Close")
	}
}

// A URL client id with a secret was registered beforehand (a document's
// client has no secret): keyhole uses it as it is, reads no document and
// registers nothing, even where the server takes documents and offers
// registration.
func TestURLClientIDWithASecretIsRegistered(t *testing.T) {
	var paths []string
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		paths = append(paths, r.URL.Path)
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/.well-known/oauth-authorization-server":
			json.NewEncoder(w).Encode(map[string]any{"issuer": srv.URL, "token_endpoint": srv.URL + "/token",
				"registration_endpoint": srv.URL + "/register", "client_id_metadata_document_supported": true})
		case "/token":
			if id, secret, ok := r.BasicAuth(); !ok || id != url.QueryEscape(srv.URL+"/client.json") || secret != "s" {
				w.WriteHeader(http.StatusUnauthorized)
				json.NewEncoder(w).Encode(map[string]string{"error": "invalid_client"})
				return
			}
			json.NewEncoder(w).Encode(map[string]any{"access_token": "at", "token_type": "Bearer", "expires_in": 60})
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	o := &OAuth2{ClientID: srv.URL + "/client.json", ClientSecret: "s", TokenURL: srv.URL + "/token"}
	if err := o.Prepare(context.Background(), srv.Client(), nil); err != nil {
		t.Fatalf("%v (requests %v)", err, paths)
	}
	if got := strings.Join(paths, " "); got != "/token" {
		t.Fatalf("requests %s, want the token request alone", got)
	}
}
