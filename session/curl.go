package session

import (
	"bytes"
	"encoding/base64"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"keyhole/credentials"
	"keyhole/httpclient"
)

// CurlOptions are what a curl command needs besides the request itself.
type CurlOptions struct {
	ShowSecrets       bool   // put secrets in the command instead of $VARIABLES
	Location, Trusted bool   // -L, --location-trusted
	Insecure          bool   // -k
	Cert, Key, CACert string // file names, not secrets
	Proxy             string // -x, the proxy the request went through ("" for none)
}

// Curl returns a curl command that sends the attempt's request again the same
// way: through its proxy (-x), with the same authentication: -u with --basic
// or --digest, --oauth2-bearer, --aws-sigv4, and -U with --proxy-basic or
// --proxy-digest for the proxy's. Unless showSecrets, every secret is a
// "$KEYHOLE_..." variable (the AWS secret key is $AWS_SECRET_ACCESS_KEY), so
// the command can be pasted anywhere. A Digest password is always a
// variable: only its hash was sent.
func Curl(a *Attempt, showSecrets bool) string {
	o := CurlOptions{ShowSecrets: showSecrets}
	if a.Exchange == nil || a.Exchange.Request == nil {
		return ""
	}
	o.Proxy = a.Exchange.Proxy
	for _, h := range a.Exchange.Redirects {
		o.Location = true
		from, err1 := url.Parse(h.From)
		to, err2 := url.Parse(h.To)
		if h.CredentialsResent && err1 == nil && err2 == nil && !httpclient.SameOrigin(from, to) {
			o.Trusted = true
		}
	}
	return CurlRequest(*a.Exchange.Request, o)
}

// CurlRequest returns the curl command for r (a draft, or an imported request).
func CurlRequest(r httpclient.Request, o CurlOptions) string {
	// Each option with its value is one group, printed on its own line.
	var groups [][]shellWord
	flag := func(name string, value ...shellWord) {
		groups = append(groups, append([]shellWord{lit(name)}, value...))
	}
	secret := func(value, variable string) shellWord {
		if o.ShowSecrets {
			return lit(value)
		}
		return shellWord{{v: variable}}
	}

	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	switch {
	case method == http.MethodHead && r.Body == nil:
		flag("-I")
	case method == http.MethodGet && r.Body == nil, method == http.MethodPost && r.Body != nil:
	default:
		flag("-X", lit(method))
	}

	h := r.Header.Clone()
	if h == nil {
		h = http.Header{}
	}
	h.Del("Content-Length")
	var notes []string
	for _, name := range []string{"Authorization", "Proxy-Authorization"} {
		for _, v := range h.Values(name) {
			groups = append(groups, curlAuth(name, v, h, secret)...)
			if n := unrunnable(name, v); n != "" {
				notes = append(notes, n)
			}
		}
		h.Del(name)
	}
	if r.Body != nil && h.Get("Content-Type") == "" {
		// curl would add a form Content-Type to -d data; keyhole sent none.
		flag("-H", lit("Content-Type:"))
	}
	for _, k := range slices.Sorted(maps.Keys(h)) {
		for _, v := range h[k] {
			switch {
			case strings.EqualFold(k, "Cookie"):
				flag("-b", secret(v, "KEYHOLE_COOKIE"))
			case credentials.IsSecretHeader(k) || strings.EqualFold(k, "X-Amz-Security-Token"):
				variable := "KEYHOLE_" + envName(k)
				if strings.EqualFold(k, "X-Amz-Security-Token") {
					variable = "AWS_SESSION_TOKEN"
				}
				flag("-H", append(lit(k+": "), secret(v, variable)...))
			case v == "":
				flag("-H", lit(k+";")) // curl's spelling of an empty header
			default:
				flag("-H", lit(k+": "+v))
			}
		}
	}
	if r.Body != nil {
		flag("--data-raw", curlBody(r, o.ShowSecrets))
	}
	if o.Location {
		flag("-L")
	}
	if o.Trusted {
		flag("--location-trusted")
	}
	if o.Insecure {
		flag("-k")
	}
	if o.Proxy != "" {
		flag("-x", lit(o.Proxy))
	}
	if o.Cert != "" {
		flag("--cert", lit(o.Cert))
	}
	if o.Key != "" {
		flag("--key", lit(o.Key))
	}
	if o.CACert != "" {
		flag("--cacert", lit(o.CACert))
	}
	if strings.HasPrefix(r.URL, "-") {
		// A URL that looks like an option must be given as --url's value.
		flag("--url", curlURL(r.URL, o.ShowSecrets))
	} else {
		groups = append(groups, []shellWord{curlURL(r.URL, o.ShowSecrets)})
	}

	var b strings.Builder
	for _, n := range notes {
		b.WriteString("# " + n + "\n")
	}
	b.WriteString("curl")
	for _, g := range groups {
		b.WriteString(" \\\n ")
		for _, w := range g {
			b.WriteByte(' ')
			b.WriteString(w.String())
		}
	}
	return b.String()
}

