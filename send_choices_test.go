package main

import (
	"regexp"
	"strings"
	"testing"

	"keyhole/practice"
)

// hintScheme finds the scheme send's missing-credentials hint names:
// "Answer with Basic: give -u USER:PASSWORD." or, without a challenge,
// "… With keyhole send, first try API key: give --api-key NAME=VALUE.",
// "Answer with Registry token: keyhole send offers it without a flag.".
var hintScheme = regexp.MustCompile(`next: .*(?:Answer with|first try) (.+?): (?:give (.+)|keyhole send offers it without a flag)\.$`)

// On each practice lesson's first 401, the answer the TUI preselects and the
// one keyhole send's hint names are the same scheme: both are
// session.Choices' preselected choice, and send's flags come from the
// scheme's description.
func TestSendHintNamesTheTUIPreselection(t *testing.T) {
	srv, err := practice.Start(practice.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	compared := 0
	for _, l := range practice.Lessons() {
		if l.Method != "GET" {
			continue // the TUI opens on a GET of the URL
		}
		r := keyhole(t, runOpts{}, "send", srv.URL+l.Path)
		var m []string
		for _, line := range strings.Split(r.stdout, "\n") {
			if m = hintScheme.FindStringSubmatch(strings.TrimSpace(line)); m != nil {
				break
			}
		}
		if !strings.Contains(r.stdout, "401 Unauthorized") {
			if m != nil {
				t.Errorf("%s: send names %q without a 401:\n%s", l.ID, m[1], r.stdout)
			}
			continue
		}
		if m == nil {
			if strings.Contains(r.stdout, "missing-credentials") {
				t.Errorf("%s: the missing-credentials hint names no scheme:\n%s", l.ID, r.stdout)
			}
			continue // a 401 keyhole explains otherwise (Negotiate without a ticket)
		}
		d := newTUI(t, srv.URL+l.Path)
		d.press(enterKey)
		if want := m[1] + " is preselected"; !strings.Contains(d.m.Status(), want) {
			t.Errorf("%s: send says %q; the TUI's status %q (want %q)", l.ID, m[0], d.m.Status(), want)
		}
		compared++
	}
	if compared < 8 {
		t.Fatalf("only %d lessons answered 401 with a hint; the practice server's lessons changed?", compared)
	}
}

// send's hint on a 401 names flags that answer it: given with the lesson's
// credentials in place of the placeholders, the same command gets 200.
func TestSendHintFlagsAnswer(t *testing.T) {
	srv, err := practice.Start(practice.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	values := strings.NewReplacer("USER:PASSWORD", alice, "TOKEN", practice.Token)
	for _, tc := range []struct{ path, hint string }{
		{"/basic", "Answer with Basic: give -u USER:PASSWORD"},
		{"/digest", "Answer with Digest: give -u USER:PASSWORD"},
		{"/scram", "Answer with SCRAM-SHA-256: give -u USER:PASSWORD"},
		{"/bearer", "Answer with Bearer token: give --token TOKEN"},
	} {
		r := keyhole(t, runOpts{}, "send", srv.URL+tc.path)
		m := hintScheme.FindStringSubmatch(findLine(r.stdout, "next: Answer with"))
		if m == nil || "Answer with "+m[1]+": give "+m[2] != tc.hint {
			t.Errorf("%s: hint %q, want %q\n%s", tc.path, m, tc.hint, r.stdout)
			continue
		}
		args := append(strings.Fields(values.Replace(m[2])), srv.URL+tc.path)
		if r := keyhole(t, runOpts{}, append([]string{"send"}, args...)...); !strings.Contains(r.stdout, "200 OK") {
			t.Errorf("%s: keyhole send %q did not get 200:\n%s", tc.path, args, r.stdout)
		}
	}
	r := keyhole(t, runOpts{}, "send", srv.URL+"/apikey")
	if !strings.Contains(r.stdout, "With keyhole send, first try API key: give --api-key NAME=VALUE.") {
		t.Errorf("/apikey: no API key hint:\n%s", r.stdout)
	}
}

func findLine(s, sub string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			return strings.TrimSpace(l)
		}
	}
	return ""
}
