// Command keyhole debugs HTTP authentication by hand: send a request, read the
// challenge, answer it, retry, and see why each attempt failed.
package main

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"keyhole/credentials"
	"keyhole/session"
	"keyhole/ui"
)

var version = "0.1.0-dev"

// Exit statuses shared by every command.
const (
	exitOK        = 0
	exitNoAnswer  = 1 // no response came
	exitUsage     = 2
	exitForbidden = 3
	exitAuth      = 4 // 401 or 407
	exitHTTPError = 5
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "send":
			return cmdSend(args[1:], stdin, stdout, stderr)
		case "explain":
			return cmdExplain(args[1:], stdin, stdout, stderr)
		case "jwt":
			return cmdJWT(args[1:], stdin, stdout, stderr)
		case "profile":
			return cmdProfile(args[1:], stdin, stdout, stderr)
		case "practice":
			return cmdPractice(args[1:], stdout, stderr)
		case "--version", "version":
			fmt.Fprintln(stdout, "keyhole", version)
			return exitOK
		case "-h", "--help", "help":
			fmt.Fprint(stdout, usage)
			return exitOK
		}
	}
	o, err := tuiOptions(args)
	if err != nil {
		fmt.Fprintln(stderr, "keyhole:", err)
		return exitUsage
	}
	if err := ui.Run(o); err != nil {
		fmt.Fprintf(stderr, "keyhole: the TUI stopped: %v; run keyhole in a terminal, or use keyhole send in scripts\n", err)
		return exitNoAnswer
	}
	return exitOK
}

// tuiOptions reads what the TUI opens on: nothing (the practice server), a
// URL, --curl 'curl ...', or an .http / .rest file. Everything is checked
// here, so a mistake is one line on stderr, not a TUI opening on an error.
func tuiOptions(args []string) (ui.Options, error) {
	if len(args) == 0 {
		return ui.Options{Practice: true}, nil
	}
	if len(args) == 1 && args[0] == "--tls" {
		// The practice server over https with its own CA, for the mTLS lesson.
		return ui.Options{Practice: true, PracticeTLS: true}, nil
	}
	if cmd, ok := strings.CutPrefix(args[0], "--curl="); ok || args[0] == "--curl" {
		if !ok {
			if len(args) < 2 {
				return ui.Options{}, errors.New("--curl needs a curl command, e.g. keyhole --curl 'curl -u alice http://127.0.0.1:8401/basic'")
			}
			cmd, args = args[1], args[1:]
		}
		if len(args) > 1 {
			return ui.Options{}, fmt.Errorf("--curl takes one argument, got more: %q; quote the whole curl command", args[1:])
		}
		if _, err := session.ParseCurl(strings.TrimSpace(cmd)); err != nil {
			return ui.Options{}, fmt.Errorf("--curl: %v", err)
		}
		return ui.Options{Curl: cmd}, nil
	}
	if len(args) > 1 || strings.HasPrefix(args[0], "-") {
		return ui.Options{}, fmt.Errorf("unknown command or arguments %q; see keyhole --help", args)
	}
	if isHTTPFile(args[0]) {
		reqs, err := readHTTPFile(args[0])
		if err != nil {
			return ui.Options{}, err
		}
		return ui.Options{Requests: reqs}, nil
	}
	return ui.Options{URL: args[0]}, nil
}

// isHTTPFile reports whether arg names an .http or .rest file (JetBrains'
// and VS Code's request files) rather than a URL.
func isHTTPFile(arg string) bool {
	if strings.Contains(arg, "://") {
		return false
	}
	ext := strings.ToLower(filepath.Ext(arg))
	return ext == ".http" || ext == ".rest"
}

func readHTTPFile(path string) ([]session.NamedRequest, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot open the request file: %v; check the path", err)
	}
	defer f.Close()
	reqs, err := session.ParseHTTPFile(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %s", path, strings.TrimPrefix(err.Error(), ".http file: "))
	}
	if len(reqs) == 0 {
		return nil, fmt.Errorf("%s holds no request; write one as METHOD URL, e.g. GET http://127.0.0.1:8401/basic", path)
	}
	return reqs, nil
}

