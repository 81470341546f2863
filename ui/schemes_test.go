package ui

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"keyhole/practice"

	tea "charm.land/bubbletea/v2"
)

var ctrlS = tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl}

// The practice /dpop endpoint challenges with DPoP: the OAuth 2.0 form picked
// for that challenge binds the token to a key and the retry gets 200.
func TestDPoPFromThePicker(t *testing.T) {
	m := started(t, 120, 40)
	m.compose.url.SetValue(m.srv.URL + "/dpop")
	m = toOAuthForm(t, m)
	if m.form.kind != "dpop" || !strings.Contains(m.form.label(), "DPoP-bound") {
		t.Fatalf("form for a DPoP challenge: kind %q label %q", m.form.kind, m.form.label())
	}
	m = press(t, m, tab)
	m = press(t, m, keys(practice.ClientID)...)
	m = press(t, m, tab)
	m = press(t, m, keys(practice.ClientSecret)...)
	m = press(t, m, tab, enter)
	if last := m.sess.Last(); last.Status() != 200 || last.Scheme != "DPoP" {
		t.Fatalf("last attempt %d %q (status %q)", last.Status(), last.Scheme, m.Status())
	}
}

// AWS answers an unsigned request with 403 XML and no challenge; the panel
// offers a SigV4 form, and the retry carries a SigV4 signature.
func TestSigV4FormAnswersAnAWS403(t *testing.T) {
	var auth string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth = r.Header.Get("Authorization")
		if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/") || !strings.Contains(auth, "/us-east-1/s3/aws4_request") || r.Header.Get("X-Amz-Date") == "" {
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>`))
			return
		}
		w.Write([]byte("signed"))
	}))
	defer srv.Close()
	m := sized(t, New(Options{URL: srv.URL + "/bucket/key"}), 120, 40)
	m = press(t, m, enter)
	if m.Focused() != "picker" {
		t.Fatalf("after the AWS 403 focus = %s (status %q)\n%s", m.Focused(), m.Status(), screen(m))
	}
	if o, _ := m.chal.picked(); o.Mode != "aws-sigv4" {
		t.Fatalf("preselected %q, want aws-sigv4", o.Mode)
	}
	m = press(t, m, enter)
	m = press(t, m, keys("AKIDEXAMPLE")...)
	m = press(t, m, tab)
	m = press(t, m, keys("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")...)
	m = press(t, m, tab, tab)
	m = press(t, m, keys("aws:amz:us-east-1:s3")...)
	m = press(t, m, enter)
	if last := m.sess.Last(); last.Status() != 200 {
		t.Fatalf("signed retry: %d (status %q, Authorization %q)", last.Status(), m.Status(), auth)
	}
	if strings.Contains(screen(m), "wJalrXUtnFEMI") {
		t.Fatal("the secret key is on screen")
	}
}

// The cookie lesson: log in with a form POST, then the session cookie opens
// /session — the TUI keeps cookies like a browser would.
func TestCookieSessionLessonInTheTUI(t *testing.T) {
	m := started(t, 120, 40)
	m.compose.url.SetValue(m.srv.URL + "/login")
	m.compose.method = 1 // POST
	m.compose.headers.SetValue("Content-Type: application/x-www-form-urlencoded")
	m.compose.body.SetValue(url.Values{"user": {practice.User}, "password": {practice.Password}}.Encode())
	m = press(t, m, ctrlS)
	m.compose.method = 0
	m.compose.headers.SetValue("")
	m.compose.body.SetValue("")
	m.compose.url.SetValue(m.srv.URL + "/session")
	m = press(t, m, ctrlS)
	if last := m.sess.Last(); last.Status() != 200 || !strings.HasSuffix(last.Exchange.Response.URL, "/session") {
		t.Fatalf("GET /session after logging in: %d at %s (status %q)", last.Status(), last.Exchange.Response.URL, m.Status())
	}
}
