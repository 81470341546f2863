package peers

import (
	"os/exec"
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

// CurlEnv is Curl with extra NAME=VALUE environment (KRB5CCNAME...).
func CurlEnv(t testing.TB, env []string, want int, args ...string) {
	t.Helper()
	curl := need(t, "curl", "curl")
	args = append([]string{"-s", "-o", "/dev/null", "-w", "%{http_code}", "--noproxy", "", "--max-time", "20"}, args...)
	cmd := exec.Command(curl, args...)
	cmd.Env = append(cmd.Environ(), "http_proxy=", "https_proxy=", "HTTPS_PROXY=", "ALL_PROXY=", "NO_PROXY=", "no_proxy=")
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.Output()
	got, _ := strconv.Atoi(strings.TrimSpace(string(out)))
	if got != want {
		t.Fatalf("curl %s: status %s (%v), want %d", strings.Join(args, " "), out, err, want)
	}
}
