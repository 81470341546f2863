package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"keyhole/credentials"
	"keyhole/internal/peers"
	"keyhole/practice"
	"keyhole/session"
)

// Secrets of the test server, distinct from the practice ones so a leak is
// unambiguous.
const (
	testUser     = "carol"
	testPassword = "s3cr3t-pw-4417"
	testToken    = "tok-9931-secret"
	testAPIKey   = "key-5521-secret"
)

var testBasic = base64.StdEncoding.EncodeToString([]byte(testUser + ":" + testPassword))

// testServers starts the server the send tests talk to, and a second origin
// for cross-origin redirects.
func testServers(t *testing.T) (main, other *httptest.Server) {
	t.Helper()
	basicOK := func(w http.ResponseWriter, r *http.Request) bool {
		u, p, ok := r.BasicAuth()
		if ok && u == testUser && p == testPassword {
			return true
		}
		w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
		http.Error(w, "who are you?", http.StatusUnauthorized)
		return false
	}
	omux := http.NewServeMux()
	omux.HandleFunc("/secret-basic", func(w http.ResponseWriter, r *http.Request) {
		if basicOK(w, r) {
			fmt.Fprintln(w, "other origin says hi")
		}
	})
	other = httptest.NewServer(omux)
	t.Cleanup(other.Close)

	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "fine") })
	mux.HandleFunc("/forbidden", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", http.StatusForbidden) })
	mux.HandleFunc("/teapot", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "tea", http.StatusTeapot) })
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/ok", http.StatusFound) })
	mux.HandleFunc("/cross", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/secret-basic", http.StatusFound)
	})
	mux.HandleFunc("/secret-basic", func(w http.ResponseWriter, r *http.Request) {
		if basicOK(w, r) {
			fmt.Fprintln(w, `{"hello":"carol"}`)
		}
	})
	mux.HandleFunc("/bearer", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+testToken {
			w.Header().Set("WWW-Authenticate", `Bearer realm="test"`)
			http.Error(w, "token please", http.StatusUnauthorized)
			return
		}
		fmt.Fprintln(w, "token ok")
	})
	mux.HandleFunc("/proxy-auth", func(w http.ResponseWriter, r *http.Request) {
		want := "Basic " + testBasic
		if r.Header.Get("Proxy-Authorization") != want {
			w.Header().Set("Proxy-Authenticate", `Basic realm="test-proxy"`)
			http.Error(w, "proxy wants credentials", http.StatusProxyAuthRequired)
			return
		}
		fmt.Fprintln(w, "through the proxy")
	})
	mux.HandleFunc("/apikey", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-API-Key") != testAPIKey && r.URL.Query().Get("api_key") != testAPIKey {
			http.Error(w, "send your API key", http.StatusUnauthorized) // no challenge, as real APIs do
			return
		}
		fmt.Fprintln(w, "key ok")
	})
	mux.HandleFunc("/utf8", func(w http.ResponseWriter, r *http.Request) {
		// 'é' and '€' straddle the 64 KiB pieces the body is printed in.
		fmt.Fprint(w, strings.Repeat("a", 64<<10-1)+"é"+strings.Repeat("b", 64<<10-2)+"€end")
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%s %s %q %s\n", r.Method, b, r.Header.Values("X-One"), r.Header.Get("Content-Type"))
	})
	main = httptest.NewServer(mux)
	t.Cleanup(main.Close)
	return main, other
}

func TestSendPracticeBasic(t *testing.T) {
	srv := startPractice(t)
	url := srv.URL + "/basic"
	r := keyhole(t, runOpts{}, "send", "-u", "alice:wonderland", url)
	wantCode(t, r, exitOK)
	for _, want := range []string{"#1 GET " + url, "401 Unauthorized", "Basic, realm 'practice'", "missing-credentials", "#2 GET", "with Basic", "200 OK", `"user":"alice"`} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	basic := base64.StdEncoding.EncodeToString([]byte("alice:wonderland"))
	if strings.Contains(r.all(), "wonderland") || strings.Contains(r.all(), basic) {
		t.Errorf("the password was printed without --show-secrets:\n%s", r.all())
	}
	if !strings.Contains(r.stdout, "Authorization: Basic alice:•••") {
		t.Errorf("the masked Authorization header is not shown:\n%s", r.stdout)
	}

	r = keyhole(t, runOpts{}, "send", "--show-secrets", "-u", "alice:wonderland", url)
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stdout, "Authorization: Basic "+basic) {
		t.Errorf("--show-secrets did not show the header:\n%s", r.stdout)
	}
}

func TestSendWrongPasswordStopsAfterTheRejection(t *testing.T) {
	srv := startPractice(t)
	r := keyhole(t, runOpts{}, "send", "-u", "alice:not-the-password", srv.URL+"/basic")
	wantCode(t, r, exitAuth)
	if !strings.Contains(r.stdout, "credentials-rejected") {
		t.Errorf("no credentials-rejected finding:\n%s", r.stdout)
	}
	if strings.Contains(r.stdout, "#3") {
		t.Errorf("resent credentials the server had refused:\n%s", r.stdout)
	}
}

func TestSendPracticeBearer(t *testing.T) {
	srv := startPractice(t)
	url := srv.URL + "/bearer"
	for _, args := range [][]string{
		{"send", "--token", practiceToken, url},
		{"send", "--json", "--token", practiceToken, url},
		{"send", "--quiet", "--auth", "bearer", "--token", practiceToken, url},
	} {
		r := keyhole(t, runOpts{}, args...)
		wantCode(t, r, exitOK, args...)
		if strings.Contains(r.all(), practiceToken) {
			t.Errorf("keyhole %q printed the token:\n%s", args, r.all())
		}
	}
	r := keyhole(t, runOpts{}, "send", "--json", "--show-secrets", "--token", practiceToken, url)
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stdout, "Bearer "+practiceToken) {
		t.Errorf("--json --show-secrets hides the token:\n%s", r.stdout)
	}
}

const practiceToken = "practice-token"

