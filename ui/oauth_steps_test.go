package ui

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"keyhole/practice"
)

// Each request keyhole makes on its own to get a token is labelled in the
// timeline with its step, in send's words: the practice server's MCP-style
// resource with Register yes makes every kind (discovery, client
// registration, pushed authorization request, token request).
func TestTimelineLabelsEachOAuthStep(t *testing.T) {
	m := started(t, 200, 50)
	m = typeURL(practice.MCPRegisterPath)(t, m)
	m = codeGrant(t, m)
	m = setField(t, m, "register", "yes")
	if last := m.sess.Last(); last.Status() != 200 {
		t.Fatalf("last attempt %d (status %q)\n%s", last.Status(), m.Status(), attemptsOf(m))
	}
	m = focusOn(t, m, "timeline")
	s := screen(m)
	labels := map[string]string{
		"/.well-known/oauth-protected-resource" + practice.MCPRegisterPath: "[discovery request]",
		"/.well-known/oauth-authorization-server":                          "[discovery request]",
		"/oauth/register": "[client registration]",
		"/oauth/par":      "[pushed authorization request]",
		"/oauth/token":    "[token request]",
	}
	seen := 0
	for _, a := range m.sess.Attempts() {
		u, err := url.Parse(a.Exchange.Request.URL)
		if err != nil {
			t.Fatal(err)
		}
		want, ok := labels[u.Path]
		if !ok {
			continue
		}
		seen++
		if row := line(s, fmt.Sprintf("%3d %s", a.N, a.Started.Format("15:04:05"))); !strings.Contains(row, want) {
			t.Errorf("attempt %d's row (%s) is %q, want %s", a.N, u.Path, row, want)
		}
	}
	if seen != len(labels) {
		t.Errorf("%d of the %d steps were made\n%s", seen, len(labels), attemptsOf(m))
	}
}
