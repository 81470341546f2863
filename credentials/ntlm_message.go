package credentials

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf16"

	"keyhole/httpclient"
)

// NTLMMessage is one NTLM message taken apart ([MS-NLMP] §2.2.1): the
// NEGOTIATE (type 1) a client opens with, the CHALLENGE (type 2) the server
// answers, or the AUTHENTICATE (type 3) that proves the password. Strings are
// as sent; make them safe before display (Describe does).
type NTLMMessage struct {
	Type  int
	Flags uint32
	// Type 1: the client's domain and workstation, when supplied.
	// Type 3: the user's domain, the user and the workstation.
	Domain, User, Workstation string
	// Type 2.
	TargetName      string
	ServerChallenge []byte
	TargetInfo      []AVPair
	// Version is the sender's Windows version, e.g. "10.0 build 19041", or "".
	Version string
	// Type 3: the responses. An NTResponse longer than 24 bytes is NTLMv2:
	// a 16-byte NTProofStr, then the client's blob.
	LMResponse, NTResponse []byte
	SessionKey             []byte // the encrypted random session key, when key exchange was agreed
	HasMIC                 bool
	// Problems are things wrong in the message that did not stop decoding,
	// e.g. a target name that points outside the message.
	Problems []string

	badName, badInfo bool // the type 2 field that Problems are about
}

// AVPair is one entry of a type 2's target information ([MS-NLMP] §2.2.2.1).
type AVPair struct {
	ID    uint16
	Value []byte
}

// NTLM flags ([MS-NLMP] §2.2.2.5) that keyhole acts on.
const (
	ntlmUnicode    = 0x00000001
	ntlmLMKey      = 0x00000080
	ntlmTargetInfo = 0x00800000
	ntlmVersion    = 0x02000000
	ntlmKeyExch    = 0x40000000
	avEOL          = 0
	avTimestamp    = 7
	avFlags        = 6
	avFlagsMIC     = 0x2
	ntlmSignature  = "NTLMSSP\x00"
)

// ntlmFlagWords names each flag in words, in bit order.
var ntlmFlagWords = []struct {
	bit  uint32
	word string
}{
	{0x00000001, "Unicode strings"},
	{0x00000002, "OEM strings"},
	{0x00000004, "asks for the target name"},
	{0x00000010, "signing"},
	{0x00000020, "sealing (encryption)"},
	{0x00000040, "datagram"},
	{0x00000080, "LM session key (weak, NTLMv1 only)"},
	{0x00000200, "NTLM"},
	{0x00000800, "anonymous"},
	{0x00001000, "domain supplied"},
	{0x00002000, "workstation supplied"},
	{0x00008000, "always sign"},
	{0x00010000, "target is a domain"},
	{0x00020000, "target is a server"},
	{0x00080000, "extended session security"},
	{0x00100000, "identify only"},
	{0x00400000, "non-NT session key"},
	{0x00800000, "target info present"},
	{0x02000000, "version present"},
	{0x20000000, "128-bit"},
	{0x40000000, "key exchange"},
	{0x80000000, "56-bit"},
}

// NTLMFlagWords lists the flags set in f in words.
func NTLMFlagWords(f uint32) []string {
	var out []string
	for _, w := range ntlmFlagWords {
		if f&w.bit != 0 {
			out = append(out, w.word)
		}
	}
	if len(out) == 0 {
		return []string{"none"}
	}
	return out
}

var avNames = map[uint16]string{
	1: "NetBIOS computer", 2: "NetBIOS domain", 3: "DNS computer", 4: "DNS domain",
	5: "DNS forest", 6: "flags", 7: "timestamp", 8: "single host", 9: "target SPN",
	10: "channel bindings",
}

// DecodeNTLMToken decodes a header value such as "NTLM TlRMTVNT..." or its
// base64 alone.
func DecodeNTLMToken(v string) (*NTLMMessage, error) {
	b, err := ntlmBytes(v)
	if err != nil {
		return nil, err
	}
	return ParseNTLM(b)
}

// ntlmBytes decodes the base64 of a header value, with or without its scheme.
func ntlmBytes(v string) ([]byte, error) {
	v = strings.TrimSpace(v)
	if scheme, rest, ok := strings.Cut(v, " "); ok && (strings.EqualFold(scheme, "NTLM") || strings.EqualFold(scheme, "Negotiate")) {
		v = strings.TrimSpace(rest)
	}
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		b, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(v, "="))
	}
	if err != nil {
		return nil, errors.New("ntlm: the token is not base64")
	}
	return b, nil
}

