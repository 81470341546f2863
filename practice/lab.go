package practice

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The admin of the /forbidden lesson: alice authenticates there but lacks the
// role, bob has it.
const (
	Admin         = "bob"
	AdminPassword = "builder"
	AdminRole     = "admin"
)

// SessionCookie is the cookie the /session lesson's login sets.
const SessionCookie = "practice_session"

// DefaultSessionTTL is how long the server remembers a login when
// Options.SessionTTL is zero.
const DefaultSessionTTL = 60 * time.Second

// maxSlow bounds /slow's ?ms= so a typo cannot hold a connection for hours.
const maxSlow = 30 * time.Second

// maxSessions bounds the login table; a flood of logins evicts old entries
// instead of growing memory.
const maxSessions = 10000

// labRoutes registers the failure-mode endpoints.
func (s *Server) labRoutes(mux *http.ServeMux) {
	// /multi's Digest side is the same verifier /digest uses (schemes.go),
	// with one algorithm so the three challenges stay readable.
	m := &multi{digest: newDigestVerifier(s.clock, []string{"SHA-256"}, "auth", false)}
	mux.Handle("/multi", m)
	mux.Handle("/multi/split", m)
	mux.HandleFunc("/redirect", redirect)
	mux.HandleFunc("/redirect/target", basic)
	mux.HandleFunc("/proxy", proxyEndpoint)
	mux.HandleFunc("/forbidden", forbidden)
	mux.HandleFunc("/session", s.session)
	mux.HandleFunc("/login", s.login)
	mux.HandleFunc("/logout", s.logout)
	mux.HandleFunc("/no-challenge", noChallenge)
	mux.HandleFunc("/hostile", hostile)
	mux.HandleFunc("/slow", slow)
}

func (s *Server) labEndpoints() []Endpoint {
	alice := User + " / " + Password
	return []Endpoint{
		{"GET", "/multi", "Newauth, Digest, Basic in one field", alice},
		{"GET", "/multi/split", "the same, one field per challenge", alice},
		{"GET", "/redirect", "Basic, after a redirect to another origin", alice},
		{"GET", "/proxy", "Proxy Basic (407)", alice},
		{"GET", "/forbidden", "Basic, role admin needed (403)", Admin + " / " + AdminPassword},
		{"GET", "/session", "cookie, form login at /login", alice},
		{"GET", "/login", "the login form (POST user, password)", alice},
		{"GET", "/logout", "ends the cookie session", ""},
		{"GET", "/no-challenge", "401 without a challenge", alice},
		{"GET", "/hostile", "Basic, with escape sequences", alice},
		{"GET", "/slow", "Basic, answers after ?ms= (default 5000)", alice},
	}
}

// aliceBasic reports whether r carries Basic credentials for the practice user.
func aliceBasic(r *http.Request) bool {
	u, p, ok := r.BasicAuth()
	return ok && equal(u, User) && equal(p, Password)
}

