package credentials

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	ntlmssp "github.com/Azure/go-ntlmssp"
	"github.com/jcmturner/gofork/encoding/asn1"
	krbclient "github.com/jcmturner/gokrb5/v8/client"
	"github.com/jcmturner/gokrb5/v8/config"
	krbcreds "github.com/jcmturner/gokrb5/v8/credentials"
	"github.com/jcmturner/gokrb5/v8/crypto"
	"github.com/jcmturner/gokrb5/v8/gssapi"
	"github.com/jcmturner/gokrb5/v8/iana/errorcode"
	"github.com/jcmturner/gokrb5/v8/iana/flags"
	"github.com/jcmturner/gokrb5/v8/iana/keyusage"
	"github.com/jcmturner/gokrb5/v8/messages"
	"github.com/jcmturner/gokrb5/v8/spnego"
	"github.com/jcmturner/gokrb5/v8/types"

	"keyhole/httpclient"
)

// Negotiate answers WWW-Authenticate: Negotiate (RFC 4559) with a Kerberos
// service ticket wrapped in SPNEGO, as curl --negotiate -u : and browsers
// do: the user's ticket-granting ticket comes from the credential cache
// kinit wrote (KRB5CCNAME), the realm and KDCs from KRB5_CONFIG or
// /etc/krb5.conf; the service ticket is for HTTP/host of the request URL.
// With User and Password it logs in to the KDC itself instead of reading a
// cache. When Kerberos cannot be used and the server offers NTLM inside
// Negotiate, NTLM (if set) answers instead. github.com/jcmturner/gokrb5
// does the Kerberos work.
type Negotiate struct {
	// User ("alice" or "alice@REALM") and Password, optional: a password
	// login to the KDC when the credential cache holds no ticket and User
	// names a realm that krb5.conf lists.
	User, Password string
	// Config and CCache override KRB5_CONFIG and KRB5CCNAME (tests).
	Config, CCache string
	// Host, when set, is the host the ticket is for (HTTP/Host) instead of
	// the request URL's: a proxy's, whose 407 asks for a ticket for the
	// proxy itself, as curl --proxy-negotiate does.
	Host string
	// NTLM answers when Kerberos cannot and the server accepts NTLM
	// inside Negotiate; nil for none.
	NTLM *NTLM
	// Now is the local clock; nil means time.Now.
	Now func() time.Time

	mu      sync.Mutex
	ready   []byte    // the token Ready got, for the next Apply
	readyAt time.Time // when, for how long it holds
	readyTo string    // and for which URL
	conn    *httpclient.Conn
	sent    string // "kerberos", "ntlm1", "ntlm3" or ""
	header  string // where it went: Authorization or Proxy-Authorization
	key     types.EncryptionKey
	ctime   time.Time // the authenticator's, which a mutual-auth answer echoes
	cusec   int
	ticket  *TicketInfo
	problem string // why Kerberos was not used (for the NTLM fallback's note)
}

// TicketInfo describes a Kerberos ticket without its key.
type TicketInfo struct {
	Client, Service, Realm string
	Start, End             time.Time
	Cache                  string // where it was read from, "" for a password login
}

func (*Negotiate) Scheme() string { return "Negotiate" }

func (n *Negotiate) now() time.Time {
	if n.Now != nil {
		return n.Now()
	}
	return time.Now()
}

// KerberosConfigPath is the krb5.conf gokrb5 reads: KRB5_CONFIG or
// /etc/krb5.conf.
func KerberosConfigPath() string {
	if p := os.Getenv("KRB5_CONFIG"); p != "" {
		p, _, _ = strings.Cut(p, ":") // MIT allows a list; the first is enough here
		return p
	}
	return "/etc/krb5.conf"
}

// CCachePath is the credential cache kinit writes: KRB5CCNAME (a FILE:
// cache) or /tmp/krb5cc_UID.
func CCachePath() (string, error) {
	if v := os.Getenv("KRB5CCNAME"); v != "" {
		kind, path, ok := strings.Cut(v, ":")
		if !ok {
			return v, nil
		}
		if strings.EqualFold(kind, "FILE") {
			return path, nil
		}
		return "", fmt.Errorf("KRB5CCNAME is a %s: cache, which keyhole cannot read; use a FILE: cache (KRB5CCNAME=FILE:/tmp/krb5cc_%d kinit user@REALM)", kind, os.Getuid())
	}
	return fmt.Sprintf("/tmp/krb5cc_%d", os.Getuid()), nil
}

