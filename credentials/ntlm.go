package credentials

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	ntlmssp "github.com/Azure/go-ntlmssp"

	"keyhole/httpclient"
)

// NTLM answers an NTLM challenge ([MS-NLMP]) with NTLMv2, in three legs on
// one connection: the first request carries a type 1 (NEGOTIATE), the server
// answers 401 (or a proxy 407) with a type 2 (CHALLENGE), and the retry
// carries the type 3 (AUTHENTICATE) computed from it and the password. The
// password never goes on the wire. The messages are built by
// github.com/Azure/go-ntlmssp; keyhole takes them apart itself
// (ParseNTLM) to show them and to check the server's type 2 first.
//
// NTLM authenticates the connection, so every leg goes through one
// httpclient.Conn (HTTP/1.1, kept alive); the attempts say which connection
// each leg used.
type NTLM struct {
	// User is "user", "DOMAIN\user" or "user@domain" (a UPN, sent with an
	// empty domain as Windows does).
	User     string
	Password string

	mu       sync.Mutex
	conn     *httpclient.Conn
	leg      int    // the NTLM message last sent: 0, 1 or 3
	answered string // the type 2 the type 3 answered
}

func (*NTLM) Scheme() string { return "NTLM" }

// Validate checks the user before anything is sent.
func (n *NTLM) Validate() error {
	if n.User == "" {
		return errors.New(`ntlm: no user; give the user name (User: user, DOMAIN\user or user@domain) and the password`)
	}
	return checkUserPassword("ntlm", n.User, n.Password)
}

// Apply sends the type 1 when ch carries no type 2 (the server's first
// "NTLM" challenge, or none yet), and the type 3 answering ch's type 2
// otherwise. Either way the request goes on the exchange's connection.
func (n *NTLM) Apply(r *httpclient.Request, ch *httpclient.Challenge) error {
	if err := n.Validate(); err != nil {
		return err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	tok := ""
	if ch != nil {
		tok = ch.Token68
	}
	if tok == "" || n.conn == nil {
		if n.conn != nil {
			n.conn.Close()
		}
		n.conn = httpclient.NewConn()
		msg, err := ntlmssp.NewNegotiateMessage("", "")
		if err != nil {
			return fmt.Errorf("ntlm: building the type 1 message: %w", err)
		}
		r.Header.Set(HeaderFor(ch), "NTLM "+base64.StdEncoding.EncodeToString(msg))
		r.Conn, n.leg = n.conn, 1
		return nil
	}
	if n.leg == 3 && tok == n.answered {
		// The type 2 was answered and the connection authenticated: later
		// requests (the origin's own challenge behind an NTLM proxy) go on
		// it without credentials, as Windows clients send them.
		r.Conn = n.conn
		return nil
	}
	msg, err := NTLMAuthenticate(tok, n.User, n.Password)
	if err != nil {
		return err
	}
	r.Header.Set(HeaderFor(ch), "NTLM "+base64.StdEncoding.EncodeToString(msg))
	r.Conn, n.leg, n.answered = n.conn, 3, tok
	return nil
}

// NTLMAuthenticate builds the type 3 answering the base64 type 2 tok for
// user (user, DOMAIN\user or user@domain) and password, after checking the
// type 2 itself, so that a malformed one is reported in words.
func NTLMAuthenticate(tok, user, password string) ([]byte, error) {
	raw, err := ntlmBytes(tok)
	if err != nil {
		return nil, fmt.Errorf("the server's NTLM challenge is malformed: %v", err)
	}
	m, err := ParseNTLM(raw)
	if err != nil {
		return nil, fmt.Errorf("the server's NTLM challenge is malformed: %v", err)
	}
	if m.Type != 2 {
		return nil, fmt.Errorf("the server's NTLM token is a type %d message where a type 2 (challenge) belongs", m.Type)
	}
	if m.Flags&ntlmUnicode == 0 {
		return nil, errors.New("ntlm: the server chose OEM strings (no NTLMSSP_NEGOTIATE_UNICODE) although keyhole offered Unicode; keyhole's NTLM library speaks only Unicode")
	}
	if m.Flags&ntlmKeyExch != 0 {
		return nil, errors.New("ntlm: the server asks for key exchange (NTLMSSP_NEGOTIATE_KEY_EXCH), which keyhole's NTLM library does not do; curl does not either")
	}
	if m.Flags&ntlmLMKey != 0 {
		return nil, errors.New("ntlm: the server asks for the LM session key, which only NTLMv1 has; keyhole sends only NTLMv2 (NTLMv1 is crackable)")
	}
	_, domain, _ := ntlmssp.GetDomain(user)
	msg, err := ntlmssp.ProcessChallenge(usableChallenge(raw, m), user, password, domain != "")
	if err != nil {
		return nil, fmt.Errorf("ntlm: cannot answer the server's challenge: %v", err)
	}
	return msg, nil
}

// Continues reports whether ch carries the server's type 2, the challenge
// the type 3 answers: the handshake goes on rather than being refused.
func (n *NTLM) Continues(ch *httpclient.Challenge) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.leg == 1 && ch != nil && ch.Token68 != ""
}

