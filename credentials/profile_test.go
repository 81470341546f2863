package credentials

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"
)

// configDir points os.UserConfigDir at a temp folder and returns the profiles path.
func configDir(t *testing.T) (root, path string) {
	t.Helper()
	root = t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", root)
	path, err := DefaultProfilesPath()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(path, root) {
		t.Fatalf("profiles path %s is not under XDG_CONFIG_HOME %s", path, root)
	}
	return root, path
}

// assertNoSecretOnDisk reads every file under root and fails if any holds a secret.
func assertNoSecretOnDisk(t *testing.T, root string, secrets ...string) {
	t.Helper()
	files := 0
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range secrets {
			if strings.Contains(string(b), s) {
				t.Errorf("%s holds the secret %q:\n%s", p, s, b)
			}
		}
		return nil
	})
	if files == 0 {
		t.Fatalf("nothing was written under %s", root)
	}
}

func TestProfilesKeychain(t *testing.T) {
	keyring.MockInit() // the library's in-memory backend stands in for the OS keychain
	root, path := configDir(t)
	store := NewSecretStore()
	if store.Kind() != StoreKeychain {
		t.Fatalf("Kind = %q with a working keychain", store.Kind())
	}
	ps, err := OpenProfiles(path, store)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ps.Save("practice", "127.0.0.1:8401", "Basic", map[string]string{"user": "alice", "password": "wonderland"}); err != nil {
		t.Fatal(err)
	}
	if _, err := ps.Save("api", "", "bearer", map[string]string{"token": "practice-token"}); err != nil {
		t.Fatal(err)
	}
	assertNoSecretOnDisk(t, root, "wonderland", "practice-token")

	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("profiles file mode %v, want 0600", st.Mode().Perm())
	}
	dst, _ := os.Stat(filepath.Dir(path))
	if dst.Mode().Perm() != 0o700 {
		t.Errorf("profiles folder mode %v, want 0700", dst.Mode().Perm())
	}
	if v, err := keyring.Get(KeychainService, "profile:practice:password"); err != nil || v != "wonderland" {
		t.Fatalf("keychain holds %q, %v", v, err)
	}

	again, err := OpenProfiles(path, NewSecretStore())
	if err != nil {
		t.Fatal(err)
	}
	p, ok := again.Get("practice")
	if !ok || p.Scheme != "basic" || p.Fields["user"] != "alice" || p.Secrets["password"] != "keychain" {
		t.Fatalf("reloaded profile = %+v, %v", p, ok)
	}
	vals, err := again.Values(p)
	if err != nil || vals["password"] != "wonderland" || vals["user"] != "alice" {
		t.Fatalf("Values = %v, %v", vals, err)
	}
	if got := again.ForHost("127.0.0.1:8401"); len(got) != 2 {
		t.Errorf("ForHost matched %d profiles, want the host's and the any-host one", len(got))
	}
	if got := again.ForHost("example.test"); len(got) != 1 || got[0].Name != "api" {
		t.Errorf("ForHost(other) = %+v", got)
	}

	if err := again.Delete("practice"); err != nil {
		t.Fatal(err)
	}
	if _, err := keyring.Get(KeychainService, "profile:practice:password"); err != keyring.ErrNotFound {
		t.Errorf("the password outlived its profile in the keychain: %v", err)
	}
	if err := again.Delete("practice"); err == nil {
		t.Error("deleting a missing profile succeeded")
	}
	third, _ := OpenProfiles(path, NewSecretStore())
	if _, ok := third.Get("practice"); ok {
		t.Error("deleted profile is still in the file")
	}
}

func TestProfilesWithoutKeychain(t *testing.T) {
	root, path := configDir(t)
	ps, err := OpenProfiles(path, NewMemoryStore())
	if err != nil {
		t.Fatal(err)
	}
	if ps.Store.Kind() != StoreMemory {
		t.Fatalf("Kind = %q", ps.Store.Kind())
	}
	t.Setenv("KH_PROFILE_TOKEN", "token-from-env")
	if _, err := ps.Save("mem", "", "basic", map[string]string{"user": "alice", "password": "wonderland"}); err != nil {
		t.Fatal(err)
	}
	if _, err := ps.Save("ref", "", "bearer", map[string]string{"token": "env:KH_PROFILE_TOKEN"}); err != nil {
		t.Fatal(err)
	}
	assertNoSecretOnDisk(t, root, "wonderland", "token-from-env")

	p, _ := ps.Get("mem")
	if v, err := ps.Values(p); err != nil || v["password"] != "wonderland" {
		t.Fatalf("same-process Values = %v, %v", v, err)
	}
	// A new process has a new memory: the secret is gone and the error says what to do.
	later, _ := OpenProfiles(path, NewMemoryStore())
	p, _ = later.Get("mem")
	if _, err := later.Values(p); err == nil || !strings.Contains(err.Error(), "memory only") {
		t.Fatalf("Values after restart error = %v", err)
	}
	r, _ := later.Get("ref")
	if r.Secrets["token"] != "env:KH_PROFILE_TOKEN" {
		t.Fatalf("reference not kept as written: %+v", r)
	}
	if v, err := later.Values(r); err != nil || v["token"] != "token-from-env" {
		t.Fatalf("reference Values = %v, %v", v, err)
	}
}

func TestProfilesRejectBadInput(t *testing.T) {
	_, path := configDir(t)
	ps, _ := OpenProfiles(path, NewMemoryStore())
	for _, name := range []string{"", "a:b", "a/b", "x\x1b[2J"} {
		if _, err := ps.Save(name, "", "basic", nil); err == nil {
			t.Errorf("Save(%q) succeeded", name)
		}
	}
	os.MkdirAll(filepath.Dir(path), 0o700)
	os.WriteFile(path, []byte("{not json"), 0o600)
	if _, err := OpenProfiles(path, NewMemoryStore()); err == nil || !strings.Contains(err.Error(), "not valid JSON") {
		t.Errorf("corrupt file error = %v", err)
	}
	os.WriteFile(path, []byte(`{"version":9,"profiles":[]}`), 0o600)
	if _, err := OpenProfiles(path, NewMemoryStore()); err == nil || !strings.Contains(err.Error(), "newer keyhole") {
		t.Errorf("newer file error = %v", err)
	}
}

func TestNoKeychainEnvKeepsSecretsInMemory(t *testing.T) {
	keyring.MockInit()
	t.Setenv(NoKeychainEnv, "1")
	if k := NewSecretStore().Kind(); k != StoreMemory {
		t.Fatalf("Kind = %q with %s set", k, NoKeychainEnv)
	}
}
