package practice

import (
	"bytes"
	"crypto/hmac"
	"crypto/md5"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf16"

	"golang.org/x/crypto/md4"

	"keyhole/credentials"
)

// NTLM practice names: the domain the practice account lives in and the
// server's computer name, as the type 2's target info announces them.
const (
	NTLMDomain    = "PRACTICE"
	NTLMDNSDomain = "practice.test"
	ntlmComputer  = "KEYHOLE"
	// ntlmSkew is how far the client's NTLMv2 timestamp may be from the
	// server's clock (Windows allows 36 hours by default; the lesson is
	// about the exchange, not the clock).
	ntlmSkew = 36 * time.Hour
)

// ntlmServer verifies NTLMv2 the way a Windows server does ([MS-NLMP]
// §3.2.5.1.2, §3.3.2), for alice / wonderland in domain PRACTICE: it
// answers a type 1 with a type 2 carrying a fresh server challenge, and a
// type 3 by recomputing the NTProofStr from the password. The challenge
// belongs to the TCP connection it was sent on (NTLM authenticates the
// connection), so a type 3 on another connection is refused, and once
// authenticated the connection needs no more credentials.
type ntlmServer struct {
	now func() time.Time
	// negotiate also offers Negotiate, as IIS does, taking NTLM inside it:
	// there is no KDC here to check a Kerberos ticket.
	negotiate bool

	mu    sync.Mutex
	conns map[string]*ntlmConn // by the client's address, one per TCP connection
}

type ntlmConn struct {
	challenge []byte // the last type 2's server challenge
	issued    time.Time
	user      string // set once a type 3 was accepted
}

// ntlmConnsMax bounds the connections remembered; the oldest go first.
const ntlmConnsMax = 4096

func newNTLMServer(now func() time.Time) *ntlmServer {
	return &ntlmServer{now: now, conns: map[string]*ntlmConn{}}
}

