package ui

import (
	"strings"
	"testing"
)

// Two Digest challenges (SHA-256 and MD5) must not read as the same choice
// twice, and a finding that is only information carries no failure cross.
func TestPickerTellsSameSchemeChallengesApart(t *testing.T) {
	m := started(t, 160, 50)
	m.compose.url.SetValue(m.srv.URL + "/digest")
	m = press(t, m, enter)
	s := screen(m)
	mustContain(t, s, "Digest SHA-256", "Digest MD5")
	if strings.Contains(s, "› Digest\n") {
		t.Errorf("picker row is a bare 'Digest':\n%s", s)
	}
}

func TestSeverityMark(t *testing.T) {
	for sev, want := range map[string]string{"error": "✗", "warning": "!", "info": "·"} {
		if got := severityMark(sev); got != want {
			t.Errorf("severityMark(%q) = %q, want %q", sev, got, want)
		}
	}
}

// A 401 with no challenge preselects the API key, as its finding suggests.
func TestNoChallengePreselectsAPIKey(t *testing.T) {
	m := started(t, 120, 40)
	m.compose.url.SetValue(m.srv.URL + "/apikey")
	m = press(t, m, enter)
	if o, _ := m.chal.picked(); o.Mode != "apikey" {
		t.Fatalf("preselected %q on a 401 without a challenge, want apikey", o.Mode)
	}
	m = press(t, m, enter)
	m = press(t, m, tab)
	m = press(t, m, keys("practice-key")...)
	m = press(t, m, tab, enter)
	if last := m.sess.Last(); last.Status() != 200 {
		t.Fatalf("API key answer: %d (status %q)", last.Status(), m.Status())
	}
}

// When a redirect dropped the credentials, the trusted retry is preselected:
// enter resends them to the other origin and the lesson's target answers 200.
func TestDroppedOnRedirectPreselectsTrust(t *testing.T) {
	m := started(t, 120, 40)
	m.compose.url.SetValue(m.srv.URL + "/redirect")
	m = press(t, m, enter, enter)
	m = press(t, m, keys("alice")...)
	m = press(t, m, tab)
	m = press(t, m, keys("wonderland")...)
	m = press(t, m, enter)
	o, _ := m.chal.picked()
	if o.Action == nil || o.Action.Kind != "trust-redirect" || !strings.Contains(m.Status(), "is preselected") {
		t.Fatalf("preselected %+v (status %q), want the trust-redirect action", o, m.Status())
	}
	m = press(t, m, enter)
	if last := m.sess.Last(); last.Status() != 200 || !m.trust {
		t.Fatalf("after trusting: %d, trust %v (status %q)", last.Status(), m.trust, m.Status())
	}
}

// A plain Bearer challenge (no token realm or service, as a registry sends)
// lists no registry token: only a registry's challenge gets that row.
func TestPickerOffersRegistryTokenOnlyToARegistry(t *testing.T) {
	m := started(t, 120, 40)
	m.compose.url.SetValue(m.srv.URL + "/bearer")
	m = press(t, m, enter)
	s := screen(m)
	mustContain(t, s, "Bearer token")
	if strings.Contains(s, "Registry token") {
		t.Errorf("a plain Bearer challenge lists a registry token:\n%s", s)
	}
	m = started(t, 120, 40)
	m.compose.url.SetValue(m.srv.URL + "/registry/v2/")
	m = press(t, m, enter)
	mustContain(t, screen(m), "Bearer: Registry token")
}
