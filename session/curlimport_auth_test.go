package session

import "testing"

// A pasted Authorization header becomes masked credentials, not a header
// shown in plain text; schemes keyhole does not build stay headers.
func TestParseCurlLiftsAuthorizationHeader(t *testing.T) {
	im, err := ParseCurl(`curl -H 'Authorization: Bearer tok-123' http://127.0.0.1:1/x`)
	if err != nil {
		t.Fatal(err)
	}
	if im.Auth != "bearer" || im.Token != "tok-123" || im.Request.Header.Get("Authorization") != "" {
		t.Errorf("bearer: auth %q token %q header %q", im.Auth, im.Token, im.Request.Header.Get("Authorization"))
	}
	im, err = ParseCurl(`curl -H 'authorization: basic YWxpY2U6d29uZGVybGFuZA==' http://127.0.0.1:1/x`)
	if err != nil {
		t.Fatal(err)
	}
	if im.Auth != "basic" || im.User != "alice" || im.Password != "wonderland" || im.Request.Header.Get("Authorization") != "" {
		t.Errorf("basic: %+v", im)
	}
	for _, cmd := range []string{
		`curl -H 'Authorization: Digest username="a"' http://127.0.0.1:1/x`,
		`curl -u bob:pw -H 'Authorization: Bearer other' http://127.0.0.1:1/x`,
		`curl -H 'Authorization: Basic !!notbase64' http://127.0.0.1:1/x`,
	} {
		im, err := ParseCurl(cmd)
		if err != nil {
			t.Fatal(err)
		}
		if im.Request.Header.Get("Authorization") == "" {
			t.Errorf("%s: the header was taken although it is not a plain Basic or Bearer to lift", cmd)
		}
	}
}
