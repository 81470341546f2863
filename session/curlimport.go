package session

import (
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/syntax"

	"keyhole/credentials"
	"keyhole/httpclient"
)

// Imported is a request and its authentication taken from a curl command line.
type Imported struct {
	Request httpclient.Request
	// Auth is how the command answers the server: "basic" (curl sends -u
	// as Basic up front unless told otherwise), "digest", "auto"
	// (--anyauth: wait for the challenge, answer the scheme offered),
	// "ntlm", "negotiate", "bearer", "aws-sigv4", or "" for none.
	Auth string
	// User and Password are -u as given, whatever scheme they go to.
	User     string
	Password string
	// Values are the credentials by field key (credentials.Field.Key), as
	// the descriptions name them: a value option's value in the field its
	// scheme's CurlValue names (--oauth2-bearer TOKEN: "token"), and -u's
	// user and password in the fields of Auth's scheme that curl's -u
	// fills (CurlLoginKeys: "user" and "password", SigV4's keys).
	Values map[string]string
	// Proxy is -x/--proxy as given ("" for the environment's); ProxyUser
	// and ProxyPassword are -U; ProxyAuth is how they answer the proxy:
	// "basic" (curl's default), "digest", "ntlm", "negotiate" or "auto"
	// (--proxy-anyauth), "" without -U.
	Proxy         string
	ProxyUser     string
	ProxyPassword string
	ProxyAuth     string
	NoProxy       *string // --noproxy; nil when not given (then no_proxy applies)
	// Netrc is "required" (-n/--netrc, --netrc-file), "optional"
	// (--netrc-optional) or "" for none; NetrcFile is --netrc-file.
	Netrc     string
	NetrcFile string
	Insecure  bool // -k
	Location  bool // -L
	Trusted   bool // --location-trusted
	Cert      string
	// CertPassword is the passphrase of -E FILE:PASSWORD.
	CertPassword string
	Key          string
	CACert       string
	// Compressed is --compressed; keyhole's client always accepts gzip, so it
	// changes nothing but is not an unknown flag either.
	Compressed bool
	// Variables are shell variables the command used that were not set, kept
	// in the values as $NAME so the user sees what is missing.
	Variables []string
	// Unknown lists the options keyhole does not act on, with their values,
	// so nothing of the command is dropped silently.
	Unknown []string
	// Cannot says, one sentence each, what the command asks that keyhole
	// cannot do yet and what it does instead; a password meant for a
	// scheme keyhole lacks is never sent another way.
	Cannot []string
}

// curlAuthOptions maps curl's options that choose the server's scheme for
// -u to keyhole's modes (server), and those that choose the proxy's for -U
// (proxy): each description's Curl option that takes no value, its
// --proxy- spelling when the scheme answers proxies, and curl's own
// --anyauth, --proxy-anyauth and --ntlm-wb.
var curlAuthOptions = sync.OnceValues(func() (server, proxy map[string]string) {
	server = map[string]string{"--anyauth": "auto", "--ntlm-wb": "ntlm"}
	proxy = map[string]string{"--proxy-anyauth": "auto"}
	for _, d := range credentials.Schemes {
		if d.Curl == "" || d.CurlValue != "" {
			continue
		}
		server[d.Curl] = d.Mode
		if d.Proxy {
			proxy["--proxy-"+strings.TrimPrefix(d.Curl, "--")] = d.Mode
		}
	}
	return server, proxy
})

// curlValueOptions maps the descriptions' Curl options that take a value
// (--oauth2-bearer TOKEN, --aws-sigv4 PROVIDER) to their schemes: the
// option names the scheme and its value fills the field CurlValue names.
var curlValueOptions = sync.OnceValue(func() map[string]credentials.Description {
	out := map[string]credentials.Description{}
	for _, d := range credentials.Schemes {
		if d.Curl != "" && d.CurlValue != "" {
			out[d.Curl] = d
		}
	}
	return out
})

