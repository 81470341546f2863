package ui

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"keyhole/credentials"
	"keyhole/internal/oidctest"
	"keyhole/practice"
	"keyhole/session"
)

// The practice server's CIMD lesson (/mcp/cimd) in the OAuth 2.0 form with
// the Client id a client metadata document's URL and no secret, the form's
// grant left as it opens (auto: no grant given): the header says, and the
// form runs, what keyhole send --client-id URL runs (credentials.OAuthRuns):
// the authorization code grant with that document, no registration. It ran
// client credentials, which a public client cannot use.
func TestOAuthFormRunsClientIDDocumentAsSendDoes(t *testing.T) {
	m, doc := documentForm(t)
	v := m.form.values()
	if v["client_id"] != doc || v["client_secret"] != "" || v["grant"] != "" {
		t.Fatalf("form values %q: want the document's URL, no secret, no grant", v)
	}
	sendGrant, sendRegisters := credentials.OAuthRuns(map[string]string{"client_id": doc})
	if grant, registers := credentials.OAuthRuns(v); grant != sendGrant || registers != sendRegisters || grant != credentials.GrantAuthorizationCode {
		t.Fatalf("the form runs %q (registers %v), send %q (registers %v)", grant, registers, sendGrant, sendRegisters)
	}
	s := strings.Join(strings.Fields(screen(m)), " ")
	mustContain(t, s, "OAuth 2.0 · auto: authorization code + PKCE")
	if strings.Contains(s, "client credentials") || strings.Contains(s, "registering keyhole") {
		t.Errorf("the form's header does not say what runs:\n%s", screen(m))
	}
	m = press(t, m, tab, tab)
	var prompted bool
	m, _ = key1(t, m, enter, approving(t, &prompted))
	if !prompted {
		t.Fatalf("no sign-in was asked for (status %q)", m.Status())
	}
	var grants []string
	for _, a := range m.tl.attempts {
		if g := grantOf(a); a.Purpose == session.PurposeToken && g != "" { // not the pushed request (PAR)
			grants = append(grants, g)
		}
	}
	if last := m.sess.Last(); last.Status() != 200 || len(grants) != 1 || grants[0] != credentials.GrantAuthorizationCode {
		t.Fatalf("final %d after token requests %q (status %q)", last.Status(), grants, m.Status())
	}
	if n := countPurpose(m.tl.attempts, "registration"); n != 0 {
		t.Errorf("%d registrations: the document is the client", n)
	}
}

// The same lesson with a client key beside the document's URL (a
// confidential client: private_key_jwt): the form's grant left as it
// opens stands for no grant given, so it runs what keyhole send
// --client-id URL --client-key FILE runs (credentials.OAuthRuns of send's
// values), the authorization code grant, and its token request says so on
// the wire. The form ran its first grant, client credentials, there.
func TestOAuthFormRunsClientIDDocumentWithKeyAsSendDoes(t *testing.T) {
	keyPath, _ := oidctest.ClientKey(t)
	m, doc := documentForm(t)
	for m.form.fields[m.form.idx].key != "client_key" {
		if m.form.last() {
			t.Fatal("the form has no Client key field")
		}
		m = press(t, m, tab)
	}
	m = press(t, m, tea.PasteMsg{Content: keyPath})
	v := m.form.values()
	sendGrant, sendRegisters := credentials.OAuthRuns(map[string]string{"client_id": doc, "client_key": keyPath})
	if grant, registers := credentials.OAuthRuns(v); grant != sendGrant || registers != sendRegisters {
		t.Fatalf("the form's values %q run %q (registers %v), send's %q (registers %v)", v, grant, registers, sendGrant, sendRegisters)
	}
	s := strings.Join(strings.Fields(screen(m)), " ")
	mustContain(t, s, "OAuth 2.0 · auto: authorization code + PKCE")
	var prompted bool
	m, _ = key1(t, m, enter, approving(t, &prompted))
	var grants []string
	for _, a := range m.tl.attempts {
		if g := grantOf(a); a.Purpose == session.PurposeToken && g != "" { // not the pushed request (PAR)
			grants = append(grants, g)
		}
	}
	if last := m.sess.Last(); !prompted || last.Status() != 200 || len(grants) != 1 || grants[0] != sendGrant {
		t.Fatalf("signed in %v, final %d after token requests %q, want one %s (status %q)", prompted, last.Status(), grants, sendGrant, m.Status())
	}
}

// approving is the learner approving the sign-in the TUI shows, on the
// practice server's consent page; it sets *prompted.
func approving(t *testing.T, prompted *bool) func(Model) tea.Msg {
	return func(p Model) tea.Msg {
		*prompted = true
		resp, err := http.PostForm(p.OAuthPrompt(), url.Values{"action": {"approve"}})
		if err != nil {
			t.Errorf("consent: %v", err)
			return nil
		}
		resp.Body.Close()
		return nil
	}
}

// documentForm is the OAuth 2.0 form on the practice server's client
// metadata document lesson with the document's URL pasted as the Client id,
// and no browser to open.
func documentForm(t *testing.T) (Model, string) {
	t.Helper()
	m := started(t, 120, 40)
	m.browser = func(string) error { return errors.New("no graphical session") }
	m.compose.url.SetValue(m.srv.URL + practice.MCPDocumentPath)
	m = toOAuthForm(t, m)
	doc := m.srv.URL + practice.ClientDocumentPath
	m = press(t, m, tab)
	return press(t, m, tea.PasteMsg{Content: doc}), doc
}
