package storage

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/jitconsole/jitconsole/core"
)

// fakeRing is an in-memory keyring, or an unreachable one when err is set,
// or a hanging one when block is set.
type fakeRing struct {
	mu    sync.Mutex
	items map[string]string
	err   error
	block chan struct{}
}

func (f *fakeRing) Get(service, user string) (string, error) {
	if f.block != nil {
		<-f.block
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return "", f.err
	}
	v, ok := f.items[service+"|"+user]
	if !ok {
		return "", keyring.ErrNotFound
	}
	return v, nil
}

func (f *fakeRing) Set(service, user, secret string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	if len(secret) > 2500 {
		return keyring.ErrSetDataTooBig
	}
	if f.items == nil {
		f.items = map[string]string{}
	}
	f.items[service+"|"+user] = secret
	return nil
}

// withRing makes ks use r instead of the OS keyring.
func withRing(ks *KeyStore, r secretRing) *KeyStore {
	ks.ring, ks.busCheck = r, nil
	return ks
}

// secret returns n random bytes: a stand-in for a PKCS#8 key.
func secret(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

func wantPerm(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	if runtime.GOOS == "windows" {
		return
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != want {
		t.Errorf("%s has mode %v, want %v", path, got, want)
	}
}

func TestFileKeyStore(t *testing.T) {
	dir := t.TempDir()
	ks := NewFileKeyStore(dir)
	_, err := ks.Get(core.SPKeyName)
	wantCode(t, err, core.ENOTFOUND)

	key := secret(t, 1218)
	if err := ks.Set(core.SPKeyName, key); err != nil {
		t.Fatal(err)
	}
	got, err := ks.Get(core.SPKeyName)
	if err != nil || !bytes.Equal(got, key) {
		t.Fatalf("Get = %d bytes, %v", len(got), err)
	}
	file := filepath.Join(dir, "keys", core.SPKeyName+".key")
	wantPerm(t, filepath.Join(dir, "keys"), 0o700)
	wantPerm(t, file, 0o600)

	// Replacing leaves no temporary files behind.
	key2 := secret(t, 1218)
	if err := ks.Set(core.SPKeyName, key2); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "keys"))
	if len(entries) != 1 {
		t.Errorf("keys dir holds %d entries, want 1", len(entries))
	}

	// A second instance on the same directory reads the same key.
	got, err = NewFileKeyStore(dir).Get(core.SPKeyName)
	if err != nil || !bytes.Equal(got, key2) {
		t.Fatalf("second instance: Get = %d bytes, %v", len(got), err)
	}
	inFile, why := ks.Fallback()
	if !inFile || !strings.Contains(why, filepath.Join(dir, "keys")) || !strings.Contains(why, "readable only by you") {
		t.Errorf("Fallback = %v, %q", inFile, why)
	}
}

func TestKeyNames(t *testing.T) {
	ks := NewFileKeyStore(t.TempDir())
	for _, name := range []string{"", ".hidden", "../escape", "a/b", `a\b`, "sp key", strings.Repeat("x", 101)} {
		wantCode(t, ks.Set(name, []byte("x")), core.EINVALID)
		_, err := ks.Get(name)
		wantCode(t, err, core.EINVALID)
	}
	for _, name := range []string{core.SPKeyName, core.DemoIdPKeyName, "v2.key_1"} {
		if err := ks.Set(name, []byte("x")); err != nil {
			t.Errorf("Set(%q): %v", name, err)
		}
	}
}

func TestKeyStoreUsesKeyringWhenReachable(t *testing.T) {
	dir := t.TempDir()
	ring := &fakeRing{}
	ks := withRing(NewKeyStore(dir), ring)
	_, err := ks.Get(core.SPKeyName)
	wantCode(t, err, core.ENOTFOUND)
	key := secret(t, 1218)
	if err := ks.Set(core.SPKeyName, key); err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(dir)
	stored := ring.items[KeyringService+"|"+core.SPKeyName+" @ "+abs]
	if stored != base64.StdEncoding.EncodeToString(key) {
		t.Errorf("keyring holds %q, want the key in base64", stored)
	}
	if got, err := ks.Get(core.SPKeyName); err != nil || !bytes.Equal(got, key) {
		t.Errorf("Get = %d bytes, %v", len(got), err)
	}
	if _, err := os.Stat(filepath.Join(dir, "keys")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a keys dir was made although the keyring works: %v", err)
	}
	if inFile, why := ks.Fallback(); inFile {
		t.Errorf("Fallback = true, %q", why)
	}
	wantCode(t, ks.Set("big", secret(t, 2000)), core.EINVALID)
}

