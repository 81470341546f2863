package session

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"

	"keyhole/httpclient"
	"keyhole/internal/peers"
	"keyhole/practice"
)

// runImported runs an imported command the way a face does: its offers in a
// Wallet, its proxy in the client, through Session.Run.
func runImported(t *testing.T, im *Imported) Outcome {
	t.Helper()
	offers, err := im.Offers()
	if err != nil {
		t.Fatalf("Offers: %v", err)
	}
	w := &Wallet{Offers: offers}
	o := httpclient.Options{FollowRedirects: im.Location}
	if im.Proxy != "" {
		u, _, err := ParseProxy(im.Proxy)
		if err != nil {
			t.Fatal(err)
		}
		o.Proxy = ProxyFunc(u, im.NoProxy)
	}
	s := New(httpclient.New(o), im.Request)
	return s.Run(t.Context(), w, Policy{})
}

// curlEnds runs cmd in sh with the real curl and returns its final status.
func curlEnds(t *testing.T, cmd string, env ...string) int {
	t.Helper()
	c := exec.Command("sh", "-c", cmd+" -s -o /dev/null -w '%{http_code}'")
	c.Env = append(os.Environ(), env...)
	out, err := c.Output()
	if err != nil {
		t.Fatalf("curl: %v\n%s", err, cmd)
	}
	var st int
	fmt.Sscan(string(out), &st)
	return st
}

// The import's offers, run by Session.Run, end where curl ends for the same
// command: server schemes chosen by --digest and --anyauth, and a proxy's
// 407 answered with -U.
func TestImportedOffersReachCurlsStatus(t *testing.T) {
	srv := withProxy(t)
	p := srv.Proxy.URL
	_, hasCurl := exec.LookPath("curl")
	for _, c := range []struct {
		cmd  string
		want int
	}{
		{"curl -u alice:wonderland " + srv.URL + "/basic", 200},
		{"curl --digest -u alice:wonderland " + srv.URL + "/digest", 200},
		{"curl --anyauth -u alice:wonderland " + srv.URL + "/digest", 200},
		{"curl --anyauth -u alice:wonderland " + srv.URL + "/basic", 200},
		{"curl --anyauth -u alice:wrong " + srv.URL + "/digest", 401},
		{"curl -x " + p + " -U alice:wonderland " + srv.URL + "/proxy", 200},
		{"curl -x " + strings.Replace(p, "http://", "http://alice:wonderland@", 1) + " " + srv.URL + "/proxy", 200},
		{"curl -x " + p + " --proxy-anyauth -U alice:wonderland " + srv.URL + "/proxy", 200},
		{"curl -x " + p + " -U alice:wonderland --digest -u alice:wonderland " + srv.URL + "/digest", 200},
		{"curl -x " + p + " " + srv.URL + "/proxy", 407},
		{"curl --oauth2-bearer " + practice.Token + " " + srv.URL + "/bearer", 200},
		{"curl --oauth2-bearer wrong-token " + srv.URL + "/bearer", 401},
		{"curl -u alice:wonderland --oauth2-bearer " + practice.Token + " " + srv.URL + "/bearer", 200},
	} {
		if hasCurl == nil {
			if got := curlEnds(t, c.cmd); got != c.want {
				t.Fatalf("the table is wrong: curl ends on %d for %s, the table says %d", got, c.cmd, c.want)
			}
		}
		out := runImported(t, mustParseCurl(t, c.cmd))
		last := out.Attempts[len(out.Attempts)-1]
		if last.Status() != c.want {
			t.Errorf("%s: keyhole ended on %d (%s: %s), curl on %d\n%s", c.cmd, last.Status(), out.Stop, out.Why, c.want, trail(out.Attempts))
		}
	}
}

