package credentials

import (
	"net/url"
	"testing"

	"golang.org/x/oauth2"
)

// RFC 7636 Appendix B.
func TestPKCEAppendixB(t *testing.T) {
	p := PKCEFromVerifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
	if want := "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"; p.Challenge != want {
		t.Fatalf("challenge = %q, want %q", p.Challenge, want)
	}
	if p.Method != "S256" {
		t.Fatalf("method = %q", p.Method)
	}
}

func TestNewPKCEIsFreshAndInTheURL(t *testing.T) {
	a, b := NewPKCE(), NewPKCE()
	if a.Verifier == b.Verifier {
		t.Fatal("two verifiers are equal")
	}
	if len(a.Verifier) < 43 || len(a.Verifier) > 128 {
		t.Fatalf("verifier length %d outside RFC 7636 §4.1's 43..128", len(a.Verifier))
	}
	c := oauth2.Config{ClientID: "c", Endpoint: oauth2.Endpoint{AuthURL: "http://127.0.0.1/authorize"}}
	u, err := url.Parse(c.AuthCodeURL("s", a.AuthOption()))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if q.Get("code_challenge") != a.Challenge || q.Get("code_challenge_method") != "S256" {
		t.Fatalf("authorization URL lacks the challenge: %s", u)
	}
	if q.Has("code_verifier") {
		t.Fatal("the verifier leaked into the authorization URL")
	}
}
