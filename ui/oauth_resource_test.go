package ui

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// audienceServer is a resource at /api that takes only a token asked for
// with resource=<its URL>, beside the token endpoint (/token) and a device
// endpoint (/device) that record the forms they get. Its 401 names no
// resource metadata, so a resource= can only come from what the user typed.
type audienceServer struct {
	*httptest.Server
	mu     sync.Mutex
	tokens []url.Values // the token requests' forms, in order
	device []url.Values // the device authorization requests' forms
}

func newAudienceServer(t *testing.T) *audienceServer {
	s := &audienceServer{}
	mux := http.NewServeMux()
	mux.HandleFunc("/api", func(w http.ResponseWriter, r *http.Request) {
		switch r.Header.Get("Authorization") {
		case "Bearer for-api":
			w.Write([]byte("ok\n"))
		case "":
			w.Header().Set("WWW-Authenticate", `Bearer realm="api"`)
			w.WriteHeader(http.StatusUnauthorized)
		default:
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", error_description="wrong audience"`)
			w.WriteHeader(http.StatusUnauthorized)
		}
	})
	mux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		s.mu.Lock()
		s.tokens = append(s.tokens, r.PostForm)
		s.mu.Unlock()
		tok := "for-nobody"
		if r.PostForm.Get("resource") == s.URL+"/api" {
			tok = "for-api"
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"access_token":"` + tok + `","token_type":"Bearer","expires_in":3600}`))
	})
	mux.HandleFunc("/device", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		s.mu.Lock()
		s.device = append(s.device, r.PostForm)
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(`{"error":"invalid_client"}`))
	})
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

func (s *audienceServer) forms() (tokens, device []url.Values) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]url.Values(nil), s.tokens...), append([]url.Values(nil), s.device...)
}

// The OAuth 2.0 form's Resource field goes into the token request as
// resource= (RFC 8707), and the resource that checks the audience answers
// 200. Resource comes after Scope, and enter on Scope sends while it is
// empty: without it the token request carries no resource= and the token is
// refused.
func TestOAuthFormResource(t *testing.T) {
	srv := newAudienceServer(t)
	fill := func(t *testing.T, resource string) Model {
		t.Helper()
		m := started(t, 120, 40)
		m.compose.url.SetValue(srv.URL + "/api")
		m = toOAuthForm(t, m)
		m = press(t, m, keys(srv.URL+"/token")...)
		m = press(t, m, tab)
		m = press(t, m, keys("cid")...)
		m = press(t, m, tab)
		m = press(t, m, keys("cs")...)
		m = press(t, m, tab) // Scope
		if resource != "" {
			m = press(t, m, tab)
			if f := m.form.fields[m.form.idx].label; f != "Resource" {
				t.Fatalf("tab after Scope focuses %q, want Resource", f)
			}
			m = press(t, m, keys(resource)...)
		}
		return press(t, m, enter)
	}

	m := fill(t, srv.URL+"/api")
	if last := m.sess.Attempts()[len(m.sess.Attempts())-1]; last.Exchange.Response.Status != 200 {
		t.Fatalf("with Resource: last status is not 200 (status line %q)", m.Status())
	}
	tokens, _ := srv.forms()
	if len(tokens) != 1 || tokens[0].Get("resource") != srv.URL+"/api" || tokens[0].Get("grant_type") != "client_credentials" {
		t.Fatalf("token requests %v, want one client_credentials with resource=%s/api", tokens, srv.URL)
	}

	m = fill(t, "")
	tokens, _ = srv.forms()
	if len(tokens) < 2 || tokens[1].Has("resource") {
		t.Fatalf("enter on Scope with Resource empty: token requests %v, want a second one without resource=", tokens)
	}
	if last := m.sess.Attempts()[len(m.sess.Attempts())-1]; last.Exchange.Response.Status != 401 {
		t.Errorf("without resource= the token for nobody got %d, want 401", last.Exchange.Response.Status)
	}
}

// A Resource that is not an absolute http(s) URL, or has a fragment, is
// refused in the form before anything is sent.
func TestOAuthFormResourceRefusesNonURL(t *testing.T) {
	srv := newAudienceServer(t)
	for _, bad := range []string{"api", srv.URL + "/api#frag"} {
		m := started(t, 120, 40)
		m.compose.url.SetValue(srv.URL + "/api")
		m = toOAuthForm(t, m)
		m = press(t, m, tab)
		m = press(t, m, keys("cid")...)
		m = press(t, m, tab, tab, tab)
		m = press(t, m, keys(bad)...)
		n := len(m.sess.Attempts())
		m = press(t, m, enter)
		if len(m.sess.Attempts()) != n || !strings.Contains(m.Status(), "Resource") {
			t.Errorf("Resource %q: %d attempts sent, status %q", bad, len(m.sess.Attempts())-n, m.Status())
		}
	}
	if tokens, _ := srv.forms(); len(tokens) != 0 {
		t.Errorf("token requests sent for a bad Resource: %v", tokens)
	}
}

// The device grant's Device URL field names the device authorization
// endpoint: the grant posts there instead of discovering one.
func TestOAuthFormDeviceURL(t *testing.T) {
	srv := newAudienceServer(t)
	m := started(t, 120, 40)
	m.compose.url.SetValue(srv.URL + "/api")
	m = toOAuthForm(t, m)
	m = press(t, m, ctrlG, ctrlG, ctrlG)
	if m.form.choice != "device_code" {
		t.Fatalf("grant %q", m.form.choice)
	}
	m = press(t, m, keys(srv.URL+"/token")...)
	m = press(t, m, tab)
	m = press(t, m, keys("device-client")...)
	m = press(t, m, tab, tab, tab, tab)
	if f := m.form.fields[m.form.idx].label; f != "Device URL" {
		t.Fatalf("focused %q, want Device URL", f)
	}
	m = press(t, m, keys(srv.URL+"/device")...)
	m = press(t, m, enter)
	_, device := srv.forms()
	if len(device) != 1 || device[0].Get("client_id") != "device-client" {
		t.Fatalf("device authorization requests %v, want one from device-client", device)
	}
	if !strings.Contains(m.Status(), "device authorization request refused (invalid_client)") {
		t.Errorf("status after the device endpoint refused: %q", m.Status())
	}
}

// The authorization code grant's Auth URL field names the authorization
// endpoint: the URL the user is sent to is there, and carries the typed
// Resource too (RFC 8707 §2.1). esc then cancels the wait.
func TestOAuthFormAuthURL(t *testing.T) {
	srv := newAudienceServer(t)
	m := started(t, 120, 40)
	m.browser = func(string) error { return errors.New("no graphical session") }
	m.compose.url.SetValue(srv.URL + "/api")
	m = toOAuthForm(t, m)
	m = press(t, m, ctrlG, ctrlG)
	if m.form.choice != "authorization_code" {
		t.Fatalf("grant %q", m.form.choice)
	}
	m = press(t, m, keys(srv.URL+"/token")...)
	m = press(t, m, tab)
	m = press(t, m, keys("code-client")...)
	m = press(t, m, tab, tab, tab)
	m = press(t, m, keys(srv.URL+"/api")...)
	m = press(t, m, tab)
	m = press(t, m, keys(srv.URL+"/authorize")...)
	var shown string
	m, _ = key1(t, m, enter, func(p Model) tea.Msg {
		shown = p.OAuthPrompt()
		return esc
	})
	u, err := url.Parse(shown)
	if err != nil || !strings.HasPrefix(shown, srv.URL+"/authorize?") {
		t.Fatalf("authorization URL %q, want it at %s/authorize", shown, srv.URL)
	}
	if q := u.Query(); q.Get("client_id") != "code-client" || q.Get("resource") != srv.URL+"/api" {
		t.Errorf("authorization request %v, want client_id=code-client and resource=%s/api", q, srv.URL)
	}
	if !strings.Contains(m.Status(), "canceled") {
		t.Errorf("after esc: status %q", m.Status())
	}
}
