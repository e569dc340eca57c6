// jitconsole idp: connecting, listing and removing identity providers.

package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

const idpImportSynopsis = `jitconsole idp import (--file F | --url U | --stdin) [--name NAME] [--slug SLUG]
         [--entity-id ID] [--base-url URL] [--data-dir DIR] [--dry-run [--at RFC3339]]

Connects an identity provider from its SAML metadata, with the same checks
and messages as the console's Identity Providers screen: invalid, expired
or non-IdP metadata saves nothing. An IdP imported again under its slug
gets the new metadata and keeps its mapping and settings. Metadata from
--url is refreshed from there by the running console. Prints what the
metadata holds and the values to paste into the IdP's admin console.
With --dry-run it prints the same and saves nothing (it only reads the
data directory); --at judges the certificates' and the metadata's
validity as of another time, such as the day of going live.
`

// cmdIdPImport connects an IdP from metadata, through core's own import.
func cmdIdPImport(stdin io.Reader, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("jitconsole idp import", flag.ContinueOnError)
	file := fs.String("file", "", "read the IdP's metadata from file `F`")
	metadataURL := fs.String("url", "", "fetch the IdP's metadata from `U` (the console refreshes it from there)")
	fromStdin := fs.Bool("stdin", false, "read the IdP's metadata from standard input")
	name := fs.String("name", "", "display `NAME` (default: from the entity ID)")
	slug := fs.String("slug", "", "`SLUG` in the SP's endpoint paths /saml/SLUG/... (default: from the name)")
	entityID := fs.String("entity-id", "", "the entity `ID` to import from an aggregate of several IdPs")
	baseURL := fs.String("base-url", core.DefaultBaseURL, "the console's public `URL`, that the values for the IdP are built from")
	dryRun := fs.Bool("dry-run", false, "check the metadata and print what would be imported; save nothing")
	atText := fs.String("at", "", "with --dry-run: judge validity as of this `RFC3339` time (default: now)")
	var dirFlag string
	addDataDirFlag(fs, &dirFlag)
	if err := parseFlags(fs, idpImportSynopsis, args, stdout, stderr); err != nil {
		return err
	}
	sources := 0
	for _, set := range []bool{*file != "", *metadataURL != "", *fromStdin} {
		if set {
			sources++
		}
	}
	if sources != 1 {
		return usageError(fs, stderr, "give exactly one of --file, --url and --stdin")
	}
	if err := checkHTTPURL(*baseURL); err != nil {
		return usageError(fs, stderr, "--base-url: %v", err)
	}
	var at time.Time
	if *atText != "" {
		if !*dryRun {
			return usageError(fs, stderr, "--at goes with --dry-run")
		}
		var err error
		if at, err = time.Parse(time.RFC3339, *atText); err != nil {
			return usageError(fs, stderr, "--at %q is not an RFC 3339 time like 2025-06-02T15:04:06Z", *atText)
		}
	}
	if *slug != "" {
		if err := core.ValidateSlug(*slug); err != nil {
			return usageError(fs, stderr, "--slug: %s", errorText(err))
		}
	}
	in := core.MetadataInput{EntityID: strings.TrimSpace(*entityID)}
	switch {
	case *file != "":
		data, err := readInput(stdin, *file)
		if err != nil {
			return inputError(fs, stderr, "--file: %v", err)
		}
		in.Source, in.Name, in.Data = core.SourceFile, *file, data
	case *fromStdin:
		data, err := readInput(stdin, "-")
		if err != nil {
			return inputError(fs, stderr, "--stdin: %v", err)
		}
		in.Source, in.Name, in.Data = core.SourcePaste, "standard input", data
	default:
		if err := checkHTTPURL(*metadataURL); err != nil {
			return usageError(fs, stderr, "--url: %v", err)
		}
		in.Source, in.Name = core.SourceURL, *metadataURL
	}

	// Without --base-url the values for the IdP are built from the URL
	// the console last served at (a console running beside this command,
	// or the last one), not from the default: those are what the IdP
	// must reach.
	baseSet := false
	fs.Visit(func(f *flag.Flag) { baseSet = baseSet || f.Name == "base-url" })
	valuesBase := strings.TrimRight(*baseURL, "/")
	if !baseSet {
		valuesBase = ""
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	req := core.ImportRequest{MetadataInput: in, DisplayName: *name, Slug: *slug}
	if *dryRun {
		return idpImportDryRun(ctx, req, dirFlag, valuesBase, at, stdout, stderr)
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	con, err := openConsole(ctx, &serverFlags{listen: core.DefaultListenAddr, baseURL: strings.TrimRight(*baseURL, "/"), dataDir: dirFlag}, logger)
	if err != nil {
		return err
	}
	defer con.close()
	if warning := con.KeyWarning(); warning != "" {
		fmt.Fprintf(stderr, "WARNING: %s\n", warning)
	}
	before := map[string]bool{}
	if idps, err := con.IdPs(ctx); err == nil {
		for _, i := range idps {
			before[i.Slug] = true
		}
	}
	idp, prev, err := con.ImportIdP(ctx, req)
	if err != nil {
		return importError(err, stderr)
	}

	verb := "Connected"
	if before[idp.Slug] {
		verb = "Replaced the metadata of"
	}
	fmt.Fprintf(stdout, "%s identity provider %s as %q.\n\n", verb, idp.DisplayName, idp.Slug)
	if err := writePreview(stdout, prev); err != nil {
		return err
	}
	if valuesBase == "" {
		valuesBase = core.StoredBaseURL(ctx, con.db)
	}
	return writeIdPValues(stdout, core.EndpointsFor(valuesBase, idp.Slug), valuesBase)
}

// idpImportDryRun prints what idp import would do with req, on a console
// that only reads the data directory, with its clock at at (zero: now).
func idpImportDryRun(ctx context.Context, req core.ImportRequest, dirFlag, baseURL string, at time.Time, stdout, stderr io.Writer) error {
	var clock core.Clock
	if !at.IsZero() {
		clock = fixedClock(at)
	}
	con, err := openReader(ctx, dirFlag, baseURL, clock)
	if err != nil {
		return err
	}
	defer con.close()
	p, err := con.PreviewImport(ctx, req)
	if err != nil {
		return importError(err, stderr)
	}
	verb := "Would connect"
	if p.Replaces {
		verb = "Would replace the metadata of"
	}
	fmt.Fprintf(stdout, "%s identity provider %s as %q (dry run: nothing was saved).\n\n", verb, p.IdP.DisplayName, p.IdP.Slug)
	if err := writePreview(stdout, p.Metadata); err != nil {
		return err
	}
	return writeIdPValues(stdout, con.Endpoints(p.IdP.Slug), con.BaseURL())
}

// importError reports an import that saved nothing: an aggregate to
// choose from, or why the metadata was refused.
func importError(err error, stderr io.Writer) error {
	var choose *core.ChooseEntityError
	if errors.As(err, &choose) {
		fmt.Fprintf(stderr, "The metadata holds %d identity providers; nothing was imported. Choose one with --entity-id:\n", len(choose.EntityIDs))
		for _, id := range choose.EntityIDs {
			fmt.Fprintf(stderr, "  --entity-id %s\n", id)
		}
		return errReported
	}
	//lint:ignore ST1005 sentences for a person, which run prints as they are
	return fmt.Errorf("%s Nothing was saved.", strings.TrimSuffix(errorText(err), ".")+".")
}

// writeIdPValues prints the values to paste into the IdP's admin console.
func writeIdPValues(stdout io.Writer, ep core.Endpoints, base string) error {
	fmt.Fprintf(stdout, "\nValues for the IdP's admin console (built from %s; pass --base-url if the console runs elsewhere):\n", base)
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "  SP entity ID\t%s\t(also called Audience or Identifier)\n", ep.EntityID)
	fmt.Fprintf(tw, "  ACS URL\t%s\t(Reply URL, single sign-on URL; binding HTTP-POST)\n", ep.ACSURL)
	fmt.Fprintf(tw, "  NameID format\t%s\t(any persistent or email NameID works)\n", nameIDUnspecified)
	fmt.Fprintf(tw, "  SP metadata URL\t%s\t(IdPs that import SP metadata read all of the above from here)\n", ep.MetadataURL)
	return tw.Flush()
}

// nameIDUnspecified is the NameID format the SP asks IdPs for: any.
const nameIDUnspecified = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"

// writePreview prints what IdP metadata holds, as the import preview does.
func writePreview(w io.Writer, p core.MetadataPreview) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "Entity ID:\t%s\n", p.EntityID)
	for i, e := range p.SSO {
		name := ""
		if i == 0 {
			name = "Single sign-on:"
		}
		fmt.Fprintf(tw, "%s\t%-13s  %s\n", name, bindingName(e.Binding), e.Location)
	}
	if len(p.Certs) == 0 {
		fmt.Fprintf(tw, "Certificates:\tnone\n")
	}
	for i, c := range p.Certs {
		name := ""
		if i == 0 {
			name = "Certificates:"
		}
		use := c.Use
		if use == "" {
			use = "signing and encryption"
		}
		state := ""
		switch {
		case c.Expired:
			state = "  EXPIRED"
		case c.ExpiresSoon:
			state = "  EXPIRES SOON"
		}
		fmt.Fprintf(tw, "%s\t%s (%s)\n", name, c.Subject, use)
		fmt.Fprintf(tw, "\t  SHA-256 %s\n", c.Fingerprint)
		fmt.Fprintf(tw, "\t  valid %s to %s%s\n", c.NotBefore.UTC().Format("2006-01-02"), c.NotAfter.UTC().Format("2006-01-02"), state)
	}
	if len(p.NameIDFormats) > 0 {
		fmt.Fprintf(tw, "NameID formats:\t%s\n", strings.Join(p.NameIDFormats, ", "))
	}
	if !p.ValidUntil.IsZero() {
		fmt.Fprintf(tw, "Valid until:\t%s\n", p.ValidUntil.UTC().Format(time.RFC3339))
	}
	if p.CacheDuration > 0 {
		fmt.Fprintf(tw, "Cache duration:\t%s\n", p.CacheDuration)
	}
	fmt.Fprintf(tw, "Signed metadata:\t%s\n", map[bool]string{true: "yes", false: "no"}[p.Signed])
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, warning := range p.Warnings {
		fmt.Fprintf(w, "WARNING: %s\n", warning)
	}
	return nil
}