// Export maps back: an attempt that went through the proxy with -U and
// answered Digest exports as -x, --proxy-basic -U and --digest -u, which
// imports to the same credentials and ends on 200 in keyhole and in curl.
func TestCurlExportImportProxyRoundTrip(t *testing.T) {
	srv := withProxy(t)
	cmd := "curl -x " + srv.Proxy.URL + " -U alice:wonderland --digest -u alice:wonderland " + srv.URL + "/digest"
	out := runImported(t, mustParseCurl(t, cmd))
	last := out.Attempts[len(out.Attempts)-1]
	if last.Status() != 200 {
		t.Fatalf("%s: %d\n%s", cmd, last.Status(), trail(out.Attempts))
	}
	exported := Curl(last, false)
	for _, want := range []string{"-x " + srv.Proxy.URL, "--proxy-basic", `-U alice:"$KEYHOLE_PROXY_PASSWORD"`, "--digest", `-u alice:"$KEYHOLE_PASSWORD"`} {
		if !strings.Contains(exported, want) {
			t.Errorf("export lacks %s:\n%s", want, exported)
		}
	}
	if strings.Contains(exported, practice.Password) {
		t.Errorf("the redacted export holds the password:\n%s", exported)
	}
	env := map[string]string{"KEYHOLE_PASSWORD": practice.Password, "KEYHOLE_PROXY_PASSWORD": practice.Password}
	im, err := ParseCurlEnv(exported, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	if im.Proxy != srv.Proxy.URL || im.ProxyUser != "alice" || im.ProxyPassword != practice.Password || im.ProxyAuth != "basic" ||
		im.Auth != "digest" || im.User != "alice" || im.Password != practice.Password || len(im.Unknown)+len(im.Cannot) != 0 {
		t.Errorf("the export imports as %+v", im)
	}
	again := runImported(t, im)
	if st := again.Attempts[len(again.Attempts)-1].Status(); st != 200 {
		t.Errorf("the imported export ended on %d\n%s", st, trail(again.Attempts))
	}
	if _, err := exec.LookPath("curl"); err == nil {
		if st := curlEnds(t, exported, "KEYHOLE_PASSWORD="+practice.Password, "KEYHOLE_PROXY_PASSWORD="+practice.Password); st != 200 {
			t.Errorf("curl ended on %d running the export:\n%s", st, exported)
		}
	}
}

// An NTLM attempt exports as --ntlm -u with the user of its type 3 message
// and the password as a variable; that imports back as NTLM and ends on 200
// in keyhole and in curl, against Squid's NTLM (a server nobody here wrote).
func TestCurlExportImportNTLMRoundTrip(t *testing.T) {
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "origin reached") }))
	t.Cleanup(origin.Close)
	sq := peers.StartSquid(t, peers.SquidOptions{Scheme: "ntlm", Accel: origin.URL})
	out := runImported(t, mustParseCurl(t, `curl --ntlm -u 'KEYHOLE\alice:any' `+sq.URL+"/hello"))
	last := out.Attempts[len(out.Attempts)-1]
	if last.Status() != 200 {
		t.Fatalf("curl --ntlm imported: %d\n%s", last.Status(), trail(out.Attempts))
	}
	exported := Curl(last, false)
	for _, want := range []string{"--ntlm", `-u 'KEYHOLE\alice:'"$KEYHOLE_PASSWORD"`} {
		if !strings.Contains(exported, want) {
			t.Errorf("export lacks %s:\n%s", want, exported)
		}
	}
	if strings.Contains(exported, "TlRMTVNT") {
		t.Errorf("the export replays an NTLM message:\n%s", exported)
	}
	im, err := ParseCurlEnv(exported, func(k string) (string, bool) { return "any", k == "KEYHOLE_PASSWORD" })
	if err != nil {
		t.Fatal(err)
	}
	if im.Auth != "ntlm" || im.User != `KEYHOLE\alice` || im.Password != "any" {
		t.Errorf("the export imports as auth %q user %q", im.Auth, im.User)
	}
	again := runImported(t, im)
	if st := again.Attempts[len(again.Attempts)-1].Status(); st != 200 {
		t.Errorf("the imported export ended on %d\n%s", st, trail(again.Attempts))
	}
	if _, err := exec.LookPath("curl"); err == nil {
		if st := curlEnds(t, exported, "KEYHOLE_PASSWORD=any"); st != 200 {
			t.Errorf("curl ended on %d running the export:\n%s", st, exported)
		}
	}
}
