package credentials

import (
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/zalando/go-keyring"
)

// KeychainService is the service name keyhole's secrets are filed under in the
// OS keychain.
const KeychainService = "keyhole"

// Kinds of secret storage, as told to the user.
const (
	StoreKeychain = "OS keychain"
	StoreMemory   = "memory (no keychain available)"
)

// SecretStore keeps secrets in the OS keychain, or in memory for this process
// when there is none (headless Linux without a Secret Service). It never
// writes a secret to a file.
type SecretStore struct {
	keychain bool

	mu  sync.Mutex
	mem map[string]string
}

// NoKeychainEnv, when set to anything but "", keeps keyhole away from the OS
// keychain: for CI, tests, and users who would rather use references.
const NoKeychainEnv = "KEYHOLE_NO_KEYCHAIN"

// NewSecretStore probes the OS keychain and returns a store that uses it when
// it answers, and memory otherwise.
func NewSecretStore() *SecretStore {
	return &SecretStore{keychain: os.Getenv(NoKeychainEnv) == "" && probeKeychain(), mem: map[string]string{}}
}

// NewMemoryStore returns a store that keeps secrets only in memory.
func NewMemoryStore() *SecretStore { return &SecretStore{mem: map[string]string{}} }

// probeKeychain reads an entry that does not exist: a working keychain says
// "not found", a missing one (no D-Bus, no Secret Service) fails otherwise.
// Reading, not writing, so the probe leaves nothing behind.
func probeKeychain() bool {
	_, err := keyring.Get(KeychainService, "keyhole-probe")
	return err == nil || errors.Is(err, keyring.ErrNotFound)
}

// Kind says where secrets go: StoreKeychain or StoreMemory.
func (s *SecretStore) Kind() string {
	if s.keychain {
		return StoreKeychain
	}
	return StoreMemory
}

// Persistent reports whether secrets outlive this process.
func (s *SecretStore) Persistent() bool { return s.keychain }

// ErrNoSecret is returned by Get when nothing is stored under the key.
var ErrNoSecret = errors.New("no secret stored")

// Set stores secret under key.
func (s *SecretStore) Set(key, secret string) error {
	if s.keychain {
		if err := keyring.Set(KeychainService, key, secret); err != nil {
			return fmt.Errorf("cannot save %s in the OS keychain: %v; unlock the keychain or use a reference (env:, file:, cmd:)", key, err)
		}
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mem[key] = secret
	return nil
}

// Get returns the secret stored under key, or ErrNoSecret.
func (s *SecretStore) Get(key string) (string, error) {
	if s.keychain {
		v, err := keyring.Get(KeychainService, key)
		if errors.Is(err, keyring.ErrNotFound) {
			return "", ErrNoSecret
		}
		if err != nil {
			return "", fmt.Errorf("cannot read %s from the OS keychain: %v; unlock the keychain and retry", key, err)
		}
		return v, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.mem[key]
	if !ok {
		return "", ErrNoSecret
	}
	return v, nil
}

// Delete removes the secret under key; deleting a missing secret is not an error.
func (s *SecretStore) Delete(key string) error {
	if s.keychain {
		err := keyring.Delete(KeychainService, key)
		if err != nil && !errors.Is(err, keyring.ErrNotFound) {
			return fmt.Errorf("cannot delete %s from the OS keychain: %v", key, err)
		}
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.mem, key)
	return nil
}
