package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// attacker is a loopback origin that plays a hostile server: it records
// every request it gets, so a test can tell whether a secret reached it.
type attacker struct {
	*httptest.Server
	URL string // http://localhost:PORT: another origin than 127.0.0.1

	mu   sync.Mutex
	seen []*http.Request
}

// startAttacker serves h on localhost:P2, recording each request.
func startAttacker(t *testing.T, h http.HandlerFunc) *attacker {
	t.Helper()
	a := &attacker{}
	a.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		a.seen = append(a.seen, r.Clone(r.Context()))
		a.mu.Unlock()
		h(w, r)
	}))
	t.Cleanup(a.Close)
	a.URL = strings.Replace(a.Server.URL, "127.0.0.1", "localhost", 1)
	return a
}

// got reports whether any request that reached the attacker carried s in a
// header or in its URL.
func (a *attacker) got(s string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, r := range a.seen {
		if strings.Contains(r.URL.String(), s) {
			return true
		}
		for _, vs := range r.Header {
			for _, v := range vs {
				if strings.Contains(v, s) {
					return true
				}
			}
		}
	}
	return false
}

func (a *attacker) requests() int { a.mu.Lock(); defer a.mu.Unlock(); return len(a.seen) }

// tokenService answers as a registry's token service: a token for anyone.
func tokenService(w http.ResponseWriter, r *http.Request) {
	json.NewEncoder(w).Encode(map[string]any{"token": "tok-from-b", "expires_in": 300})
}

// Issue 17 item 1: a registry's Bearer challenge names where -u goes. From
// origin A, a realm on origin B (directly, or after A redirected to B) gets
// the token request, but never the password, unless --trust names B.
func TestSendRegistryRealmOnAnotherOriginGetsNoPassword(t *testing.T) {
	b := startAttacker(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/regtoken":
			tokenService(w, r)
		case "/v2/":
			// After the redirect: B itself challenges, naming its own realm.
			if r.Header.Get("Authorization") != "Bearer tok-from-b" {
				w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="http://%s/regtoken",service="x",scope="repository:demo:pull"`, r.Host))
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			fmt.Fprintln(w, "b's registry")
		}
	})
	basic := "Basic " + testBasic
	a := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v2/":
			if r.Header.Get("Authorization") == "Bearer tok-from-b" {
				fmt.Fprintln(w, "a's registry")
				return
			}
			w.Header().Set("WWW-Authenticate", `Bearer realm="`+b.URL+`/regtoken",service="x",scope="repository:demo:pull"`)
			w.WriteHeader(http.StatusUnauthorized)
		case "/moved/v2/":
			http.Redirect(w, r, b.URL+"/v2/", http.StatusFound)
		}
	}))
	defer a.Close()

	for _, path := range []string{"/v2/", "/moved/v2/"} {
		r := keyhole(t, runOpts{}, "send", "-u", testUser+":"+testPassword, a.URL+path)
		if b.got(basic) || b.got(testPassword) || b.got("account="+testUser) {
			t.Fatalf("%s: the password reached the token service on another origin:\n%s", path, r.stdout)
		}
		if b.requests() == 0 {
			t.Fatalf("%s: no anonymous token request was made:\n%s", path, r.all())
		}
		if !strings.Contains(r.stdout, "credentials-withheld") || !strings.Contains(r.stdout, "--trust "+b.URL) {
			t.Errorf("%s: no finding says what was held back and how to trust the host:\n%s", path, r.stdout)
		}
	}

	r := keyhole(t, runOpts{}, "send", "-u", testUser+":"+testPassword, "--trust", b.URL, a.URL+"/v2/")
	wantCode(t, r, exitOK)
	if !b.got(basic) {
		t.Errorf("with --trust %s the password did not go to its token service:\n%s", b.URL, r.all())
	}
}

// Issue 17 item 5: ESC and BEL in a response header no longer hide the 401:
// send shows the status, the challenge and a finding, every byte escaped.
func TestSendShowsAnAnswerWithControlCharactersInAHeader(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				http.ReadRequest(bufio.NewReader(conn))
				io.WriteString(conn, "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"evil\x1b]0;owned\x07\"\r\nContent-Length: 4\r\n\r\nnope")
			}()
		}
	}()
	r := keyhole(t, runOpts{}, "send", "http://"+ln.Addr().String()+"/")
	wantCode(t, r, exitAuth)
	for _, want := range []string{"401 Unauthorized", `realm 'evil\x1b]0;owned\x07'`, "header-control-characters"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.ContainsAny(r.all(), "\x1b\x07") {
		t.Errorf("a control character reached the terminal: %q", r.all())
	}
}
