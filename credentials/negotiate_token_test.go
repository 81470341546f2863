package credentials

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"
)

// Tokens as servers send them: gokrb5's accept-completed and reject
// NegTokenResps (spnego/http.go), and Apache mod_auth_gssapi's answer with
// a Kerberos AP-REP (captured from Debian 12's Apache and curl --negotiate).
const (
	respAccepted = "oRQwEqADCgEAoQsGCSqGSIb3EgECAg=="
	respReject   = "oQcwBaADCgEC"
	apacheAPRep  = "oYG3MIG0oAMKAQChCwYJKoZIhvcSAQICooGfBIGcYIGZBgkqhkiG9xIBAgICAG+BiTCBhqADAgEFoQMCAQ+iejB4oAMCARKicQRvwunkdXAOP8NHQdHGDuMCbFpuWRBA0bqce3bl+NTvHdUIgCaZB1r/JoVnPpGTu/Lzh67HpU5ljZv+rShcfToMMctcNggbQaz7iy1QrXGlRa23byt95qfuVpQJDZMZsfsJsyziG6QRQ4vJACDYIkjU"
)

func TestDecodeNegotiateTokens(t *testing.T) {
	for tok, want := range map[string]string{
		respAccepted:              "accept-completed",
		respReject:                "reject: the server refused",
		apacheAPRep:               "Kerberos AP-REP",
		"Negotiate " + squidType2: "NTLM type 2",
	} {
		got, err := DecodeNegotiateToken(tok)
		if err != nil {
			t.Errorf("%.20s: %v", tok, err)
			continue
		}
		if words := strings.Join(got.Describe(time.Now()), "\n"); !strings.Contains(words, want) {
			t.Errorf("%.20s: %q lacks %q", tok, words, want)
		}
	}
	raw, _ := base64.StdEncoding.DecodeString(apacheAPRep)
	for _, bad := range [][]byte{raw[:20], raw[:len(raw)-1], {0x60, 0x03, 0x06}, {0xa1}, nil} {
		if _, err := ParseNegotiate(bad); err == nil {
			t.Errorf("% x decoded", bad)
		}
	}
}

func FuzzParseNegotiate(f *testing.F) {
	for _, s := range []string{respAccepted, respReject, apacheAPRep, squidType2} {
		b, _ := base64.StdEncoding.DecodeString(s)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if tok, err := ParseNegotiate(b); err == nil {
			tok.Describe(time.Unix(0, 0))
		}
	})
}
