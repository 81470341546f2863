package ui

import (
	"fmt"
	"net/http"
	"net/url"

	tea "charm.land/bubbletea/v2"

	"keyhole/credentials"
)

// openProxy asks for the proxy URL; empty means the environment's
// (HTTP_PROXY, HTTPS_PROXY, NO_PROXY).
func (m *Model) openProxy() {
	o := overlay{kind: ovProxy, title: "Proxy", hint: "enter applies, esc closes",
		head: []string{"Send every request through this forward proxy, e.g. the practice proxy",
			"(keyhole practice --proxy-addr 127.0.0.1:8402). Empty: HTTP_PROXY / HTTPS_PROXY / NO_PROXY.",
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
func (m *Model) setProxy(raw string) error {
	if raw == "" {
		m.proxy, m.proxyURL = nil, ""
		m.sess.SetClient(m.newClient())
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("proxy: %q is not an http(s) URL with a host; type one like http://127.0.0.1:8402", safeLine(raw))
	}
	if u.User != nil {
		return fmt.Errorf("proxy: leave the user and password out of the URL; answer the proxy's 407 from the picker instead")
	}
	m.proxy, m.proxyURL = http.ProxyURL(u), u.String()
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