func TestSendTokenReferences(t *testing.T) {
	main, _ := testServers(t)
	file := filepath.Join(t.TempDir(), "token")
	os.WriteFile(file, []byte(testToken+"\n"), 0o600)
	for _, ref := range []string{"env:KH_TEST_TOKEN", "@" + file} {
		r := keyhole(t, runOpts{env: []string{"KH_TEST_TOKEN=" + testToken}}, "send", "--token", ref, main.URL+"/bearer")
		wantCode(t, r, exitOK, ref)
	}
}

func TestSendExitStatuses(t *testing.T) {
	main, _ := testServers(t)
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := "http://" + ln.Addr().String() + "/"
	ln.Close() // nothing listens there now: connection refused

	cases := []struct {
		args []string
		code int
		has  string
	}{
		{[]string{main.URL + "/ok"}, exitOK, "fine"},
		{[]string{main.URL + "/forbidden"}, exitForbidden, "403"},
		{[]string{main.URL + "/teapot"}, exitHTTPError, "418"},
		{[]string{main.URL + "/secret-basic"}, exitAuth, "missing-credentials"},
		// -U is the proxy's: a server answering 407 itself, with no proxy on the way, does not get it.
		{[]string{"-U", testUser + ":" + testPassword, main.URL + "/proxy-auth"}, exitAuth, "so -U was not sent"},
		// -u is the server's, as in curl: a proxy asking gets no answer from it.
		{[]string{"-u", testUser + ":" + testPassword, main.URL + "/proxy-auth"}, exitAuth, "give the proxy's credentials with -U USER[:PASSWORD]"},
		{[]string{main.URL + "/proxy-auth"}, exitAuth, "407"},
		{[]string{main.URL + "/redirect"}, exitOK, "redirect 302"},
		{[]string{"-L=false", main.URL + "/redirect"}, exitOK, "302 Found"},
		{[]string{main.URL + "/redirect", "--no-location"}, exitOK, "302 Found"},
		{[]string{closed}, exitNoAnswer, "no response"},
		{[]string{"--max-attempts", "1", "-u", testUser + ":" + testPassword, main.URL + "/secret-basic"}, exitAuth, "401"},
	}
	for _, c := range cases {
		args := append([]string{"send"}, c.args...)
		r := keyhole(t, runOpts{}, args...)
		wantCode(t, r, c.code, args...)
		if !strings.Contains(r.all(), c.has) {
			t.Errorf("keyhole %q output lacks %q:\n%s", args, c.has, r.all())
		}
	}
}

func TestSendSecretsNeverPrinted(t *testing.T) {
	main, _ := testServers(t)
	url := main.URL + "/secret-basic"
	for _, extra := range [][]string{nil, {"--json"}, {"--quiet"}, {"--auth", "basic"}} {
		args := append([]string{"send", "-u", testUser + ":" + testPassword}, extra...)
		args = append(args, url)
		r := keyhole(t, runOpts{}, args...)
		wantCode(t, r, exitOK, args...)
		if strings.Contains(r.all(), testPassword) || strings.Contains(r.all(), testBasic) {
			t.Errorf("keyhole %q printed the secret:\n%s", args, r.all())
		}
	}
	r := keyhole(t, runOpts{}, "send", "--json", "--show-secrets", "-u", testUser+":"+testPassword, url)
	if !strings.Contains(r.stdout, testBasic) {
		t.Errorf("--show-secrets --json hides the credentials:\n%s", r.stdout)
	}
}

func TestSendJSONShape(t *testing.T) {
	main, _ := testServers(t)
	r := keyhole(t, runOpts{}, "send", "--json", "-u", testUser+":"+testPassword, main.URL+"/secret-basic")
	wantCode(t, r, exitOK)
	var doc map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("--json is not one JSON document: %v\n%s", err, r.stdout)
	}
	final := doc["final"].(map[string]any)
	if final["status"] != float64(200) || final["attempt"] != float64(2) {
		t.Errorf("final = %v", final)
	}
	attempts := doc["attempts"].([]any)
	if len(attempts) != 2 {
		t.Fatalf("%d attempts, want 2", len(attempts))
	}
	for i, x := range attempts {
		a := x.(map[string]any)
		if a["n"] != float64(i+1) || a["purpose"] != "request" {
			t.Errorf("attempt %d: n=%v purpose=%v", i, a["n"], a["purpose"])
		}
		req := a["request"].(map[string]any)
		if req["method"] != "GET" || !strings.HasSuffix(req["url"].(string), "/secret-basic") {
			t.Errorf("request = %v", req)
		}
		if _, ok := req["headers"].(map[string]any); !ok {
			t.Errorf("request.headers is %T", req["headers"])
		}
		resp := a["response"].(map[string]any)
		for _, k := range []string{"status", "body_bytes"} {
			if _, ok := resp[k].(float64); !ok {
				t.Errorf("response.%s is %T", k, resp[k])
			}
		}
		for _, k := range []string{"proto", "body"} {
			if _, ok := resp[k].(string); !ok {
				t.Errorf("response.%s is %T", k, resp[k])
			}
		}
		if a["error"] != nil {
			t.Errorf("error = %v", a["error"])
		}
		for _, k := range []string{"redirects", "challenges", "findings"} {
			if _, ok := a[k].([]any); !ok {
				t.Errorf("%s is %T, want an array", k, a[k])
			}
		}
		timing := a["timing_ms"].(map[string]any)
		for _, k := range []string{"dns", "connect", "tls", "first_byte", "total"} {
			if _, ok := timing[k].(float64); !ok {
				t.Errorf("timing_ms.%s is %T", k, timing[k])
			}
		}
	}
	first := attempts[0].(map[string]any)
	ch := first["challenges"].([]any)[0].(map[string]any)
	if ch["scheme"] != "Basic" || ch["params"].(map[string]any)["realm"] != "test" {
		t.Errorf("challenge = %v", ch)
	}
	if f := first["findings"].([]any); len(f) == 0 || f[0].(map[string]any)["code"] != "missing-credentials" {
		t.Errorf("findings of the first attempt = %v", f)
	}

	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	r = keyhole(t, runOpts{}, "send", "--json", "http://"+addr+"/")
	wantCode(t, r, exitNoAnswer)
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("no-response JSON: %v\n%s", err, r.stdout)
	}
	if doc["final"].(map[string]any)["status"] != nil {
		t.Errorf("final.status = %v with no response, want null", doc["final"])
	}
	a := doc["attempts"].([]any)[0].(map[string]any)
	if a["response"] != nil || a["error"] == nil {
		t.Errorf("no-response attempt: response=%v error=%v", a["response"], a["error"])
	}
}

