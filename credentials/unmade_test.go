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

// Basic, NTLM and SCRAM refuse the same bad user names and passwords
// before anything is sent: a control character anywhere, or bytes that
// are not UTF-8.
func TestUserPasswordChecksAgree(t *testing.T) {
	for _, bad := range [][2]string{{"alice", "pass\tword"}, {"al\x1bice", "x"}, {"alice", "\xff"}, {"alice\n", "x"}} {
		for name, err := range map[string]error{
			"basic": Basic{User: bad[0], Password: bad[1]}.Validate(),
			"ntlm":  (&NTLM{User: bad[0], Password: bad[1]}).Validate(),
			"scram": (&SCRAM{User: bad[0], Password: bad[1]}).Validate(),
		} {
			if err == nil {
				t.Errorf("%s took user %q password %q", name, bad[0], bad[1])
			}
		}
	}
	for name, err := range map[string]error{
		"basic": Basic{User: "alice", Password: "wönderland"}.Validate(),
		"ntlm":  (&NTLM{User: `PRACTICE\alice`, Password: "wönderland"}).Validate(),
		"scram": (&SCRAM{User: "alice", Password: "wönderland"}).Validate(),
	} {
		if err != nil {
			t.Errorf("%s refused a good user and password: %v", name, err)
		}
	}
}
