package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"sync"
	"testing"
)

// finalStatus is the status keyhole send --json ended on.
func finalStatus(t *testing.T, r result) int {
	t.Helper()
	var doc struct {
		Final struct {
			Status int `json:"status"`
		} `json:"final"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("send --json printed no JSON document: %v\n%s\n%s", err, r.stdout, r.stderr)
	}
	return doc.Final.Status
}

// curlStatus runs the curl command itself and returns the status it ended on.
func curlStatus(t *testing.T, curl string, args []string) int {
	t.Helper()
	out, err := exec.Command(curl, append([]string{"-s", "-o", "/dev/null", "-w", "%{http_code}"}, args...)...).Output()
	if err != nil {
		t.Fatalf("curl %q: %v", args, err)
	}
	var st int
	fmt.Sscan(string(out), &st)
	return st
}

// TestSendCurlImportReachesCurlsStatus imports curl commands that choose a
// scheme (--digest, --anyauth) or go through a proxy (-x, -U) and sends them;
// keyhole must end on the status curl itself ends on. Before the import read
// -x/-U and --anyauth, these went around the proxy or sent -u as Basic to a
// Digest-only server.
func TestSendCurlImportReachesCurlsStatus(t *testing.T) {
	srv := startPractice(t)
	proxy := startProxy(t)
	cases := []struct {
		args []string // curl's arguments
		want int
	}{
		{[]string{"--digest", "-u", "alice:wonderland", srv.URL + "/digest"}, 200},
		{[]string{"-u", "alice:wonderland", "--digest", srv.URL + "/digest"}, 200},
		{[]string{"--digest", "-u", "alice:wrong", srv.URL + "/digest"}, 401},
		{[]string{"--anyauth", "-u", "alice:wonderland", srv.URL + "/digest"}, 200},
		{[]string{"--anyauth", "-u", "alice:wonderland", srv.URL + "/basic"}, 200},
		{[]string{"-x", proxy.URL, "-U", "alice:wonderland", srv.URL + "/proxy"}, 200},
		{[]string{"--proxy", strings.TrimPrefix(proxy.URL, "http://"), "--proxy-user", "alice:wonderland", "--proxy-anyauth", srv.URL + "/proxy"}, 200},
		{[]string{"-x", proxy.URL, srv.URL + "/proxy"}, 407},
		{[]string{"-x", proxy.URL, "-U", "alice:wonderland", "-u", "alice:wonderland", srv.URL + "/basic"}, 200},
		{[]string{"-x", proxy.URL, "-U", "alice:wonderland", "--digest", "-u", "alice:wonderland", srv.URL + "/digest"}, 200},
		{[]string{"-x", proxy.URL, "--noproxy", "127.0.0.1", srv.URL + "/basic"}, 401},
	}
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Log("curl is not installed: checking against the statuses curl gives, written in the table")
	}
	for _, c := range cases {
		want := c.want
		if curl != "" {
			if got := curlStatus(t, curl, c.args); got != want {
				t.Fatalf("the table is wrong: curl %q ends on %d, the table says %d", c.args, got, want)
			}
		}
		cmd := "curl " + shellQuote(c.args)
		r := keyhole(t, runOpts{}, "send", "--json", "--curl", cmd)
		if got := finalStatus(t, r); got != want {
			t.Errorf("keyhole send --curl %q ended on %d, curl on %d\nstderr: %s", cmd, got, want, r.stderr)
		}
	}
}

func shellQuote(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(q, " ")
}

// authRecorder is a server that offers only the given schemes and keeps every
// Authorization and Proxy-Authorization it is sent: the attacker's view of
// what a password meant for another scheme would have become.
func authRecorder(t *testing.T, status int, challenge string) (*httptest.Server, func() []string) {
	t.Helper()
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		for _, h := range []string{"Authorization", "Proxy-Authorization"} {
			if v := r.Header.Get(h); v != "" {
				seen = append(seen, h+": "+v)
			}
		}
		mu.Unlock()
		header := "WWW-Authenticate"
		if status == http.StatusProxyAuthRequired {
			header = "Proxy-Authenticate"
		}
		for _, c := range strings.Split(challenge, "|") {
			w.Header().Add(header, c)
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), seen...)
	}
}

// A curl command asking for a scheme keyhole cannot answer yet is said on
// stderr, and its password goes nowhere: not as Basic up front, not as Basic
// in answer to anything.
func TestSendCurlSchemeKeyholeLacksSendsNoPassword(t *testing.T) {
	server, serverSaw := authRecorder(t, http.StatusUnauthorized, "NTLM|Negotiate|Basic realm=\"decoy\"")
	proxy, proxySaw := authRecorder(t, http.StatusProxyAuthRequired, "NTLM|Digest realm=\"p\", nonce=\"n\", qop=\"auth\"|Basic realm=\"decoy\"")
	cases := []struct {
		cmd, says string
		saw       func() []string
	}{
		{"curl --ntlm -u alice:s3cret " + server.URL + "/x", "keyhole does not do NTLM yet: --ntlm ignored; the password is not sent", serverSaw},
		{"curl -u alice:s3cret --negotiate " + server.URL + "/x", "keyhole does not do Negotiate (Kerberos/SPNEGO) yet: --negotiate ignored; the password is not sent", serverSaw},
		{"curl -x " + proxy.URL + " -U bob:s3cret --proxy-ntlm http://127.0.0.1:1/x", "keyhole does not answer a proxy's NTLM challenge yet: --proxy-ntlm ignored; the proxy password is not sent", proxySaw},
		{"curl -x " + proxy.URL + " -U bob:s3cret --proxy-digest http://127.0.0.1:1/x", "keyhole does not answer a proxy's Digest challenge yet: --proxy-digest ignored; the proxy password is not sent", proxySaw},
	}
	for _, c := range cases {
		r := keyhole(t, runOpts{}, "send", "--curl", c.cmd)
		wantCode(t, r, exitAuth, "send", "--curl", c.cmd)
		if !strings.Contains(r.stderr, c.says) {
			t.Errorf("%s: stderr does not say %q:\n%s", c.cmd, c.says, r.stderr)
		}
		if saw := c.saw(); len(saw) > 0 {
			t.Errorf("%s: the server was sent credentials: %q", c.cmd, saw)
		}
		if strings.Contains(r.all(), "s3cret") {
			t.Errorf("%s: the password was printed:\n%s", c.cmd, r.all())
		}
	}
}
