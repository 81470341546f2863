package main

import (
	"strings"
	"testing"
)

// Issue 18's TUI acceptance, in a real terminal: the practice server's
// NTLM endpoint; the picker offers NTLM, the form takes a user and
// password, and the loop runs the type 1 and type 3 legs on one
// connection: three attempts, 200, the password never on screen.
func TestTUINTLMInARealTerminal(t *testing.T) {
	srv := startPractice(t)
	s := startTmux(t, 120, 40, srv.URL+"/ntlm")
	s.waitFor("Nothing sent yet")
	s.keys("Enter")
	s.waitFor("› NTLM")
	s.keys("Enter")
	s.waitFor("Password")
	s.keys("alice@practice.test", "Tab", "wonderland", "Enter")
	scr := s.waitFor("Attempt 3: 200 OK")
	for _, want := range []string{"Timeline · 3 attempts", "NTLM type 1", "NTLM alice@prac", `"scheme": "NTLM"`, "NTLMv2 (NT proof"} {
		if !strings.Contains(scr, want) {
			t.Errorf("screen lacks %q:\n%s", want, scr)
		}
	}
	if strings.Contains(scr, "wonderland") {
		t.Errorf("the password is on screen:\n%s", scr)
	}
	s.keys("C-c")
}