func TestSendCrossOriginRedirectDropsCredentials(t *testing.T) {
	main, _ := testServers(t)
	url := main.URL + "/cross"
	r := keyhole(t, runOpts{}, "send", "--auth", "basic", "-u", testUser+":"+testPassword, url)
	wantCode(t, r, exitAuth)
	if !strings.Contains(r.stdout, "Authorization not resent") {
		t.Errorf("the dropped Authorization is not shown:\n%s", r.stdout)
	}
	r = keyhole(t, runOpts{}, "send", "--location-trusted", "--auth", "basic", "-u", testUser+":"+testPassword, url)
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stdout, "other origin says hi") {
		t.Errorf("trusted redirect did not reach the other origin:\n%s", r.stdout)
	}
}

func TestSendDataAndHeaders(t *testing.T) {
	main, _ := testServers(t)
	url := main.URL + "/echo"
	file := filepath.Join(t.TempDir(), "body")
	os.WriteFile(file, []byte("from-file"), 0o600)
	cases := []struct {
		args  []string
		stdin string
		want  string
	}{
		{[]string{url, "-XPUT", "-d", "@-", "-H", "X-One: 1", "--header", "X-One: 2"}, "from-stdin", `PUT from-stdin ["1" "2"] application/x-www-form-urlencoded`},
		{[]string{"-d", "@" + file, "-H", "Content-Type: text/plain", url}, "", `POST from-file [] text/plain`},
		{[]string{"--request=PATCH", "--data=a=b", url}, "", `PATCH a=b []`},
		{[]string{url, "-XDELETE"}, "", `DELETE  []`},
	}
	for _, c := range cases {
		args := append([]string{"send"}, c.args...)
		r := keyhole(t, runOpts{stdin: c.stdin}, args...)
		wantCode(t, r, exitOK, args...)
		if !strings.Contains(r.stdout, c.want) {
			t.Errorf("keyhole %q: server saw something else than %q:\n%s", args, c.want, r.stdout)
		}
	}
}

func TestSendQuietPrintsOnlyTheFinalStatus(t *testing.T) {
	main, _ := testServers(t)
	r := keyhole(t, runOpts{}, "send", "--quiet", "-u", testUser+":"+testPassword, main.URL+"/secret-basic")
	wantCode(t, r, exitOK)
	if r.stdout != "200 OK\n" || r.stderr != "" {
		t.Errorf("--quiet printed %q / %q", r.stdout, r.stderr)
	}
}

// hostileServer answers every request with terminal escape sequences in the
// status text, a challenge parameter, a header and the body. It speaks raw
// HTTP because net/http will not send such a status line.
func hostileServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				br := bufio.NewReader(c)
				for {
					line, err := br.ReadString('\n')
					if err != nil || line == "\r\n" {
						break
					}
				}
				body := "clear\x1b[2J osc52\x1b]52;c;aGVsbG8=\x07 bell\x07 csi8\u009b31m del\x7f cr\roverwrite"
				fmt.Fprintf(c, "HTTP/1.1 401 Unauthorized\x1b[2J\x1b]0;pwned\x07\r\n"+
					"WWW-Authenticate: Basic realm=\"evil\u009b2J\u009d52;c;aGk=\"\r\n"+
					"X-Note: \u009b1m\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(body), body)
			}()
		}
	}()
	return "http://" + ln.Addr().String() + "/"
}

func TestSendHostileServerCannotReachTheTerminal(t *testing.T) {
	url := hostileServer(t)
	for _, extra := range [][]string{nil, {"--json"}, {"--quiet"}, {"-u", "a:b"}} {
		args := append(append([]string{"send"}, extra...), url)
		r := keyhole(t, runOpts{}, args...)
		wantCode(t, r, exitAuth, args...)
		out := r.all()
		for _, bad := range []string{"\x1b", "\x07", "\x7f", "\u009b", "\u009d", "\r"} {
			if strings.Contains(out, bad) {
				t.Errorf("keyhole %q let %q through to the terminal:\n%q", args, bad, out)
			}
		}
		if extra == nil && !strings.Contains(out, `\x1b[2J`) {
			t.Errorf("the escape is not shown escaped:\n%s", out)
		}
	}
}

func TestSendWithProfile(t *testing.T) {
	main, other := testServers(t)
	cfg := t.TempDir()
	env := []string{"XDG_CONFIG_HOME=" + cfg, "KH_PROFILE_PW=" + testPassword}
	r := keyhole(t, runOpts{env: env}, "profile", "save", "test", "--scheme", "basic", "--host", strings.TrimPrefix(main.URL, "http://"),
		"--user", testUser, "--password", "env:KH_PROFILE_PW")
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stdout, "references") {
		t.Errorf("profile save does not say where secrets are kept: %q", r.stdout)
	}
	r = keyhole(t, runOpts{env: env}, "profile", "list")
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stdout, "test") || !strings.Contains(r.stdout, "env:KH_PROFILE_PW") {
		t.Errorf("profile list = %q", r.stdout)
	}
	r = keyhole(t, runOpts{env: env}, "send", "--profile", "test", main.URL+"/secret-basic")
	wantCode(t, r, exitOK)
	if strings.Contains(r.all(), testPassword) {
		t.Errorf("the profile's password was printed:\n%s", r.all())
	}
	b, err := os.ReadFile(filepath.Join(cfg, "keyhole", "profiles.json"))
	if err != nil || strings.Contains(string(b), testPassword) {
		t.Fatalf("profiles.json: %v\n%s", err, b)
	}
	// The profile is bound to main's host:port; another origin never gets it.
	r = keyhole(t, runOpts{env: env}, "send", "--profile", "test", other.URL+"/secret-basic")
	wantCode(t, r, exitUsage)
	if !strings.Contains(r.stderr, "is for") {
		t.Errorf("host mismatch error: %q", r.stderr)
	}
	r = keyhole(t, runOpts{env: env}, "send", "--profile", "nope", main.URL+"/secret-basic")
	wantCode(t, r, exitUsage)
	r = keyhole(t, runOpts{env: env}, "profile", "delete", "test")
	wantCode(t, r, exitOK)
	r = keyhole(t, runOpts{env: env}, "send", "--profile", "test", main.URL+"/secret-basic")
	wantCode(t, r, exitUsage)
}

