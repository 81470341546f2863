package ui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

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

	// A non-http(s)/socks proxy is refused; a user and password in the URL
	// become the proxy's credentials, bound to the proxy, not a header.
	if err := m.setProxy("ftp://x"); err == nil {
		t.Fatal("an ftp:// proxy URL was accepted")
	}
	if err := m.setProxy("socks5://127.0.0.1:1080"); err != nil {
		t.Fatalf("socks5 proxy refused: %v", err)
	}
	if err := m.setProxy("http://alice:wonderland@" + strings.TrimPrefix(p.URL, "http://")); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(m.proxyName(), "wonderland") {
		t.Fatalf("the proxy's password is shown: %q", m.proxyName())
	}
	if o := m.wallet.Offers[len(m.wallet.Offers)-1]; !o.Proxy || o.Origin.String() != p.URL || o.Auth.Scheme() != "Basic" {
		t.Fatalf("user info in the proxy URL gave %+v, want a proxy Basic offer for %s", o, p.URL)
	}
}

// A pasted curl command with -x, -U and -u reaches the server through the
// proxy as curl does: the proxy's 407 answered with -U, the server's Basic
// sent up front.
func TestCurlImportThroughTheProxy(t *testing.T) {
	p, err := practice.StartProxy("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	m := started(t, 120, 40)
	m = press(t, m, esc)
	m.setFocus(focusURL)
	m = press(t, m, tea.PasteMsg{Content: "curl -x " + p.URL + " -U alice:wonderland -u alice:wonderland " + m.srv.URL + "/basic"})
	if !strings.Contains(m.Status(), "proxy "+p.URL) {
		t.Fatalf("status after the import: %q", m.Status())
	}
	m = press(t, m, enter)
	as := m.sess.Attempts()
	last := as[len(as)-1]
	if last.Status() != 200 || last.Exchange.Request.Header.Get("Proxy-Authorization") == "" {
		t.Fatalf("curl -x -U -u: %d after %d attempts (status %q)", last.Status(), len(as), m.Status())
	}
}

// The environment's proxy carries loopback requests as curl does, but never
// the built-in practice server's, which runs here: with http_proxy naming a
// proxy that does not listen, the lesson's request still reaches the
// practice server, and another loopback URL goes to the proxy.
func TestEnvironmentProxySkipsThePracticeServer(t *testing.T) {
	t.Setenv("http_proxy", "http://127.0.0.1:1")
	t.Setenv("no_proxy", "")
	t.Setenv("NO_PROXY", "")
	m := started(t, 120, 40)
	m = press(t, m, enter)
	if last := m.sess.Last(); last == nil || last.Status() != 401 || last.Exchange.Proxy != "" {
		t.Fatalf("the practice server through http_proxy: %+v (status %q)", last, m.Status())
	}
	if got := m.sess.HTTPClient().ProxyFor("http://127.0.0.1:9/x"); got != "http://127.0.0.1:1" {
		t.Errorf("another loopback URL goes through %q, want the environment's proxy", got)
	}
}