func TestKeyStoreFallsBackWhenKeyringFails(t *testing.T) {
	dir := t.TempDir()
	ring := &fakeRing{err: errors.New("failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'")}
	ks := withRing(NewKeyStore(dir), ring)
	key := secret(t, 64)
	if err := ks.Set(core.DemoIdPKeyName, key); err != nil {
		t.Fatal(err)
	}
	inFile, why := ks.Fallback()
	if !inFile || !strings.Contains(why, "The OS keyring is not reachable (failed to unlock correct collection") ||
		!strings.Contains(why, filepath.Join(dir, "keys")) {
		t.Errorf("Fallback = %v, %q", inFile, why)
	}
	wantPerm(t, filepath.Join(dir, "keys", core.DemoIdPKeyName+".key"), 0o600)

	// Next run the keyring works: the key saved in the file is still found,
	// updated in place, and the console still says where it is.
	ks2 := withRing(NewKeyStore(dir), &fakeRing{})
	if got, err := ks2.Get(core.DemoIdPKeyName); err != nil || !bytes.Equal(got, key) {
		t.Fatalf("Get after the keyring came back = %d bytes, %v", len(got), err)
	}
	key2 := secret(t, 64)
	if err := ks2.Set(core.DemoIdPKeyName, key2); err != nil {
		t.Fatal(err)
	}
	if got, _ := NewFileKeyStore(dir).Get(core.DemoIdPKeyName); !bytes.Equal(got, key2) {
		t.Error("Set did not update the key where it lives (the file)")
	}
	if inFile, why := ks2.Fallback(); !inFile || !strings.Contains(why, "still kept in") {
		t.Errorf("Fallback = %v, %q", inFile, why)
	}
	// A new key goes to the keyring.
	if err := ks2.Set(core.SPKeyName, key); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "keys", core.SPKeyName+".key")); !errors.Is(err, os.ErrNotExist) {
		t.Error("a new key went to a file although the keyring works")
	}
}

func TestKeyStoreProbeTimesOut(t *testing.T) {
	block := make(chan struct{})
	defer close(block)
	ks := withRing(NewKeyStore(t.TempDir()), &fakeRing{block: block})
	ks.timeout = 50 * time.Millisecond
	start := time.Now()
	inFile, why := ks.Fallback()
	if !inFile || !strings.Contains(why, "did not answer within 50ms") {
		t.Errorf("Fallback = %v, %q", inFile, why)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("the probe took %v", d)
	}
}

func TestKeyStoreConcurrentUse(t *testing.T) {
	ks := withRing(NewKeyStore(t.TempDir()), &fakeRing{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if err := ks.Set(core.SPKeyName, []byte("k")); err != nil {
				t.Error(err)
			}
			if _, err := ks.Get(core.SPKeyName); err != nil {
				t.Error(err)
			}
			ks.Fallback()
		})
	}
	wg.Wait()
}

// requireKeyring is the environment variable that makes an unreachable OS
// keyring a test failure instead of a skip (the Makefile sets it where it
// starts a D-Bus session with an unlocked gnome-keyring).
const requireKeyring = "JITCONSOLE_REQUIRE_KEYRING"

