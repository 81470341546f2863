package httpclient

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"maps"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// One rule decides what is a secret, and the same rule strips credentials
// from a redirect to another origin, masks them in every output and scrubs
// their values from whatever a server echoes back. A secret is:
//   - what an authorizer wrote, or what the user marked (Request.MarkSecret):
//     its name is secret from then on, in this process, wherever it appears;
//   - a header, query parameter or cookie whose name says so (IsSecretHeader,
//     IsSecretQuery).
// Every value that went out in a secret slot is remembered (SecretValues) so
// that Scrub can hide it from text that quotes it.

// Where a secret travels.
const (
	InHeader = "header"
	InQuery  = "query"
	InCookie = "cookie"
)

// Redacted stands in for a secret that is not shown.
const Redacted = "•••"

// Secret is one value a request carries that must stay with its origin.
type Secret struct {
	In    string // InHeader, InQuery or InCookie
	Name  string
	Value string
}

// MarkSecret records that r carries value under name (in a header, the query
// or a cookie) as a secret: an authorizer calls it for what it wrote, and a
// face for what the user marked (--api-key, --mark-secret, profile fields).
func (r *Request) MarkSecret(in, name, value string) {
	r.Secrets = append(r.Secrets, Secret{In: in, Name: name, Value: value})
}

// secretNameParts make a header secret wherever they appear in its name.
var secretNameParts = []string{"authorization", "token", "secret", "password", "passwd", "signature",
	"subscription", "credential", "cookie", "session", "api-key", "apikey", "api_key", "private"}

// IsSecretHeader reports whether a header's value is a credential: by its
// name (Authorization, Cookie, DPoP, *-Key, *Token*, *Secret*, Signature,
// *Subscription*, ...) or because an authorizer or the user marked that name
// in this process. Challenges (WWW-Authenticate) are not secret.
func IsSecretHeader(name string) bool {
	n := strings.ToLower(strings.TrimSpace(name))
	switch n {
	case "", "www-authenticate", "proxy-authenticate", "authentication-info", "proxy-authentication-info":
		return false
	case "dpop", "key", "x-key":
		return true
	}
	if strings.HasPrefix(n, "access-control-") {
		return false // CORS names headers and flags (Allow-Credentials: true), never a secret
	}
	if strings.HasSuffix(n, "-key") || strings.HasSuffix(n, "_key") {
		return true
	}
	for _, part := range secretNameParts {
		if strings.Contains(n, part) {
			return true
		}
	}
	return registry.named(InHeader, n)
}

// secretQuery are query parameter names that carry credentials whole.
var secretQuery = map[string]bool{
	"key": true, "code": true, "sig": true, "auth": true, "pass": true, "pwd": true,
	"x-amz-credential": true, "x-amz-signature": true,
}

// IsSecretQuery reports whether a query parameter (or a parameter of an
// OAuth redirect's fragment) carries a credential: by its name (key, api_key,
// *token*, *secret*, password, sig, signature, code, ...) or because an
// authorizer or the user marked that name in this process.
func IsSecretQuery(name string) bool {
	n := strings.ToLower(strings.TrimSpace(name))
	if secretQuery[n] || strings.HasSuffix(n, "key") && (n == "apikey" || strings.HasSuffix(n, "_key") || strings.HasSuffix(n, "-key") || strings.HasSuffix(n, ".key")) {
		return true
	}
	for _, part := range []string{"token", "secret", "password", "signature", "credential", "subscription"} {
		if strings.Contains(n, part) {
			return true
		}
	}
	return registry.named(InQuery, n)
}

// secretHeaderNames lists the headers of r that must stay with its origin,
// by the rule, by a mark on r, or because their value holds a secret r
// carries elsewhere (the user pasted a token into an ordinary header).
func (r *Request) secretHeaderNames() []string {
	values := SecretValues(r)
	var out []string
	for name, vs := range r.Header {
		secret := IsSecretHeader(name) || r.marked(InHeader, name)
		for _, v := range vs {
			for _, s := range values {
				if len(s) >= MinScrubbed && strings.Contains(v, s) {
					secret = true
				}
			}
		}
		if secret && strings.Join(vs, "") != "" {
			out = append(out, name)
		}
	}
	return out
}

func (r *Request) marked(in, name string) bool {
	for _, s := range r.Secrets {
		if s.In == in && strings.EqualFold(s.Name, name) {
			return true
		}
	}
	return false
}

// SecretValues returns the secrets r carries: the values it marked, the
// values of secret headers (and of an Authorization the credentials after
// the scheme, a Basic password), of secret query parameters, of cookies,
// and a URL password.
func SecretValues(r *Request) []string {
	if r == nil {
		return nil
	}
	var out []string
	for _, s := range r.Secrets {
		out = append(out, s.Value)
	}
	for name, vs := range r.Header {
		if !IsSecretHeader(name) && !r.marked(InHeader, name) {
			continue
		}
		cookie := strings.EqualFold(name, "Cookie")
		for _, v := range vs {
			out = append(out, v)
			if cookie {
				for _, c := range strings.Split(v, ";") {
					if _, cv, ok := strings.Cut(c, "="); ok {
						out = append(out, strings.TrimSpace(cv))
					}
				}
				continue
			}
			if _, rest, ok := strings.Cut(strings.TrimSpace(v), " "); ok {
				rest = strings.TrimSpace(rest)
				out = append(out, rest)
				if raw, err := base64.StdEncoding.DecodeString(rest); err == nil {
					if _, pass, ok := strings.Cut(string(raw), ":"); ok {
						out = append(out, pass)
					}
				}
			}
		}
	}
	if u, err := url.Parse(r.URL); err == nil {
		if u.User != nil {
			if p, ok := u.User.Password(); ok {
				out = append(out, p)
			}
		}
		for name, vs := range u.Query() {
			if IsSecretQuery(name) || r.marked(InQuery, name) {
				out = append(out, vs...)
			}
		}
	}
	return out
}

