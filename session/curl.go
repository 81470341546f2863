package session

import (
	"bytes"
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

// curlAuth turns one Authorization or Proxy-Authorization value into curl's
// own auth options, which make curl compute the credentials as keyhole did:
// the scheme's description writes them (credentials.CurlArgs). A value no
// description writes for curl is sent as the header it is.
func curlAuth(name, v string, h http.Header, secret func(string, string) shellWord) [][]shellWord {
	if opts := credentials.CurlArgs(name, v, h); opts != nil {
		var out [][]shellWord
		for _, o := range opts {
			g := []shellWord{lit(o.Name)}
			if o.Value != nil {
				g = append(g, curlWord(o.Value, secret))
			}
			out = append(out, g)
		}
		return out
	}
	scheme, rest, _ := strings.Cut(v, " ")
	rest = strings.TrimSpace(rest)
	if rest == "" {
		return [][]shellWord{{lit("-H"), append(lit(name+": "), secret(v, "KEYHOLE_"+envName(name))...)}}
	}
	return [][]shellWord{{lit("-H"), append(lit(name+": "+scheme+" "), secret(rest, "KEYHOLE_"+envName(name))...)}}
}

// curlWord makes one shell word of a scheme's pieces: literal text as it
// is (one quoted run, as "alice:" is), a secret through secret, or always
// its variable when the value never held it.
func curlWord(pieces []credentials.CurlPiece, secret func(string, string) shellWord) shellWord {
	var w shellWord
	for i, p := range pieces {
		switch {
		case p.Unsent:
			w = append(w, wordPart{v: p.Var})
		case p.Var != "":
			w = append(w, secret(p.Text, p.Var)...)
		case i > 0 && pieces[i-1].Var == "":
			w[len(w)-1].lit += p.Text
		default:
			w = append(w, wordPart{lit: p.Text})
		}
	}
	return w
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
