// Package practice is keyhole's built-in practice server: loopback endpoints,
// one per scheme and per failure, each the subject of a lesson.
package practice

import (
	"crypto/subtle"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"sync"
	"time"
)

// Practice credentials. They are public: the server only listens on loopback.
const (
	User     = "alice"
	Password = "wonderland"
	Token    = "practice-token"
	Realm    = "practice"
)

// Server is a running practice server.
type Server struct {
	URL   string // base URL, e.g. http://127.0.0.1:8401
	Proxy *Proxy // the forward proxy, when Options.ProxyAddr asked for one
	// TLSDir holds ca.pem, client.pem and client-key.pem when Options.TLS is set.
	TLSDir string
	srv    *http.Server
	ln     net.Listener

	now        func() time.Time
	sessionTTL time.Duration

	mu       sync.Mutex
	sessions map[string]cookieSession // the /session lesson's logins, by cookie value
}

// Options configure Start.
type Options struct {
	Addr   string // host:port; "" means 127.0.0.1:0
	Public bool   // allow a non-loopback address
	// ProxyAddr, when set, also starts the forward proxy (see StartProxy) on
	// that address; Close stops it with the server.
	ProxyAddr string
	// SessionTTL is how long the server remembers a /session login; 0 means 60 s.
	SessionTTL time.Duration
	// Now is the server's clock; nil means time.Now. Tests move it to expire sessions.
	Now func() time.Time
	// TLS serves https with a fresh in-memory CA (see MTLSMaterial), so /mtls
	// can ask for a client certificate. The CA and the client's certificate and
	// key are written to a new temporary folder, Server.TLSDir.
	TLS bool
}

// Start listens on o.Addr and serves in the background.
func Start(o Options) (*Server, error) {
	addr := o.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	if !o.Public {
		if err := checkLoopback(addr); err != nil {
			return nil, err
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("practice: cannot listen on %s: %w; choose another address (port 0 picks a free one)", addr, err)
	}
	s := &Server{URL: "http://" + dialable(ln.Addr().(*net.TCPAddr)), ln: ln, now: o.Now, sessionTTL: o.SessionTTL}
	if o.TLS {
		dir, err := os.MkdirTemp("", "keyhole-practice-tls-")
		if err != nil {
			ln.Close()
			return nil, fmt.Errorf("practice: cannot make a folder for the TLS certificates: %w", err)
		}
		_, _, _, serverTLS, err := MTLSMaterial(dir)
		if err != nil {
			ln.Close()
			os.RemoveAll(dir)
			return nil, err
		}
		s.ln = tls.NewListener(ln, serverTLS)
		s.URL = "https://" + dialable(ln.Addr().(*net.TCPAddr))
		s.TLSDir = dir
	}
	if o.ProxyAddr != "" {
		p, err := startProxy(o.ProxyAddr, o.Public)
		if err != nil {
			ln.Close()
			return nil, err
		}
		s.Proxy = p
	}
	s.srv = &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go s.srv.Serve(s.ln)
	return s, nil
}

// Close stops the server and its forward proxy, if one was started.
func (s *Server) Close() error {
	err := s.srv.Close()
	if s.Proxy != nil {
		err = errors.Join(err, s.Proxy.Close())
	}
	if s.TLSDir != "" {
		err = errors.Join(err, os.RemoveAll(s.TLSDir))
	}
	return err
}

// clock returns the server's current time; a Server built without Start
// (for example to mount Handler in an httptest server) uses the real clock.
func (s *Server) clock() time.Time {
	if s.now != nil {
		return s.now()
	}
	return time.Now()
}

// dialable is a host:port a local client can connect to: a wildcard address
// (0.0.0.0, [::]) is listened on but not a place to send requests, so the
// URL names the loopback address instead.
func dialable(a *net.TCPAddr) string {
	if a.IP.IsUnspecified() {
		return net.JoinHostPort("127.0.0.1", fmt.Sprint(a.Port))
	}
	return a.String()
}

func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("practice: %q is not host:port", addr)
	}
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return errors.New("practice: refusing to listen on " + addr + ": the practice credentials are public; use a loopback address or --public")
	}
	return nil
}

// Handler returns the practice endpoints.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/basic", basic)
	mux.HandleFunc("/bearer", bearer)
	s.schemeRoutes(mux) // schemes.go: Digest, API keys, registry tokens, mTLS
	s.oauthRoutes(mux)  // oauth.go: the authorization server and token endpoints
	s.labRoutes(mux)    // lab.go: the failure modes
	s.ntlmRoutes(mux)   // ntlm.go: NTLM and the proxy's Digest
	s.addedRoutes(mux)  // register.go: the lessons schemes add from their own files
	return mux
}

// Endpoint is one practice endpoint as listed by keyhole practice.
type Endpoint struct {
	Method      string
	Path        string
	Scheme      string // what it demands, e.g. "Basic"
	Credentials string // the practice credentials, e.g. "alice / wonderland"
}

// Endpoints lists every endpoint, for keyhole practice and the lessons.
func (s *Server) Endpoints() []Endpoint {
	out := []Endpoint{
		{"GET", "/basic", "Basic", User + " / " + Password},
		{"GET", "/bearer", "Bearer", Token},
	}
	out = append(out, s.schemeEndpoints()...)
	out = append(out, s.oauthEndpoints()...)
	out = append(out, s.labEndpoints()...)
	out = append(out, s.ntlmEndpoints()...)
	return append(out, s.addedEndpoints()...)
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

func basic(w http.ResponseWriter, r *http.Request) {
	if !aliceBasic(r) {
		w.Header().Set("WWW-Authenticate", `Basic realm="`+Realm+`", charset="UTF-8"`)
		http.Error(w, "401 Unauthorized: send Basic credentials alice / wonderland", http.StatusUnauthorized)
		return
	}
	welcome(w, User, "Basic", nil)
}

func bearer(w http.ResponseWriter, r *http.Request) {
	const prefix = "bearer "
	h := r.Header.Get("Authorization")
	if len(h) < len(prefix) || !equalFold(h[:len(prefix)], prefix) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="`+Realm+`"`)
		http.Error(w, "401 Unauthorized: send a Bearer token", http.StatusUnauthorized)
		return
	}
	if !equal(h[len(prefix):], Token) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="`+Realm+`", error="invalid_token", error_description="the token is not valid"`)
		http.Error(w, "401 Unauthorized: invalid token", http.StatusUnauthorized)
		return
	}
	welcome(w, "", "Bearer", nil)
}

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i]|0x20, b[i]|0x20
		if x != y {
			return false
		}
	}
	return true
}
