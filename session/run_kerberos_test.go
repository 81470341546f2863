package session

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"keyhole/credentials"
	"keyhole/httpclient"
	"keyhole/practice"
)

// The picker's Negotiate answer (an offer added after the 401) without a
// ticket sends nothing, and the 401's attempt records why (kerberos-error in
// place of negotiate-no-ticket), once however often it is tried: the TUI
// draws it from Attempts, as keyhole send prints it.
func TestRunRecordsTheTicketThatCouldNotBeHad(t *testing.T) {
	p := startPractice(t)
	s := New(httpclient.New(httpclient.Options{}), httpclient.Request{Method: "GET", URL: p.URL + practice.NegotiatePath, Header: http.Header{}})
	w := &Wallet{}
	bare := s.Run(t.Context(), w, Policy{})
	if len(bare.Attempts) != 1 || bare.Attempts[0].Status() != 401 {
		t.Fatalf("the bare request: %+v", bare)
	}
	shown := bare.Attempts[0] // what a face drew
	noRealm := filepath.Join(t.TempDir(), "krb5.conf")
	if err := os.WriteFile(noRealm, []byte("[libdefaults]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	origin, _ := OriginFor(p.URL)
	w.Add(&Offer{Auth: &credentials.Negotiate{Config: noRealm, CCache: noRealm + ".ccache"}, Origin: origin, Source: "form"})
	for range 2 {
		if out := s.Run(t.Context(), w, Policy{}); out.Stop != StopError || len(out.Attempts) != 0 {
			t.Fatalf("the answer without a ticket: %s %q, %d attempts", out.Stop, out.Why, len(out.Attempts))
		}
	}
	as := s.Attempts()
	codes := map[string]int{}
	for _, f := range as[0].Findings {
		codes[f.Code]++
	}
	if len(as) != 1 || codes["kerberos-error"] != 1 || codes["negotiate-no-ticket"] != 0 {
		t.Errorf("%d attempts; the 401's findings %v", len(as), codes)
	}
	if findingCodes(shown)["kerberos-error"] {
		t.Error("the attempt a face holds changed under it")
	}
}

func findingCodes(a *Attempt) map[string]bool {
	m := map[string]bool{}
	for _, f := range a.Findings {
		m[f.Code] = true
	}
	return m
}
