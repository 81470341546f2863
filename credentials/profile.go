package credentials

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"keyhole/httpclient"
)

// Profile is a named set of credentials the user saved to reuse: a scheme and
// its fields, optionally tied to one host. Non-secret fields are kept in the
// profiles file; each secret field is kept in the SecretStore or as a
// reference (env:, file:, cmd:), and Secrets only says where.
type Profile struct {
	Name    string            `json:"name"`
	Host    string            `json:"host,omitempty"` // host[:port] it is for; "" means any
	Scheme  string            `json:"scheme"`         // basic, digest, bearer, apikey, oauth2, aws-sigv4, ...
	Fields  map[string]string `json:"fields,omitempty"`
	Secrets map[string]string `json:"secrets,omitempty"` // field → "keychain", "memory" or a reference
}

// Where a profile's secret is kept, besides a reference.
const (
	inKeychain = "keychain"
	inMemory   = "memory"
)

// IsSecretField reports whether a profile field holds a secret: its value
// never goes into the profiles file.
func IsSecretField(name string) bool { return slices.Contains(SecretKeys(), strings.ToLower(name)) }

// Profiles is the user's saved profiles, read from and written to one file.
type Profiles struct {
	Path  string
	Store *SecretStore
	// AllowCommands lets Values run a cmd: reference this machine has not
	// seen saved (keyhole send --allow-cmd): a profiles file copied from
	// someone else is code. Each command allowed is trusted from then on.
	AllowCommands bool
	list          []Profile
}

type profilesFile struct {
	Version  int       `json:"version"`
	Profiles []Profile `json:"profiles"`
}

const profilesVersion = 1

// DefaultProfilesPath is os.UserConfigDir()/keyhole/profiles.json.
func DefaultProfilesPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("cannot find the configuration folder: %v; set XDG_CONFIG_HOME or HOME", err)
	}
	return filepath.Join(dir, "keyhole", "profiles.json"), nil
}

// OpenProfiles reads the profiles at path; a missing file is an empty set.
func OpenProfiles(path string, store *SecretStore) (*Profiles, error) {
	ps := &Profiles{Path: path, Store: store}
	b, err := ReadFileLimit(path, MaxSmallFile)
	if errors.Is(err, os.ErrNotExist) {
		return ps, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read profiles: %v", err)
	}
	var f profilesFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("profiles file %s is not valid JSON (%v); fix or remove it", path, err)
	}
	if f.Version > profilesVersion {
		return nil, fmt.Errorf("profiles file %s was written by a newer keyhole (format %d; this one reads %d)", path, f.Version, profilesVersion)
	}
	ps.list = f.Profiles
	return ps, nil
}