// NoTicketError says that there is no usable Kerberos ticket and what to run.
type NoTicketError struct {
	Cache, Realm, Why string
}

func (e *NoTicketError) Error() string {
	return "no Kerberos ticket: " + e.Why + "; run " + e.Kinit() + " to get one"
}

// Kinit is the command that gets a ticket: kinit user@REALM.
func (e *NoTicketError) Kinit() string {
	realm := e.Realm
	if realm == "" {
		realm = "REALM"
	}
	return "kinit user@" + realm
}

func (n *Negotiate) config() (*config.Config, error) {
	path := n.Config
	if path == "" {
		path = KerberosConfigPath()
	}
	cfg, err := config.Load(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read the Kerberos configuration %s: %v; set KRB5_CONFIG to your krb5.conf", path, firstLine(err.Error()))
	}
	return cfg, nil
}

// Ticket reads the ticket-granting ticket from the credential cache, or
// returns a *NoTicketError saying why there is none.
func (n *Negotiate) Ticket() (*TicketInfo, *krbcreds.CCache, error) {
	cfg, _ := n.config()
	realm := ""
	if cfg != nil {
		realm = cfg.LibDefaults.DefaultRealm
	}
	path := n.CCache
	if path == "" {
		p, err := CCachePath()
		if err != nil {
			return nil, nil, &NoTicketError{Realm: realm, Why: err.Error()}
		}
		path = p
	}
	path = strings.TrimPrefix(path, "FILE:")
	cc, err := krbcreds.LoadCCache(path)
	if err != nil {
		why := "no credential cache at " + path
		if !errors.Is(err, os.ErrNotExist) {
			why = "the credential cache " + path + " does not read: " + firstLine(err.Error())
		}
		return nil, nil, &NoTicketError{Cache: path, Realm: realm, Why: why}
	}
	info := &TicketInfo{Client: cc.DefaultPrincipal.PrincipalName.PrincipalNameString() + "@" + cc.DefaultPrincipal.Realm, Realm: cc.DefaultPrincipal.Realm, Cache: path}
	if realm == "" {
		realm = cc.DefaultPrincipal.Realm
	}
	tgt := types.PrincipalName{NameType: 2, NameString: []string{"krbtgt", cc.DefaultPrincipal.Realm}}
	cred, ok := cc.GetEntry(tgt)
	if !ok {
		return nil, nil, &NoTicketError{Cache: path, Realm: realm, Why: "the credential cache " + path + " holds no ticket-granting ticket for " + info.Client}
	}
	info.Service, info.Start, info.End = "krbtgt/"+info.Realm, cred.StartTime, cred.EndTime
	if !cred.EndTime.IsZero() && n.now().After(cred.EndTime) {
		return info, nil, &NoTicketError{Cache: path, Realm: info.Realm, Why: fmt.Sprintf("the ticket of %s expired at %s", info.Client, cred.EndTime.UTC().Format(time.RFC3339))}
	}
	return info, cc, nil
}

// HasTicket reports whether the credential cache holds a ticket-granting
// ticket, expired or not: an expired one is answered with too, so that the
// attempt says it expired (kinit again) rather than that there is none.
func HasTicket() bool {
	info, _, err := (&Negotiate{}).Ticket()
	return err == nil || info != nil
}

// Apply answers ch. Without a token in ch (the server's first "Negotiate")
// it sends a Kerberos AP-REQ for HTTP/host in an SPNEGO NegTokenInit; when
// Kerberos cannot be used and NTLM is set, an NTLM type 1 instead. A token
// carrying an NTLM type 2 gets the type 3.
func (n *Negotiate) Apply(r *httpclient.Request, ch *httpclient.Challenge) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	header := HeaderFor(ch)
	if ch != nil && ch.Token68 != "" && n.NTLM != nil && n.sent == "ntlm1" {
		msg, err := NTLMAuthenticate(ch.Token68, n.NTLM.User, n.NTLM.Password)
		if err != nil {
			return err
		}
		r.Header.Set(header, "Negotiate "+base64.StdEncoding.EncodeToString(msg))
		r.Conn, n.sent = n.conn, "ntlm3"
		return nil
	}
	if n.conn != nil {
		n.conn.Close()
	}
	n.conn = httpclient.NewConn()
	n.header = header
	tok, err := n.ready, error(nil)
	if tok == nil || n.readyTo != r.URL || n.now().Sub(n.readyAt) > readyFor {
		tok, err = n.kerberos(r.URL)
	}
	n.ready = nil
	if err != nil {
		if n.NTLM == nil {
			return err
		}
		// NTLM inside Negotiate: the raw type 1 (RFC 4559 §5 lets the
		// server pick; Windows servers take it).
		n.problem = err.Error()
		if err := n.NTLM.Validate(); err != nil {
			return err
		}
		t1, err := ntlmssp.NewNegotiateMessage("", "")
		if err != nil {
			return fmt.Errorf("ntlm: building the type 1 message: %w", err)
		}
		r.Header.Set(header, "Negotiate "+base64.StdEncoding.EncodeToString(t1))
		r.Conn, n.sent = n.conn, "ntlm1"
		return nil
	}
	r.Header.Set(header, "Negotiate "+base64.StdEncoding.EncodeToString(tok))
	r.Conn, n.sent, n.problem = n.conn, "kerberos", ""
	return nil
}

