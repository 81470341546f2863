package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"keyhole/credentials"
	"keyhole/httpclient"
	"keyhole/session"
)

// The command line is cobra's commands over pflag's flags. pflag already
// reads curl's spellings: "-XPOST", "-uuser:pw", "-X POST", "--request=POST",
// clustered booleans "-kL", "-L=false", repeated flags, flags after the URL,
// and "--" ending the flags. What curl spells differently is handled where
// the flag is declared (--no-location is its own flag, since pflag has no
// negated booleans).

// flagSet is a command's flags; Seen tells a flag given on the command line
// from one left at its default, so that --curl and --profile fill only what
// the user did not say.
type flagSet struct{ *pflag.FlagSet }

func newFlagSet(cmd string) *flagSet {
	fs := pflag.NewFlagSet(cmd, pflag.ContinueOnError)
	fs.SortFlags = false // help lists the flags in the order they are declared
	fs.SetOutput(io.Discard)
	return &flagSet{fs}
}

// Seen reports whether the flag called long was given.
func (fs *flagSet) Seen(long string) bool { return fs.Changed(long) }

// argValue is a flag taking a value: set receives each occurrence, and arg
// names the value in help ("--request METHOD").
type argValue struct {
	arg string
	set func(string) error
}

func (v argValue) String() string     { return "" }
func (v argValue) Set(s string) error { return v.set(s) }
func (v argValue) Type() string       { return v.arg }

// Func declares a flag whose value is handed to set.
func (fs *flagSet) Func(long, short, arg, help string, set func(string) error) {
	fs.VarP(argValue{arg: arg, set: set}, long, short, help)
}

// String declares a flag whose value is stored in p; the last one given wins.
func (fs *flagSet) String(p *string, long, short, arg, help string) {
	fs.Func(long, short, arg, help, func(v string) error { *p = v; return nil })
}

// Bool declares a switch: "-k", "--insecure", "-k=false", "--insecure=false".
// Its default is what p holds already.
func (fs *flagSet) Bool(p *bool, long, short, help string) {
	fs.VarP(boolValue{p}, long, short, help)
	fs.Lookup(long).NoOptDefVal = "true"
}

// YesNo declares a switch whose absence means something of its own: p is
// "yes" after "--register", "no" after "--register=false", and stays ""
// when the flag is not given.
func (fs *flagSet) YesNo(p *string, long, help string) {
	fs.VarP(yesNoValue{p}, long, "", help)
	fs.Lookup(long).NoOptDefVal = "true"
}

type yesNoValue struct{ p *string }

func (y yesNoValue) String() string { return *y.p }
func (y yesNoValue) Type() string   { return "bool" }
func (y yesNoValue) Set(v string) error {
	var b bool
	if err := (boolValue{&b}).Set(v); err != nil {
		return err
	}
	*y.p = "no"
	if b {
		*y.p = "yes"
	}
	return nil
}

type boolValue struct{ p *bool }

func (b boolValue) String() string { return strconv.FormatBool(*b.p) }
func (b boolValue) Type() string   { return "bool" }
func (b boolValue) Set(v string) error {
	t, err := strconv.ParseBool(v)
	if err != nil {
		return fmt.Errorf("wants true or false, not %q", v)
	}
	*b.p = t
	return nil
}

// Duration declares a flag whose value is a positive duration such as 10s.
func (fs *flagSet) Duration(p *time.Duration, long, help string) {
	fs.Func(long, "", "DURATION", help, func(v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return fmt.Errorf("wants a duration such as 10s or 1m, not %q", v)
		}
		*p = d
		return nil
	})
}

