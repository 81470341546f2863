package ui

import (
	"encoding/base64"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"keyhole/credentials"
	"keyhole/practice"
)

// profileEnv points the profiles file at a temporary config folder and keeps
// the tests away from the OS keychain; it returns the folder.
func profileEnv(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	t.Setenv(credentials.NoKeychainEnv, "1")
	if profileStore().Persistent() {
		t.Skip("the process-wide profile store was opened on the OS keychain before this test set KEYHOLE_NO_KEYCHAIN")
	}
	return dir
}

// palette runs the palette's action whose name contains what, typed into
// its filter as a user would.
func palette(t *testing.T, m Model, what string) Model {
	t.Helper()
	m = press(t, m, ctrlP)
	m = press(t, m, keys(what)...)
	if r := m.ov.selected(); r == nil || !strings.Contains(r.label, what) {
		t.Fatalf("palette has no action %q", what)
	}
	return press(t, m, enter)
}

// noSecretIn fails if any file under dir holds one of the secrets.
func noSecretIn(t *testing.T, dir string, secrets ...string) {
	t.Helper()
	files := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, s := range secrets {
			if strings.Contains(string(b), s) {
				t.Errorf("%s holds the secret %q:\n%s", path, s, b)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files == 0 {
		t.Fatalf("no profiles file was written under %s", dir)
	}
}

// A filled Basic form saved as a profile (no keychain: the password stays in
// memory) is found by a fresh model on the practice server's host, fills
// its form, and enter gets the 200; the password never reaches a file.
func TestProfileSavedFromTheFormIsUsedByAFreshModel(t *testing.T) {
	dir := profileEnv(t)
	m := started(t, 120, 40)
	m = press(t, m, enter, enter) // 401 Basic, then the Basic form
	m = press(t, m, keys("alice")...)
	m = press(t, m, tab)
	m = press(t, m, keys(practice.Password)...)
	if m.form.kind != "basic" {
		t.Fatalf("form %q, focus %s (%s)", m.form.kind, m.Focused(), m.Status())
	}

	m = palette(t, m, "save these credentials")
	if m.Overlay() != "profile name" || m.ov.fields[0].in.Value() != "127.0.0.1" || m.ov.fields[1].in.Value() != "127.0.0.1" {
		t.Fatalf("overlay %q, fields %q %q (%s)", m.Overlay(), m.ov.fields[0].in.Value(), m.ov.fields[1].in.Value(), m.Status())
	}
	mustContain(t, screen(m), "Save as a profile")
	// Replace the default name.
	for range len("127.0.0.1") {
		m = press(t, m, tea.KeyPressMsg{Code: tea.KeyBackspace})
	}
	m = press(t, m, keys("practice")...)
	m = press(t, m, enter, enter) // to Host, then save
	if m.Overlay() != "" {
		t.Fatalf("the name form is still open: %s", m.Status())
	}
	mustContain(t, m.Status(), "Saved profile practice for 127.0.0.1:", "password only in memory until keyhole quits (no keychain available)", "env:NAME")
	noSecretIn(t, dir, practice.Password, base64.StdEncoding.EncodeToString([]byte("alice:"+practice.Password)))

	f := started(t, 120, 40) // another practice server, on another port
	f.compose.url.SetValue(f.srv.URL + "/basic")
	f = palette(t, f, "use a saved profile")
	if f.Overlay() != "profiles" {
		t.Fatalf("overlay %q (%s)", f.Overlay(), f.Status())
	}
	s := screen(f)
	mustContain(t, s, "practice", "basic", "alice", "password in memory")
	if strings.Contains(s, practice.Password) {
		t.Fatalf("the password is on screen:\n%s", s)
	}
	f = press(t, f, enter)
	if f.form.kind != "basic" || f.form.value("user") != "alice" || f.form.value("password") != practice.Password ||
		f.Focused() != "form" || !f.form.last() {
		t.Fatalf("form %q user %q focus %s last %v (%s)", f.form.kind, f.form.value("user"), f.Focused(), f.form.last(), f.Status())
	}
	mustContain(t, f.Status(), "filled from profile practice")
	f = press(t, f, enter)
	if a := f.sess.Last(); a == nil || a.Status() != 200 {
		t.Fatalf("after the profile: %v (%s)", a, f.Status())
	}
}

// A profile whose password is an env: reference keeps only the reference on
// disk and reads the variable when used, so a changed variable is honoured.
func TestProfileReferenceResolvesWhenUsed(t *testing.T) {
	dir := profileEnv(t)
	t.Setenv("KEYHOLE_TEST_PRACTICE_PW", "not-yet-the-password")
	m := started(t, 120, 40)
	m = press(t, m, enter, enter)
	m = press(t, m, keys("alice")...)
	m = press(t, m, tab)
	m = press(t, m, keys("env:KEYHOLE_TEST_PRACTICE_PW")...)
	m = palette(t, m, "save these credentials")
	m = press(t, m, enter, enter) // default name and host
	mustContain(t, m.Status(), "Saved profile 127.0.0.1", "password from env:KEYHOLE_TEST_PRACTICE_PW (read when used)")
	if strings.Contains(m.Status(), "until keyhole quits") {
		t.Fatalf("a reference was reported as kept in memory: %s", m.Status())
	}
	b, err := os.ReadFile(filepath.Join(dir, "keyhole", "profiles.json"))
	if err != nil || !strings.Contains(string(b), `"password": "env:KEYHOLE_TEST_PRACTICE_PW"`) {
		t.Fatalf("profiles file (%v):\n%s", err, b)
	}

	t.Setenv("KEYHOLE_TEST_PRACTICE_PW", practice.Password)
	f := started(t, 120, 40)
	f.compose.url.SetValue(f.srv.URL + "/basic")
	f = palette(t, f, "use a saved profile")
	mustContain(t, screen(f), "password from env:KEYHOLE_TEST_PRACTICE_PW")
	f = press(t, f, enter)
	if f.form.value("password") != practice.Password {
		t.Fatalf("the reference was not resolved: status %q", f.Status())
	}
	f = press(t, f, enter)
	if a := f.sess.Last(); a == nil || a.Status() != 200 {
		t.Fatalf("after the profile: %v (%s)", a, f.Status())
	}
	noSecretIn(t, dir, practice.Password)

	// An unset variable is an error in the status line, not a send.
	os.Unsetenv("KEYHOLE_TEST_PRACTICE_PW")
	n := len(f.sess.Attempts())
	f = palette(t, f, "use a saved profile")
	f = press(t, f, enter)
	if !f.statusErr || !strings.Contains(f.Status(), "KEYHOLE_TEST_PRACTICE_PW is not set") || len(f.sess.Attempts()) != n {
		t.Fatalf("unset variable: err %v status %q", f.statusErr, f.Status())
	}
}

// Profiles for other hosts are not offered; with none for this host the
// status line says how to make one.
func TestProfilesOnlyForTheRequestHost(t *testing.T) {
	profileEnv(t)
	ps, err := openProfiles()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ps.Save("elsewhere", "api.example.com", "bearer", map[string]string{"token": "env:SOME_TOKEN"}); err != nil {
		t.Fatal(err)
	}
	m := started(t, 120, 40)
	m = palette(t, m, "use a saved profile")
	if m.Overlay() != "" || !m.statusErr || !strings.Contains(m.Status(), "no saved profile for 127.0.0.1") {
		t.Fatalf("overlay %q status %q", m.Overlay(), m.Status())
	}
	if _, err := ps.Save("anywhere", "", "bearer", map[string]string{"token": "env:SOME_TOKEN"}); err != nil {
		t.Fatal(err)
	}
	m = palette(t, m, "use a saved profile")
	s := screen(m)
	mustContain(t, s, "anywhere (any host)", "token from env:SOME_TOKEN")
	if strings.Contains(s, "elsewhere") {
		t.Fatalf("a profile for another host is offered:\n%s", s)
	}
}

// Saving with no form open says what to do instead of saving nothing.
func TestSaveProfileNeedsAForm(t *testing.T) {
	profileEnv(t)
	m := started(t, 120, 40)
	m = palette(t, m, "save these credentials")
	if m.Overlay() != "" || !strings.Contains(m.Status(), "no credentials form is open") {
		t.Fatalf("overlay %q status %q", m.Overlay(), m.Status())
	}
}

// Every form comes back from its profile as it was typed, the OAuth 2.0
// grant and its extras (resource, endpoints, client auth, key, register)
// included, under the field keys 'keyhole send --profile' reads: the
// descriptions' keys (credentials.Schemes).
func TestProfileRoundTripsEveryForm(t *testing.T) {
	profileEnv(t)
	cases := []struct {
		kind, grant string
		typed       map[string]string // field key → value typed
	}{
		{"digest", "", map[string]string{"user": "bob", "password": "pw1"}},
		{"bearer", "", map[string]string{"token": "tok"}},
		{"ntlm", "", map[string]string{"user": `CORP\bob`, "password": "pw1"}},
		{"apikey", "", map[string]string{"api_key_name": "X-Key", "api_key": "k1", "api_key_in": "query"}},
		{"oauth2", credentials.GrantPassword, map[string]string{"token_url": "http://127.0.0.1:1/token", "client_id": "cid",
			"client_secret": "cs", "user": "u", "password": "p", "scope": "read write", "resource": "https://api.example/"}},
		{"oauth2", credentials.GrantAuthorizationCode, map[string]string{"client_id": "cid", "auth_url": "http://127.0.0.1:1/authorize",
			"resource": "https://api.example/", "client_auth": "private_key_jwt", "client_key": "/keys/client.pem", "register": "yes"}},
		{"aws-sigv4", "", map[string]string{"aws_sigv4": "aws:amz:us-east-1:s3", "access_key": "AKID", "secret_key": "sk"}},
	}
	ps, err := openProfiles()
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range cases {
		f, _ := newForm(c.kind, true)
		if c.grant != "" {
			f.setChoice(c.grant, true)
		}
		for i := range f.fields {
			f.fields[i].in.SetValue(c.typed[f.fields[i].key])
		}
		v := f.values()
		for k, want := range c.typed {
			if v[k] != want {
				t.Errorf("%s: field %s = %q, want %q", c.kind, k, v[k], want)
			}
		}
		if c.grant != "" && v["grant"] != c.grant {
			t.Errorf("%s: grant %q, want %q", c.kind, v["grant"], c.grant)
		}
		p, err := ps.Save(fmt.Sprintf("rt-%s-%d", c.kind, i), "", f.kind, v)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ps.Values(p)
		if err != nil {
			t.Fatal(err)
		}
		m := New(Options{})
		m.fillFromProfile(profileValuesMsg{p: p, values: got})
		if m.form.kind != c.kind || m.form.choice != f.choice || !m.form.last() {
			t.Errorf("%s: filled form %q grant %q last %v (%s)", c.kind, m.form.kind, m.form.choice, m.form.last(), m.Status())
		}
		for key, want := range c.typed {
			if got := m.form.value(key); got != want {
				t.Errorf("%s: %s = %q, want %q", c.kind, key, got, want)
			}
		}
	}
}

// A copied profile's cmd: reference is not run: the status line says so in
// the TUI's words (save the profile here), not with keyhole send's
// --allow-cmd, which means nothing here.
func TestCopiedProfileCommandIsRefusedInTheTUIsWords(t *testing.T) {
	dir := profileEnv(t)
	m := started(t, 120, 40)
	marker := filepath.Join(t.TempDir(), "ran")
	host := strings.TrimPrefix(m.srv.URL, "http://")
	if err := os.MkdirAll(filepath.Join(dir, "keyhole"), 0o700); err != nil {
		t.Fatal(err)
	}
	doc := `{"version":1,"profiles":[{"name":"copied","host":"` + host + `","scheme":"basic","fields":{"user":"alice"},"secrets":{"password":"cmd:touch ` + marker + `"}}]}`
	if err := os.WriteFile(filepath.Join(dir, "keyhole", "profiles.json"), []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	m.compose.url.SetValue(m.srv.URL + "/basic")
	m = palette(t, m, "use a saved profile")
	m = press(t, m, enter)
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("the copied profile's command ran")
	}
	if !m.statusErr || !strings.Contains(m.Status(), "if you trust the command, save the profile here") || strings.Contains(m.Status(), "--") {
		t.Errorf("status %q", m.Status())
	}
}
