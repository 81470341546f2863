package credentials_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"keyhole/credentials"
	"keyhole/httpclient"
	"keyhole/internal/peers"
)

// kerberosSite is a realm with a KDC and Apache protecting /private/ with
// Negotiate for HTTP/localhost.
func kerberosSite(t *testing.T) (*peers.Realm, string) {
	r := peers.StartKerberos(t)
	return r, peers.StartApacheGSSAPI(t, r) + "/private/hello.txt"
}

func TestNegotiateKerberosAtApache(t *testing.T) {
	realm, url := kerberosSite(t)
	c := httpclient.New(httpclient.Options{})
	req := &httpclient.Request{Method: "GET", URL: url, Header: http.Header{}}
	first := c.Do(context.Background(), req)
	if first.Response == nil || first.Response.Status != 401 || len(first.Challenges) == 0 || !first.Challenges[0].Is("Negotiate") {
		t.Fatalf("Apache's first answer: %+v %v", first.Response, first.Err)
	}

	n := &credentials.Negotiate{Config: realm.Config, CCache: realm.CCache}
	err := n.Apply(req.Clone(), &first.Challenges[0])
	var nt *credentials.NoTicketError
	if !errors.As(err, &nt) || !strings.Contains(err.Error(), "kinit user@KEYHOLE.TEST") {
		t.Fatalf("before kinit: %v", err)
	}

	realm.Kinit(t)
	peers.CurlEnv(t, realm.CCacheEnv(), 200, "--negotiate", "-u", ":", url)
	r := req.Clone()
	if err := n.Apply(r, &first.Challenges[0]); err != nil {
		t.Fatal(err)
	}
	tok, err := credentials.DecodeNegotiateToken(r.Header.Get("Authorization"))
	if err != nil || tok.Kind != "NegTokenInit" || !strings.Contains(strings.Join(tok.Describe(time.Now()), "\n"), "HTTP/localhost in realm KEYHOLE.TEST") {
		t.Fatalf("sent %+v %v", tok, err)
	}
	ex := c.Do(context.Background(), r)
	if ex.Response == nil || ex.Response.Status != 200 || !strings.Contains(string(ex.Response.Body), "hello from Apache") {
		t.Fatalf("with the ticket: %+v %v", ex.Response, ex.Err)
	}
	if verified, why := n.Answered(ex.Response); !verified || why != "" {
		t.Fatalf("mutual authentication: verified %v, %q", verified, why)
	}
	if s := n.Sent(); !strings.Contains(s, "alice@KEYHOLE.TEST for HTTP/localhost") {
		t.Errorf("Sent() = %q", s)
	}
}

// Kerberos failures are errors in plain words: a host name the KDC has no
// SPN for, and a KDC that does not answer.
func TestNegotiateKerberosErrors(t *testing.T) {
	realm, url := kerberosSite(t)
	realm.Kinit(t)
	n := &credentials.Negotiate{Config: realm.Config, CCache: realm.CCache}
	byIP := strings.Replace(url, "localhost", "127.0.0.1", 1)
	err := n.Apply(&httpclient.Request{Method: "GET", URL: byIP, Header: http.Header{}}, nil)
	if err == nil || !strings.Contains(err.Error(), "HTTP/127.0.0.1") || !strings.Contains(err.Error(), "knows no such service principal") {
		t.Fatalf("unknown SPN: %v", err)
	}
	realm.StopKDC()
	err = n.Apply(&httpclient.Request{Method: "GET", URL: url, Header: http.Header{}}, nil)
	if err == nil || !strings.Contains(err.Error(), "no KDC answered") {
		t.Fatalf("KDC down: %v", err)
	}
	// With NTLM to fall back on, the type 1 goes inside Negotiate instead.
	n.NTLM = &credentials.NTLM{User: "alice", Password: "pw"}
	r := &httpclient.Request{Method: "GET", URL: url, Header: http.Header{}}
	if err := n.Apply(r, nil); err != nil {
		t.Fatal(err)
	}
	tok, err := credentials.DecodeNegotiateToken(r.Header.Get("Authorization"))
	if err != nil || tok.NTLM == nil || tok.NTLM.Type != 1 || !strings.Contains(n.Sent(), "no KDC answered") {
		t.Fatalf("fallback sent %+v %v; %q", tok, err, n.Sent())
	}
}

// Without a ticket, -u user@REALM logs in with the password to a realm
// krb5.conf lists; a user without a realm does not (NoTicketError).
func TestNegotiatePasswordLogin(t *testing.T) {
	realm, url := kerberosSite(t)
	c := httpclient.New(httpclient.Options{})
	for _, tc := range []struct {
		user string
		want int
	}{{"alice@KEYHOLE.TEST", 200}, {"alice", 0}} {
		n := &credentials.Negotiate{Config: realm.Config, CCache: realm.CCache, User: tc.user, Password: peers.AlicePassword}
		r := &httpclient.Request{Method: "GET", URL: url, Header: http.Header{}}
		err := n.Apply(r, nil)
		if tc.want == 0 {
			var nt *credentials.NoTicketError
			if !errors.As(err, &nt) {
				t.Errorf("%s: %v, want no ticket", tc.user, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tc.user, err)
		}
		if ex := c.Do(context.Background(), r); ex.Response == nil || ex.Response.Status != tc.want {
			t.Fatalf("%s: %+v %v", tc.user, ex.Response, ex.Err)
		}
	}
}