// MinScrubbed is the shortest secret Scrub hides in free text: shorter ones
// would mask ordinary words. (In its own header or parameter a secret of any
// length is masked.)
const MinScrubbed = 4

// secretRegistry is what this process sent as secrets: the names that were
// marked, and every secret value, so that output of any kind can hide them.
type secretRegistry struct {
	mu       sync.RWMutex
	names    map[string]bool // in + "\n" + lower-case name
	values   map[string]bool
	replacer *strings.Replacer // nil when it must be rebuilt
}

var registry = &secretRegistry{names: map[string]bool{}, values: map[string]bool{}}

func (g *secretRegistry) named(in, lowerName string) bool {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return g.names[in+"\n"+lowerName]
}

// remember files what r carries as secrets; the client calls it for every
// request it sends.
func (g *secretRegistry) remember(r *Request) {
	values := SecretValues(r)
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, s := range r.Secrets {
		g.names[s.In+"\n"+strings.ToLower(s.Name)] = true
	}
	for _, v := range values {
		if len(v) < MinScrubbed || g.values[v] {
			continue
		}
		g.values[v] = true
		g.replacer = nil
	}
}

// scrubber returns the replacer of every remembered value (NewScrubber).
func (g *secretRegistry) scrubber() *strings.Replacer {
	g.mu.RLock()
	r := g.replacer
	n := len(g.values)
	g.mu.RUnlock()
	if r != nil || n == 0 {
		return r
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.replacer = NewScrubber(slices.Collect(maps.Keys(g.values)), false)
	return g.replacer
}

// NewScrubber returns a replacer that masks each of values (at least
// MinScrubbed bytes long) in the forms a server may echo it: as sent,
// JSON-escaped, URL-encoded; nil when there is nothing to mask. With
// sameWidth, each is masked by as many • as it has runes, so that text laid
// out in columns keeps its layout.
func NewScrubber(values []string, sameWidth bool) *strings.Replacer {
	var pairs []string
	seen := map[string]bool{}
	add := func(s string) {
		if len(s) >= MinScrubbed && !seen[s] {
			seen[s] = true
			mask := Redacted
			if sameWidth {
				mask = strings.Repeat("•", utf8.RuneCountInString(s))
			}
			pairs = append(pairs, s, mask)
		}
	}
	for _, v := range values {
		add(v)
		if b, err := json.Marshal(v); err == nil {
			add(string(b[1 : len(b)-1]))
		}
		add(url.QueryEscape(v))
		add(url.PathEscape(v))
	}
	if len(pairs) == 0 {
		return nil
	}
	// strings.Replacer tries the old strings in argument order at each
	// position: a secret that contains another must come first.
	sortLongestFirst(pairs)
	return strings.NewReplacer(pairs...)
}

func sortLongestFirst(pairs []string) {
	for i := 2; i < len(pairs); i += 2 {
		for j := i; j >= 2 && len(pairs[j]) > len(pairs[j-2]); j -= 2 {
			pairs[j], pairs[j-2] = pairs[j-2], pairs[j]
			pairs[j+1], pairs[j-1] = pairs[j-1], pairs[j+1]
		}
	}
}

// Scrub replaces every secret value this process has sent (at least
// MinScrubbed bytes long) with Redacted wherever it appears in s: a server
// that echoes a password in its reason phrase, a header, its body or an
// error_description gets it printed masked.
func Scrub(s string) string {
	r := registry.scrubber()
	if r == nil {
		return s
	}
	return r.Replace(s)
}

// ScrubWriter returns a writer that scrubs (Scrub) what is written to w.
// A secret split between two writes is not seen, so write whole lines. When
// w is a file, the writer still tells its descriptor (Fd), so that colour
// and terminal detection see through it.
func ScrubWriter(w io.Writer) io.Writer {
	if f, ok := w.(*os.File); ok {
		return scrubFile{scrubWriter{f}, f}
	}
	return scrubWriter{w}
}

type scrubFile struct {
	scrubWriter
	f *os.File
}

func (s scrubFile) Read(p []byte) (int, error) { return s.f.Read(p) }
func (s scrubFile) Close() error               { return s.f.Close() }
func (s scrubFile) Fd() uintptr                { return s.f.Fd() }

type scrubWriter struct{ w io.Writer }

func (s scrubWriter) Write(p []byte) (int, error) {
	r := registry.scrubber()
	if r == nil {
		return s.w.Write(p)
	}
	if _, err := io.WriteString(s.w, r.Replace(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}
