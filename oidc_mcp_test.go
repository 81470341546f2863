package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"keyhole/internal/oidctest"
)

// step is one attempt of a --json run, as the MCP flow test checks it.
type step struct {
	Purpose string
	Auto    string
	Reason  string
	Carried string
	Request struct {
		URL  string
		Body string
	}
	Response *struct{ Status int }
}

func (s step) String() string {
	status := 0
	if s.Response != nil {
		status = s.Response.Status
	}
	return fmt.Sprintf("%s %d [%s%s] %s", s.Purpose, status, s.Reason, s.Auto, s.Request.URL)
}

// The whole path an MCP client takes (authorization spec 2025-11-25), against
// oidc-provider, as one flow: a bare 401 naming resource_metadata → the
// resource's metadata (RFC 9728) → the authorization server's (RFC 8414,
// then OpenID's location under the issuer's path) → the client: a Client ID
// Metadata Document when the server takes them, else registration (RFC
// 7591) → a pushed authorization request (the server offers PAR) with PKCE
// and resource= → the sign-in → the token request with the verifier and
// resource= → the request again, 200. Each step is an attempt whose reason
// says what it is and why, in this order, and nothing more is sent.
func TestOIDCMCPAuthorization(t *testing.T) {
	ca := oidctest.NewCA(t)
	for _, tc := range []struct {
		name    string
		env     []string
		client  string // the client step's purpose and reason
		fetched int32  // at least this many fetches of the document: keyhole's and the server's
	}{
		{"client id metadata document", nil, "discovery client id metadata document: reading it where the authorization server will", 2},
		{"registration when only that is offered", []string{"NO_CIMD=1"}, "token client registration (RFC 7591); the client id is a URL (a Client ID Metadata Document), but the authorization server's metadata does not say client_id_metadata_document_supported; it offers registration_endpoint", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id, fetched := clientDocument(t, ca)
			as := oidctest.Start(t, append([]string{"NODE_EXTRA_CA_CERTS=" + ca.CAFile}, tc.env...)...)
			r := signIn(t, "send", "--json", "--client-id", id, "--cacert", ca.CAFile, as.Origin+"/mcp")
			var doc struct {
				Final    struct{ Status int }
				Attempts []step
			}
			if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
				t.Fatalf("--json output is not JSON: %v\n%s", err, r.stderr)
			}
			want := []struct {
				status int
				what   string
			}{
				{401, "request first request"},
				{200, "discovery protected resource metadata (RFC 9728): the challenge names it (resource_metadata)"},
				{404, "discovery authorization server metadata (RFC 8414): the resource's metadata names " + as.Issuer + " as its authorization server"},
				{200, "discovery OpenID Connect discovery (path appended, OIDC Discovery §4)"},
				{0, tc.client},
				{201, "token pushed authorization request (RFC 9126): the server offers it; client authentication none"},
				{200, "token token request (authorization_code), client authentication none"},
				{200, "request "},
			}
			var got []string
			for _, a := range doc.Attempts {
				got = append(got, a.String())
			}
			if len(doc.Attempts) != len(want) || doc.Final.Status != 200 {
				t.Fatalf("final %d after %d attempts, want 200 after %d:\n%s\n%s", doc.Final.Status, len(doc.Attempts), len(want), strings.Join(got, "\n"), r.stderr)
			}
			for i, w := range want {
				a := doc.Attempts[i]
				what := a.Purpose + " " + a.Reason + a.Auto
				if !strings.HasPrefix(what, w.what) || w.status != 0 && (a.Response == nil || a.Response.Status != w.status) {
					t.Errorf("attempt %d is %s\nwant %d %q", i+1, got[i], w.status, w.what)
				}
			}
			push, token, last := doc.Attempts[5], doc.Attempts[6], doc.Attempts[7]
			for _, p := range []string{"code_challenge_method=S256", "resource=" + url.QueryEscape(as.Origin+"/mcp")} {
				if !strings.Contains(push.Request.Body, p) {
					t.Errorf("the pushed authorization request lacks %s: %s", p, push.Request.Body)
				}
			}
			for _, p := range []string{"code_verifier=", "resource="} {
				if !strings.Contains(token.Request.Body, p) {
					t.Errorf("the token request lacks %s", p)
				}
			}
			// The code and the verifier are secrets: shown masked.
			if !strings.Contains(token.Request.Body, "code=•••") || !strings.Contains(token.Request.Body, "code_verifier=•••") {
				t.Errorf("the code or the verifier is printed: %s", token.Request.Body)
			}
			if n := fetched.Load(); n < tc.fetched || tc.fetched == 0 && n != 0 {
				t.Errorf("the client metadata document was fetched %d times, want %d or more (none when the server does not take documents)", n, tc.fetched)
			}
			if last.Carried != "Bearer" || !strings.Contains(last.Reason, "answer") && !strings.Contains(last.Reason, "retry") {
				t.Errorf("the last request carried %q with reason %q; want the token, sent again to answer the 401", last.Carried, last.Reason)
			}
		})
	}
}