var sigv4Credential = lazyRegexp(`Credential=([^/,\s]+)/\d{8}/([^/]+)/([^/]+)/aws4_request`)

// curlAuth turns one Authorization or Proxy-Authorization value into curl's
// own auth options, which make curl compute the credentials as keyhole did.
func curlAuth(name, v string, h http.Header, secret func(string, string) shellWord) [][]shellWord {
	scheme, rest, _ := strings.Cut(v, " ")
	rest = strings.TrimSpace(rest)
	if opt, userOpt, ok := ntlmExport(name, scheme, v); ok {
		return [][]shellWord{{lit(opt)}, userOpt}
	}
	if name == "Proxy-Authorization" {
		switch strings.ToLower(scheme) {
		case "basic":
			if raw, err := base64.StdEncoding.DecodeString(rest); err == nil {
				if user, pass, ok := strings.Cut(string(raw), ":"); ok {
					return [][]shellWord{{lit("--proxy-basic")}, {lit("-U"), append(lit(user+":"), secret(pass, "KEYHOLE_PROXY_PASSWORD")...)}}
				}
			}
		case "digest":
			if chs, _ := httpclient.ParseChallenges(v); len(chs) == 1 {
				user := chs[0].Param("username")
				return [][]shellWord{{lit("--proxy-digest")}, {lit("-U"), append(lit(user+":"), shellWord{{v: "KEYHOLE_PROXY_PASSWORD"}}...)}}
			}
		}
	}
	if name == "Authorization" {
		switch strings.ToLower(scheme) {
		case "basic":
			if raw, err := base64.StdEncoding.DecodeString(rest); err == nil {
				if user, pass, ok := strings.Cut(string(raw), ":"); ok {
					return [][]shellWord{{lit("--basic")}, {lit("-u"), append(lit(user+":"), secret(pass, "KEYHOLE_PASSWORD")...)}}
				}
			}
		case "bearer":
			return [][]shellWord{{lit("--oauth2-bearer"), secret(rest, "KEYHOLE_TOKEN")}}
		case "digest":
			chs, _ := httpclient.ParseChallenges(v)
			if len(chs) == 1 {
				user := chs[0].Param("username")
				return [][]shellWord{{lit("--digest")}, {lit("-u"), append(lit(user+":"), shellWord{{v: "KEYHOLE_PASSWORD"}}...)}}
			}
		case "aws4-hmac-sha256":
			if m := sigv4Credential().FindStringSubmatch(rest); m != nil {
				// curl signs again, with its own date.
				h.Del("X-Amz-Date")
				return [][]shellWord{
					{lit("--aws-sigv4"), lit("aws:amz:" + m[2] + ":" + m[3])},
					{lit("-u"), append(secret(m[1], "AWS_ACCESS_KEY_ID"), append(lit(":"), shellWord{{v: "AWS_SECRET_ACCESS_KEY"}}...)...)},
				}
			}
		}
	}
	if rest == "" {
		return [][]shellWord{{lit("-H"), append(lit(name+": "), secret(v, "KEYHOLE_"+envName(name))...)}}
	}
	return [][]shellWord{{lit("-H"), append(lit(name+": "+scheme+" "), secret(rest, "KEYHOLE_"+envName(name))...)}}
}

// unrunnable says, for a credential of a multi-leg scheme (its description
// has a Leg hook) that curl has no option for, that curl cannot run its legs
// and the value is one leg's: sent again, it is refused. "" otherwise.
func unrunnable(name, v string) string {
	scheme, _, _ := strings.Cut(strings.TrimSpace(v), " ")
	for _, d := range credentials.ForWire(scheme) {
		if d.Leg != nil && d.Curl == "" {
			return "curl cannot run " + httpclient.SafeLine(d.Title) + "'s legs: this " + name + " is one leg's, refused if sent again; keyhole send -u runs them"
		}
	}
	return ""
}

