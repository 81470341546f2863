package main

import (
	"fmt"
	"io"

	"keyhole/credentials"
	"keyhole/httpclient"
	"keyhole/session"
)

// unansweredHint says, when the server's challenge went unanswered, what its
// scheme adds about why (Negotiate: no Kerberos ticket, and the kinit that
// gets one): the description's Unanswered hook, once per scheme.
func unansweredHint(last *session.Attempt, stderr io.Writer) {
	if last.Exchange == nil || last.Exchange.Request.Header.Get("Authorization") != "" {
		return
	}
	said := map[string]bool{}
	for _, c := range last.Exchange.Challenges {
		if c.Header != httpclient.WWWAuthenticate {
			continue
		}
		for _, d := range credentials.ForWire(c.Scheme) {
			if d.Unanswered == nil || said[d.Mode] {
				continue
			}
			said[d.Mode] = true
			if s := d.Unanswered(); s != "" {
				fmt.Fprintln(stderr, "keyhole send: "+s)
			}
		}
	}
}
