package main

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"keyhole/credentials"
)

// parseSend runs argv through the cobra command of 'keyhole send' and returns
// the options, the flags given and the positional arguments it would run with.
func parseSend(t *testing.T, argv ...string) (*sendOptions, *flagSet, []string, error) {
	t.Helper()
	var got *sendOptions
	var seen *flagSet
	var pos []string
	code := 0
	cmd := sendCommand(func(o *sendOptions, fs *flagSet, args []string) int {
		got, seen, pos = o, fs, args
		return 0
	}, &code)
	cmd.SetArgs(argv)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err := cmd.Execute()
	return got, seen, pos, err
}

// TestSendFlagSpellings is the table of curl's spellings that keyhole send
// must read as curl does.
func TestSendFlagSpellings(t *testing.T) {
	const u = "http://127.0.0.1:8401/basic"
	type want struct {
		method, user, data, proxy, proxyUser, curl string
		auth, token, proxyAuth                     string
		headers                                    []string
		hasData, insecure, quiet                   bool
		location                                   bool
		pos                                        []string
		seen                                       []string
	}
	def := func(w want) want {
		if w.pos == nil {
			w.pos = []string{u}
		}
		if w.auth == "" {
			w.auth = "auto"
		}
		return w
	}
	cases := []struct {
		argv []string
		want want
	}{
		{[]string{"-XPOST", u}, want{method: "POST", location: true, seen: []string{"request"}}},
		{[]string{"-X", "POST", u}, want{method: "POST", location: true}},
		{[]string{"--request=POST", u}, want{method: "POST", location: true}},
		{[]string{"--request", "POST", u}, want{method: "POST", location: true}},
		{[]string{"-uuser:pw", u}, want{user: "user:pw", location: true, seen: []string{"user"}}},
		{[]string{"-u", "user:pw", u}, want{user: "user:pw", location: true}},
		{[]string{"--user=user:p=w", u}, want{user: "user:p=w", location: true}},
		// Flags after the URL, as curl takes them.
		{[]string{u, "-u", "a:b", "-XPUT"}, want{method: "PUT", user: "a:b", location: true}},
		// Clustered switches, and a switch turned off with =false.
		{[]string{"-kL", u}, want{insecure: true, location: true, seen: []string{"insecure", "location"}}},
		{[]string{"-kq", u}, want{insecure: true, quiet: true, location: true}},
		{[]string{"-L=false", u}, want{location: false, seen: []string{"location"}}},
		{[]string{"-kL=false", u}, want{insecure: true, location: false}},
		{[]string{"--location=false", u}, want{location: false}},
		{[]string{"--no-location", u}, want{location: false, seen: []string{"no-location"}}},
		{[]string{"--insecure=true", u}, want{insecure: true, location: true}},
		// A clustered switch ending in a flag that takes a value.
		{[]string{"-kXPOST", u}, want{insecure: true, method: "POST", location: true}},
		{[]string{"-kX", "DELETE", u}, want{insecure: true, method: "DELETE", location: true}},
		// Bodies: a file, stdin, and a value that starts with a dash.
		{[]string{"-d", "@body.json", u}, want{data: "@body.json", hasData: true, location: true, seen: []string{"data"}}},
		{[]string{"-d", "@-", u}, want{data: "@-", hasData: true, location: true}},
		{[]string{"-d@-", u}, want{data: "@-", hasData: true, location: true}},
		{[]string{"--data=a=1&b=2", u}, want{data: "a=1&b=2", hasData: true, location: true}},
		{[]string{"-d", "-not-a-flag", u}, want{data: "-not-a-flag", hasData: true, location: true}},
		// Repeated headers keep their order, commas and all.
		{[]string{"-H", "A: 1, 2", "-H", "B: 2", "--header=C: 3", "-HD: 4", u}, want{headers: []string{"A: 1, 2", "B: 2", "C: 3", "D: 4"}, location: true}},
		// Proxies.
		{[]string{"-x", "127.0.0.1:8402", "-Ualice:wonderland", u}, want{proxy: "127.0.0.1:8402", proxyUser: "alice:wonderland", location: true}},
		{[]string{"--proxy=http://127.0.0.1:8402", "--proxy-user", "alice", u}, want{proxy: "http://127.0.0.1:8402", proxyUser: "alice", location: true}},
		// -- ends the flags: what follows is positional even with a dash.
		{[]string{"-u", "a:b", "--", "-weird-url"}, want{user: "a:b", location: true, pos: []string{"-weird-url"}}},
		{[]string{"--", u, "-XPOST"}, want{location: true, pos: []string{u, "-XPOST"}}},
		// --curl takes the whole command as one value; other flags stay flags.
		{[]string{"--curl", "curl -u a:b " + u, "-XPATCH"}, want{curl: "curl -u a:b " + u, method: "PATCH", location: true, pos: []string{}}},
		// curl's spellings of --auth, --token and the proxy's scheme.
		{[]string{"--digest", "-u", "a:b", u}, want{auth: "digest", user: "a:b", location: true, seen: []string{"auth", "user"}}},
		{[]string{"-u", "a:b", u, "--anyauth"}, want{auth: "auto", user: "a:b", location: true, seen: []string{"auth"}}},
		{[]string{"--basic", u}, want{auth: "basic", location: true, seen: []string{"auth"}}},
		{[]string{"--ntlm", u}, want{auth: "ntlm", location: true, seen: []string{"auth"}}},
		{[]string{"--negotiate", "-u", ":", u}, want{auth: "negotiate", user: ":", location: true, seen: []string{"auth", "user"}}},
		{[]string{"--digest=false", u}, want{location: true}},
		{[]string{"--oauth2-bearer", "tok", u}, want{auth: "bearer", token: "tok", location: true, seen: []string{"auth", "token"}}},
		{[]string{"-x", "p:1", "-U", "bob:pw", "--proxy-digest", u}, want{proxy: "p:1", proxyUser: "bob:pw", proxyAuth: "digest", location: true}},
		{[]string{"--proxy-ntlm", "--proxy-anyauth", u}, want{proxyAuth: "auto", location: true}},
		{[]string{"--proxy-auth", "negotiate", "-U", ":", u}, want{proxyUser: ":", proxyAuth: "negotiate", location: true}},
		{[]string{"--proxy-auth=NTLM", u}, want{proxyAuth: "ntlm", location: true}},
		{[]string{"--proxy-auth", "any", u}, want{proxyAuth: "auto", location: true}},
		{[]string{"--proxy-negotiate", u}, want{proxyAuth: "negotiate", location: true}},
		{[]string{"--proxy-auth", "basic", "--proxy-digest", u}, want{proxyAuth: "digest", location: true}},
		// The last value of a single-valued flag wins, as in curl.
		{[]string{"-XGET", "-X", "POST", u}, want{method: "POST", location: true}},
	}
	for _, c := range cases {
		w := def(c.want)
		o, fs, pos, err := parseSend(t, c.argv...)
		if err != nil {
			t.Errorf("%q: %v", c.argv, err)
			continue
		}
		got := want{
			method: o.method, user: o.user, data: o.data, proxy: o.proxy, proxyUser: o.proxyUser, curl: o.curl,
			auth: o.auth, token: o.token, proxyAuth: o.proxyAuth,
			headers: o.headers, hasData: o.hasData, insecure: o.insecure, quiet: o.quiet, location: o.location,
			pos: pos, seen: w.seen,
		}
		if len(pos) == 0 {
			got.pos = []string{}
		}
		if !reflect.DeepEqual(got, w) {
			t.Errorf("%q:\n got %+v\nwant %+v", c.argv, got, w)
		}
		for _, name := range w.seen {
			if !fs.Seen(name) {
				t.Errorf("%q: Seen(%q) = false", c.argv, name)
			}
		}
		for _, name := range []string{"token", "auth", "profile"} {
			if fs.Seen(name) && !slices.Contains(w.seen, name) {
				t.Errorf("%q: Seen(%q) = true for a flag not given", c.argv, name)
			}
		}
	}
}

