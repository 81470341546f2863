package session

import (
	"encoding/base64"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"keyhole/credentials"
	"keyhole/httpclient"
)

// SentCredential is one credential a request carried, taken apart for
// display with every secret masked.
type SentCredential struct {
	Header  string             // "Authorization", "Proxy-Authorization", "X-API-Key", "Cookie"...
	Scheme  string             // "Basic", "Digest", "Bearer", "DPoP"...; "" for an API key or cookie
	User    string             // Basic or Digest user name, made safe to print
	Secret  string             // the secret, masked: credentials.Mask
	Fields  []httpclient.Param // Digest or SigV4 fields, the response/signature masked
	JWT     *credentials.JWT   // the token decoded, when it is a JWT; Raw is emptied
	Problem string             // what is wrong with the value, e.g. "not valid base64"
}

// secretFields are credential fields whose values are secret or replayable.
var secretFields = []string{"response", "signature", "cnonce"}

// TakeApart returns the credentials in h: Authorization and
// Proxy-Authorization decoded per scheme, and API key and cookie headers,
// masked. Nothing it returns reveals a secret.
func TakeApart(h http.Header) []SentCredential {
	var out []SentCredential
	for _, name := range []string{"Authorization", "Proxy-Authorization"} {
		for _, v := range h.Values(name) {
			out = append(out, takeApartAuth(name, v))
		}
	}
	var others []string
	for name := range h {
		switch strings.ToLower(name) {
		case "authorization", "proxy-authorization", "set-cookie":
			continue
		}
		if credentials.IsSecretHeader(name) {
			others = append(others, name)
		}
	}
	slices.Sort(others)
	for _, name := range others {
		for _, v := range h.Values(name) {
			c := SentCredential{Header: clean(name), Secret: credentials.Mask(v)}
			if strings.EqualFold(name, "DPoP") && credentials.LooksLikeJWT(v) {
				c.Scheme = "DPoP proof"
				c.JWT = decodeJWT(v, &c)
			}
			out = append(out, c)
		}
	}
	return out
}

func takeApartAuth(header, value string) SentCredential {
	scheme, rest, _ := strings.Cut(strings.TrimSpace(value), " ")
	rest = strings.TrimSpace(rest)
	c := SentCredential{Header: header, Scheme: clean(scheme)}
	switch {
	case strings.EqualFold(scheme, "Basic"):
		raw, err := base64.StdEncoding.DecodeString(rest)
		if err != nil {
			c.Secret = credentials.Mask(rest)
			c.Problem = "not valid base64, so the server cannot decode it"
			return c
		}
		user, pass, ok := strings.Cut(string(raw), ":")
		c.User = clean(user)
		c.Secret = credentials.Mask(pass)
		switch {
		case !ok:
			c.Problem = "no ':' between user name and password"
			c.User, c.Secret = "", credentials.Mask(string(raw))
		case !utf8.Valid(raw):
			c.Problem = "not UTF-8; servers that expect UTF-8 (RFC 7617 charset) will not match it"
		case user == "" && pass == "":
			c.Problem = "user name and password are both empty"
		}
	case strings.EqualFold(scheme, "Bearer") || strings.EqualFold(scheme, "DPoP"):
		c.Secret = credentials.Mask(rest)
		if rest == "" {
			c.Problem = "the token is empty"
		}
		if credentials.LooksLikeJWT(rest) {
			c.JWT = decodeJWT(rest, &c)
		}
	case strings.EqualFold(scheme, "Digest") || strings.HasPrefix(strings.ToUpper(scheme), "AWS4-"):
		// The credentials of these schemes share the challenge grammar
		// (auth-scheme followed by auth-params), so the challenge parser reads them.
		chs, problems := httpclient.ParseChallenges(value)
		if len(chs) > 0 {
			for _, p := range chs[0].Params {
				v := clean(p.Value)
				if slices.Contains(secretFields, p.Name) {
					v = credentials.Mask(p.Value)
				}
				c.Fields = append(c.Fields, httpclient.Param{Name: p.Name, Value: v, Quoted: p.Quoted})
				if p.Name == "username" || p.Name == "username*" {
					c.User = v
				}
				if strings.EqualFold(p.Name, "credential") {
					c.User, _, _ = strings.Cut(v, "/")
				}
			}
		}
		if len(problems) > 0 {
			c.Problem = clean(problems[0].Message)
		}
	default:
		c.Secret = credentials.Mask(rest)
	}
	return c
}

// decodeJWT decodes a token for display and drops the raw token from it.
func decodeJWT(tok string, c *SentCredential) *credentials.JWT {
	j, err := credentials.ParseJWT(tok)
	if err != nil {
		c.Problem = "looks like a JWT but does not decode"
		return nil
	}
	j.Raw = ""
	return j
}
