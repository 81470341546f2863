package ui

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"keyhole/credentials"
	"keyhole/internal/oidctest"
)

// What the OAuth 2.0 client asks the user to give reaches the status line
// as the run's error: it names the form's field, never keyhole send's flag
// (send adds those itself, refusalFlags). Against a resource on 127.0.0.1
// whose authorization server, on localhost, registers no one.
func TestOAuthNeedsNameTheFormsField(t *testing.T) {
	o := oidctest.StartTwoOrigins(t)
	srvURL, asURL := o.Resource, o.AS
	flag := regexp.MustCompile(`keyhole send|(^|[\s(])--?[a-zA-Z]`)
	for _, c := range []struct {
		values []string // Token URL, Client id, Client secret
		want   string
	}{
		{nil, "register keyhole there by hand and give its client id (Client id)"},
		{[]string{"", "me", "s3cret"}, "it goes there only if you trust " + asURL + ", or when you give the token URL yourself (Token URL)"},
	} {
		m := sized(t, New(Options{URL: srvURL + "/api"}), 120, 40)
		m = toOAuthForm(t, m)
		m = fill(t, m, c.values...)
		if !m.statusErr || !strings.Contains(m.Status(), c.want) || flag.MatchString(m.Status()) {
			t.Errorf("%q: status %q, want %q and no flag", c.values, m.Status(), c.want)
		}
	}
}

// What the OAuth 2.0 form cannot build a client from is refused in the
// status line before any request, in the form's words: the field to fill
// or mend, never keyhole send's flag (send adds it, refusalFlags).
func TestOAuthFormRefusalsNameTheFormsField(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="api"`)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	t.Cleanup(srv.Close)
	missing := filepath.Join(t.TempDir(), "missing.pem")
	flag := regexp.MustCompile(`keyhole send|(^|[\s(])--?[a-zA-Z]`)
	for _, c := range []struct {
		grant  string
		values map[string]string // by field key
		want   string
	}{
		{credentials.GrantRefreshToken, map[string]string{"client_id": "c1"}, "the refresh_token grant needs a refresh token (Refresh token)"},
		{credentials.GrantPassword, map[string]string{"client_id": "c1"}, "the password grant needs the user name and password (User and Password)"},
		{credentials.GrantClientCredentials, map[string]string{"register": "no"},
			"needs its client id (Client id): registering keyhole with the authorization server is turned off (Register no)"},
		{credentials.GrantClientCredentials, map[string]string{"client_id": "c1", "resource": "ftp://127.0.0.1/api"},
			`Resource "ftp://127.0.0.1/api" is not an http:// or https:// URL`},
		{credentials.GrantAuthorizationCode, map[string]string{"client_id": "c1", "auth_url": "authorize"}, `Auth URL "authorize" is not an http:// or https:// URL`},
		{credentials.GrantDeviceCode, map[string]string{"client_id": "c1", "device_url": "device"}, `Device URL "device" is not an http:// or https:// URL`},
		{credentials.GrantClientCredentials, map[string]string{"client_id": "c1", "client_auth": "bogus"},
			`Client auth "bogus" is not one keyhole knows; use basic, post, private_key_jwt, tls or none`},
		{credentials.GrantClientCredentials, map[string]string{"client_id": "c1", "client_key": missing},
			"Client key: cannot read " + missing + ": no such file or directory"},
		{credentials.GrantClientCredentials, map[string]string{"client_id": "c1", "client_auth": "private_key_jwt"},
			"client auth private_key_jwt needs the client's key (Client key, a PEM file)"},
	} {
		m := sized(t, New(Options{URL: srv.URL + "/api"}), 120, 40)
		m = toOAuthForm(t, m)
		for i := 0; m.form.choice != c.grant; i++ {
			if i > len(m.form.choices()) {
				t.Fatalf("ctrl+g never comes to the %s grant", c.grant)
			}
			m = press(t, m, ctrlG)
		}
		n := len(m.sess.Attempts())
		for { // tab from field to field, typing the case's values, enter on the last
			if v, ok := c.values[m.form.fields[m.form.idx].key]; ok {
				m = press(t, m, keys(v)...)
			}
			if m.form.last() {
				break
			}
			m = press(t, m, tab)
		}
		m = press(t, m, enter)
		if len(m.sess.Attempts()) != n || !m.statusErr || !strings.Contains(m.Status(), c.want) || flag.MatchString(m.Status()) {
			t.Errorf("%s %v: %d requests, status %q, want %q and no flag", c.grant, c.values, len(m.sess.Attempts())-n, m.Status(), c.want)
		}
	}
}

// NTLM's and SCRAM's forms with no user are refused in the form's words.
func TestNoUserNamesTheFormsField(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("WWW-Authenticate", "NTLM")
		w.Header().Add("WWW-Authenticate", `SCRAM-SHA-256 realm="api"`)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	t.Cleanup(srv.Close)
	flag := regexp.MustCompile(`keyhole send|(^|[\s(])--?[a-zA-Z]`)
	for mode, want := range map[string]string{
		"ntlm":          `ntlm: no user; give the user name (User: user, DOMAIN\user or user@domain) and the password`,
		"scram-sha-256": "scram: no user; give the user name and password (User and Password)",
	} {
		m := sized(t, New(Options{URL: srv.URL + "/api"}), 120, 40)
		m = press(t, m, enter)
		m = pickAnswer(t, m, mode)
		n := len(m.sess.Attempts())
		m = fill(t, m)
		if len(m.sess.Attempts()) != n || !m.statusErr || !strings.Contains(m.Status(), want) || flag.MatchString(m.Status()) {
			t.Errorf("%s: %d requests, status %q, want %q and no flag", mode, len(m.sess.Attempts())-n, m.Status(), want)
		}
	}
}