// The spellings that are errors say so in one line and exit 2, through the
// real binary.
func TestSendFlagErrors(t *testing.T) {
	cases := []struct {
		argv []string
		says string
	}{
		{[]string{"send", "-Z", "http://127.0.0.1:1/"}, "unknown flag -Z; see keyhole send --help"},
		{[]string{"send", "-kZ", "http://127.0.0.1:1/"}, "unknown flag -Z; see keyhole send --help"},
		{[]string{"send", "--bogus=1", "http://127.0.0.1:1/"}, "unknown flag --bogus; see keyhole send --help"},
		{[]string{"send", "http://127.0.0.1:1/", "-X"}, "--request needs a METHOD"},
		{[]string{"send", "-L=maybe", "http://127.0.0.1:1/"}, `-L/--location: wants true or false, not "maybe"`},
		{[]string{"send", "--max-attempts=0", "http://127.0.0.1:1/"}, "--max-attempts: wants a number of at least 1"},
		{[]string{"send", "--proxy-auth", "bearer", "http://127.0.0.1:1/"}, `--proxy-auth: wants one of basic, digest, ntlm, negotiate, any, not "bearer"`},
		{[]string{"send", "--proxy-auth=", "http://127.0.0.1:1/"}, `--proxy-auth: wants one of basic, digest, ntlm, negotiate, any, not ""`},
		{[]string{"--curl"}, "--curl needs a curl command"},
		{[]string{"jwt", "--at", "yesterday", "x.y.z"}, "is not an RFC 3339 time"},
		{[]string{"practice", "--token-ttl=0.5s"}, "use 1s or more"},
	}
	for _, c := range cases {
		r := keyhole(t, runOpts{}, c.argv...)
		wantCode(t, r, exitUsage, c.argv...)
		if strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || !strings.Contains(r.stderr, c.says) || r.stdout != "" {
			t.Errorf("keyhole %q: want one line saying %q, got stderr %q stdout %q", c.argv, c.says, r.stderr, r.stdout)
		}
	}
	// --help wins over a bad flag next to it, and 'help send' is the same page.
	a := keyhole(t, runOpts{}, "send", "--bogus", "--help")
	b := keyhole(t, runOpts{}, "help", "send")
	wantCode(t, a, exitOK)
	wantCode(t, b, exitOK)
	if a.stdout != b.stdout || !strings.Contains(a.stdout, "-X, --request METHOD") || !strings.Contains(a.stdout, "Examples:") {
		t.Errorf("send --bogus --help and help send differ or lack the flags:\n%s\n---\n%s", a.stdout, b.stdout)
	}
}

