package credentials

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"keyhole/httpclient"
)

// The Explain, Token, About and Offered hooks of NTLM's and Negotiate's
// descriptions: what keyhole explain and the challenge panel say of them,
// and when a Negotiate offer needs no flag at all.

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

// negotiateWords says what a Negotiate challenge's token is: none (asking
// for a Kerberos ticket), or the SPNEGO answer in short.
func negotiateWords(c httpclient.Challenge) string {
	if c.Token68 == "" {
		return "wants a Kerberos ticket for HTTP/host (SPNEGO), from kinit's credential cache"
	}
	t, err := DecodeNegotiateToken(c.Token68)
	if err != nil {
		return "a malformed Negotiate token: " + httpclient.SafeLine(err.Error())
	}
	return httpclient.SafeLine(t.Describe(time.Time{})[0])
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

func negotiateToken(c httpclient.Challenge, now time.Time) []string {
	if c.Token68 == "" {
		return nil
	}
	t, err := DecodeNegotiateToken(c.Token68)
	if err != nil {
		return []string{httpclient.SafeLine(err.Error())}
	}
	return t.Describe(now)
}

var aboutNTLM = []string{
	"NTLM is Windows' challenge-response login (IIS, SharePoint, Exchange, corporate proxies): a type 1 message, the server's type 2 challenge, and a type 3 that proves the password with NTLMv2 without sending it.",
	"It authenticates the TCP connection: all three messages must travel on one kept-alive HTTP/1.1 connection.",
	`Answer it with keyhole send -u 'DOMAIN\user:password' URL (or user@domain:password); curl --ntlm -u does the same.`,
}

var aboutNegotiate = []string{
	"Negotiate (SPNEGO, RFC 4559) carries a Kerberos ticket for the service HTTP/host: the password never leaves your machine, the ticket comes from kinit, and the server may prove itself back (mutual authentication).",
	"A ticket is a message from the realm's KDC, encrypted for the service, saying who you are and until when; kinit user@REALM gets the ticket-granting ticket, and keyhole asks the KDC for HTTP/host's ticket with it.",
	"Run kinit user@REALM, then keyhole send URL (curl --negotiate -u : URL); klist shows your tickets. Windows servers also accept NTLM inside Negotiate: keyhole send -u 'DOMAIN\\user:password' URL falls back to it.",
}

// negotiateOffered: Kerberos needs no flag, the ticket kinit left is used,
// as curl --negotiate -u : does; -u adds a password login and NTLM inside
// Negotiate for when there is none.
func negotiateOffered(v map[string]string) (string, bool) {
	if v["user"] != "" {
		return "", true // from -u, as given
	}
	return TicketCacheSource, HasTicket()
}

// IsRegistryChallenge reports whether c is a container registry's Bearer
// challenge (Docker, OCI): its realm is a token service URL and it names a
// service or scope. A registry token answers only these.
func IsRegistryChallenge(c httpclient.Challenge) bool {
	realm := c.Param("realm")
	return c.Is("Bearer") && (strings.HasPrefix(realm, "https://") || strings.HasPrefix(realm, "http://")) &&
		(c.Param("service") != "" || c.Param("scope") != "")
}

// registryOffered: a registry token is asked for anonymously, or with -u,
// unless a token was given (it answers Bearer itself).
func registryOffered(v map[string]string) (string, bool) {
	if v["user"] != "" {
		return "", v["token"] == "" // from -u, as given
	}
	return "anonymous", v["token"] == ""
}

// TicketCacheSource is where the Negotiate offer keyhole makes by itself
// comes from, when kinit left a ticket and the user gave nothing.
const TicketCacheSource = "the Kerberos ticket cache"

// noTicket says why there was no Kerberos ticket and the kinit that gets
// one for the configured realm (the finding can only say kinit user@REALM).
func noTicket() string {
	var nt *NoTicketError
	if _, _, err := (&Negotiate{}).Ticket(); errors.As(err, &nt) {
		return httpclient.SafeLine(nt.Error())
	}
	return ""
}