// ParseNTLM takes an NTLM message apart. It never panics on bad input: a
// message too short for its fields, or with fields pointing outside it, is
// an error, except the type 2 target name, which only the user reads and
// which some servers get wrong (Squid's ntlm_fake_auth points it at
// 0xAAAAAAAE): that becomes a Problem.
func ParseNTLM(b []byte) (*NTLMMessage, error) {
	if len(b) < 12 || string(b[:8]) != ntlmSignature {
		return nil, errors.New("ntlm: not an NTLM message (it does not start with NTLMSSP)")
	}
	m := &NTLMMessage{Type: int(binary.LittleEndian.Uint32(b[8:12]))}
	var err error
	switch m.Type {
	case 1:
		err = m.parseNegotiate(b)
	case 2:
		err = m.parseChallenge(b)
	case 3:
		err = m.parseAuthenticate(b)
	default:
		return nil, fmt.Errorf("ntlm: message type %d is none of 1 (negotiate), 2 (challenge), 3 (authenticate)", m.Type)
	}
	if err != nil {
		return nil, err
	}
	return m, nil
}

func needLen(b []byte, n, typ int) error {
	if len(b) < n {
		return fmt.Errorf("ntlm: the type %d message is %d bytes, too short for its fields (%d)", typ, len(b), n)
	}
	return nil
}

// field reads the payload a security buffer at off (length, max length,
// offset) points to.
func field(b []byte, off int) ([]byte, error) {
	l := int(binary.LittleEndian.Uint16(b[off:]))
	at := uint64(binary.LittleEndian.Uint32(b[off+4:]))
	if l == 0 {
		return nil, nil
	}
	if at+uint64(l) > uint64(len(b)) {
		return nil, fmt.Errorf("points outside the message (%d bytes at offset %d of %d)", l, at, len(b))
	}
	return b[at : at+uint64(l)], nil
}

func (m *NTLMMessage) str(p []byte) string {
	if m.Flags&ntlmUnicode != 0 && len(p)%2 == 0 {
		u := make([]uint16, len(p)/2)
		for i := range u {
			u[i] = binary.LittleEndian.Uint16(p[2*i:])
		}
		return string(utf16.Decode(u))
	}
	return string(p)
}

func version(b []byte) string {
	return fmt.Sprintf("%d.%d build %d", b[0], b[1], binary.LittleEndian.Uint16(b[2:4]))
}

func (m *NTLMMessage) parseNegotiate(b []byte) error {
	if err := needLen(b, 16, 1); err != nil {
		return err
	}
	m.Flags = binary.LittleEndian.Uint32(b[12:])
	if len(b) < 32 {
		return nil // the oldest clients end after the flags
	}
	for _, f := range []struct {
		off  int
		dst  *string
		name string
	}{{16, &m.Domain, "domain"}, {24, &m.Workstation, "workstation"}} {
		p, err := field(b, f.off)
		if err != nil {
			return fmt.Errorf("ntlm: the type 1 %s %v", f.name, err)
		}
		*f.dst = string(p) // always OEM in a type 1
	}
	if m.Flags&ntlmVersion != 0 && len(b) >= 40 {
		m.Version = version(b[32:40])
	}
	return nil
}

func (m *NTLMMessage) parseChallenge(b []byte) error {
	if err := needLen(b, 32, 2); err != nil {
		return err
	}
	m.Flags = binary.LittleEndian.Uint32(b[20:])
	m.ServerChallenge = append([]byte(nil), b[24:32]...)
	if p, err := field(b, 12); err != nil {
		m.badName = true
		m.Problems = append(m.Problems, "the target name "+err.Error()+"; ignored")
	} else {
		m.TargetName = m.str(p)
	}
	if m.Flags&ntlmTargetInfo != 0 {
		// Squid's ntlm_fake_auth echoes the client's flags, target info
		// included, and sends none: the client answers without it, as
		// curl does when it did not ask.
		p, err := []byte(nil), needLen(b, 48, 2)
		if err == nil {
			p, err = field(b, 40)
		}
		if err != nil {
			m.badInfo = true
			m.Problems = append(m.Problems, "the flags say target info is present, but "+strings.TrimPrefix(err.Error(), "ntlm: ")+"; answered without it")
		} else if m.TargetInfo, err = parseAVPairs(p); err != nil {
			return err
		}
	}
	if m.Flags&ntlmVersion != 0 && len(b) >= 56 {
		m.Version = version(b[48:56])
	}
	return nil
}

