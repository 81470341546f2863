package ui

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"keyhole/credentials"
	"keyhole/practice"
	"keyhole/session"
)

// The practice server's CIMD lesson (/mcp/cimd) in the OAuth 2.0 form with
// the Client id a client metadata document's URL and no secret, the form's
// grant left as it opens: the header says, and the form runs, what keyhole
// send --client-id URL runs (credentials.OAuthRuns): the authorization
// code grant with that document, no registration. It ran the form's
// first grant, client credentials, which a public client cannot use.
func TestOAuthFormRunsClientIDDocumentAsSendDoes(t *testing.T) {
	m := started(t, 120, 40)
	m.browser = func(string) error { return errors.New("no graphical session") }
	m.compose.url.SetValue(m.srv.URL + practice.MCPDocumentPath)
	m = toOAuthForm(t, m)
	doc := m.srv.URL + practice.ClientDocumentPath
	m = press(t, m, tab)
	m = press(t, m, tea.PasteMsg{Content: doc})
	v := m.form.values()
	if v["client_id"] != doc || v["client_secret"] != "" || v["grant"] != credentials.GrantClientCredentials {
		t.Fatalf("form values %q: want the document's URL, no secret, the form's first grant", v)
	}
	// keyhole send --client-id URL gives no grant; the form gives its first.
	sendGrant, sendRegisters := credentials.OAuthRuns(map[string]string{"client_id": doc})
	if grant, registers := credentials.OAuthRuns(v); grant != sendGrant || registers != sendRegisters || grant != credentials.GrantAuthorizationCode {
		t.Fatalf("the form runs %q (registers %v), send %q (registers %v)", grant, registers, sendGrant, sendRegisters)
	}
	s := strings.Join(strings.Fields(screen(m)), " ")
	mustContain(t, s, "OAuth 2.0 · authorization code + PKCE")
	if strings.Contains(s, "client credentials") || strings.Contains(s, "registering keyhole") {
		t.Errorf("the form's header does not say what runs:\n%s", screen(m))
	}
	m = press(t, m, tab, tab)
	var prompted bool
	m, _ = key1(t, m, enter, func(p Model) tea.Msg {
		prompted = true
		resp, err := http.PostForm(p.OAuthPrompt(), url.Values{"action": {"approve"}})
		if err != nil {
			t.Errorf("consent: %v", err)
			return nil
		}
		resp.Body.Close()
		return nil
	})
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