// readyFor is how long a token Ready got is sent rather than a new one:
// well inside the five minutes of clock skew servers allow an authenticator.
const readyFor = 30 * time.Second

// Ready gets now the Kerberos token the next Apply sends for rawURL, so that
// the caller learns before sending anything whether a ticket can be had (curl
// stops there: no request goes without one). It returns the Kerberos failure,
// or nil when a token is ready or NTLM inside Negotiate answers instead.
func (n *Negotiate) Ready(rawURL string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	tok, err := n.kerberos(rawURL)
	if err != nil {
		if n.NTLM != nil {
			return nil
		}
		return err
	}
	n.ready, n.readyAt, n.readyTo = tok, n.now(), rawURL
	return nil
}

// kerberos gets a service ticket for the URL's host (or Host) and returns
// the SPNEGO token carrying it.
func (n *Negotiate) kerberos(rawURL string) ([]byte, error) {
	host := n.Host
	if host == "" {
		u, err := url.Parse(rawURL)
		if err != nil || u.Hostname() == "" {
			return nil, fmt.Errorf("negotiate: %q has no host to ask a ticket for", rawURL)
		}
		host = u.Hostname()
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	spn := "HTTP/" + host
	cfg, err := n.config()
	if err != nil {
		return nil, err
	}
	var cl *krbclient.Client
	info, cc, err := n.Ticket()
	var nt *NoTicketError
	user, realm, named := strings.Cut(n.User, "@")
	realm = strings.ToUpper(realm)
	// A password login only goes to a realm the user named (-u
	// user@REALM) and krb5.conf lists: a distribution's placeholder
	// default_realm (Debian's ATHENA.MIT.EDU) must not receive a try with
	// the password.
	_, listed := kdcsOf(cfg, realm)
	if err != nil && !(errors.As(err, &nt) && named && listed && n.Password != "") {
		return nil, err
	}
	if err != nil {
		cl = krbclient.NewWithPassword(user, realm, n.Password, cfg, krbclient.DisablePAFXFAST(true))
		if err := cl.Login(); err != nil {
			kdcs, _ := kdcsOf(cfg, realm)
			return nil, kerberosError("logging in as "+user+"@"+strings.ToUpper(realm), err, host, kdcs)
		}
		info = &TicketInfo{Client: user + "@" + realm, Realm: realm}
	} else {
		cl, err = krbclient.NewFromCCache(cc, cfg, krbclient.DisablePAFXFAST(true))
		if err != nil {
			return nil, fmt.Errorf("negotiate: the credential cache %s does not hold a usable ticket: %v; run kinit again", info.Cache, firstLine(err.Error()))
		}
	}
	tkt, key, err := cl.GetServiceTicket(spn)
	if err != nil {
		kdcs, _ := kdcsOf(cfg, info.Realm)
		return nil, kerberosError("getting a ticket for "+spn, err, host, kdcs)
	}
	k, err := spnego.NewKRB5TokenAPREQ(cl, tkt, key,
		[]int{gssapi.ContextFlagInteg, gssapi.ContextFlagConf, gssapi.ContextFlagMutual},
		[]int{flags.APOptionMutualRequired})
	if err != nil {
		return nil, fmt.Errorf("negotiate: building the AP-REQ: %v", firstLine(err.Error()))
	}
	// The mutual-auth answer echoes the authenticator's time: keep it.
	if plain, err := crypto.DecryptEncPart(k.APReq.EncryptedAuthenticator, key, keyusage.AP_REQ_AUTHENTICATOR); err == nil {
		var a types.Authenticator
		if a.Unmarshal(plain) == nil {
			n.ctime, n.cusec = a.CTime, a.Cusec
		}
	}
	mt, err := k.Marshal()
	if err != nil {
		return nil, fmt.Errorf("negotiate: encoding the AP-REQ: %v", firstLine(err.Error()))
	}
	st := spnego.SPNEGOToken{Init: true, NegTokenInit: spnego.NegTokenInit{
		MechTypes: []asn1.ObjectIdentifier{gssapi.OIDKRB5.OID()}, MechTokenBytes: mt,
	}}
	b, err := st.Marshal()
	if err != nil {
		return nil, fmt.Errorf("negotiate: encoding the SPNEGO token: %v", firstLine(err.Error()))
	}
	n.key = key
	// The service ticket's own times are inside its part encrypted for the
	// service; the ticket-granting ticket's, from the cache, bound them.
	n.ticket = &TicketInfo{Client: info.Client, Service: spn, Realm: tkt.Realm, Cache: info.Cache, Start: info.Start, End: info.End}
	return b, nil
}

// kdcsOf reports whether krb5.conf lists KDCs for realm.
func kdcsOf(cfg *config.Config, realm string) ([]string, bool) {
	if realm == "" {
		return nil, false
	}
	for _, r := range cfg.Realms {
		if strings.EqualFold(r.Realm, realm) && len(r.KDC) > 0 {
			return r.KDC, true
		}
	}
	return nil, false
}

// KerberosError is a Kerberos failure in plain words: the KDC refused or
// did not answer, so no ticket could be sent. Doing is what keyhole was
// doing ("getting a ticket for HTTP/host"), Words the cause, Next what to do.
type KerberosError struct{ Doing, Words, Next string }

func (e *KerberosError) Error() string { return "kerberos: " + e.Doing + ": " + e.Words }

// Unmade: no ticket could be had, so nothing was sent (see credentials.Unmade).
func (*KerberosError) Unmade() {}

// Unmade: there is no ticket to send (see credentials.Unmade).
func (*NoTicketError) Unmade() {}

// kerberosError puts a gokrb5 error in plain words; kdcs are the KDCs
// krb5.conf lists for the realm asked.
func kerberosError(doing string, err error, host string, kdcs []string) error {
	msg := err.Error()
	for code := int32(0); code <= 100; code++ {
		name, _, _ := strings.Cut(errorcode.Lookup(code), " ")
		if strings.HasPrefix(name, "(") { // "(7) KDC_ERR_S_PRINCIPAL_UNKNOWN ..."
			_, rest, _ := strings.Cut(errorcode.Lookup(code), ") ")
			name, _, _ = strings.Cut(rest, " ")
		}
		if !strings.HasPrefix(name, "K") || !strings.Contains(msg, name) {
			continue
		}
		e := &KerberosError{Doing: doing, Words: KerberosErrorWords(code), Next: KerberosNext(code, host)}
		if e.Words == "" {
			e.Words = name
		}
		if name == "KDC_ERR_S_PRINCIPAL_UNKNOWN" {
			if cname, err := net.LookupCNAME(host); err == nil && !strings.EqualFold(strings.TrimSuffix(cname, "."), host) {
				e.Words += fmt.Sprintf("; %s is a CNAME for %s, so the SPN may be HTTP/%s", host, strings.TrimSuffix(cname, "."), strings.TrimSuffix(cname, "."))
			}
		}
		return e
	}
	low := strings.ToLower(msg)
	if strings.Contains(low, "networking") || strings.Contains(low, "connection refused") || strings.Contains(low, "could not get") || strings.Contains(low, "i/o timeout") || strings.Contains(low, "no kdcs") {
		parts := strings.Split(firstLine(msg), ": ")
		cause := strings.Join(parts[max(0, len(parts)-2):], ": ") // "connect: connection refused"
		at := "the KDC of the realm in krb5.conf"
		if len(kdcs) > 0 {
			at = "the KDC at " + strings.Join(kdcs, ", ")
		}
		return &KerberosError{Doing: doing,
			Words: fmt.Sprintf("no KDC answered: %s did not answer (%s)", at, cause),
			Next:  "Check that " + at + " runs and is reachable from here (krb5.conf, KRB5_CONFIG, says where it is), then send again."}
	}
	return &KerberosError{Doing: doing, Words: firstLine(msg), Next: "Run kinit again (klist shows the ticket you hold), then send again."}
}

// KerberosNext is the next step after a Kerberos error code, from the KDC
// or the service at host.
func KerberosNext(code int32, host string) string {
	switch code {
	case errorcode.KRB_AP_ERR_SKEW:
		return "Check the clock of this machine (and the KDC's): set it with NTP, then send again."
	case errorcode.KDC_ERR_S_PRINCIPAL_UNKNOWN:
		return "The KDC was asked for HTTP/" + host + ". Send to the host name the service principal was made for (not an IP address or an alias); its owners can tell you which."
	case errorcode.KRB_AP_ERR_TKT_EXPIRED, errorcode.KDC_ERR_TGT_REVOKED:
		return "Run kinit again, then send again."
	case errorcode.KDC_ERR_C_PRINCIPAL_UNKNOWN, errorcode.KDC_ERR_PREAUTH_FAILED:
		return "Run kinit again with the right user@REALM and password."
	case errorcode.KRB_AP_ERR_MODIFIED, errorcode.KRB_AP_ERR_BADKEYVER:
		return "Check with klist that the ticket is for HTTP/" + host + "; if it is, the server's keytab does not match the KDC's key for it (its owners can make a new one)."
	}
	return "Run kinit again (klist shows the ticket you hold), then send again."
}

// Continues reports whether ch carries the NTLM type 2 that answers an NTLM
// type 1 sent inside Negotiate. A Kerberos exchange has one leg.
func (n *Negotiate) Continues(ch *httpclient.Challenge) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.sent != "ntlm1" || ch == nil || ch.Token68 == "" {
		return false
	}
	t, err := DecodeNegotiateToken(ch.Token68)
	return err == nil && t.NTLM != nil && t.NTLM.Type == 2
}