const usage = `keyhole debugs HTTP authentication by hand: send a request, read the
server's challenge in words, answer it, retry, and see why each attempt failed.

Usage:
  keyhole                      open the TUI on the built-in practice server
  keyhole URL                  open the TUI with URL ready to send
  keyhole --curl 'curl ...'    open the TUI with a curl command's request and credentials
  keyhole --tls                the practice server over https, for the client-certificate lesson
  keyhole FILE.http            open the TUI on the requests of an .http or .rest file
  keyhole COMMAND [flags]      run a command without the TUI, for scripts and CI

Commands:
  send      send a request, answer its challenges, print every attempt and why it failed
  explain   explain WWW-Authenticate / Proxy-Authenticate values, from arguments or stdin
  jwt       decode and explain a JWT (header, claims, expiry), without verifying it
  practice  run the practice server (and forward proxy) in the foreground
  profile   list, save or delete saved credential profiles (secrets in the OS keychain)
  version   print the version (also --version)

Examples:
  keyhole
  keyhole http://127.0.0.1:8401/digest
  keyhole --curl 'curl -u alice --digest http://127.0.0.1:8401/digest'
  keyhole api.http
  keyhole send -u alice:wonderland http://127.0.0.1:8401/basic
  keyhole send -x http://127.0.0.1:8402 -U alice http://127.0.0.1:8401/proxy
  keyhole explain 'Digest realm="api", qop="auth", algorithm=SHA-256, nonce="abc"'
  keyhole jwt "$TOKEN"
  keyhole practice --proxy-addr 127.0.0.1:8402
  keyhole profile save work --scheme basic --user alice --password env:WORK_PW

Run 'keyhole COMMAND --help' for a command's flags and examples.
Exit status of the commands: 0 ok, 1 no response, 2 usage error, 3 forbidden,
4 authentication failed (401/407), 5 other HTTP error.
`

// flagSpec is one command-line flag, spelled as curl spells it.
type flagSpec struct {
	long  string
	short byte   // 0 when there is no short form
	arg   string // the value's name in help; "" for a boolean flag
	help  string
	set   func(v string) error
}

// flagSet parses curl-style flags: "-X POST", "-XPOST", "-uuser:pw",
// "--request POST", "--request=POST", clustered booleans "-kL", "-L=false",
// repeated flags, and flags after positional arguments. The standard flag
// package stops at the first positional argument and has no attached short
// values, which curl users type all the time.
type flagSet struct {
	cmd   string
	specs []*flagSpec
	seen  map[string]bool
}

func newFlagSet(cmd string) *flagSet { return &flagSet{cmd: cmd, seen: map[string]bool{}} }

func (fs *flagSet) Func(long string, short byte, arg, help string, set func(string) error) {
	fs.specs = append(fs.specs, &flagSpec{long: long, short: short, arg: arg, help: help, set: set})
}

func (fs *flagSet) String(p *string, long string, short byte, arg, help string) {
	fs.Func(long, short, arg, help, func(v string) error { *p = v; return nil })
}

func (fs *flagSet) Bool(p *bool, long string, short byte, help string) {
	fs.Func(long, short, "", help, func(v string) error {
		if v == "" {
			*p = true
			return nil
		}
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("wants true or false, not %q", v)
		}
		*p = b
		return nil
	})
}

// Seen reports whether the flag called long was given.
func (fs *flagSet) Seen(long string) bool { return fs.seen[long] }

func (fs *flagSet) lookup(long string, short byte) *flagSpec {
	for _, s := range fs.specs {
		if (long != "" && s.long == long) || (short != 0 && s.short == short) {
			return s
		}
	}
	return nil
}

func (fs *flagSet) apply(s *flagSpec, name, v string) error {
	fs.seen[s.long] = true
	if err := s.set(v); err != nil {
		return fmt.Errorf("%s: %v", name, err)
	}
	return nil
}