// bindingName is the last part of a SAML binding URN ("HTTP-Redirect").
func bindingName(b string) string {
	if i := strings.LastIndex(b, ":"); i >= 0 {
		return b[i+1:]
	}
	return b
}

// cmdIdPList prints the IdP connections, as the Identity Providers screen
// lists them. It only reads (openReader).
func cmdIdPList(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("jitconsole idp list", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print a JSON array instead of a table")
	con, err := readerCommand(fs, "jitconsole idp list [--json] [--data-dir DIR]\n\nLists the identity provider connections with their signing certificates.\n", args, stdout, stderr)
	if err != nil {
		return err
	}
	ctx := context.Background()
	defer con.close()
	idps, err := con.IdPs(ctx)
	if err != nil {
		return plainError(err)
	}
	out := make([]idpJSON, 0, len(idps))
	now := time.Now()
	for _, i := range idps {
		out = append(out, makeIdPJSON(i, now))
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	return writeIdPTable(stdout, out)
}

type idpJSON struct {
	Slug           string     `json:"slug"`
	DisplayName    string     `json:"display_name"`
	EntityID       string     `json:"entity_id"`
	Enabled        bool       `json:"enabled"`
	MetadataSource string     `json:"metadata_source"`
	MetadataURL    string     `json:"metadata_url,omitempty"`
	RefreshedAt    *time.Time `json:"refreshed_at,omitempty"`
	RefreshError   string     `json:"refresh_error,omitempty"`
	// MetadataError says why the stored metadata no longer validates.
	MetadataError string     `json:"metadata_error,omitempty"`
	Certificates  []certJSON `json:"certificates"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
}

type certJSON struct {
	Use         string    `json:"use"`
	Subject     string    `json:"subject"`
	Fingerprint string    `json:"sha256_fingerprint"`
	NotBefore   time.Time `json:"not_before"`
	NotAfter    time.Time `json:"not_after"`
	Expired     bool      `json:"expired"`
	ExpiresSoon bool      `json:"expires_soon"`
}

func makeIdPJSON(i core.IdP, now time.Time) idpJSON {
	j := idpJSON{Slug: i.Slug, DisplayName: i.DisplayName, EntityID: i.EntityID, Enabled: i.Enabled,
		MetadataSource: string(i.MetadataSource), MetadataURL: i.MetadataURL, RefreshError: i.RefreshError,
		Certificates: []certJSON{}, CreatedAt: i.CreatedAt, UpdatedAt: i.UpdatedAt}
	if !i.RefreshedAt.IsZero() {
		j.RefreshedAt = &i.RefreshedAt
	}
	p, err := core.ParseIdPMetadata([]byte(i.MetadataXML), "", now)
	if err != nil {
		j.MetadataError = errorText(err)
	}
	for _, c := range p.Certs {
		j.Certificates = append(j.Certificates, certJSON{Use: c.Use, Subject: c.Subject, Fingerprint: c.Fingerprint,
			NotBefore: c.NotBefore, NotAfter: c.NotAfter, Expired: c.Expired, ExpiresSoon: c.ExpiresSoon})
	}
	return j
}

func writeIdPTable(w io.Writer, idps []idpJSON) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SLUG\tNAME\tENABLED\tSOURCE\tENTITY ID\tSIGNING CERTIFICATE UNTIL")
	for _, i := range idps {
		// The signing certificate that ends first is the one to watch.
		until := "-"
		var first *certJSON
		for k, c := range i.Certificates {
			if (c.Use == "signing" || c.Use == "") && (first == nil || c.NotAfter.Before(first.NotAfter)) {
				first = &i.Certificates[k]
			}
		}
		if first != nil {
			until = first.NotAfter.Local().Format("2006-01-02")
			switch {
			case first.Expired:
				until += " (expired)"
			case first.ExpiresSoon:
				until += " (expires soon)"
			}
		}
		enabled := "yes"
		if !i.Enabled {
			enabled = "no"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", i.Slug, i.DisplayName, enabled, i.MetadataSource, i.EntityID, until)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, i := range idps {
		if i.MetadataError != "" {
			fmt.Fprintf(w, "WARNING: the stored metadata of %s no longer validates: %s\n", i.Slug, i.MetadataError)
		}
		if i.RefreshError != "" {
			fmt.Fprintf(w, "WARNING: the last metadata refresh of %s failed; the last good metadata stays in use: %s\n", i.Slug, i.RefreshError)
		}
	}
	if len(idps) == 0 {
		fmt.Fprintln(w, "(no identity providers yet: jitconsole idp import --file METADATA.xml)")
	}
	return nil
}

// cmdIdPRemove deletes an IdP connection through core; its accounts stay,
// marked as from a removed IdP.
func cmdIdPRemove(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("jitconsole idp remove", flag.ContinueOnError)
	var dirFlag string
	addDataDirFlag(fs, &dirFlag)
	pos, err := parseFlagsArgs(fs, "jitconsole idp remove SLUG [--data-dir DIR]\n\nRemoves the identity provider connection SLUG. Its accounts stay, marked as\nfrom a removed IdP; importing an IdP under the same slug takes them over.\n", args, 1, stdout, stderr)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usageError(fs, stderr, "which IdP? Give its SLUG (jitconsole idp list shows them)")
	}
	slug := pos[0]
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	con, err := openExistingConsole(ctx, dirFlag, logger)
	if err != nil {
		return err
	}
	defer con.close()
	idp, err := con.IdP(ctx, slug)
	if err != nil {
		return plainError(err)
	}
	accounts, err := con.Users(ctx, core.UserFilter{IdPSlug: slug})
	if err != nil {
		return plainError(err)
	}
	if err := con.RemoveIdP(ctx, slug); err != nil {
		return plainError(err)
	}
	fmt.Fprintf(stdout, "Removed identity provider %s (%s).", idp.DisplayName, slug)
	switch len(accounts) {
	case 0:
		fmt.Fprintln(stdout)
	case 1:
		fmt.Fprintln(stdout, " Its 1 account stays, marked as from a removed IdP.")
	default:
		fmt.Fprintf(stdout, " Its %d accounts stay, marked as from a removed IdP.\n", len(accounts))
	}
	return nil
}