// List returns the profiles sorted by name.
func (ps *Profiles) List() []Profile {
	out := slices.Clone(ps.list)
	slices.SortFunc(out, func(a, b Profile) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Get returns the profile called name.
func (ps *Profiles) Get(name string) (Profile, bool) {
	for _, p := range ps.list {
		if p.Name == name {
			return p, true
		}
	}
	return Profile{}, false
}

// ForHost returns the profiles for host (host[:port], case-insensitive) and
// those for any host.
func (ps *Profiles) ForHost(host string) []Profile {
	var out []Profile
	for _, p := range ps.List() {
		if p.Host == "" || strings.EqualFold(p.Host, host) {
			out = append(out, p)
		}
	}
	return out
}

func secretKey(profile, field string) string { return "profile:" + profile + ":" + field }

// Save stores a profile: fields that SecretKeys names go to the SecretStore,
// unless their value is a reference, which is kept as written; the rest go to
// the file. It replaces a profile of the same name.
func (ps *Profiles) Save(name, host, scheme string, values map[string]string) (Profile, error) {
	if strings.TrimSpace(name) == "" || strings.ContainsAny(name, ":/\\") || strings.ContainsFunc(name, isCTL) {
		return Profile{}, fmt.Errorf("profile name %q is not usable; use letters, digits, '-' or '_'", name)
	}
	p := Profile{Name: name, Host: host, Scheme: strings.ToLower(scheme), Fields: map[string]string{}, Secrets: map[string]string{}}
	old, hadOld := ps.Get(name)
	for k, v := range values {
		k = strings.ToLower(k)
		if !IsSecretField(k) {
			p.Fields[k] = v
			continue
		}
		if IsReference(v) {
			p.Secrets[k] = v
			continue
		}
		if err := ps.Store.Set(secretKey(name, k), v); err != nil {
			return Profile{}, err
		}
		p.Secrets[k] = inMemory
		if ps.Store.Persistent() {
			p.Secrets[k] = inKeychain
		}
	}
	if hadOld {
		// Secrets the new version no longer holds must not linger in the keychain.
		for k, where := range old.Secrets {
			if _, kept := p.Secrets[k]; !kept && !IsReference(where) {
				ps.Store.Delete(secretKey(name, k))
			}
		}
	}
	list := slices.DeleteFunc(slices.Clone(ps.list), func(q Profile) bool { return q.Name == name })
	list = append(list, p)
	if err := ps.write(list); err != nil {
		return Profile{}, err
	}
	ps.list = list
	for k, where := range p.Secrets {
		if command, ok := strings.CutPrefix(where, "cmd:"); ok {
			// The user wrote this command here: it runs without asking.
			if err := ps.trustCommand(p.Name, k, command); err != nil {
				return Profile{}, err
			}
		}
	}
	return p, nil
}

// trustedCommandsFile lists, beside the profiles file, a hash of each cmd:
// reference saved or allowed on this machine, by profile and field. A
// profiles file copied in brings none.
func (ps *Profiles) trustedCommandsFile() string {
	return filepath.Join(filepath.Dir(ps.Path), "trusted-commands")
}

func commandHash(profile, field, command string) string {
	h := sha256.Sum256([]byte(profile + "\x00" + field + "\x00" + command))
	return hex.EncodeToString(h[:])
}

func (ps *Profiles) commandTrusted(profile, field, command string) bool {
	b, err := ReadFileLimit(ps.trustedCommandsFile(), MaxSmallFile)
	if err != nil {
		return false
	}
	return slices.Contains(strings.Fields(string(b)), commandHash(profile, field, command))
}

func (ps *Profiles) trustCommand(profile, field, command string) error {
	if ps.commandTrusted(profile, field, command) {
		return nil
	}
	dir := filepath.Dir(ps.Path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("cannot create %s: %v", dir, err)
	}
	f, err := os.OpenFile(ps.trustedCommandsFile(), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("cannot record the trusted command: %v", err)
	}
	_, err = fmt.Fprintln(f, commandHash(profile, field, command))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// mayRun refuses a cmd: reference of p that this machine never saw saved,
// unless AllowCommands, which then trusts it from now on.
func (ps *Profiles) mayRun(p Profile, field, where string) error {
	command, ok := strings.CutPrefix(where, "cmd:")
	if !ok || ps.commandTrusted(p.Name, field, command) {
		return nil
	}
	if !ps.AllowCommands {
		return &NeedsGiven{Give: []string{GiveCommandTrust}, Text: fmt.Sprintf(
			"profile %s reads its %s by running the command %q, and that profile was not saved on this machine (a copied profiles file is code); if you trust the command, save the profile here",
			httpclient.SafeLine(p.Name), httpclient.SafeLine(field), command)}
	}
	return ps.trustCommand(p.Name, field, command)
}

// Delete removes a profile and its stored secrets.
func (ps *Profiles) Delete(name string) error {
	p, ok := ps.Get(name)
	if !ok {
		return fmt.Errorf("no profile called %q; 'keyhole profile list' shows them", name)
	}
	list := slices.DeleteFunc(slices.Clone(ps.list), func(q Profile) bool { return q.Name == name })
	if err := ps.write(list); err != nil {
		return err
	}
	ps.list = list
	for k, where := range p.Secrets {
		if !IsReference(where) {
			if err := ps.Store.Delete(secretKey(name, k)); err != nil {
				return err
			}
		}
	}
	return nil
}

// Values returns every field of p with its secrets resolved: read from the
// store, or from the reference at this moment.
func (ps *Profiles) Values(p Profile) (map[string]string, error) {
	out := make(map[string]string, len(p.Fields)+len(p.Secrets))
	for k, v := range p.Fields {
		out[k] = v
	}
	for k, where := range p.Secrets {
		if IsReference(where) {
			if err := ps.mayRun(p, k, where); err != nil {
				return nil, err
			}
			v, err := ResolveSecret(where)
			if err != nil {
				return nil, fmt.Errorf("profile %s, %s: %v", httpclient.SafeLine(p.Name), k, err)
			}
			out[k] = v
			continue
		}
		v, err := ps.Store.Get(secretKey(p.Name, k))
		if errors.Is(err, ErrNoSecret) {
			if where == inMemory {
				return nil, fmt.Errorf("profile %s: the %s was kept in memory only (no keychain here) and is gone; save it again as a reference such as env:NAME", httpclient.SafeLine(p.Name), k)
			}
			return nil, fmt.Errorf("profile %s: the %s is missing from the %s; save the profile again", httpclient.SafeLine(p.Name), k, ps.Store.Kind())
		}
		if err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, nil
}

// write replaces the profiles file atomically (temp file + rename), mode 0600
// in a 0700 folder, so a crash never leaves half a file and no other user
// can read which hosts and users the profiles name.
func (ps *Profiles) write(list []Profile) error {
	dir := filepath.Dir(ps.Path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("cannot create %s: %v", dir, err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return fmt.Errorf("cannot restrict %s to its owner: %v", dir, err)
	}
	b, err := json.MarshalIndent(profilesFile{Version: profilesVersion, Profiles: list}, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".profiles-*.json")
	if err != nil {
		return fmt.Errorf("cannot write profiles in %s: %v", dir, err)
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("cannot write profiles: %v", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), ps.Path); err != nil {
		return fmt.Errorf("cannot replace %s: %v", ps.Path, err)
	}
	return nil
}
