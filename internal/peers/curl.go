package peers

import (
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// Curl runs curl, the reference client, with args and fails t unless the
// final status is want. It skips t when curl is not installed.
func Curl(t testing.TB, want int, args ...string) {
	t.Helper()
	CurlEnv(t, nil, want, args...)
}

// CurlEnv is Curl with extra NAME=VALUE environment (KRB5CCNAME...). The
// machine's proxy variables are cleared; those env sets are read as curl
// reads them (no --noproxy then).
func CurlEnv(t testing.TB, env []string, want int, args ...string) {
	t.Helper()
	curl := need(t, "curl", "curl")
	pre := []string{"-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "20"}
	if !slices.ContainsFunc(env, func(v string) bool { return strings.Contains(strings.ToLower(v), "proxy=") }) {
		pre = append(pre, "--noproxy", "")
	}
	args = append(pre, args...)
	cmd := exec.Command(curl, args...)
	cmd.Env = append(cmd.Environ(), "http_proxy=", "HTTP_PROXY=", "https_proxy=", "HTTPS_PROXY=", "all_proxy=", "ALL_PROXY=", "NO_PROXY=", "no_proxy=")
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.Output()
	got, _ := strconv.Atoi(strings.TrimSpace(string(out)))
	if got != want {
		t.Fatalf("curl %s: status %s (%v), want %d", strings.Join(args, " "), out, err, want)
	}
}
