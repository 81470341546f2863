package ui

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"keyhole/credentials"
	"keyhole/internal/oidctest"
	"keyhole/session"
)

// The MCP path from the TUI: the OAuth 2.0 form with the authorization code
// grant and a client id that is an https URL (a Client ID Metadata
// Document), against oidc-provider, which takes such documents. The timeline
// shows each step with its reason: the resource's metadata, the server's,
// the document, the pushed authorization request, the token request, and the
// request again, 200.
func TestOAuthFormClientIDMetadataDocumentAgainstOIDCProvider(t *testing.T) {
	ca := oidctest.NewCA(t)
	// The document names its own URL, known once the server is up; the
	// server reads it on oidc-provider's request (another process: nothing
	// orders it for the race detector), so it goes through a channel.
	url := make(chan string, 1)
	id := ca.ServeTLS(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u := <-url
		url <- u
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(credentials.KeyholeClientMetadata(u))
	}), false) + "/client.json"
	url <- id
	as := oidctest.Start(t, "NODE_EXTRA_CA_CERTS="+ca.CAFile)

	// Wide enough for the timeline to show the start of each step's reason.
	m := sized(t, New(Options{URL: as.Origin + "/mcp"}), 200, 50)
	conf, err := credentials.ClientTLS("", "", ca.CAFile, false)
	if err != nil {
		t.Fatal(err)
	}
	m = press(t, m, tlsMsg{conf: conf, paths: [3]string{2: ca.CAFile}, quiet: true})
	m.browser = func(u string) error {
		go oidctest.Browse(context.Background(), u) // the user signs in and approves
		return nil
	}
	m = toOAuthForm(t, m)
	m = press(t, m, ctrlG, ctrlG)
	if m.form.choice != "authorization_code" {
		t.Fatalf("grant %q", m.form.choice)
	}
	m = fill(t, m, "", id)
	if last := m.sess.Last(); last.Status() != 200 {
		t.Fatalf("last attempt %d (status %q)\n%s", last.Status(), m.Status(), attemptsOf(m))
	}
	var purposes []string
	for _, a := range m.sess.Attempts() {
		purposes = append(purposes, a.Purpose)
	}
	if got := strings.Join(purposes, " "); got != "request discovery discovery discovery discovery token token request" {
		t.Fatalf("attempts %s\n%s", got, attemptsOf(m))
	}
	var tokens int
	for _, a := range m.sess.Attempts() {
		if a.Purpose == session.PurposeToken {
			tokens++
		}
	}
	// Walk the timeline up to the first attempt: every step shows its reason.
	for m.Focused() != "timeline" {
		m = press(t, m, tab)
	}
	s := screen(m)
	for range m.sess.Attempts() {
		m = press(t, m, up)
		s += screen(m)
	}
	for _, want := range []string{"auto: protected resource metadata (RFC 9728)", "auto: authorization server metadata (RFC 8414)", "auto: client id metadata document: reading it",
		"auto: pushed authorization request (RFC 9126)", "auto: token request (authorization_code), client authentication none"} {
		if !strings.Contains(s, want) {
			t.Errorf("the screen does not show the step %q:\n%s", want, s)
		}
	}
	if tokens != 2 {
		t.Errorf("%d token requests, want 2 (the push and the token request)", tokens)
	}
}
