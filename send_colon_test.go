package main

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"keyhole/httpclient"
	"keyhole/internal/peers"
)

// Only Basic forbids a ':' in the user name (RFC 7617 §2): Digest's
// username is a quoted-string (RFC 7616 §3.4). A netrc user "al:ice" is
// answered with Digest where the server asks for it, as curl answers it,
// and refused, with nothing sent, where the server asks for Basic alone.
func TestSendColonUserGoesByDigest(t *testing.T) {
	const user, password, realm = "al:ice", "pw", "lab"
	var basicSent atomic.Int32
	h := func(s string) string { b := md5.Sum([]byte(s)); return hex.EncodeToString(b[:]) }
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/basic" {
			if r.Header.Get("Authorization") != "" {
				basicSent.Add(1)
			}
			w.Header().Set("WWW-Authenticate", `Basic realm="lab"`)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		// RFC 7616 §3.4.1, MD5 with qop=auth, computed here by hand.
		chs, _ := httpclient.ParseChallenges(r.Header.Get("Authorization"))
		if len(chs) == 1 && chs[0].Is("Digest") && chs[0].Param("username") == user {
			c := chs[0]
			ha1, ha2 := h(user+":"+realm+":"+password), h(r.Method+":"+c.Param("uri"))
			if c.Param("response") == h(strings.Join([]string{ha1, c.Param("nonce"), c.Param("nc"), c.Param("cnonce"), "auth", ha2}, ":")) {
				fmt.Fprintln(w, "hello", user)
				return
			}
		}
		w.Header().Set("WWW-Authenticate", `Digest realm="lab", qop="auth", algorithm=MD5, nonce="n1"`)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer srv.Close()
	netrc := filepath.Join(t.TempDir(), "netrc")
	if err := os.WriteFile(netrc, []byte("machine 127.0.0.1 login "+user+" password "+password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	peers.Curl(t, 200, "--digest", "--netrc-file", netrc, srv.URL+"/digest")

	for _, args := range [][]string{
		{"send", "--netrc-file", netrc, srv.URL + "/digest"},
		{"send", "--auth", "digest", "--netrc-file", netrc, srv.URL + "/digest"},
	} {
		r := keyhole(t, runOpts{}, args...)
		wantCode(t, r, exitOK, args...)
		if !strings.Contains(r.stdout, "hello "+user) {
			t.Errorf("%q:\n%s", args, r.all())
		}
	}
	r := keyhole(t, runOpts{}, "send", "--netrc-file", netrc, srv.URL+"/basic")
	if r.code == exitOK || !strings.Contains(r.stderr, "basic: the user name cannot contain ':' (RFC 7617 §2)") || basicSent.Load() != 0 {
		t.Errorf("Basic alone: exit %d, %d requests carried Authorization:\n%s", r.code, basicSent.Load(), r.all())
	}
}