func parseAVPairs(p []byte) ([]AVPair, error) {
	var out []AVPair
	for len(p) >= 4 {
		id := binary.LittleEndian.Uint16(p)
		l := int(binary.LittleEndian.Uint16(p[2:]))
		if id == avEOL {
			return out, nil
		}
		if 4+l > len(p) {
			return nil, fmt.Errorf("ntlm: target info pair %d claims %d bytes, %d are left", id, l, len(p)-4)
		}
		out = append(out, AVPair{ID: id, Value: p[4 : 4+l]})
		p = p[4+l:]
	}
	return nil, errors.New("ntlm: target info does not end with MsvAvEOL")
}

func (m *NTLMMessage) parseAuthenticate(b []byte) error {
	if err := needLen(b, 52, 3); err != nil {
		return err
	}
	// Flags first: they say whether the strings are Unicode.
	if len(b) >= 64 {
		m.Flags = binary.LittleEndian.Uint32(b[60:])
	}
	lowest := len(b)
	read := func(off int, name string) ([]byte, error) {
		p, err := field(b, off)
		if err != nil {
			return nil, fmt.Errorf("ntlm: the type 3 %s %v", name, err)
		}
		if len(p) > 0 {
			lowest = min(lowest, int(binary.LittleEndian.Uint32(b[off+4:])))
		}
		return p, nil
	}
	var err error
	if m.LMResponse, err = read(12, "LM response"); err != nil {
		return err
	}
	if m.NTResponse, err = read(20, "NT response"); err != nil {
		return err
	}
	for _, f := range []struct {
		off  int
		dst  *string
		name string
	}{{28, &m.Domain, "domain"}, {36, &m.User, "user"}, {44, &m.Workstation, "workstation"}} {
		p, err := read(f.off, f.name)
		if err != nil {
			return err
		}
		*f.dst = m.str(p)
	}
	if len(b) >= 60 {
		if m.SessionKey, err = read(52, "session key"); err != nil {
			return err
		}
	}
	if m.Flags&ntlmVersion != 0 && len(b) >= 72 {
		m.Version = version(b[64:72])
	}
	// The MIC sits between the version and the payload.
	m.HasMIC = lowest >= 88 && len(b) >= 88
	return nil
}

// NTLMv2 reports whether a type 3 carries an NTLMv2 response (MS-NLMP
// §3.3.2) rather than the 24-byte NTLMv1 one.
func (m *NTLMMessage) NTLMv2() bool { return len(m.NTResponse) > 24 }

// ClientTime is the timestamp in an NTLMv2 response's blob, zero when there
// is none.
func (m *NTLMMessage) ClientTime() time.Time {
	if !m.NTLMv2() || len(m.NTResponse) < 32 {
		return time.Time{}
	}
	return FileTimeOf(m.NTResponse[24:32])
}

// ServerTime is the MsvAvTimestamp of a type 2's target info, zero when the
// server sent none.
func (m *NTLMMessage) ServerTime() time.Time {
	for _, av := range m.TargetInfo {
		if av.ID == avTimestamp && len(av.Value) == 8 {
			return FileTimeOf(av.Value)
		}
	}
	return time.Time{}
}

// FileTimeOf reads a Windows FILETIME: 100 ns ticks since 1601-01-01 UTC.
func FileTimeOf(b []byte) time.Time {
	const epochDiff = 116444736000000000 // 1601 to 1970, in ticks
	t := binary.LittleEndian.Uint64(b)
	if t < epochDiff {
		return time.Time{}
	}
	t -= epochDiff
	return time.Unix(int64(t/1e7), int64(t%1e7)*100).UTC()
}

