package storage

// Moving a key saved in a file (while the OS keyring was not reachable)
// into the OS keyring, never losing it: the file goes only once the
// keyring gives back exactly what was written.

import (
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/jitconsole/jitconsole/core"
)

// FileKeyNames returns the names of the secrets kept in files under the
// data directory's keys folder.
func (ks *KeyStore) FileKeyNames() []string {
	paths, _ := filepath.Glob(filepath.Join(ks.keysDir, "*.key"))
	var names []string
	for _, p := range paths {
		if name := strings.TrimSuffix(filepath.Base(p), ".key"); checkKeyName(name) == nil {
			names = append(names, name)
		}
	}
	return names
}

// KeyringReachable reports whether the OS keyring answers (false for a
// KeyStore that keeps files by choice).
func (ks *KeyStore) KeyringReachable() bool { return !ks.useFiles() }

// MoveToKeyring moves the secret name from its file into the OS keyring:
// it writes it to the keyring, reads it back and compares, and only then
// removes the file. On any failure the file stays and the error says why;
// a secret with no file is left alone.
func (ks *KeyStore) MoveToKeyring(name string) error {
	if err := checkKeyName(name); err != nil {
		return err
	}
	if ks.fileOnly {
		return core.Errorf(core.EINVALID, "This console keeps its keys in files by choice; nothing is moved.")
	}
	if ks.useFiles() {
		_, why := ks.Fallback()
		return core.Errorf(core.EUNAVAILABLE, "%s The key %q stays in its file; unlock or start the keyring, then try again.", why, name)
	}
	path := ks.keyFile(name)
	text, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	} else if err != nil {
		return fmt.Errorf("read key %s: %w", name, err)
	}
	secret, err := decodeSecret(name, string(text))
	if err != nil {
		return core.Errorf(core.EINVALID, "The key file %s cannot be read as a key (%v): it stays where it is.", path, err)
	}
	value := base64.StdEncoding.EncodeToString(secret)
	account := ks.account(name)
	if _, err := ks.call(func() (string, error) { return "", ks.ring.Set(KeyringService, account, value) }); err != nil {
		return &core.Error{Code: core.EUNAVAILABLE, Err: err,
			Message: fmt.Sprintf("The OS keyring did not store the key %q (%v): it stays in %s.", name, err, path)}
	}
	back, err := ks.call(func() (string, error) { return ks.ring.Get(KeyringService, account) })
	if err != nil || back != value {
		why := "it gave back something else"
		if err != nil {
			why = err.Error()
		}
		return &core.Error{Code: core.EUNAVAILABLE, Err: err,
			Message: fmt.Sprintf("The OS keyring did not give the key %q back as written (%s): it stays in %s.", name, why, path)}
	}
	if err := os.Remove(path); err != nil {
		return &core.Error{Code: core.EUNAVAILABLE, Err: err,
			Message: fmt.Sprintf("The key %q is now in the OS keyring too, but %s could not be removed (%v): remove it by hand.", name, path, err)}
	}
	syncDir(ks.keysDir)
	_ = os.Remove(ks.keysDir) // only when empty
	return nil
}
