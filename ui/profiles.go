package ui

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"

	tea "charm.land/bubbletea/v2"

	"keyhole/credentials"
)

// profileStore is where the TUI keeps profile secrets: the OS keychain, or,
// with none (or KEYHOLE_NO_KEYCHAIN set), memory. It is one per process, not
// per Model, because "memory for the session" means until keyhole quits; it
// is made on first use, in a Cmd, since probing the keychain may wait on D-Bus.
var profileStore = sync.OnceValue(credentials.NewSecretStore)

// profileMu serialises the Cmds that read and rewrite the profiles file, so
// two saves in a row cannot each write a list without the other's profile.
var profileMu sync.Mutex

// openProfiles reads the profiles file afresh, so a profile saved meanwhile
// with 'keyhole profile save' in another terminal is listed too.
func openProfiles() (*credentials.Profiles, error) {
	path, err := credentials.DefaultProfilesPath()
	if err != nil {
		return nil, err
	}
	return credentials.OpenProfiles(path, profileStore())
}

// profilesMsg lists the profiles usable for host.
type profilesMsg struct {
	host string
	list []credentials.Profile
	err  error
}

// profileValuesMsg carries a profile's fields with its secrets resolved.
type profileValuesMsg struct {
	p      credentials.Profile
	values map[string]string
	err    error
}

// profileSavedMsg says where a saved profile went.
type profileSavedMsg struct {
	p     credentials.Profile
	path  string
	store string // credentials.StoreKeychain or StoreMemory
	err   error
}

// requestHost is the host[:port] of the request being composed.
func (m Model) requestHost() (string, error) {
	u, err := url.Parse(strings.TrimSpace(m.compose.url.Value()))
	if err != nil || u.Host == "" {
		return "", errors.New("profiles: the URL has no host; type the request URL first")
	}
	return u.Host, nil
}

// listProfiles reads the profiles for the request's host in a Cmd.
func (m *Model) listProfiles() tea.Cmd {
	host, err := m.requestHost()
	if err != nil {
		m.fail(err)
		return nil
	}
	m.info("Reading the profiles for %s…", host)
	return func() tea.Msg {
		profileMu.Lock()
		defer profileMu.Unlock()
		ps, err := openProfiles()
		if err != nil {
			return profilesMsg{host: host, err: err}
		}
		return profilesMsg{host: host, list: profilesFor(ps, host)}
	}
}