func (n *ntlmServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := r.Header.Get("Authorization")
	if h == "" {
		if user := n.authenticated(r.RemoteAddr); user != "" {
			welcome(w, user, "NTLM", map[string]string{"connection": "already authenticated by an earlier type 3"})
			return
		}
		why := "send an NTLM type 1 (NEGOTIATE) message to start; the practice account is " + NTLMDomain + `\` + User + " / " + Password
		if n.negotiate {
			why = "send a Kerberos ticket (this practice server has no KDC, so none will do) or NTLM, alone or inside Negotiate, as " + NTLMDomain + `\` + User + " / " + Password
		}
		n.refuse(w, "", "", why)
		return
	}
	scheme, tok, _ := strings.Cut(h, " ")
	var m *credentials.NTLMMessage
	var err error
	switch {
	case strings.EqualFold(scheme, "NTLM"):
		scheme = "NTLM"
		m, err = credentials.DecodeNTLMToken(tok)
	case strings.EqualFold(scheme, "Negotiate") && n.negotiate:
		scheme = "Negotiate"
		var t *credentials.NegotiateToken
		if t, err = credentials.DecodeNegotiateToken(tok); err == nil && t.NTLM == nil {
			n.refuse(w, "", "", "this practice server has no KDC, so it cannot check a Kerberos ticket ("+t.Describe(n.now())[0]+"); it takes NTLM inside Negotiate")
			return
		}
		if err == nil {
			m = t.NTLM
		}
	default:
		n.refuse(w, "", "", "this endpoint wants NTLM, not "+firstWord(h))
		return
	}
	if err != nil {
		n.refuse(w, "", "", "the "+scheme+" token does not decode: "+err.Error())
		return
	}
	switch m.Type {
	case 1:
		t2 := n.challenge(r.RemoteAddr, m.Flags)
		n.refuse(w, scheme, base64.StdEncoding.EncodeToString(t2), "type 2 (CHALLENGE): answer it with a type 3 on this same connection")
	case 3:
		user, why := n.verify(r.RemoteAddr, m)
		if why != "" {
			n.refuse(w, "", "", why)
			return
		}
		welcome(w, user, scheme, map[string]string{"response": "NTLMv2"})
	default:
		n.refuse(w, "", "", fmt.Sprintf("a type %d message cannot start or finish the exchange", m.Type))
	}
}

// refuse answers 401: with scheme's token (a type 2) when there is one,
// otherwise with the bare challenges, Negotiate first where it is offered.
func (n *ntlmServer) refuse(w http.ResponseWriter, scheme, token, why string) {
	switch {
	case token != "":
		w.Header().Set("WWW-Authenticate", scheme+" "+token)
	case n.negotiate:
		w.Header().Add("WWW-Authenticate", "Negotiate")
		w.Header().Add("WWW-Authenticate", "NTLM")
	default:
		w.Header().Set("WWW-Authenticate", "NTLM")
	}
	http.Error(w, "401 Unauthorized: "+why, http.StatusUnauthorized)
}

func (n *ntlmServer) authenticated(addr string) string {
	n.mu.Lock()
	defer n.mu.Unlock()
	if c := n.conns[addr]; c != nil {
		return c.user
	}
	return ""
}

// NTLM flags the practice server sets in its type 2 ([MS-NLMP] §2.2.2.5).
const (
	flagUnicode      = 0x00000001
	flagRequestTgt   = 0x00000004
	flagNTLM         = 0x00000200
	flagAlwaysSign   = 0x00008000
	flagTargetDomain = 0x00010000
	flagESS          = 0x00080000
	flagTargetInfo   = 0x00800000
	flagVersion      = 0x02000000
	flag128          = 0x20000000
	flag56           = 0x80000000
)

// challenge builds a type 2 for the connection at addr and remembers its
// server challenge.
func (n *ntlmServer) challenge(addr string, clientFlags uint32) []byte {
	sc := randomBytes(8)
	now := n.now()
	n.mu.Lock()
	if len(n.conns) >= ntlmConnsMax {
		var oldest string
		for a, c := range n.conns {
			if oldest == "" || c.issued.Before(n.conns[oldest].issued) {
				oldest = a
			}
		}
		delete(n.conns, oldest)
	}
	n.conns[addr] = &ntlmConn{challenge: sc, issued: now}
	n.mu.Unlock()

	flags := uint32(flagUnicode | flagRequestTgt | flagNTLM | flagAlwaysSign | flagTargetDomain | flagESS | flagTargetInfo | flagVersion | flag128 | flag56)
	if clientFlags&flagUnicode == 0 {
		flags &^= flagUnicode // a client that offers only OEM strings (curl) gets them
		flags |= 0x00000002
	}
	var info bytes.Buffer
	av := func(id uint16, v []byte) {
		binary.Write(&info, binary.LittleEndian, id)
		binary.Write(&info, binary.LittleEndian, uint16(len(v)))
		info.Write(v)
	}
	av(2, utf16le(NTLMDomain))
	av(1, utf16le(ntlmComputer))
	av(4, utf16le(NTLMDNSDomain))
	av(3, utf16le(strings.ToLower(ntlmComputer)+"."+NTLMDNSDomain))
	av(7, fileTime(now))
	av(0, nil)
	name := utf16le(NTLMDomain)
	if flags&flagUnicode == 0 {
		name = []byte(NTLMDomain)
	}
	const header = 56
	b := make([]byte, header, header+len(name)+info.Len())
	copy(b, "NTLMSSP\x00")
	le := binary.LittleEndian
	le.PutUint32(b[8:], 2)
	le.PutUint16(b[12:], uint16(len(name)))
	le.PutUint16(b[14:], uint16(len(name)))
	le.PutUint32(b[16:], header)
	le.PutUint32(b[20:], flags)
	copy(b[24:32], sc)
	le.PutUint16(b[40:], uint16(info.Len()))
	le.PutUint16(b[42:], uint16(info.Len()))
	le.PutUint32(b[44:], uint32(header+len(name)))
	b[48], b[49] = 10, 0 // "Windows 10.0 build 20348", NTLMSSP revision 15
	le.PutUint16(b[50:], 20348)
	b[55] = 15
	b = append(b, name...)
	return append(b, info.Bytes()...)
}

// verify checks a type 3 against the challenge sent on the connection at
// addr. It returns the user name, or why the type 3 was refused.
func (n *ntlmServer) verify(addr string, m *credentials.NTLMMessage) (user, why string) {
	n.mu.Lock()
	c := n.conns[addr]
	n.mu.Unlock()
	if c == nil || c.challenge == nil {
		return "", "this connection got no type 2 challenge: NTLM's three messages must travel on one kept-alive connection (the type 3 came on a new one)"
	}
	if !m.NTLMv2() {
		return "", "an NTLMv1 response (24 bytes) is refused: it can be cracked from a capture; send NTLMv2"
	}
	if !practiceAccount(m.User, m.Domain) {
		return "", fmt.Sprintf("unknown account %q in domain %q; the practice account is %s\\%s (or %s@%s)", m.User, m.Domain, NTLMDomain, User, User, NTLMDNSDomain)
	}
	proof, blob := m.NTResponse[:16], m.NTResponse[16:]
	want := NTProofStr(NTOWFv2(Password, m.User, m.Domain), c.challenge, blob)
	if !hmac.Equal(proof, want) {
		return "", "wrong password: the NTLMv2 proof does not match (NTLM says no more, and neither does a Windows server)"
	}
	if len(blob) >= 16 {
		t := credentials.FileTimeOf(blob[8:16])
		if d := n.now().Sub(t); d > ntlmSkew || d < -ntlmSkew {
			return "", fmt.Sprintf("the NTLMv2 timestamp %s is %s away from the server's clock", t.Format(time.RFC3339), d.Round(time.Second))
		}
	}
	n.mu.Lock()
	c.challenge = nil // one answer per challenge: no replay
	c.user = User
	n.mu.Unlock()
	return User, ""
}

// practiceAccount reports whether user and domain name the practice account:
// alice in PRACTICE (or no domain), or the UPN alice@practice.test.
func practiceAccount(user, domain string) bool {
	if u, d, ok := strings.Cut(user, "@"); ok {
		return domain == "" && strings.EqualFold(u, User) && strings.EqualFold(d, NTLMDNSDomain)
	}
	return strings.EqualFold(user, User) && (domain == "" || strings.EqualFold(domain, NTLMDomain) || strings.EqualFold(domain, NTLMDNSDomain))
}

// NTOWFv2 is [MS-NLMP] §3.3.2's key: HMAC-MD5 keyed with the MD4 of the
// UTF-16LE password, over the UTF-16LE of the upper-cased user and the
// domain as sent.
func NTOWFv2(password, user, domain string) []byte {
	h := md4.New()
	h.Write(utf16le(password))
	mac := hmac.New(md5.New, h.Sum(nil))
	mac.Write(utf16le(strings.ToUpper(user) + domain))
	return mac.Sum(nil)
}

// NTProofStr is HMAC-MD5 keyed with NTOWFv2 over the server challenge and
// the client's blob (the NT response after its first 16 bytes).
func NTProofStr(ntowf, serverChallenge, blob []byte) []byte {
	mac := hmac.New(md5.New, ntowf)
	mac.Write(serverChallenge)
	mac.Write(blob)
	return mac.Sum(nil)
}

func utf16le(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		binary.LittleEndian.PutUint16(b[2*i:], c)
	}
	return b
}

func fileTime(t time.Time) []byte {
	b := make([]byte, 8)
	binary.LittleEndian.PutUint64(b, uint64(t.UnixNano()/100)+116444736000000000)
	return b
}

// Paths of the Windows and proxy lessons.
const (
	NTLMPath        = "/ntlm"
	NegotiatePath   = "/negotiate"
	ProxyDigestPath = "/proxy/digest"
)

// ntlmRoutes serves the NTLM endpoint and the proxy-Digest endpoint.
func (s *Server) ntlmRoutes(mux *http.ServeMux) {
	mux.Handle(NTLMPath, newNTLMServer(s.clock))
	neg := newNTLMServer(s.clock)
	neg.negotiate = true
	mux.Handle(NegotiatePath, neg)
	mux.HandleFunc(ProxyDigestPath, proxyDigestEndpoint)
}

func (s *Server) ntlmEndpoints() []Endpoint {
	return []Endpoint{
		{"GET", NTLMPath, "NTLM (NTLMv2, one connection)", NTLMDomain + `\` + User + " / " + Password},
		{"GET", ProxyDigestPath, "Proxy Digest (407)", User + " / " + Password},
		{"GET", NegotiatePath, "Negotiate and NTLM (no KDC: NTLM inside Negotiate)", NTLMDomain + `\` + User + " / " + Password},
	}
}
