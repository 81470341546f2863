package credentials

import (
	"encoding/json"
	"io"
	"net/http"
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
