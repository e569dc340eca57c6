package main

// Real-binary tests of HTTPS: tls self-signed, serve --tls-cert/--tls-key
// with a sign-in through the https ACS, the refusals at start, and tls
// import putting the key in the real keyring.

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/jitconsole/jitconsole/core"
	"github.com/jitconsole/jitconsole/storage"
)

// selfSignedFiles runs tls self-signed --host localhost in a temp dir and
// returns the files.
func selfSignedFiles(t *testing.T) (certFile, keyFile string) {
	t.Helper()
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	r := runCLI(t, "tls", "self-signed", "--host", "localhost", "--cert", certFile, "--key", keyFile, "--days", "30")
	if r.code != 0 || !strings.Contains(r.stdout, "Browsers will warn") || !strings.Contains(r.stdout, "serve --tls-cert "+certFile+" --tls-key "+keyFile) {
		t.Fatalf("tls self-signed: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	return certFile, keyFile
}

// httpsClient is a browser-like client trusting only the PEM certificate
// in certFile.
func httpsClient(t *testing.T, certFile string) *http.Client {
	t.Helper()
	pemData, err := os.ReadFile(certFile)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pemData) {
		t.Fatalf("no certificate in %s", certFile)
	}
	return &http.Client{Jar: core.NewBrowserJar(), Timeout: 30 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
}

// TestTLSSelfSigned: the files, their modes, and no overwriting without
// --force.
func TestTLSSelfSigned(t *testing.T) {
	certFile, keyFile := selfSignedFiles(t)
	if fi, err := os.Stat(keyFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, %v", fi, err)
	}
	pemData, _ := os.ReadFile(certFile)
	keyData, _ := os.ReadFile(keyFile)
	pair, err := core.ParseTLSPair(pemData, keyData)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(core.TLSNames(pair.Leaf()), ","); got != "localhost,127.0.0.1,::1" {
		t.Errorf("names %s", got)
	}
	r := runCLI(t, "tls", "self-signed", "--host", "localhost", "--cert", certFile, "--key", keyFile)
	if r.code != 2 || !strings.Contains(r.stderr, "exists") || !strings.Contains(r.stderr, "--force") {
		t.Fatalf("overwrite without --force: exit %d\n%s", r.code, r.stderr)
	}
	if again, _ := os.ReadFile(certFile); string(again) != string(pemData) {
		t.Fatal("the certificate was overwritten without --force")
	}
	if r := runCLI(t, "tls", "self-signed", "--host", "jit.example.com", "--cert", certFile, "--key", keyFile, "--force", "--rsa"); r.code != 0 {
		t.Fatalf("--force: exit %d\n%s", r.code, r.stderr)
	}
	if again, _ := os.ReadFile(certFile); string(again) == string(pemData) {
		t.Fatal("--force did not overwrite")
	}
	if r := runCLI(t, "tls", "self-signed"); r.code != 2 || !strings.Contains(r.stderr, "--host NAME") {
		t.Fatalf("without --host: exit %d\n%s", r.code, r.stderr)
	}
}

// TestServeOverHTTPS serves with a self-signed pair: the public URL is
// https, the metadata advertises the https ACS, and a real signed
// sign-in through it makes the account.
func TestServeOverHTTPS(t *testing.T) {
	certFile, keyFile := selfSignedFiles(t)
	dir := t.TempDir()
	serve := start(t, "serve", "--listen", "127.0.0.1:0", "--data-dir", dir, "--tls-cert", certFile, "--tls-key", keyFile)
	base := serve.waitFor(t, listeningRE, time.Minute)[2]
	keysInKeyring(t, dir, serve.stderr.String())
	if !strings.HasPrefix(base, "https://127.0.0.1:") || !strings.Contains(serve.stderr.String(), "WARNING: HTTPS: The certificate is self-signed") {
		t.Fatalf("public URL %s\nstderr:\n%s", base, serve.stderr)
	}
	client := httpsClient(t, certFile)
	resp, err := client.Get(base + "/saml/demo/metadata")
	if err != nil {
		t.Fatal(err)
	}
	md, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(md), `Location="`+base+`/saml/demo/acs"`) {
		t.Fatalf("metadata: %s\n%s", resp.Status, md)
	}
	acs, form, err := core.DemoResponse(context.Background(), client, base, url.Values{"persona": {"alice"}})
	if err != nil {
		t.Fatal(err)
	}
	resp, err = client.PostForm(acs, form)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), `id="welcome"`) || !strings.HasPrefix(acs, base) {
		t.Fatalf("post to %s: %s\n%s", acs, resp.Status, page)
	}
	if n := countUsers(t, dir); n != 1 {
		t.Errorf("%d accounts after one sign-in", n)
	}

	// demo simulate against the https console: refused with what to do
	// without --ca-cert, signs in with it.
	plain := runBinary(t, "demo", "simulate", "--count", "2", "--target", base, "--data-dir", dir)
	if plain.code != 1 || !strings.Contains(plain.stderr, "--ca-cert FILE") {
		t.Errorf("demo simulate without --ca-cert: exit %d\n%s", plain.code, plain.stderr)
	}
	sim := runBinary(t, "demo", "simulate", "--count", "2", "--target", base, "--ca-cert", certFile, "--data-dir", dir)
	if sim.code != 0 || !strings.Contains(sim.stdout, "2 signed in, 0 failed") {
		t.Errorf("demo simulate --ca-cert: exit %d\n%s%s", sim.code, sim.stdout, sim.stderr)
	}
	if n := countUsers(t, dir); n != 3 {
		t.Errorf("%d accounts after three sign-ins", n)
	}
	stopServe(t, serve)
}

