package main

import (
	"encoding/json"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"keyhole/practice"
)

// The steps of an MCP-style sign-in (the practice server's /mcp/dcr,
// --register) as send prints them: each request keyhole makes on its own is
// labelled with its step, on stdout as in --json, where purpose keeps its
// documented values and step names the step.
func TestSendLabelsEachOAuthStep(t *testing.T) {
	srv := startPractice(t)
	args := []string{"send", "--register", "--grant", "authorization_code", srv.URL + practice.MCPRegisterPath}
	steps := map[string]struct{ purpose, step string }{
		"/.well-known/oauth-protected-resource" + practice.MCPRegisterPath: {"discovery", "discovery request"},
		"/.well-known/oauth-authorization-server":                          {"discovery", "discovery request"},
		"/oauth/register": {"token", "client registration"},
		"/oauth/par":      {"token", "pushed authorization request"},
		"/oauth/token":    {"token", "token request"},
	}

	r := signIn(t, args...)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.all())
	}
	heads := attemptHeads(t, r.stdout)
	for path, want := range steps {
		head, ok := heads[path]
		if !ok {
			t.Errorf("no attempt to %s\n%s", path, r.stdout)
		} else if !strings.Contains(head, "  ("+want.step+")  ") {
			t.Errorf("attempt to %s is printed %q, want (%s)", path, head, want.step)
		}
	}

	r = signIn(t, append([]string{"send", "--json"}, args[1:]...)...)
	var doc struct {
		Attempts []struct {
			Purpose, Step string
			Request       struct{ URL string }
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || r.code != 0 {
		t.Fatalf("exit %d, %v\n%s", r.code, err, r.all())
	}
	seen := 0
	for _, a := range doc.Attempts {
		u, _ := url.Parse(a.Request.URL)
		want, ok := steps[u.Path]
		switch {
		case ok:
			seen++
			if a.Purpose != want.purpose || a.Step != want.step {
				t.Errorf("--json: %s is purpose %q step %q, want %q %q", u.Path, a.Purpose, a.Step, want.purpose, want.step)
			}
		case a.Purpose != "request" || a.Step != "":
			t.Errorf("--json: the request to %s is purpose %q step %q", u.Path, a.Purpose, a.Step)
		}
	}
	if seen != len(steps) {
		t.Errorf("--json: %d of the %d steps\n%s", seen, len(steps), r.stdout)
	}
}

// What send prints comes in the order it happened on the wire: the
// discovery, registration and pushed authorization request are printed as
// each completes, before the URL to sign in at (which needs all three); the
// token request and the request with the token, after it.
func TestSendPrintsOAuthStepsBeforeTheSignInURL(t *testing.T) {
	srv := startPractice(t)
	r := signInOneStream(t, "send", "--register", "--grant", "authorization_code", srv.URL+practice.MCPRegisterPath)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.all())
	}
	lines := strings.Split(r.stdout, "\n")
	signIn := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, "Open this URL to sign in: ") })
	if signIn < 0 {
		t.Fatalf("no URL to sign in at\n%s", r.stdout)
	}
	var order []string
	for i, l := range lines {
		if m := attemptHead.FindStringSubmatch(l); m != nil {
			u, _ := url.Parse(m[2])
			where := "after"
			if i < signIn {
				where = "before"
			}
			order = append(order, m[1]+" "+u.Path+" "+where)
		}
	}
	want := []string{
		"1 " + practice.MCPRegisterPath + " before",
		"2 /.well-known/oauth-protected-resource" + practice.MCPRegisterPath + " before",
		"3 /.well-known/oauth-authorization-server before",
		"4 /oauth/register before",
		"5 /oauth/par before",
		"6 /oauth/token after",
		"7 " + practice.MCPRegisterPath + " after",
	}
	if !slices.Equal(order, want) {
		t.Errorf("attempts and the sign-in URL in the order printed:\n  %s\nwant\n  %s\n%s",
			strings.Join(order, "\n  "), strings.Join(want, "\n  "), r.stdout)
	}
}

// The device grant's first request is the device authorization request
// (RFC 8628 §3.1), not a token request: send labels it so, and prints it
// before the code to enter, which it answered; the token polls come after.
// (The practice server may answer a poll slow_down: then about 7 s.)
func TestSendLabelsTheDeviceAuthorizationRequest(t *testing.T) {
	srv := startPractice(t)
	r := signInOneStream(t, "send", "--grant", "device_code", "--client-id", practice.ClientID, "--client-secret", practice.ClientSecret,
		"--device-url", srv.URL+"/oauth/device", "--token-url", srv.URL+"/oauth/token", srv.URL+"/jwt")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stdout)
	}
	lines := strings.Split(r.stdout, "\n")
	code := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, "To sign in, open ") })
	var got []string
	for i, l := range lines {
		m := attemptHead.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		u, _ := url.Parse(m[2])
		_, label, _ := strings.Cut(l, "  (")
		label, _, _ = strings.Cut(label, ")")
		if !strings.HasPrefix(u.Path, "/oauth/") {
			continue // discovery, and the request itself
		}
		where := "after"
		if i < code {
			where = "before"
		}
		got = append(got, u.Path+" "+label+" "+where)
	}
	want := []string{"/oauth/device device authorization request before", "/oauth/token token request after"}
	if len(got) < 2 || !slices.Equal(got[:2], want) || slices.ContainsFunc(got[2:], func(g string) bool { return g != want[1] }) {
		t.Errorf("the OAuth requests, in the order printed:\n  %s\nwant %q (then more polls)\n%s", strings.Join(got, "\n  "), want, r.stdout)
	}
}

// attemptHead is the first line send prints of an attempt: its number,
// method and URL.
var attemptHead = regexp.MustCompile(`^#(\d+) [A-Z]+ (\S+)`)

// attemptHeads maps the path of each attempt send printed to its first line.
func attemptHeads(t *testing.T, stdout string) map[string]string {
	t.Helper()
	heads := map[string]string{}
	for _, l := range strings.Split(stdout, "\n") {
		if m := attemptHead.FindStringSubmatch(l); m != nil {
			u, err := url.Parse(m[2])
			if err != nil {
				t.Fatalf("%q: %v", l, err)
			}
			heads[u.Path] = l
		}
	}
	return heads
}

// The practice server's tenant issuer answers at its own authorization
// endpoint and names itself in the response (RFC 9207); keyhole compares
// that with the issuer whose metadata it discovered for the resource, so
// the sign-in succeeds for the tenant as for the main issuer, and the code
// is exchanged at the tenant's token endpoint.
func TestSendAuthorizationCodeAtTheTenantIssuer(t *testing.T) {
	srv := startPractice(t)
	r := signIn(t, "send", "--json", "--client-id", practice.ClientID, "--client-secret", practice.ClientSecret,
		"--grant", "authorization_code", srv.URL+practice.TenantPath+"/api")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.all())
	}
	if !strings.Contains(r.stdout, srv.URL+practice.TenantPath+"/token") {
		t.Errorf("no token request to the tenant's token endpoint\n%s", r.stdout)
	}
}
