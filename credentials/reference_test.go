package credentials

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestResolveSecret(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "token")
	if err := os.WriteFile(file, []byte("s3cret-from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("KH_TEST_SECRET", "s3cret-from-env")
	tests := []struct {
		ref, want, errHas string
	}{
		{ref: "env:KH_TEST_SECRET", want: "s3cret-from-env"},
		{ref: "env:KH_TEST_UNSET_VARIABLE", errHas: "KH_TEST_UNSET_VARIABLE is not set"},
		{ref: "file:" + file, want: "s3cret-from-file"},
		{ref: "file:" + filepath.Join(dir, "missing"), errHas: "cannot read the secret file"},
		{ref: "cmd:printf 's3cret-from-cmd\\n'", want: "s3cret-from-cmd"},
		{ref: "cmd:echo oops >&2; exit 3", errHas: "oops"},
		{ref: "cmd:true", errHas: "empty value"},
		{ref: "env:", errHas: "names nothing"},
		{ref: "plain-secret", errHas: "must start with env:, file: or cmd:"},
	}
	for _, tt := range tests {
		got, err := ResolveSecret(tt.ref)
		if tt.errHas != "" {
			if err == nil || !strings.Contains(err.Error(), tt.errHas) {
				t.Errorf("ResolveSecret(%q) error = %v, want one containing %q", tt.ref, err, tt.errHas)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ResolveSecret(%q) = %q, %v; want %q", tt.ref, got, err, tt.want)
		}
	}
}

func TestResolveSecretCommandTimeout(t *testing.T) {
	old := RefTimeout
	RefTimeout = 300 * time.Millisecond
	defer func() { RefTimeout = old }()
	start := time.Now()
	_, err := ResolveSecret("cmd:sleep 30")
	if err == nil || !strings.Contains(err.Error(), "did not finish") {
		t.Fatalf("error = %v, want a timeout", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("a hanging command held keyhole for %s", d)
	}
}

func TestResolveSecretErrorsNeverHoldTheSecret(t *testing.T) {
	// A failing command's stdout may be the secret; only its stderr is quoted.
	t.Setenv("KH_TEST_OUT", "hunter2-on-stdout")
	_, err := ResolveSecret(`cmd:printf "$KH_TEST_OUT"; exit 1`)
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("error = %v", err)
	}
}
