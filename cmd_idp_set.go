// jitconsole idp set: an IdP connection's switches, security settings,
// refresh interval and metadata URL, as its Identity Providers screen
// changes them.

package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

const idpSetSynopsis = `jitconsole idp set SLUG [--enabled=true|false] [--allow-idp-initiated=true|false]
         [--allow-sha1=true|false] [--require-signed-response=true|false]
         [--require-signed-assertion=true|false] [--refresh-interval DURATION]
         [--metadata-url URL] [--data-dir DIR]

Changes the settings of the IdP connection SLUG, as its page in the
console does, with the same audit entry. Only the flags given change
anything; a boolean flag alone means =true. --metadata-url fetches and
checks the metadata first: metadata that the import would refuse changes
nothing at all. Prints each change as old → new.
`

// idpSetFlags are the flags of idp set; set names those given.
type idpSetFlags struct {
	enabled, idpInitiated, sha1, signedResponse, signedAssertion bool
	refresh, metadataURL                                         string
	set                                                          map[string]bool
}

// cmdIdPSet changes an IdP connection's settings through core's
// UpdateIdP (and ImportIdP for --metadata-url), as the GUI does.
func cmdIdPSet(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("jitconsole idp set", flag.ContinueOnError)
	var f idpSetFlags
	fs.BoolVar(&f.enabled, "enabled", false, "accept sign-ins through this IdP (false: refuse them)")
	fs.BoolVar(&f.idpInitiated, "allow-idp-initiated", false, "accept sign-ins started at the IdP (unsolicited responses)")
	fs.BoolVar(&f.sha1, "allow-sha1", false, "accept signatures made with SHA-1")
	fs.BoolVar(&f.signedResponse, "require-signed-response", false, "refuse responses whose Response element is not signed")
	fs.BoolVar(&f.signedAssertion, "require-signed-assertion", false, "refuse responses whose assertion is not signed")
	fs.StringVar(&f.refresh, "refresh-interval", "", "fetch URL metadata again every `DURATION` (like 12h; at least 5m; 0: the default, 24h)")
	fs.StringVar(&f.metadataURL, "metadata-url", "", "fetch the IdP's metadata from `URL` from now on (checked before anything is saved)")
	var dirFlag string
	addDataDirFlag(fs, &dirFlag)
	pos, err := parseFlagsArgs(fs, idpSetSynopsis, args, 1, stdout, stderr)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError(fs, stderr, "name the IdP connection: jitconsole idp set SLUG [flags] (see jitconsole idp list)")
	}
	slug := pos[0]
	f.set = map[string]bool{}
	fs.Visit(func(fl *flag.Flag) {
		if fl.Name != "data-dir" {
			f.set[fl.Name] = true
		}
	})
	if len(f.set) == 0 {
		return usageError(fs, stderr, "give at least one setting to change, like --allow-idp-initiated=true")
	}
	var every time.Duration
	if f.set["refresh-interval"] {
		if every, err = parseRefreshInterval(f.refresh); err != nil {
			return usageError(fs, stderr, "--refresh-interval: %v", err)
		}
	}
	if f.set["metadata-url"] {
		if err := checkHTTPURL(f.metadataURL); err != nil {
			return usageError(fs, stderr, "--metadata-url: %v", err)
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	con, err := openExistingConsole(ctx, dirFlag, logger)
	if err != nil {
		return err
	}
	defer con.close()
	old, err := con.IdP(ctx, slug)
	if core.ErrorCode(err) == core.ENOTFOUND {
		return fmt.Errorf("no IdP connection is called %q; jitconsole idp list shows the slugs", slug)
	} else if err != nil {
		return plainError(err)
	}
	if f.set["metadata-url"] {
		_, _, err := con.ImportIdP(ctx, core.ImportRequest{Slug: slug,
			MetadataInput: core.MetadataInput{Source: core.SourceURL, Name: f.metadataURL}})
		if err != nil {
			return importError(err, stderr)
		}
	}
	cur, err := con.IdP(ctx, slug)
	if err != nil {
		return plainError(err)
	}
	next := f.apply(cur, every)
	if _, err := con.UpdateIdP(ctx, next); err != nil {
		return plainError(err)
	}
	saved, err := con.IdP(ctx, slug)
	if err != nil {
		return plainError(err)
	}
	changes := idpChanges(old, saved)
	if len(changes) == 0 {
		fmt.Fprintf(stdout, "%s (%s): nothing changed.\n", saved.DisplayName, slug)
		return nil
	}
	fmt.Fprintf(stdout, "%s (%s):\n", saved.DisplayName, slug)
	for _, c := range changes {
		fmt.Fprintf(stdout, "  %s\n", c)
	}
	return nil
}

// apply returns idp with the settings the flags give.
func (f idpSetFlags) apply(idp core.IdP, every time.Duration) core.IdP {
	set := func(name string, p *bool, v bool) {
		if f.set[name] {
			*p = v
		}
	}
	set("enabled", &idp.Enabled, f.enabled)
	set("allow-idp-initiated", &idp.Security.AllowIdPInitiated, f.idpInitiated)
	set("allow-sha1", &idp.Security.RejectSHA1, !f.sha1)
	set("require-signed-response", &idp.Security.RequireSignedResponse, f.signedResponse)
	set("require-signed-assertion", &idp.Security.RequireSignedAssertion, f.signedAssertion)
	if f.set["refresh-interval"] {
		idp.RefreshEvery = every
	}
	return idp
}

// parseRefreshInterval reads --refresh-interval: a Go duration of at least
// five minutes, or 0 for the default.
func parseRefreshInterval(s string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	switch {
	case strings.TrimSpace(s) == "0":
		return 0, nil
	case err != nil:
		return 0, fmt.Errorf("%q is not a duration like 30m, 12h or 168h", s)
	case d < 5*time.Minute:
		return 0, fmt.Errorf("%s is too often: at least 5m (0: the default, %s)", d, core.DefaultRefreshEvery)
	}
	return d, nil
}

// idpChanges lists, as "name: old → new", what differs between two states
// of an IdP connection in what idp set changes.
func idpChanges(a, b core.IdP) []string {
	var out []string
	add := func(name string, x, y any) {
		if fmt.Sprint(x) != fmt.Sprint(y) {
			out = append(out, fmt.Sprintf("%s: %v → %v", name, x, y))
		}
	}
	add("enabled", a.Enabled, b.Enabled)
	add("allow-idp-initiated", a.Security.AllowIdPInitiated, b.Security.AllowIdPInitiated)
	add("allow-sha1", !a.Security.RejectSHA1, !b.Security.RejectSHA1)
	add("require-signed-response", a.Security.RequireSignedResponse, b.Security.RequireSignedResponse)
	add("require-signed-assertion", a.Security.RequireSignedAssertion, b.Security.RequireSignedAssertion)
	add("refresh-interval", refreshText(a.RefreshEvery), refreshText(b.RefreshEvery))
	add("metadata-url", orNone(a.MetadataURL), orNone(b.MetadataURL))
	add("entity ID", a.EntityID, b.EntityID)
	if a.MetadataXML != b.MetadataXML && a.EntityID == b.EntityID {
		out = append(out, "metadata: replaced by the metadata at "+b.MetadataURL)
	}
	return out
}

func refreshText(d time.Duration) string {
	if d == 0 {
		return "default (" + core.DefaultRefreshEvery.String() + ")"
	}
	return d.String()
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
