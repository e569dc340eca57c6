// jitconsole tls: HTTPS for the SP listener. The --tls-cert and --tls-key
// flags of serve and the GUI, and the commands that make a self-signed
// pair, import a pair into the data directory (certificate in the
// database, key in the OS keyring), turn it off and show it.

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

// tlsFlags are --tls-cert and --tls-key of serve and the GUI. The files
// are read once at start and never copied anywhere.
type tlsFlags struct {
	certFile, keyFile string
	pair              *core.TLSPair // read by check; nil without the flags
}

func (tf *tlsFlags) add(fs *flag.FlagSet) {
	fs.StringVar(&tf.certFile, "tls-cert", "", "PEM certificate `FILE` (with intermediates): the listener speaks HTTPS\n(give --tls-key too; the base URL becomes https)")
	fs.StringVar(&tf.keyFile, "tls-key", "", "PEM private key `FILE` of --tls-cert")
}

// check reads the pair when both flags are given, and makes the base URL
// https. An http --base-url with them is a usage error.
func (tf *tlsFlags) check(fs *flag.FlagSet, stderr io.Writer, sf *serverFlags) error {
	if (tf.certFile == "") != (tf.keyFile == "") {
		return usageError(fs, stderr, "give both --tls-cert and --tls-key, or neither")
	}
	if tf.certFile == "" {
		return nil
	}
	if sf.baseURLSet && strings.HasPrefix(sf.baseURL, "http://") {
		return usageError(fs, stderr, "--base-url %s is http, but --tls-cert makes the listener speak HTTPS: give an https:// base URL", sf.baseURL)
	}
	certPEM, err := os.ReadFile(tf.certFile)
	if err != nil {
		return inputError(fs, stderr, "read --tls-cert: %v", err)
	}
	keyPEM, err := os.ReadFile(tf.keyFile)
	if err != nil {
		return inputError(fs, stderr, "read --tls-key: %v", err)
	}
	if tf.pair, err = core.ParseTLSPair(certPEM, keyPEM); err != nil {
		return inputError(fs, stderr, "--tls-cert %s and --tls-key %s: %s", tf.certFile, tf.keyFile, errorText(err))
	}
	if strings.HasPrefix(sf.baseURL, "http://") {
		sf.baseURL = "https://" + strings.TrimPrefix(sf.baseURL, "http://")
	}
	return nil
}

// warnTLS prints, once the listener runs, what is wrong with its HTTPS
// certificate, or that an https base URL is served over plain http (a
// proxy in front must terminate TLS).
func warnTLS(con *opened, stderr io.Writer) {
	st := con.TLS()
	for _, w := range st.Warnings {
		fmt.Fprintf(stderr, "WARNING: HTTPS: %s\n", w)
	}
	if !st.On && strings.HasPrefix(con.BaseURL(), "https://") {
		fmt.Fprintf(stderr, "WARNING: the base URL %s is https, but the listener itself speaks plain http: "+
			"this works only behind a proxy that terminates TLS (else give --tls-cert and --tls-key).\n", con.BaseURL())
	}
}

func cmdTLSSelfSigned(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("jitconsole tls self-signed", flag.ContinueOnError)
	var host, certFile, keyFile string
	var days int
	var useRSA, force bool
	fs.StringVar(&host, "host", "", "the host `NAME` (or IP address) of the base URL the certificate is for")
	fs.StringVar(&certFile, "cert", "jitconsole-tls.crt", "certificate `FILE` to write")
	fs.StringVar(&keyFile, "key", "jitconsole-tls.key", "private key `FILE` to write (mode 0600)")
	fs.IntVar(&days, "days", 365, "validity in `DAYS`")
	fs.BoolVar(&useRSA, "rsa", false, "an RSA-2048 key (default ECDSA P-256)")
	fs.BoolVar(&force, "force", false, "overwrite existing files")
	if err := parseFlags(fs, `jitconsole tls self-signed --host NAME [--cert FILE] [--key FILE] [--days N] [--rsa] [--force]

Makes a self-signed HTTPS certificate for NAME (for localhost also
127.0.0.1 and ::1) and its private key, for a test setup. Browsers warn
about a self-signed certificate, and some IdPs refuse to post to it: use a
certificate from a CA for anything real.
`, args, stdout, stderr); err != nil {
		return err
	}
	if host == "" {
		return usageError(fs, stderr, "which host? Give --host NAME (the host of the base URL, such as localhost)")
	}
	if days <= 0 || days > 3650 {
		return usageError(fs, stderr, "--days must be from 1 to 3650")
	}
	if !force {
		for _, f := range []string{certFile, keyFile} {
			if _, err := os.Stat(f); err == nil {
				return inputError(fs, stderr, "%s exists: choose another file, or give --force to overwrite it", f)
			}
		}
	}
	certPEM, keyPEM, err := core.SelfSignedTLS(core.SelfSignedOptions{Host: host, Days: days, RSA: useRSA})
	if err != nil {
		return plainError(err)
	}
	if err := writeNew(keyFile, keyPEM, 0o600, force); err != nil {
		return fmt.Errorf("write the key: %w", err)
	}
	if err := writeNew(certFile, certPEM, 0o644, force); err != nil {
		return fmt.Errorf("write the certificate: %w", err)
	}
	fmt.Fprintf(stdout, `Wrote a self-signed certificate for %s (valid %d days) to %s
and its private key to %s (readable only by you).

Browsers will warn that the certificate is not trusted, and some IdPs refuse
to post sign-ins to an ACS with a self-signed certificate. Use it for a test
setup; for anything real use a certificate from a CA (such as Let's Encrypt).

Use it:
  jitconsole serve --tls-cert %s --tls-key %s --base-url https://%s:8080
or store it in the data directory (the key goes to the OS keyring):
  jitconsole tls import --cert %[3]s --key %[4]s
`, host, days, certFile, keyFile, certFile, keyFile, hostForURL(host))
	return nil
}

