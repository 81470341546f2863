package peers

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// StartApacheGSSAPI runs Apache 2.4 with mod_auth_gssapi on a free loopback
// port, protecting /private/ with Negotiate for HTTP/localhost of realm r.
// It returns the base URL, http://localhost:PORT (the host name the SPN is
// for); /private/hello.txt holds "hello from Apache".
func StartApacheGSSAPI(t testing.TB, r *Realm) string {
	t.Helper()
	return StartApacheGSSAPIClock(t, r, "")
}

// StartApacheGSSAPIClock is StartApacheGSSAPI with Apache's clock off by
// offset ("+1h", "-10m"; libfaketime's syntax), for the clock-skew errors
// Kerberos gives. "" is the real clock.
func StartApacheGSSAPIClock(t testing.TB, r *Realm, offset string) string {
	t.Helper()
	apache := need(t, "apache2", "apache2")
	mods := "/usr/lib/apache2/modules"
	if _, err := os.Stat(filepath.Join(mods, "mod_auth_gssapi.so")); err != nil {
		t.Skip("mod_auth_gssapi is not installed (Debian package libapache2-mod-auth-gssapi)")
	}
	dir := publicDir(t, "keyhole-apache-")
	port := FreePort(t)
	if err := os.MkdirAll(filepath.Join(dir, "www", "private"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "www", "private", "hello.txt"), "hello from Apache\n")
	user, group := "nobody", "nogroup"
	if os.Getuid() != 0 {
		user, group = fmt.Sprint(os.Getuid()), fmt.Sprint(os.Getgid())
		user, group = "#"+user, "#"+group
	}
	conf := filepath.Join(dir, "httpd.conf")
	write(t, conf, fmt.Sprintf(`ServerRoot %[1]s
ServerName localhost
Listen 127.0.0.1:%[2]d
PidFile %[1]s/httpd.pid
DefaultRuntimeDir %[1]s
ErrorLog %[1]s/error.log
LogLevel warn
LoadModule mpm_event_module %[3]s/mod_mpm_event.so
LoadModule authn_core_module %[3]s/mod_authn_core.so
LoadModule authz_core_module %[3]s/mod_authz_core.so
LoadModule authz_user_module %[3]s/mod_authz_user.so
LoadModule auth_gssapi_module %[3]s/mod_auth_gssapi.so
User %[4]s
Group %[5]s
DocumentRoot %[1]s/www
<Location /private/>
  AuthType GSSAPI
  AuthName "keyhole"
  GssapiCredStore keytab:%[6]s
  GssapiAllowedMech krb5
  Require valid-user
</Location>
`, dir, port, mods, user, group, r.Keytab))
	cmd := exec.Command(apache, "-X", "-f", conf)
	cmd.Env = append(os.Environ(), r.Env()...)
	if offset != "" {
		cmd.Env = append(cmd.Env, FakeTime(t, offset)...)
	}
	start(t, cmd, fmt.Sprintf("127.0.0.1:%d", port))
	return fmt.Sprintf("http://localhost:%d", port)
}

// FakeTime is the environment that runs a C program (not a Go one, which
// reads the clock without libc) with its clock off by offset, through
// libfaketime. It skips t when libfaketime is not installed.
func FakeTime(t testing.TB, offset string) []string {
	t.Helper()
	libs, _ := filepath.Glob("/usr/lib/*/faketime/libfaketime.so.1")
	if len(libs) == 0 {
		t.Skip("libfaketime is not installed (Debian package faketime; .ci/setup.d/20-windows.sh installs it)")
	}
	// Only the wall clock moves: timers and timeouts keep real time.
	return []string{"LD_PRELOAD=" + libs[0], "FAKETIME=" + offset, "DONT_FAKE_MONOTONIC=1"}
}