// --serve-client-metadata against the practice server, which takes client
// id metadata documents on loopback http: keyhole serves its own document,
// says what it is, and the MCP path of /mcp/cimd ends in 200 with that URL
// as the client id, nothing registered.
func TestServeClientMetadataAtThePracticeServer(t *testing.T) {
	srv := startPractice(t)
	r := signIn(t, "send", "--json", "--serve-client-metadata", srv.URL+"/mcp/cimd")
	s := readSent(t, r)
	if s.final != 200 || s.count("token") != 2 {
		t.Fatalf("final %d after %v, want 200 after a push and a token request: %q\n%s", s.final, s.purposes, s.autos, r.stderr)
	}
	autos := strings.Join(s.autos, "\n")
	if !strings.Contains(autos, "/oauth-client.json is a Client ID Metadata Document") || !strings.Contains(autos, "an http URL on this machine") ||
		strings.Contains(autos, "client registration") {
		t.Errorf("the steps do not say the served document is the client:\n%s", autos)
	}
	if !strings.Contains(r.stderr, "keyhole serves its client metadata document at http://127.0.0.1:") || !strings.Contains(r.stderr, "Its URL is keyhole's client_id") {
		t.Errorf("keyhole did not say what it serves:\n%s", r.stderr)
	}
}

// A Client ID Metadata Document of a confidential client: no secret (anyone
// can read the document) but private_key_jwt with a jwks_uri beside it.
// oidc-provider fetches both; keyhole signs the pushed authorization
// request's and the token request's assertions with --client-key.
func TestOIDCClientIDMetadataDocumentWithPrivateKeyJWT(t *testing.T) {
	ca := oidctest.NewCA(t)
	key, jwk := oidctest.ClientKey(t)
	var id, jwksURI late[string]
	host := ca.ServeTLS(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/app/client.json":
			json.NewEncoder(w).Encode(map[string]any{
				"client_id": id.get(), "client_name": "keyhole with a key", "redirect_uris": []string{"http://127.0.0.1/callback"},
				"grant_types": []string{"authorization_code"}, "response_types": []string{"code"},
				"token_endpoint_auth_method": "private_key_jwt", "jwks_uri": jwksURI.get(), "application_type": "native",
			})
		case "/app/jwks.json":
			fmt.Fprintf(w, `{"keys":[%s]}`, jwk)
		default:
			http.NotFound(w, r)
		}
	}), false)
	id.set(host + "/app/client.json")
	jwksURI.set(host + "/app/jwks.json")
	as := oidctest.Start(t, "NODE_EXTRA_CA_CERTS="+ca.CAFile)
	r := signIn(t, "send", "--json", "--client-id", id.get(), "--client-key", key, "--cacert", ca.CAFile, as.Origin+"/mcp")
	s := readSent(t, r)
	if s.final != 200 || s.count("token") != 2 || strings.Count(s.doc, "client_assertion_type") != 2 {
		t.Fatalf("final %d after %v, want 200 after a push and a token request, each with an assertion: %q\n%s", s.final, s.purposes, s.autos, r.stderr)
	}
	if strings.Contains(s.doc, "client_assertion=ey") {
		t.Error("a client assertion is printed unmasked")
	}
	if autos := strings.Join(s.autos, "\n"); !strings.Contains(autos, "client authentication private_key_jwt") || !strings.Contains(autos, "is a Client ID Metadata Document") {
		t.Errorf("the steps do not say how the client authenticated:\n%s", autos)
	}
}
