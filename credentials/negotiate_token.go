package credentials

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jcmturner/gofork/encoding/asn1"
	"github.com/jcmturner/gokrb5/v8/iana/errorcode"
	"github.com/jcmturner/gokrb5/v8/spnego"

	"keyhole/httpclient"
)

// NegotiateToken is a Negotiate header's token taken apart (RFC 4559,
// RFC 4178): an SPNEGO NegTokenInit (the client's first token: the
// mechanisms it proposes and its first mechanism token) or NegTokenResp
// (the answer: accepted, continue or rejected), or a bare Kerberos or NTLM
// token, which some servers and clients send without SPNEGO around it.
// Nothing in it is secret: a ticket's encrypted parts stay encrypted.
type NegotiateToken struct {
	Kind          string   // "NegTokenInit", "NegTokenResp", "Kerberos", "NTLM"
	Mechs         []string // proposed mechanisms, in words
	State         string   // NegTokenResp's negState in words
	SupportedMech string   // the mechanism the server chose
	// Kerberos is the inner Kerberos token in words: an AP-REQ's ticket
	// (realm, service, encryption), an AP-REP, or a KRB-ERROR's code.
	Kerberos []string
	// KerberosError is a KRB-ERROR's code (RFC 4120 §7.5.9), 0 for none.
	KerberosError int32
	// Service is the principal an AP-REQ's ticket is for, "HTTP/host".
	Service string
	NTLM    *NTLMMessage
	MIC     bool
}

var mechNames = map[string]string{
	"1.2.840.113554.1.2.2":     "Kerberos 5",
	"1.2.840.48018.1.2.2":      "Kerberos 5 (Microsoft's OID)",
	"1.3.6.1.4.1.311.2.2.10":   "NTLM",
	"1.3.6.1.4.1.311.2.2.30":   "NegoEx",
	"1.2.840.113554.1.2.2.3":   "Kerberos 5 user-to-user",
	"1.3.6.1.5.5.2":            "SPNEGO",
	"1.3.6.1.5.2.5":            "IAKERB",
	"1.2.752.43.14.2":          "Kerberos 5 (netlogon)",
	"1.3.6.1.4.1.7165.655.1.3": "Samba NTLM",
}

func mechName(oid asn1.ObjectIdentifier) string {
	s := oid.String()
	if n, ok := mechNames[s]; ok {
		return n + " (" + s + ")"
	}
	return s
}

var negStates = map[int]string{
	0: "accept-completed: the server accepted",
	1: "accept-incomplete: another leg follows",
	2: "reject: the server refused",
	3: "request-mic: the server wants the mechanism list signed",
}

// DecodeNegotiateToken decodes a header value such as "Negotiate YIIC..."
// or its base64 alone. It never panics: gokrb5's ASN.1 decoding is run
// under recover, since a malformed token from a server is ordinary input.
func DecodeNegotiateToken(v string) (tok *NegotiateToken, err error) {
	b, err := ntlmBytes(v)
	if err != nil {
		return nil, errors.New("negotiate: the token is not base64")
	}
	return ParseNegotiate(b)
}

// ParseNegotiate takes a Negotiate token apart.
func ParseNegotiate(b []byte) (tok *NegotiateToken, err error) {
	defer func() {
		if r := recover(); r != nil {
			tok, err = nil, fmt.Errorf("negotiate: the token is malformed (%v)", r)
		}
	}()
	switch {
	case len(b) == 0:
		return nil, errors.New("negotiate: the token is empty")
	case len(b) >= 8 && string(b[:8]) == ntlmSignature:
		m, err := ParseNTLM(b)
		if err != nil {
			return nil, err
		}
		return &NegotiateToken{Kind: "NTLM", NTLM: m}, nil
	}
	var st spnego.SPNEGOToken
	if err := st.Unmarshal(b); err != nil {
		// A bare Kerberos GSS token (OID 1.2.840.113554.1.2.2).
		t := &NegotiateToken{Kind: "Kerberos"}
		if kerr := t.kerberos(b); kerr == nil {
			return t, nil
		}
		return nil, fmt.Errorf("negotiate: the token is neither SPNEGO nor Kerberos nor NTLM: %s", firstLine(err.Error()))
	}
	t := &NegotiateToken{}
	var inner []byte
	switch {
	case st.Init:
		t.Kind = "NegTokenInit"
		for _, m := range st.NegTokenInit.MechTypes {
			t.Mechs = append(t.Mechs, mechName(m))
		}
		inner = st.NegTokenInit.MechTokenBytes
		t.MIC = len(st.NegTokenInit.MechListMIC) > 0
	case st.Resp:
		t.Kind = "NegTokenResp"
		r := st.NegTokenResp
		if s, ok := negStates[int(r.NegState)]; ok {
			t.State = s
		} else {
			t.State = fmt.Sprintf("negState %d (unknown)", r.NegState)
		}
		if len(r.SupportedMech) > 0 {
			t.SupportedMech = mechName(r.SupportedMech)
		}
		inner = r.ResponseToken
		t.MIC = len(r.MechListMIC) > 0
	}
	switch {
	case len(inner) == 0:
	case len(inner) >= 8 && string(inner[:8]) == ntlmSignature:
		t.NTLM, err = ParseNTLM(inner)
		if err != nil {
			return nil, err
		}
	default:
		if err := t.kerberos(inner); err != nil {
			t.Kerberos = []string{"mechanism token of " + fmt.Sprint(len(inner)) + " bytes that does not decode as Kerberos: " + firstLine(err.Error())}
		}
	}
	return t, nil
}