// welcome is the 200 answer of every practice endpoint: JSON saying who got
// in and how, plus any extra fields.
func welcome(w http.ResponseWriter, user, scheme string, extra map[string]string) {
	v := map[string]any{"ok": true, "scheme": scheme}
	if user != "" {
		v["user"] = user
	}
	for k, x := range extra {
		v[k] = x
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// multi offers three challenges, one unknown to keyhole, either in one
// WWW-Authenticate field (the hard case for parsers that split on commas) or,
// at /multi/split, in one field each. Basic and Digest both get in.
type multi struct{ digest *digestVerifier }

func (m *multi) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if aliceBasic(r) {
		welcome(w, User, "Basic", nil)
		return
	}
	stale, why := false, "three challenges offered; answer Basic or Digest with "+User+" / "+Password+" (Newauth is unknown on purpose)"
	if isDigest(r.Header.Get("Authorization")) {
		var v digestAccepted
		v, stale, why = m.digest.verify(r, nil)
		if why == "" {
			w.Header().Set("Authentication-Info", v.authInfo)
			welcome(w, User, "Digest", map[string]string{"algorithm": v.algorithm, "qop": v.qop})
			return
		}
	}
	challenges := []string{`Newauth realm="apps", type=1, title="Login to \"apps\""`}
	challenges = append(challenges, m.digest.challenges(stale)...)
	challenges = append(challenges, `Basic realm="`+Realm+`", charset="UTF-8"`)
	if r.URL.Path == "/multi/split" || r.URL.Query().Get("split") != "" {
		for _, c := range challenges {
			w.Header().Add("WWW-Authenticate", c)
		}
	} else {
		w.Header().Set("WWW-Authenticate", strings.Join(challenges, ", "))
	}
	http.Error(w, "401 Unauthorized: "+why, http.StatusUnauthorized)
}

func isDigest(authorization string) bool {
	return len(authorization) > len("digest ") && equalFold(authorization[:len("digest ")], "digest ")
}

// redirect sends the client to /redirect/target on the other name of the
// same loopback server: 127.0.0.1 and localhost are different origins, so a
// careful client drops the credentials on the way.
func redirect(w http.ResponseWriter, r *http.Request) {
	host, port, err := net.SplitHostPort(r.Host)
	if err != nil {
		http.Error(w, "400 Bad Request: the Host header has no port", http.StatusBadRequest)
		return
	}
	other := "localhost"
	if strings.EqualFold(host, "localhost") {
		other = "127.0.0.1"
	}
	target := "http://" + net.JoinHostPort(other, port) + "/redirect/target"
	http.Redirect(w, r, target, http.StatusFound)
}

// proxyEndpoint plays a proxy that wants credentials: it answers 407 unless
// the request carries Proxy-Authorization for alice, or came through the
// practice forward proxy, which consumed them.
func proxyEndpoint(w http.ResponseWriter, r *http.Request) {
	if proxyCredentialsOK(r.Header) || equal(r.Header.Get(stampHeader), proxyStamp()) {
		welcome(w, User, "Basic", map[string]string{"via": "proxy"})
		return
	}
	w.Header().Set("Proxy-Authenticate", `Basic realm="`+ProxyRealm+`", charset="UTF-8"`)
	http.Error(w, "407 Proxy Authentication Required: send Proxy-Authorization with Basic "+User+" / "+Password+", or go through the practice proxy (keyhole practice --proxy-addr)", http.StatusProxyAuthRequired)
}

// forbidden separates "who are you" (401) from "you may not" (403): alice's
// password is right but only bob has the admin role.
func forbidden(w http.ResponseWriter, r *http.Request) {
	u, p, ok := r.BasicAuth()
	known := ok && (equal(u, User) && equal(p, Password) || equal(u, Admin) && equal(p, AdminPassword))
	if !known {
		w.Header().Set("WWW-Authenticate", `Basic realm="`+Realm+`", charset="UTF-8"`)
		http.Error(w, "401 Unauthorized: send Basic credentials", http.StatusUnauthorized)
		return
	}
	if u != Admin {
		http.Error(w, fmt.Sprintf("403 Forbidden: %s is authenticated but lacks the role %q; sending the same credentials again will not help, log in as an admin", u, AdminRole), http.StatusForbidden)
		return
	}
	welcome(w, u, "Basic", map[string]string{"role": AdminRole})
}

// cookieSession is one login remembered by the server.
type cookieSession struct {
	user    string
	expires time.Time
}

// session is a page behind a cookie login: no 401 and no challenge, only a
// redirect to a form, the way most web sites authenticate.
func (s *Server) session(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(SessionCookie)
	if err != nil {
		http.Redirect(w, r, "/login?next=%2Fsession", http.StatusFound)
		return
	}
	user, ok := s.lookupSession(c.Value)
	if !ok {
		// The cookie stays: the lesson is that the client must clear it or log in again.
		w.Header().Set("Location", "/login?next=%2Fsession")
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusFound)
		fmt.Fprintln(w, "302 Found: the server no longer knows this "+SessionCookie+" cookie (it expired or you logged out); log in again or clear cookies")
		return
	}
	welcome(w, user, "cookie", nil)
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	next := localPath(r.FormValue("next"))
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		loginForm(w, next, "", http.StatusOK)
	case http.MethodPost:
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		if err := r.ParseForm(); err != nil {
			http.Error(w, "400 Bad Request: send the form as application/x-www-form-urlencoded", http.StatusBadRequest)
			return
		}
		u, p := r.PostForm.Get("user"), r.PostForm.Get("password")
		if !equal(u, User) || !equal(p, Password) {
			loginForm(w, next, "Wrong user name or password.", http.StatusOK)
			return
		}
		http.SetCookie(w, &http.Cookie{
			Name: SessionCookie, Value: s.newSession(u), Path: "/",
			HttpOnly: true, SameSite: http.SameSiteLaxMode,
		})
		http.Redirect(w, r, next, http.StatusFound)
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		http.Error(w, "405 Method Not Allowed: GET the form or POST user and password", http.StatusMethodNotAllowed)
	}
}

// logout forgets the login on the server and, unless ?server-only=1, also
// tells the client to drop its cookie; server-only leaves a stale cookie
// behind on purpose.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(SessionCookie); err == nil {
		s.mu.Lock()
		delete(s.sessions, c.Value)
		s.mu.Unlock()
	}
	if r.URL.Query().Get("server-only") == "" {
		http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true})
	}
	http.Redirect(w, r, "/login?next=%2Fsession", http.StatusFound)
}

func (s *Server) newSession(user string) string {
	b := make([]byte, 24)
	rand.Read(b)
	id := hex.EncodeToString(b)
	ttl := s.sessionTTL
	if ttl <= 0 {
		ttl = DefaultSessionTTL
	}
	now := s.clock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sessions == nil {
		s.sessions = map[string]cookieSession{}
	}
	if len(s.sessions) >= maxSessions {
		for k, v := range s.sessions {
			if !now.Before(v.expires) {
				delete(s.sessions, k)
			}
		}
		for k := range s.sessions { // still full: evict any one
			if len(s.sessions) < maxSessions {
				break
			}
			delete(s.sessions, k)
		}
	}
	s.sessions[id] = cookieSession{user: user, expires: now.Add(ttl)}
	return id
}