// curlSource names the curl options an imported credential came from, as
// its offer's Source: "curl -u" (curl's default is Basic), "curl --digest
// -u", "curl --proxy-ntlm -U", "curl --oauth2-bearer" (an option that
// takes the credential itself).
func curlSource(mode string, proxy bool) string {
	opt, user := "", "-u"
	switch d, _ := credentials.Describe(mode); {
	case mode == "auto":
		opt = "--anyauth"
	case mode != "basic":
		opt = d.Curl
	}
	if curlArgOptions()[opt] {
		return "curl " + opt
	}
	if proxy {
		user = "-U"
		if opt != "" {
			opt = "--proxy-" + strings.TrimPrefix(opt, "--")
		}
	}
	return strings.Join(strings.Fields("curl "+opt+" "+user), " ")
}

// CurlCannotYet names the server schemes keyhole cannot answer yet, by
// mode; CurlProxyCannotYet those it cannot answer for a proxy. An import
// asking for one says so and drops the password rather than send it with
// another scheme. A scheme leaves these lists when keyhole learns it.
var (
	CurlCannotYet      = map[string]string{}
	CurlProxyCannotYet = map[string]string{}
)

// curlArgOptions are curl's options that take a value; knowing them keeps an
// unsupported option's value from being taken for the URL. The schemes'
// own (--oauth2-bearer, --aws-sigv4) come from their descriptions
// (curlValueOptions). The set is made on first use, not while the program
// starts.
var curlArgOptions = sync.OnceValue(func() map[string]bool {
	set := map[string]bool{}
	for o := range curlValueOptions() {
		set[o] = true
	}
	for _, o := range strings.Fields(`-A -b -c -C -d -D -e -E -F -H -K -m -o -P -Q -r -T -t -u -U -w -x -X -y -Y -z
		--abstract-unix-socket --alt-svc --cacert --capath --cert --cert-type --ciphers --config
		--connect-timeout --connect-to --continue-at --cookie --cookie-jar --create-file-mode --crlfile --curves
		--data --data-ascii --data-binary --data-raw --data-urlencode --delegation --dns-interface --dns-ipv4-addr
		--dns-ipv6-addr --dns-servers --doh-url --dump-header --ech --egd-file --engine --etag-compare --etag-save
		--expect100-timeout --form --form-string --ftp-account --ftp-alternative-to-user --ftp-method --ftp-port
		--ftp-ssl-ccc-mode --happy-eyeballs-timeout-ms --haproxy-clientip --header --hostpubmd5 --hostpubsha256
		--hsts --interface --ip-tos --ipfs-gateway --json --keepalive-cnt --keepalive-time --key --key-type --krb
		--libcurl --limit-rate --local-port --login-options --mail-auth --mail-from --mail-rcpt --max-filesize
		--max-redirs --max-time --netrc-file --noproxy --output --output-dir --pass --pinnedpubkey
		--preproxy --proto --proto-default --proto-redir --proxy --proxy-cacert --proxy-capath --proxy-cert
		--proxy-cert-type --proxy-ciphers --proxy-crlfile --proxy-header --proxy-key --proxy-key-type --proxy-pass
		--proxy-pinnedpubkey --proxy-service-name --proxy-tls13-ciphers --proxy-tlsauthtype --proxy-tlspassword
		--proxy-tlsuser --proxy-user --proxy1.0 --pubkey --quote --random-file --range --rate --referer --request
		--request-target --resolve --retry --retry-delay --retry-max-time --sasl-authzid --service-name --socks4
		--socks4a --socks5 --socks5-gssapi-service --socks5-hostname --speed-limit --speed-time --stderr
		--telnet-option --tftp-blksize --time-cond --tls-max --tls13-ciphers --tlsauthtype --tlspassword --tlsuser
		--trace --trace-ascii --trace-config --unix-socket --upload-file --url --url-query --user --user-agent
		--variable --write-out`) {
		set[o] = true
	}
	return set
})