// hostForURL brackets an IPv6 address.
func hostForURL(host string) string {
	if strings.Contains(host, ":") {
		return "[" + host + "]"
	}
	return host
}

// writeNew writes data to path with perm; without force it refuses an
// existing file (O_EXCL), so that nothing is overwritten by a race.
func writeNew(path string, data []byte, perm fs.FileMode, force bool) error {
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if force {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(path, flags, perm)
	if err != nil {
		return err
	}
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func cmdTLSImport(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("jitconsole tls import", flag.ContinueOnError)
	var dirFlag, certFile, keyFile string
	addDataDirFlag(fs, &dirFlag)
	fs.StringVar(&certFile, "cert", "", "PEM certificate `FILE` (with intermediates)")
	fs.StringVar(&keyFile, "key", "", "PEM private key `FILE` of the certificate")
	if err := parseFlags(fs, `jitconsole tls import --cert FILE --key FILE [--data-dir DIR]

Turns HTTPS on for the SP listener, as Settings does: checks that the key
belongs to the certificate and that it is valid, stores the certificate in
the database and the private key in the OS keyring (or, without a keyring,
in a 0600 file beside the database, with a warning). The console uses it
from its next start; the SP's URLs become https, so the IdPs need the SP's
new metadata.
`, args, stdout, stderr); err != nil {
		return err
	}
	if certFile == "" || keyFile == "" {
		return usageError(fs, stderr, "give --cert FILE and --key FILE")
	}
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return inputError(fs, stderr, "read --cert: %v", err)
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return inputError(fs, stderr, "read --key: %v", err)
	}
	ctx := context.Background()
	con, err := openExistingConsole(ctx, dirFlag, slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		return plainError(err)
	}
	defer con.close()
	warnings, err := con.SetTLS(ctx, certPEM, keyPEM)
	if err != nil {
		fmt.Fprintf(stderr, "jitconsole tls import: %s\nNothing was changed.\n", errorText(err))
		return errReported
	}
	for _, w := range warnings {
		fmt.Fprintf(stderr, "WARNING: %s\n", w)
	}
	fmt.Fprintln(stdout, "HTTPS is on: the console serves it from its next start (restart a running one).")
	fmt.Fprintln(stdout, "The SP's URLs are now https: give your IdPs the SP's new metadata (jitconsole idp list shows them).")
	return nil
}

func cmdTLSOff(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("jitconsole tls off", flag.ContinueOnError)
	var dirFlag string
	addDataDirFlag(fs, &dirFlag)
	if err := parseFlags(fs, "jitconsole tls off [--data-dir DIR]\n\nTurns the stored HTTPS off: removes the certificate from the database and\nthe key from the OS keyring. The console speaks http from its next start.\n", args, stdout, stderr); err != nil {
		return err
	}
	ctx := context.Background()
	con, err := openExistingConsole(ctx, dirFlag, slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		return plainError(err)
	}
	defer con.close()
	if err := con.DisableTLS(ctx); err != nil {
		return plainError(err)
	}
	fmt.Fprintln(stdout, "HTTPS is off: the console speaks http from its next start (restart a running one).")
	fmt.Fprintln(stdout, "The SP's URLs are now http: give your IdPs the SP's new metadata.")
	return nil
}

func cmdTLSStatus(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("jitconsole tls status", flag.ContinueOnError)
	con, err := readerCommand(fs, "jitconsole tls status [--data-dir DIR]\n\nSays whether HTTPS is stored for the listener, and with which certificate.\n", args, stdout, stderr)
	if err != nil {
		return err
	}
	ctx := context.Background()
	defer con.close()
	st, err := con.StoredTLS(ctx)
	switch {
	case errors.Is(err, core.ErrTLSKeyMissing):
		fmt.Fprintf(stdout, "HTTPS: on, but broken. %s\n", errorText(err))
		return errReported
	case err != nil:
		return plainError(err)
	case !st.On:
		fmt.Fprintln(stdout, "HTTPS: off (the listener speaks http; serve --tls-cert/--tls-key or tls import turn it on)")
		return nil
	}
	fmt.Fprintf(stdout, "HTTPS: on\nCertificate: %s\nNames: %s\nValid until: %s\nSHA-256: %s\n",
		st.Subject, strings.Join(st.Names, ", "), st.NotAfter.UTC().Format(time.DateOnly), st.Fingerprint)
	for _, w := range st.Warnings {
		fmt.Fprintf(stdout, "Warning: %s\n", w)
	}
	return nil
}