func (s *Server) lookupSession(id string) (string, bool) {
	now := s.clock()
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.sessions[id]
	if !ok {
		return "", false
	}
	if !now.Before(v.expires) {
		delete(s.sessions, id)
		return "", false
	}
	return v.user, true
}

// localPath keeps the login's redirect on this server: anything but a plain
// absolute path (which rules out //host and scheme-relative tricks) becomes
// /session.
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.ContainsAny(p, "\\\r\n") {
		return "/session"
	}
	return p
}

func loginForm(w http.ResponseWriter, next, problem string, status int) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	msg := ""
	if problem != "" {
		msg = "<p class=\"error\">" + html.EscapeString(problem) + "</p>\n"
	}
	fmt.Fprintf(w, `<!doctype html>
<html><head><title>Log in - keyhole practice</title></head>
<body>
<h1>Log in</h1>
%s<form method="post" action="/login">
<input type="hidden" name="next" value="%s">
<label>User <input name="user" autocomplete="username"></label>
<label>Password <input name="password" type="password" autocomplete="current-password"></label>
<button type="submit">Log in</button>
</form>
<p>Practice credentials: %s / %s. The server remembers a login for a minute.</p>
</body></html>
`, msg, html.EscapeString(next), User, Password)
}

// noChallenge breaks RFC 9110 §11.6.1 on purpose: a 401 that does not say
// which scheme it wants. Basic still works, for whoever guesses it.
func noChallenge(w http.ResponseWriter, r *http.Request) {
	if aliceBasic(r) {
		welcome(w, User, "Basic", nil)
		return
	}
	http.Error(w, "401 Unauthorized", http.StatusUnauthorized)
}

// Hostile text the /hostile endpoint sends: each would do something to a
// terminal that printed it raw. They are harmless once escaped, which is the
// lesson; the clipboard payload only says where it came from.
//
// Header values carry the C1 (8-bit) forms only: Go's HTTP client, keyhole's
// own, rejects a response whose header lines hold C0 controls or DEL
// ("malformed MIME header line"), and the lesson needs the response read.
// ?headers=7bit sends the 7-bit forms in headers too, to see that refusal.
var (
	hostileClear     = "\x1b[2J\x1b[H"                                                                  // erase the screen, cursor home
	hostileClipboard = "\x1b]52;c;" + base64.StdEncoding.EncodeToString([]byte(clipboardText)) + "\x07" // OSC 52: write the clipboard
	hostileTitle     = "\x1b]0;keyhole practice: window title set by the server\x07"                    // OSC 0: window title
	hostileCSI8      = "\x9b31m"                                                                        // a raw 8-bit CSI byte: red text on terminals that honour C1

	// The same as UTF-8 C1 runes, which terminals in UTF-8 mode may honour.
	hostileClearC1     = "\u009b2J\u009bH"
	hostileClipboardC1 = "\u009d52;c;" + base64.StdEncoding.EncodeToString([]byte(clipboardText)) + "\u009c"
)

const clipboardText = "set by the keyhole practice server"

// hostile puts terminal escape sequences and control characters into the
// realm, other headers and the body, to show why keyhole prints them escaped.
func hostile(w http.ResponseWriter, r *http.Request) {
	clear, clipboard := hostileClearC1, hostileClipboardC1
	if r.URL.Query().Get("headers") == "7bit" {
		clear, clipboard = hostileClear, hostileClipboard
	}
	if aliceBasic(r) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("X-Note", "ok"+clear)
		fmt.Fprintln(w, "200 OK, and still hostile:"+hostileClear+"\x1b[1;31mBOO\x1b[0m\x07")
		return
	}
	w.Header().Set("WWW-Authenticate", `Basic realm="practice`+clear+`", charset="UTF-8"`)
	w.Header().Set("X-Note", "clipboard"+clipboard)
	w.Header().Set("X-C1", hostileCSI8+"red")
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusUnauthorized)
	fmt.Fprint(w, "401 Unauthorized: Basic "+User+" / "+Password+hostileClear+"\n"+
		"bell\x07 delete\x7f 8-bit CSI "+hostileCSI8+"red\x1b[0m"+hostileClipboard+hostileTitle+"\n"+
		"401 Unauthorized: access denied\r200 OK: access granted        \n")
}

// slow answers after ?ms= milliseconds (default 5000, at most 30000), then
// like /basic; it stops at once when the client gives up.
func slow(w http.ResponseWriter, r *http.Request) {
	d := 5 * time.Second
	if v := r.URL.Query().Get("ms"); v != "" {
		ms, err := strconv.Atoi(v)
		if err != nil || ms < 0 {
			http.Error(w, "400 Bad Request: ms must be a number of milliseconds, e.g. /slow?ms=2000", http.StatusBadRequest)
			return
		}
		d = min(time.Duration(ms)*time.Millisecond, maxSlow)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-r.Context().Done():
		return
	case <-t.C:
	}
	basic(w, r)
}
