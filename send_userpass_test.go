package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// A user name or password no scheme can send is refused before anything
// goes out, in the words of what the user typed: without --auth keyhole
// picks the scheme, so the error names -u (or -U), not a scheme the user
// never chose; with --auth it names the flag and the scheme chosen.
func TestSendRefusesABadPasswordByTheFlagGiven(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	t.Cleanup(srv.Close)
	badUTF8 := "alice:zq7\xff\xfezq7"
	for _, c := range []struct {
		args       []string
		want, nots string
	}{
		{[]string{"-u", badUTF8}, "keyhole send: -u: the password is not valid UTF-8", "basic"},
		{[]string{"-u", "al\x1bice:x"}, "keyhole send: -u: the user name contains a control character at byte 2", "basic"},
		{[]string{"--auth", "basic", "-u", badUTF8}, "keyhole send: -u: basic: the password is not valid UTF-8", ""},
		{[]string{"--auth", "digest", "-u", badUTF8}, "keyhole send: -u: digest: the password is not valid UTF-8", ""},
		{[]string{"--auth", "ntlm", "-u", badUTF8}, "keyhole send: -u: ntlm: the password is not valid UTF-8", ""},
		// -U is checked once for every scheme a proxy may ask for.
		{[]string{"-x", srv.URL, "-U", badUTF8}, "keyhole send: -U: the password is not valid UTF-8", "basic"},
		{[]string{"-x", srv.URL, "--proxy-auth", "ntlm", "-U", badUTF8}, "keyhole send: -U: the password is not valid UTF-8", "basic"},
	} {
		r := keyhole(t, runOpts{}, append(append([]string{"send"}, c.args...), srv.URL+"/")...)
		wantCode(t, r, exitUsage, c.args...)
		if !strings.Contains(r.stderr, c.want) || c.nots != "" && strings.Contains(strings.ToLower(r.stderr), c.nots) {
			t.Errorf("%q: stderr %q, want %q without %q", c.args, r.stderr, c.want, c.nots)
		}
		if strings.Contains(r.all(), "zq7") {
			t.Errorf("%q: the password was printed: %q", c.args, r.all())
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the server got %d requests; a value that cannot be sent must stop keyhole before the first", n)
	}
}
