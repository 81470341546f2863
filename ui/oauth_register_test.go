package ui

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"keyhole/internal/oidctest"
	"keyhole/practice"
	"keyhole/session"
)

// An MCP client registers by itself: OAuth 2.0 picked on the practice
// server's bare 401 and sent as the form opens (no client id, the Register
// field untouched) reads the metadata, registers, signs in and gets 200,
// and the registration's reason says why. The explanation names it too.
func TestFormWithoutClientIDRegisters(t *testing.T) {
	m := started(t, 120, 40)
	m = typeURL(practice.MCPRegisterPath)(t, m)
	m.browser = approveInBrowser
	m = answerWith("oauth2")(t, m)
	if last := m.sess.Last(); last.Status() != 200 {
		t.Fatalf("last attempt %d (status %q)\n%s", last.Status(), m.Status(), attemptsOf(m))
	}
	registered := false
	for _, a := range m.sess.Attempts() {
		u, err := url.Parse(a.Exchange.Request.URL)
		if err != nil {
			t.Fatal(err)
		}
		if u.Path != "/oauth/register" {
			continue
		}
		registered = true
		// The form as it opens asks for no grant (auto), so no asked grant
		// is replaced and none is explained away.
		if a.Status() != 201 || !strings.Contains(a.Auto, "no client id was given and the authorization server offers registration_endpoint, so keyhole registers itself") ||
			strings.Contains(a.Auto, "since a public client has no credentials of its own for the client credentials grant") {
			t.Errorf("the registration: %d, reason %q", a.Status(), a.Auto)
		}
		if h := a.Exchange.Request.Header.Get("Authorization"); h != "" {
			t.Errorf("the registration carries Authorization %q", h)
		}
	}
	if !registered {
		t.Fatalf("no registration\n%s", attemptsOf(m))
	}
}

// The same against oidc-provider, an independent server whose metadata
// offers registration_endpoint: the form sent empty registers, signs in and
// gets 200 from its MCP-style resource.
func TestFormWithoutClientIDRegistersAtOIDCProvider(t *testing.T) {
	as := oidctest.Start(t)
	m := sized(t, New(Options{URL: as.Origin + "/mcp"}), 120, 40)
	m.browser = func(u string) error {
		go oidctest.Browse(context.Background(), u) // the user signs in and approves
		return nil
	}
	m = toOAuthForm(t, m)
	m = fill(t, m)
	if last := m.sess.Last(); last.Status() != 200 {
		t.Fatalf("last attempt %d (status %q)\n%s", last.Status(), m.Status(), attemptsOf(m))
	}
	var steps []string
	for _, a := range m.sess.Attempts() {
		if a.Step == session.StepRegistration && !strings.Contains(a.Auto, "no client id was given") {
			t.Errorf("the registration's reason: %q", a.Auto)
		}
		steps = append(steps, a.Step)
	}
	if n := strings.Count(strings.Join(steps, ","), session.StepRegistration); n != 1 {
		t.Errorf("%d registrations, want 1: %q\n%s", n, steps, attemptsOf(m))
	}
}

// The form's header says what will run for its values as they stand, at
// 120 and 80 columns: with the Client id empty keyhole registers and signs a
// user in (authorization code), whatever grant the form starts on; a client
// id typed makes it the grant picked. Sent as the header said, it registers
// and the token request is an authorization code one.
func TestOAuthFormHeaderSaysWhatRuns(t *testing.T) {
	for _, size := range [][2]int{{120, 40}, {80, 24}} {
		m := started(t, size[0], size[1])
		m = typeURL(practice.MCPRegisterPath)(t, m)
		m.browser = approveInBrowser
		m = pickAnswer(t, m, "oauth2")
		header := func(want, not string) {
			t.Helper()
			s := screen(m)
			// The header, from the form's title to its keys, wrapped or not
			// (the pane's borders dropped).
			h := strings.Join(strings.Fields(strings.ReplaceAll(s, "│", " ")), " ")
			i := strings.Index(h, "OAuth 2.0 · ")
			if i < 0 {
				t.Fatalf("%dx%d: no form header:\n%s", size[0], size[1], s)
			}
			h = h[i:]
			h, _, _ = strings.Cut(h, " ctrl+g grant")
			if !strings.Contains(h, want) || strings.Contains(h, not) {
				t.Fatalf("%dx%d: form header %q, want %q without %q:\n%s", size[0], size[1], h, want, not, s)
			}
		}
		header("OAuth 2.0 · auto: authorization code + PKCE, registering keyhole", "client")
		if !strings.Contains(m.Status(), "authorization code + PKCE, registering keyhole:") {
			t.Errorf("status %q", m.Status())
		}
		m = press(t, m, tab)
		m = press(t, m, keys(practice.ClientID)...)
		header("OAuth 2.0 · auto: client credentials", "registering")
		if m.Status() != "The form now runs OAuth 2.0 · auto: client credentials." {
			t.Errorf("status %q once a client id is typed", m.Status())
		}
		m = press(t, m, ctrlG)
		header("OAuth 2.0 · client credentials", "registering")
		m = press(t, m, ctrlG)
		header("OAuth 2.0 · authorization code + PKCE", "registering")
		m = press(t, m, ctrlG)
		header("OAuth 2.0 · device code", "registering")
		for m.form.choice != "client_credentials" {
			m = press(t, m, ctrlG)
		}
		m = press(t, m, tab, endKey, ctrlU) // the Client id emptied again
		header("OAuth 2.0 · authorization code + PKCE, registering keyhole", "client")

		m = fill(t, m)
		if last := m.sess.Last(); last.Status() != 200 {
			t.Fatalf("last attempt %d (status %q)\n%s", last.Status(), m.Status(), attemptsOf(m))
		}
		var steps, grants []string
		for _, a := range m.sess.Attempts() {
			steps = append(steps, a.Step)
			if a.Step == session.StepToken {
				v, _ := url.ParseQuery(string(a.Exchange.Request.Body))
				grants = append(grants, v.Get("grant_type"))
			}
		}
		if !strings.Contains(strings.Join(steps, ","), session.StepRegistration) || strings.Join(grants, ",") != "authorization_code" {
			t.Fatalf("steps %q, token grants %q\n%s", steps, grants, attemptsOf(m))
		}
	}
}
