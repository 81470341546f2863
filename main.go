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
	"strings"

	"keyhole/credentials"
	"keyhole/httpclient"
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
	exitCutShort  = 6 // an answer came but was cut short (timeout, broken body, redirect loop)
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if opensTUI(args) {
		// No command and no flag: the TUI, without building every
		// command's flags first (the whole command line is otherwise
		// built, before the first frame, for one positional argument).
		var f tuiFlags
		return cmdTUI(f, *tuiFlagSet(&f), args, stdout, stderr)
	}
	code := exitOK
	cmd, err := newCLI(args, stdin, stdout, stderr, &code).ExecuteC()
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", cmd.CommandPath(), err)
		return exitUsage
	}
	return code
}

// opensTUI reports an argument list that can only open the TUI: none, or
// one URL or .http/.rest file, which no command name can be.
func opensTUI(args []string) bool {
	switch {
	case len(args) == 0:
		return true
	case len(args) > 1 || strings.HasPrefix(args[0], "-"):
		return false
	}
	return strings.Contains(args[0], "://") || isHTTPFile(args[0])
}

// tuiFlags are the flags of keyhole itself, which opens the TUI.
type tuiFlags struct {
	curl    string
	tls     bool
	version bool
}

func tuiFlagSet(f *tuiFlags) *flagSet {
	fs := newFlagSet("keyhole")
	fs.String(&f.curl, "curl", "", "'curl ...'", "open the TUI with a curl command's request and credentials")
	fs.SetAnnotation("curl", "example", []string{"a curl command, e.g. keyhole --curl 'curl -u alice http://127.0.0.1:8401/basic'"})
	fs.Bool(&f.tls, "tls", "", "the practice server over https, for the client-certificate lesson")
	fs.Bool(&f.version, "version", "", "print the version")
	return fs
}

// cmdTUI opens the TUI, or prints the version.
func cmdTUI(f tuiFlags, fs flagSet, args []string, stdout, stderr io.Writer) int {
	if f.version {
		fmt.Fprintln(stdout, "keyhole", version)
		return exitOK
	}
	o, err := tuiOptionsFrom(f, &fs, args)
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

// tuiOptions reads what the TUI opens on from keyhole's arguments.
func tuiOptions(args []string) (ui.Options, error) {
	var f tuiFlags
	fs := tuiFlagSet(&f)
	if err := fs.Parse(args); err != nil {
		return ui.Options{}, flagError("keyhole", err)
	}
	return tuiOptionsFrom(f, fs, fs.Args())
}

// tuiOptionsFrom reads what the TUI opens on: nothing (the practice server),
// a URL, --curl 'curl ...', or an .http / .rest file. Everything is checked
// here, so a mistake is one line on stderr, not a TUI opening on an error.
func tuiOptionsFrom(f tuiFlags, fs *flagSet, args []string) (ui.Options, error) {
	switch {
	case fs.Seen("curl"):
		if len(args) > 0 || f.tls {
			return ui.Options{}, fmt.Errorf("--curl takes one argument, got more: %q; quote the whole curl command", args)
		}
		if _, err := session.ParseCurl(strings.TrimSpace(f.curl)); err != nil {
			return ui.Options{}, fmt.Errorf("--curl: %v", err)
		}
		return ui.Options{Curl: f.curl}, nil
	case f.tls:
		if len(args) > 0 {
			return ui.Options{}, fmt.Errorf("--tls opens the practice server and takes no URL or file, got %q; see keyhole --help", args)
		}
		// The practice server over https with its own CA, for the mTLS lesson.
		return ui.Options{Practice: true, PracticeTLS: true}, nil
	case len(args) == 0:
		return ui.Options{Practice: true}, nil
	case len(args) > 1:
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
  send        send a request, answer its challenges, print every attempt and why it failed
  explain     explain WWW-Authenticate / Proxy-Authenticate values, from arguments or stdin
  jwt         decode and explain a JWT (header, claims, expiry), without verifying it
  practice    run the practice server (and forward proxy) in the foreground
  profile     list, save or delete saved credential profiles (secrets in the OS keychain)
  version     print the version (also --version)
  completion  print a shell completion script: keyhole completion bash|zsh|fish

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
4 authentication failed (401/407), 5 other HTTP error, 6 answer cut short.
`

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

// profileFlagsOf are the flags of 'profile save': one per field of the
// schemes' descriptions (credentials.Schemes), named after its key
// (client_id: --client-id), so a profile saves whatever a scheme asks for.
func profileFlagsOf() []struct{ flag, field, arg, help string } {
	var out []struct{ flag, field, arg, help string }
	seen := map[string]bool{}
	for _, d := range credentials.Schemes {
		for _, f := range d.Fields {
			if seen[f.Key] {
				continue
			}
			seen[f.Key] = true
			arg, help := strings.ToUpper(f.Key), d.Title+" "+strings.ToLower(f.Label)
			if f.Hint != "" {
				help += "; " + f.Hint
			}
			if f.Secret {
				arg, help = "SECRET", help+", or env:NAME / file:PATH / cmd:COMMAND"
			}
			out = append(out, struct{ flag, field, arg, help string }{strings.ReplaceAll(f.Key, "_", "-"), f.Key, arg, help})
		}
	}
	return out
}

// profileOptions are the flags of 'keyhole profile save'.
type profileOptions struct {
	scheme, host string
	values       map[string]string // profile field -> value
}

func profileFlags(po *profileOptions) *flagSet {
	po.values = map[string]string{}
	fs := newFlagSet("keyhole profile")
	fs.String(&po.scheme, "scheme", "", "SCHEME", strings.Join(authModes[2:], "|"))
	fs.String(&po.host, "host", "", "HOST[:PORT]", "the host the profile is for (default any)")
	for _, f := range profileFlagsOf() {
		fs.Func(f.flag, "", f.arg, f.help, func(v string) error { po.values[f.field] = v; return nil })
	}
	return fs
}

// cmdProfile runs 'keyhole profile sub' with the positional arguments pos.
func cmdProfile(sub string, po profileOptions, pos []string, stdout, stderr io.Writer) int {
	scheme, host, values := po.scheme, po.host, po.values
	path, err := credentials.DefaultProfilesPath()
	if err != nil {
		return usageError(stderr, "profile", err)
	}
	store := credentials.NewSecretStore()
	ps, err := credentials.OpenProfiles(path, store)
	if err != nil {
		return usageError(stderr, "profile", err)
	}
	switch sub {
	case "list":
		list := ps.List()
		if len(list) == 0 {
			fmt.Fprintln(stdout, "no profiles yet; see keyhole profile --help")
		}
		// Everything below came from a file someone may have edited by
		// hand, or copied in: it is made safe like server text.
		for _, p := range list {
			h := httpclient.SafeLine(p.Host)
			if h == "" {
				h = "any host"
			}
			var where []string
			for _, k := range slices.Sorted(maps.Keys(p.Secrets)) {
				where = append(where, httpclient.SafeLine(k)+" in "+httpclient.SafeLine(p.Secrets[k]))
			}
			fmt.Fprintf(stdout, "%-16s %-10s %-24s %s\n", httpclient.SafeLine(p.Name), httpclient.SafeLine(p.Scheme), h, strings.Join(where, ", "))
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
	return usageError(stderr, "profile", fmt.Errorf("unknown subcommand %q; use list, save or delete", sub))
}
