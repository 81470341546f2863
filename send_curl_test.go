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

	"keyhole/internal/peers"
	"keyhole/practice"
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
// scheme (--digest, --anyauth) or go through a proxy (-x, -U) and sends them,
// then gives the same arguments to keyhole send itself; keyhole must end on
// the status curl itself ends on. Before the import read
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
		{[]string{"--oauth2-bearer", practice.Token, srv.URL + "/bearer"}, 200},
		{[]string{"--oauth2-bearer", "wrong-token", srv.URL + "/bearer"}, 401},
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
		// The same arguments as keyhole send's own flags, spelled as curl's.
		args := append([]string{"send", "--json"}, c.args...)
		r = keyhole(t, runOpts{}, args...)
		if got := finalStatus(t, r); got != want {
			t.Errorf("keyhole %q ended on %d, curl on %d\nstderr: %s", args, got, want, r.stderr)
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
// what a password meant for another scheme would have become. The getter
// returns what was seen since it was last called.
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
		out := seen
		seen = nil
		return out
	}
}

// A curl command asking for a scheme keyhole cannot answer yet is said on
// stderr and its password goes nowhere; a command naming a scheme sends its
// password with that scheme only, never as Basic, even when Basic is what the
// server or proxy offers.
func TestSendCurlNeverTurnsAPasswordIntoBasic(t *testing.T) {
	server, serverSaw := authRecorder(t, http.StatusUnauthorized, "Negotiate|Basic realm=\"decoy\"")
	proxy, proxySaw := authRecorder(t, http.StatusProxyAuthRequired, "Negotiate|Basic realm=\"decoy\"")
	cases := []struct {
		cmd, says string
		saw       func() []string
		nothing   bool // nothing at all may be sent, not even a first NTLM leg
	}{
		{"curl -u alice:s3cret --negotiate " + server.URL + "/x", "", serverSaw, false},
		// Without a ticket, NTLM's first leg inside Negotiate (no password in it).
		{"curl -x " + proxy.URL + " -U bob:s3cret --proxy-negotiate http://127.0.0.1:1/x", "", proxySaw, false},
		{"curl --ntlm -u alice:s3cret " + server.URL + "/x", "", serverSaw, false},
		{"curl --digest -u alice:s3cret " + server.URL + "/x", "", serverSaw, true},
		{"curl -x " + proxy.URL + " -U bob:s3cret --proxy-digest http://127.0.0.1:1/x", "", proxySaw, true},
		{"curl -x " + proxy.URL + " -U bob:s3cret --proxy-ntlm http://127.0.0.1:1/x", "", proxySaw, false},
	}
	for _, c := range cases {
		r := keyhole(t, runOpts{}, "send", "--curl", c.cmd)
		wantCode(t, r, exitAuth, "send", "--curl", c.cmd)
		if !strings.Contains(r.stderr, c.says) {
			t.Errorf("%s: stderr does not say %q:\n%s", c.cmd, c.says, r.stderr)
		}
		saw := c.saw()
		if c.nothing && len(saw) > 0 {
			t.Errorf("%s: the server was sent credentials: %q", c.cmd, saw)
		}
		for _, h := range saw {
			if strings.Contains(h, "Basic") {
				t.Errorf("%s: the password went as Basic: %q", c.cmd, saw)
			}
		}
		if strings.Contains(r.all(), "s3cret") {
			t.Errorf("%s: the password was printed:\n%s", c.cmd, r.all())
		}
	}
}

// NTLM and a Digest proxy, through Squid (a server nobody here wrote), end
// where curl ends for the same command.
func TestSendCurlImportNTLMAndProxySchemesSquid(t *testing.T) {
	origin := windowsOrigin(t)
	accel := peers.StartSquid(t, peers.SquidOptions{Scheme: "ntlm", Accel: origin.URL})
	ntlmProxy := peers.StartSquid(t, peers.SquidOptions{Scheme: "ntlm"})
	digestProxy := peers.StartSquid(t, peers.SquidOptions{Scheme: "digest", Users: map[string]string{"alice": "wonderland"}})
	for _, c := range []struct {
		args []string
		want int
	}{
		{[]string{"--ntlm", "-u", "alice:any", accel.URL + "/hello"}, 200},
		{[]string{"--anyauth", "-u", "alice:any", accel.URL + "/hello"}, 200},
		{[]string{"-x", ntlmProxy.URL, "--proxy-ntlm", "-U", "alice:any", origin.URL + "/via"}, 200},
		{[]string{"-x", ntlmProxy.URL, "--proxy-anyauth", "-U", "alice:any", origin.URL + "/via"}, 200},
		{[]string{"-x", ntlmProxy.URL, "-U", "alice:any", origin.URL + "/via"}, 407}, // -U alone is Basic, which this proxy does not take
		{[]string{"-x", digestProxy.URL, "--proxy-digest", "-U", "alice:wonderland", origin.URL + "/via"}, 200},
		{[]string{"-x", digestProxy.URL, "--proxy-digest", "-U", "alice:wrong", origin.URL + "/via"}, 407},
		// NTLM at the proxy and Digest at the practice server behind it, at once.
		{[]string{"-x", ntlmProxy.URL, "--proxy-ntlm", "-U", "bob:any", "--digest", "-u", "alice:wonderland", startPractice(t).URL + "/digest"}, 200},
	} {
		peers.Curl(t, c.want, c.args...)
		cmd := "curl " + shellQuote(c.args)
		r := keyhole(t, runOpts{}, "send", "--json", "--curl", cmd)
		if got := finalStatus(t, r); got != c.want {
			t.Errorf("keyhole send --curl %q ended on %d, curl on %d\nstderr: %s", cmd, got, c.want, r.stderr)
		}
	}
}

// curl --negotiate -u : (the ticket from kinit) imports as Negotiate and
// ends where curl ends, against Apache's mod_auth_gssapi and a real KDC.
func TestSendCurlImportNegotiateApache(t *testing.T) {
	realm := peers.StartKerberos(t)
	url := peers.StartApacheGSSAPI(t, realm) + "/private/hello.txt"
	realm.Kinit(t)
	peers.CurlEnv(t, realm.CCacheEnv(), 200, "--negotiate", "-u", ":", url)
	r := keyhole(t, runOpts{env: realm.CCacheEnv()}, "send", "--curl", "curl --negotiate -u : "+url)
	wantCode(t, r, exitOK, "send", "--curl", url)
	if !strings.Contains(r.stdout, "with Negotiate") || strings.Contains(r.all(), "does not do") {
		t.Errorf("curl --negotiate -u : imported:\n%s\n%s", r.stdout, r.stderr)
	}
}
