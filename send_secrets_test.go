package main

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Issue 17 item 3: keys the user gave under any header name stay with their
// origin when A redirects to B.
func TestSendRedirectKeepsEveryKeyWithItsOrigin(t *testing.T) {
	b := startAttacker(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "b") })
	a := startOrigin(t, func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, b.URL+"/landed", http.StatusFound) })
	for _, args := range [][]string{
		{"--api-key", "X-Client-Key=ck-31415-secret"},
		{"-H", "Ocp-Apim-Subscription-Key: apim-27182-secret"},
		{"-H", "X-Access-Key: ak-16180-secret"},
		{"-H", "Signature: sig-14142-secret"},
		{"-H", "X-Session: sess-17320-secret"},
		{"--mark-secret", "X-Tenant", "-H", "X-Tenant: tenant-22360-secret"},
	} {
		secret := args[len(args)-1]
		secret = secret[strings.LastIndexAny(secret, " =")+1:]
		r := keyhole(t, runOpts{}, append([]string{"send"}, append(args, a.URL+"/start")...)...)
		wantCode(t, r, exitOK)
		if b.got(secret) {
			t.Errorf("%q reached %s after the redirect:\n%s", args, b.URL, r.stdout)
		}
		if !strings.Contains(r.stdout, "not resent: another origin") {
			t.Errorf("%q: the output does not say the key was held back:\n%s", args, r.stdout)
		}
	}
}

// startOrigin serves h on 127.0.0.1: the origin the user sends to.
func startOrigin(t *testing.T, h http.HandlerFunc) *attacker {
	t.Helper()
	a := startAttacker(t, h)
	a.URL = a.Server.URL
	return a
}

// echoServer plays a server that quotes back every secret it was sent: in its
// reason phrase, a response header, the body and an OAuth-style
// error_description. It challenges for Basic until it gets one.
func echoServer(t *testing.T) *attacker {
	return startOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		var echo []string
		for name, vs := range r.Header {
			if name != "Accept-Encoding" && name != "User-Agent" {
				echo = append(echo, name+"="+strings.Join(vs, ","))
			}
		}
		if u, p, ok := r.BasicAuth(); ok {
			echo = append(echo, "user="+u+" password="+p)
		}
		echo = append(echo, "query="+r.URL.RawQuery, "rawquery="+r.URL.Query().Encode())
		all := strings.Join(echo, " ")
		status, reason := 200, "OK you sent "+all
		if _, _, ok := r.BasicAuth(); !ok {
			status, reason = 401, "Unauthorized, not with "+all
		}
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		body := fmt.Sprintf(`{"error":"invalid_request","error_description":%q}`, "you sent "+all)
		fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nX-Echo: %s\r\n", status, strings.ReplaceAll(reason, "\r\n", " "), all)
		if status == 401 {
			fmt.Fprintf(buf, "WWW-Authenticate: Basic realm=\"echo %s\"\r\n", strings.ReplaceAll(all, `"`, ""))
		}
		fmt.Fprintf(buf, "Content-Length: %d\r\nConnection: close\r\n\r\n%s", len(body), body)
		buf.Flush()
	})
}

// Issue 17 items 4 and 6, and the acceptance test: with unique secrets of
// every kind, every output mode (plain, -q, --json, --har, --print-curl)
// under a fresh HOME, while the server echoes all it got. Neither the
// outputs nor any file in HOME hold a secret in clear. (Saved sessions:
// session.TestSaveScrubsEchoedSecrets.)
func TestSendNoOutputHoldsASecret(t *testing.T) {
	srv := echoServer(t)
	const pw = "pw-echo-58213"
	secrets := []string{pw, base64.StdEncoding.EncodeToString([]byte(testUser + ":" + pw)),
		"pt-private-61803", "goog-api-44721", "custom-tok-33166", "appid-query-70710", "apim-sub-86602", "tenant-mark-96592"}
	runs := [][]string{
		{"-H", "Private-Token: pt-private-61803", "-H", "X-Goog-Api-Key: goog-api-44721", "-H", "Ocp-Apim-Subscription-Key: apim-sub-86602"},
		{"--api-key", "X-Custom-Token=custom-tok-33166"},
		{"--api-key-in", "query", "--api-key", "appid=appid-query-70710"},
		{"--mark-secret", "X-Tenant", "-H", "X-Tenant: tenant-mark-96592"},
	}
	modes := [][]string{{}, {"-q"}, {"--json"}, {"--har", "HAR"}, {"--print-curl"}, {"--json", "--print-curl"}}
	home := t.TempDir()
	for _, run := range runs {
		for _, mode := range modes {
			mode = append([]string(nil), mode...)
			for i, m := range mode {
				if m == "HAR" {
					mode[i] = filepath.Join(home, "out.har")
				}
			}
			args := append([]string{"send", "-u", testUser + ":" + pw}, run...)
			args = append(append(args, mode...), srv.URL+"/echo")
			r := keyhole(t, runOpts{env: []string{"HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, ".config")}}, args...)
			wantCode(t, r, exitOK, args...)
			if !strings.Contains(r.all(), "•••") {
				t.Errorf("%q: nothing was masked, so the server's echo was not seen:\n%s", args, r.all())
			}
			for _, s := range secrets {
				if strings.Contains(r.all(), s) {
					t.Errorf("%q printed the secret %q:\n%s", args, s, grepLines(r.all(), s))
				}
			}
			for _, s := range secrets {
				if f := fileHolding(t, home, s); f != "" {
					t.Errorf("%q left the secret %q in %s", args, s, f)
				}
			}
		}
	}
	if _, err := os.Stat(filepath.Join(home, "out.har")); err != nil {
		t.Fatalf("no HAR written: %v", err)
	}
	// --show-secrets is the user asking: then they are printed.
	r := keyhole(t, runOpts{}, "send", "--show-secrets", "-u", testUser+":"+pw, srv.URL+"/echo")
	if !strings.Contains(r.stdout, pw) {
		t.Errorf("--show-secrets did not show the echoed password:\n%s", r.stdout)
	}
}

func grepLines(s, sub string) string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		if strings.Contains(sc.Text(), sub) {
			out = append(out, sc.Text())
		}
	}
	return strings.Join(out, "\n")
}

// fileHolding returns a file under dir that holds s, or "".
func fileHolding(t *testing.T, dir, s string) string {
	t.Helper()
	found := ""
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || found != "" {
			return nil
		}
		if b, err := os.ReadFile(path); err == nil && strings.Contains(string(b), s) {
			found = path
		}
		return nil
	})
	return found
}
