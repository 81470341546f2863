package main

import (
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"keyhole/internal/peers"
	"keyhole/session"
)

// windowsOrigin is the server behind Squid.
func windowsOrigin(t *testing.T) *httptest.Server {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("origin reached\n"))
	}))
	t.Cleanup(s.Close)
	return s
}

// sentSchemes lists, attempt by attempt, the schemes of the Authorization
// and Proxy-Authorization headers keyhole sent, from --json.
func sentSchemes(t *testing.T, out string) (statuses []int, schemes []string) {
	t.Helper()
	var doc struct {
		Attempts []struct {
			Request struct {
				Headers map[string][]string `json:"headers"`
			} `json:"request"`
			Response *struct {
				Status int `json:"status"`
			} `json:"response"`
		} `json:"attempts"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("--json: %v\n%s", err, out)
	}
	for _, a := range doc.Attempts {
		st := 0
		if a.Response != nil {
			st = a.Response.Status
		}
		statuses = append(statuses, st)
		var s []string
		for name, vs := range a.Request.Headers {
			if strings.EqualFold(name, "Authorization") || strings.EqualFold(name, "Proxy-Authorization") {
				for _, v := range vs {
					scheme, _, _ := strings.Cut(v, " ")
					s = append(s, name+" "+scheme)
				}
			}
		}
		schemes = append(schemes, strings.Join(s, ","))
	}
	return statuses, schemes
}

// Acceptance (issue 18): keyhole send -u alice:any <NTLM origin> → 200 in
// 3 attempts, no Basic ever sent; curl --ntlm gets the same status.
func TestSendNTLMOriginSquid(t *testing.T) {
	sq := peers.StartSquid(t, peers.SquidOptions{Scheme: "ntlm", Accel: windowsOrigin(t).URL})
	url := sq.URL + "/hello"
	peers.Curl(t, 200, "--ntlm", "-u", "alice:any", url)
	r := keyhole(t, runOpts{}, "send", "-u", "alice:any", url)
	wantCode(t, r, exitOK, "send", url)
	for _, want := range []string{"#3 GET", "with NTLM", "origin reached"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	r = keyhole(t, runOpts{}, "send", "--json", "-u", "alice:any", url)
	wantCode(t, r, exitOK, "send", "--json", url)
	st, schemes := sentSchemes(t, r.stdout)
	if len(st) != 3 || st[0] != 401 || st[1] != 401 || st[2] != 200 {
		t.Fatalf("statuses %v, want 401 401 200", st)
	}
	if schemes[0] != "" || schemes[1] != "Authorization NTLM" || schemes[2] != "Authorization NTLM" {
		t.Fatalf("sent %q", schemes)
	}
	if strings.Contains(r.stdout, "Basic") {
		t.Fatalf("Basic appears in the attempts:\n%s", r.stdout)
	}
}

// Acceptance: through an NTLM proxy with -U → 200, http and https (CONNECT).
func TestSendNTLMProxySquid(t *testing.T) {
	sq := peers.StartSquid(t, peers.SquidOptions{Scheme: "ntlm"})
	o := windowsOrigin(t)
	peers.Curl(t, 200, "--proxy", sq.URL, "--proxy-ntlm", "-U", "alice:any", o.URL+"/via")
	r := keyhole(t, runOpts{}, "send", "-x", sq.URL, "-U", `KEYHOLE\alice:any`, o.URL+"/via")
	wantCode(t, r, exitOK, "send", "-x", sq.URL, o.URL)
	if !strings.Contains(r.stdout, "proxy NTLM") || !strings.Contains(r.stdout, "origin reached") {
		t.Fatalf("output:\n%s", r.stdout)
	}
}

// Acceptance: through a Digest proxy with -U → 200; a wrong password → 407.
func TestSendDigestProxySquid(t *testing.T) {
	sq := peers.StartSquid(t, peers.SquidOptions{Scheme: "digest", Users: map[string]string{"alice": "wonderland"}})
	o := windowsOrigin(t)
	peers.Curl(t, 200, "--proxy", sq.URL, "--proxy-digest", "-U", "alice:wonderland", o.URL+"/via")
	r := keyhole(t, runOpts{}, "send", "-x", sq.URL, "-U", "alice:wonderland", o.URL+"/via")
	wantCode(t, r, exitOK, "send", "-x", sq.URL, o.URL)
	if !strings.Contains(r.stdout, "proxy Digest") || !strings.Contains(r.stdout, "origin reached") {
		t.Fatalf("output:\n%s", r.stdout)
	}
	peers.Curl(t, 407, "--proxy", sq.URL, "--proxy-digest", "-U", "alice:wrong", o.URL+"/via")
	r = keyhole(t, runOpts{}, "send", "-x", sq.URL, "-U", "alice:wrong", o.URL+"/via")
	wantCode(t, r, exitAuth, "send", "-x", sq.URL, "-U", "alice:wrong", o.URL)
}

// Acceptance: after kinit, keyhole send <Negotiate origin> → 200 with scheme
// Negotiate, the server's mutual-auth answer checked; without a ticket →
// exit 4 and a finding naming kinit. curl --negotiate -u : agrees.
func TestSendNegotiateApache(t *testing.T) {
	realm := peers.StartKerberos(t)
	url := peers.StartApacheGSSAPI(t, realm) + "/private/hello.txt"
	env := runOpts{env: realm.CCacheEnv()}

	peers.CurlEnv(t, realm.CCacheEnv(), 401, "--negotiate", "-u", ":", url)
	r := keyhole(t, env, "send", url)
	wantCode(t, r, exitAuth, "send", url)
	if !strings.Contains(r.stdout, "negotiate-no-ticket") || !strings.Contains(r.stdout, "kinit user@REALM") {
		t.Fatalf("without a ticket:\n%s\n%s", r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "kinit user@KEYHOLE.TEST") {
		t.Errorf("stderr does not name the realm's kinit:\n%s", r.stderr)
	}

	realm.Kinit(t)
	peers.CurlEnv(t, realm.CCacheEnv(), 200, "--negotiate", "-u", ":", url)
	r = keyhole(t, env, "send", url)
	wantCode(t, r, exitOK, "send", url)
	for _, want := range []string{"with Negotiate", "hello from Apache", "negotiate-mutual", "alice@KEYHOLE.TEST for HTTP/localhost",
		// #1, the bare request, says the ticket held answers; no kinit.
		"negotiate-ticket: The server asks for Negotiate (Kerberos)", "ticket it has: alice@KEYHOLE.TEST's, valid until "} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "negotiate-no-ticket") || strings.Contains(r.stdout, "kinit user@") {
		t.Errorf("with a ticket, an attempt says there is none:\n%s", r.stdout)
	}

	// A KDC that does not answer: said in words, never a crash. (The
	// first realm's cache now holds curl's service ticket, which needs no
	// KDC, so a second realm.)
	down := peers.StartKerberos(t)
	url = peers.StartApacheGSSAPI(t, down) + "/private/hello.txt"
	down.Kinit(t)
	down.StopKDC()
	r = keyhole(t, runOpts{env: down.CCacheEnv()}, "send", url)
	if r.code != exitAuth || !strings.Contains(r.stdout, "kerberos-error") || !strings.Contains(r.stdout, "no KDC answered: the KDC at "+down.KDC) {
		t.Fatalf("KDC down: exit %d\n%s", r.code, r.all())
	}
	// curl stops at the 401 too: the request is not sent again without a
	// ticket, and the one attempt says why there is none.
	if strings.Contains(r.stdout, "#2 ") || strings.Contains(r.stdout, "negotiate-no-ticket") || strings.Contains(r.stdout, "negotiate-ticket") {
		t.Errorf("the ticket that could not be had:\n%s", r.stdout)
	}
	r = keyhole(t, runOpts{env: down.CCacheEnv()}, "send", "--json", url)
	if r.code != exitAuth || !hasFinding(t, r.stdout, "kerberos-error", down.KDC) {
		t.Fatalf("KDC down, --json: exit %d\n%s", r.code, r.all())
	}
}

// A host given by its IP address has no service principal HTTP/<IP>: the
// KDC says so and the finding names the SPN asked for, in both outputs.
func TestSendNegotiateUnknownSPN(t *testing.T) {
	realm := peers.StartKerberos(t)
	url := strings.Replace(peers.StartApacheGSSAPI(t, realm)+"/private/hello.txt", "localhost", "127.0.0.1", 1)
	realm.Kinit(t)
	env := runOpts{env: realm.CCacheEnv()}
	r := keyhole(t, env, "send", url)
	if r.code != exitAuth || !strings.Contains(r.stdout, "kerberos-error") || !strings.Contains(r.stdout, "HTTP/127.0.0.1") || !strings.Contains(r.stdout, "no such service principal") || strings.Contains(r.stdout, "#2 ") {
		t.Fatalf("unknown SPN: exit %d\n%s", r.code, r.all())
	}
	r = keyhole(t, env, "send", "--json", url)
	if r.code != exitAuth || !hasFinding(t, r.stdout, "kerberos-error", "HTTP/127.0.0.1") {
		t.Fatalf("unknown SPN, --json: exit %d\n%s", r.code, r.all())
	}
}

// hasFinding reports whether send's JSON document has a finding of code
// whose message or next step mentions want.
func hasFinding(t *testing.T, doc, code, want string) bool {
	t.Helper()
	var v struct {
		Attempts []struct {
			Findings []struct{ Code, Message, Next string }
		}
	}
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, doc)
	}
	for _, a := range v.Attempts {
		for _, f := range a.Findings {
			if f.Code == code && strings.Contains(f.Message+" "+f.Next, want) {
				return true
			}
		}
	}
	return false
}

// Proxy and origin at once: NTLM at the Squid proxy (-U), Digest at the
// origin behind it (-u, the practice server's /digest), on one request.
func TestSendNTLMProxyAndDigestOrigin(t *testing.T) {
	sq := peers.StartSquid(t, peers.SquidOptions{Scheme: "ntlm"})
	srv := startPractice(t)
	url := srv.URL + "/digest"
	peers.Curl(t, 200, "--proxy", sq.URL, "--proxy-ntlm", "-U", "bob:any", "--digest", "-u", "alice:wonderland", url)
	r := keyhole(t, runOpts{}, "send", "-x", sq.URL, "-U", "bob:any", "-u", "alice:wonderland", url)
	wantCode(t, r, exitOK, "send", "-x", sq.URL, "-U", "-u", url)
	if !strings.Contains(r.stdout, "with Digest, proxy NTLM") || !strings.Contains(r.stdout, `"scheme":"Digest"`) {
		t.Fatalf("output:\n%s", r.stdout)
	}
}

// https through the NTLM proxy: the CONNECT carries the three legs, on one
// connection to Squid, and the origin never sees the proxy's credentials;
// --proxy-ntlm forces the scheme.
func TestSendNTLMProxyConnectSquid(t *testing.T) {
	sq := peers.StartSquid(t, peers.SquidOptions{Scheme: "ntlm"})
	url, ca := tlsOrigin(t)
	peers.Curl(t, 200, "--proxy", sq.URL, "--proxy-ntlm", "-U", "alice:any", "--cacert", ca, url)
	r := keyhole(t, runOpts{}, "send", "-x", sq.URL, "-U", "alice:any", "--proxy-ntlm", "--cacert", ca, url)
	wantCode(t, r, exitOK, "send", "-x", sq.URL, "--proxy-ntlm", url)
	if !strings.Contains(r.stdout, "reached over TLS") || !strings.Contains(r.stdout, "proxy NTLM") {
		t.Fatalf("output:\n%s", r.stdout)
	}
}

// Negotiate at the proxy: Squid's 407 Negotiate is answered with a ticket
// for HTTP/<the proxy's host> (localhost), never the origin's (127.0.0.1,
// for which the realm has no service principal), as curl
// --proxy-negotiate -U : does after kinit; curl gets the same status.
func TestSendNegotiateProxySquid(t *testing.T) {
	realm := peers.StartKerberos(t)
	sq := peers.StartSquid(t, peers.SquidOptions{Scheme: "negotiate", Kerberos: realm})
	url := windowsOrigin(t).URL + "/via"
	env := runOpts{env: realm.CCacheEnv()}

	peers.CurlEnv(t, realm.CCacheEnv(), 407, "--proxy", sq.URL, "--proxy-negotiate", "-U", ":", url)
	r := keyhole(t, env, "send", "-x", sq.URL, "--proxy-negotiate", "-U", ":", url)
	if r.code != exitAuth || !strings.Contains(r.stdout, "kerberos-error: No Kerberos ticket was sent to the proxy") || !strings.Contains(r.stdout, "kinit user@KEYHOLE.TEST") {
		t.Fatalf("without a ticket: exit %d\n%s", r.code, r.all())
	}
	if strings.Contains(r.stdout, "#2 ") {
		t.Errorf("without a ticket, the request went again (curl stops at the 407):\n%s", r.stdout)
	}
	// The proxy's challenge asks for the proxy's ticket, not the origin's, by its host.
	if !strings.Contains(r.stdout, "challenge (Proxy-Authenticate): Negotiate, wants a Kerberos ticket for HTTP/localhost, the proxy's, not the server's") {
		t.Errorf("the proxy's Negotiate challenge in words:\n%s", r.stdout)
	}

	realm.Kinit(t)
	peers.CurlEnv(t, realm.CCacheEnv(), 200, "--proxy", sq.URL, "--proxy-negotiate", "-U", ":", url)
	for _, args := range [][]string{
		{"-x", sq.URL, "--proxy-negotiate", "-U", ":", url},
		{"-x", sq.URL, "--proxy-auth", "negotiate", url}, // the ticket needs no -U
		{"-x", sq.URL, "-U", ":", url},                   // -U : is the ticket
		{"--curl", "curl --proxy " + sq.URL + " --proxy-negotiate -U : " + url},
	} {
		r := keyhole(t, env, append([]string{"send"}, args...)...)
		wantCode(t, r, exitOK, append([]string{"send"}, args...)...)
		for _, want := range []string{"proxy Negotiate", "origin reached", "alice@KEYHOLE.TEST for HTTP/localhost"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("%q: output lacks %q:\n%s", args, want, r.stdout)
			}
		}
		if strings.Contains(r.stdout, "HTTP/127.0.0.1") {
			t.Errorf("%q: a ticket was asked for the origin:\n%s", args, r.stdout)
		}
	}
	// https: the ticket goes on the CONNECT, the origin never sees it.
	tlsURL, ca := tlsOrigin(t)
	peers.CurlEnv(t, realm.CCacheEnv(), 200, "--proxy", sq.URL, "--proxy-negotiate", "-U", ":", "--cacert", ca, tlsURL)
	r = keyhole(t, env, "send", "-x", sq.URL, "--proxy-negotiate", "--cacert", ca, tlsURL)
	wantCode(t, r, exitOK, "send", "-x", sq.URL, "--proxy-negotiate", tlsURL)
	if !strings.Contains(r.stdout, "reached over TLS") || !strings.Contains(r.stdout, "proxy Negotiate") {
		t.Fatalf("https through the Negotiate proxy:\n%s", r.stdout)
	}
	// The curl command keyhole prints runs curl's own Kerberos exchange
	// (a ticket's header is good once), and curl gets through with it.
	r = keyhole(t, env, "send", "-q", "--print-curl", "-x", sq.URL, "--proxy-auth", "negotiate", url)
	if !strings.Contains(r.stdout, "--proxy-negotiate") || !strings.Contains(r.stdout, "-U :") || strings.Contains(r.stdout, "Proxy-Authorization") {
		t.Errorf("--print-curl:\n%s", r.stdout)
	}
	r = keyhole(t, env, "send", "--json", "-x", sq.URL, "--proxy-negotiate", url)
	wantCode(t, r, exitOK, "send", "--json", "-x", sq.URL, url)
	st, schemes := sentSchemes(t, r.stdout)
	if len(st) != 2 || st[0] != 407 || st[1] != 200 || schemes[0] != "" || schemes[1] != "Proxy-Authorization Negotiate" {
		t.Fatalf("statuses %v, sent %q", st, schemes)
	}
}

// tlsOrigin is an https origin behind the proxies that fails the test if it
// ever sees Proxy-Authorization; it returns its URL and its CA file.
func tlsOrigin(t *testing.T) (url, ca string) {
	o := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Proxy-Authorization") != "" {
			t.Errorf("the origin got Proxy-Authorization")
		}
		w.Write([]byte("reached over TLS\n"))
	}))
	t.Cleanup(o.Close)
	ca = filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: o.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	return o.URL + "/tls", ca
}

// The environment's proxy, as curl reads it, through Squid asking NTLM: a
// loopback origin goes through http_proxy (Go's own reading leaves loopback
// out, curl does not), HTTP_PROXY is not read (curl ignores it), NO_PROXY
// and no_proxy send it direct, HTTPS_PROXY carries https on a CONNECT, and
// a user in the variable's URL answers the 407 as -U would. keyhole gets
// curl's status each time, and says which way it went.
func TestSendEnvProxyNTLMSquid(t *testing.T) {
	sq := peers.StartSquid(t, peers.SquidOptions{Scheme: "ntlm"})
	url := windowsOrigin(t).URL + "/via"
	tlsURL, ca := tlsOrigin(t)
	withUser := strings.Replace(sq.URL, "://", "://alice:any@", 1)
	for _, c := range []struct {
		env    []string
		args   []string // after send, before the URL
		url    string
		status int
		via    bool // through Squid
	}{
		{[]string{"http_proxy=" + sq.URL}, []string{"--proxy-ntlm", "-U", "alice:any"}, url, 200, true},
		{[]string{"http_proxy=" + sq.URL}, nil, url, 407, true},
		{[]string{"ALL_PROXY=" + sq.URL}, []string{"--proxy-ntlm", "-U", "alice:any"}, url, 200, true},
		{[]string{"HTTP_PROXY=" + sq.URL}, nil, url, 200, false},
		{[]string{"http_proxy=" + sq.URL, "NO_PROXY=127.0.0.1"}, nil, url, 200, false},
		{[]string{"http_proxy=" + sq.URL, "no_proxy=127.0.0.0/8"}, nil, url, 200, false},
		{[]string{"http_proxy=" + sq.URL, "no_proxy=example.com", "NO_PROXY=127.0.0.1"}, nil, url, 407, true}, // no_proxy first
		{[]string{"http_proxy=" + sq.URL, "NO_PROXY=localhost"}, nil, url, 407, true},                         // a name is not its address
		{[]string{"http_proxy=" + withUser}, []string{"--proxy-ntlm"}, url, 200, true},
		{[]string{"HTTPS_PROXY=" + sq.URL}, []string{"--proxy-ntlm", "-U", "alice:any", "--cacert", ca}, tlsURL, 200, true},
		{[]string{"https_proxy=" + sq.URL, "NO_PROXY=127.0.0.1"}, []string{"--cacert", ca}, tlsURL, 200, false},
		// An empty --noproxy overrides no_proxy/NO_PROXY: the proxy is used.
		{[]string{"http_proxy=" + sq.URL, "NO_PROXY=127.0.0.1"}, []string{"--noproxy", "", "--proxy-ntlm", "-U", "alice:any"}, url, 200, true},
		{[]string{"no_proxy=127.0.0.1"}, []string{"-x", sq.URL, "--noproxy", ""}, url, 407, true},
	} {
		peers.CurlEnv(t, c.env, c.status, append(slices.Clone(c.args), c.url)...)
		args := append(append([]string{"send"}, c.args...), c.url)
		r := keyhole(t, runOpts{env: c.env}, args...)
		if got := statusOf(r.stdout); got != c.status {
			t.Errorf("%q %q: keyhole got %d, curl %d\n%s", c.env, c.args, got, c.status, r.all())
			continue
		}
		if via := strings.Contains(r.stdout, "via proxy "+sq.URL); via != c.via {
			t.Errorf("%q %q: through the proxy %v, want %v\n%s", c.env, c.args, via, c.via, r.stdout)
		}
		if strings.Contains(r.all(), "alice:any@") {
			t.Errorf("%q: the proxy's password was printed:\n%s", c.env, r.all())
		}
	}
	// The same from a pasted curl command.
	r := keyhole(t, runOpts{env: []string{"no_proxy=127.0.0.1"}}, "send", "--curl", "curl -x "+sq.URL+" --noproxy '' "+url)
	if statusOf(r.stdout) != 407 || !strings.Contains(r.stdout, "via proxy "+sq.URL) {
		t.Errorf("--curl with --noproxy '': want 407 through the proxy\n%s", r.all())
	}
	// A variable that holds no usable proxy is a usage error naming it,
	// its value (which may hold a password) unsaid.
	r = keyhole(t, runOpts{env: []string{"http_proxy=ftp://bob:s3cret@127.0.0.1:1"}}, "send", url)
	if r.code != exitUsage || !strings.Contains(r.stderr, "http_proxy is not a proxy URL") || strings.Contains(r.all(), "s3cret") {
		t.Errorf("a bad http_proxy: exit %d\n%s", r.code, r.all())
	}
}

// statusOf is the final status keyhole send printed (its last attempt's).
func statusOf(out string) int {
	status := 0
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) > 1 && len(f[0]) == 3 && f[0][0] >= '1' && f[0][0] <= '5' {
			if n, err := strconv.Atoi(f[0]); err == nil {
				status = n
			}
		}
	}
	return status
}

// Kerberos's clock errors for real, from libfaketime: Apache an hour
// ahead refuses the ticket with KRB_AP_ERR_SKEW in its answer, a KDC an hour
// ahead refuses the service-ticket request; each finding names the clock
// and what to do, in both outputs, and curl --negotiate gets the same 401.
func TestSendNegotiateClockSkew(t *testing.T) {
	realm := peers.StartKerberos(t)
	url := peers.StartApacheGSSAPIClock(t, realm, "+1h") + "/private/hello.txt"
	realm.Kinit(t)
	peers.CurlEnv(t, realm.CCacheEnv(), 401, "--negotiate", "-u", ":", url)
	r := keyhole(t, runOpts{env: realm.CCacheEnv()}, "send", url)
	wantCode(t, r, exitAuth, "send", url)
	_, refused, _ := strings.Cut(r.stdout, "#2 ")
	for _, want := range []string{"credentials-rejected: The server refused the Kerberos ticket for HTTP/localhost: clock skew",
		"next: Check the clock of this machine", "clock-skew: This computer's clock is", "behind the server's"} {
		if !strings.Contains(refused, want) {
			t.Errorf("Apache ahead: the refused attempt lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "negotiate-mutual-failed") || strings.Contains(refused, "keytab") {
		t.Errorf("Apache ahead: a refusal taken for a forged answer or a keytab problem:\n%s", r.stdout)
	}

	kdc := peers.StartKerberosClock(t, "+1h")
	url = peers.StartApacheGSSAPI(t, kdc) + "/private/hello.txt"
	kdc.Kinit(t)
	peers.CurlEnv(t, kdc.CCacheEnv(), 401, "--negotiate", "-u", ":", url)
	r = keyhole(t, runOpts{env: kdc.CCacheEnv()}, "send", "--json", url)
	wantCode(t, r, exitAuth, "send", "--json", url)
	if st, _ := sentSchemes(t, r.stdout); len(st) != 1 || !hasFinding(t, r.stdout, "kerberos-error", "getting a ticket for HTTP/localhost failed: clock skew") ||
		!hasFinding(t, r.stdout, "kerberos-error", "Check the clock of this machine (and the KDC's)") {
		t.Errorf("KDC ahead: not one attempt with a kerberos-error naming the clock:\n%s", r.stdout)
	}
}

// An expired ticket for real: kinit -l 2s, waited out. keyhole says so from
// the cache's times, with the kinit to run, and curl --negotiate gets the
// same 401. (A KDC cannot be made to call a ticket this machine holds valid
// expired without being further off than the allowed skew, which is the
// skew error above: it forgives expiry by the skew too.)
func TestSendNegotiateExpiredTicket(t *testing.T) {
	realm := peers.StartKerberos(t)
	url := peers.StartApacheGSSAPI(t, realm) + "/private/hello.txt"
	realm.KinitFor(t, "2s")
	time.Sleep(3 * time.Second)
	peers.CurlEnv(t, realm.CCacheEnv(), 401, "--negotiate", "-u", ":", url)
	r := keyhole(t, runOpts{env: realm.CCacheEnv()}, "send", url)
	wantCode(t, r, exitAuth, "send", url)
	if strings.Contains(r.stdout, "#2 ") {
		t.Errorf("the request went again without a ticket:\n%s", r.stdout)
	}
	for _, want := range []string{"kerberos-error: No Kerberos ticket was sent: the ticket of alice@KEYHOLE.TEST expired at", "next: Run kinit user@KEYHOLE.TEST"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("waited out: output lacks %q:\n%s", want, r.stdout)
		}
	}
}

// A proxy-credentials finding is worded as send's flags, from the scheme's
// description: a scheme whose user is optional (Negotiate, a ticket) is
// asked for with -U :, the others with a user and password.
func TestProxyCredentialsNextWords(t *testing.T) {
	for scheme, want := range map[string]string{
		"Negotiate": "With keyhole send: -U : (or --proxy-auth negotiate).",
		"NTLM":      "With keyhole send: -U user:password --proxy-auth ntlm.",
		"Digest":    "With keyhole send: -U user:password --proxy-auth digest.",
	} {
		f := session.Finding{Next: "Give the proxy's credentials.", Do: session.Action{Kind: "proxy-credentials", Scheme: scheme}}
		if got := nextWords(f); !strings.HasSuffix(got, want) {
			t.Errorf("%s: %q, want it to end %q", scheme, got, want)
		}
	}
}

// keyhole send's last line after a proxy's 407 that nothing answered says
// the -U the finding says: "-U :" (the ticket kinit left) when the proxy
// offers Negotiate alone, a user and password when it offers a scheme that
// needs them.
func TestSendProxyHintNamesTheTicket(t *testing.T) {
	for _, c := range []struct {
		offers []string
		give   string
	}{
		{[]string{"Negotiate"}, "-U :"},
		{[]string{"Negotiate", `Basic realm="proxy"`}, "-U USER[:PASSWORD]"},
	} {
		proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header()["Proxy-Authenticate"] = c.offers
			w.WriteHeader(http.StatusProxyAuthRequired)
		}))
		r := keyhole(t, runOpts{}, "send", "-x", proxy.URL, "http://127.0.0.1:9/behind")
		proxy.Close()
		want := "give the proxy's credentials with " + c.give + " (-u is for the server)"
		if r.code != exitAuth || !strings.Contains(r.stderr, want) {
			t.Errorf("%q: exit %d, stderr lacks %q:\n%s", c.offers, r.code, want, r.stderr)
		}
		if c.give == "-U :" && !strings.Contains(r.stdout, "With keyhole send: -U :") {
			t.Errorf("%q: the finding does not say -U : as the hint does:\n%s", c.offers, r.stdout)
		}
	}
}