func TestSendAPIKey(t *testing.T) {
	main, _ := testServers(t)
	url := main.URL + "/apikey"
	for _, args := range [][]string{
		{"--api-key", "X-API-Key=" + testAPIKey},
		{"--api-key", "api_key=" + testAPIKey, "--api-key-in", "query"},
		{"--api-key", "X-API-Key=env:KH_KEY", "--json"},
		{"--api-key", "api_key=env:KH_KEY", "--api-key-in=query", "--json"},
	} {
		args = append(append([]string{"send"}, args...), url)
		r := keyhole(t, runOpts{env: []string{"KH_KEY=" + testAPIKey}}, args...)
		wantCode(t, r, exitOK, args...)
		if !strings.Contains(r.stdout, "key ok") && !strings.Contains(r.stdout, `"status": 200`) {
			t.Errorf("keyhole %q did not get in:\n%s", args, r.stdout)
		}
		if strings.Contains(r.all(), testAPIKey) {
			t.Errorf("keyhole %q printed the API key:\n%s", args, r.all())
		}
	}
	r := keyhole(t, runOpts{}, "send", url)
	wantCode(t, r, exitAuth)
	r = keyhole(t, runOpts{}, "send", "--api-key", "novalue", url)
	wantCode(t, r, exitUsage)
}

func TestSendNetrc(t *testing.T) {
	main, _ := testServers(t)
	netrc := filepath.Join(t.TempDir(), "netrc")
	os.WriteFile(netrc, []byte("machine 127.0.0.1 login "+testUser+" password "+testPassword+"\n"), 0o600)
	env := []string{"NETRC=" + netrc}
	r := keyhole(t, runOpts{env: env}, "send", "--netrc", main.URL+"/secret-basic")
	wantCode(t, r, exitOK)
	if strings.Contains(r.all(), testPassword) || strings.Contains(r.stderr, "warning") {
		t.Errorf("netrc send:\n%s", r.all())
	}
	os.Chmod(netrc, 0o644)
	r = keyhole(t, runOpts{env: env}, "send", "--netrc", main.URL+"/secret-basic")
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stderr, "chmod 600") {
		t.Errorf("no warning for a netrc others can read: %q", r.stderr)
	}
	os.WriteFile(netrc, []byte("machine elsewhere.example login x password y\n"), 0o600)
	r = keyhole(t, runOpts{env: env}, "send", "--netrc", main.URL+"/secret-basic")
	wantCode(t, r, exitUsage)
}

// digestRecord is the part of the --json record the Digest test reads.
type digestRecord struct {
	Final struct {
		Status  *int `json:"status"`
		Attempt int  `json:"attempt"`
	} `json:"final"`
	Attempts []struct {
		Scheme   string `json:"scheme"`
		Response *struct {
			Status int `json:"status"`
		} `json:"response"`
		Challenges []struct {
			Scheme string `json:"scheme"`
		} `json:"challenges"`
		Findings []struct {
			Code string `json:"code"`
		} `json:"findings"`
	} `json:"attempts"`
}

func TestSendPracticeDigest(t *testing.T) {
	srv := startPractice(t)
	url := srv.URL + "/digest"
	r := keyhole(t, runOpts{}, "send", "-u", "alice:wonderland", url, "--json")
	wantCode(t, r, exitOK)
	var doc digestRecord
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if len(doc.Attempts) != 2 {
		t.Fatalf("%d attempts, want 401 then 200:\n%s", len(doc.Attempts), r.stdout)
	}
	first, second := doc.Attempts[0], doc.Attempts[1]
	if first.Response.Status != 401 || len(first.Challenges) == 0 || first.Challenges[0].Scheme != "Digest" {
		t.Errorf("first attempt: %+v", first)
	}
	if second.Response.Status != 200 || second.Scheme != "Digest" || *doc.Final.Status != 200 {
		t.Errorf("second attempt: %+v, final %+v", second, doc.Final)
	}
	// The practice server's own 401 body names its public password; nothing
	// keyhole wrote may.
	if strings.Count(r.stdout, "wonderland") != strings.Count(r.stdout, "alice / wonderland") {
		t.Errorf("the password is in the JSON:\n%s", r.stdout)
	}

	r = keyhole(t, runOpts{}, "send", "-u", "alice:wonderland", url)
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stdout, "chose SHA-256") {
		t.Errorf("the choice between the two Digest challenges is not shown:\n%s", r.stdout)
	}

	r = keyhole(t, runOpts{}, "send", "-u", "alice:wrong", url, "--json")
	wantCode(t, r, exitAuth)
	doc = digestRecord{}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	last := doc.Attempts[len(doc.Attempts)-1]
	codes := ""
	for _, f := range last.Findings {
		codes += f.Code + " "
	}
	if last.Scheme != "Digest" || !strings.Contains(codes, "credentials-rejected") {
		t.Errorf("last attempt: scheme %q, findings %s", last.Scheme, codes)
	}

	// --auth digest waits for the challenge; --auth basic sends Basic at once,
	// which a Digest-only endpoint refuses and keyhole does not answer with
	// Digest, because the user asked for Basic.
	r = keyhole(t, runOpts{}, "send", "--auth", "digest", "-u", "alice:wonderland", url, "--quiet")
	wantCode(t, r, exitOK)
	r = keyhole(t, runOpts{}, "send", "--auth", "basic", "-u", "alice:wonderland", url)
	wantCode(t, r, exitAuth)
}