// Describe is the message in words, one fact a line, every server string made
// safe for the terminal, the NT proof masked. now is the local clock, to which
// a type 2's timestamp is compared.
func (m *NTLMMessage) Describe(now time.Time) []string {
	safe := httpclient.SafeLine
	var out []string
	add := func(f string, a ...any) { out = append(out, fmt.Sprintf(f, a...)) }
	switch m.Type {
	case 1:
		add("NTLM type 1 (NEGOTIATE): the client opens the exchange and says what it can do")
		if m.Domain != "" || m.Workstation != "" {
			add("client domain %q, workstation %q", safe(m.Domain), safe(m.Workstation))
		}
	case 2:
		add("NTLM type 2 (CHALLENGE): the server's challenge %x, to be answered on this same connection", m.ServerChallenge)
		if m.TargetName != "" {
			add("target name %q", safe(m.TargetName))
		}
		for _, av := range m.TargetInfo {
			add("target info: %s", describeAV(av, now))
		}
		if m.Flags&ntlmLMKey != 0 {
			add("the server asks for the LM session key: that is NTLMv1, which keyhole does not send (it is broken)")
		}
	case 3:
		add("NTLM type 3 (AUTHENTICATE): the client's answer, proving the password without sending it")
		add("user %q, domain %q, workstation %q", safe(m.User), safe(m.Domain), safe(m.Workstation))
		switch {
		case m.NTLMv2():
			add("NTLMv2 response: NT proof %s (16 bytes, masked) and a %d-byte blob", maskedProof, len(m.NTResponse)-16)
			if t := m.ClientTime(); !t.IsZero() {
				add("client timestamp %s", t.Format(time.RFC3339))
			}
		case len(m.NTResponse) == 24:
			add("NTLMv1 response (24 bytes): weak, crackable from a capture; servers should refuse it")
		default:
			add("no NT response: anonymous")
		}
		if m.HasMIC {
			add("carries a MIC (message integrity code)")
		}
	}
	add("flags 0x%08x: %s", m.Flags, strings.Join(NTLMFlagWords(m.Flags), ", "))
	if m.Version != "" {
		add("Windows version %s", m.Version)
	}
	for _, p := range m.Problems {
		add("problem: %s", safe(p))
	}
	return out
}

const maskedProof = "••••••••"

func describeAV(av AVPair, now time.Time) string {
	name, ok := avNames[av.ID]
	if !ok {
		name = fmt.Sprintf("pair %d", av.ID)
	}
	switch av.ID {
	case 1, 2, 3, 4, 5, 9:
		u := make([]uint16, len(av.Value)/2)
		for i := range u {
			u[i] = binary.LittleEndian.Uint16(av.Value[2*i:])
		}
		return fmt.Sprintf("%s %q", name, httpclient.SafeLine(string(utf16.Decode(u))))
	case avTimestamp:
		if len(av.Value) != 8 {
			return "timestamp of a wrong size"
		}
		t := FileTimeOf(av.Value)
		return fmt.Sprintf("server timestamp %s (%s)", t.Format(time.RFC3339), SkewWords(t.Sub(now)))
	case avFlags:
		if len(av.Value) == 4 && binary.LittleEndian.Uint32(av.Value)&avFlagsMIC != 0 {
			return "flags: the server expects a MIC in the type 3"
		}
	}
	return fmt.Sprintf("%s (%d bytes)", name, len(av.Value))
}

// SkewWords says how far the server's clock is from the local one.
func SkewWords(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d > -5*time.Second && d < 5*time.Second:
		return "matches your clock"
	case d > 0:
		return fmt.Sprintf("the server's clock is %s ahead of yours", d)
	default:
		return fmt.Sprintf("the server's clock is %s behind yours", -d)
	}
}

// usableChallenge returns a copy of a type 2 that go-ntlmssp accepts: at
// least 48 bytes (older servers send 32 or 40), and a target name or target
// info pointing outside the message dropped. The NTLMv2 response does not
// use the name, and curl ignores both in the same cases. go-ntlmssp reads
// the target info field whatever the flags say, so without the flag it goes.
func usableChallenge(b []byte, m *NTLMMessage) []byte {
	noInfo := m.badInfo || m.Flags&ntlmTargetInfo == 0 || len(b) < 48
	if !m.badName && !noInfo {
		return b
	}
	c := append([]byte(nil), b...)
	if len(c) < 48 {
		c = append(c, make([]byte, 48-len(c))...)
	}
	if m.badName {
		clear(c[12:20])
	}
	if noInfo {
		clear(c[40:48])
	}
	return c
}