// curlShort maps curl's one-letter options to their long names.
var curlShort = map[byte]string{
	'A': "--user-agent", 'b': "--cookie", 'd': "--data", 'e': "--referer", 'E': "--cert", 'G': "--get",
	'H': "--header", 'I': "--head", 'k': "--insecure", 'L': "--location", 'u': "--user", 'X': "--request",
	's': "--silent", 'S': "--show-error", 'v': "--verbose", 'i': "--include", 'f': "--fail", 'o': "--output",
	'w': "--write-out", 'm': "--max-time", 'x': "--proxy", 'U': "--proxy-user", 'F': "--form", 'T': "--upload-file",
	'c': "--cookie-jar", 'D': "--dump-header", 'O': "--remote-name", 'J': "--remote-header-name", '#': "--progress-bar",
	'n': "--netrc", 'N': "--no-buffer", 'g': "--globoff", '0': "--http1.0", '4': "--ipv4", '6': "--ipv6",
	'K': "--config", 'r': "--range", 'C': "--continue-at", 'z': "--time-cond", 'y': "--speed-time", 'Y': "--speed-limit",
	'P': "--ftp-port", 'Q': "--quote", 't': "--telnet-option", 'q': "--disable", 'Z': "--parallel", 'R': "--remote-time",
	'j': "--junk-session-cookies", 'l': "--list-only", 'a': "--append", 'B': "--use-ascii", 'M': "--manual", 'V': "--version",
	'h': "--help", 'p': "--proxytunnel", '1': "--tlsv1", '2': "--sslv2", '3': "--sslv3",
}

// curlQuiet are options that change what curl prints, not what it sends;
// accepting them keeps Unknown for options that matter.
var curlQuiet = map[string]bool{
	"--silent": true, "--show-error": true, "--verbose": true, "--include": true, "--fail": true,
	"--fail-with-body": true, "--output": true, "--write-out": true, "--progress-bar": true, "--no-progress-meter": true,
	"--no-buffer": true, "--globoff": true, "--max-time": true, "--connect-timeout": true, "--dump-header": true,
	"--trace": true, "--trace-ascii": true, "--stderr": true, "--remote-name": true, "--remote-header-name": true,
	"--create-dirs": true, "--output-dir": true, "--styled-output": true,
	"--retry": true, "--retry-delay": true, "--retry-max-time": true, "--retry-all-errors": true, "--retry-connrefused": true,
}

// ParseCurl reads a curl command line as a POSIX shell would split it (quotes,
// $'...', backslash-newline continuations) and takes the request from it.
// Variables are not looked up: $NAME stays in the value and is listed in
// Variables. Use ParseCurlEnv to expand them.
func ParseCurl(cmd string) (*Imported, error) { return ParseCurlEnv(cmd, nil) }

// ParseCurlEnv is ParseCurl with shell variables looked up by lookup (for
// example os.LookupEnv); nil keeps every variable as $NAME.
func ParseCurlEnv(cmd string, lookup func(string) (string, bool)) (*Imported, error) {
	args, vars, err := curlWords(cmd, lookup)
	if err != nil {
		return nil, err
	}
	im, err := parseCurlArgs(args)
	if err != nil {
		return nil, err
	}
	im.Variables = vars
	liftAuthorization(im)
	im.loginValues()
	return im, nil
}

// loginValues puts -u's user and password in the fields of Auth's scheme
// that curl's -u fills (credentials.Description.CurlLoginKeys): "user"
// and "password", SigV4's access key and secret key; none for a scheme
// -u is not for (a bearer token).
func (im *Imported) loginValues() {
	d, ok := credentials.Describe(im.Auth)
	user, password, takes := d.CurlLoginKeys()
	if !ok || !takes || im.User == "" && im.Password == "" {
		return
	}
	im.Values[user], im.Values[password] = im.User, im.Password
}

