package storage

import (
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/jitconsole/jitconsole/core"
)

// KeyringService is the service name of JIT Console's OS keyring entries.
// The user of an entry is the secret's name, " @ " and the absolute data
// directory, so that two data directories keep separate keys.
const KeyringService = "jitconsole"

// DefaultKeyringTimeout is how long the KeyStore waits for the OS keyring
// to answer before it counts it as unreachable. On a desktop a locked
// keyring may show an unlock prompt; longer than this and the keys go to
// files instead.
const DefaultKeyringTimeout = 5 * time.Second

// KeyStore keeps secrets (private keys) in the OS keyring: Keychain on
// macOS, the Credential Manager on Windows, the Secret Service (GNOME
// Keyring, KWallet) over D-Bus elsewhere. Each value is base64-encoded.
//
// When the keyring is not reachable, the secrets are kept instead in
// <dataDir>/keys/<name>.key, in a 0700 directory, each file 0600, and
// Fallback says so. A secret found in such a file is read from it (and
// updated in it) even when the keyring works, so a key saved once without
// a keyring is not lost on the next run.
//
// It implements core.KeyStore and is safe for concurrent use.
type KeyStore struct {
	dataDir  string // absolute
	keysDir  string
	ring     secretRing
	busCheck func() error // nil, or why the keyring cannot be reached at all
	timeout  time.Duration
	fileOnly bool // chosen by NewFileKeyStore

	mu     sync.Mutex
	probed bool
	inFile bool  // the keyring is not used
	cause  error // why the keyring is not reachable
}

var _ core.KeyStore = (*KeyStore)(nil)

// secretRing is the OS keyring as KeyStore uses it (go-keyring's API).
type secretRing interface {
	Get(service, user string) (string, error)
	Set(service, user, secret string) error
}

// osRing is the real OS keyring.
type osRing struct{}

func (osRing) Get(service, user string) (string, error) { return keyring.Get(service, user) }
func (osRing) Set(service, user, secret string) error   { return keyring.Set(service, user, secret) }

// NewKeyStore returns a KeyStore for the data directory dataDir, using the
// OS keyring when it answers (it is first asked on first use, with
// DefaultKeyringTimeout) and files in dataDir otherwise.
func NewKeyStore(dataDir string) *KeyStore {
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		abs = filepath.Clean(dataDir)
	}
	return &KeyStore{
		dataDir:  abs,
		keysDir:  filepath.Join(abs, "keys"),
		ring:     osRing{},
		busCheck: sessionBusMissing,
		timeout:  DefaultKeyringTimeout,
	}
}

// NewFileKeyStore returns a KeyStore that never asks the OS keyring and
// keeps every secret in a 0600 file under dataDir/keys. It is for tests
// and for people who choose files over the keyring.
func NewFileKeyStore(dataDir string) *KeyStore {
	ks := NewKeyStore(dataDir)
	ks.fileOnly = true
	return ks
}

// Get returns the secret stored under name; ENOTFOUND when there is none.
func (ks *KeyStore) Get(name string) ([]byte, error) {
	if err := checkKeyName(name); err != nil {
		return nil, err
	}
	inFile := ks.useFiles()
	text, err := os.ReadFile(ks.keyFile(name))
	switch {
	case err == nil:
		return decodeSecret(name, string(text))
	case !errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("read key %s: %w", name, err)
	case inFile:
		return nil, core.Errorf(core.ENOTFOUND, "No key %q is stored in %s.", name, ks.keysDir)
	}
	text2, err := ks.call(func() (string, error) { return ks.ring.Get(KeyringService, ks.account(name)) })
	if errors.Is(err, keyring.ErrNotFound) {
		return nil, core.Errorf(core.ENOTFOUND, "No key %q is stored in the OS keyring.", name)
	} else if err != nil {
		return nil, &core.Error{Code: core.EUNAVAILABLE,
			Message: fmt.Sprintf("The OS keyring did not give the key %q.", name), Err: err}
	}
	return decodeSecret(name, text2)
}