// kerberos decodes a Kerberos GSS-API token into words.
func (t *NegotiateToken) kerberos(b []byte) error {
	var k spnego.KRB5Token
	if err := k.Unmarshal(b); err != nil {
		return err
	}
	switch {
	case k.IsAPReq():
		tk := k.APReq.Ticket
		t.Service = httpclient.SafeLine(tk.SName.PrincipalNameString())
		t.Kerberos = append(t.Kerberos, fmt.Sprintf("Kerberos AP-REQ: a service ticket for %s in realm %s (encryption type %d, key version %d); its contents are encrypted for the service",
			httpclient.SafeLine(tk.SName.PrincipalNameString()), httpclient.SafeLine(tk.Realm), tk.EncPart.EType, tk.EncPart.KVNO))
		if k.APReq.APOptions.Bytes != nil && len(k.APReq.APOptions.Bytes) > 0 && k.APReq.APOptions.Bytes[0]&0x20 != 0 {
			t.Kerberos = append(t.Kerberos, "asks the server to prove itself (mutual authentication)")
		}
	case k.IsAPRep():
		t.Kerberos = append(t.Kerberos, "Kerberos AP-REP: the server's proof that it holds the service key (mutual authentication), encrypted with the session key")
	case k.IsKRBError():
		e := k.KRBError
		t.KerberosError = e.ErrorCode
		s := "Kerberos error " + httpclient.SafeLine(errorcode.Lookup(e.ErrorCode))
		if e.EText != "" {
			s += ": " + httpclient.SafeLine(e.EText)
		}
		t.Kerberos = append(t.Kerberos, s)
		if w := KerberosErrorWords(e.ErrorCode); w != "" {
			t.Kerberos = append(t.Kerberos, w)
		}
	default:
		return errors.New("unknown Kerberos token")
	}
	return nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return httpclient.SafeLine(s)
}

// Describe is the token in words, one fact a line.
func (t *NegotiateToken) Describe(now time.Time) []string {
	var out []string
	switch t.Kind {
	case "NegTokenInit":
		out = append(out, "SPNEGO NegTokenInit: the client proposes "+strings.Join(t.Mechs, ", "))
	case "NegTokenResp":
		s := "SPNEGO NegTokenResp: " + t.State
		if t.SupportedMech != "" {
			s += "; mechanism " + t.SupportedMech
		}
		out = append(out, s)
	case "Kerberos":
		out = append(out, "a bare Kerberos token (no SPNEGO wrapper)")
	case "NTLM":
		out = append(out, "a bare NTLM message inside Negotiate: the server or client fell back from Kerberos to NTLM")
	}
	out = append(out, t.Kerberos...)
	if t.NTLM != nil {
		out = append(out, t.NTLM.Describe(now)...)
	}
	if t.MIC {
		out = append(out, "carries a mechListMIC")
	}
	return out
}

// KerberosErrorWords says in plain words what a Kerberos error code
// (RFC 4120 §7.5.9) means for someone sending an HTTP request, or "".
func KerberosErrorWords(code int32) string {
	switch code {
	case errorcode.KRB_AP_ERR_SKEW:
		return "clock skew: your clock and the server's (or the KDC's) differ by more than the allowed 5 minutes; fix the clock (NTP) and send again"
	case errorcode.KDC_ERR_S_PRINCIPAL_UNKNOWN:
		return "the KDC knows no such service principal: the SPN HTTP/host is not registered for this host name (a CNAME or an IP address in the URL is the usual cause; use the name the SPN was made for)"
	case errorcode.KDC_ERR_C_PRINCIPAL_UNKNOWN:
		return "the KDC knows no such user: check the user name and realm you ran kinit with"
	case errorcode.KDC_ERR_PREAUTH_FAILED:
		return "wrong password: the KDC could not decrypt the pre-authentication"
	case errorcode.KRB_AP_ERR_TKT_EXPIRED, errorcode.KDC_ERR_TGT_REVOKED:
		return "the ticket expired: run kinit again"
	case errorcode.KRB_AP_ERR_MODIFIED, errorcode.KRB_AP_ERR_BADKEYVER:
		return "the server could not decrypt the ticket: its keytab does not match the KDC's key for the service (a stale keytab on the server)"
	case errorcode.KRB_AP_ERR_REPEAT:
		return "the server saw this authenticator before (a replay); send again for a fresh one"
	case errorcode.KRB_AP_ERR_NOT_US:
		return "the ticket is for another service than the one that got it"
	}
	return ""
}
