package credentials_test

import (
	"context"
	"strings"
	"testing"

	"keyhole/credentials"
	"keyhole/httpclient"
	"keyhole/internal/oidctest"
)

// A 5-second client credentials token (oidc-provider's resource /api/short)
// is used for every request made while it is valid, not fetched again each
// time: the early-renewal margin scales with the token's life.
func TestShortLivedTokensAreReused(t *testing.T) {
	as := oidctest.Start(t)
	o := &credentials.OAuth2{ClientID: "cc-short", ClientSecret: oidctest.Secret, TokenURL: as.Issuer + "/token", Scopes: []string{"read"},
		Resource: as.Origin + "/api/short"}
	l := newLoop(t)
	for i := range 3 {
		if ex := l.send(t.Context(), o, as.Origin+"/api/short"); status(ex) != 200 {
			t.Fatalf("request %d: status %d\n%s", i+1, status(ex), l.rec.bodies())
		}
	}
	if n := count(l.rec.purposes(), "token"); n != 1 {
		t.Fatalf("%d token requests for three requests within a 5-second token's life, want 1: %v", n, l.rec.purposes())
	}
}

// With only the token URL of an issuer that has a path
// (http://127.0.0.1:P/tenant-a), the device endpoint is found in the
// tenant's metadata, not looked for at the host's root alone.
func TestDeviceEndpointFoundUnderTheTenantPath(t *testing.T) {
	as := oidctest.Start(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	o := &credentials.OAuth2{Grant: credentials.GrantDeviceCode, ClientID: "app", TokenURL: as.Issuer + "/token", Scopes: []string{"read"}}
	o.OnDeviceCode = func(code, uri, complete string) {
		go oidctest.Browse(ctx, uri+"?user_code="+code)
	}
	rec := &recorded{}
	if err := o.Prepare(ctx, httpclient.New(httpclient.Options{}).Recorder(rec.add), nil); err != nil {
		t.Fatalf("%v\n%s", err, rec.bodies())
	}
	if o.DeviceURL != as.Issuer+"/device/auth" {
		t.Fatalf("device URL %q", o.DeviceURL)
	}
	if !strings.Contains(rec.bodies(), "device_code") {
		t.Fatalf("no device grant ran:\n%s", rec.bodies())
	}
}
