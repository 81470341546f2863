package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// A pasted curl command is read as curl reads it: its values are literal.
// keyhole's own flags take env:, file:, @ and cmd: references to secrets,
// but a command pasted from elsewhere must not make keyhole read a file or
// run a command and send what came out to the server the command names:
// here the server is the attacker, asking for the user's private file as
// a bearer token and for a command to run. curl sends "file:..." as it is;
// keyhole sends it so too, or refuses a value that is no Bearer token.
func TestSendCurlTakesValuesLiterally(t *testing.T) {
	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Header.Get("Authorization"))
		mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	dir := t.TempDir()
	private := filepath.Join(dir, "id_private")
	if err := os.WriteFile(private, []byte("THE-PRIVATE-KEY"), 0o600); err != nil {
		t.Fatal(err)
	}
	ran := filepath.Join(dir, "ran")
	for _, token := range []string{"file:" + private, "@" + private, "cmd:touch " + ran, "env:KEYHOLE_TEST_SECRET"} {
		mu.Lock()
		got = nil
		mu.Unlock()
		r := keyhole(t, runOpts{env: []string{"KEYHOLE_TEST_SECRET=THE-ENV-SECRET"}},
			"send", "--curl", "curl --oauth2-bearer '"+token+"' "+srv.URL+"/api")
		mu.Lock()
		sent := strings.Join(got, "\n")
		mu.Unlock()
		switch {
		case r.code == 2 && sent == "":
			// refused as a Bearer token (the command has a space): nothing sent
		case r.code != 0:
			t.Errorf("--oauth2-bearer %q: exit %d\n%s", token, r.code, r.all())
		case sent != "Bearer "+token:
			t.Errorf("--oauth2-bearer %q: the server got Authorization %q, want the value as curl sends it", token, sent)
		}
		if strings.Contains(sent+r.all(), "THE-PRIVATE-KEY") || strings.Contains(sent+r.all(), "THE-ENV-SECRET") {
			t.Errorf("--oauth2-bearer %q: a secret of this machine went out:\n%s\n%s", token, sent, r.all())
		}
		if _, err := os.Stat(ran); err == nil {
			t.Fatalf("--oauth2-bearer %q: the pasted command ran a command", token)
		}
	}
}
