package ui

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// Issue 17 item 1 in the TUI: a registry on 127.0.0.1 whose token service is
// on localhost, another origin, gets the token request without the
// password; a confirmation names the host, and only "trust" sends it there.
func TestRegistryRealmOnAnotherOriginAsksFirst(t *testing.T) {
	var mu sync.Mutex
	var basic []string
	tokens := serve(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		basic = append(basic, r.Header.Get("Authorization"))
		mu.Unlock()
		json.NewEncoder(w).Encode(map[string]any{"token": "tok-b", "expires_in": 300})
	})
	realm := strings.Replace(tokens, "127.0.0.1", "localhost", 1) + "/token"
	registry := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "Bearer tok-b" {
			fmt.Fprintln(w, "ok")
			return
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="`+realm+`",service="x",scope="repository:demo:pull"`)
		w.WriteHeader(http.StatusUnauthorized)
	})
	m := New(Options{URL: registry + "/v2/"})
	m = sized(t, m, 120, 40)
	m = press(t, m, esc, enter)
	if o, _ := m.chal.picked(); o.Mode != "registry" {
		t.Fatalf("a registry challenge preselects %q (%s)", o.Mode, m.Status())
	}
	m = press(t, m, enter)
	m = press(t, m, keys("carol")...)
	m = press(t, m, tab)
	m = press(t, m, keys("pw-tui-40961")...)
	m = press(t, m, enter)
	mu.Lock()
	if len(basic) != 1 || basic[0] != "" {
		t.Fatalf("the token service got %q, want one anonymous request", basic)
	}
	mu.Unlock()
	if m.ov.kind != ovTrust {
		t.Fatalf("no confirmation; overlay %q, status %s", ovNames[m.ov.kind], m.Status())
	}
	host := strings.TrimSuffix(realm, "/token")
	mustContain(t, screen(m), "Trust "+host+"?", "another origin")
	m = press(t, m, down, enter) // trust it
	mu.Lock()
	defer mu.Unlock()
	if len(basic) != 2 || !strings.HasPrefix(basic[1], "Basic ") {
		t.Fatalf("after trusting %s the token service got %q", host, basic)
	}
	if a := m.sess.Last(); a.Status() != 200 {
		t.Errorf("with the token: %d (%s)", a.Status(), m.Status())
	}
}

// Issue 17 items 4 and 6 in the TUI: a server that echoes the password in
// its reason phrase, a header and the body gets it shown masked in the
// panes, the layout intact; f8 shows it.
func TestEchoedSecretIsMaskedInThePanes(t *testing.T) {
	const pw = "pw-echo-tui-73205"
	u := serve(t, func(w http.ResponseWriter, r *http.Request) {
		_, p, ok := r.BasicAuth()
		if !ok {
			w.Header().Set("WWW-Authenticate", `Basic realm="echo"`)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		conn, buf, _ := w.(http.Hijacker).Hijack()
		defer conn.Close()
		body := `{"error_description":"wrong password ` + p + `"}`
		fmt.Fprintf(buf, "HTTP/1.1 403 Not %s\r\nX-Echo: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", p, p, len(body), body)
		buf.Flush()
	})
	m := New(Options{URL: u + "/x"})
	m = sized(t, m, 120, 40)
	m = press(t, m, esc, enter)
	m = press(t, m, enter)
	m = press(t, m, keys("carol")...)
	m = press(t, m, tab)
	m = press(t, m, keys(pw)...)
	m = press(t, m, enter)
	if a := m.sess.Last(); a.Status() != 403 {
		t.Fatalf("status %d (%s)", a.Status(), m.Status())
	}
	s := screen(m)
	if strings.Contains(s, pw) {
		t.Errorf("the echoed password is on screen:\n%s", s)
	}
	mustContain(t, s, strings.Repeat("•", len(pw)))
	for i, l := range strings.Split(s, "\n") {
		if w := len([]rune(l)); w != 120 && l != "" && i < 39 {
			t.Errorf("line %d is %d wide: %q", i, w, l)
		}
	}
	m = press(t, m, f8)
	if !strings.Contains(screen(m), pw) {
		t.Errorf("f8 does not show the echo:\n%s", screen(m))
	}
}
