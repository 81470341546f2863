// Package oidctest starts the independent authorization server of
// testdata/oidc (oidc-provider, with an audience-checking resource server
// beside it) for tests, and plays the user's browser against its login and
// consent pages.
package oidctest

import (
	"bufio"
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Server is a running testdata/oidc/server.js.
type Server struct {
	Origin string // http://127.0.0.1:PORT, where the resources are
	Issuer string // Origin + "/tenant-a"
	// TLSOrigin is https://127.0.0.1:PORT, the same server behind mutual
	// TLS, when it was started with StartTLS; "" otherwise.
	TLSOrigin string
}

// Secret is the client secret of the confidential clients of server.js.
const Secret = "s3cret/with+chars="

// dir is testdata/oidc, found from this file so any package's test can start it.
func dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", "oidc")
}

// Start runs server.js on a free loopback port with env added, and stops it
// when t ends. It skips t, saying why, when node or the npm modules are
// missing.
func Start(t testing.TB, env ...string) *Server {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("skipping: node is not installed; the oidc-provider tests need Node 20 or later (and npm ci in testdata/oidc, see .ci/setup.d/30-oidc.sh)")
	}
	if _, err := os.Stat(filepath.Join(dir(), "node_modules", "oidc-provider", "package.json")); err != nil {
		t.Skip("skipping: oidc-provider is not installed; run npm ci in testdata/oidc (.ci/setup.d/30-oidc.sh does it)")
	}
	cmd := exec.Command(node, "server.js")
	cmd.Dir = dir()
	cmd.Env = append(os.Environ(), env...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		cmd.Process.Kill()
		cmd.Wait()
	})
	line := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(stdout)
		if s.Scan() {
			line <- s.Text()
		}
		close(line)
		io.Copy(io.Discard, stdout)
	}()
	select {
	case l, ok := <-line:
		origins, found := strings.CutPrefix(l, "listening ")
		if !ok || !found {
			t.Fatalf("testdata/oidc/server.js did not start: %q\n%s", l, stderr.String())
		}
		origin, tlsOrigin, _ := strings.Cut(origins, " ")
		return &Server{Origin: origin, Issuer: origin + "/tenant-a", TLSOrigin: tlsOrigin}
	case <-time.After(30 * time.Second):
		t.Fatalf("testdata/oidc/server.js did not say where it listens within 30 s\n%s", stderr.String())
	}
	return nil
}

var (
	formRE  = regexp.MustCompile(`(?is)<form\b([^>]*)>(.*?)</form>`)
	attrRE  = regexp.MustCompile(`(?is)\b(action|method|name|value|type)\s*=\s*"([^"]*)"`)
	inputRE = regexp.MustCompile(`(?is)<(?:input|button)\b([^>]*)>`)
)

func attrs(tag string) map[string]string {
	m := map[string]string{}
	for _, a := range attrRE.FindAllStringSubmatch(tag, -1) {
		m[strings.ToLower(a[1])] = html.UnescapeString(a[2])
	}
	return m
}

// Browse plays a user who opens rawURL, signs in (any login works at
// oidc-provider's development pages) and approves every consent (the first
// button of a form; the practice server's pages work too): it follows
// redirects (to the client's loopback callback too, as a browser does) and
// submits each page's first form with a cookie jar, until a page has no form
// left. It returns the last page's body.
func Browse(ctx context.Context, rawURL string) (string, error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 20 * time.Second}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return "", err
	}
	for step := 0; step < 12; step++ {
		resp, err := c.Do(req)
		if err != nil {
			return "", err
		}
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		page := string(b)
		f := formRE.FindStringSubmatch(page)
		if f == nil {
			if resp.StatusCode >= 400 {
				return page, fmt.Errorf("the sign-in page %s answered %d", resp.Request.URL, resp.StatusCode)
			}
			return page, nil
		}
		fa := attrs(f[1])
		form := url.Values{}
		for _, in := range inputRE.FindAllStringSubmatch(f[2], -1) {
			a := attrs(in[1])
			switch {
			case a["name"] == "" || a["name"] == "abort":
			case a["name"] == "login":
				form.Set("login", "alice")
			case a["name"] == "password":
				form.Set("password", "any")
			case form.Has(a["name"]):
				// The first of several buttons of one name is the one clicked
				// (Approve before Deny on the practice server's page).
			default:
				form.Set(a["name"], a["value"])
			}
		}
		action, err := resp.Request.URL.Parse(fa["action"])
		if err != nil {
			return page, err
		}
		method := strings.ToUpper(fa["method"])
		if method == "" {
			method = http.MethodGet
		}
		if method == http.MethodGet {
			action.RawQuery = form.Encode()
			req, err = http.NewRequestWithContext(ctx, method, action.String(), nil)
		} else {
			req, err = http.NewRequestWithContext(ctx, method, action.String(), strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		if err != nil {
			return page, err
		}
	}
	return "", fmt.Errorf("the sign-in at %s did not finish within 12 pages", rawURL)
}
