package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildKeyholeForPractice builds the binary the way a user gets it.
func buildKeyholeForPractice(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "keyhole")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestPracticeCommandServesWhatItLists runs keyhole practice on a free port,
// reads the address from the first line, requests every endpoint it lists,
// goes through the forward proxy it started, and stops it with SIGTERM.
func TestPracticeCommandServesWhatItLists(t *testing.T) {
	bin := buildKeyholeForPractice(t)
	cmd := exec.Command(bin, "practice", "--addr", "127.0.0.1:0", "--proxy-addr", "127.0.0.1:0", "--token-ttl", "7s")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()

	sc := bufio.NewScanner(stdout)
	if !sc.Scan() {
		t.Fatalf("no output; stderr: %s", stderr.String())
	}
	base, ok := strings.CutPrefix(sc.Text(), "practice server on ")
	if !ok || !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Fatalf("first line %q, want practice server on http://127.0.0.1:PORT", sc.Text())
	}
	var proxyURL string
	type listed struct{ method, url string }
	var endpoints []listed
	for sc.Scan() {
		line := sc.Text()
		if p, ok := strings.CutPrefix(line, "forward proxy on "); ok {
			proxyURL, _, _ = strings.Cut(p, " ")
			continue
		}
		if strings.HasPrefix(line, "ctrl+c") {
			break
		}
		f := strings.Fields(line)
		if len(f) < 3 || !strings.HasPrefix(f[1], base+"/") {
			t.Errorf("endpoint line %q is not METHOD URL SCHEME CREDENTIALS", line)
			continue
		}
		endpoints = append(endpoints, listed{f[0], f[1]})
	}
	if len(endpoints) < 10 {
		t.Fatalf("%d endpoints listed, want every lab endpoint at least", len(endpoints))
	}

	client := &http.Client{
		Timeout:       40 * time.Second, // /slow answers after 5 s by default
		Transport:     &http.Transport{Proxy: nil},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	for _, e := range endpoints {
		req, _ := http.NewRequest(e.method, e.url, nil)
		resp, err := client.Do(req)
		if err != nil {
			t.Errorf("%s %s: %v", e.method, e.url, err)
			continue
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 500 || resp.StatusCode == 404 {
			t.Errorf("%s %s: status %d", e.method, e.url, resp.StatusCode)
		}
	}

	pu, err := url.Parse(proxyURL)
	if err != nil || pu.Host == "" {
		t.Fatalf("no forward proxy line (got %q)", proxyURL)
	}
	pu.User = url.UserPassword("alice", "wonderland")
	viaProxy := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(pu)}}
	resp, err := viaProxy.Get(base + "/proxy")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("/proxy through the printed proxy: status %d, want 200", resp.StatusCode)
	}

	// --token-ttl reached the authorization server.
	req, _ := http.NewRequest("POST", base+"/oauth/token", strings.NewReader("grant_type=client_credentials"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("practice-client", "practice-secret")
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		ExpiresIn int `json:"expires_in"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if err != nil || tok.ExpiresIn != 7 {
		t.Errorf("token with --token-ttl 7s: expires_in %d (%v), want 7", tok.ExpiresIn, err)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("after SIGTERM: %v, want a clean exit; stderr: %s", err, stderr.String())
	}
	if _, err := client.Get(base + "/basic"); err == nil {
		t.Error("the server still answers after the command exited")
	}
}

func TestPracticeCommandRefusesPublicAddressWithoutFlag(t *testing.T) {
	var out, errOut strings.Builder
	if code := run([]string{"practice", "--addr", "0.0.0.0:0"}, nil, &out, &errOut); code != exitUsage {
		t.Errorf("exit %d, want %d", code, exitUsage)
	}
	if !strings.Contains(errOut.String(), "--public") || strings.Count(errOut.String(), "\n") != 1 {
		t.Errorf("stderr %q, want one line that mentions --public", errOut.String())
	}
	if out.Len() != 0 {
		t.Errorf("stdout %q, want nothing", out.String())
	}
}

func TestPracticeCommandHelpAndBadFlags(t *testing.T) {
	var out, errOut strings.Builder
	if code := run([]string{"practice", "--help"}, nil, &out, &errOut); code != exitOK {
		t.Errorf("--help: exit %d, want 0", code)
	}
	for _, want := range []string{"--addr", "--public", "--proxy-addr", "--token-ttl", "Examples:"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("--help lacks %q", want)
		}
	}
	out.Reset()
	if code := run([]string{"practice", "--port", "1"}, nil, &out, &errOut); code != exitUsage || !strings.Contains(errOut.String(), "--help") {
		t.Errorf("unknown flag: exit %d stderr %q, want 2 and a pointer to --help", code, errOut.String())
	}
	errOut.Reset()
	if code := run([]string{"practice", "--token-ttl", "500ms"}, nil, &out, &errOut); code != exitUsage || !strings.Contains(errOut.String(), "1s") {
		t.Errorf("--token-ttl 500ms: exit %d stderr %q, want 2 saying 1s or more", code, errOut.String())
	}
}