// profilesFor lists the profiles for host[:port], for its host name alone
// (any port, as 'keyhole send --profile' accepts), and for any host.
func profilesFor(ps *credentials.Profiles, host string) []credentials.Profile {
	out := ps.ForHost(host)
	if u, err := url.Parse("//" + host); err == nil && u.Hostname() != host {
		for _, p := range ps.ForHost(u.Hostname()) {
			if !slices.ContainsFunc(out, func(q credentials.Profile) bool { return q.Name == p.Name }) {
				out = append(out, p)
			}
		}
	}
	slices.SortFunc(out, func(a, b credentials.Profile) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// profilesListed opens the list of profiles; enter on one fills the form.
func (m *Model) profilesListed(msg profilesMsg) {
	switch {
	case msg.err != nil:
		m.fail(msg.err)
		return
	case len(msg.list) == 0:
		m.fail(fmt.Errorf("no saved profile for %s; fill a credentials form and use 'save these credentials as a profile'", safeLine(msg.host)))
		return
	}
	o := overlay{kind: ovProfiles, title: "Profiles for " + safeLine(msg.host), hint: "enter fills the form, esc closes",
		head: []string{"  " + padRight("name", 16) + " " + padRight("scheme", 10) + " " + padRight("user", 16) + " secrets", ""}}
	for _, p := range msg.list {
		o.rows = append(o.rows, row{label: profileRow(p), act: func(m *Model) tea.Cmd {
			m.closeOverlay()
			return m.useProfile(p)
		}})
	}
	m.info("%s for %s.", count(len(msg.list), "profile"), safeLine(msg.host))
	m.openOverlay(o)
}

// profileRow is one profile as listed: name, scheme, who it is, and where
// each secret lives. The file may have been edited by hand, so it is made
// safe like a server's text.
func profileRow(p credentials.Profile) string {
	who := p.Fields["user"]
	for _, k := range []string{"client_id", "api_key_name", "access_key"} {
		if who == "" {
			who = p.Fields[k]
		}
	}
	var where []string
	for _, k := range sortedFields(p.Secrets) {
		switch v := p.Secrets[k]; v {
		case "keychain":
			where = append(where, k+" in the OS keychain")
		case "memory":
			where = append(where, k+" in memory (until keyhole quits)")
		default:
			where = append(where, k+" from "+v)
		}
	}
	if len(where) == 0 {
		where = []string{"none"}
	}
	name := p.Name
	if p.Host == "" {
		name += " (any host)"
	}
	return safeLine(padRight(name, 16) + " " + padRight(p.Scheme, 10) + " " + padRight(who, 16) + " " + strings.Join(where, ", "))
}

func sortedFields(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// useProfile resolves the profile's secrets in a Cmd: a cmd: reference runs
// a program, and the keychain may wait on D-Bus.
func (m *Model) useProfile(p credentials.Profile) tea.Cmd {
	if _, ok := newForm(p.Scheme, false); !ok {
		m.fail(fmt.Errorf("profile %s is for %s, which has no form here; use it with keyhole send --profile %s", safeLine(p.Name), safeLine(p.Scheme), safeLine(p.Name)))
		return nil
	}
	m.info("Reading profile %s…", safeLine(p.Name))
	return func() tea.Msg {
		profileMu.Lock()
		defer profileMu.Unlock()
		ps, err := openProfiles()
		if err != nil {
			return profileValuesMsg{p: p, err: err}
		}
		v, err := ps.Values(p)
		return profileValuesMsg{p: p, values: v, err: err}
	}
}

// fillFromProfile puts a profile's values into its form, masked like
// anything typed, and focuses the last field so enter sends.
func (m *Model) fillFromProfile(msg profileValuesMsg) {
	if msg.err != nil {
		m.fail(msg.err)
		return
	}
	k := strings.ToLower(msg.p.Scheme)
	if m.form.kind != k {
		// A form the picker opened keeps its challenge's hints.
		m.form, _ = newForm(k, m.styles.isDark)
	}
	v := msg.values
	if c := v[m.form.choiceKey()]; slices.ContainsFunc(m.form.choices(), func(x credentials.Choice) bool { return x.Value == c }) {
		m.form.setChoice(c, m.styles.isDark)
	}
	for i := range m.form.fields {
		m.form.fields[i].in.SetValue(v[m.form.fields[i].key])
	}
	m.setFocus(focusForm)
	m.form.blur()
	m.form.focus(len(m.form.fields) - 1) // on the last field, so enter sends
	m.info("%s credentials filled from profile %s; enter sends.", m.form.label(), safeLine(msg.p.Name))
}

// askProfileName opens a small form for the new profile's name and host,
// after checking there are credentials to save.
func (m *Model) askProfileName() {
	if !m.form.valid() {
		m.fail(errors.New("profiles: no credentials form is open; pick a scheme for the challenge and fill its form first"))
		return
	}
	host, err := m.requestHost()
	if err != nil {
		m.fail(err)
		return
	}
	if m.srv != nil && origin(m.compose.url.Value()) == origin(m.srv.URL) {
		// The practice server listens on a new port every run: a profile
		// for its host name alone (any port) is found next time.
		if u, err := url.Parse(m.srv.URL); err == nil {
			host = u.Hostname()
		}
	}
	o := overlay{kind: ovProfileName, title: "Save as a profile", hint: "tab next field, enter on the last saves, esc closes",
		head: []string{"Saves the " + m.form.label() + " form for reuse: 'use a saved profile' fills it again.",
			"Host: host[:port] it is for (host alone: any port; empty: any host).",
			"Secrets go to the OS keychain; with none, to memory until keyhole quits. A field holding",
			"env:NAME, file:PATH or cmd:COMMAND is saved as that reference and read when used.", ""}}
	for _, f := range []field{plain("Name", safeLine(host)), hinted(plain("Host", safeLine(host)), "empty: any host")} {
		o.fields = append(o.fields, m.overlayField(f, f.def))
	}
	m.openOverlay(o)
}

// profileNameKey edits the name form; enter on the last field saves.
func (m *Model) profileNameKey(msg tea.KeyPressMsg) tea.Cmd {
	return m.fieldsKey(msg, func(v []string) tea.Cmd { return m.saveProfile(v[0], v[1]) })
}

// saveProfile saves the form in a Cmd; the name form stays open until it
// is saved, so a refused name can be fixed.
func (m *Model) saveProfile(name, host string) tea.Cmd {
	// A profile's keys are the description's field keys, the names
	// 'keyhole profile save' and send --profile use: empty fields are left
	// out, so an empty secret is never stored.
	scheme, values := m.form.kind, m.form.values()
	m.info("Saving profile %s…", safeLine(name))
	return func() tea.Msg {
		profileMu.Lock()
		defer profileMu.Unlock()
		ps, err := openProfiles()
		if err != nil {
			return profileSavedMsg{err: err}
		}
		p, err := ps.Save(name, host, scheme, values)
		return profileSavedMsg{p: p, path: ps.Path, store: ps.Store.Kind(), err: err}
	}
}

// profileSaved says where the profile and its secrets went; with no
// keychain, that a typed secret lasts only until keyhole quits.
func (m *Model) profileSaved(msg profileSavedMsg) {
	if msg.err != nil {
		m.fail(msg.err)
		return
	}
	if m.ov.kind == ovProfileName {
		m.closeOverlay()
	}
	host := msg.p.Host
	if host == "" {
		host = "any host"
	}
	var refs, kept []string
	for _, k := range sortedFields(msg.p.Secrets) {
		if where := msg.p.Secrets[k]; credentials.IsReference(where) {
			refs = append(refs, k+" from "+where)
		} else {
			kept = append(kept, k)
		}
	}
	var secrets string
	switch {
	case len(kept) > 0 && msg.store == credentials.StoreKeychain:
		secrets = strings.Join(kept, ", ") + " in the OS keychain"
	case len(kept) > 0:
		secrets = strings.Join(kept, ", ") + " only in memory until keyhole quits (no keychain available); to keep it, type env:NAME, file:PATH or cmd:COMMAND in the field and save again"
	}
	if len(refs) > 0 {
		if secrets != "" {
			secrets += "; "
		}
		secrets += strings.Join(refs, ", ") + " (read when used)"
	}
	if secrets == "" {
		secrets = "no secrets"
	}
	// The warning comes before the path, so a narrow status line keeps it.
	m.info("Saved profile %s for %s: %s. File: %s", safeLine(msg.p.Name), safeLine(host), safeLine(secrets), msg.path)
}

// profileMsg handles the profile Cmds' messages.
func (m *Model) profileMsg(msg tea.Msg) {
	switch msg := msg.(type) {
	case profilesMsg:
		m.profilesListed(msg)
	case profileValuesMsg:
		m.fillFromProfile(msg)
	case profileSavedMsg:
		m.profileSaved(msg)
	}
}