func TestCompletionScripts(t *testing.T) {
	for shell, marks := range map[string][]string{
		"bash": {"__start_keyhole", "complete -o default -F __start_keyhole keyhole"},
		"zsh":  {"#compdef keyhole", "_keyhole"},
		"fish": {"complete -c keyhole", "__keyhole_perform_completion"},
	} {
		r := keyhole(t, runOpts{}, "completion", shell)
		wantCode(t, r, exitOK, "completion", shell)
		for _, m := range marks {
			if !strings.Contains(r.stdout, m) {
				t.Errorf("completion %s lacks %q", shell, m)
			}
		}
		// Where the shell is installed, it must at least read the script.
		if path, err := exec.LookPath(shell); err == nil {
			script := filepath.Join(t.TempDir(), "keyhole."+shell)
			if err := os.WriteFile(script, []byte(r.stdout), 0o600); err != nil {
				t.Fatal(err)
			}
			check := []string{"-n", script}
			if shell == "fish" {
				check = []string{"--no-execute", script}
			}
			if out, err := exec.Command(path, check...).CombinedOutput(); err != nil {
				t.Errorf("%s cannot read the completion script: %v\n%s", shell, err, out)
			}
		}
	}
	r := keyhole(t, runOpts{}, "completion", "tcsh")
	if r.code == exitOK {
		t.Errorf("completion tcsh: exit 0, want an error")
	}
}