// ConnectionBound is true: the server authenticates the connection. The
// legs go over the NTLM's own httpclient.Conn, which Apply sets on each
// request.
func (*NTLM) ConnectionBound() bool { return true }

// ntlmDetail tells NTLM headers apart: "type 1", or the user and domain
// of a type 3.
func ntlmDetail(value string) string {
	m, err := DecodeNTLMToken(value)
	if err != nil {
		return ""
	}
	if m.Type != 3 {
		return fmt.Sprintf("type %d", m.Type)
	}
	if m.Domain != "" {
		return httpclient.SafeLine(m.Domain + `\` + m.User)
	}
	return httpclient.SafeLine(m.User)
}

// Conn returns the connection the exchange runs on, nil before the first
// leg. Once the server accepted the type 3, later requests sent on it need
// no credentials: the connection is authenticated.
func (n *NTLM) Conn() *httpclient.Conn {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.conn
}

// Forget closes the connection: the next request starts a new exchange.
func (n *NTLM) Forget() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.conn != nil {
		n.conn.Close()
	}
	n.conn, n.leg = nil, 0
}

func init() {
	Register(Description{
		// NTLM proves the password without sending it, but its answer can
		// be relayed or cracked offline, so it ranks below Digest.
		Mode: "ntlm", Order: 70, Title: "NTLM", Wire: "NTLM", Rank: 27, Proxy: true,
		Fields: []Field{
			{Key: "user", Label: "User", Flag: "-u", Hint: `DOMAIN\user or user@domain`},
			{Key: "password", Label: "Password", Flag: "-u", Secret: true, Optional: true},
		},
		Headers: []string{"Authorization"}, Curl: "--ntlm",
		Explain: ntlmWords, Token: ntlmToken, About: aboutNTLM,
		Build: func(v map[string]string) (Authorizer, error) {
			n := &NTLM{User: v["user"], Password: v["password"]}
			return n, n.Validate()
		},
		Detail: ntlmDetail, CurlArgs: ntlmCurl,
	})
}

// ntlmWords says what an NTLM challenge's token is: none (the server's first
// answer, asking for a type 1), or the type 2 taken apart.
func ntlmWords(c httpclient.Challenge) string {
	if c.Token68 == "" {
		return "wants NTLM: a three-leg exchange on one connection, starting with a type 1 message"
	}
	m, err := DecodeNTLMToken(c.Token68)
	if err != nil {
		return "a malformed NTLM token: " + httpclient.SafeLine(err.Error())
	}
	if m.Type != 2 {
		return fmt.Sprintf("an NTLM type %d message (a client's, not a challenge)", m.Type)
	}
	s := fmt.Sprintf("type 2 challenge %x", m.ServerChallenge)
	if m.TargetName != "" {
		s += ", target " + httpclient.SafeLine(fmt.Sprintf("%q", m.TargetName))
	}
	return s
}

func ntlmToken(c httpclient.Challenge, now time.Time) []string {
	if c.Token68 == "" {
		return nil
	}
	m, err := DecodeNTLMToken(c.Token68)
	if err != nil {
		return []string{httpclient.SafeLine(err.Error())}
	}
	return m.Describe(now)
}

var aboutNTLM = []string{
	"NTLM is Windows' challenge-response login (IIS, SharePoint, Exchange, corporate proxies): a type 1 message, the server's type 2 challenge, and a type 3 that proves the password with NTLMv2 without sending it.",
	"It authenticates the TCP connection: all three messages must travel on one kept-alive HTTP/1.1 connection.",
	`Answer it with keyhole send -u 'DOMAIN\user:password' URL (or user@domain:password); curl --ntlm -u does the same.`,
}

// ntlmCurl: curl --ntlm -u 'DOMAIN\user':$KEYHOLE_PASSWORD (--proxy-ntlm -U
// for a proxy): NTLM sends a handshake, not the password, so curl runs its
// own; the user is the type 3 message's, else $KEYHOLE_USER.
func ntlmCurl(value string, _ http.Header, proxy bool) []CurlOption {
	m, _ := DecodeNTLMToken(value)
	return curlLogin("--ntlm", proxy, ntlmCurlUser(m), CurlPiece{Unsent: true})
}

// ntlmCurlUser is curl's -u user for an NTLM message: a type 3's
// DOMAIN\user, or $KEYHOLE_USER.
func ntlmCurlUser(m *NTLMMessage) CurlPiece {
	if m == nil || m.Type != 3 || m.User == "" {
		return CurlPiece{Var: "KEYHOLE_USER", Unsent: true}
	}
	if m.Domain != "" {
		return CurlPiece{Text: m.Domain + `\` + m.User}
	}
	return CurlPiece{Text: m.User}
}