// Parse applies the flags in args and returns the positional arguments.
func (fs *flagSet) Parse(args []string) ([]string, error) {
	var pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return append(pos, args[i+1:]...), nil
		case strings.HasPrefix(a, "--"):
			name, val, hasVal := strings.Cut(a[2:], "=")
			s := fs.lookup(name, 0)
			if s == nil {
				return nil, fmt.Errorf("unknown flag --%s; see %s --help", name, fs.cmd)
			}
			if s.arg != "" && !hasVal {
				if i+1 >= len(args) {
					return nil, fmt.Errorf("--%s needs a %s", name, s.arg)
				}
				i++
				val = args[i]
			}
			if err := fs.apply(s, "--"+name, val); err != nil {
				return nil, err
			}
		case len(a) > 1 && a[0] == '-':
			for j := 1; j < len(a); j++ {
				s := fs.lookup("", a[j])
				if s == nil {
					return nil, fmt.Errorf("unknown flag -%c; see %s --help", a[j], fs.cmd)
				}
				name := "-" + string(a[j])
				if s.arg == "" {
					v := ""
					if strings.HasPrefix(a[j+1:], "=") {
						v, j = a[j+2:], len(a)
					}
					if err := fs.apply(s, name, v); err != nil {
						return nil, err
					}
					continue
				}
				val := a[j+1:]
				if val == "" {
					if i+1 >= len(args) {
						return nil, fmt.Errorf("%s needs a %s", name, s.arg)
					}
					i++
					val = args[i]
				}
				if err := fs.apply(s, name, val); err != nil {
					return nil, err
				}
				break
			}
		default:
			pos = append(pos, a)
		}
	}
	return pos, nil
}

// Help writes the flags, one a line, in the order they were declared.
func (fs *flagSet) Help(w io.Writer) {
	var rows [][2]string
	width := 0
	for _, s := range fs.specs {
		left := "    --" + s.long
		if s.short != 0 {
			left = "-" + string(s.short) + ", --" + s.long
		}
		if s.arg != "" {
			left += " " + s.arg
		}
		rows = append(rows, [2]string{left, s.help})
		width = max(width, len(left))
	}
	for _, r := range rows {
		fmt.Fprintf(w, "  %-*s  %s\n", width, r[0], r[1])
	}
}

// wantsHelp reports whether args ask for help before anything else is parsed,
// so that --help works even next to a bad flag.
func wantsHelp(args []string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		if a == "-h" || a == "--help" {
			return true
		}
	}
	return false
}

const profileHelp = `Usage:
  keyhole profile list
  keyhole profile save NAME --scheme SCHEME [--host HOST] [credential flags]
  keyhole profile delete NAME

A profile is a named set of credentials to reuse with 'keyhole send --profile NAME'.
Names, users, URLs and scopes go to profiles.json in your configuration folder;
secrets go to the OS keychain, or, where there is none, must be given as a
reference that is read at send time: env:NAME, file:PATH or cmd:COMMAND.

Examples:
  keyhole profile save practice --scheme basic --user alice --password env:PRACTICE_PW
  keyhole profile save gh --scheme bearer --host api.github.com --token 'cmd:gh auth token'
  keyhole send --profile practice http://127.0.0.1:8401/basic

Flags of save:
`

