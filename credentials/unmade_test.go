package credentials

import (
	"errors"
	"fmt"
	"testing"
)

// The faces know a credential that could not be made by IsUnmade alone,
// whatever the scheme: Kerberos' two failures are such errors, wrapped or
// not; any other error is not.
func TestUnmade(t *testing.T) {
	for _, err := range []error{
		&KerberosError{Doing: "getting a ticket for HTTP/host", Words: "the KDC did not answer"},
		&NoTicketError{Cache: "/tmp/none", Realm: "KEYHOLE.TEST", Why: "no credential cache"},
		fmt.Errorf("answering: %w", &NoTicketError{Why: "expired"}),
	} {
		if !IsUnmade(err) {
			t.Errorf("IsUnmade(%v) = false", err)
		}
	}
	for _, err := range []error{nil, errors.New("basic: the user name is empty")} {
		if IsUnmade(err) {
			t.Errorf("IsUnmade(%v) = true", err)
		}
	}
}

// -U : and --proxy-auth MODE alone offer only a scheme that needs no user.
func TestUserOptional(t *testing.T) {
	want := map[string]bool{"negotiate": true, "basic": false, "digest": false, "ntlm": false, "scram-sha-256": false}
	for mode, optional := range want {
		d, ok := Describe(mode)
		if !ok {
			t.Fatalf("no description for %q", mode)
		}
		if d.UserOptional() != optional {
			t.Errorf("%s: UserOptional() = %v, want %v", mode, !optional, optional)
		}
	}
}
