package peers

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Realm is a throw-away MIT Kerberos realm with a running KDC: user alice
// (password AlicePassword) and the service HTTP/localhost, whose key is in
// Keytab.
type Realm struct {
	Name   string // KEYHOLE.TEST
	Dir    string
	Config string // its krb5.conf: KRB5_CONFIG
	CCache string // a private credential cache: KRB5CCNAME=FILE:CCache
	Keytab string // HTTP/localhost's key
	KDC    string // 127.0.0.1:PORT
	kdc    *process
	env    []string
}

// AlicePassword is the realm's user's password.
const AlicePassword = "alice-kerberos-pw"

// StartKerberos makes the realm in a temporary directory and starts its KDC
// on a free loopback port (UDP and TCP).
func StartKerberos(t testing.TB) *Realm {
	t.Helper()
	return StartKerberosClock(t, "")
}

// StartKerberosClock is StartKerberos with the KDC's clock off by offset
// ("+1h"; libfaketime's syntax, see FakeTime), "" for the real clock.
func StartKerberosClock(t testing.TB, offset string) *Realm {
	t.Helper()
	kdb5 := need(t, "kdb5_util", "krb5-kdc")
	kadmin := need(t, "kadmin.local", "krb5-admin-server")
	krb5kdc := need(t, "krb5kdc", "krb5-kdc")
	need(t, "kinit", "krb5-user")
	dir := publicDir(t, "keyhole-krb5-")
	port := FreePort(t)
	r := &Realm{Name: "KEYHOLE.TEST", Dir: dir, Config: filepath.Join(dir, "krb5.conf"),
		CCache: filepath.Join(dir, "ccache"), Keytab: filepath.Join(dir, "http.keytab"), KDC: fmt.Sprintf("127.0.0.1:%d", port)}
	write(t, r.Config, fmt.Sprintf(`[libdefaults]
  default_realm = %[1]s
  dns_lookup_kdc = false
  dns_lookup_realm = false
  rdns = false
  dns_canonicalize_hostname = false
  udp_preference_limit = 1
[realms]
  %[1]s = {
    kdc = %[2]s
  }
[domain_realm]
  localhost = %[1]s
`, r.Name, r.KDC))
	kdc := filepath.Join(dir, "kdc.conf")
	write(t, kdc, fmt.Sprintf(`[kdcdefaults]
  kdc_listen = %[2]s
  kdc_tcp_listen = %[2]s
[realms]
  %[1]s = {
    database_name = %[3]s/principal
    key_stash_file = %[3]s/stash
    acl_file = %[3]s/kadm5.acl
    kdc_listen = %[2]s
    kdc_tcp_listen = %[2]s
  }
[logging]
  kdc = FILE:%[3]s/kdc.log
`, r.Name, r.KDC, dir))
	r.env = []string{"KRB5_CONFIG=" + r.Config, "KRB5_KDC_PROFILE=" + kdc, "KRB5CCNAME=FILE:" + r.CCache}
	run(t, r.env, kdb5, "create", "-s", "-r", r.Name, "-P", "keyhole-master-pw")
	run(t, r.env, kadmin, "-r", r.Name, "-q", "addprinc -pw "+AlicePassword+" alice")
	run(t, r.env, kadmin, "-r", r.Name, "-q", "addprinc -randkey HTTP/localhost")
	run(t, r.env, kadmin, "-r", r.Name, "-q", "ktadd -k "+r.Keytab+" HTTP/localhost")
	if err := os.Chmod(r.Keytab, 0o644); err != nil { // Apache reads it after dropping root
		t.Fatal(err)
	}
	cmd := exec.Command(krb5kdc, "-n", "-r", r.Name)
	cmd.Env = append(os.Environ(), r.env...)
	if offset != "" {
		cmd.Env = append(cmd.Env, FakeTime(t, offset)...)
	}
	r.kdc = start(t, cmd, r.KDC)
	return r
}

// Env is KRB5_CONFIG and KRB5CCNAME for the realm, for a child process.
func (r *Realm) Env() []string { return r.env[:1:1] }

// CCacheEnv is Env plus the private KRB5CCNAME.
func (r *Realm) CCacheEnv() []string { return []string{r.env[0], r.env[2]} }

// Kinit gets alice a ticket-granting ticket into CCache, as a user would.
func (r *Realm) Kinit(t testing.TB) {
	t.Helper()
	r.KinitFor(t, "")
}

// KinitFor is Kinit with the ticket's lifetime ("5s"; kinit -l), "" for
// the realm's default, for tests of tickets that expire.
func (r *Realm) KinitFor(t testing.TB, lifetime string) {
	t.Helper()
	args := []string{"alice@" + r.Name}
	if lifetime != "" {
		args = append([]string{"-l", lifetime}, args...)
	}
	cmd := exec.Command("kinit", args...)
	cmd.Env = append(os.Environ(), r.CCacheEnv()...)
	cmd.Stdin = strings.NewReader(AlicePassword + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("kinit: %v\n%s", err, out)
	}
}

// StopKDC stops the KDC, for tests of a KDC that does not answer.
func (r *Realm) StopKDC() { r.kdc.stop(r.kdc.exited) }
