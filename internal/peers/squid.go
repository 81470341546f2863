package peers

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Squid is a running Squid.
type Squid struct {
	// URL is the proxy's (forward) or the site's (accelerator) URL,
	// http://127.0.0.1:PORT; http://localhost:PORT for "negotiate", whose
	// ticket is for HTTP/localhost.
	URL string
	p   *process
}

// SquidOptions say what Squid asks for and where it sends requests.
type SquidOptions struct {
	// Scheme is "ntlm" (ntlm_fake_auth: any user and password pass, the
	// messages are real), "digest" (digest_file_auth with Users),
	// "basic" (basic_ncsa_auth is not used; basic_fake_auth: any password)
	// or "negotiate" (negotiate_kerberos_auth with Kerberos's keytab for
	// HTTP/localhost: a ticket of the realm passes).
	Scheme string
	// Kerberos is the realm whose tickets "negotiate" takes.
	Kerberos *Realm
	// Users are user:password pairs for Digest.
	Users map[string]string
	// Realm of the Digest challenge; "keyhole-proxy" when empty.
	Realm string
	// Accel, when set (http://127.0.0.1:PORT), makes Squid an accelerator
	// in front of that origin: it answers 401 with WWW-Authenticate
	// instead of 407.
	Accel string
}

// StartSquid runs Squid with o on a free loopback port.
func StartSquid(t testing.TB, o SquidOptions) *Squid {
	t.Helper()
	squid := need(t, "squid", "squid")
	dir := publicDir(t, "keyhole-squid-")
	port := FreePort(t)
	var c strings.Builder
	var env []string
	line := func(f string, a ...any) { fmt.Fprintf(&c, f+"\n", a...) }
	if o.Accel != "" {
		host := strings.TrimPrefix(o.Accel, "http://")
		h, p, _ := strings.Cut(host, ":")
		line("http_port 127.0.0.1:%d accel defaultsite=%s no-vhost", port, host)
		line("cache_peer %s parent %s 0 no-query originserver name=origin", h, p)
		line("cache_peer_access origin allow all")
	} else {
		line("http_port 127.0.0.1:%d", port)
	}
	line("pid_filename none")
	line("cache_log /dev/null")
	line("access_log none")
	line("cache deny all")
	line("shutdown_lifetime 0 seconds")
	switch o.Scheme {
	case "ntlm":
		line("auth_param ntlm program %s", helper(t, "ntlm_fake_auth"))
		line("auth_param ntlm children 2")
	case "digest":
		realm := o.Realm
		if realm == "" {
			realm = "keyhole-proxy"
		}
		var pw strings.Builder
		for u, p := range o.Users {
			fmt.Fprintf(&pw, "%s:%s\n", u, p)
		}
		file := filepath.Join(dir, "digest.pw")
		write(t, file, pw.String())
		line("auth_param digest program %s %s", helper(t, "digest_file_auth"), file)
		line("auth_param digest children 2")
		line("auth_param digest realm %s", realm)
	case "basic":
		line("auth_param basic program %s", helper(t, "basic_fake_auth"))
		line("auth_param basic children 2")
	case "negotiate":
		// -s GSS_C_NO_NAME: any key of the keytab, here HTTP/localhost's.
		line("auth_param negotiate program %s -s GSS_C_NO_NAME -k %s", helper(t, "negotiate_kerberos_auth"), o.Kerberos.Keytab)
		line("auth_param negotiate children 2")
		line("auth_param negotiate keep_alive on")
		env = append(env, o.Kerberos.Env()...)
		env = append(env, "KRB5RCACHETYPE=none") // the helper runs as Squid's user, who cannot write the default replay cache
	default:
		t.Fatalf("peers: no Squid scheme %q", o.Scheme)
	}
	line("acl authed proxy_auth REQUIRED")
	line("http_access allow authed")
	line("http_access deny all")
	conf := filepath.Join(dir, "squid.conf")
	write(t, conf, c.String())
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	cmd := exec.Command(squid, "-N", "-d", "1", "-f", conf)
	cmd.Env = append(os.Environ(), env...)
	p := start(t, cmd, addr)
	if o.Scheme == "negotiate" {
		addr = fmt.Sprintf("localhost:%d", port) // the host name of the proxy's SPN
	}
	return &Squid{URL: "http://" + addr, p: p}
}

// Log is what Squid printed so far, for a failing test to show.
func (s *Squid) Log() string { return s.p.out.String() }

func helper(t testing.TB, name string) string {
	t.Helper()
	return need(t, name, "squid")
}
