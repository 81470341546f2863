package credentials

import (
	"fmt"
	"strings"
)

// The OAuth 2.0 client's descriptions: its fields, shared by the plain and
// the DPoP-bound client, and the Authorizer they build.
func init() {
	Register(Description{
		Mode: "oauth2", Order: 40, Title: "OAuth 2.0", Wire: "Bearer", Rank: 20, Fields: oauthFields,
		Headers: []string{"Authorization"},
		Build:   func(v map[string]string) (Authorizer, error) { return buildOAuth(v, false) },
	})
	Register(Description{
		Mode: "dpop", Order: 50, Title: "OAuth 2.0, DPoP-bound", Wire: "DPoP", Rank: 25, Named: true, Fields: oauthFields,
		Headers: []string{"Authorization", "DPoP"},
		Build:   func(v map[string]string) (Authorizer, error) { return buildOAuth(v, true) },
	})
}

var (
	grants = []Choice{
		// No grant given, as keyhole send without --grant: runGrant picks
		// it from the other values, and the form says which (OAuthRuns).
		{"", "auto", "auto"},
		{GrantClientCredentials, "client credentials", "client"},
		{GrantAuthorizationCode, "authorization code + PKCE", "code+PKCE"},
		{GrantDeviceCode, "device code", "device"},
		{GrantPassword, "password — deprecated (RFC 9700)", "password"},
		{GrantRefreshToken, "refresh token", "refresh"},
	}
)

var oauthFields = []Field{
	{Key: "token_url", Label: "Token URL", Flag: "--token-url", Optional: true, Hint: "empty: discover it from the challenge"},
	// Without a client id keyhole registers (RFC 7591) where the server offers it.
	{Key: "client_id", Label: "Client id", Flag: "--client-id", Optional: true,
		Hint: "empty: register keyhole (RFC 7591)"},
	{Key: "client_secret", Label: "Client secret", Flag: "--client-secret", Secret: true, Optional: true,
		Hint: "empty for a public client"},
	{Key: "user", Label: "User", Flag: "-u", Optional: true, Borrowed: true, When: []string{GrantPassword}},
	{Key: "password", Label: "Password", Flag: "-u", Secret: true, Optional: true, Borrowed: true, When: []string{GrantPassword}},
	{Key: "refresh_token", Label: "Refresh token", Flag: "--refresh-token", Secret: true, Optional: true,
		Hint: "the refresh token to start from", When: []string{GrantRefreshToken}},
	{Key: "scope", Label: "Scope", Flag: "--scope", Optional: true, Hint: "space-separated, optional"},
	{Key: "grant", Label: "Grant", Flag: "--grant", Optional: true, Choices: grants},
	{Key: "resource", Label: "Resource", Flag: "--resource", Optional: true, Extra: true,
		Hint: "optional: the API the token is for (RFC 8707)"},
	{Key: "auth_url", Label: "Auth URL", Flag: "--auth-url", Optional: true, Extra: true,
		Hint: "empty: discover the authorization endpoint", When: []string{GrantAuthorizationCode}},
	{Key: "device_url", Label: "Device URL", Flag: "--device-url", Optional: true, Extra: true,
		Hint: "empty: discover the device endpoint", When: []string{GrantDeviceCode}},
	{Key: "client_auth", Label: "Client auth", Flag: "--client-auth", Optional: true, Extra: true,
		Hint: "basic, post, private_key_jwt, tls, none (empty: metadata)"},
	{Key: "client_key", Label: "Client key", Flag: "--client-key", Optional: true, Extra: true,
		Hint: "PEM file of the private_key_jwt key (RFC 7523)"},
	{Key: "register", Label: "Register", Flag: "--register", Optional: true, Extra: true,
		Hint: "yes: even with a client id; no: never"},
}

