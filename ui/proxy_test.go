package ui

import (
	"strings"
	"testing"

	"keyhole/practice"
)

// A proxy set from the palette carries the requests; its 407 is answered
// from the picker in Proxy-Authorization, and /proxy then answers 200.
func TestProxyFromThePalette(t *testing.T) {
	p, err := practice.StartProxy("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	m := started(t, 120, 40)
	m.compose.url.SetValue(m.srv.URL + "/proxy")
	for _, a := range m.actions() {
		if strings.HasPrefix(a.name, "proxy") {
			a.run(&m)
		}
	}
	if m.Overlay() != "proxy" {
		t.Fatalf("overlay %q after the proxy action", m.Overlay())
	}
	m = press(t, m, keys(p.URL)...)
	m = press(t, m, enter)
	if m.Overlay() != "" || !strings.Contains(m.Status(), "through "+p.URL) {
		t.Fatalf("after setting the proxy: overlay %q, status %q", m.Overlay(), m.Status())
	}
	m = press(t, m, enter) // send through the proxy
	if last := m.sess.Last(); last.Status() != 407 || m.Focused() != "picker" {
		t.Fatalf("through the proxy without credentials: %d, focus %s (status %q)", last.Status(), m.Focused(), m.Status())
	}
	m = press(t, m, enter)
	m = press(t, m, keys(practice.User)...)
	m = press(t, m, tab)
	m = press(t, m, keys(practice.Password)...)
	m = press(t, m, enter)
	last := m.sess.Last()
	if last.Status() != 200 || last.Exchange.Request.Header.Get("Proxy-Authorization") == "" {
		t.Fatalf("answered 407: %d, Proxy-Authorization sent %v (status %q)", last.Status(), last.Exchange.Request.Header.Get("Proxy-Authorization") != "", m.Status())
	}

	// A URL with credentials in it is refused: the picker answers the 407.
	if err := m.setProxy("http://alice:wonderland@" + strings.TrimPrefix(p.URL, "http://")); err == nil {
		t.Fatal("a proxy URL with a password was accepted")
	}
	if err := m.setProxy("ftp://x"); err == nil {
		t.Fatal("a non-http proxy URL was accepted")
	}
}
