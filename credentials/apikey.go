package credentials

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"keyhole/httpclient"
)

// APIKey is a key the server expects in a header, a query parameter or a
// cookie (OpenAPI's apiKey with in: header|query|cookie). No challenge ever
// asks for one, so it is applied as is.
type APIKey struct {
	Name  string // "" means X-API-Key in a header, api_key in a query, api_key in a cookie
	Value string
	In    string // "header" (the default), "query" or "cookie"
}

func (APIKey) Scheme() string { return "APIKey" }

// Where a key can go.
const (
	APIKeyInHeader = "header"
	APIKeyInQuery  = "query"
	APIKeyInCookie = "cookie"
)

// place returns where the key goes and under what name, defaults filled in.
func (k APIKey) place() (in, name string, err error) {
	in = strings.ToLower(k.In)
	if in == "" {
		in = APIKeyInHeader
	}
	name = k.Name
	switch in {
	case APIKeyInHeader:
		if name == "" {
			name = "X-API-Key"
		}
	case APIKeyInQuery, APIKeyInCookie:
		if name == "" {
			name = "api_key"
		}
	default:
		return "", "", fmt.Errorf("api key: %q is not a place for a key; use header, query or cookie", k.In)
	}
	return in, name, nil
}

// Validate checks that the key can travel where it is sent.
func (k APIKey) Validate() error {
	in, name, err := k.place()
	if err != nil {
		return err
	}
	if k.Value == "" {
		return errors.New("api key: the key is empty")
	}
	if strings.ContainsFunc(k.Value, isCTL) {
		return errors.New("api key: the key contains control characters; paste only the key")
	}
	switch in {
	case APIKeyInHeader:
		if !isHeaderToken(name) {
			return fmt.Errorf("api key: %q is not a valid header name", name)
		}
	case APIKeyInCookie:
		if !isHeaderToken(name) {
			return fmt.Errorf("api key: %q is not a valid cookie name", name)
		}
		// RFC 6265 §4.1.1 cookie-octet: no space, DQUOTE, comma, semicolon or backslash.
		if strings.ContainsAny(k.Value, " \",;\\") || strings.ContainsFunc(k.Value, func(r rune) bool { return r > 0x7e }) {
			return errors.New(`api key: the key contains a character a cookie cannot carry (space " , ; \ or non-ASCII); send it in a header instead`)
		}
	}
	return nil
}

func isHeaderToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}

// Apply puts the key in place, replacing any value already there under the
// same name, so a retry never sends two keys.
func (k APIKey) Apply(r *httpclient.Request, _ *httpclient.Challenge) error {
	if err := k.Validate(); err != nil {
		return err
	}
	in, name, _ := k.place()
	// The key is secret whatever its name: reported, it is masked in every
	// output and stays with its origin on a redirect.
	r.MarkSecret(in, name, k.Value)
	switch in {
	case APIKeyInHeader:
		if r.Header == nil {
			r.Header = http.Header{}
		}
		r.Header.Set(name, k.Value)
	case APIKeyInQuery:
		u, err := url.Parse(r.URL)
		if err != nil {
			return fmt.Errorf("api key: cannot read the URL %q: %w", r.URL, err)
		}
		q := u.Query()
		q.Set(name, k.Value)
		u.RawQuery = q.Encode()
		r.URL = u.String()
	case APIKeyInCookie:
		if r.Header == nil {
			r.Header = http.Header{}
		}
		var kept []string
		for _, line := range r.Header.Values("Cookie") {
			for _, c := range strings.Split(line, ";") {
				if c = strings.TrimSpace(c); c != "" && !strings.HasPrefix(c, name+"=") {
					kept = append(kept, c)
				}
			}
		}
		r.Header.Set("Cookie", strings.Join(append(kept, name+"="+k.Value), "; "))
	}
	return nil
}

func init() {
	Register(Description{
		Mode: "apikey", Order: 90, Title: "API key", Wire: "APIKey",
		Fields: []Field{
			{Key: "api_key_name", Label: "Name", Flag: "--api-key", Optional: true, Hint: "X-API-Key (header), api_key (query, cookie)"},
			{Key: "api_key", Label: "Key", Flag: "--api-key", Secret: true},
			{Key: "api_key_in", Label: "In", Flag: "--api-key-in", Optional: true, Hint: "header (empty), query or cookie"},
		},
		Headers: []string{"X-API-Key"},
		Build: func(v map[string]string) (Authorizer, error) {
			k := APIKey{Name: v["api_key_name"], Value: v["api_key"], In: v["api_key_in"]}
			return k, k.Validate()
		},
	})
}
