package ui

import (
	"net/http"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"keyhole/practice"
)

var (
	ctrlE = tea.KeyPressMsg{Code: 'e', Mod: tea.ModCtrl}
	ctrlU = tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl}
)

// answer picks the preselected answer in the picker and fills its form as a
// user does: from the focused field on, each field is replaced by the value
// of its label (fields not named are left as they are), and enter on the
// last one sends.
func answer(t *testing.T, m Model, values map[string]string) Model {
	t.Helper()
	if m.Focused() != "form" {
		if m.Focused() != "picker" {
			t.Fatalf("answer: focus %s, want the picker (status %q)", m.Focused(), m.Status())
		}
		m = press(t, m, enter)
	}
	if m.Focused() != "form" {
		t.Fatalf("answer: picking gave focus %s (status %q)", m.Focused(), m.Status())
	}
	for {
		f := m.form.fields[m.form.idx]
		if v, ok := values[f.label]; ok && f.in.Value() != v {
			m = press(t, m, ctrlE, ctrlU)
			m = press(t, m, keys(v)...)
		}
		if m.form.last() {
			return press(t, m, enter)
		}
		m = press(t, m, tab)
	}
}

// Issue 16, item 1: a proxy set from the palette wants Basic (407), then the
// server wants Basic (401). The third attempt carries both answers, one in
// Proxy-Authorization for the proxy and one in Authorization for the server.
func TestProxyThenServerCarriesBothAnswers(t *testing.T) {
	p, err := practice.StartProxy("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	m := started(t, 120, 40) // the Basic lesson: GET /basic
	m = palette(t, m, "proxy")
	if m.Overlay() != "proxy" {
		t.Fatalf("the palette's proxy action opened %q", m.Overlay())
	}
	m = press(t, m, keys(p.URL)...)
	m = press(t, m, enter, enter) // apply the proxy, send
	if a := m.sess.Last(); a.Status() != 407 {
		t.Fatalf("first attempt through the proxy: %d, want 407 (%s)", a.Status(), m.Status())
	}
	m = answer(t, m, map[string]string{"User": practice.User, "Password": practice.Password})
	if a := m.sess.Last(); a.Status() != 401 {
		t.Fatalf("second attempt: %d, want the server's 401 (%s)", a.Status(), m.Status())
	}
	if o, _ := m.chal.picked(); o.Mode != "basic" {
		t.Fatalf("the server's challenge preselects %q, want basic", o.Mode)
	}
	// The server's form starts without the proxy's password.
	m = press(t, m, enter)
	if u, p := m.form.value("user"), m.form.value("password"); u != practice.User || p != "" {
		t.Fatalf("the server's form holds user %q, password %q; want the user kept and no password", u, p)
	}
	m = answer(t, m, map[string]string{"User": practice.User, "Password": practice.Password})
	as := m.sess.Attempts()
	if len(as) != 3 {
		t.Fatalf("%d attempts, want 3 (status %q)", len(as), m.Status())
	}
	h := as[2].Exchange.Request.Header
	if as[2].Status() != 200 || !strings.HasPrefix(h.Get("Proxy-Authorization"), "Basic ") || !strings.HasPrefix(h.Get("Authorization"), "Basic ") {
		t.Fatalf("third attempt: %d, Proxy-Authorization sent %v, Authorization sent %v; want 200 with both (status %q)",
			as[2].Status(), h.Get("Proxy-Authorization") != "", h.Get("Authorization") != "", m.Status())
	}
	// Sending again goes with both at once: the proxy's are not forgotten
	// once the server's are entered.
	m = press(t, m, esc, enter)
	if a := m.sess.Last(); a.N != 4 || a.Status() != 200 {
		t.Fatalf("sent again: attempt %d, %d; want 4, 200 (status %q)", a.N, a.Status(), m.Status())
	}
}

// Issue 16, item 3: an Authorization header typed in the headers is
// credentials too; the status line and the timeline say which.
func TestTypedAuthorizationHeaderIsNamed(t *testing.T) {
	m := started(t, 120, 40)
	m.compose.url.SetValue(m.srv.URL + "/bearer")
	m = press(t, m, tab) // the headers
	if m.Focused() != "headers" {
		t.Fatalf("focus %s, want headers", m.Focused())
	}
	m = press(t, m, keys("Authorization: Bearer "+practice.Token)...)
	next, cmd := m.Update(tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl})
	m = next.(Model)
	if s := m.Status(); strings.Contains(s, "without credentials") {
		t.Fatalf("sending status %q: the typed Bearer is credentials", s)
	}
	m = settle(t, m, cmd)
	a := m.sess.Last()
	if a.Status() != 200 {
		t.Fatalf("typed Bearer: %d (%s)", a.Status(), m.Status())
	}
	if s := m.Status(); !strings.Contains(s, "with Bearer (from the headers)") {
		t.Fatalf("status %q; want it to name the Bearer typed in the headers", s)
	}
	row := m.tl.row(m.styles, a, 110).plain
	if strings.Contains(row, "none") || !strings.Contains(row, "Bearer") {
		t.Fatalf("timeline row %q; want it to show the Bearer sent", row)
	}
	// The attempt shows the header it sent masked, as for any credentials.
	if line(screen(m), "Authorization: Bearer •••") == "" {
		t.Fatalf("the attempt's Authorization is not shown masked:\n%s", screen(m))
	}
}