// liftAuthorization turns a literal "Authorization: Basic ..." or "Bearer ..."
// header into the import's credentials, so that the TUI shows them in its
// masked form instead of in plain text among the headers, and the attempt is
// sent with a scheme keyhole can explain. Any other scheme stays a header.
func liftAuthorization(im *Imported) {
	v := im.Request.Header.Get("Authorization")
	if im.Auth != "" || v == "" || len(im.Request.Header.Values("Authorization")) != 1 {
		return
	}
	scheme, rest, _ := strings.Cut(v, " ")
	rest = strings.TrimSpace(rest)
	switch {
	case strings.EqualFold(scheme, "Bearer") && rest != "":
		d, _ := credentials.Describe("bearer")
		im.Auth, im.Values[d.CurlValue] = d.Mode, rest
	case strings.EqualFold(scheme, "Basic") && rest != "":
		raw, err := base64.StdEncoding.DecodeString(rest)
		user, pass, ok := strings.Cut(string(raw), ":")
		if err != nil || !ok || (credentials.Basic{User: user, Password: pass}).Validate() != nil {
			return
		}
		im.Auth, im.User, im.Password = "basic", user, pass
	default:
		return
	}
	im.Request.Header.Del("Authorization")
}

// curlWords splits cmd into words with a real shell parser, refusing
// anything that would need running a shell (pipes, command substitution).
func curlWords(cmd string, lookup func(string) (string, bool)) ([]string, []string, error) {
	f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(cmd), "")
	if err != nil {
		return nil, nil, fmt.Errorf("curl import: cannot read the command as shell words: %v", err)
	}
	if len(f.Stmts) != 1 {
		return nil, nil, fmt.Errorf("curl import: expected one curl command, found %d commands; paste a single curl command", len(f.Stmts))
	}
	st := f.Stmts[0]
	call, ok := st.Cmd.(*syntax.CallExpr)
	if !ok || st.Negated || st.Background || st.Coprocess {
		return nil, nil, errors.New("curl import: expected a plain curl command (no pipes, &&, or subshells); remove what follows curl's arguments")
	}
	if len(call.Args) == 0 {
		return nil, nil, errors.New("curl import: the command is empty; paste a curl command")
	}
	// The expander also asks for IFS, PWD and HOME on its own; only the
	// variables the command names are the user's.
	named := map[string]bool{}
	running := ""
	syntax.Walk(call, func(n syntax.Node) bool {
		switch n := n.(type) {
		case *syntax.ParamExp:
			if n.Param != nil {
				named[n.Param.Value] = true
			}
		case *syntax.CmdSubst:
			running = "$(...)"
		case *syntax.ProcSubst:
			// The expander panics on these without a handler; refuse them first.
			running = "<(...)"
		}
		return true
	})
	if running != "" {
		return nil, nil, fmt.Errorf("curl import: the command uses %s, which needs a shell to run; replace it with its output", running)
	}
	seen := map[string]bool{}
	var vars []string
	cfg := &expand.Config{Env: expand.FuncEnviron(func(name string) string {
		if !named[name] {
			return ""
		}
		if lookup != nil {
			if v, ok := lookup(name); ok {
				return v
			}
		}
		if !seen[name] {
			seen[name] = true
			vars = append(vars, name)
		}
		return "$" + name
	})}
	// Fields, not Literal: it removes the backslash of an unquoted \' and
	// splits unquoted variables, as the shell would before curl sees them.
	words, err := expand.Fields(cfg, call.Args...)
	if err != nil {
		return nil, nil, fmt.Errorf("curl import: cannot expand the command without running a shell: %v", err)
	}
	if len(words) == 0 {
		return nil, nil, errors.New("curl import: the command is empty; paste a curl command")
	}
	name := path.Base(strings.ReplaceAll(words[0], `\`, "/"))
	if name != "curl" && name != "curl.exe" {
		return nil, nil, fmt.Errorf("curl import: the command starts with %q, not curl; paste a command that starts with curl", words[0])
	}
	return words[1:], vars, nil
}

// parseCurlArgs applies curl's options in order, the way curl does: later
// values win, -d pieces join with '&', -G moves the data to the query.
func parseCurlArgs(args []string) (*Imported, error) {
	im := &Imported{Request: httpclient.Request{Header: http.Header{}}, Values: map[string]string{}}
	var (
		urls     []string
		data     []string
		method   string
		get      bool
		head     bool
		jsonBody bool
		ctSet    bool
		optsDone bool
		// The scheme options apply to -u and -U wherever they stand.
		userGiven             bool
		serverAuth, proxyAuth string
		serverOpt, proxyOpt   string
	)
	for i := 0; i < len(args); i++ {
		a := args[i]
		if optsDone || !strings.HasPrefix(a, "-") || a == "-" {
			urls = append(urls, a)
			continue
		}
		if a == "--" {
			optsDone = true
			continue
		}
		// Expand "-sSLXPOST" into its options, and "--opt=value" into option
		// and value, then handle them one by one.
		type opt struct {
			name, value string
			hasValue    bool
		}
		var opts []opt
		if strings.HasPrefix(a, "--") {
			name, value, eq := strings.Cut(a, "=")
			if eq && curlArgOptions()[name] {
				opts = append(opts, opt{name, value, true})
			} else {
				opts = append(opts, opt{name: a})
			}
		} else {
			for j := 1; j < len(a); j++ {
				long, ok := curlShort[a[j]]
				if !ok {
					long = "-" + string(a[j])
				}
				if curlArgOptions()["-"+string(a[j])] {
					if j+1 < len(a) {
						opts = append(opts, opt{long, a[j+1:], true})
					} else {
						opts = append(opts, opt{name: long})
					}
					break
				}
				opts = append(opts, opt{name: long})
			}
		}
		for _, o := range opts {
			takes := curlArgOptions()[o.name] || shortTakes(o.name)
			if takes && !o.hasValue {
				if i+1 >= len(args) {
					return nil, fmt.Errorf("curl import: %s needs a value", o.name)
				}
				i++
				o.value, o.hasValue = args[i], true
			}
			v := o.value
			server, proxy := curlAuthOptions()
			if mode, ok := server[o.name]; ok {
				serverAuth, serverOpt = mode, o.name
				continue
			}
			if mode, ok := proxy[o.name]; ok {
				proxyAuth, proxyOpt = mode, o.name
				continue
			}
			if d, ok := curlValueOptions()[o.name]; ok {
				im.Auth, im.Values[d.CurlValue] = d.Mode, v
				continue
			}
			switch o.name {
			case "--request":
				method = v
			case "--header":
				name, val, ok := strings.Cut(v, ":")
				if !ok {
					if n, semi := strings.CutSuffix(v, ";"); semi {
						// "X-Empty;" is curl's way to send a header with an empty value.
						im.Request.Header.Add(strings.TrimSpace(n), "")
						continue
					}
					if strings.HasPrefix(v, "@") {
						im.Unknown = append(im.Unknown, "-H "+v)
						continue
					}
					return nil, fmt.Errorf("curl import: header %q has no ':'; write it as 'Name: value'", v)
				}
				name, val = strings.TrimSpace(name), strings.TrimSpace(val)
				if val == "" {
					// "-H 'Accept:'" removes a header curl would add: keyhole adds
					// none, but a removed Content-Type must not get curl's default.
					im.Request.Header.Del(name)
					if strings.EqualFold(name, "Content-Type") {
						ctSet = true
					}
					continue
				}
				if strings.EqualFold(name, "Content-Type") {
					ctSet = true
				}
				im.Request.Header.Add(name, val)
			case "--data", "--data-ascii", "--data-binary", "--data-raw", "--data-urlencode", "--json":
				d, err := curlData(o.name, v)
				if err != nil {
					return nil, err
				}
				if o.name == "--json" {
					jsonBody = true
				}
				data = append(data, d)
			case "--user":
				im.User, im.Password, _ = strings.Cut(v, ":")
				userGiven = true
			case "--proxy", "--proxy1.0":
				im.Proxy = v
			case "--socks5", "--socks4", "--socks4a":
				im.Proxy = strings.TrimPrefix(o.name, "--") + "://" + v
			case "--socks5-hostname":
				im.Proxy = "socks5h://" + v
			case "--proxy-user":
				im.ProxyUser, im.ProxyPassword, _ = strings.Cut(v, ":")
			case "--noproxy":
				im.NoProxy = &v
			case "--netrc":
				im.Netrc = "required"
			case "--netrc-optional":
				im.Netrc = "optional"
			case "--netrc-file":
				im.NetrcFile = v
				if im.Netrc == "" {
					im.Netrc = "required" // unless --netrc-optional
				}
			case "--cookie":
				if strings.Contains(v, "=") {
					im.Request.Header.Add("Cookie", v)
				} else {
					im.Cannot = append(im.Cannot, "keyhole does not read cookie files: -b "+v+" ignored; give the cookies themselves, e.g. -b 'name=value'")
				}
			case "--insecure":
				im.Insecure = true
			case "--location":
				im.Location = true
			case "--location-trusted":
				im.Location, im.Trusted = true, true
			case "--no-location":
				im.Location = false
			case "--url":
				urls = append(urls, v)
			case "--get":
				get = true
			case "--head":
				head = true
			case "--compressed":
				im.Compressed = true
			case "--cert":
				im.Cert, im.CertPassword = splitCert(v)
			case "--key":
				im.Key = v
			case "--cacert":
				im.CACert = v
			case "--user-agent":
				im.Request.Header.Set("User-Agent", v)
			case "--referer":
				im.Request.Header.Set("Referer", strings.TrimSuffix(v, ";auto"))
			default:
				if curlQuiet[o.name] {
					continue
				}
				if o.hasValue && curlSecretOptions[o.name] {
					im.Unknown = append(im.Unknown, o.name+" "+credentials.Redacted)
				} else if o.hasValue {
					im.Unknown = append(im.Unknown, o.name+" "+v)
				} else {
					im.Unknown = append(im.Unknown, o.name)
				}
			}
		}
	}
	if len(urls) == 0 {
		return nil, errors.New("curl import: the command has no URL; add one")
	}
	im.chooseAuth(userGiven, serverAuth, serverOpt, proxyAuth, proxyOpt)
	u := urls[0]
	for _, extra := range urls[1:] {
		im.Unknown = append(im.Unknown, "extra URL "+extra)
	}
	if !strings.Contains(u, "://") {
		u = "http://" + u // curl's default
	}
	body := strings.Join(data, "&")
	if jsonBody {
		// --json pieces are concatenated, not joined with '&'.
		body = strings.Join(data, "")
	}
	switch {
	case get && len(data) > 0:
		sep := "?"
		if strings.Contains(u, "?") {
			sep = "&"
		}
		u += sep + body
		body = ""
	}
	if _, err := url.Parse(u); err != nil {
		return nil, fmt.Errorf("curl import: the URL %q is not valid: %v", u, err)
	}
	im.Request.URL = u
	if body != "" || len(data) > 0 && !get {
		im.Request.Body = []byte(body)
	}
	if jsonBody {
		if !ctSet {
			im.Request.Header.Set("Content-Type", "application/json")
		}
		if im.Request.Header.Get("Accept") == "" {
			im.Request.Header.Set("Accept", "application/json")
		}
	} else if im.Request.Body != nil && !ctSet {
		im.Request.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	switch {
	case method != "":
		im.Request.Method = method
	case head:
		im.Request.Method = http.MethodHead
	case get:
		im.Request.Method = http.MethodGet
	case im.Request.Body != nil:
		im.Request.Method = http.MethodPost
	default:
		im.Request.Method = http.MethodGet
	}
	return im, nil
}

// chooseAuth settles how -u and -U answer, as curl would: -u alone is Basic
// sent up front, a scheme option names another, --anyauth waits for the
// challenge; -U alone is Basic for the proxy. A scheme keyhole cannot answer
// yet is said in Cannot and its password dropped, never sent as Basic.
func (im *Imported) chooseAuth(userGiven bool, server, serverOpt, proxy, proxyOpt string) {
	if u, userinfo, err := ParseProxy(im.Proxy); im.Proxy != "" && err == nil && userinfo != "" {
		// curl -x http://user:pw@proxy is -U user:pw: keyhole answers the
		// 407 with it in the open rather than hide it in the proxy URL.
		im.Proxy = u.String()
		if im.ProxyUser == "" {
			im.ProxyUser, im.ProxyPassword, _ = strings.Cut(userinfo, ":")
		}
	}
	// Auth is set here only by an option that takes the credential
	// itself (curlValueOptions).
	valued, _ := credentials.Describe(im.Auth)
	_, _, login := valued.CurlLoginKeys()
	switch {
	case !userGiven:
		if serverOpt != "" && im.Auth == "" {
			im.Unknown = append(im.Unknown, serverOpt+" (without -u)")
		}
	case im.Auth != "" && (login || server == ""):
		// -u fills fields of the option's scheme (SigV4's access key and
		// secret); one it does not fill (--oauth2-bearer) is the scheme
		// unless another is named.
	case server == "":
		im.Auth = "basic"
	default:
		im.Auth = server
	}
	if name, ok := CurlCannotYet[im.Auth]; ok && userGiven {
		im.Cannot = append(im.Cannot, fmt.Sprintf("keyhole does not do %s yet: %s ignored; the password is not sent", name, serverOpt))
		im.Auth, im.User, im.Password = "", "", ""
	}
	if im.ProxyUser == "" {
		switch {
		case proxy == "negotiate":
			im.ProxyAuth = proxy // the Kerberos ticket needs no user: -U : or none
		case proxyOpt != "":
			im.Unknown = append(im.Unknown, proxyOpt+" (without -U)")
		}
		return
	}
	im.ProxyAuth = "basic"
	if proxy != "" {
		im.ProxyAuth = proxy
	}
	if name, ok := CurlProxyCannotYet[im.ProxyAuth]; ok {
		im.Cannot = append(im.Cannot, fmt.Sprintf("keyhole does not answer a proxy's %s challenge yet: %s ignored; the proxy password is not sent", name, proxyOpt))
		im.ProxyAuth, im.ProxyUser, im.ProxyPassword = "", "", ""
	}
}

// curlSecretOptions carry a password; Unknown lists them with it masked.
var curlSecretOptions = map[string]bool{
	"--pass": true, "--proxy-pass": true, "--proxy-user": true, "--tlspassword": true,
	"--proxy-tlspassword": true,
}

// splitCert splits curl's --cert "FILE:PASSWORD", where "\:" is a literal
// colon and a Windows drive letter ("C:\...") is part of the file name.
func splitCert(v string) (file, password string) {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		switch {
		case v[i] == '\\' && i+1 < len(v) && v[i+1] == ':':
			b.WriteByte(':')
			i++
		case v[i] == ':' && !(i == 1 && len(v) > 2 && (v[2] == '\\' || v[2] == '/')):
			return b.String(), v[i+1:]
		default:
			b.WriteByte(v[i])
		}
	}
	return b.String(), ""
}

// shortTakes reports whether an unknown one-letter option takes a value.
func shortTakes(name string) bool { return len(name) == 2 && curlArgOptions()[name] }

// curlData turns one data option into the bytes curl would send: @FILE read
// from disk, newlines stripped where curl strips them, --data-urlencode
// encoded.
func curlData(opt, v string) (string, error) {
	readFile := func(name string) (string, error) {
		if name == "-" {
			return "", fmt.Errorf("curl import: %s @- reads standard input, which keyhole cannot replay; put the data in the command or a file", opt)
		}
		b, err := credentials.ReadFileLimit(name, credentials.MaxDataFile)
		if err != nil {
			return "", fmt.Errorf("curl import: %s @%s: %v", opt, name, err)
		}
		return string(b), nil
	}
	switch opt {
	case "--data-raw":
		return v, nil
	case "--data", "--data-ascii", "--data-binary", "--json":
		if !strings.HasPrefix(v, "@") {
			return v, nil
		}
		s, err := readFile(v[1:])
		if err != nil {
			return "", err
		}
		if opt == "--data" || opt == "--data-ascii" {
			// curl strips carriage returns and newlines from files read with -d.
			s = strings.NewReplacer("\r", "", "\n", "").Replace(s)
		}
		return s, nil
	}
	// --data-urlencode: "content", "=content", "name=content", "@file", "name@file".
	if i := strings.IndexAny(v, "=@"); i >= 0 {
		name := v[:i]
		content := v[i+1:]
		if v[i] == '@' {
			s, err := readFile(content)
			if err != nil {
				return "", err
			}
			content = s
		}
		if name == "" {
			return curlEscape(content), nil
		}
		return name + "=" + curlEscape(content), nil
	}
	return curlEscape(v), nil
}

// curlEscape percent-encodes all but RFC 3986 unreserved bytes, as curl's
// --data-urlencode does (a space is %20, not '+').
func curlEscape(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// Authorizer returns the credentials the command asked for, ready for
// Session.Send: its scheme's description builds them from Values, -u's
// user and password and a value option's value in the fields its
// description names ("-u :" is curl's way to say Negotiate uses the
// ticket from kinit; for SigV4, -u holds the access key and secret and
// --aws-sigv4 "aws:amz:REGION:SERVICE" the scope). It returns nil when the
// command has no auth option or --anyauth, which waits for the challenge
// to choose; credentials in -H headers travel as headers.
func (im *Imported) Authorizer() (credentials.Authorizer, error) {
	if im.Auth == "" || im.Auth == "auto" {
		return nil, nil
	}
	d, ok := credentials.Describe(im.Auth)
	if !ok {
		return nil, fmt.Errorf("curl import: unknown auth %q", im.Auth)
	}
	return d.Build(maps.Clone(im.Values))
}

// Offers are the command's credentials for a Wallet, each bound to where
// the command sends it, as keyhole send's flags would give them: -u for the
// URL's origin (Basic up front, as curl sends it; --digest and --anyauth
// wait for the challenge and answer the scheme it offers), --oauth2-bearer
// and --aws-sigv4 up front, and -U for the proxy's origin, answering its 407.
// Credentials in -H headers travel as headers and are not offers.
func (im *Imported) Offers() ([]*Offer, error) {
	var out []*Offer
	at, err := OriginFor(im.Request.URL)
	if err != nil {
		return nil, fmt.Errorf("curl import: %v", err)
	}
	server := func(a credentials.Authorizer, upfront bool, source string) {
		out = append(out, &Offer{Auth: a, Origin: at, Upfront: upfront, Source: source})
	}
	switch im.Auth {
	case "auto":
		b := credentials.Basic{User: im.User, Password: im.Password}
		if err := b.Validate(); err != nil {
			return nil, fmt.Errorf("curl import: %v", err)
		}
		server(&credentials.Digest{User: im.User, Password: im.Password}, false, "curl --anyauth -u")
		server(&credentials.NTLM{User: im.User, Password: im.Password}, false, "curl --anyauth -u")
		server(b, false, "curl --anyauth -u")
	case "":
	default:
		// Up front, as curl sends them (NTLM's first leg included), but
		// for a scheme that waits for its challenge (Digest's nonce).
		a, err := im.Authorizer()
		if err != nil {
			return nil, err
		}
		d, _ := credentials.Describe(im.Auth)
		server(a, !d.Challenged, curlSource(im.Auth, false))
	}
	if (im.ProxyUser != "" || im.ProxyAuth == "negotiate") && im.Proxy != "" {
		u, _, err := ParseProxy(im.Proxy)
		if err != nil {
			return nil, fmt.Errorf("curl import: -x: %v", err)
		}
		g := Given{ProxyUser: im.ProxyUser + ":" + im.ProxyPassword, ProxyMode: im.ProxyAuth, Proxy: u.String(), ProxySource: curlSource(im.ProxyAuth, true)}
		var w Wallet
		if err := g.proxyOffer(&w); err != nil {
			return nil, fmt.Errorf("curl import: %v", err)
		}
		out = append(out, w.Offers...)
	}
	return out, nil
}
