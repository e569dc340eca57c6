package storage

import (
	"os"
	"testing"

	"github.com/zalando/go-keyring"

	"github.com/jitconsole/jitconsole/core"
)

// deletingRing is a fakeRing that can remove secrets, as the OS keyring.
type deletingRing struct{ *fakeRing }

func (d deletingRing) Delete(service, user string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.items[service+"|"+user]; !ok {
		return keyring.ErrNotFound
	}
	delete(d.items, service+"|"+user)
	return nil
}

// TestKeyStoreDelete removes a secret from the keyring and from a key
// file; a second delete is ENOTFOUND, and Get no longer finds it.
func TestKeyStoreDelete(t *testing.T) {
	for _, tc := range []struct {
		name string
		ks   func(dir string) *KeyStore
	}{
		{"keyring", func(dir string) *KeyStore { return withRing(NewKeyStore(dir), deletingRing{&fakeRing{}}) }},
		{"file", func(dir string) *KeyStore { return NewFileKeyStore(dir) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			ks := tc.ks(dir)
			if err := ks.Set(core.TLSKeyName, secret(t, 100)); err != nil {
				t.Fatal(err)
			}
			if err := ks.Delete(core.TLSKeyName); err != nil {
				t.Fatal(err)
			}
			if _, err := ks.Get(core.TLSKeyName); core.ErrorCode(err) != core.ENOTFOUND {
				t.Errorf("Get after Delete: %v", err)
			}
			if _, err := os.Stat(ks.keyFile(core.TLSKeyName)); !os.IsNotExist(err) {
				t.Errorf("key file after Delete: %v", err)
			}
			if err := ks.Delete(core.TLSKeyName); core.ErrorCode(err) != core.ENOTFOUND {
				t.Errorf("second Delete: %v", err)
			}
		})
	}
}
