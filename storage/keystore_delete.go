package storage

// Removing a secret from the KeyStore (the HTTPS key when HTTPS is
// turned off).

import (
	"errors"
	"fmt"
	"os"

	"github.com/zalando/go-keyring"

	"github.com/jitconsole/jitconsole/core"
)

var _ core.KeyDeleter = (*KeyStore)(nil)

// secretDeleter is a secretRing that can remove a secret (the OS
// keyring can).
type secretDeleter interface {
	Delete(service, user string) error
}

// Delete removes the secret name from its file and from the OS keyring;
// ENOTFOUND when it was in neither.
func (ks *KeyStore) Delete(name string) error {
	if err := checkKeyName(name); err != nil {
		return err
	}
	found := false
	switch err := os.Remove(ks.keyFile(name)); {
	case err == nil:
		found = true
	case !errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("remove key %s: %w", name, err)
	}
	if d, ok := ks.ring.(secretDeleter); ok && !ks.useFiles() {
		_, err := ks.call(func() (string, error) { return "", d.Delete(KeyringService, ks.account(name)) })
		switch {
		case err == nil:
			found = true
		case !errors.Is(err, keyring.ErrNotFound):
			return &core.Error{Code: core.EUNAVAILABLE,
				Message: fmt.Sprintf("The OS keyring did not remove the key %q.", name), Err: err}
		}
	}
	if !found {
		return core.Errorf(core.ENOTFOUND, "No key %q is stored.", name)
	}
	return nil
}

// Delete removes a secret from the real OS keyring.
func (osRing) Delete(service, user string) error { return keyring.Delete(service, user) }
