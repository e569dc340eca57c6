package storage

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"

	"github.com/jitconsole/jitconsole/core"
)

// TestMoveKeyIntoRealKeyring saves a key in a file (as serve does with no
// keyring), then, with the real keyring reachable, moves it: the keyring
// holds the same bytes, the file is gone, Fallback no longer warns and a
// new KeyStore on the data dir reads the key.
func TestMoveKeyIntoRealKeyring(t *testing.T) {
	dir := t.TempDir()
	ks := NewKeyStore(dir)
	if !ks.KeyringReachable() {
		_, why := ks.Fallback()
		if os.Getenv(requireKeyring) == "1" {
			t.Fatalf("%s is set but the OS keyring is not reachable: %s", requireKeyring, why)
		}
		t.Skip("the OS keyring is not reachable: " + why)
	}
	t.Cleanup(func() {
		if err := keyring.Delete(KeyringService, ks.account(core.SPKeyName)); err != nil && !errors.Is(err, keyring.ErrNotFound) {
			t.Errorf("clean up keyring entry: %v", err)
		}
	})
	key := secret(t, 1218)
	if err := NewFileKeyStore(dir).Set(core.SPKeyName, key); err != nil {
		t.Fatal(err)
	}
	if inFile, why := ks.Fallback(); !inFile || !strings.Contains(why, "still kept") {
		t.Fatalf("before the move: Fallback = %v, %q", inFile, why)
	}
	if names := ks.FileKeyNames(); len(names) != 1 || names[0] != core.SPKeyName {
		t.Fatalf("FileKeyNames = %v", names)
	}
	if err := ks.MoveToKeyring(core.SPKeyName); err != nil {
		t.Fatalf("move: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "keys", core.SPKeyName+".key")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the key file is still there: %v", err)
	}
	if inFile, why := ks.Fallback(); inFile {
		t.Errorf("after the move: Fallback = %v, %q", inFile, why)
	}
	if got, err := NewKeyStore(dir).Get(core.SPKeyName); err != nil || !bytes.Equal(got, key) {
		t.Fatalf("the next run reads %d bytes, %v", len(got), err)
	}
}

// lyingRing stores nothing it is given and answers with other data, or
// fails to store.
type lyingRing struct {
	fakeRing
	setErr error
}

func (l *lyingRing) Set(service, user, secret string) error {
	if l.setErr != nil {
		return l.setErr
	}
	return l.fakeRing.Set(service, user, "c29tZXRoaW5nIGVsc2U=")
}

// TestMoveKeyKeepsTheFileOnFailure: a keyring that refuses, or gives back
// something else, leaves the key file in place and says why.
func TestMoveKeyKeepsTheFileOnFailure(t *testing.T) {
	for _, c := range []struct {
		name string
		ring *lyingRing
		says string
	}{
		{"refuses", &lyingRing{setErr: errors.New("the collection is locked")}, "did not store"},
		{"gives back another key", &lyingRing{}, "did not give the key"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			key := secret(t, 1218)
			if err := NewFileKeyStore(dir).Set(core.SPKeyName, key); err != nil {
				t.Fatal(err)
			}
			ks := withRing(NewKeyStore(dir), c.ring)
			err := ks.MoveToKeyring(core.SPKeyName)
			if err == nil || !strings.Contains(core.ErrorMessage(err), c.says) || !strings.Contains(core.ErrorMessage(err), "stays in") {
				t.Fatalf("move: %v, want it to say %q and that the file stays", err, c.says)
			}
			if got, err := NewFileKeyStore(dir).Get(core.SPKeyName); err != nil || !bytes.Equal(got, key) {
				t.Fatalf("the key file after a failed move: %d bytes, %v", len(got), err)
			}
		})
	}
	// A key store that keeps files by choice moves nothing.
	dir := t.TempDir()
	fs := NewFileKeyStore(dir)
	if err := fs.Set(core.SPKeyName, secret(t, 10)); err != nil {
		t.Fatal(err)
	}
	if err := fs.MoveToKeyring(core.SPKeyName); core.ErrorCode(err) != core.EINVALID {
		t.Errorf("file-only store: %v", err)
	}
}
