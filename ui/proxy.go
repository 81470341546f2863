package ui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"keyhole/credentials"
	"keyhole/session"
)

// openProxy asks for the proxy URL; empty means the environment's
// (http_proxy, HTTPS_PROXY, NO_PROXY, as curl reads them).
func (m *Model) openProxy() {
	o := overlay{kind: ovProxy, title: "Proxy", hint: "enter applies, esc closes",
		head: []string{"Send every request through this forward proxy, e.g. the practice proxy",
			"(keyhole practice --proxy-addr 127.0.0.1:8402). Empty: http_proxy / HTTPS_PROXY / NO_PROXY, as curl.",
			"A 407 from the proxy is answered from the picker, in Proxy-Authorization.", ""}}
	o.fields = append(o.fields, m.overlayField(hinted(plain("URL", ""), "http://127.0.0.1:8402"), m.proxyURL))
	m.openOverlay(o)
}

func (m *Model) proxyKey(msg tea.KeyPressMsg) tea.Cmd {
	return m.fieldsKey(msg, func(v []string) tea.Cmd {
		if err := m.setProxy(v[0]); err != nil {
			m.fail(err)
			return nil
		}
		m.closeOverlay()
		m.info("Proxy: %s. Requests now go %s.", m.proxyName(), m.proxyRoute())
		return nil
	})
}

// setProxy takes a proxy URL ("" for the environment's) and rebuilds the client.
func (m *Model) setProxy(raw string) error { return m.setProxyFor(raw, nil) }

// setProxyFor takes a proxy URL and a no-proxy list (curl's -x and
// --noproxy, nil when not given) as keyhole send reads them (session.ParseProxy): http, https,
// socks5 or socks5h. A user and password in the URL become the proxy's
// credentials in the wallet, answering its 407 in the open as -U does.
func (m *Model) setProxyFor(raw string, noProxy *string) error {
	if raw == "" {
		m.proxy, m.proxyURL = session.ProxyFunc(nil, noProxy), ""
		m.sess.SetClient(m.newClient())
		return nil
	}
	u, userinfo, err := session.ParseProxy(raw)
	if err != nil {
		return fmt.Errorf("proxy: %v", err)
	}
	if userinfo != "" {
		at, err := session.OriginFor(u.String())
		if err != nil {
			return fmt.Errorf("proxy: %v", err)
		}
		user, pass, _ := strings.Cut(userinfo, ":")
		b := credentials.Basic{User: user, Password: pass}
		if err := b.Validate(); err != nil {
			return fmt.Errorf("proxy: %v", err)
		}
		m.wallet.Add(&session.Offer{Auth: b, Origin: at, Proxy: true, Source: "the proxy URL"})
	}
	m.proxy, m.proxyURL = session.ProxyFunc(u, noProxy), u.String()
	m.sess.SetClient(m.newClient())
	return nil
}

// proxyName says which proxy is set, for the palette and the status line.
func (m Model) proxyName() string {
	if m.proxyURL == "" {
		return "from the environment"
	}
	return credentials.RedactURL(m.proxyURL)
}

// proxyRoute says how the current request URL is reached.
func (m Model) proxyRoute() string {
	if p := m.sess.HTTPClient().ProxyFor(m.compose.url.Value()); p != "" {
		return "through " + safeLine(p)
	}
	return "directly"
}
