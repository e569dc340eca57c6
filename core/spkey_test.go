package core_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"

	"github.com/jitconsole/jitconsole/core"
	"github.com/jitconsole/jitconsole/storage"
)

// TestLostSPKeyIsNotReplacedSilently: with the SP key gone from the key
// store (a key file deleted, or the OS keyring entry) while the database
// remains, New refuses and names the IdPs that trust the old certificate;
// with NewSPKey it makes a new key and an event names those IdPs.
func TestLostSPKeyIsNotReplacedSilently(t *testing.T) {
	tests := []struct {
		name  string
		keys  func(t *testing.T, dir string) core.KeyStore
		loseK func(t *testing.T, dir string)
	}{
		{"key file", func(t *testing.T, dir string) core.KeyStore { return storage.NewFileKeyStore(dir) },
			func(t *testing.T, dir string) {
				if err := os.Remove(filepath.Join(dir, "keys", core.SPKeyName+".key")); err != nil {
					t.Fatal(err)
				}
			}},
		{"OS keyring", func(t *testing.T, dir string) core.KeyStore {
			ks := storage.NewKeyStore(dir)
			if inFile, why := ks.Fallback(); inFile {
				if os.Getenv("JITCONSOLE_REQUIRE_KEYRING") == "1" {
					t.Fatalf("the OS keyring is required here but not reachable: %s", why)
				}
				t.Skipf("no OS keyring reachable (scripts/session.sh provides one): %s", why)
			}
			t.Cleanup(func() { deleteKeyringEntries(t, dir) })
			return ks
		}, func(t *testing.T, dir string) {
			if err := keyring.Delete(storage.KeyringService, core.SPKeyName+" @ "+dir); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			tc := startConsoleWithKeys(t, dir, tt.keys(t, dir))
			importTestIdP(t, tc, startTestIdP(t, tc, "okta"))
			oldCert := spCertificate(t, tc)
			tc.close()
			tt.loseK(t, dir)

			db, err := storage.Open(ctx, storage.DBPath(dir))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			opts := core.Options{Store: db, Keys: tt.keys(t, dir), ListenAddr: "127.0.0.1:0",
				Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
			_, err = core.New(ctx, opts)
			if !errors.Is(err, core.ErrSPKeyMissing) || core.ErrorCode(err) != core.ECONFLICT ||
				!strings.Contains(core.ErrorMessage(err), "okta") || !strings.Contains(core.ErrorMessage(err), "--new-sp-key") {
				t.Fatalf("New without NewSPKey: %v", err)
			}
			if _, err := tt.keys(t, dir).Get(core.SPKeyName); core.ErrorCode(err) != core.ENOTFOUND {
				t.Fatalf("a key was stored although New refused: %v", err)
			}

			opts.NewSPKey = true
			c, err := core.New(ctx, opts)
			if err != nil {
				t.Fatalf("New with NewSPKey: %v", err)
			}
			defer c.Close()
			if err := c.Start(); err != nil {
				t.Fatal(err)
			}
			if cert := spCertificate(t, &testConsole{Console: c, Base: c.BaseURL()}); cert == oldCert {
				t.Fatal("the SP publishes the old certificate")
			}
			evs, _ := c.RecentEvents(ctx, 20)
			var found *core.Event
			for i := range evs {
				if evs[i].Kind == core.EventSPKeyReplaced {
					found = &evs[i]
				}
			}
			if found == nil || !strings.Contains(found.Message, "okta") || strings.Contains(found.Message, "demo") {
				t.Fatalf("event %s: %+v", core.EventSPKeyReplaced, found)
			}
		})
	}
}

// startConsoleWithKeys is startConsole with a given key store.
func startConsoleWithKeys(t *testing.T, dir string, keys core.KeyStore) *testConsole {
	t.Helper()
	c, db := startWithKeys(t, dir, keys)
	tc := &testConsole{Console: c, DB: db, Dir: dir, Base: c.BaseURL()}
	t.Cleanup(tc.close)
	return tc
}
