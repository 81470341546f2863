package credentials_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"keyhole/credentials"
	"keyhole/httpclient"
	"keyhole/internal/peers"
)

// origin is the server behind Squid: it says who reached it.
func origin(t *testing.T) *httptest.Server {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("reached the origin\n"))
	}))
	t.Cleanup(s.Close)
	return s
}

// legs sends r answering each challenge with auth until the answer is
// not a 401/407 or the authorizer stops, as the session does.
func legs(t *testing.T, c *httpclient.Client, r *httpclient.Request, auth *credentials.NTLM, first *httpclient.Challenge) []*httpclient.Exchange {
	t.Helper()
	var out []*httpclient.Exchange
	ch := first
	for i := 0; i < 3; i++ {
		req := r.Clone()
		if err := auth.Apply(req, ch); err != nil {
			t.Fatalf("leg %d: %v", i+1, err)
		}
		ex := c.Do(context.Background(), req)
		if ex.Err != nil {
			t.Fatalf("leg %d: %v", i+1, ex.Err)
		}
		out = append(out, ex)
		if len(ex.Challenges) == 0 {
			return out
		}
		ch = &ex.Challenges[0]
		if !auth.Continues(ch) {
			return out
		}
	}
	return out
}

func TestNTLMAtSquidAccelerator(t *testing.T) {
	o := origin(t)
	sq := peers.StartSquid(t, peers.SquidOptions{Scheme: "ntlm", Accel: o.URL})
	c := httpclient.New(httpclient.Options{})
	r := &httpclient.Request{Method: "GET", URL: sq.URL + "/", Header: http.Header{}}
	first := c.Do(context.Background(), r)
	if first.Response == nil || first.Response.Status != 401 || len(first.Challenges) != 1 || !first.Challenges[0].Is("NTLM") {
		t.Fatalf("Squid's first answer: %+v %v", first.Response, first.Challenges)
	}
	auth := &credentials.NTLM{User: `KEYHOLE\alice`, Password: "any"}
	exs := legs(t, c, r, auth, &first.Challenges[0])
	if len(exs) != 2 {
		t.Fatalf("%d legs, want 2 (type 1, type 3)", len(exs))
	}
	if st := exs[1].Response.Status; st != 200 || !strings.Contains(string(exs[1].Response.Body), "reached the origin") {
		t.Fatalf("type 3 answered %d %q\n%s", st, exs[1].Response.Body, sq.Log())
	}
	for i, ex := range exs {
		if ex.Conn == nil || ex.Conn.N != 1 || ex.Response.Proto != "HTTP/1.1" {
			t.Errorf("leg %d went over %v, %s; want connection #1, HTTP/1.1", i+1, ex.Conn, ex.Response.Proto)
		}
	}
	m, err := credentials.DecodeNTLMToken(exs[1].Request.Header.Get("Authorization"))
	if err != nil || m.Type != 3 || !m.NTLMv2() || m.User != "alice" || m.Domain != "KEYHOLE" {
		t.Fatalf("type 3 sent: %+v, %v", m, err)
	}
}

func TestNTLMAtSquidProxy(t *testing.T) {
	o := origin(t)
	sq := peers.StartSquid(t, peers.SquidOptions{Scheme: "ntlm"})
	pu, _ := url.Parse(sq.URL)
	c := httpclient.New(httpclient.Options{Proxy: http.ProxyURL(pu)})
	r := &httpclient.Request{Method: "GET", URL: o.URL + "/through", Header: http.Header{}}
	first := c.Do(context.Background(), r)
	if first.Response == nil || first.Response.Status != 407 {
		t.Fatalf("Squid's first answer: %+v", first.Response)
	}
	auth := &credentials.NTLM{User: "alice@keyhole.test", Password: "any"}
	exs := legs(t, c, r, auth, &first.Challenges[0])
	last := exs[len(exs)-1]
	if len(exs) != 2 || last.Response.Status != 200 {
		t.Fatalf("%d legs, last %d\n%s", len(exs), last.Response.Status, sq.Log())
	}
	if exs[0].Request.Header.Get("Proxy-Authorization") == "" || exs[0].Request.Header.Get("Authorization") != "" {
		t.Fatalf("type 1 went in the wrong header: %v", exs[0].Request.Header)
	}
	if exs[1].Conn.N != 1 || exs[1].Conn.Opened {
		t.Fatalf("type 3 went over %v", exs[1].Conn)
	}
}

func TestNTLMOnConnectThroughSquid(t *testing.T) {
	o := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Proxy-Authorization") != "" {
			t.Errorf("the origin got the proxy's credentials: %q", r.Header.Get("Proxy-Authorization"))
		}
		w.Write([]byte("reached the origin over TLS\n"))
	}))
	t.Cleanup(o.Close)
	sq := peers.StartSquid(t, peers.SquidOptions{Scheme: "ntlm"})
	pu, _ := url.Parse(sq.URL)
	tlsConf := o.Client().Transport.(*http.Transport).TLSClientConfig
	c := httpclient.New(httpclient.Options{Proxy: http.ProxyURL(pu), TLS: tlsConf})
	r := &httpclient.Request{Method: "GET", URL: o.URL + "/tunnel", Header: http.Header{}}
	first := c.Do(context.Background(), r)
	if first.Response == nil || first.Response.Status != 407 || !first.Response.FromProxy {
		t.Fatalf("Squid's answer to CONNECT: %+v %v", first.Response, first.Err)
	}
	auth := &credentials.NTLM{User: "alice", Password: "any"}
	exs := legs(t, c, r, auth, &first.Challenges[0])
	last := exs[len(exs)-1]
	if len(exs) != 2 || last.Response.Status != 200 || !strings.Contains(string(last.Response.Body), "over TLS") {
		t.Fatalf("%d legs, last %+v\n%s", len(exs), last.Response, sq.Log())
	}
	if !exs[0].Response.FromProxy || exs[1].Conn.N != 1 {
		t.Fatalf("type 1 answered by %v; type 3 over %v", exs[0].Response.FromProxy, exs[1].Conn)
	}
}
