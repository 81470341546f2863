package main

import (
	"io"
	"maps"
	"strings"
	"testing"

	"keyhole/credentials"
	"keyhole/practice"
)

// keyhole send --client-id URL (a client metadata document, no secret) at
// the practice server's CIMD lesson runs what credentials.OAuthRuns says
// for the values it gathers, the authorization code grant with that
// document, and so does the TUI's form for the same client id, with its
// grant on auto or on client credentials (ui's
// TestOAuthFormRunsClientIDDocumentAsSendDoes runs the form). --grant
// client_credentials runs the same, and says why.
func TestSendRunsClientIDDocumentAsTheFormDoes(t *testing.T) {
	srv := startPractice(t)
	doc, target := srv.URL+practice.ClientDocumentPath, srv.URL+practice.MCPDocumentPath
	o := newSendOptions()
	fs := sendFlags(o)
	if err := fs.Parse([]string{"--client-id", doc, target}); err != nil {
		t.Fatal(err)
	}
	o.url = target
	g, err := given(o, fs, strings.NewReader(""), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	grant, registers := credentials.OAuthRuns(g.Values)
	form := maps.Clone(g.Values)
	form["grant"] = credentials.GrantClientCredentials
	if fg, fr := credentials.OAuthRuns(form); grant != credentials.GrantAuthorizationCode || registers || fg != grant || fr != registers {
		t.Fatalf("send's values %q run %q (registers %v); the form's %q (registers %v)", g.Values, grant, registers, fg, fr)
	}
	for _, c := range []struct {
		args []string
		why  string
	}{
		{nil, "is a Client ID Metadata Document"},
		{[]string{"--grant", "client_credentials"}, "since a public client has no credentials of its own for the client credentials grant"},
	} {
		r := signIn(t, append(append([]string{"send", "--json", "--client-id", doc}, c.args...), target)...)
		var grants []string
		for _, a := range sentRecords(t, r.stdout) {
			if i := strings.Index(a.Request.Body, "grant_type="); a.Purpose == "token" && i >= 0 {
				grants = append(grants, a.Request.Body[i:])
			}
		}
		s := readSent(t, r)
		if s.final != 200 || len(grants) != 1 || !strings.HasPrefix(grants[0], "grant_type="+grant) {
			t.Errorf("%q: final %d after token requests %q, want one with %s\n%s", c.args, s.final, grants, grant, r.stderr)
		}
		if autos := strings.Join(s.autos, "\n"); !strings.Contains(autos, c.why) {
			t.Errorf("%q: the attempts do not say %q:\n%s", c.args, c.why, autos)
		}
	}
}
