package core_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/zalando/go-keyring"

	"github.com/jitconsole/jitconsole/core"
	"github.com/jitconsole/jitconsole/storage"
)

// TestMoveKeysIntoKeyring: a data dir made without a keyring (its keys in
// files) opened where the OS keyring answers warns and offers the move;
// after MoveKeysToKeyring the warning is gone, the files are gone, and the
// next launch publishes the same SP certificate (the same key) from the
// keyring. It needs the real keyring (scripts/session.sh).
func TestMoveKeysIntoKeyring(t *testing.T) {
	dir := t.TempDir()
	ring := storage.NewKeyStore(dir)
	if inFile, why := ring.Fallback(); inFile {
		if os.Getenv("JITCONSOLE_REQUIRE_KEYRING") == "1" {
			t.Fatalf("the OS keyring is not reachable: %s", why)
		}
		t.Skip("the OS keyring is not reachable: " + why)
	}
	t.Cleanup(func() {
		for _, name := range []string{core.SPKeyName, core.DemoIdPKeyName} {
			if err := keyring.Delete(storage.KeyringService, name+" @ "+ring.DataDir()); err != nil && !errors.Is(err, keyring.ErrNotFound) {
				t.Errorf("clean up keyring entry: %v", err)
			}
		}
	})
	ctx := context.Background()
	served := startConsoleWith(t, dir, func(o *core.Options) { o.Keys = storage.NewFileKeyStore(dir) })
	before, err := served.SPMetadataXML(ctx, core.DemoSlug)
	if err != nil {
		t.Fatal(err)
	}
	served.close()

	gui := startConsoleWith(t, dir, func(o *core.Options) { o.Keys = storage.NewKeyStore(dir) })
	if gui.KeyWarning() == "" || !gui.CanMoveKeysToKeyring() {
		t.Fatalf("keys in files with a keyring: warning %q, offer %t", gui.KeyWarning(), gui.CanMoveKeysToKeyring())
	}
	if err := gui.MoveKeysToKeyring(ctx); err != nil {
		t.Fatalf("move: %v", err)
	}
	if gui.KeyWarning() != "" || gui.CanMoveKeysToKeyring() {
		t.Errorf("after the move: warning %q, offer %t", gui.KeyWarning(), gui.CanMoveKeysToKeyring())
	}
	if names, _ := filepath.Glob(filepath.Join(dir, "keys", "*.key")); len(names) > 0 {
		t.Errorf("key files left: %v", names)
	}
	gui.close()

	next := startConsoleWith(t, dir, func(o *core.Options) { o.Keys = storage.NewKeyStore(dir) })
	after, err := next.SPMetadataXML(ctx, core.DemoSlug)
	if err != nil {
		t.Fatal(err)
	}
	certA, certB := metadataCertRe.FindString(string(before)), metadataCertRe.FindString(string(after))
	if certA == "" || certA != certB || next.KeyWarning() != "" {
		t.Errorf("the next launch: same certificate %t, warning %q", certA != "" && certA == certB, next.KeyWarning())
	}
}

// metadataCertRe finds the first certificate in metadata.
var metadataCertRe = regexp.MustCompile(`X509Certificate>([^<]+)<`)

// TestNoKeyMoveOfferForFileOnlyStore: a key store that keeps files by
// choice (or without a keyring) is not offered the move.
func TestNoKeyMoveOfferForFileOnlyStore(t *testing.T) {
	tc := startConsole(t, t.TempDir(), "")
	if tc.KeyWarning() == "" || tc.CanMoveKeysToKeyring() {
		t.Errorf("file-only store: warning %q, offer %t", tc.KeyWarning(), tc.CanMoveKeysToKeyring())
	}
}
