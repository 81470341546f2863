package practice

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"

	ntlmssp "github.com/Azure/go-ntlmssp"

	"keyhole/credentials"
	"keyhole/httpclient"
	"keyhole/session"
)

func unhex(t *testing.T, s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// [MS-NLMP] §4.2.4: NTLMv2 with user "User", domain "Domain", password
// "Password", server challenge 0123456789abcdef, client challenge
// aaaaaaaaaaaaaaaa, time 0, and target info NbDomainName "Domain",
// NbComputerName "Server".
func TestNTLMv2SpecVectors(t *testing.T) {
	ntowf := NTOWFv2("Password", "User", "Domain")
	if want := unhex(t, "0c868a403bfd7a93a3001ef22ef02e3f"); !bytes.Equal(ntowf, want) {
		t.Fatalf("NTOWFv2 = %x, want %x", ntowf, want)
	}
	blob := unhex(t, "0101 0000 00000000 0000000000000000 aaaaaaaaaaaaaaaa 00000000"+
		"0200 0c00 44006f006d00610069006e00 0100 0c00 530065007200760065007200 0000 0000 00000000")
	proof := NTProofStr(ntowf, unhex(t, "0123456789abcdef"), blob)
	if want := unhex(t, "68cd0ab851e51c96aabc927bebef6a1c"); !bytes.Equal(proof, want) {
		t.Fatalf("NTProofStr = %x, want %x", proof, want)
	}
}

// A second implementation: go-ntlmssp's type 3 for the practice type 2
// must verify, and with a wrong password must not.
func TestNTLMServerVerifiesGoNTLMSSP(t *testing.T) {
	s := start(t, Options{})
	c := &http.Client{Transport: &http.Transport{Proxy: nil, MaxConnsPerHost: 1}}
	leg := func(auth string) *http.Response {
		req, _ := http.NewRequest("GET", s.URL+NTLMPath, nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body) // read to the end, so the connection is reused
		resp.Body.Close()
		return resp
	}
	for _, tc := range []struct {
		user, password string
		want           int
	}{
		{`PRACTICE\alice`, Password, 200},
		{"alice@practice.test", Password, 200},
		{"alice", Password, 200},
		{`PRACTICE\alice`, "wrong", 401},
		{`PRACTICE\bob`, Password, 401},
	} {
		t1, _ := ntlmssp.NewNegotiateMessage("", "")
		resp := leg("NTLM " + base64.StdEncoding.EncodeToString(t1))
		tok := strings.TrimPrefix(resp.Header.Get("WWW-Authenticate"), "NTLM ")
		m, err := credentials.DecodeNTLMToken(tok)
		if resp.StatusCode != 401 || err != nil || m.Type != 2 || m.TargetName != NTLMDomain || m.ServerTime().IsZero() {
			t.Fatalf("type 2: %d %+v %v", resp.StatusCode, m, err)
		}
		t2, _ := base64.StdEncoding.DecodeString(tok)
		_, domain, _ := ntlmssp.GetDomain(tc.user)
		t3, err := ntlmssp.ProcessChallenge(t2, tc.user, tc.password, domain != "")
		if err != nil {
			t.Fatal(err)
		}
		if got := leg("NTLM " + base64.StdEncoding.EncodeToString(t3)).StatusCode; got != tc.want {
			t.Errorf("%s / %s: %d, want %d", tc.user, tc.password, got, tc.want)
		}
		c.CloseIdleConnections()
	}
}

// keyhole's loop against the practice server: three legs on one connection,
// the type 2 explained; a wrong password is refused in words.
func TestNTLMLessonThroughKeyhole(t *testing.T) {
	s := start(t, Options{})
	for _, tc := range []struct {
		password string
		want     int
		finding  string
	}{{Password, 200, "ntlm-authenticate"}, {"nope", 401, "credentials-rejected"}} {
		c := httpclient.New(httpclient.Options{})
		sess := session.New(c, httpclient.Request{Method: "GET", URL: s.URL + NTLMPath, Header: http.Header{}})
		w := &session.Wallet{}
		at, _ := session.OriginFor(s.URL)
		w.Add(&session.Offer{Auth: &credentials.NTLM{User: `PRACTICE\alice`, Password: tc.password}, Origin: at, Source: "-u"})
		out := sess.Run(context.Background(), w, session.Policy{})
		last := out.Attempts[len(out.Attempts)-1]
		if last.Status() != tc.want || len(out.Attempts) != 3 {
			t.Fatalf("%s: %d attempts, last %d (%s)", tc.password, len(out.Attempts), last.Status(), out.Why)
		}
		if !hasFinding(last, tc.finding) || !hasFinding(out.Attempts[1], "ntlm-challenge") {
			t.Errorf("%s: findings %v / %v", tc.password, out.Attempts[1].Findings, last.Findings)
		}
		if u1, u3 := out.Attempts[1].Exchange.Conn, last.Exchange.Conn; u1 == nil || u3 == nil || u1.N != 1 || u3.N != 1 || u3.Opened {
			t.Errorf("legs went over %v and %v, want connection #1 both", u1, u3)
		}
	}
}

func hasFinding(a *session.Attempt, code string) bool {
	for _, f := range a.Findings {
		if f.Code == code {
			return true
		}
	}
	return false
}

// A server in front that closes the connection after the type 2 makes the
// type 3 go on a new connection: the practice server refuses it, and keyhole
// says the connection was lost.
func TestNTLMConnectionLost(t *testing.T) {
	s := start(t, Options{})
	u, _ := url.Parse(s.URL)
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.Transport = &http.Transport{Proxy: nil, DisableKeepAlives: true} // each leg reaches the server on its own connection
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close")
		rp.ServeHTTP(w, r)
	}))
	defer front.Close()
	c := httpclient.New(httpclient.Options{})
	sess := session.New(c, httpclient.Request{Method: "GET", URL: front.URL + NTLMPath, Header: http.Header{}})
	w := &session.Wallet{}
	at, _ := session.OriginFor(front.URL)
	w.Add(&session.Offer{Auth: &credentials.NTLM{User: "alice", Password: Password}, Origin: at, Source: "-u", Upfront: true})
	out := sess.Run(context.Background(), w, session.Policy{})
	last := out.Attempts[len(out.Attempts)-1]
	if last.Status() != 401 || !hasFinding(last, "ntlm-connection-lost") || !strings.Contains(string(last.Exchange.Response.Body), "no type 2") {
		t.Fatalf("last %d, findings %v, body %q", last.Status(), last.Findings, last.Exchange.Response.Body)
	}
}