func TestSendPracticeTokenServices(t *testing.T) {
	srv := startPractice(t)
	// A registry's token realm is followed with no credentials at all.
	r := keyhole(t, runOpts{}, "send", srv.URL+"/registry/v2/")
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stdout, "(token request)") {
		t.Errorf("the token request is not shown as an attempt:\n%s", r.stdout)
	}
	// OAuth 2.0 client credentials, the token endpoint given.
	secret := []string{"KH_SECRET=practice-secret"}
	r = keyhole(t, runOpts{env: secret}, "send", "--client-id", "practice-client", "--client-secret", "env:KH_SECRET",
		"--token-url", srv.URL+"/oauth/token", srv.URL+"/jwt")
	wantCode(t, r, exitOK)
	// The practice server's 401 body names its public client secret; nothing
	// keyhole wrote may.
	leaked := func(out string) bool {
		return strings.Count(out, "practice-secret") != strings.Count(out, "practice-client / practice-secret")
	}
	if leaked(r.all()) {
		t.Errorf("the client secret was printed:\n%s", r.all())
	}
	r = keyhole(t, runOpts{env: secret}, "send", "--json", "--client-id", "practice-client", "--client-secret", "env:KH_SECRET",
		"--token-url", srv.URL+"/oauth/token", srv.URL+"/jwt")
	wantCode(t, r, exitOK)
	if leaked(r.all()) || strings.Contains(r.stdout, "eyJ") {
		t.Errorf("a secret is in the JSON:\n%s", r.stdout)
	}
}

func TestSendPracticeForbidden(t *testing.T) {
	srv := startPractice(t)
	r := keyhole(t, runOpts{}, "send", "-u", "alice:wonderland", srv.URL+"/forbidden")
	wantCode(t, r, exitForbidden)
	if !strings.Contains(r.stdout, "forbidden") {
		t.Errorf("no forbidden finding:\n%s", r.stdout)
	}
	r = keyhole(t, runOpts{}, "send", "-u", "bob:builder", srv.URL+"/forbidden", "--quiet")
	wantCode(t, r, exitOK)
}

func TestSendFromCurlCommand(t *testing.T) {
	srv := startPractice(t)
	main, _ := testServers(t)
	cases := []struct {
		args []string
		env  []string
		code int
		has  string
	}{
		{[]string{"--curl", "curl -u alice:wonderland --digest " + srv.URL + "/digest"}, nil, exitOK, "with Digest"},
		// Flags on keyhole's command line win over the curl command's.
		{[]string{"--curl", "curl -u alice:wrong --digest " + srv.URL + "/digest", "-u", "alice:wonderland"}, nil, exitOK, "200 OK"},
		{[]string{"--curl", `curl -sS -X PUT -H 'X-One: a' --data-raw 'curl body' ` + main.URL + "/echo"}, nil, exitOK, `PUT curl body ["a"]`},
		{[]string{"--curl", `curl -H 'X-One: a' -d x ` + main.URL + "/echo", "-H", "X-One: b", "-XPATCH"}, nil, exitOK, `PATCH x ["b"]`},
		{[]string{"--curl", `curl -H "Authorization: Bearer $KH_TOKEN" ` + main.URL + "/bearer"}, []string{"KH_TOKEN=" + testToken}, exitOK, "token ok"},
		{[]string{"--curl", "curl " + main.URL + "/redirect"}, nil, exitOK, "302 Found"}, // curl without -L does not follow
		{[]string{"--curl", "wget " + main.URL + "/ok"}, nil, exitUsage, "--curl"},
	}
	for _, c := range cases {
		args := append([]string{"send"}, c.args...)
		r := keyhole(t, runOpts{env: c.env}, args...)
		wantCode(t, r, c.code, args...)
		if !strings.Contains(r.all(), c.has) {
			t.Errorf("keyhole %q output lacks %q:\n%s", args, c.has, r.all())
		}
		if strings.Contains(r.all(), testToken) {
			t.Errorf("keyhole %q printed the token:\n%s", args, r.all())
		}
	}
}

func TestSendPrintCurlAndHAR(t *testing.T) {
	main, _ := testServers(t)
	url := main.URL + "/secret-basic"
	r := keyhole(t, runOpts{}, "send", "--print-curl", "--quiet", "-u", testUser+":"+testPassword, url)
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stdout, "curl") || !strings.Contains(r.stdout, "$KEYHOLE_PASSWORD") || strings.Contains(r.stdout, testPassword) {
		t.Errorf("--print-curl printed:\n%s", r.stdout)
	}
	r = keyhole(t, runOpts{}, "send", "--print-curl", "--show-secrets", "--quiet", "-u", testUser+":"+testPassword, url)
	if !strings.Contains(r.stdout, testPassword) {
		t.Errorf("--print-curl --show-secrets hides the password:\n%s", r.stdout)
	}
	r = keyhole(t, runOpts{}, "send", "--print-curl", "--json", "-u", testUser+":"+testPassword, url)
	var doc map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || !strings.Contains(r.stderr, "curl") {
		t.Errorf("--print-curl --json: stdout is not JSON (%v) or the command is not on stderr:\n%s", err, r.stderr)
	}

	har := filepath.Join(t.TempDir(), "out.har")
	r = keyhole(t, runOpts{}, "send", "--har", har, "-u", testUser+":"+testPassword, url)
	wantCode(t, r, exitOK)
	b, err := os.ReadFile(har)
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(har); st.Mode().Perm() != 0o600 {
		t.Errorf("HAR mode %v, want 0600", st.Mode().Perm())
	}
	var h struct {
		Log struct {
			Version string `json:"version"`
			Entries []struct {
				Response struct {
					Status int `json:"status"`
				} `json:"response"`
			} `json:"entries"`
		} `json:"log"`
	}
	if err := json.Unmarshal(b, &h); err != nil {
		t.Fatalf("HAR is not JSON: %v", err)
	}
	if h.Log.Version != "1.2" || len(h.Log.Entries) != 2 || h.Log.Entries[1].Response.Status != 200 {
		t.Errorf("HAR log = %+v", h.Log)
	}
	if strings.Contains(string(b), testPassword) || strings.Contains(string(b), testBasic) {
		t.Errorf("the HAR holds the password")
	}
	r = keyhole(t, runOpts{}, "send", "--har", filepath.Join(t.TempDir(), "no", "such", "dir.har"), main.URL+"/ok")
	wantCode(t, r, exitUsage)
}