// Set stores secret under name, replacing any previous one.
func (ks *KeyStore) Set(name string, secret []byte) error {
	if err := checkKeyName(name); err != nil {
		return err
	}
	value := base64.StdEncoding.EncodeToString(secret)
	path := ks.keyFile(name)
	if _, err := os.Stat(path); ks.useFiles() || err == nil {
		if err := writeFileAtomic(path, []byte(value+"\n")); err != nil {
			return fmt.Errorf("store key %s: %w", name, err)
		}
		return nil
	}
	_, err := ks.call(func() (string, error) { return "", ks.ring.Set(KeyringService, ks.account(name), value) })
	if errors.Is(err, keyring.ErrSetDataTooBig) {
		return core.Errorf(core.EINVALID, "The key %q is too big for the OS keyring.", name)
	} else if err != nil {
		return &core.Error{Code: core.EUNAVAILABLE,
			Message: fmt.Sprintf("The OS keyring did not store the key %q.", name), Err: err}
	}
	return nil
}

// Fallback reports whether secrets are kept in files, and why, in a
// sentence for a person.
func (ks *KeyStore) Fallback() (inFile bool, why string) {
	if ks.useFiles() {
		ks.mu.Lock()
		cause := ks.cause
		ks.mu.Unlock()
		if cause == nil {
			return true, fmt.Sprintf("The private keys are kept in %s, readable only by you.", ks.keysDir)
		}
		return true, fmt.Sprintf("The OS keyring is not reachable (%v); the private keys are kept in %s, readable only by you.",
			cause, ks.keysDir)
	}
	if names, _ := filepath.Glob(filepath.Join(ks.keysDir, "*.key")); len(names) > 0 {
		return true, fmt.Sprintf("Private keys saved while the OS keyring was not reachable are still kept in %s, readable only by you.",
			ks.keysDir)
	}
	return false, ""
}

// DataDir returns the absolute data directory the KeyStore is for.
func (ks *KeyStore) DataDir() string { return ks.dataDir }

// useFiles tells whether secrets go to files, asking the keyring once.
func (ks *KeyStore) useFiles() bool {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	if !ks.probed {
		ks.probed = true
		ks.cause = ks.probe()
		ks.inFile = ks.fileOnly || ks.cause != nil
	}
	return ks.inFile
}

// probe returns why the keyring cannot be used, or nil when it answers.
func (ks *KeyStore) probe() error {
	if ks.fileOnly {
		return nil
	}
	if ks.busCheck != nil {
		if err := ks.busCheck(); err != nil {
			return err
		}
	}
	_, err := ks.call(func() (string, error) { return ks.ring.Get(KeyringService, ks.account("probe")) })
	if err == nil || errors.Is(err, keyring.ErrNotFound) {
		return nil
	}
	return err
}

// call runs fn, giving up after the timeout: a keyring waiting for an
// unlock prompt (or a D-Bus peer that never answers) must not hang the
// console. The abandoned call finishes in the background.
func (ks *KeyStore) call(fn func() (string, error)) (string, error) {
	type result struct {
		s   string
		err error
	}
	done := make(chan result, 1)
	go func() {
		s, err := fn()
		done <- result{s, err}
	}()
	timer := time.NewTimer(ks.timeout)
	defer timer.Stop()
	select {
	case r := <-done:
		return r.s, r.err
	case <-timer.C:
		return "", fmt.Errorf("the OS keyring did not answer within %v", ks.timeout)
	}
}

// account is the keyring user of the secret name.
func (ks *KeyStore) account(name string) string { return name + " @ " + ks.dataDir }

func (ks *KeyStore) keyFile(name string) string { return filepath.Join(ks.keysDir, name+".key") }

// checkKeyName accepts names that are safe as file names everywhere:
// letters, digits, '.', '_' and '-', not starting with '.'.
func checkKeyName(name string) error {
	ok := name != "" && len(name) <= 100 && name[0] != '.'
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._-", r)) {
			ok = false
		}
	}
	if !ok {
		return core.Errorf(core.EINVALID, "%q is not a valid key name (letters, digits, '.', '_' and '-').", name)
	}
	return nil
}

func decodeSecret(name, text string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(text))
	if err != nil {
		return nil, fmt.Errorf("decode key %s: %w", name, err)
	}
	return b, nil
}

// writeFileAtomic writes data to path, mode 0600, in a 0700 directory: into
// a temporary file first, synced, then renamed over path, so that a crash
// leaves the old content or the new, never a torn file.
func writeFileAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err := f.Chmod(0o600); err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return err
	}
	syncDir(dir)
	return nil
}

// syncDir makes a rename in dir durable where the system allows it.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync() // fails harmlessly on Windows
		d.Close()
	}
}