// ConnectionBound is true: IIS and Apache tie Negotiate to the connection.
func (*Negotiate) ConnectionBound() bool { return true }

// Forget drops the connection and the session key.
func (n *Negotiate) Forget() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.conn != nil {
		n.conn.Close()
	}
	n.conn, n.sent, n.key, n.ticket, n.ready = nil, "", types.EncryptionKey{}, nil, nil
}

// Sent describes what the last Apply sent: the Kerberos ticket's client,
// service, realm and times (never its key), or the NTLM fallback and why.
func (n *Negotiate) Sent() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	switch n.sent {
	case "kerberos":
		t := n.ticket
		s := fmt.Sprintf("a Kerberos ticket of %s for %s in realm %s", t.Client, t.Service, t.Realm)
		if !t.End.IsZero() {
			s += fmt.Sprintf("; the ticket-granting ticket is valid %s to %s", t.Start.UTC().Format(time.RFC3339), t.End.UTC().Format(time.RFC3339))
		}
		if t.Cache != "" {
			s += " (from " + t.Cache + ")"
		}
		return httpclient.SafeLine(s)
	case "ntlm1", "ntlm3":
		return httpclient.SafeLine("NTLM inside Negotiate, since Kerberos could not be used: " + n.problem)
	}
	return ""
}

