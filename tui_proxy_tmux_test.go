package main

import (
	"fmt"
	"strings"
	"testing"

	"keyhole/internal/peers"
)

// The TUI answers a proxy's 407 Negotiate from the same picker as a
// server's challenge: the proxy set from the palette, Negotiate picked, the
// form left empty (the ticket from kinit), and Squid lets the request
// through with a ticket for HTTP/localhost, the proxy's host, not the
// origin's (127.0.0.1, which has no service principal). In a real terminal
// at 120x40 and 80x24.
func TestTUIProxyNegotiateInARealTerminal(t *testing.T) {
	realm := peers.StartKerberos(t)
	sq := peers.StartSquid(t, peers.SquidOptions{Scheme: "negotiate", Kerberos: realm})
	url := windowsOrigin(t).URL + "/via"
	realm.Kinit(t)
	peers.CurlEnv(t, realm.CCacheEnv(), 200, "--proxy", sq.URL, "--proxy-negotiate", "-U", ":", url)
	t.Run("no ticket", func(t *testing.T) {
		// The proxy from http_proxy, as curl reads it (loopback included);
		// a cache that does not exist: nothing is sent again (curl stops
		// there too), the status line says why, not "refused", and names
		// the kinit to run.
		env := append(realm.CCacheEnv(), "KRB5CCNAME=FILE:"+t.TempDir()+"/none", "http_proxy="+sq.URL)
		s := startTmuxEnv(t, 80, 24, env, url)
		s.waitFor("Nothing sent yet")
		s.keys("Enter")
		s.waitFor("Negotiate (Kerberos) is")
		s.keys("Enter")
		s.waitFor("empty: the ticket from kinit")
		s.keys("Enter", "Enter")
		scr := s.waitFor("no Kerberos ticket")
		for _, want := range []string{"no credential cache at", "user@KEYHOLE.TEST to get one"} {
			if !strings.Contains(scr, want) {
				t.Errorf("screen lacks %q:\n%s", want, scr)
			}
		}
		if strings.Contains(scr, "refused") || strings.Contains(scr, "Attempt 2") {
			t.Errorf("sent again, or a ticket that was never sent said to be refused:\n%s", scr)
		}
		s.keys("C-c")
	})
	for _, size := range [][2]int{{120, 40}, {80, 24}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			s := startTmuxEnv(t, size[0], size[1], realm.CCacheEnv(), url)
			s.waitFor("Nothing sent yet")
			s.keys("C-p")
			s.waitFor("Actions")
			s.keys("proxy")
			s.waitFor("› proxy (now")
			s.keys("Enter")
			s.waitFor("Empty: http_proxy")
			s.keys(sq.URL, "Enter")
			s.waitFor("Requests now go through")
			s.keys("Enter")
			s.waitFor("Negotiate (Kerberos) is")
			s.keys("Enter")
			s.waitFor("empty: the ticket from kinit")
			s.keys("Enter", "Enter")
			scr := s.waitFor("Attempt 2: 200 OK")
			for _, want := range []string{"with proxy Negotiate", "origin reached"} {
				if !strings.Contains(scr, want) {
					t.Errorf("screen lacks %q:\n%s", want, scr)
				}
			}
			if size[0] == 120 && !strings.Contains(scr, "HTTP/localhost") {
				t.Errorf("the explanation does not name the proxy's service HTTP/localhost:\n%s", scr)
			}
			s.keys("C-c")
		})
	}
}
