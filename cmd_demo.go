// jitconsole demo simulate: generated new hires through a running console.

package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

// cmdSimulate signs generated new hires in at a running console.
func cmdSimulate(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("jitconsole demo simulate", flag.ContinueOnError)
	count := fs.Int("count", 0, "how many new hires sign in (`N`, required)")
	target := fs.String("target", core.DefaultBaseURL, "base `URL` of the running console")
	concurrency := fs.Int("concurrency", 4, "how many sign in at a time (`C`)")
	caCert := fs.String("ca-cert", "", "also trust the PEM certificate(s) in `FILE` for an https --target\n(the --tls-cert of a console with a self-signed certificate)")
	var dirFlag string
	addDataDirFlag(fs, &dirFlag)
	if err := parseFlags(fs, "jitconsole demo simulate --count N [--target URL] [--ca-cert FILE] [--concurrency C] [--data-dir DIR]\n\nSigns N generated new hires in at a running console (jitconsole or\njitconsole serve) through its demo IdP, each through the real SAML flow.\nThe demo IdP signs only hires made with the running console's secret,\nwhich it keeps in its data directory: pass the console's --data-dir.\nExits 1 if any sign-in failed.\n", args, stdout, stderr); err != nil {
		return err
	}
	switch {
	case *count < 1:
		return usageError(fs, stderr, "--count must be at least 1")
	case *concurrency < 1:
		return usageError(fs, stderr, "--concurrency must be at least 1")
	}
	if err := checkHTTPURL(*target); err != nil {
		return usageError(fs, stderr, "--target: %v", err)
	}
	base := strings.TrimRight(*target, "/")
	transport, err := trustingTransport(*caCert)
	if err != nil {
		return inputError(fs, stderr, "--ca-cert: %v", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := probeConsole(ctx, base, transport); err != nil {
		return err
	}
	dir, err := dataDir(dirFlag)
	if err != nil {
		return err
	}
	secret, err := readHireSecret(dir)
	if err != nil {
		return err
	}

	progress := &progressLine{w: stderr}
	res, err := core.Simulate(ctx, core.SimulateOptions{Target: base, Count: *count,
		Concurrency: *concurrency, Progress: progress.update, Secret: secret, Transport: transport})
	progress.finish()
	if err != nil {
		return plainError(err)
	}
	rate := float64(res.Succeeded+res.Failed) / res.Elapsed.Seconds()
	fmt.Fprintf(stdout, "%d signed in, %d failed, in %s (%.1f sign-ins/s)\n",
		res.Succeeded, res.Failed, res.Elapsed.Round(time.Millisecond), rate)
	for _, e := range res.Errors {
		fmt.Fprintf(stderr, "  failed: %s\n", e)
	}
	if res.Failed > 0 {
		return fmt.Errorf("%d of %d sign-ins failed", res.Failed, *count)
	}
	return nil
}

// probeConsole checks that a console answers at base before the first
// login, so that a wrong --target is one clear error and not N failures.
func probeConsole(ctx context.Context, base string, transport http.RoundTripper) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	u := base + "/demo-idp/metadata"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := (&http.Client{Transport: transport}).Do(req)
	var unknownCA x509.UnknownAuthorityError
	if errors.As(err, &unknownCA) {
		return fmt.Errorf("the console at %s speaks HTTPS with a certificate this computer does not trust "+
			"(self-signed?): pass it with --ca-cert FILE, the file given to --tls-cert", base)
	}
	if err != nil {
		return fmt.Errorf("no JIT Console answers at %s (start one with jitconsole or jitconsole serve, or pass --target): %v", base, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answers %s for %s: is it a JIT Console with its demo IdP switched on? "+
			"(Settings switches it; serve --no-demo-idp, or a --listen address other than loopback without --demo-idp, keep it off)", base, resp.Status, u)
	}
	return nil
}

// progressLine keeps one line on stderr up to date from the workers.
type progressLine struct {
	mu      sync.Mutex
	w       io.Writer
	last    core.SimProgress
	printed time.Time
}

func (p *progressLine) update(sp core.SimProgress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if sp.Done <= p.last.Done {
		return // workers report out of order
	}
	p.last = sp
	if sp.Done < sp.Total && time.Since(p.printed) < 100*time.Millisecond {
		return
	}
	p.printed = time.Now()
	fmt.Fprintf(p.w, "\r%d/%d signed in, %d failed", sp.Done-sp.Failed, sp.Total, sp.Failed)
}

func (p *progressLine) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.printed.IsZero() {
		fmt.Fprintln(p.w)
	}
}

// trustingTransport is the HTTP transport of demo simulate: the default
// one, or with caFile one that also trusts the certificates in that PEM
// file (a console's self-signed HTTPS certificate).
func trustingTransport(caFile string) (http.RoundTripper, error) {
	if caFile == "" {
		return http.DefaultTransport, nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, err
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s holds no PEM certificate", caFile)
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return t, nil
}