// flagError turns pflag's errors into one line that says what to do.
func flagError(cmd string, err error) error {
	hint := "; see " + cmd + " --help"
	var unknown *pflag.NotExistError
	var missing *pflag.ValueRequiredError
	var invalid *pflag.InvalidValueError
	switch {
	case errors.As(err, &unknown):
		name := "--" + unknown.GetSpecifiedName()
		if unknown.GetSpecifiedShortnames() != "" {
			name = "-" + unknown.GetSpecifiedName()
		}
		return errors.New("unknown flag " + name + hint)
	case errors.As(err, &missing):
		f := missing.GetFlag()
		if ex := f.Annotations["example"]; len(ex) > 0 {
			return fmt.Errorf("--%s needs %s", f.Name, ex[0])
		}
		return fmt.Errorf("--%s needs a %s", f.Name, f.Value.Type())
	case errors.As(err, &invalid):
		f := invalid.GetFlag()
		name := "--" + f.Name
		if f.Shorthand != "" {
			name = "-" + f.Shorthand + "/--" + f.Name
		}
		return fmt.Errorf("%s: %v", name, errors.Unwrap(invalid))
	}
	return errors.New(err.Error() + hint)
}

// wantsHelp reports whether args ask for help before "--", so that --help
// works even next to a bad flag.
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

// newCLI is keyhole's command tree. Each command's exit status is left in
// *code; a usage error found by the flag parser is returned by Execute.
func newCLI(rawArgs []string, stdin io.Reader, stdout, stderr io.Writer, code *int) *cobra.Command {
	var tf tuiFlags
	root := &cobra.Command{
		Use:           "keyhole",
		Short:         "debug HTTP authentication by hand",
		Args:          cobra.ArbitraryArgs,
		SilenceErrors: true,
		SilenceUsage:  true,
		RunE: func(cmd *cobra.Command, args []string) error {
			*code = cmdTUI(tf, flagSet{cmd.Flags()}, args, stdout, stderr)
			return nil
		},
	}
	withFlags(root, tuiFlagSet(&tf))
	root.SetArgs(rawArgs)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetHelpFunc(func(cmd *cobra.Command, _ []string) {
		if cmd == root {
			fmt.Fprint(stdout, usage)
			return
		}
		fmt.Fprint(stdout, cmd.Long)
		if cmd.HasAvailableLocalFlags() && strings.HasSuffix(cmd.Long, "Flags:\n") {
			fmt.Fprint(stdout, cmd.LocalFlags().FlagUsages())
		}
	})
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		if wantsHelp(rawArgs) {
			return pflag.ErrHelp // cobra prints the command's help
		}
		return flagError(cmd.CommandPath(), err)
	})
	// Each command returns its own exit status through code.
	status := func(f func(cmd *cobra.Command, args []string) int) func(*cobra.Command, []string) error {
		return func(cmd *cobra.Command, args []string) error {
			*code = f(cmd, args)
			return nil
		}
	}

	send := sendCommand(func(o *sendOptions, fs *flagSet, pos []string) int {
		return cmdSend(o, fs, pos, stdin, stdout, stderr)
	}, code)

	var ex explainOptions
	explain := &cobra.Command{
		Use:   "explain [--json] [--proxy] [VALUE...]",
		Short: "explain WWW-Authenticate / Proxy-Authenticate values, from arguments or stdin",
		Long:  explainHelp,
		Args:  cobra.ArbitraryArgs,
		RunE:  status(func(_ *cobra.Command, args []string) int { return cmdExplain(ex, args, stdin, stdout, stderr) }),
	}
	withFlags(explain, explainFlags(&ex))

	var jo jwtOptions
	jwtCmd := &cobra.Command{
		Use:   "jwt [--json] [--at TIME] TOKEN|-",
		Short: "decode and explain a JWT (header, claims, expiry), without verifying it",
		Long:  jwtUsage,
		Args:  cobra.ArbitraryArgs,
		RunE:  status(func(_ *cobra.Command, args []string) int { return cmdJWT(jo, args, stdin, stdout, stderr) }),
	}
	withFlags(jwtCmd, jwtFlags(&jo))

	var po practiceOptions
	practiceCmd := &cobra.Command{
		Use:   "practice [flags]",
		Short: "run the practice server (and forward proxy) in the foreground",
		Long:  practiceUsage,
		Args:  cobra.ArbitraryArgs,
		RunE:  status(func(_ *cobra.Command, args []string) int { return cmdPractice(po, args, stdout, stderr) }),
	}
	withFlags(practiceCmd, practiceFlags(&po))

	version := &cobra.Command{
		Use:   "version",
		Short: "print the version (also --version)",
		Args:  cobra.NoArgs,
		Run:   func(*cobra.Command, []string) { fmt.Fprintln(stdout, "keyhole", version) },
	}

	root.AddCommand(send, explain, jwtCmd, practiceCmd, profileCommand(stdout, stderr, code), version)
	// cobra writes the completion scripts; keyhole only refuses a shell it
	// has no script for, which cobra would answer with help and exit 0.
	root.InitDefaultCompletionCmd()
	if c, _, err := root.Find([]string{"completion"}); err == nil && c != root {
		c.RunE = func(_ *cobra.Command, args []string) error {
			return fmt.Errorf("give a shell: keyhole completion bash|zsh|fish|powershell, not %q", args)
		}
		c.Args = cobra.ArbitraryArgs
	}
	return root
}