// curl, the reference client, gets the same answers: 200 with the
// password, 401 without it.
func TestNTLMServerWithCurl(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("curl is not installed (Debian package curl)")
	}
	s := start(t, Options{})
	for user, want := range map[string]string{`PRACTICE\alice:` + Password: "200", "alice:wrong": "401", "alice@practice.test:" + Password: "200"} {
		out, err := exec.Command(curl, "-s", "-o", "/dev/null", "-w", "%{http_code}", "--noproxy", "*", "--ntlm", "-u", user, s.URL+NTLMPath).Output()
		if err != nil || string(out) != want {
			t.Errorf("curl --ntlm -u %s: %s %v, want %s", user, out, err, want)
		}
	}
}

// The practice forward proxy asks for Digest for the proxy-Digest lesson's
// path, and curl --proxy-digest gets through it.
func TestProxyDigestThroughPracticeProxyWithCurl(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("curl is not installed (Debian package curl)")
	}
	s := start(t, Options{ProxyAddr: "127.0.0.1:0"})
	for pw, want := range map[string]string{Password: "200", "wrong": "407"} {
		out, err := exec.Command(curl, "-s", "-o", "/dev/null", "-w", "%{http_code}", "-x", s.Proxy.URL, "--proxy-digest", "-U", User+":"+pw, s.URL+ProxyDigestPath).Output()
		if err != nil || string(out) != want {
			t.Errorf("curl --proxy-digest -U alice:%s: %s %v, want %s", pw, out, err, want)
		}
	}
	// Basic is what the proxy wants elsewhere, not here.
	out, _ := exec.Command(curl, "-s", "-o", "/dev/null", "-w", "%{http_code}", "-x", s.Proxy.URL, "-U", User+":"+Password, s.URL+ProxyDigestPath).Output()
	if string(out) != "407" {
		t.Errorf("proxy Basic for %s: %s, want 407", ProxyDigestPath, out)
	}
}

// The Negotiate lesson through keyhole's loop: no ticket is said, and -u
// answers with NTLM inside Negotiate.
func TestNegotiateLessonThroughKeyhole(t *testing.T) {
	s := start(t, Options{})
	empty := t.TempDir() + "/krb5.conf" // no realm: no KDC is ever asked
	os.WriteFile(empty, []byte("[libdefaults]\n"), 0o600)
	c := httpclient.New(httpclient.Options{})
	sess := session.New(c, httpclient.Request{Method: "GET", URL: s.URL + NegotiatePath, Header: http.Header{}})
	at, _ := session.OriginFor(s.URL)
	out := sess.Run(context.Background(), &session.Wallet{}, session.Policy{})
	if last := out.Attempts[len(out.Attempts)-1]; last.Status() != 401 || !hasFinding(last, "negotiate-no-ticket") {
		t.Fatalf("no ticket: %d %v", last.Status(), last.Findings)
	}
	w := &session.Wallet{}
	w.Add(&session.Offer{Auth: &credentials.Negotiate{Config: empty, CCache: t.TempDir() + "/none",
		NTLM: &credentials.NTLM{User: `PRACTICE\alice`, Password: Password}}, Origin: at, Source: "-u"})
	out = sess.Run(context.Background(), w, session.Policy{})
	last := out.Attempts[len(out.Attempts)-1]
	if last.Status() != 200 || !strings.Contains(string(last.Exchange.Response.Body), `"scheme":"Negotiate"`) {
		t.Fatalf("NTLM inside Negotiate: %d %s %v", last.Status(), last.Exchange.Response.Body, out.Why)
	}
	if !strings.HasPrefix(last.Exchange.Request.Header.Get("Authorization"), "Negotiate TlRMTVNTUAAD") {
		t.Errorf("the type 3 went as %q", last.Exchange.Request.Header.Get("Authorization"))
	}
}
