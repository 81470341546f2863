package main

import (
	"strings"
	"testing"
)

// keyhole explain takes a pasted NTLM or Negotiate value apart and says
// what the scheme is and what to do; a truncated token is said, not a crash.
func TestExplainNTLMAndNegotiate(t *testing.T) {
	r := keyhole(t, runOpts{}, "explain",
		"NTLM TlRMTVNTUAACAAAACQAJAK6qqqoGgggAdzHazEQlal0AAAAAAAA6AFdPUktHUk9VUA==",
		"Negotiate oRQwEqADCgEAoQsGCSqGSIb3EgECAg==",
		"Negotiate oRQwEq")
	wantCode(t, r, exitOK, "explain")
	for _, want := range []string{
		"NTLM type 2 (CHALLENGE)", "extended session security", "target name points outside the message",
		"one kept-alive HTTP/1.1 connection", `-u 'DOMAIN\user:password'`,
		"accept-completed", "Kerberos 5", "kinit user@REALM", "A ticket is",
		"malformed Negotiate token", "data truncated",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("explain output lacks %q:\n%s", want, r.stdout)
		}
	}
}