// sendCommand is 'keyhole send': its flags parsed into fresh sendOptions,
// then run, whose exit status is left in *code.
func sendCommand(run func(o *sendOptions, fs *flagSet, pos []string) int, code *int) *cobra.Command {
	o := newSendOptions()
	send := &cobra.Command{
		Use:   "send [flags] URL",
		Short: "send a request, answer its challenges, print every attempt and why it failed",
		Long:  sendHelp,
		Args:  cobra.ArbitraryArgs,
		Run: func(cmd *cobra.Command, args []string) {
			*code = run(o, &flagSet{cmd.Flags()}, args)
		},
	}
	withFlags(send, sendFlags(o))
	send.RegisterFlagCompletionFunc("auth", cobra.FixedCompletions(authModes, cobra.ShellCompDirectiveNoFileComp))
	send.RegisterFlagCompletionFunc("proxy-auth", cobra.FixedCompletions(proxyAuthNames(), cobra.ShellCompDirectiveNoFileComp))
	send.RegisterFlagCompletionFunc("api-key-in", cobra.FixedCompletions([]string{"header", "query", "cookie"}, cobra.ShellCompDirectiveNoFileComp))
	return send
}

// withFlags gives cmd the flags of fs, listed in help in the order they
// were declared, and a help flag of the same style.
func withFlags(cmd *cobra.Command, fs *flagSet) {
	cmd.Flags().SortFlags = false
	cmd.Flags().AddFlagSet(fs.FlagSet)
	var help bool
	(&flagSet{cmd.Flags()}).Bool(&help, "help", "h", "this help")
}

// profileCommand is 'keyhole profile' and its list, save and delete.
func profileCommand(stdout, stderr io.Writer, code *int) *cobra.Command {
	var po profileOptions
	saveFS := profileFlags(&po)
	help := func(cmd *cobra.Command, _ []string) {
		fmt.Fprint(stdout, profileHelp)
		fmt.Fprint(stdout, saveFS.FlagUsages())
	}
	profile := &cobra.Command{
		Use:   "profile list|save|delete",
		Short: "list, save or delete saved credential profiles (secrets in the OS keychain)",
		Args:  cobra.ArbitraryArgs,
		Run: func(cmd *cobra.Command, args []string) {
			if len(args) == 0 {
				help(cmd, args)
				*code = exitUsage
				return
			}
			*code = usageError(stderr, "profile", fmt.Errorf("unknown subcommand %q; use list, save or delete", args[0]))
		},
	}
	profile.SetHelpFunc(help)
	for _, sub := range []struct{ name, use string }{
		{"list", "list"},
		{"save", "save NAME --scheme SCHEME [--host HOST] [credential flags]"},
		{"delete", "delete NAME"},
	} {
		c := &cobra.Command{
			Use:   sub.use,
			Short: sub.name + " profiles",
			Args:  cobra.ArbitraryArgs,
			Run: func(cmd *cobra.Command, args []string) {
				*code = cmdProfile(sub.name, po, args, stdout, stderr)
			},
		}
		if sub.name == "save" {
			withFlags(c, saveFS)
			c.RegisterFlagCompletionFunc("scheme", cobra.FixedCompletions(authModes[2:], cobra.ShellCompDirectiveNoFileComp))
		}
		c.SetHelpFunc(help)
		profile.AddCommand(c)
	}
	return profile
}

