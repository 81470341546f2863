package session

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"keyhole/credentials"
	"keyhole/httpclient"
)

// connectionBound explains a 401 or 407 that answered an NTLM leg (NTLM,
// or NTLM inside Negotiate): the type 2 challenge that follows a type 1 is
// the exchange going to plan, not a refusal; after a type 3 it is. A
// Kerberos ticket refused is explained too. It reports whether ch was such
// a scheme.
func (d *diagnosis) connectionBound(ch *httpclient.Challenge, proxy bool) bool {
	if !ch.Is("NTLM") && !ch.Is("Negotiate") {
		return false
	}
	who := "server"
	header := "Authorization"
	if proxy {
		who, header = "proxy", "Proxy-Authorization"
	}
	value := d.header().Get(header)
	sent := ntlmIn(value)
	if ch.Is("Negotiate") && sent == nil {
		return d.kerberosRefused(ch, who, value)
	}
	switch {
	case sent != nil && sent.Type == 1 && ch.Token68 != "":
		m, err := ntlmOfToken(ch)
		if err != nil {
			d.add(Finding{Code: "ntlm-challenge-malformed", Severity: Error,
				Message: "The " + who + "'s NTLM type 2 challenge does not decode: " + clean(err.Error()) + ".",
				Next:    "keyhole cannot answer it; the " + who + "'s NTLM setup is broken (check it with another client, e.g. curl --ntlm)."})
			return true
		}
		if m.Type != 2 {
			d.add(Finding{Code: "ntlm-challenge-malformed", Severity: Error,
				Message: fmt.Sprintf("The %s answered the NTLM type 1 with a type %d message where its type 2 challenge belongs.", who, m.Type),
				Next:    "keyhole cannot answer it; the " + who + "'s NTLM setup is broken."})
			return true
		}
		// Not a refusal: the proxy's 407 is leg 2 of its NTLM exchange.
		d.out = slices.DeleteFunc(d.out, func(f Finding) bool { return f.Code == "proxy-auth-required" })
		d.add(Finding{Code: "ntlm-challenge", Severity: Info,
			Message: "Leg 2 of 3: the " + who + " answered the type 1 with its NTLM type 2 challenge (" + type2Words(m, d.in.Now) + ").",
			Next:    "keyhole answers it with a type 3 (NTLMv2) on the same connection; the password itself is never sent."})
		if len(m.Problems) > 0 {
			d.add(Finding{Code: "ntlm-challenge-odd", Severity: Warning,
				Message: "The " + who + "'s type 2 is not quite right: " + clean(strings.Join(m.Problems, "; ")) + ".",
				Next:    "keyhole answers it anyway, as curl does."})
		}
	case sent != nil && sent.Type == 3:
		if u := d.ex.Conn; u != nil && u.Opened && u.N > 1 {
			d.add(Finding{Code: "ntlm-connection-lost", Severity: Error,
				Message: fmt.Sprintf("The type 3 went out on a new connection (#%d): the one that carried the type 2 was closed, so the %s no longer knew its challenge.", u.N, who),
				Next:    "NTLM authenticates one kept-alive HTTP/1.1 connection: something between (a load balancer, a proxy, Connection: close) ends it between legs; go to the server directly or keep connections alive there."})
			return true
		}
		user := sent.User
		if sent.Domain != "" {
			user = sent.Domain + `\` + user
		}
		d.add(Finding{Code: "credentials-rejected", Severity: Error,
			Message: "The " + who + " refused the NTLM type 3 for " + `"` + clean(user) + `"` + ": the user name, domain or password is wrong (NTLM says no more)." + bodyHint(d.ex.Response),
			Next:    `Check the password, and give the domain with the user name when the account is in one: DOMAIN\user or user@domain.example.`})
	case sent != nil && sent.Type == 1:
		d.add(Finding{Code: "ntlm-no-challenge", Severity: Error,
			Message: "The " + who + " answered the NTLM type 1 without a type 2 challenge: it refuses NTLM from this client, or lost the connection's state.",
			Next:    "Check that the " + who + " really accepts NTLM here (curl --ntlm); a proxy in between may strip the exchange."})
	default:
		return false
	}
	return true
}

// type2Words sums up a type 2 in a few words: its target, the server's
// clock against the local one (NTLMv2 carries the server's timestamp back),
// and its flags.
func type2Words(m *credentials.NTLMMessage, now time.Time) string {
	var parts []string
	if m.TargetName != "" {
		parts = append(parts, "target "+clean(fmt.Sprintf("%q", m.TargetName)))
	}
	if t := m.ServerTime(); !t.IsZero() {
		parts = append(parts, "server clock "+stamp(t)+", "+credentials.SkewWords(t.Sub(now)))
	}
	parts = append(parts, "flags: "+strings.Join(credentials.NTLMFlagWords(m.Flags), ", "))
	return strings.Join(parts, "; ")
}

// sentNTLM says what an NTLM type 3 the request carried told the server:
// who, from where, and which response, its proof masked.
func (d *diagnosis) sentNTLM() {
	for _, header := range []string{"Authorization", "Proxy-Authorization"} {
		m, err := credentials.DecodeNTLMToken(d.header().Get(header))
		if err != nil || m.Type != 3 {
			continue
		}
		user := m.User
		if m.Domain != "" {
			user = m.Domain + `\` + user
		}
		kind := "NTLMv2 (NT proof masked)"
		if !m.NTLMv2() {
			kind = "NTLMv1"
		}
		msg := fmt.Sprintf("Leg 3 of 3: the type 3 in %s answers for %s with an %s", header, `"`+clean(user)+`"`, kind)
		if m.Workstation != "" {
			msg += ", from workstation " + clean(fmt.Sprintf("%q", m.Workstation))
		}
		if u := d.ex.Conn; u != nil {
			msg += ", on " + u.String()
		}
		d.add(Finding{Code: "ntlm-authenticate", Severity: Info, Message: msg + "."})
	}
}

// ntlmIn is the NTLM message a credential header value carries, directly
// ("NTLM ...") or inside Negotiate; nil for none.
func ntlmIn(value string) *credentials.NTLMMessage {
	scheme, _, _ := strings.Cut(strings.TrimSpace(value), " ")
	switch {
	case strings.EqualFold(scheme, "NTLM"):
		m, _ := credentials.DecodeNTLMToken(value)
		return m
	case strings.EqualFold(scheme, "Negotiate"):
		if t, err := credentials.DecodeNegotiateToken(value); err == nil {
			return t.NTLM
		}
	}
	return nil
}

// ntlmOfToken decodes the NTLM message of a challenge's token.
func ntlmOfToken(ch *httpclient.Challenge) (*credentials.NTLMMessage, error) {
	if ch.Is("NTLM") {
		return credentials.DecodeNTLMToken(ch.Token68)
	}
	t, err := credentials.DecodeNegotiateToken(ch.Token68)
	if err != nil {
		return nil, err
	}
	if t.NTLM == nil {
		return nil, fmt.Errorf("the Negotiate token carries no NTLM message (%s)", strings.Join(t.Describe(time.Time{}), "; "))
	}
	return t.NTLM, nil
}

// kerberosRefused explains a Negotiate challenge that answered a Kerberos
// ticket (value, the header sent), or none.
func (d *diagnosis) kerberosRefused(ch *httpclient.Challenge, who, value string) bool {
	t, err := credentials.DecodeNegotiateToken(value)
	if value == "" || err != nil {
		return false
	}
	service := t.Service
	if service == "" {
		service = "the service"
	}
	why := "it says no more"
	next := "Check with klist that the ticket is for " + clean(service) + " in the server's realm; a refusal with a valid ticket usually means the server's keytab does not match the KDC (its owners can check it)."
	if ch.Token68 != "" {
		if back, err := credentials.DecodeNegotiateToken(ch.Token68); err == nil {
			if w := credentials.KerberosErrorWords(back.KerberosError); w != "" {
				why = w
				// The KRB-ERROR says what to do: the clock, kinit again.
				next = credentials.KerberosNext(back.KerberosError, strings.TrimPrefix(t.Service, "HTTP/"))
			} else if back.KerberosError != 0 || back.State != "" {
				why = strings.Join(back.Describe(d.in.Now), "; ")
			}
		}
	}
	d.add(Finding{Code: "credentials-rejected", Severity: Error,
		Message: "The " + who + " refused the Kerberos ticket for " + clean(service) + ": " + clean(why) + "." + bodyHint(d.ex.Response),
		Next:    next})
	return true
}

// negotiateMissing explains a 401 that offers Negotiate to a request that
// carried nothing: there was no Kerberos ticket to send. It reports
// whether it did; "pick a scheme" would be no help.
func (d *diagnosis) negotiateMissing(offered []httpclient.Challenge) bool {
	if !offers(offered, "Negotiate") {
		return false
	}
	next := "Get a Kerberos ticket with kinit user@REALM (keyhole reads the credential cache KRB5CCNAME names, or /tmp/krb5cc_UID, as curl --negotiate -u : does), then send again."
	if offers(offered, "NTLM") {
		next += ` Or answer its NTLM with a Windows user (DOMAIN\user) and password.`
	}
	d.add(Finding{Code: "negotiate-no-ticket", Severity: Error,
		Message: "The server wants Kerberos: it offers " + schemeList(offered) + ", and this request carried no Kerberos ticket.",
		Next:    next})
	return true
}

// authorizerFindings are what the authorizer that answered (the server or,
// with proxy, the proxy) learned from the answer: a Reporter's notes (SCRAM),
// or the Kerberos ticket sent and the mutual-authentication proof, checked
// with the session key only the authorizer holds.
func authorizerFindings(auth credentials.Authorizer, a *Attempt, proxy bool) []Finding {
	if r, ok := auth.(credentials.Reporter); ok && a.Exchange != nil && a.Exchange.Response != nil {
		var out []Finding
		for _, n := range r.Report(a.Exchange.Response) {
			out = append(out, Finding{Code: n.Code, Severity: n.Severity, Message: clean(n.Message), Next: clean(n.Next)})
		}
		return out
	}
	n, ok := auth.(*credentials.Negotiate)
	if !ok || a.Exchange == nil {
		return nil
	}
	who, to := "server", ""
	if proxy {
		who, to = "proxy", " to the proxy"
	}
	var out []Finding
	if s := n.Sent(); s != "" {
		out = append(out, Finding{Code: "negotiate-sent", Severity: Info, Message: "Sent" + to + " " + s + "."})
	}
	switch verified, why := n.Answered(a.Exchange.Response); {
	case verified && why == "":
		out = append(out, Finding{Code: "negotiate-mutual", Severity: Info,
			Message: "The " + who + " proved it holds the service's key: its Kerberos AP-REP decrypts with the session key and echoes the time sent (mutual authentication)."})
	case why != "":
		out = append(out, Finding{Code: "negotiate-mutual-failed", Severity: Error,
			Message: "The " + who + "'s mutual-authentication answer does not check out: " + clean(why) + ".",
			Next:    "Do not trust this answer: something between you and the service answered in its place."})
	}
	return out
}

// ticketFindings puts, when the credential cache holds a usable ticket,
// what it changes in place of negotiate-no-ticket, whose "kinit" would
// mislead: every first request goes without a ticket, and the answer to the
// server's Negotiate carries one got with the ticket held.
func ticketFindings(fs []Finding, a *Attempt) []Finding {
	i := slices.IndexFunc(fs, func(f Finding) bool { return f.Code == "negotiate-no-ticket" })
	if i < 0 || a.Exchange == nil || a.Exchange.Request == nil {
		return fs
	}
	t, _, err := (&credentials.Negotiate{}).Ticket()
	if err != nil {
		return fs
	}
	host := "the host"
	if u, err := url.Parse(a.Exchange.Request.URL); err == nil {
		host = u.Hostname()
	}
	var offered []httpclient.Challenge
	for _, c := range a.Exchange.Challenges {
		if c.Header != httpclient.ProxyAuthenticate {
			offered = append(offered, c)
		}
	}
	until := ""
	if !t.End.IsZero() {
		until = ", valid until " + t.End.UTC().Format(time.RFC3339)
	}
	out := slices.Clone(fs)
	out[i] = Finding{Code: "negotiate-ticket", Severity: Info,
		Message: "The server asks for Negotiate (Kerberos): it offers " + schemeList(offered) + ". keyhole answers with the ticket it has: " +
			clean(t.Client) + "'s" + until + " (from " + clean(t.Cache) + "); it gets a ticket for HTTP/" + clean(host) + " with it."}
	return out
}

// Unmade returns a's finding that says the answer picked could not be made
// at all (a credentials.Unmade error: no Kerberos ticket could be had), so
// that nothing was refused. A face shows it in place of "refused".
func Unmade(a *Attempt) (Finding, bool) {
	for _, f := range a.Findings {
		if f.Code == "kerberos-error" {
			return f, true
		}
	}
	return Finding{}, false
}

// kerberosFindings puts the Kerberos failure that kept a ticket off this
// request (off its Proxy-Authorization, with proxy) in place of
// negotiate-no-ticket, which would say there was none, of negotiate-ticket,
// which would say the ticket held answers, of the same failure said before
// (the picker's answer tried again), and of proxy-auth-required, whose "enter the proxy's credentials" it
// answers.
func kerberosFindings(fs []Finding, err error, proxy bool) []Finding {
	f := Finding{Code: "kerberos-error", Severity: Error}
	to := ""
	if proxy {
		to = " to the proxy"
	}
	var ke *credentials.KerberosError
	var nt *credentials.NoTicketError
	switch {
	case errors.As(err, &ke):
		f.Message = "No Kerberos ticket was sent" + to + ": " + httpclient.SafeLine(ke.Doing) + " failed: " + httpclient.SafeLine(ke.Words) + "."
		f.Next = httpclient.SafeLine(ke.Next)
	case errors.As(err, &nt):
		f.Message = "No Kerberos ticket was sent" + to + ": " + httpclient.SafeLine(nt.Why) + "."
		f.Next = "Run " + httpclient.SafeLine(nt.Kinit()) + " to get one, then send again."
	}
	out := []Finding{f}
	for _, g := range fs {
		said := g.Code == f.Code && g.Message == f.Message
		if !said && g.Code != "negotiate-no-ticket" && g.Code != "negotiate-ticket" && !(proxy && g.Code == "proxy-auth-required") {
			out = append(out, g)
		}
	}
	return out
}