func TestSendMutualTLS(t *testing.T) {
	dir := t.TempDir()
	caPEM, cert, key, serverTLS, err := practice.MTLSMaterial(dir)
	if err != nil {
		t.Fatal(err)
	}
	ca := filepath.Join(dir, "ca-for-keyhole.pem")
	if err := os.WriteFile(ca, []byte(caPEM), 0o600); err != nil {
		t.Fatal(err)
	}
	p := startPractice(t)
	srv := httptest.NewUnstartedServer(p.Handler())
	srv.TLS = serverTLS
	srv.StartTLS()
	t.Cleanup(srv.Close)
	url := srv.URL + "/mtls"

	r := keyhole(t, runOpts{}, "send", "--cacert", ca, "--cert", cert, "--key", key, url)
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stdout, `"scheme":"mTLS"`) {
		t.Errorf("mTLS answer:\n%s", r.stdout)
	}
	if !strings.Contains(r.stdout, "/mtls  with client certificate CN=alice\n") || strings.Contains(r.stdout, "without credentials") {
		t.Errorf("the attempt does not name the client certificate:\n%s", r.stdout)
	}
	r = keyhole(t, runOpts{}, "send", "--cacert", ca, url)
	wantCode(t, r, exitForbidden)
	if !strings.Contains(r.stdout, "/mtls  without credentials\n") {
		t.Errorf("an attempt without a certificate:\n%s", r.stdout)
	}
	r = keyhole(t, runOpts{}, "send", "-k", "--cert", cert, "--key", key, url, "--quiet")
	wantCode(t, r, exitOK)
	r = keyhole(t, runOpts{}, "send", url) // the throwaway CA is not trusted
	wantCode(t, r, exitNoAnswer)
	r = keyhole(t, runOpts{}, "send", "--cert", filepath.Join(dir, "missing.pem"), url)
	wantCode(t, r, exitUsage)
}

// inTerminal runs keyhole under script(1), so its stdin and stdout are a real
// pseudo-terminal, and types input once a password prompt is on the screen:
// typed any earlier, under load, it would be echoed before the prompt turns
// echo off.
func inTerminal(t *testing.T, env []string, input string, args ...string) string {
	t.Helper()
	script, err := exec.LookPath("script")
	if err != nil {
		t.Skip("script (util-linux) is not installed; it provides the terminal for this test")
	}
	line := "'" + bin + "'"
	for _, a := range args {
		line += " '" + a + "'"
	}
	cmd := exec.Command(script, "-qec", line, "/dev/null")
	cmd.Env = append([]string{"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH"), "TERM=xterm-256color", credentials.NoKeychainEnv + "=1"}, env...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var out peers.LockedBuffer
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if input != "" {
		for deadline := time.Now().Add(20 * time.Second); !strings.Contains(out.String(), "Password for") && time.Now().Before(deadline); {
			time.Sleep(20 * time.Millisecond)
		}
		// The prompt is written just before ReadPassword turns echo off.
		time.Sleep(300 * time.Millisecond)
		io.WriteString(stdin, input)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		err = <-done
	}
	stdin.Close()
	if err != nil {
		t.Fatalf("keyhole %q in a terminal: %v\n%s", args, err, out.String())
	}
	return out.String()
}

func TestSendInATerminal(t *testing.T) {
	srv := startPractice(t)
	url := srv.URL + "/basic"
	out := inTerminal(t, nil, "wonderland\r", "send", "-u", "alice", "--quiet", url)
	if !strings.Contains(out, "Password for alice:") || !strings.Contains(out, "200 OK") {
		t.Errorf("password prompt flow:\n%q", out)
	}
	if strings.Contains(out, "wonderland") {
		t.Errorf("the typed password was echoed:\n%q", out)
	}
	if !strings.Contains(out, "\x1b[") {
		t.Errorf("no colour on a terminal:\n%q", out)
	}
	out = inTerminal(t, []string{"NO_COLOR=1"}, "", "send", "-u", "alice:wonderland", url)
	if strings.Contains(out, "\x1b") || !strings.Contains(out, "200 OK") {
		t.Errorf("NO_COLOR output:\n%q", out)
	}
}

func TestSendTimeoutIsNoAnswer(t *testing.T) {
	srv := startPractice(t)
	r := keyhole(t, runOpts{}, "send", "--timeout", "300ms", srv.URL+"/slow?ms=5000")
	wantCode(t, r, exitNoAnswer)
	if !strings.Contains(r.stdout, "timed out") {
		t.Errorf("the timeout is not named:\n%s", r.all())
	}
	r = keyhole(t, runOpts{}, "send", "--fresh", "-u", "alice:wonderland", srv.URL+"/basic", "--quiet")
	wantCode(t, r, exitOK)
}

func TestSendAWSSigV4(t *testing.T) {
	const access, secret = "AKIDKEYHOLETEST", "wJalrXUtnFEMI-keyhole-test-secret"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential="+access+"/") || !strings.Contains(auth, "/eu-west-1/s3/aws4_request") || r.Header.Get("X-Amz-Date") == "" {
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `<?xml version="1.0"?><Error><Code>SignatureDoesNotMatch</Code><Message>nope</Message></Error>`)
			return
		}
		fmt.Fprintln(w, "signed ok")
	}))
	t.Cleanup(srv.Close)
	env := []string{"AWS_ACCESS_KEY_ID=" + access, "AWS_SECRET_ACCESS_KEY=" + secret}
	for _, scope := range []string{"aws:eu-west-1:s3", "aws:amz:eu-west-1:s3"} {
		r := keyhole(t, runOpts{env: env}, "send", "--aws-sigv4", scope, srv.URL+"/bucket/key")
		wantCode(t, r, exitOK, scope)
		if strings.Contains(r.all(), secret) {
			t.Errorf("the secret key was printed:\n%s", r.all())
		}
	}
	// curl's -u holds the keys for --aws-sigv4: a --curl import signs with
	// them, not with the environment's (none here).
	curl := "curl --aws-sigv4 aws:amz:eu-west-1:s3 -u " + access + ":" + secret + " " + srv.URL + "/bucket/key"
	if path, err := exec.LookPath("curl"); err == nil {
		if st := curlStatus(t, path, strings.Fields(curl)[1:]); st != 200 {
			t.Fatalf("the test server refuses curl's own signature: %d", st)
		}
	}
	r := keyhole(t, runOpts{}, "send", "--curl", curl)
	wantCode(t, r, exitOK, curl)
	if strings.Contains(r.all(), secret) {
		t.Errorf("the secret key of the curl command was printed:\n%s", r.all())
	}
	// The same words as keyhole send's own flags: -u holds the keys too,
	// taken as typed, as curl takes them, not the environment's.
	r = keyhole(t, runOpts{env: []string{"AWS_ACCESS_KEY_ID=AKIDWRONG", "AWS_SECRET_ACCESS_KEY=wrong"}},
		"send", "--aws-sigv4", "aws:amz:eu-west-1:s3", "-u", access+":"+secret, srv.URL+"/bucket/key")
	wantCode(t, r, exitOK, "--aws-sigv4 -u")
	if strings.Contains(r.all(), secret) {
		t.Errorf("the secret key given with -u was printed:\n%s", r.all())
	}
	r = keyhole(t, runOpts{env: env}, "send", "--curl", strings.Replace(curl, "eu-west-1", "us-east-1", 1))
	wantCode(t, r, exitForbidden)
	r = keyhole(t, runOpts{env: env}, "send", "--aws-sigv4", "aws:us-east-1:s3", srv.URL+"/bucket/key")
	wantCode(t, r, exitForbidden)
	r = keyhole(t, runOpts{}, "send", "--aws-sigv4", "aws:eu-west-1:s3", srv.URL+"/bucket/key")
	wantCode(t, r, exitUsage)
	if !strings.Contains(r.stderr, "AWS_ACCESS_KEY_ID") {
		t.Errorf("missing keys error: %q", r.stderr)
	}
}

