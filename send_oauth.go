package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"keyhole/credentials"
	"keyhole/httpclient"
)

// oauthOptions are the OAuth 2.0 flags of 'keyhole send' beyond the client
// id, secret, token URL, scope and grant.
type oauthOptions struct {
	resource   string
	authURL    string
	deviceURL  string
	dpop       bool
	clientAuth string
	clientKey  string
	// register is "yes" (--register), "no" (--register=false) or "": then
	// keyhole registers only when no client id is given.
	register string
	// serveMetadata serves keyhole's own client metadata document on
	// 127.0.0.1 and uses its URL as the client id; served is that server.
	serveMetadata bool
	served        *credentials.ClientMetadataServer
}

// oauthFlagsMore adds them to fs.
func oauthFlagsMore(fs *flagSet, o *oauthOptions) {
	fs.String(&o.resource, "resource", "", "URI", "OAuth 2.0 resource indicator (RFC 8707) the token is asked for (default: the resource named by its metadata, RFC 9728)")
	fs.String(&o.authURL, "auth-url", "", "URL", "OAuth 2.0 authorization endpoint, when discovery cannot find it")
	fs.String(&o.deviceURL, "device-url", "", "URL", "OAuth 2.0 device authorization endpoint, when discovery cannot find it")
	fs.String(&o.clientAuth, "client-auth", "", "METHOD", "how the OAuth 2.0 client authenticates at the token endpoint: basic|post|private_key_jwt|tls|none (default: from the server's metadata, the others tried after invalid_client)")
	fs.String(&o.clientKey, "client-key", "", "FILE", "the client's private key (PEM) for --client-auth private_key_jwt (RFC 7523)")
	fs.YesNo(&o.register, "register", "register keyhole as an OAuth 2.0 client first, at the registration_endpoint the server names (dynamic client registration, RFC 7591), even with a --client-id; without one keyhole registers by itself where the server offers it, unless --register=false")
	fs.Bool(&o.serveMetadata, "serve-client-metadata", "", "serve keyhole's own OAuth client metadata document on 127.0.0.1 while it runs and use its URL as the client id (Client ID Metadata Document, for the practice server and local development); for a real server, host the document at an https URL and give --client-id URL")
	fs.Bool(&o.dpop, "dpop", "", "bind OAuth 2.0 tokens to a key with DPoP (RFC 9449); on by itself when the resource asks for it")
}

// apply sets the --trust origins and --dpop on oa; the other flags are
// values of the OAuth 2.0 description (credentials.Schemes), which builds oa.
func (o *oauthOptions) apply(oa *credentials.OAuth2, trust []string) error {
	for _, t := range trust {
		origin, err := httpclient.ParseOrigin(t)
		if err != nil {
			return fmt.Errorf("--trust: %v", err)
		}
		oa.Trusted = append(oa.Trusted, origin)
	}
	oa.DPoP = oa.DPoP || o.dpop
	return nil
}

// serve starts serving keyhole's client metadata document when asked, and
// returns the client id to use: its URL. It says what the document is.
func (o *oauthOptions) serve(clientID string, stderr io.Writer) (string, error) {
	if !o.serveMetadata {
		return clientID, nil
	}
	switch {
	case clientID != "":
		return "", errors.New("--serve-client-metadata makes keyhole's own document the client id; give it or --client-id, not both")
	case o.register == "yes":
		return "", errors.New("--serve-client-metadata and --register are two ways for keyhole to become a client (a document the server reads, or a registration); give one")
	}
	s, err := credentials.ServeClientMetadata()
	if err != nil {
		return "", err
	}
	o.served = s
	fmt.Fprintln(stderr, credentials.AboutClientMetadata(s.URL))
	return s.URL, nil
}

// close stops serving the client metadata document, if it was served.
func (o *oauthOptions) close() {
	if o.served != nil {
		o.served.Close()
	}
}

// refusalFlags names, after an error that asks the user to give something
// (a token endpoint's refusal, a secret held back, a missing client key, a
// copied profile's command, a value the OAuth 2.0 client cannot be built
// from), the flags that give it (". With keyhole send:
// --client-secret or --client-key."), or "": the error's own words name
// no face's flags (credentials.Gives). A switch to turn on ("register=yes")
// is its flag, and the =false that turned it off, the refusal's cause.
func refusalFlags(err error) string {
	give := credentials.Gives(err)
	if len(give) == 0 {
		return ""
	}
	d, _ := credentials.Describe("oauth2")
	var flags []string
	for _, g := range give {
		key, value, _ := strings.Cut(g, "=")
		switch key {
		case credentials.GiveClientCert:
			flags = append(flags, "--cert and --key")
		case credentials.GiveTrust:
			flags = append(flags, "--trust "+httpclient.SafeLine(value))
		case credentials.GiveServedMetadata:
			flags = append(flags, "--serve-client-metadata (a document served on this machine)")
		case credentials.GiveCommandTrust:
			flags = append(flags, "--allow-cmd")
		}
		for _, f := range d.Fields {
			switch {
			case f.Key != key:
			case f.Flag == "-u": // the user and password both, as its help names them
				flags = append(flags, "-u USER[:PASSWORD]")
			case value == "yes": // a switch turned off: the flag that did it is the cause
				flags = append(flags, f.Flag+" (not "+f.Flag+"=false)")
			default:
				flags = append(flags, strings.TrimSpace(f.Flag+" "+value))
			}
		}
	}
	return ". With keyhole send: " + strings.Join(flags, " or ") + "."
}