func newSendOptions() *sendOptions {
	return &sendOptions{auth: "auto", location: true, maxAttempts: 3}
}

// authModes are --auth's values: auto, none, and each scheme's mode, from
// the scheme descriptions.
var authModes = append([]string{"auto", "none"}, credentials.Modes()...)

// proxyAuthNames are --proxy-auth's values: the schemes that answer a
// proxy, from the descriptions, and "any" (curl's --proxy-anyauth).
func proxyAuthNames() []string {
	return append(slices.DeleteFunc(session.ProxyModes(), func(m string) bool { return m == "auto" }), "any")
}

func sendFlags(o *sendOptions) *flagSet {
	fs := newFlagSet("keyhole send")
	fs.String(&o.method, "request", "X", "METHOD", "request method (default GET, or POST with -d)")
	fs.Func("header", "H", "'NAME: VALUE'", "add a request header; repeatable", func(v string) error {
		o.headers = append(o.headers, v)
		return nil
	})
	fs.Func("data", "d", "DATA|@FILE|@-", "request body; @FILE reads a file, @- reads stdin", func(v string) error {
		o.data, o.hasData = v, true
		return nil
	})
	fs.String(&o.user, "user", "u", "USER[:PASSWORD]", "user and password for Basic or Digest; asks for the password when missing")
	fs.Func("auth", "", "MODE", strings.Join(authModes, "|")+" (default auto: answer what the server offers)", func(v string) error {
		v = strings.ToLower(v)
		for _, m := range authModes {
			if v == m {
				o.auth = v
				return nil
			}
		}
		return fmt.Errorf("unknown mode %q; use one of %s", v, strings.Join(authModes, ", "))
	})
	fs.String(&o.token, "token", "", "TOKEN|env:NAME|@FILE", "bearer token")
	fs.String(&o.apiKey, "api-key", "", "NAME=VALUE", "API key, e.g. X-API-Key=KEY or X-API-Key=env:NAME")
	fs.String(&o.apiKeyIn, "api-key-in", "", "WHERE", "header|query|cookie (default header)")
	fs.String(&o.clientID, "client-id", "", "ID", "OAuth 2.0 client id; an https URL is a Client ID Metadata Document (the server reads the client's metadata there instead of a registration)")
	fs.String(&o.clientSecret, "client-secret", "", "SECRET|env:NAME|@FILE", "OAuth 2.0 client secret")
	fs.String(&o.tokenURL, "token-url", "", "URL", "OAuth 2.0 token endpoint")
	fs.String(&o.scope, "scope", "", "SCOPES", "OAuth 2.0 scopes, space-separated")
	fs.String(&o.grant, "grant", "", "GRANT", "OAuth 2.0 grant: client_credentials (default), authorization_code, device_code, password (with -u), refresh_token")
	fs.String(&o.refreshToken, "refresh-token", "", "TOKEN|env:NAME|@FILE", "OAuth 2.0 refresh token, for --grant refresh_token")
	oauthFlagsMore(fs, &o.oauthMore)
	fs.String(&o.awsSigV4, "aws-sigv4", "", "PROVIDER:REGION:SERVICE", "sign with AWS SigV4; keys from -u ACCESS_KEY:SECRET (as curl), else AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY")
	fs.Bool(&o.location, "location", "L", "follow redirects (-L=false or --no-location to stop)")
	// pflag has no negated booleans; curl spells this one out.
	fs.BoolFunc("no-location", "do not follow redirects", func(v string) error {
		no, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("wants true or false, not %q", v)
		}
		o.location = !no
		return nil
	})
	fs.Bool(&o.trusted, "location-trusted", "", "resend credentials when a redirect goes to another origin")
	fs.String(&o.cert, "cert", "", "FILE", "client certificate (PEM) for mutual TLS")
	fs.String(&o.key, "key", "", "FILE", "private key of --cert (PEM)")
	fs.String(&o.cacert, "cacert", "", "FILE", "trust the CA certificates in FILE (PEM)")
	fs.Bool(&o.insecure, "insecure", "k", "do not verify the server's certificate")
	fs.Duration(&o.timeout, "timeout", "give up after DURATION, e.g. 10s (default 30s)")
	fs.Bool(&o.netrc, "netrc", "n", "take user and password from ~/.netrc (or $NETRC)")
	fs.Bool(&o.netrcOptional, "netrc-optional", "", "as --netrc, but go on without credentials when the file has no entry for the host")
	fs.String(&o.netrcFile, "netrc-file", "", "FILE", "as --netrc, reading FILE")
	fs.Bool(&o.fresh, "fresh", "", "forget cached tokens, Digest nonces and cookies first")
	fs.Bool(&o.json, "json", "", "print every attempt as one JSON document")
	fs.String(&o.curl, "curl", "", "'curl ...'", "take the request and auth from a curl command line; other flags override")
	fs.String(&o.har, "har", "", "FILE", "also write the attempts as HAR 1.2 to FILE")
	fs.Bool(&o.printCurl, "print-curl", "", "print a curl command that reproduces the last attempt")
	fs.Bool(&o.showSecrets, "show-secrets", "", "print credentials unmasked")
	fs.Bool(&o.quiet, "quiet", "q", "print only the final status line")
	fs.Func("max-attempts", "", "N", "send the request at most N times (default 3; token requests not counted)", func(v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return fmt.Errorf("wants a number of at least 1, not %q", v)
		}
		o.maxAttempts = n
		return nil
	})
	fs.String(&o.profile, "profile", "", "NAME", "use the credentials of a saved profile")
	fs.String(&o.proxy, "proxy", "x", "URL", "send through the proxy at URL, e.g. http://127.0.0.1:8402 (default: http_proxy, HTTPS_PROXY or ALL_PROXY, as curl reads them)")
	fs.String(&o.proxyUser, "proxy-user", "U", "USER[:PASSWORD]", "credentials that answer the proxy's 407 in the scheme it offers (see --proxy-auth); asks for the password when missing; -U : for the Kerberos ticket")
	fs.Func("proxy-auth", "", "SCHEME", "answer the proxy's 407 with SCHEME only: "+strings.Join(proxyAuthNames(), ", ")+" (the default: what the proxy offers); negotiate with -U : sends the Kerberos ticket of kinit", func(v string) error {
		mode := strings.ToLower(v)
		if mode == "any" {
			mode = "auto"
		}
		if !slices.Contains(session.ProxyModes(), mode) {
			return fmt.Errorf("wants one of %s, not %q", strings.Join(proxyAuthNames(), ", "), v)
		}
		o.proxyAuth = mode
		return nil
	})
	fs.String(&o.noProxy, "noproxy", "", "HOSTS", "comma-separated hosts, domains or CIDRs to reach without the proxy; * for all")
	// curl's own spellings of --auth, the schemes' fields and the proxy's
	// scheme, so that the flags of a curl command work here as they are.
	// A scheme's curl option (its description's Curl) selects it as
	// --auth does, and --proxy-OPTION selects it for the proxy when it
	// answers proxies; one that takes a value gives the field its
	// description names (CurlValue) as that field's flag does, unless it
	// is that flag (--aws-sigv4).
	type spelling struct{ flag, mode string }
	server, proxy := []spelling{{"anyauth", "auto"}}, []spelling{}
	for _, d := range credentials.Schemes {
		name := strings.TrimPrefix(d.Curl, "--")
		if name == "" || fs.Lookup(name) != nil {
			continue
		}
		if d.CurlValue != "" {
			curlValueFlag(fs, name, d)
			continue
		}
		server = append(server, spelling{name, d.Mode})
		if d.Proxy {
			proxy = append(proxy, spelling{"proxy-" + name, d.Mode})
		}
	}
	for _, c := range server {
		fs.BoolFunc(c.flag, "as --auth "+c.mode+", curl's spelling", func(v string) error {
			if on, err := strconv.ParseBool(v); err != nil || !on {
				return err
			}
			return fs.Set("auth", c.mode)
		})
	}
	for _, c := range append(proxy, spelling{"proxy-anyauth", "any"}) {
		fs.BoolFunc(c.flag, "as --proxy-auth "+c.mode+", curl's spelling", func(v string) error {
			if on, err := strconv.ParseBool(v); err != nil || !on {
				return err
			}
			return fs.Set("proxy-auth", c.mode)
		})
	}
	fs.Bool(&o.allowCmd, "allow-cmd", "", "run a profile's cmd: secret reference that was not saved on this machine (a copied profiles file), and trust it from then on")
	fs.Func("mark-secret", "", "NAME", "treat the header, query parameter or cookie NAME as a secret: masked in every output, never resent to another origin; repeatable", func(v string) error {
		o.markSecret = append(o.markSecret, v)
		return nil
	})
	fs.Func("trust", "", "ORIGIN", "let secrets go to ORIGIN (scheme://host:port or host[:port]) when a server names it, e.g. a registry's token service; repeatable", func(v string) error {
		o.trust = append(o.trust, v)
		return nil
	})
	for _, name := range []string{"data", "cert", "key", "cacert", "har", "netrc-file"} {
		fs.SetAnnotation(name, cobra.BashCompFilenameExt, nil) // complete file names
	}
	return fs
}

