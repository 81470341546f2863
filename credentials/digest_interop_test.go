package credentials

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"hash"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"keyhole/httpclient"
)

// startLighttpd runs Debian's lighttpd (package "lighttpd") on a free loopback
// port with mod_auth's htdigest backend: /md5/, /sha256/ and /sha512/ each
// demand Digest with that algorithm for alice / wonderland in realm "keyhole".
// It is an independent implementation of RFC 7616, so agreeing with it means
// more than agreeing with our own practice server.
func startLighttpd(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("lighttpd")
	if err != nil {
		t.Skip("lighttpd is not installed (apt-get install lighttpd); skipping the Digest interop test")
	}
	dir := t.TempDir()
	users := map[string]func() hash.Hash{"md5": md5.New, "sha256": sha256.New, "sha512": sha512.New512_256}
	for name, h := range users {
		if err := os.MkdirAll(filepath.Join(dir, "www", name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "www", name, "index.html"), []byte("hello "+name+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		x := h()
		x.Write([]byte("alice:keyhole:wonderland"))
		line := "alice:keyhole:" + hex.EncodeToString(x.Sum(nil)) + "\n"
		if err := os.WriteFile(filepath.Join(dir, "htdigest-"+name), []byte(line), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	port := freeLoopbackPort(t)
	conf := fmt.Sprintf(`server.document-root = "%[1]s/www"
server.bind = "127.0.0.1"
server.port = %[2]d
server.modules = ("mod_auth", "mod_authn_file")
server.errorlog = "%[1]s/error.log"
index-file.names = ("index.html")
auth.backend = "htdigest"
auth.backend.htdigest.userfile = "%[1]s/htdigest-md5"
$HTTP["url"] =~ "^/sha256/" { auth.backend.htdigest.userfile = "%[1]s/htdigest-sha256" }
$HTTP["url"] =~ "^/sha512/" { auth.backend.htdigest.userfile = "%[1]s/htdigest-sha512" }
auth.require = (
  "/md5/" => ("method" => "digest", "realm" => "keyhole", "require" => "valid-user", "algorithm" => "MD5"),
  "/sha256/" => ("method" => "digest", "realm" => "keyhole", "require" => "valid-user", "algorithm" => "SHA-256"),
  "/sha512/" => ("method" => "digest", "realm" => "keyhole", "require" => "valid-user", "algorithm" => "SHA-512-256"),
)
`, dir, port)
	confPath := filepath.Join(dir, "lighttpd.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-D", "-f", confPath)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting lighttpd: %v", err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Fatalf("lighttpd did not listen on %s within 10s; its log:\n%s", addr, log)
		}
	}
	return "http://" + addr
}

func freeLoopbackPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func TestDigestInteropLighttpd(t *testing.T) {
	base := startLighttpd(t)
	c := httpclient.New(httpclient.Options{Timeout: 10 * time.Second})
	ctx := context.Background()
	for _, tt := range []struct{ path, alg string }{{"/md5/", "MD5"}, {"/sha256/", "SHA-256"}, {"/sha512/", "SHA-512-256"}} {
		t.Run(tt.alg, func(t *testing.T) {
			req := &httpclient.Request{Method: "GET", URL: base + tt.path, Header: http.Header{}}
			first := c.Do(ctx, req)
			if first.Err != nil || first.Response.Status != 401 {
				t.Fatalf("first answer: %v %+v", first.Err, first.Response)
			}
			d := &Digest{User: "alice", Password: "wonderland"}
			i, why := d.Choose(first.Challenges)
			if i < 0 {
				t.Fatalf("no challenge chosen from %+v: %s", first.Challenges, why)
			}
			if got := first.Challenges[i].Param("algorithm"); got != tt.alg {
				t.Fatalf("lighttpd offered %s, want %s", got, tt.alg)
			}
			// Three requests on one nonce: nc 1, 2, 3 must all be accepted.
			for n := 1; n <= 3; n++ {
				r := req.Clone()
				if err := d.Apply(r, &first.Challenges[i]); err != nil {
					t.Fatal(err)
				}
				ex := c.Do(ctx, r)
				if ex.Err != nil || ex.Response.Status != 200 {
					t.Fatalf("request %d with %s: %v %+v\nsent %s", n, r.Header.Get("Authorization"), ex.Err, ex.Response, r.Header.Get("Authorization"))
				}
				if string(ex.Response.Body) != "hello "+tt.path[1:len(tt.path)-1]+"\n" {
					t.Fatalf("body %q", ex.Response.Body)
				}
			}

			wrong := &Digest{User: "alice", Password: "looking-glass"}
			r := req.Clone()
			if err := wrong.Apply(r, &first.Challenges[i]); err != nil {
				t.Fatal(err)
			}
			ex := c.Do(ctx, r)
			if ex.Err != nil || ex.Response.Status != 401 {
				t.Fatalf("wrong password: %v %+v, want 401", ex.Err, ex.Response)
			}
			for j := range ex.Challenges {
				if reason := wrong.Rejected(&ex.Challenges[j]); reason != "" {
					t.Fatalf("wrong password read as %q; it must not be retried automatically", reason)
				}
			}
		})
	}
}
