package practice

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"keyhole/credentials"
	"keyhole/httpclient"
	"keyhole/internal/peers"
	"keyhole/session"
)

// A learner who holds a Kerberos ticket (kinit against a real MIT KDC) gets
// negotiate-ticket on the bare 401, not negotiate-no-ticket's "kinit", and
// the Negotiate lesson's steps still tick: the practice server knows no
// KDC, so the ticket for HTTP/127.0.0.1 cannot be had and NTLM inside
// Negotiate answers.
func TestNegotiateLessonTicksWithATicket(t *testing.T) {
	realm := peers.StartKerberos(t)
	realm.Kinit(t)
	for _, kv := range realm.CCacheEnv() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	s := start(t, Options{})
	l, _ := LessonFor(NegotiatePath)
	sess := session.New(httpclient.New(httpclient.Options{}), httpclient.Request{Method: "GET", URL: s.URL + NegotiatePath, Header: http.Header{}})
	w := &session.Wallet{}
	bare := sess.Run(t.Context(), w, session.Policy{})
	first := bare.Attempts[0]
	codes := seen(bare.Attempts)[0].Findings
	if first.Status() != 401 || !slices.Contains(codes, "negotiate-ticket") || slices.Contains(codes, "negotiate-no-ticket") {
		t.Fatalf("the bare request: %d %q", first.Status(), codes)
	}
	origin, _ := session.OriginFor(s.URL)
	w.Prefer(w.Add(&session.Offer{Origin: origin, Source: "form", Upfront: true,
		Auth: &credentials.Negotiate{NTLM: &credentials.NTLM{User: `PRACTICE\alice`, Password: Password}}}))
	answered := sess.Run(t.Context(), w, session.Policy{})
	if ticked := l.Progress(s.URL, append(seen(bare.Attempts), seen(answered.Attempts)...)); !Done(ticked) {
		t.Errorf("steps ticked %v; the answer: %v", ticked, answered.Err)
	}
}
