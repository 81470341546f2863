package main

import (
	"strings"
	"testing"
)

// An Authorization header given with -H is credentials too: the attempt
// says so (not "without credentials") and the token is masked.
func TestSendAuthorizationFromHeaderFlag(t *testing.T) {
	srv := startPractice(t)
	url := srv.URL + "/bearer"
	r := keyhole(t, runOpts{}, "send", "-H", "Authorization: Bearer practice-token", url)
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stdout, "#1 GET "+url+"  with Bearer (from -H)") || strings.Contains(r.stdout, "without credentials") {
		t.Errorf("the attempt does not say it carried the -H credentials:\n%s", r.stdout)
	}
	if strings.Contains(r.all(), "practice-token") {
		t.Errorf("the token was printed without --show-secrets:\n%s", r.all())
	}
}
