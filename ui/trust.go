package ui

import (
	tea "charm.land/bubbletea/v2"

	"keyhole/credentials"
)

// askTrust asks, naming the host, whether the password a registry token
// held back from a token service on another origin may go there (the TUI's
// side of keyhole send --trust). Yes trusts that origin for these
// credentials and sends again; anything else keeps the password where it
// was given.
func (m *Model) askTrust() {
	for _, o := range m.wallet.Offers {
		rt, ok := o.Auth.(*credentials.RegistryToken)
		if !ok {
			continue
		}
		held, ok := rt.TakeHeldBack()
		if !ok {
			continue
		}
		host := safeLine(held.String())
		ov := overlay{kind: ovTrust, title: "Trust " + host + "?", hint: "enter answers, esc keeps the password here",
			head: []string{
				"The registry at " + safeLine(o.Origin.String()) + " names its token service at " + host + ",",
				"another origin. Your password was not sent there; the token was asked for",
				"anonymously. Send the password there only if you know that host.",
				"",
			}}
		ov.rows = []row{
			{label: "Do not trust " + host + ": keep the password here", act: func(m *Model) tea.Cmd {
				m.closeOverlay()
				m.info("The password stays with %s.", safeLine(o.Origin.String()))
				return nil
			}},
			{label: "Trust " + host + ": send the password there and send again", act: func(m *Model) tea.Cmd {
				m.closeOverlay()
				rt.Trust(held)
				return m.send()
			}},
		}
		m.openOverlay(ov)
		return
	}
}
