package credentials

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	ntlmssp "github.com/Azure/go-ntlmssp"
)

// squidType2 is what Squid 5.7's ntlm_fake_auth answered curl's type 1:
// its target name points at 0xAAAAAAAE, outside the 49-byte message.
const squidType2 = "TlRMTVNTUAACAAAACQAJAK6qqqoGgggAdzHazEQlal0AAAAAAAA6AFdPUktHUk9VUA=="

func TestParseSquidType2(t *testing.T) {
	m, err := DecodeNTLMToken("NTLM " + squidType2)
	if err != nil {
		t.Fatal(err)
	}
	if m.Type != 2 || m.Flags != 0x00088206 || len(m.Problems) != 1 || !strings.Contains(m.Problems[0], "target name points outside") {
		t.Fatalf("%+v", m)
	}
	words := strings.Join(m.Describe(time.Now()), "\n")
	for _, want := range []string{"type 2 (CHALLENGE)", "7731dacc44256a5d", "OEM strings", "extended session security", "problem: the target name"} {
		if !strings.Contains(words, want) {
			t.Errorf("description lacks %q:\n%s", want, words)
		}
	}
	// It chose OEM strings because curl offered no Unicode; keyhole
	// offers Unicode, and go-ntlmssp speaks nothing else.
	if _, err := NTLMAuthenticate(squidType2, "alice", "any"); err == nil || !strings.Contains(err.Error(), "OEM strings") {
		t.Fatalf("answering OEM: %v", err)
	}
	// With Unicode, keyhole answers it all the same, as curl does.
	raw, _ := base64.StdEncoding.DecodeString(squidType2)
	raw[20] |= ntlmUnicode
	if _, err := NTLMAuthenticate(base64.StdEncoding.EncodeToString(raw), "alice", "any"); err != nil {
		t.Fatal(err)
	}
}

