package credentials

import (
	"testing"

	"keyhole/internal/oidctest"
)

// OAuthRuns says the grant the client Build makes runs, and whether keyhole
// registers first: without a client id (the form's fields left empty) it
// registers and signs a user in, whatever the form's first grant says, and
// so does a client metadata document's client with no secret nor key.
func TestOAuthRuns(t *testing.T) {
	keyPath, _ := oidctest.ClientKey(t)
	const doc = "https://app.example/client.json"
	for _, tc := range []struct {
		name      string
		v         map[string]string
		grant     string
		registers bool
	}{
		{"the form's default grant, no client id", map[string]string{"grant": GrantClientCredentials}, GrantAuthorizationCode, true},
		{"the form's default grant with a client id", map[string]string{"grant": GrantClientCredentials, "client_id": "app", "client_secret": "s"}, GrantClientCredentials, false},
		{"no grant, no client id (keyhole send --auth oauth2)", map[string]string{}, GrantAuthorizationCode, true},
		{"authorization code, no client id", map[string]string{"grant": GrantAuthorizationCode}, GrantAuthorizationCode, true},
		{"device code, no client id", map[string]string{"grant": "device"}, GrantDeviceCode, true},
		{"a client id and Register yes", map[string]string{"grant": GrantClientCredentials, "client_id": "app", "register": "yes"}, GrantClientCredentials, true},
		{"no client id and Register no: the grant asked for (Build refuses it)", map[string]string{"grant": GrantClientCredentials, "register": "no"}, GrantClientCredentials, false},
		{"a client id metadata document, no grant", map[string]string{"client_id": doc}, GrantAuthorizationCode, false},
		{"a client id metadata document, the form's default grant", map[string]string{"client_id": doc, "grant": GrantClientCredentials}, GrantAuthorizationCode, false},
		{"a client id metadata document with a key, client credentials", map[string]string{"client_id": doc, "client_key": keyPath, "grant": GrantClientCredentials}, GrantClientCredentials, false},
		{"a client id metadata document with a key, no grant", map[string]string{"client_id": doc, "client_key": keyPath}, GrantAuthorizationCode, false},
		{"a client id URL with a secret (registered), client credentials", map[string]string{"client_id": doc, "client_secret": "s", "grant": GrantClientCredentials}, GrantClientCredentials, false},
		{"a client id and secret, no grant (the form's auto)", map[string]string{"client_id": "app", "client_secret": "s"}, GrantClientCredentials, false},
		{"a refresh token, no grant", map[string]string{"client_id": "app", "refresh_token": "r"}, GrantRefreshToken, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			grant, registers := OAuthRuns(tc.v)
			if grant != tc.grant || registers != tc.registers {
				t.Fatalf("OAuthRuns = %q, registers %v; want %q, %v", grant, registers, tc.grant, tc.registers)
			}
			a, err := buildOAuth(tc.v, false)
			if tc.v["register"] == "no" && tc.v["client_id"] == "" {
				if err == nil {
					t.Fatal("Build made a client with no client id and Register no")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if o := a.(*OAuth2); o.Grant != grant {
				t.Fatalf("Build runs %q, OAuthRuns says %q", o.Grant, grant)
			}
		})
	}
}
