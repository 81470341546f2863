package session

import (
	"context"
	"strings"
	"testing"
	"time"

	"keyhole/credentials"
	"keyhole/httpclient"
	"keyhole/practice"
)

// When a held token has expired, the token request that replaces it says so
// in the timeline, for the TUI and keyhole send alike: a refresh with the
// password grant's refresh token, the grant run again with client credentials.
func TestExpiredTokenRequestSaysWhy(t *testing.T) {
	p := startPractice(t)
	// Long enough that a slow run (the race detector, a loaded machine)
	// still sends the first token before it expires.
	p.SetTokenTTL(3 * time.Second)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		auth *credentials.OAuth2
		want string
	}{
		{"password", &credentials.OAuth2{Grant: credentials.GrantPassword, ClientID: practice.ClientID, ClientSecret: practice.ClientSecret,
			User: practice.User, Password: practice.Password}, "token expired: refreshing it (grant_type=refresh_token)"},
		{"client credentials", &credentials.OAuth2{ClientID: practice.ClientID, ClientSecret: practice.ClientSecret},
			"token expired: no refresh token, running the grant again (grant_type=client_credentials)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := New(httpclient.New(httpclient.Options{}), httpclient.Request{Method: "GET", URL: p.URL + "/jwt"})
			if made, err := s.Send(ctx, tc.auth); err != nil || made[len(made)-1].Status() != 200 {
				t.Fatalf("first send: %v", err)
			}
			for _, a := range s.Attempts() {
				if strings.HasPrefix(a.Auto, "token expired") {
					t.Fatalf("the first token request claims an expiry: %q", a.Auto)
				}
			}
			time.Sleep(3500 * time.Millisecond)
			made, err := s.Send(ctx, tc.auth)
			if err != nil || made[len(made)-1].Status() != 200 {
				t.Fatalf("send after expiry: %v", err)
			}
			var reasons []string
			for _, a := range made {
				if a.Purpose == PurposeToken {
					reasons = append(reasons, a.Auto)
				}
			}
			if len(reasons) == 0 || reasons[0] != tc.want {
				t.Fatalf("token attempts' reasons %q, want %q first", reasons, tc.want)
			}
		})
	}
}