// type2 builds a CHALLENGE with target info, as Windows sends it.
func type2(flags uint32, info []AVPair) []byte {
	b := make([]byte, 56)
	copy(b, ntlmSignature)
	b[8] = 2
	put32 := func(at int, v uint32) {
		b[at], b[at+1], b[at+2], b[at+3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
	}
	put16 := func(at int, v uint16) { b[at], b[at+1] = byte(v), byte(v>>8) }
	put32(20, flags)
	copy(b[24:32], "\x01\x23\x45\x67\x89\xab\xcd\xef")
	var ti []byte
	for _, av := range info {
		ti = append(ti, byte(av.ID), byte(av.ID>>8), byte(len(av.Value)), byte(len(av.Value)>>8))
		ti = append(ti, av.Value...)
	}
	ti = append(ti, 0, 0, 0, 0)
	put16(40, uint16(len(ti)))
	put16(42, uint16(len(ti)))
	put32(44, 56)
	b[48], b[49] = 10, 0 // version 10.0 build 19041
	put16(50, 19041)
	b[55] = 15
	return append(b, ti...)
}

func utf16le(s string) []byte {
	var out []byte
	for _, r := range s {
		out = append(out, byte(r), byte(r>>8))
	}
	return out
}

func TestNTLMMessagesRoundTrip(t *testing.T) {
	t1, err := ntlmssp.NewNegotiateMessage("", "")
	if err != nil {
		t.Fatal(err)
	}
	m1, err := ParseNTLM(t1)
	if err != nil || m1.Type != 1 || m1.Flags&ntlmTargetInfo == 0 {
		t.Fatalf("type 1: %+v %v", m1, err)
	}
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	ts := make([]byte, 8)
	ft := uint64(now.Add(-90*time.Second).UnixNano()/100) + 116444736000000000
	for i := range ts {
		ts[i] = byte(ft >> (8 * i))
	}
	raw := type2(0xe2898215|ntlmTargetInfo|ntlmVersion, []AVPair{
		{ID: 2, Value: utf16le("KEYHOLE")}, {ID: 1, Value: utf16le("SERVER")}, {ID: avTimestamp, Value: ts},
	})
	raw[23] &^= 0x40 // no key exchange: go-ntlmssp does not do it
	m2, err := ParseNTLM(raw)
	if err != nil {
		t.Fatal(err)
	}
	words := strings.Join(m2.Describe(now), "\n")
	for _, want := range []string{`NetBIOS domain "KEYHOLE"`, `NetBIOS computer "SERVER"`, "1m30s behind yours", "Windows version 10.0 build 19041"} {
		if !strings.Contains(words, want) {
			t.Errorf("type 2 description lacks %q:\n%s", want, words)
		}
	}
	t3, err := NTLMAuthenticate(base64.StdEncoding.EncodeToString(raw), `KEYHOLE\alice`, "secret")
	if err != nil {
		t.Fatal(err)
	}
	m3, err := ParseNTLM(t3)
	if err != nil || m3.Type != 3 || m3.User != "alice" || m3.Domain != "KEYHOLE" || !m3.NTLMv2() {
		t.Fatalf("type 3: %+v %v", m3, err)
	}
	words = strings.Join(m3.Describe(now), "\n")
	if !strings.Contains(words, "NTLMv2 response: NT proof ••••••••") || strings.Contains(words, base64.StdEncoding.EncodeToString(m3.NTResponse[:16])) {
		t.Errorf("type 3 description:\n%s", words)
	}
	if got := m3.ClientTime(); !got.Equal(now.Add(-90 * time.Second)) {
		t.Errorf("the client's blob carries %v, want the server's timestamp", got)
	}
}

func TestNTLMBadMessages(t *testing.T) {
	good := type2(0x00088205|ntlmTargetInfo, []AVPair{{ID: 1, Value: utf16le("S")}})
	cases := map[string]struct {
		b    []byte
		want string
	}{
		"empty":          {nil, "not an NTLM message"},
		"signature only": {[]byte(ntlmSignature), "not an NTLM message"},
		"type 4":         {append([]byte(ntlmSignature), 4, 0, 0, 0), "type 4 is none"},
		"short type 2":   {good[:30], "too short"},
		"pairs run over": {append(good[:56:56], 1, 0, 200, 0), "claims 200 bytes"},
		"no EOL":         {append(good[:56:56], 1, 0, 0, 0), "does not end with MsvAvEOL"},
		"short type 3":   {append([]byte(ntlmSignature), 3, 0, 0, 0, 1), "too short"},
	}
	for name, c := range cases {
		b := c.b
		if name == "pairs run over" || name == "no EOL" {
			b[40], b[42] = 4, 4
		}
		_, err := ParseNTLM(b)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
	if _, err := NTLMAuthenticate("TlRMTVNTUAABAAAA", "a", "b"); err == nil || !strings.Contains(err.Error(), "malformed") {
		t.Errorf("a truncated type 1 as the challenge: %v", err)
	}
	if _, err := NTLMAuthenticate("%%%", "a", "b"); err == nil || !strings.Contains(err.Error(), "not base64") {
		t.Errorf("not base64: %v", err)
	}
}

func FuzzParseNTLM(f *testing.F) {
	raw, _ := base64.StdEncoding.DecodeString(squidType2)
	f.Add(raw)
	f.Add(type2(0x00888205, []AVPair{{ID: 7, Value: make([]byte, 8)}}))
	t1, _ := ntlmssp.NewNegotiateMessage("DOM", "WS")
	f.Add(t1)
	if t3, err := NTLMAuthenticate(squidType2, `D\u`, "p"); err == nil {
		f.Add(t3)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseNTLM(b)
		if err != nil {
			return
		}
		m.Describe(time.Unix(0, 0))
		if m.Type == 2 {
			// Answering whatever parsed must fail in words, not panic.
			NTLMAuthenticate(base64.StdEncoding.EncodeToString(b), "u", "p")
		}
	})
}