// Answered checks the server's (or the proxy's) last Negotiate token, on
// the answer to a Kerberos leg: a mutual-authentication AP-REP must decrypt
// with the session key and echo the authenticator's time, proving the
// server holds the service's key. ok is false with why when it does not;
// verified tells whether there was a proof to check.
func (n *Negotiate) Answered(resp *httpclient.Response) (verified bool, why string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.sent != "kerberos" || resp == nil || resp.Status == 401 || resp.Status == 407 {
		return false, "" // a refusal proves nothing either way
	}
	challenge := httpclient.WWWAuthenticate
	if n.header == "Proxy-Authorization" {
		challenge = httpclient.ProxyAuthenticate
	}
	for _, v := range resp.Header.Values(challenge) {
		scheme, tok, _ := strings.Cut(strings.TrimSpace(v), " ")
		if !strings.EqualFold(scheme, "Negotiate") || strings.TrimSpace(tok) == "" {
			continue
		}
		return n.verifyAPRep(strings.TrimSpace(tok))
	}
	return false, ""
}

func (n *Negotiate) verifyAPRep(tok string) (bool, string) {
	raw, err := base64.StdEncoding.DecodeString(tok)
	if err != nil {
		return false, "the server's Negotiate answer is not base64"
	}
	var st spnego.SPNEGOToken
	if err := st.Unmarshal(raw); err != nil || !st.Resp {
		return false, "the server's Negotiate answer is not an SPNEGO NegTokenResp"
	}
	if st.NegTokenResp.NegState != 0 {
		return false, "the server's SPNEGO answer is not accept-completed"
	}
	if len(st.NegTokenResp.ResponseToken) == 0 {
		return false, ""
	}
	var k spnego.KRB5Token
	if err := k.Unmarshal(st.NegTokenResp.ResponseToken); err != nil || !k.IsAPRep() {
		return false, "the server's answer carries no Kerberos AP-REP"
	}
	plain, err := crypto.DecryptEncPart(k.APRep.EncPart, n.key, keyusage.AP_REP_ENCPART)
	if err != nil {
		return true, "the AP-REP does not decrypt with the session key: the answer did not come from the service the ticket was for"
	}
	var part messages.EncAPRepPart
	if err := part.Unmarshal(plain); err != nil {
		return true, "the AP-REP's encrypted part does not decode"
	}
	if !part.CTime.Equal(n.ctime) || part.Cusec != n.cusec {
		return true, "the AP-REP echoes another time than the one sent: a replayed or forged answer"
	}
	return true, ""
}

