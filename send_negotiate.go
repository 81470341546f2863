package main

import (
	"errors"
	"fmt"
	"io"

	"keyhole/credentials"
	"keyhole/httpclient"
	"keyhole/session"
)

// noTicketHint says, when the server asked for Negotiate and nothing
// answered it, why there was no Kerberos ticket and the kinit that gets one
// for the configured realm (the finding can only say kinit user@REALM).
func noTicketHint(last *session.Attempt, stderr io.Writer) {
	if last.Exchange == nil || last.Exchange.Request.Header.Get("Authorization") != "" {
		return
	}
	for _, c := range last.Exchange.Challenges {
		if c.Header != httpclient.WWWAuthenticate || !c.Is("Negotiate") {
			continue
		}
		var nt *credentials.NoTicketError
		if _, _, err := (&credentials.Negotiate{}).Ticket(); errors.As(err, &nt) {
			fmt.Fprintln(stderr, "keyhole send: "+httpclient.SafeLine(nt.Error()))
		}
		return
	}
}
