package oidctest

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// Hand-made loopback servers for the behaviours a test needs on demand,
// beside the real provider Start runs.

// InvalidClientServer is an https resource that wants a Bearer token (/api)
// and a token endpoint (/token) that refuses every client as invalid_client:
// https, because tls_client_auth is for an https token endpoint alone.
func InvalidClientServer(t testing.TB) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"error":"invalid_client"}`))
	})
	mux.HandleFunc("/api", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="api"`)
		w.WriteHeader(http.StatusUnauthorized)
	})
	srv := httptest.NewTLSServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// TwoOrigins is a protected resource on 127.0.0.1 and its authorization
// server on localhost, another origin, which registers no one: /api names
// its metadata (/prm, RFC 9728), /plain answers a bare Bearer challenge.
type TwoOrigins struct {
	Resource string // http://127.0.0.1:P
	AS       string // http://localhost:Q, the issuer
	// Documents, when set, makes the authorization server's metadata say it
	// takes Client ID Metadata Documents.
	Documents atomic.Bool
}

// StartTwoOrigins starts the resource and its authorization server.
func StartTwoOrigins(t testing.TB) *TwoOrigins {
	t.Helper()
	o := &TwoOrigins{}
	ln, err := net.Listen("tcp", "localhost:0")
	if err != nil {
		t.Fatal(err)
	}
	as := httptest.NewUnstartedServer(nil)
	as.Listener = ln
	o.AS = strings.Replace("http://"+ln.Addr().String(), "127.0.0.1", "localhost", 1)
	as.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/.well-known/oauth-authorization-server" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"issuer": o.AS, "authorization_endpoint": o.AS + "/authorize", "token_endpoint": o.AS + "/token",
			"code_challenge_methods_supported": []string{"S256"}, "client_id_metadata_document_supported": o.Documents.Load()})
	})
	as.Start()
	t.Cleanup(as.Close)
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	o.Resource = srv.URL
	mux.HandleFunc("/api", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Bearer resource_metadata="`+o.Resource+`/prm"`)
		w.WriteHeader(http.StatusUnauthorized)
	})
	mux.HandleFunc("/plain", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="api"`)
		w.WriteHeader(http.StatusUnauthorized)
	})
	mux.HandleFunc("/prm", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"resource": o.Resource + "/api", "authorization_servers": []string{o.AS}})
	})
	return o
}