// TestServeTLSRefusals: flags that cannot make HTTPS are refused at
// start, and nothing listens.
func TestServeTLSRefusals(t *testing.T) {
	certFile, keyFile := selfSignedFiles(t)
	otherCert, _ := selfSignedFiles(t)
	port := freePort(t)
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"key of another certificate", []string{"--tls-cert", otherCert, "--tls-key", keyFile}, "The private key does not belong to the certificate"},
		{"http base URL", []string{"--tls-cert", certFile, "--tls-key", keyFile, "--base-url", "http://localhost:" + port}, "is http, but --tls-cert makes the listener speak HTTPS"},
		{"cert without key", []string{"--tls-cert", certFile}, "give both --tls-cert and --tls-key"},
		{"missing file", []string{"--tls-cert", certFile, "--tls-key", certFile + ".nope"}, "read --tls-key"},
	} {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"serve", "--listen", "127.0.0.1:" + port, "--data-dir", t.TempDir()}, c.args...)
			r := runCLI(t, args...)
			if r.code != 2 || !strings.Contains(r.stderr, c.want) {
				t.Fatalf("exit %d, want 2 with %q\nstderr:\n%s", r.code, c.want, r.stderr)
			}
			if conn, err := net.DialTimeout("tcp", "127.0.0.1:"+port, 5*time.Second); err == nil {
				conn.Close()
				t.Fatal("something listens after the refusal")
			}
		})
	}
}

// TestTLSImportKeyInKeyring stores a pair with tls import: the key goes
// to the real OS keyring (never beside the database), the next serve
// speaks HTTPS with it, and tls off removes it from the keyring. It needs
// the session of scripts/session.sh (D-Bus and gnome-keyring).
func TestTLSImportKeyInKeyring(t *testing.T) {
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		t.Skip("no session bus: run under scripts/session.sh")
	}
	certFile, keyFile := selfSignedFiles(t)
	dir := t.TempDir()
	db, err := storage.Open(context.Background(), storage.DBPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	abs, _ := filepath.Abs(dir)
	account := core.TLSKeyName + " @ " + abs
	t.Cleanup(func() {
		if err := keyring.Delete(storage.KeyringService, account); err != nil && !errors.Is(err, keyring.ErrNotFound) {
			t.Logf("delete the keyring entry: %v", err)
		}
	})

	r := runCLI(t, "tls", "import", "--cert", certFile, "--key", keyFile, "--data-dir", dir)
	keysInKeyring(t, dir, r.stderr)
	if r.code != 0 || !strings.Contains(r.stdout, "HTTPS is on") || !strings.Contains(r.stdout, "new metadata") {
		t.Fatalf("tls import: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if _, err := keyring.Get(storage.KeyringService, account); err != nil {
		t.Fatalf("the HTTPS key is not in the keyring: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "keys", core.TLSKeyName+".key")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the HTTPS key is in a file beside the database: %v", err)
	}
	if r := runCLI(t, "tls", "status", "--data-dir", dir); r.code != 0 || !strings.Contains(r.stdout, "HTTPS: on") || !strings.Contains(r.stdout, "CN=localhost") {
		t.Fatalf("tls status: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	serve := start(t, "serve", "--listen", "127.0.0.1:0", "--data-dir", dir)
	base := serve.waitFor(t, listeningRE, time.Minute)[2]
	if !strings.HasPrefix(base, "https://") {
		t.Fatalf("serve after tls import: public URL %s", base)
	}
	resp, err := httpsClient(t, certFile).Get(base + "/saml/demo/metadata")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("metadata over the stored HTTPS: %s", resp.Status)
	}
	stopServe(t, serve)

	if r := runCLI(t, "tls", "off", "--data-dir", dir); r.code != 0 || !strings.Contains(r.stdout, "HTTPS is off") {
		t.Fatalf("tls off: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if _, err := keyring.Get(storage.KeyringService, account); !errors.Is(err, keyring.ErrNotFound) {
		t.Errorf("the HTTPS key is still in the keyring after tls off: %v", err)
	}
	if r := runCLI(t, "tls", "status", "--data-dir", dir); r.code != 0 || !strings.Contains(r.stdout, "HTTPS: off") {
		t.Errorf("tls status after off: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}