func TestSendTokenEndpointRefusal(t *testing.T) {
	srv := startPractice(t)
	args := []string{"send", "--auth", "oauth2", "--client-id", "practice-client", "--client-secret", "bad-secret-7781",
		"--token-url", srv.URL + "/oauth/token", srv.URL + "/jwt"}
	r := keyhole(t, runOpts{}, args...)
	wantCode(t, r, exitAuth, args...)
	if !strings.Contains(r.stdout, "(token request)") || !strings.Contains(r.stderr, "invalid_client") {
		t.Errorf("the refused token request is not shown:\n%s", r.all())
	}
	if strings.Contains(r.all(), "bad-secret-7781") {
		t.Errorf("the client secret was printed:\n%s", r.all())
	}
	r = keyhole(t, runOpts{}, append(args[:len(args):len(args)], "--json")...)
	wantCode(t, r, exitAuth)
	var doc map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("--json after a token refusal: %v\n%s", err, r.stdout)
	}
}

func TestSendPrintsBigBodiesWhole(t *testing.T) {
	main, _ := testServers(t)
	r := keyhole(t, runOpts{}, "send", main.URL+"/utf8")
	wantCode(t, r, exitOK)
	want := strings.Repeat("a", 64<<10-1) + "é" + strings.Repeat("b", 64<<10-2) + "€end\n"
	if !strings.HasSuffix(r.stdout, "\n\n"+want) {
		t.Errorf("the body was not printed intact; its end: %q", r.stdout[max(0, len(r.stdout)-40):])
	}
}

func TestSendOAuthPasswordAndRefreshGrants(t *testing.T) {
	srv := startPractice(t)
	common := []string{"--client-id", "practice-client", "--client-secret", "practice-secret", "--token-url", srv.URL + "/oauth/token"}
	rt := passwordGrantRefreshToken(t, srv.URL, common)

	args := append(append([]string{"send", "--grant", "refresh_token", "--refresh-token", "env:KH_RT"}, common...), srv.URL+"/jwt")
	r := keyhole(t, runOpts{env: []string{"KH_RT=" + rt}}, args...)
	wantCode(t, r, exitOK, args...)
	if !strings.Contains(r.stdout, `"sub":"alice"`) || strings.Contains(r.all(), rt) {
		t.Errorf("refresh grant:\n%s", r.all())
	}
	r = keyhole(t, runOpts{}, "send", "--grant", "refresh_token", "--client-id", "x", srv.URL+"/jwt")
	wantCode(t, r, exitUsage)
}

// startProxy runs the practice forward proxy, which demands alice /
// wonderland and forwards to loopback only.
func startProxy(t *testing.T) *practice.Proxy {
	t.Helper()
	p, err := practice.StartProxy("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func TestSendThroughProxy(t *testing.T) {
	srv := startPractice(t)
	proxy := startProxy(t)
	url := srv.URL + "/proxy" // 200 only for a request the proxy let through

	r := keyhole(t, runOpts{}, "send", "-x", proxy.URL, url)
	wantCode(t, r, exitAuth)
	for _, want := range []string{"via proxy " + proxy.URL, "407 Proxy Authentication Required", "challenge (Proxy-Authenticate): Basic", "proxy-auth-required"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("without -U, output lacks %q:\n%s", want, r.stdout)
		}
	}

	for _, args := range [][]string{
		{"-x", proxy.URL, "-U", "alice:wonderland"},
		{"--proxy", strings.TrimPrefix(proxy.URL, "http://"), "--proxy-user=alice:wonderland"}, // curl's default scheme
		{"-x", strings.Replace(proxy.URL, "http://", "http://alice:wonderland@", 1)},           // credentials in the proxy URL
	} {
		r = keyhole(t, runOpts{}, append(append([]string{"send"}, args...), url)...)
		wantCode(t, r, exitOK, args...)
		for _, want := range []string{"#1 GET " + url + "  without credentials", "407", "#2 GET " + url + "  with proxy Basic", "Proxy-Authorization: Basic alice:•••", "200 OK", `"via":"proxy"`} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("%q: output lacks %q:\n%s", args, want, r.stdout)
			}
		}
		if strings.Contains(r.all(), "wonderland") {
			t.Errorf("%q: the proxy password was printed:\n%s", args, r.all())
		}
	}

	// -u answers the server and -U the proxy, each its own challenge, and
	// the proxy's credentials stay on the request that answers the server.
	r = keyhole(t, runOpts{}, "send", "-x", proxy.URL, "-U", "alice:wonderland", "-u", "alice:wonderland", srv.URL+"/basic")
	wantCode(t, r, exitOK)
	for _, want := range []string{"#2 GET " + srv.URL + "/basic  with proxy Basic", "401 Unauthorized", "#3 GET " + srv.URL + "/basic  with Basic, proxy Basic", "200 OK"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("-u with -U: output lacks %q:\n%s", want, r.stdout)
		}
	}

	// A wrong proxy password is tried once, then reported.
	r = keyhole(t, runOpts{}, "send", "-x", proxy.URL, "-U", "alice:nope", url)
	wantCode(t, r, exitAuth)
	if !strings.Contains(r.stdout, "credentials-rejected") || strings.Contains(r.stdout, "#3") {
		t.Errorf("wrong proxy password:\n%s", r.stdout)
	}

	// --noproxy sends straight to the server: its own 401, no proxy's 407.
	r = keyhole(t, runOpts{}, "send", "-x", proxy.URL, "--noproxy", "example.com,127.0.0.1", srv.URL+"/basic")
	wantCode(t, r, exitAuth)
	if strings.Contains(r.stdout, "via proxy") || strings.Contains(r.stdout, "407 Proxy") || !strings.Contains(r.stdout, "401 Unauthorized") {
		t.Errorf("--noproxy still went through the proxy:\n%s", r.stdout)
	}

	r = keyhole(t, runOpts{}, "send", "-x", "ftp://127.0.0.1:1", url)
	wantCode(t, r, exitUsage)
	if lines := strings.Count(strings.TrimSpace(r.stderr), "\n"); lines != 0 || !strings.Contains(r.stderr, "use http, https, socks5 or socks5h") {
		t.Errorf("a bad proxy scheme: %q", r.stderr)
	}
	r = keyhole(t, runOpts{}, "send", "-x", proxy.URL, "-U", "alice", url)
	wantCode(t, r, exitUsage)
	if !strings.Contains(r.stderr, "-U alice gives no password and stdin is not a terminal") {
		t.Errorf("-U without a password off a terminal: %q", r.stderr)
	}
}