// TestKeyStoreRealKeyring stores, reads back and shares keys through the
// real OS keyring (no mock).
func TestKeyStoreRealKeyring(t *testing.T) {
	dirA, dirB := t.TempDir(), t.TempDir()
	ks := NewKeyStore(dirA)
	if inFile, why := ks.Fallback(); inFile {
		msg := "the OS keyring is not reachable: " + why +
			"\n(run the tests inside dbus-run-session with gnome-keyring-daemon unlocked; see NOTES-TESTING)"
		if os.Getenv(requireKeyring) == "1" {
			t.Fatalf("%s is set but %s", requireKeyring, msg)
		}
		t.Skip(msg)
	}
	ksB := NewKeyStore(dirB)
	t.Cleanup(func() {
		for _, k := range []*KeyStore{ks, ksB} {
			if err := keyring.Delete(KeyringService, k.account(core.SPKeyName)); err != nil && !errors.Is(err, keyring.ErrNotFound) {
				t.Errorf("clean up keyring entry: %v", err)
			}
		}
	})

	_, err := ks.Get(core.SPKeyName)
	wantCode(t, err, core.ENOTFOUND)
	keyA, keyB := secret(t, 1218), secret(t, 1218) // the size of an RSA-2048 PKCS#8 key
	if err := ks.Set(core.SPKeyName, keyA); err != nil {
		t.Fatal(err)
	}
	if got, err := ks.Get(core.SPKeyName); err != nil || !bytes.Equal(got, keyA) {
		t.Fatalf("Get = %d bytes, %v", len(got), err)
	}
	raw, err := keyring.Get(KeyringService, core.SPKeyName+" @ "+ks.DataDir())
	if err != nil || raw != base64.StdEncoding.EncodeToString(keyA) {
		t.Errorf("the keyring entry is not the key in base64: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dirA, "keys")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a keys dir was made although the keyring works: %v", err)
	}

	// Set replaces.
	keyA = secret(t, 1218)
	if err := ks.Set(core.SPKeyName, keyA); err != nil {
		t.Fatal(err)
	}
	// A second KeyStore on the same data dir (the next run) reads it.
	if got, err := NewKeyStore(dirA).Get(core.SPKeyName); err != nil || !bytes.Equal(got, keyA) {
		t.Fatalf("second instance: Get = %d bytes, %v", len(got), err)
	}

	// Another data dir has its own entry.
	_, err = ksB.Get(core.SPKeyName)
	wantCode(t, err, core.ENOTFOUND)
	if err := ksB.Set(core.SPKeyName, keyB); err != nil {
		t.Fatal(err)
	}
	gotA, errA := ks.Get(core.SPKeyName)
	gotB, errB := ksB.Get(core.SPKeyName)
	if errA != nil || errB != nil || !bytes.Equal(gotA, keyA) || !bytes.Equal(gotB, keyB) {
		t.Errorf("entries of two data dirs collide: %v %v", errA, errB)
	}
}

// fallbackChild marks the child process of TestKeyStoreFallbackWithoutBus.
const fallbackChild = "JITCONSOLE_TEST_FALLBACK_CHILD"

// TestKeyStoreFallbackWithoutBus points D-Bus at a socket that does not
// exist, so that the real go-keyring cannot reach the Secret Service. It
// runs in a child process: the D-Bus library keeps one session connection
// per process, which an earlier keyring test may have opened.
func TestKeyStoreFallbackWithoutBus(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the Secret Service over D-Bus is the keyring of Linux")
	}
	if os.Getenv(fallbackChild) == "" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestKeyStoreFallbackWithoutBus$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), fallbackChild+"=1")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestKeyStoreFallbackWithoutBus") {
			t.Fatalf("child: %v\n%s", err, out)
		}
		return
	}
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent")
	dir := t.TempDir()
	ks := NewKeyStore(dir)
	start := time.Now()
	inFile, why := ks.Fallback()
	if !inFile || !strings.HasPrefix(why, "The OS keyring is not reachable (") ||
		!strings.Contains(why, filepath.Join(dir, "keys")+", readable only by you.") {
		t.Fatalf("Fallback = %v, %q", inFile, why)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("finding the keyring unreachable took %v", d)
	}
	t.Log(why)
	key := secret(t, 1218)
	if err := ks.Set(core.SPKeyName, key); err != nil {
		t.Fatal(err)
	}
	wantPerm(t, filepath.Join(dir, "keys"), 0o700)
	wantPerm(t, filepath.Join(dir, "keys", core.SPKeyName+".key"), 0o600)
	got, err := NewKeyStore(dir).Get(core.SPKeyName)
	if err != nil || !bytes.Equal(got, key) {
		t.Fatalf("a new instance: Get = %d bytes, %v", len(got), err)
	}
}
