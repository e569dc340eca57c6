// The demo IdP's hire secret in the data directory, and the demo IdP's
// command-line switches.

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/jitconsole/jitconsole/core"
)

// hireSecretFile is the 0600 file in the data directory where a running
// console keeps its demo IdP's secret for `jitconsole demo simulate`.
const hireSecretFile = "demo-idp.secret"

// writeHireSecret writes secret to the data directory dir, readable only by
// its owner, replacing the file of an earlier run at once. The returned
// function removes the file again, unless another console has replaced it.
func writeHireSecret(dir string, secret core.HireSecret) (func(), error) {
	path := filepath.Join(dir, hireSecretFile)
	tmp, err := os.CreateTemp(dir, hireSecretFile+".*")
	if err != nil {
		return nil, fmt.Errorf("write the demo IdP's secret in %s: %w", dir, err)
	}
	text := secret.Encode() + "\n"
	_, err = tmp.WriteString(text)
	if err == nil {
		err = tmp.Chmod(0o600)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return nil, fmt.Errorf("write the demo IdP's secret to %s: %w", path, err)
	}
	return func() {
		if b, err := os.ReadFile(path); err == nil && string(b) == text {
			os.Remove(path)
		}
	}, nil
}

// readHireSecret reads the secret of the console running on dir.
func readHireSecret(dir string) (core.HireSecret, error) {
	path := filepath.Join(dir, hireSecretFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return core.HireSecret{}, fmt.Errorf("no console is running on the data directory %s (there is no %s): "+
			"start jitconsole or jitconsole serve with --data-dir %[1]s, or pass the --data-dir of the running console", dir, hireSecretFile)
	}
	if err != nil {
		return core.HireSecret{}, fmt.Errorf("read the demo IdP's secret: %w", err)
	}
	secret, err := core.ParseHireSecret(string(b))
	if err != nil {
		return core.HireSecret{}, fmt.Errorf("%s: %s", path, errorText(err))
	}
	return secret, nil
}

// startDemoIdP finishes the start of a console that serves (GUI or serve):
// it writes the hire secret for demo simulate and says on stderr what the
// demo IdP exposes, if anything. The returned function removes the secret.
func (o *opened) startDemoIdP(ctx context.Context, stderr io.Writer) (func(), error) {
	if warning := o.DemoIdP(ctx).Warning; warning != "" {
		fmt.Fprintf(stderr, "WARNING: %s\n", warning)
	}
	return writeHireSecret(o.dir, o.HireSecret())
}

// demoIdPFlags are --demo-idp and --no-demo-idp of the GUI and serve.
type demoIdPFlags struct{ on, off bool }

func addDemoIdPFlags(fs *flag.FlagSet) *demoIdPFlags {
	f := &demoIdPFlags{}
	fs.BoolVar(&f.on, "demo-idp", false, "serve the built-in demo IdP in this run, also on a --listen address other than loopback\n(it signs anyone who reaches the listener in as any persona)")
	fs.BoolVar(&f.off, "no-demo-idp", false, "switch the built-in demo IdP off in this run (the Settings switch is kept)")
	return f
}

// check refuses both flags at once.
func (f *demoIdPFlags) check(fs *flag.FlagSet, stderr io.Writer) error {
	if f != nil && f.on && f.off {
		return usageError(fs, stderr, "--demo-idp and --no-demo-idp cannot be used together")
	}
	return nil
}

// override is what the flags tell core; a nil f (commands without the
// flags) leaves the decision to the stored setting.
func (f *demoIdPFlags) override() core.DemoOverride {
	switch {
	case f == nil:
		return core.DemoFromSetting
	case f.off:
		return core.DemoForceOff
	case f.on:
		return core.DemoForceOn
	}
	return core.DemoFromSetting
}
