package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"keyhole/credentials"
)

// writeProfiles writes a hand-made profiles.json under cfg, as someone may
// edit it or copy it in from elsewhere.
func writeProfiles(t *testing.T, cfg, content string) {
	t.Helper()
	dir := filepath.Join(cfg, "keyhole")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "profiles.json"), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// Issue 17 item 7: a profile's name, host and references come from a file
// and are made safe like server text in `profile list` and on the --profile
// error path.
func TestProfileStringsAreMadeSafe(t *testing.T) {
	cfg := t.TempDir()
	writeProfiles(t, cfg, `{"version":1,"profiles":[{"name":"evil\u001b]0;owned\u0007\u202e","host":"h\u001b[2J:1","scheme":"bearer\u009b","secrets":{"token":"env:X\u001b[31m"}}]}`)
	env := []string{"XDG_CONFIG_HOME=" + cfg}
	for _, args := range [][]string{
		{"profile", "list"},
		{"send", "--profile", "evil\x1b]0;owned\x07\u202e", "http://127.0.0.1:1/"},
	} {
		r := keyhole(t, runOpts{env: env}, args...)
		if strings.ContainsAny(r.all(), "\x1b\x07\u202e\u009b") {
			t.Errorf("%q: a control or bidi character from the file reached the terminal: %q", args[0], r.all())
		}
		if !strings.Contains(r.all(), `evil\x1b]0;owned\x07\u202e`) {
			t.Errorf("%q: the profile is not named, escaped: %q", args[0], r.all())
		}
	}
}

// Issue 17 item 14: a cmd: reference in a profiles.json copied in from
// elsewhere is not run without --allow-cmd, and the error shows the command;
// a profile saved here runs its command as before.
func TestCopiedProfileCommandNeedsAllowCmd(t *testing.T) {
	main, _ := testServers(t)
	cfg := t.TempDir()
	marker := filepath.Join(t.TempDir(), "ran")
	command := "touch " + marker + "; echo " + testPassword
	host := strings.TrimPrefix(main.URL, "http://")
	writeProfiles(t, cfg, `{"version":1,"profiles":[{"name":"copied","host":"`+host+`","scheme":"basic","fields":{"user":"`+testUser+`"},"secrets":{"password":"cmd:`+command+`"}}]}`)
	env := []string{"XDG_CONFIG_HOME=" + cfg}

	r := keyhole(t, runOpts{env: env}, "send", "--profile", "copied", main.URL+"/secret-basic")
	wantCode(t, r, exitUsage)
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("the copied profile's command ran without --allow-cmd")
	}
	if !strings.Contains(r.stderr, command) || !strings.Contains(r.stderr, "if you trust the command, save the profile here. With keyhole send: --allow-cmd.") {
		t.Errorf("the refusal does not show the command and the flag:\n%s", r.stderr)
	}

	r = keyhole(t, runOpts{env: env}, "send", "--allow-cmd", "--profile", "copied", main.URL+"/secret-basic")
	wantCode(t, r, exitOK)
	if _, err := os.Stat(marker); err != nil {
		t.Fatal("--allow-cmd did not run the command")
	}
	os.Remove(marker)
	// Allowed once, trusted from then on.
	r = keyhole(t, runOpts{env: env}, "send", "--profile", "copied", main.URL+"/secret-basic")
	wantCode(t, r, exitOK)

	// Saved on this machine: no flag needed.
	cfg2 := t.TempDir()
	env2 := []string{"XDG_CONFIG_HOME=" + cfg2}
	wantCode(t, keyhole(t, runOpts{env: env2}, "profile", "save", "mine", "--scheme", "basic", "--host", host, "--user", testUser, "--password", "cmd:echo "+testPassword), exitOK)
	wantCode(t, keyhole(t, runOpts{env: env2}, "send", "--profile", "mine", main.URL+"/secret-basic"), exitOK)
}

// Issue 17 item 12: local files are read within a bound, so /dev/zero as a
// netrc or a CA file is refused at once instead of hanging keyhole.
func TestDevZeroIsRefusedNotRead(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero here")
	}
	for _, c := range []struct {
		env  []string
		args []string
	}{
		{[]string{"NETRC=/dev/zero"}, []string{"send", "--netrc", "http://127.0.0.1:1/"}},
		{nil, []string{"send", "--cacert", "/dev/zero", "https://127.0.0.1:1/"}},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		cmd := exec.CommandContext(ctx, bin, c.args...)
		cmd.Env = append([]string{"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH"), credentials.NoKeychainEnv + "=1"}, c.env...)
		out, err := cmd.CombinedOutput()
		cancel()
		if ctx.Err() == context.DeadlineExceeded {
			t.Fatalf("%q with %v hung", c.args, c.env)
		}
		if err == nil || !strings.Contains(string(out), "too big") {
			t.Errorf("%q with %v: %v\n%s", c.args, c.env, err, out)
		}
	}
}