// negotiateDetail tells Negotiate headers apart: the service of a Kerberos
// ticket, or the NTLM message inside.
func negotiateDetail(value string) string {
	t, err := DecodeNegotiateToken(value)
	if err != nil {
		return ""
	}
	if t.NTLM != nil {
		return fmt.Sprintf("NTLM type %d", t.NTLM.Type)
	}
	return t.Service
}

func init() {
	Register(Description{
		// Negotiate sends a ticket good for this one service, and no
		// secret at all: it ranks first.
		Mode: "negotiate", Order: 80, Title: "Negotiate (Kerberos)", Wire: "Negotiate", Rank: 35, Proxy: true,
		Fields: []Field{
			{Key: "user", Label: "User", Flag: "-u", Optional: true, Hint: "empty: the ticket from kinit"},
			{Key: "password", Label: "Password", Flag: "-u", Secret: true, Optional: true, Hint: "for NTLM inside Negotiate, or user@REALM's login"},
		},
		Headers: []string{"Authorization"}, Curl: "--negotiate",
		Explain: negotiateWords, Token: negotiateToken, About: aboutNegotiate, Offered: negotiateOffered,
		Unanswered: noTicket,
		Build: func(v map[string]string) (Authorizer, error) {
			n := &Negotiate{User: v["user"], Password: v["password"]}
			if n.User != "" {
				n.NTLM = &NTLM{User: n.User, Password: n.Password}
			}
			return n, nil
		},
		Detail: negotiateDetail, CurlArgs: negotiateCurl,
	})
}

// negotiateWords says what a Negotiate challenge's token is: none (asking
// for a Kerberos ticket, for the proxy's host when a proxy asks), or the
// SPNEGO answer in short.
func negotiateWords(c httpclient.Challenge) string {
	if c.Token68 == "" && c.Header == httpclient.ProxyAuthenticate {
		return ProxyTicketWords("")
	}
	if c.Token68 == "" {
		return "wants a Kerberos ticket for HTTP/host (SPNEGO), from kinit's credential cache"
	}
	t, err := DecodeNegotiateToken(c.Token68)
	if err != nil {
		return "a malformed Negotiate token: " + httpclient.SafeLine(err.Error())
	}
	return httpclient.SafeLine(t.Describe(time.Time{})[0])
}

// ProxyTicketWords says what a proxy's Negotiate without a token asks for:
// a ticket for HTTP/<the proxy's host>; host "" when it is not known.
func ProxyTicketWords(host string) string {
	service := "the proxy's HTTP/host"
	if host != "" {
		service = "HTTP/" + httpclient.SafeLine(host) + ", the proxy's"
	}
	return "wants a Kerberos ticket for " + service + ", not the server's (SPNEGO), from kinit's credential cache"
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

// negotiateCurl: curl --negotiate -u : (--proxy-negotiate -U : for a
// proxy), curl's way to say the ticket from kinit; NTLM inside Negotiate
// is -u with the user as for NTLM.
func negotiateCurl(value string, _ http.Header, proxy bool) []CurlOption {
	if t, err := DecodeNegotiateToken(value); err == nil && t.NTLM != nil {
		return curlLogin("--negotiate", proxy, ntlmCurlUser(t.NTLM), CurlPiece{Unsent: true})
	}
	if proxy {
		return []CurlOption{{Name: "--proxy-negotiate"}, {Name: "-U", Value: []CurlPiece{{Text: ":"}}}}
	}
	return []CurlOption{{Name: "--negotiate"}, {Name: "-u", Value: []CurlPiece{{Text: ":"}}}}
}