// Issue 16, item 7: a Digest answer is for the challenge's protection space
// (its domain, RFC 7616 §3.3); a URL outside it on the same origin gets no
// Authorization.
func TestDigestStaysInItsDomain(t *testing.T) {
	var outside http.Header
	u := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/private/") {
			outside = r.Header.Clone()
			w.Write([]byte("public"))
			return
		}
		a := r.Header.Get("Authorization")
		if !strings.HasPrefix(a, "Digest ") || !strings.Contains(a, `username="alice"`) || !strings.Contains(a, `uri="`+r.URL.RequestURI()+`"`) {
			w.Header().Set("WWW-Authenticate", `Digest realm="private", domain="/private/", qop="auth", nonce="n1", algorithm=SHA-256`)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Write([]byte("private"))
	})
	m := New(Options{URL: u + "/private/a"})
	m = sized(t, m, 120, 40)
	m = press(t, m, enter)
	m = answer(t, m, map[string]string{"User": "alice", "Password": "secret"})
	if a := m.sess.Last(); a.Status() != 200 || a.Scheme != "Digest" {
		t.Fatalf("Digest inside its domain: %d %q (%s)", a.Status(), a.Scheme, m.Status())
	}
	m.compose.url.SetValue(u + "/public")
	m = press(t, m, esc, enter)
	if outside == nil {
		t.Fatalf("/public was not requested (%s)", m.Status())
	}
	if outside.Get("Authorization") != "" {
		t.Fatalf("the Digest answer for /private/ went to /public: %q", outside.Get("Authorization"))
	}
	// Inside the domain again, the answer comes back.
	m.compose.url.SetValue(u + "/private/b")
	m = press(t, m, esc, enter)
	if a := m.sess.Last(); a.Status() != 200 {
		t.Fatalf("/private/b after /public: %d (%s)", a.Status(), m.Status())
	}
}

// Issue 16, item 7: on the practice server a Digest answer built for /digest
// is not sent to /apikey, a lesson of its own.
func TestDigestDoesNotFollowToAnotherLesson(t *testing.T) {
	m := started(t, 120, 40)
	m = lessonByKeys(t, m, "digest")
	m = press(t, m, enter)
	m = answer(t, m, map[string]string{"User": practice.User, "Password": practice.Password})
	if a := m.sess.Last(); a.Status() != 200 {
		t.Fatalf("Digest: %d (%s)", a.Status(), m.Status())
	}
	m.compose.url.SetValue(m.srv.URL + "/apikey")
	m = press(t, m, esc, enter)
	if a := m.sess.Last(); a.Exchange.Request.Header.Get("Authorization") != "" {
		t.Fatalf("the Digest answer for /digest went to /apikey (scheme %q)", a.Scheme)
	}
}