const sendHelp = `Usage: keyhole send [flags] URL

Sends a request; when the server answers 401 or 407 and credentials were given,
answers the challenge and retries, printing every attempt: the status, the
challenges in words, what went wrong and what to try next, then the final body.

Examples:
  keyhole send -u alice:wonderland http://127.0.0.1:8401/digest
  keyhole send --token env:API_TOKEN https://api.example.com/me --json
  keyhole send -XPOST -d @body.json -H 'Content-Type: application/json' -u alice URL
  keyhole send --curl 'curl -u alice:wonderland --digest http://127.0.0.1:8401/digest'
  keyhole send --profile work https://intranet.example.com/
  keyhole send -x http://127.0.0.1:8402 -U alice http://127.0.0.1:8401/proxy

Exit status: 0 final status below 400, 4 for 401/407, 3 for 403, 5 other >= 400,
1 no response (DNS, connection, TLS, timeout), 2 usage error, 6 an answer cut
short (its body stopped by the timeout or a broken stream, or redirects stopped
at the limit of 10).

Flags:
`

// applyCurl takes the request and credentials of --curl into o where no flag
// said otherwise, so that they go the way the same flags would, and returns
// the imported request for its headers and body. Shell variables in the
// command are read from the environment, as the shell it was copied from
// would have. What keyhole cannot act on is said on stderr.
func applyCurl(o *sendOptions, fs *flagSet, stderr io.Writer) (*httpclient.Request, error) {
	im, err := session.ParseCurlEnv(o.curl, os.LookupEnv)
	if err != nil {
		return nil, fmt.Errorf("--curl: %v", err)
	}
	for _, c := range im.Cannot {
		fmt.Fprintln(stderr, "keyhole send: "+httpclient.SafeLine(c))
	}
	if len(im.Unknown) > 0 {
		fmt.Fprintf(stderr, "keyhole send: ignoring curl options keyhole does not act on: %s\n", httpclient.SafeLine(strings.Join(im.Unknown, "; ")))
	}
	if len(im.Variables) > 0 {
		fmt.Fprintf(stderr, "keyhole send: warning: the curl command uses unset variables: $%s\n", strings.Join(im.Variables, ", $"))
	}
	set := func(flag string, dst *string, v string) {
		if v != "" && !fs.Seen(flag) {
			*dst = v
		}
	}
	if o.url == "" {
		o.url = im.Request.URL
	}
	set("request", &o.method, im.Request.Method)
	if im.User != "" && !fs.Seen("user") {
		o.user = im.User + ":" + im.Password
	}
	o.curlValues = curlValues(im, fs)
	set("cert", &o.cert, im.Cert)
	set("key", &o.key, im.Key)
	set("cacert", &o.cacert, im.CACert)
	set("proxy", &o.proxy, im.Proxy)
	if im.NoProxy != nil && !fs.Seen("noproxy") {
		o.noProxy, o.noProxyGiven = *im.NoProxy, true
	}
	if (im.ProxyUser != "" || im.ProxyAuth == "negotiate") && !fs.Seen("proxy-user") {
		o.proxyUser = im.ProxyUser + ":" + im.ProxyPassword
		o.proxyAuth = im.ProxyAuth // Basic only unless the command said otherwise, as in curl
	}
	if !fs.Seen("netrc") && !fs.Seen("netrc-optional") && !fs.Seen("netrc-file") {
		o.netrc, o.netrcOptional = im.Netrc == "required", im.Netrc == "optional"
		o.netrcFile = im.NetrcFile
	}
	if im.Auth != "" && !fs.Seen("auth") {
		// "basic" is sent up front as curl does; "auto" (--anyauth) and
		// "digest" wait for the challenge.
		o.auth = im.Auth
	}
	if !fs.Seen("insecure") {
		o.insecure = im.Insecure
	}
	if !fs.Seen("location") && !fs.Seen("no-location") {
		o.location = im.Location // curl follows redirects only with -L
	}
	if !fs.Seen("location-trusted") {
		o.trusted = im.Trusted
	}
	return &im.Request, nil
}