// TestBashCompletesFlags sources the bash script in a real bash and asks it to
// complete 'keyhole send --pro', as pressing tab would.
func TestBashCompletesFlags(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is not installed")
	}
	// cobra's script needs _get_comp_words_by_ref from bash-completion.
	const bashCompletion = "/usr/share/bash-completion/bash_completion"
	if _, err := os.Stat(bashCompletion); err != nil {
		t.Skip("bash-completion is not installed (Debian package bash-completion); TestCompletionScripts checks the script's text")
	}
	dir := t.TempDir()
	script := filepath.Join(dir, "keyhole.bash")
	r := keyhole(t, runOpts{}, "completion", "bash")
	wantCode(t, r, exitOK)
	if err := os.WriteFile(script, []byte(r.stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	complete := func(words ...string) []string {
		t.Helper()
		// The script runs ${COMP_WORDS[0]} __complete ..., so the first word
		// is the binary under test.
		line := strings.Join(append([]string{bin}, words...), " ")
		prog := `source ` + bashCompletion + `; source "$1"; shift
COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
__start_keyhole
printf '%s\n' "${COMPREPLY[@]}"`
		cmd := exec.Command(bash, append([]string{"--norc", "--noprofile", "-c", prog, "bash", script, bin}, words...)...)
		cmd.Env = append(os.Environ(), "HOME="+dir)
		// compopt complains on stderr outside a real tab press; stdout holds
		// the completions.
		var errb strings.Builder
		cmd.Stderr = &errb
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("bash completion of %q: %v\n%s", line, err, errb.String())
		}
		var got []string
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			if l != "" {
				got = append(got, strings.Fields(l)[0])
			}
		}
		return got
	}
	proxyFlags := []string{"--profile", "--proxy", "--proxy-user", "--proxy-auth", "--proxy-basic", "--proxy-digest", "--proxy-ntlm", "--proxy-negotiate", "--proxy-anyauth"}
	if got := complete("send", "--pro"); !reflect.DeepEqual(got, proxyFlags) {
		t.Errorf("keyhole send --pro<tab> = %q, want %q", got, proxyFlags)
	}
	if got := complete("send", "--auth", "di"); !reflect.DeepEqual(got, []string{"digest"}) {
		t.Errorf("keyhole send --auth di<tab> = %q, want digest", got)
	}
	if got := complete("send", "--proxy-auth", ""); !reflect.DeepEqual(got, []string{"basic", "digest", "ntlm", "negotiate", "any"}) {
		t.Errorf("keyhole send --proxy-auth <tab> = %q, want basic digest ntlm negotiate any", got)
	}
	if got := complete("pr"); !reflect.DeepEqual(got, []string{"practice", "profile"}) {
		t.Errorf("keyhole pr<tab> = %q, want practice profile", got)
	}
}

// Every scheme whose curl option takes a value (its description's
// CurlValue) is read by keyhole send from its description alone: the
// option as a flag of send, and in --curl, each gives the field the
// description names; in --curl, -u gives the fields CurlLoginKeys names
// (SigV4's keys), taken as curl takes -u.
func TestSendTakesEveryCurlValueOption(t *testing.T) {
	const v, u = "aws:amz:eu-west-1:s3", "http://127.0.0.1:1/x"
	for _, d := range credentials.Schemes {
		if d.CurlValue == "" {
			continue
		}
		o, fs, _, err := parseSend(t, d.Curl, v, u)
		if err != nil {
			t.Errorf("send %s: %v", d.Curl, err)
			continue
		}
		g, err := given(o, fs, strings.NewReader(""), io.Discard)
		if err != nil || g.Values[d.CurlValue] != v {
			t.Errorf("send %s %s: values %v (%v), want %s in %q", d.Curl, v, g.Values, err, v, d.CurlValue)
		}

		o, fs, _, err = parseSend(t, "--curl", "curl "+d.Curl+" "+v+" -u 'AKID7:env:NOT_A_REFERENCE' "+u)
		if err == nil {
			_, err = applyCurl(o, fs, io.Discard)
		}
		if err != nil {
			t.Errorf("send --curl %s: %v", d.Curl, err)
			continue
		}
		g, err = given(o, fs, strings.NewReader(""), io.Discard)
		if err != nil || g.Values[d.CurlValue] != v || g.Mode != d.Mode {
			t.Errorf("send --curl %s: mode %q values %v (%v), want %s in %q", d.Curl, g.Mode, g.Values, err, v, d.CurlValue)
			continue
		}
		if user, password, ok := d.CurlLoginKeys(); ok {
			if g.Values[user] != "AKID7" || g.Values[password] != "env:NOT_A_REFERENCE" {
				t.Errorf("send --curl %s -u: %q=%q %q=%q", d.Curl, user, g.Values[user], password, g.Values[password])
			}
			if _, err := g.Wallet(); err != nil && strings.Contains(err.Error(), "NOT_A_REFERENCE") {
				t.Errorf("send --curl %s: -u's password was read as a reference: %v", d.Curl, err)
			}
		}
	}
}