// profileFields maps the flags of 'profile save' to profile field names.
var profileFields = []struct{ flag, field, arg, help string }{
	{"user", "user", "USER", "user name (Basic, Digest, OAuth password grant)"},
	{"password", "password", "SECRET", "password, or env:NAME / file:PATH / cmd:COMMAND"},
	{"token", "token", "SECRET", "bearer token, or a reference"},
	{"api-key-name", "api_key_name", "NAME", "API key header, query or cookie name"},
	{"api-key", "api_key", "SECRET", "API key value, or a reference"},
	{"api-key-in", "api_key_in", "WHERE", "header|query|cookie"},
	{"client-id", "client_id", "ID", "OAuth 2.0 client id"},
	{"client-secret", "client_secret", "SECRET", "OAuth 2.0 client secret, or a reference"},
	{"token-url", "token_url", "URL", "OAuth 2.0 token endpoint"},
	{"scope", "scope", "SCOPES", "OAuth 2.0 scopes"},
	{"grant", "grant", "GRANT", "OAuth 2.0 grant"},
	{"aws-sigv4", "aws_sigv4", "PROVIDER:REGION:SERVICE", "AWS SigV4 signing"},
}

func cmdProfile(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	values := map[string]string{}
	var scheme, host string
	fs := newFlagSet("keyhole profile")
	fs.String(&scheme, "scheme", 0, "SCHEME", strings.Join(authModes[2:], "|"))
	fs.String(&host, "host", 0, "HOST[:PORT]", "the host the profile is for (default any)")
	for _, f := range profileFields {
		fs.Func(f.flag, 0, f.arg, f.help, func(v string) error { values[f.field] = v; return nil })
	}
	if wantsHelp(args) || len(args) == 0 {
		fmt.Fprint(stdout, profileHelp)
		fs.Help(stdout)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	pos, err := fs.Parse(args[1:])
	if err != nil {
		return usageError(stderr, "profile", err)
	}
	path, err := credentials.DefaultProfilesPath()
	if err != nil {
		return usageError(stderr, "profile", err)
	}
	store := credentials.NewSecretStore()
	ps, err := credentials.OpenProfiles(path, store)
	if err != nil {
		return usageError(stderr, "profile", err)
	}
	switch args[0] {
	case "list":
		list := ps.List()
		if len(list) == 0 {
			fmt.Fprintln(stdout, "no profiles yet; see keyhole profile --help")
		}
		for _, p := range list {
			h := p.Host
			if h == "" {
				h = "any host"
			}
			var where []string
			for _, k := range slices.Sorted(maps.Keys(p.Secrets)) {
				where = append(where, k+" in "+p.Secrets[k])
			}
			fmt.Fprintf(stdout, "%-16s %-10s %-24s %s\n", p.Name, p.Scheme, h, strings.Join(where, ", "))
		}
		return exitOK
	case "delete":
		if len(pos) != 1 {
			return usageError(stderr, "profile", errors.New("delete takes one profile name, e.g. keyhole profile delete work; keyhole profile list shows them"))
		}
		if err := ps.Delete(pos[0]); err != nil {
			return usageError(stderr, "profile", err)
		}
		fmt.Fprintf(stdout, "deleted profile %s\n", pos[0])
		return exitOK
	case "save":
		if len(pos) != 1 {
			return usageError(stderr, "profile", errors.New("save takes one profile name, e.g. keyhole profile save work --scheme basic --user alice --password env:PW"))
		}
		if !slices.Contains(authModes[2:], strings.ToLower(scheme)) {
			return usageError(stderr, "profile", fmt.Errorf("--scheme must be one of %s", strings.Join(authModes[2:], ", ")))
		}
		for k, v := range values {
			// A process-memory secret would vanish as this command exits.
			if credentials.IsSecretField(k) && !credentials.IsReference(v) && !store.Persistent() {
				return usageError(stderr, "profile", fmt.Errorf("no OS keychain here to keep the %s; give it as a reference: env:NAME, file:PATH or cmd:COMMAND", k))
			}
		}
		if _, err := ps.Save(pos[0], host, scheme, values); err != nil {
			return usageError(stderr, "profile", err)
		}
		where := store.Kind()
		if !store.Persistent() {
			where = "read from their references at send time (no OS keychain here)"
		}
		fmt.Fprintf(stdout, "saved profile %s in %s; secrets: %s\n", pos[0], path, where)
		return exitOK
	}
	return usageError(stderr, "profile", fmt.Errorf("unknown subcommand %q; use list, save or delete", args[0]))
}