// curlValueFlag declares curl's option name, which takes the value of d's
// field CurlValue: as --token TOKEN --auth bearer for --oauth2-bearer.
func curlValueFlag(fs *flagSet, name string, d credentials.Description) {
	field, arg := strings.TrimPrefix(credentials.FieldFlag(d.CurlValue), "--"), strings.ToUpper(d.CurlValue)
	when := ""
	if !d.Challenged {
		when = " (sent up front)"
	}
	fs.Func(name, "", arg, "as --"+field+" "+arg+" --auth "+d.Mode+when+", curl's spelling", func(v string) error {
		if err := fs.Set(field, v); err != nil {
			return err
		}
		return fs.Set("auth", d.Mode)
	})
}

// curlValues are the credentials of --curl, by field key, that neither -u
// (o.user) nor a flag given on the command line says: a value option's
// value (--oauth2-bearer's token, --aws-sigv4's scope) in the field its
// scheme's description names, and -u's user and password where the
// scheme's fields for them are not "user" and "password" (SigV4's keys).
func curlValues(im *session.Imported, fs *flagSet) []givenValue {
	var out []givenValue
	add := func(key, source string) {
		if v := im.Values[key]; v != "" && !fs.Seen(strings.TrimPrefix(credentials.FieldFlag(key), "--")) {
			out = append(out, givenValue{key, v, source})
		}
	}
	for _, d := range credentials.Schemes {
		if d.CurlValue != "" {
			add(d.CurlValue, "curl "+d.Curl) // as the TUI's import names it
		}
	}
	if d, ok := credentials.Describe(im.Auth); ok && !fs.Seen("user") {
		if user, password, _ := d.CurlLoginKeys(); user != "user" {
			add(user, session.CurlLogin)
			add(password, session.CurlLogin)
		}
	}
	return out
}
