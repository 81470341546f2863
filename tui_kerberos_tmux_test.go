package main

import (
	"strings"
	"testing"

	"keyhole/internal/peers"
)

// The picker's Negotiate answer when no Kerberos ticket can be had sends
// nothing (curl stops there too), and the 401's own entry in the timeline
// records why, as keyhole send's attempt does: the explanation shows the
// kerberos-error finding in place of negotiate-no-ticket (their messages:
// the TUI draws no codes). Apache with
// mod_auth_gssapi and an MIT KDC, at 120x40.
func TestTUINegotiateNoTicketRecordedInARealTerminal(t *testing.T) {
	realm := peers.StartKerberos(t)
	url := peers.StartApacheGSSAPI(t, realm) + "/private/hello.txt"
	env := append(realm.CCacheEnv(), "KRB5CCNAME=FILE:"+t.TempDir()+"/none")
	peers.CurlEnv(t, env, 401, "--negotiate", "-u", ":", url)
	s := startTmuxEnv(t, 120, 40, env, url)
	s.waitFor("Nothing sent yet")
	s.keys("Enter")
	scr := s.waitFor("Negotiate (Kerberos) is")
	if !strings.Contains(scr, "carried no Kerberos ticket") { // negotiate-no-ticket
		t.Errorf("the bare 401 does not say there is no ticket:\n%s", scr)
	}
	s.keys("Enter")
	s.waitFor("empty: the ticket from kinit")
	s.keys("Enter", "Enter")
	s.waitFor("no Kerberos ticket:")                                       // the status line
	scr = s.waitFor("No Kerberos ticket was sent: no credential cache at") // kerberos-error, in the explanation
	for _, want := range []string{"Run kinit user@KEYHOLE.TEST to get one", "Timeline · 1 attempt"} {
		if !strings.Contains(scr, want) {
			t.Errorf("screen lacks %q:\n%s", want, scr)
		}
	}
	if strings.Contains(scr, "carried no Kerberos ticket") || strings.Contains(scr, "Attempt 2") {
		t.Errorf("the entry still says only that no ticket was sent, or the request went again:\n%s", scr)
	}
	s.keys("C-c")
}
