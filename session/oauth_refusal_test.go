package session

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"keyhole/credentials"
	"keyhole/httpclient"
	"keyhole/internal/oidctest"
)

// A token endpoint's refusal reaches the TUI's status line as it is (the
// Outcome's Err), so its likely cause is said in words true in every face:
// no keyhole send flag. send names its flags itself (refusalFlags).
func TestTokenRefusalNamesNoFlags(t *testing.T) {
	srv := oidctest.InvalidClientServer(t)
	at, _ := OriginFor(srv.URL)
	for _, c := range []struct {
		values map[string]string
		cause  string
		give   []string
	}{
		{map[string]string{"client_id": "c1"}, "give a client secret or a client key", []string{"client_secret", "client_key"}},
		{map[string]string{"client_id": "c1", "client_secret": "a+b/c=d", "client_auth": "basic"}, "try client auth post", []string{"client_auth=post"}},
		{map[string]string{"client_id": "c1", "client_auth": "tls"}, "give the client certificate and its key", []string{credentials.GiveClientCert}},
	} {
		c.values["token_url"] = srv.URL + "/token"
		d, _ := credentials.Describe("oauth2")
		auth, err := d.Build(c.values)
		if err != nil {
			t.Fatalf("%v: %v", c.values, err)
		}
		s := New(httpclient.New(httpclient.Options{TLS: srv.Client().Transport.(*http.Transport).TLSClientConfig}), httpclient.Request{Method: "GET", URL: srv.URL + "/api", Header: http.Header{}})
		out := s.Run(context.Background(), &Wallet{Offers: []*Offer{{Auth: auth, Origin: at}}}, Policy{})
		var r *credentials.TokenRefusal
		if out.Err == nil || !strings.Contains(out.Err.Error(), c.cause) {
			t.Errorf("%v: Err %v, want the likely cause %q", c.values, out.Err, c.cause)
			continue
		}
		if faceFlag.MatchString(out.Err.Error()) {
			t.Errorf("%v: the refusal names a face's flag: %q", c.values, out.Err)
		}
		if !errors.As(out.Err, &r) || !slices.Equal(r.Give, c.give) {
			t.Errorf("%v: Give %v, want %v", c.values, r, c.give)
		}
	}
}

// The OAuth 2.0 client's other errors that ask the user to give something
// reach the TUI's status line as they are too, so they name the form's
// field, not keyhole send's flag, and carry what they ask for in
// credentials.Gives for each face to name its own way. With the sweep
// over the findings (TestFindingsNameNoFacesFlags), they make every shared
// text of a run.
func TestOAuthNeedsNameNoFlags(t *testing.T) {
	// The authorization server is on localhost, another origin than the
	// resource's 127.0.0.1; it registers no one.
	o := oidctest.StartTwoOrigins(t)
	srv, asURL := o.Resource, o.AS
	at, _ := OriginFor(srv)
	for _, c := range []struct {
		name      string
		auth      *credentials.OAuth2
		path      string
		documents bool
		want      string
		give      []string
	}{
		{"no authorization endpoint", &credentials.OAuth2{ClientID: "c1", Grant: credentials.GrantAuthorizationCode, TokenURL: srv + "/token"}, "/plain", false,
			"give its URL (Auth URL)", []string{"auth_url"}},
		{"private_key_jwt without its key", &credentials.OAuth2{ClientID: "c1", ClientAuth: credentials.AuthPrivateKeyJWT, TokenURL: srv + "/token"}, "/plain", false,
			"give it (Client key, a PEM file)", []string{"client_key"}},
		{"a secret for a token endpoint the metadata named", &credentials.OAuth2{ClientID: "me", ClientSecret: "s3cret"}, "/api", false,
			"it goes there only if you trust " + asURL + ", or when you give the token URL yourself (Token URL)", []string{credentials.GiveTrust + "=" + asURL, "token_url"}},
		{"no client id, no registration", &credentials.OAuth2{Grant: credentials.GrantAuthorizationCode}, "/api", false,
			"register keyhole there by hand and give its client id (Client id)", []string{"client_id"}},
		{"no client id, documents", &credentials.OAuth2{Grant: credentials.GrantAuthorizationCode}, "/api", true,
			"give the URL of one as the client id (Client id, https://…/client.json: a document you host)", []string{"client_id", credentials.GiveServedMetadata}},
	} {
		o.Documents.Store(c.documents)
		s := New(httpclient.New(httpclient.Options{}), httpclient.Request{Method: "GET", URL: srv + c.path, Header: http.Header{}})
		out := s.Run(context.Background(), &Wallet{Offers: []*Offer{{Auth: c.auth, Origin: at}}}, Policy{})
		if out.Err == nil || !strings.Contains(out.Err.Error(), c.want) {
			t.Errorf("%s: Err %v, want %q", c.name, out.Err, c.want)
			continue
		}
		if faceFlag.MatchString(out.Err.Error()) {
			t.Errorf("%s: names a face's flag: %q", c.name, out.Err)
		}
		if got := credentials.Gives(out.Err); !slices.Equal(got, c.give) {
			t.Errorf("%s: Gives %v, want %v", c.name, got, c.give)
		}
	}
	// Without a request to discover from (Prepare alone) nothing names a
	// token endpoint.
	err := (&credentials.OAuth2{ClientID: "c1"}).Prepare(context.Background(), &http.Client{}, nil)
	if err == nil || !strings.Contains(err.Error(), "give one (Token URL)") || faceFlag.MatchString(err.Error()) || !slices.Equal(credentials.Gives(err), []string{"token_url"}) {
		t.Errorf("no token URL: %v, Gives %v", err, credentials.Gives(err))
	}
	// The authorization step's invalid_target: the browser made that
	// request, so the error is the run's alone.
	ae := &credentials.AuthorizationError{Code: "invalid_target"}
	if faceFlag.MatchString(ae.Error()) || !slices.Equal(credentials.Gives(ae), []string{"resource"}) {
		t.Errorf("invalid_target: %q, Gives %v", ae, credentials.Gives(ae))
	}
}