func TestSendProxyPasswordPrompt(t *testing.T) {
	srv := startPractice(t)
	proxy := startProxy(t)
	out := inTerminal(t, nil, "wonderland\r", "send", "-x", proxy.URL, "-U", "alice", "--quiet", srv.URL+"/proxy")
	if !strings.Contains(out, "Password for proxy user alice:") || !strings.Contains(out, "200 OK") {
		t.Errorf("proxy password prompt flow:\n%q", out)
	}
	if strings.Contains(out, "wonderland") {
		t.Errorf("the typed password was echoed:\n%q", out)
	}
}

func TestBypassProxy(t *testing.T) {
	for _, c := range []struct {
		list, host string
		want       bool
	}{
		{"*", "anything.example", true},
		{"example.com", "example.com", true},
		{"example.com", "api.example.com", true},
		{".example.com", "api.example.com", true},
		{"example.com", "notexample.com", false},
		{"example.com", "example.com.evil", false},
		{"EXAMPLE.com.", "Example.COM", true},
		{"a.test, b.test", "b.test", true},
		{"10.0.0.0/8", "10.1.2.3", true},
		{"10.0.0.0/8", "11.1.2.3", false},
		{"10.0.0.0/8", "ten.example", false},
		{"127.0.0.1", "127.0.0.1", true},
		{"::1", "::1", true},
		{"[::1]", "::1", true},
		{"fd00::/8", "fd12::1", true},
		{"", "example.com", false},
		{",,", "example.com", false},
	} {
		if got := session.BypassProxy(c.list, c.host); got != c.want {
			t.Errorf("session.BypassProxy(%q, %q) = %v, want %v", c.list, c.host, got, c.want)
		}
	}
}

// indentEscaped is what writeJSON's output should be: json.Indent, then DEL
// and C1 controls escaped (they occur only in strings).
func indentEscaped(t testing.TB, compact []byte) string {
	var b bytes.Buffer
	if err := json.Indent(&b, compact, "", "  "); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	for _, r := range b.String() {
		if r == 0x7f || (r >= 0x80 && r <= 0x9f) {
			fmt.Fprintf(&out, `\u%04x`, r)
		} else {
			out.WriteRune(r)
		}
	}
	return out.String()
}

func TestWriteJSONIndentsAsJSONIndent(t *testing.T) {
	docs := []any{
		map[string]any{},
		[]any{},
		map[string]any{"a": []any{}, "b": map[string]any{}, "c": []any{1, "x", nil, true, map[string]any{"d": []any{[]any{}}}}},
		[]string{"quote \" backslash \\ slash / colon: comma, brace { bracket ]", "\u009b31m csi \x7f del \u0085 nel é € \U0001F600"},
		map[string]string{"<html>&": "\u00c2\u0080 is not C1 but \u0080 is"},
		"just a string",
		42.5,
	}
	for _, d := range docs {
		compact, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		if err := writeJSON(&got, d); err != nil || got.String() != indentEscaped(t, compact)+"\n" {
			t.Errorf("writeJSON(%s) (err %v):\ngot  %q\nwant %q", compact, err, got.String(), indentEscaped(t, compact))
		}
	}
	var out bytes.Buffer
	if err := writeJSON(&out, docs[3]); err != nil || strings.ContainsAny(out.String(), "\u009b\x7f\u0085") {
		t.Errorf("writeJSON left a control character raw (err %v): %q", err, out.String())
	}
}

// passwordGrantRefreshToken runs the password grant at the practice server
// with keyhole send --show-secrets, which keeps the token response's
// refresh token in the JSON, and returns that refresh token.
func passwordGrantRefreshToken(t *testing.T, base string, common []string) string {
	t.Helper()
	args := append(append([]string{"send", "--json", "--show-secrets", "--grant", "password", "-u", "alice:wonderland"}, common...), base+"/jwt")
	r := keyhole(t, runOpts{}, args...)
	wantCode(t, r, exitOK, args...)
	i := strings.Index(r.stdout, `\"refresh_token\":\"`)
	if i < 0 {
		t.Fatalf("no refresh token in the token response:\n%s", r.stdout)
	}
	rt := r.stdout[i+len(`\"refresh_token\":\"`):]
	return rt[:strings.Index(rt, `\"`)]
}