// ntlmExport turns an NTLM or Negotiate value into curl's --ntlm/--negotiate
// (--proxy-ntlm/--proxy-negotiate for a proxy) and -u/-U: these schemes send a handshake, not
// the password, so curl must run its own. The user comes from an NTLM type 3
// message; the password is always a variable. Negotiate with Kerberos is
// "-u :" ("-U :"), curl's way to say the ticket from kinit.
func ntlmExport(name, scheme, v string) (string, []shellWord, bool) {
	user, pass, prefix := "-u", "KEYHOLE_PASSWORD", "--"
	if name == "Proxy-Authorization" {
		user, pass, prefix = "-U", "KEYHOLE_PROXY_PASSWORD", "--proxy-"
	}
	withUser := func(m *credentials.NTLMMessage) []shellWord {
		if m == nil || m.Type != 3 || m.User == "" {
			return []shellWord{lit(user), shellWord{{v: "KEYHOLE_USER"}, {lit: ":"}, {v: pass}}}
		}
		u := m.User
		if m.Domain != "" {
			u = m.Domain + `\` + u
		}
		return []shellWord{lit(user), append(lit(u+":"), shellWord{{v: pass}}...)}
	}
	switch strings.ToLower(scheme) {
	case "ntlm":
		m, _ := credentials.DecodeNTLMToken(v)
		return prefix + "ntlm", withUser(m), true
	case "negotiate":
		if t, err := credentials.DecodeNegotiateToken(v); err == nil && t.NTLM != nil {
			return prefix + "negotiate", withUser(t.NTLM), true
		}
		return prefix + "negotiate", []shellWord{lit(user), lit(":")}, true
	}
	return "", nil, false
}

// curlBody returns the body as one shell word, with secret fields of JSON and
// form bodies as variables.
func curlBody(r httpclient.Request, show bool) shellWord {
	b := r.Body
	if show || bytes.IndexByte(b, 0) >= 0 {
		return lit(string(b))
	}
	// Mark each secret with NUL-delimited variable names, which cannot occur
	// in JSON or form text, then cut the body at the marks.
	marked, changed := redactBody(r.Header.Get("Content-Type"), b, func(field string) []byte {
		return []byte("\x00KEYHOLE_BODY_" + envName(field) + "\x00")
	})
	if !changed {
		return lit(string(b))
	}
	var w shellWord
	for i, part := range strings.Split(string(marked), "\x00") {
		if i%2 == 1 {
			w = append(w, wordPart{v: part})
		} else if part != "" {
			w = append(w, wordPart{lit: part})
		}
	}
	// A JSON string value needs its quotes around the variable.
	if isJSONBody(r.Header.Get("Content-Type"), b) {
		var q shellWord
		for _, p := range w {
			if p.v != "" {
				q = append(q, wordPart{lit: `"`}, p, wordPart{lit: `"`})
			} else {
				q = append(q, p)
			}
		}
		w = q
	}
	return w
}

func isJSONBody(ct string, b []byte) bool {
	t := bytes.TrimSpace(b)
	return len(t) > 0 && (t[0] == '{' || t[0] == '[') && !strings.Contains(ct, "form")
}

// curlURL returns the URL with a userinfo password and secret query values as
// variables. Body and query variables carry a BODY_ or QUERY_ prefix so that a
// "password" field never shares a variable with the Basic password.
func curlURL(raw string, show bool) shellWord {
	u, err := url.Parse(raw)
	if show || err != nil {
		return lit(raw)
	}
	var w shellWord
	rest := raw
	if pw, ok := u.User.Password(); ok && pw != "" {
		bare := *u
		bare.User = nil
		s := bare.String()
		prefix := u.Scheme + "://"
		w = append(w, wordPart{lit: prefix + url.User(u.User.Username()).String() + ":"}, wordPart{v: "KEYHOLE_URL_PASSWORD"}, wordPart{lit: "@"})
		rest = strings.TrimPrefix(s, prefix)
	}
	before, query, hasQuery := strings.Cut(rest, "?")
	if !hasQuery {
		return append(w, wordPart{lit: rest})
	}
	query, frag, hasFrag := strings.Cut(query, "#")
	cur := before + "?"
	for i, pair := range strings.Split(query, "&") {
		if i > 0 {
			cur += "&"
		}
		k, _, ok := strings.Cut(pair, "=")
		name, err := url.QueryUnescape(k)
		if ok && err == nil && credentials.IsSecretQueryParam(name) {
			w = append(w, wordPart{lit: cur + k + "="}, wordPart{v: "KEYHOLE_QUERY_" + envName(name)})
			cur = ""
			continue
		}
		cur += pair
	}
	if hasFrag {
		cur += "#" + frag
	}
	if cur != "" {
		w = append(w, wordPart{lit: cur})
	}
	return w
}

// envName turns a header or field name into an environment variable name.
func envName(s string) string {
	b := []byte(strings.ToUpper(s))
	for i, c := range b {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			b[i] = '_'
		}
	}
	return string(b)
}

// shellWord is one word of a command, made of literal text and variables.
type shellWord []wordPart

type wordPart struct {
	lit string
	v   string // a variable name, when not literal
}

func lit(s string) shellWord { return shellWord{{lit: s}} }

var bareWord = lazyRegexp(`^[A-Za-z0-9_./:=@,+%-]+$`)

// String quotes the word for a POSIX shell: literal text in single quotes
// (which keep every byte but the quote itself), variables in double quotes.
func (w shellWord) String() string {
	var b strings.Builder
	for _, p := range w {
		switch {
		case p.v != "":
			b.WriteString(`"$` + p.v + `"`)
		case bareWord().MatchString(p.lit):
			b.WriteString(p.lit)
		default:
			b.WriteString(`'` + strings.ReplaceAll(p.lit, `'`, `'\''`) + `'`)
		}
	}
	if b.Len() == 0 {
		return "''"
	}
	return b.String()
}
