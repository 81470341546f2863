package credentials

import (
	"errors"
	"net/http"
	"strings"

	"keyhole/httpclient"
)

// Bearer is an RFC 6750 bearer token sent in the Authorization header.
type Bearer struct {
	Token string
}

func (Bearer) Scheme() string { return "Bearer" }

// Validate checks that the token can travel in a header (RFC 6750 §2.1 b64token,
// loosely: no white space or control characters).
func (b Bearer) Validate() error {
	if b.Token == "" {
		return errors.New("bearer: the token is empty")
	}
	if strings.ContainsFunc(b.Token, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return errors.New("bearer: the token contains spaces or control characters; paste only the token")
	}
	return nil
}

func (b Bearer) Apply(r *httpclient.Request, ch *httpclient.Challenge) error {
	if err := b.Validate(); err != nil {
		return err
	}
	r.Header.Set(HeaderFor(ch), "Bearer "+b.Token)
	return nil
}

func init() {
	Register(Description{
		Mode: "bearer", Order: 30, Title: "Bearer token", Wire: "Bearer", Rank: 20,
		Fields:  []Field{{Key: "token", Label: "Token", Flag: "--token", Secret: true}},
		Headers: []string{"Authorization"}, Curl: "--oauth2-bearer", CurlValue: "token", CurlArgs: bearerCurl,
		Build: func(v map[string]string) (Authorizer, error) {
			b := Bearer{Token: v["token"]}
			return b, b.Validate()
		},
	})
}

// bearerCurl: curl --oauth2-bearer TOKEN, for a server (curl has no
// option for a proxy's token).
func bearerCurl(value string, _ http.Header, proxy bool) []CurlOption {
	if proxy {
		return nil
	}
	_, token, _ := strings.Cut(value, " ")
	return []CurlOption{{Name: "--oauth2-bearer", Value: []CurlPiece{{Text: strings.TrimSpace(token), Var: "KEYHOLE_TOKEN"}}}}
}