// buildOAuth makes an OAuth 2.0 client from its fields; with dpop its tokens
// are bound to a key (RFC 9449). A refresh token without a grant means the
// refresh_token grant: the user has a refresh token and wants it used.
// What it refuses names the form's field, and what it asks for is a
// NeedsGiven's Give, which keyhole send names by its flags.
func buildOAuth(v map[string]string, dpop bool) (Authorizer, error) {
	grant := askedGrant(v)
	switch grant {
	case "", GrantClientCredentials, GrantAuthorizationCode, GrantDeviceCode, GrantPassword, GrantRefreshToken:
	default:
		return nil, fmt.Errorf("grant %q is not one keyhole runs; use client_credentials, authorization_code, device_code, password or refresh_token", v["grant"])
	}
	if grant == GrantRefreshToken && v["refresh_token"] == "" {
		return nil, &NeedsGiven{Text: "the refresh_token grant needs a refresh token (Refresh token)", Give: []string{"refresh_token"}}
	}
	if grant == GrantPassword && v["user"] == "" {
		return nil, &NeedsGiven{Text: "the password grant needs the user name and password (User and Password)", Give: []string{"user"}}
	}
	// Register is yes, no or empty: without a client id keyhole registers
	// itself where the server offers it, unless told not to. Either lets
	// the client go: a client id, or Register turned back on.
	register, noRegister := yes(v["register"]), no(v["register"])
	if v["client_id"] == "" && noRegister {
		return nil, &NeedsGiven{Give: []string{"client_id", "register=yes"},
			Text: "the OAuth 2.0 client needs its client id (Client id): registering keyhole with the authorization server is turned off (Register no)"}
	}
	grant, grantWhy := runGrant(v, grant)
	o := &OAuth2{
		Grant: grant, ClientID: v["client_id"], ClientSecret: v["client_secret"], TokenURL: v["token_url"],
		Scopes: strings.Fields(v["scope"]), User: v["user"], Password: v["password"],
		RefreshToken: v["refresh_token"], DPoP: dpop, Register: register, NoRegister: noRegister,
		Resource: v["resource"], AuthURL: v["auth_url"], DeviceURL: v["device_url"],
	}
	o.grantWhy = grantWhy
	if o.RefreshToken != "" {
		o.AccessToken = v["token"] // the token held, refreshed when refused
	}
	for _, f := range oauthFields {
		if f.Key == "resource" || f.Key == "auth_url" || f.Key == "device_url" {
			if err := CheckEndpointURL(f.Label, v[f.Key], f.Key == "resource"); err != nil {
				return nil, &NeedsGiven{Text: err.Error(), Give: []string{f.Key}}
			}
		}
	}
	if v["client_auth"] != "" {
		m, ok := ClientAuthMethod(v["client_auth"])
		if !ok {
			return nil, &NeedsGiven{Give: []string{"client_auth"},
				Text: fmt.Sprintf("Client auth %q is not one keyhole knows; use basic, post, private_key_jwt, tls or none", v["client_auth"])}
		}
		o.ClientAuth = m
	}
	if v["client_key"] != "" {
		k, err := LoadClientKey(v["client_key"])
		if err != nil {
			return nil, &NeedsGiven{Text: "Client key: " + err.Error(), Give: []string{"client_key"}}
		}
		o.ClientKey = k
		if o.ClientAuth == "" && o.ClientSecret == "" {
			o.ClientAuth = AuthPrivateKeyJWT
		}
	}
	if o.ClientAuth == AuthPrivateKeyJWT && o.ClientKey == nil {
		return nil, &NeedsGiven{Text: "client auth private_key_jwt needs the client's key (Client key, a PEM file)", Give: []string{"client_key"}}
	}
	return o, nil
}

// OAuthRuns says what the OAuth 2.0 client made from values v runs, as
// buildOAuth decides: the grant, and whether keyhole first registers itself
// with the authorization server (RFC 7591). Without a client id, or with a
// client metadata document's URL and no secret, that is not always the
// grant asked for (runGrant), so the TUI's form says it as the values stand.
func OAuthRuns(v map[string]string) (grant string, registers bool) {
	grant, _ = runGrant(v, askedGrant(v))
	return grant, (v["client_id"] == "" || yes(v["register"])) && !no(v["register"])
}

// askedGrant is the grant v asks for, spelled as keyhole's constants ("" for
// none): "client-credentials" and "device" as their grants, and a refresh
// token without a grant the refresh_token grant.
func askedGrant(v map[string]string) string {
	grant := strings.ReplaceAll(v["grant"], "-", "_")
	switch {
	case grant == "device":
		return GrantDeviceCode
	case grant == "" && v["refresh_token"] != "":
		return GrantRefreshToken
	}
	return grant
}

// runGrant is the grant the client made from v runs when grant is asked
// for, and why, when it is another, in words for the client's reason. A
// client with no credentials of its own signs a user in (authorization
// code), asked for no grant or for client credentials, which it has
// nothing to prove itself with for: one keyhole
// registers for lack of an id (public), and one whose id is a metadata
// document's URL with no secret (anyone can read the document) nor key.
// Asked for no grant, a document's client signs a user in even with a key
// (asked for client credentials, that one runs them), and any other
// client runs client credentials. keyhole send without --grant and the TUI's form as it opens
// (its grant "auto") ask for no grant, so they run the same.
func runGrant(v map[string]string, grant string) (string, string) {
	registered := v["client_id"] == "" && !no(v["register"])
	document := IsClientIDURL(v["client_id"]) && v["client_secret"] == ""
	switch {
	case grant == "" && (registered || document):
		return GrantAuthorizationCode, ""
	case grant == "":
		return GrantClientCredentials, ""
	case grant == GrantClientCredentials && (registered || document && v["client_key"] == ""):
		return GrantAuthorizationCode, "; it signs a user in (authorization code), since a public client has no credentials of its own for the client credentials grant"
	}
	return grant, ""
}

// yes reads a yes/no field: "yes", "true", "on", "1", as a flag's value.
func yes(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "yes", "y", "true", "on", "1":
		return true
	}
	return false
}

// no reports whether v says no; "" is neither yes nor no.
func no(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "no", "n", "false", "off", "0":
		return true
	}
	return false
}
