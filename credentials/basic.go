package credentials

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"keyhole/httpclient"
)

// Basic is RFC 7617 user and password, always encoded as UTF-8.
type Basic struct {
	User     string
	Password string
}

func (Basic) Scheme() string { return "Basic" }

// Validate applies RFC 7617 §2: no ':' in the user-id, no control characters, valid UTF-8.
func (b Basic) Validate() error {
	if strings.Contains(b.User, ":") {
		return errors.New("basic: the user name cannot contain ':' (RFC 7617 §2); Basic has no way to send it")
	}
	return checkUserPassword("basic", b.User, b.Password)
}

// checkUserPassword refuses a user name or password that is not UTF-8 or
// holds a control character: no scheme that sends or proves a password
// (Basic, NTLM, SCRAM) can carry one as the user meant it, and a pasted
// newline is a mistake, not part of a password.
func checkUserPassword(scheme, user, password string) error {
	for _, f := range []struct{ key, v string }{{"user", user}, {"password", password}} {
		if !utf8.ValidString(f.v) {
			return &UserPasswordError{Scheme: scheme, Key: f.key, Problem: "is not valid UTF-8; give it in UTF-8, as keyhole sends it"}
		}
		if i := strings.IndexFunc(f.v, isCTL); i >= 0 {
			return &UserPasswordError{Scheme: scheme, Key: f.key, Problem: fmt.Sprintf("contains a control character at byte %d; remove it", i)}
		}
	}
	return nil
}

// UserPasswordError is a user name or password that a scheme refused as
// typed. Its Error names the scheme; a face that chose the scheme itself
// (keyhole send without --auth) names where the value came from instead,
// with Words.
type UserPasswordError struct {
	Scheme  string // the mode that refused it: "basic"
	Key     string // the field: "user" or "password"
	Problem string // "is not valid UTF-8"
}

func (e *UserPasswordError) Error() string { return e.Scheme + ": " + e.Words() }

// Words says what is wrong without the scheme: "the password is not valid UTF-8".
func (e *UserPasswordError) Words() string {
	name := e.Key
	if name == "user" {
		name = "user name"
	}
	return "the " + name + " " + e.Problem
}

func isCTL(r rune) bool { return r < 0x20 || r == 0x7f }

// Value returns the header value "Basic <base64(user:password)>".
func (b Basic) Value() (string, error) {
	if err := b.Validate(); err != nil {
		return "", err
	}
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(b.User+":"+b.Password)), nil
}

func (b Basic) Apply(r *httpclient.Request, ch *httpclient.Challenge) error {
	v, err := b.Value()
	if err != nil {
		return err
	}
	r.Header.Set(HeaderFor(ch), v)
	return nil
}

func init() {
	Register(Description{
		Mode: "basic", Order: 10, Title: "Basic", Wire: "Basic", Rank: 10, Proxy: true, Fields: userPassword,
		Headers: []string{"Authorization"}, Curl: "--basic",
		// Build refuses what no scheme can carry; a ':' in the user is
		// Basic's own limit, refused when Basic is to be sent (Validate):
		// a user from a netrc file or a profile may go by Digest or NTLM.
		Build: func(v map[string]string) (Authorizer, error) {
			b := Basic{User: v["user"], Password: v["password"]}
			return b, checkUserPassword("basic", b.User, b.Password)
		},
		Detail: basicUser, CurlArgs: basicCurl,
	})
}

// basicUser is the user name of a Basic header value.
func basicUser(value string) string {
	_, b64, _ := strings.Cut(strings.TrimSpace(value), " ")
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
	if err != nil {
		return ""
	}
	user, _, _ := strings.Cut(string(raw), ":")
	return httpclient.SafeLine(user)
}

// basicCurl: curl --basic -u USER:PASSWORD (--proxy-basic -U for a proxy).
func basicCurl(value string, _ http.Header, proxy bool) []CurlOption {
	_, b64, _ := strings.Cut(strings.TrimSpace(value), " ")
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
	user, password, ok := strings.Cut(string(raw), ":")
	if err != nil || !ok {
		return nil
	}
	return curlLogin("--basic", proxy, CurlPiece{Text: user}, CurlPiece{Text: password})
}
