package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// --har onto a file that is there already: the HAR is private whatever the
// old file's mode, and a symbolic link planted at the path is refused, not
// followed to where it points.
func TestHARFileModeAndSymlink(t *testing.T) {
	main, _ := testServers(t)
	dir := t.TempDir()
	old := filepath.Join(dir, "old.har")
	if err := os.WriteFile(old, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := keyhole(t, runOpts{}, "send", "--har", old, main.URL+"/ok")
	wantCode(t, r, exitOK)
	if st, err := os.Stat(old); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("HAR written over a 0644 file: %v, %v; want mode 0600", st.Mode(), err)
	}

	victim := filepath.Join(dir, "victim")
	if err := os.WriteFile(victim, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.har")
	if err := os.Symlink(victim, link); err != nil {
		t.Fatal(err)
	}
	r = keyhole(t, runOpts{}, "send", "--har", link, main.URL+"/ok")
	if r.code == exitOK || !strings.Contains(r.stderr, "symbolic link") {
		t.Errorf("--har onto a symlink: exit %d, stderr %q; want a refusal", r.code, r.stderr)
	}
	if b, _ := os.ReadFile(victim); string(b) != "keep me" {
		t.Errorf("the symlink's target was written: %q", b)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the symlink was replaced: %v", err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*.tmp")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// A big body goes into --json and HAR streamed, and comes back out of them
// byte for byte as masked: quotes, backslashes, controls, C1, U+2028.
func TestBigBodyStreamsIntoJSONAndHAR(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"items":[`)
	for i := 0; b.Len() < 300<<10; i++ {
		b.WriteString(`{"n":"a \"quoted\" \\ back\tslash é \u0085 \u2028 ` + "\u2028 \u0085 \x7f" + `"},`)
	}
	b.WriteString(`{"access_token":"tok-1234567890"}]}`)
	body := b.String()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(body))
	}))
	defer srv.Close()
	want := strings.Replace(body, `"tok-1234567890"`, `"•••"`, 1)

	r := keyhole(t, runOpts{}, "send", "--json", srv.URL)
	wantCode(t, r, exitOK)
	if strings.ContainsAny(r.stdout, "\u0085\x7f\u2028") || strings.Contains(r.stdout, "tok-123") {
		t.Error("--json holds a raw control character or the token")
	}
	var doc struct {
		Attempts []struct {
			Response struct{ Body string } `json:"response"`
		} `json:"attempts"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || len(doc.Attempts) != 1 || doc.Attempts[0].Response.Body != want {
		t.Fatalf("--json did not carry the body back (err %v)", err)
	}

	har := filepath.Join(t.TempDir(), "big.har")
	wantCode(t, keyhole(t, runOpts{}, "send", "--har", har, srv.URL), exitOK)
	raw, err := os.ReadFile(har)
	if err != nil {
		t.Fatal(err)
	}
	var h struct {
		Log struct {
			Entries []struct {
				Response struct {
					Content struct{ Text string } `json:"content"`
				} `json:"response"`
			} `json:"entries"`
		} `json:"log"`
	}
	if err := json.Unmarshal(raw, &h); err != nil || len(h.Log.Entries) != 1 || h.Log.Entries[0].Response.Content.Text != want {
		t.Fatalf("the HAR did not carry the body back (err %v)", err)
	}
}
