package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// oauthAttacker plays the attack of issue 17 item 2 on loopback. The user
// asks A (127.0.0.1) with a client secret; A redirects to B (localhost),
// which answers 401 naming its own metadata, in which B claims to be A's
// protected resource and names itself the authorization server. B records
// any client secret its token endpoint gets; A records any token it gets.
type oauthAttacker struct {
	a, b       *httptest.Server
	mu         sync.Mutex
	bGotSecret bool
	aGotToken  bool
}

const victimSecret = "victim-secret-5150"

func startOAuthAttacker(t *testing.T) *oauthAttacker {
	t.Helper()
	at := &oauthAttacker{}
	bmux := http.NewServeMux()
	at.b = httptest.NewUnstartedServer(bmux)
	ln, err := net.Listen("tcp", "localhost:0")
	if err != nil {
		t.Fatal(err)
	}
	at.b.Listener = ln
	at.b.Start()
	t.Cleanup(at.b.Close)
	bURL := "http://" + ln.Addr().String()
	bURL = strings.Replace(bURL, "127.0.0.1", "localhost", 1)

	amux := http.NewServeMux()
	at.a = httptest.NewServer(amux)
	t.Cleanup(at.a.Close)
	amux.HandleFunc("/start", func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.Header.Get("Authorization"), "attacker-token") {
			at.mu.Lock()
			at.aGotToken = true
			at.mu.Unlock()
		}
		http.Redirect(w, r, bURL+"/api", http.StatusFound)
	})
	bmux.HandleFunc("/api", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Bearer resource_metadata="`+bURL+`/prm"`)
		w.WriteHeader(http.StatusUnauthorized)
	})
	bmux.HandleFunc("/prm", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"resource": at.a.URL + "/start", "authorization_servers": []string{bURL}})
	})
	bmux.HandleFunc("/.well-known/oauth-authorization-server", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"issuer": bURL, "token_endpoint": bURL + "/token", "code_challenge_methods_supported": []string{"S256"}})
	})
	bmux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		_, pw, _ := r.BasicAuth()
		if pw == victimSecret || r.PostForm.Get("client_secret") == victimSecret {
			at.mu.Lock()
			at.bGotSecret = true
			at.mu.Unlock()
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"access_token":"attacker-token","token_type":"Bearer","expires_in":300}`)
	})
	return at
}

func TestSendOAuthSecretNotSentWhereAServerPoints(t *testing.T) {
	at := startOAuthAttacker(t)
	r := keyhole(t, runOpts{}, "send", "--client-id", "victim", "--client-secret", victimSecret, at.a.URL+"/start")
	at.mu.Lock()
	defer at.mu.Unlock()
	if at.bGotSecret {
		t.Error("the client secret was posted to the other origin's token endpoint")
	}
	if at.aGotToken {
		t.Error("the other origin's token was sent to the user's origin")
	}
	if !strings.Contains(r.stderr, "its own origin's resources") {
		t.Errorf("no word on why the metadata was refused:\n%s%s", r.stdout, r.stderr)
	}
	noSecrets(t, r, victimSecret)
}

// A resource (A) whose honest metadata names an authorization server on
// another origin (C): C gets the client secret only when the user trusts it.
func TestSendOAuthSecretToANamedTokenEndpointNeedsTrust(t *testing.T) {
	var mu sync.Mutex
	got := 0
	cmux := http.NewServeMux()
	c := httptest.NewServer(cmux)
	defer c.Close()
	cmux.HandleFunc("/.well-known/oauth-authorization-server", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"issuer": c.URL, "token_endpoint": c.URL + "/token", "code_challenge_methods_supported": []string{"S256"}})
	})
	cmux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		if _, pw, _ := r.BasicAuth(); pw == victimSecret {
			mu.Lock()
			got++
			mu.Unlock()
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"access_token":"c-token","token_type":"Bearer","expires_in":300}`)
	})
	amux := http.NewServeMux()
	a := httptest.NewUnstartedServer(amux)
	ln, err := net.Listen("tcp", "localhost:0")
	if err != nil {
		t.Fatal(err)
	}
	a.Listener = ln
	a.Start()
	defer a.Close()
	aURL := strings.Replace("http://"+ln.Addr().String(), "127.0.0.1", "localhost", 1)
	amux.HandleFunc("/api", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "Bearer c-token" {
			fmt.Fprintln(w, "ok")
			return
		}
		w.Header().Set("WWW-Authenticate", `Bearer resource_metadata="`+aURL+`/prm"`)
		w.WriteHeader(http.StatusUnauthorized)
	})
	amux.HandleFunc("/prm", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"resource": aURL + "/api", "authorization_servers": []string{c.URL}})
	})

	sent := func() int { mu.Lock(); defer mu.Unlock(); return got }
	r := keyhole(t, runOpts{}, "send", "--client-id", "me", "--client-secret", victimSecret, aURL+"/api")
	if sent() != 0 || r.code == exitOK {
		t.Fatalf("the secret went to %s, which only the metadata named (exit %d)", c.URL, r.code)
	}
	if !strings.Contains(r.stderr, "held back the client secret") || !strings.Contains(r.stderr, "it goes there only if you trust "+c.URL+", or when you give the token URL yourself (Token URL). With keyhole send: --trust "+c.URL+" or --token-url.") {
		t.Errorf("nothing says what was held back and how to allow it:\n%s", r.stderr)
	}
	r = keyhole(t, runOpts{}, "send", "--client-id", "me", "--client-secret", victimSecret, "--trust", c.URL, aURL+"/api")
	wantCode(t, r, exitOK)
	if sent() != 1 {
		t.Fatalf("with --trust, %d token requests carried the secret, want 1", sent())
	}
	noSecrets(t, r, victimSecret)
}