// The OAuth 2.0 form's own refusals (Build's errors), which the TUI shows
// in its status line as they are, name the form's field too and carry
// what they ask for; keyhole send builds from the same values and names
// its flags after them. Both clients, plain and DPoP-bound, share them.
func TestOAuthBuildNeedsNameNoFlags(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.pem")
	for _, mode := range []string{"oauth2", "dpop"} {
		d, _ := credentials.Describe(mode)
		for _, c := range []struct {
			values map[string]string
			want   string
			give   []string
		}{
			{map[string]string{"client_id": "c1", "grant": credentials.GrantRefreshToken},
				"the refresh_token grant needs a refresh token (Refresh token)", []string{"refresh_token"}},
			{map[string]string{"client_id": "c1", "grant": credentials.GrantPassword},
				"the password grant needs the user name and password (User and Password)", []string{"user"}},
			{map[string]string{"register": "no"},
				"needs its client id (Client id): registering keyhole with the authorization server is turned off (Register no)", []string{"client_id", "register=yes"}},
			{map[string]string{"client_id": "c1", "resource": "ftp://127.0.0.1/api"},
				`Resource "ftp://127.0.0.1/api" is not an http:// or https:// URL`, []string{"resource"}},
			{map[string]string{"client_id": "c1", "grant": credentials.GrantAuthorizationCode, "auth_url": "authorize"},
				`Auth URL "authorize" is not an http:// or https:// URL`, []string{"auth_url"}},
			{map[string]string{"client_id": "c1", "grant": credentials.GrantDeviceCode, "device_url": "device"},
				`Device URL "device" is not an http:// or https:// URL`, []string{"device_url"}},
			{map[string]string{"client_id": "c1", "client_auth": "bogus"},
				`Client auth "bogus" is not one keyhole knows`, []string{"client_auth"}},
			{map[string]string{"client_id": "c1", "client_key": missing},
				"Client key: cannot read ", []string{"client_key"}},
			{map[string]string{"client_id": "c1", "client_auth": "private_key_jwt"},
				"client auth private_key_jwt needs the client's key (Client key, a PEM file)", []string{"client_key"}},
		} {
			_, err := d.Build(c.values)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s %v: %v, want %q", mode, c.values, err, c.want)
				continue
			}
			if faceFlag.MatchString(err.Error()) {
				t.Errorf("%s %v: names a face's flag: %q", mode, c.values, err)
			}
			if got := credentials.Gives(err); !slices.Equal(got, c.give) {
				t.Errorf("%s %v: Gives %v, want %v", mode, c.values, got, c.give)
			}
		}
	}
}

// The sweep over what every scheme's form refuses to build from (Build's
// errors, which the TUI's status line shows as they are): each choice
// (the OAuth 2.0 grant) with nothing typed, then with each field alone
// holding a value no field takes ("no" or a control character).
func TestBuildRefusalsNameNoFlags(t *testing.T) {
	n := 0
	for _, d := range credentials.Schemes {
		if d.Build == nil {
			continue
		}
		choices := []string{""}
		if c := d.ChoiceField(); c >= 0 {
			for _, ch := range d.Fields[c].Choices {
				choices = append(choices, ch.Value)
			}
		}
		for _, choice := range choices {
			for _, f := range append([]credentials.Field{{}}, d.Fields...) {
				for _, bad := range []string{"no", "x\x01y"} {
					v := map[string]string{}
					if choice != "" {
						v[d.Fields[d.ChoiceField()].Key] = choice
					}
					if f.Key != "" {
						v[f.Key] = bad
					}
					_, err := d.Build(v)
					if err == nil {
						continue
					}
					n++
					if faceFlag.MatchString(err.Error()) {
						t.Errorf("%s %q: names a face's flag: %q", d.Mode, v, err)
					}
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("no form refused anything")
	}
}
