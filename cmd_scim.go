// jitconsole scim token: the per-IdP SCIM bearer token, made or rotated
// and shown once.

package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/jitconsole/jitconsole/core"
)

const scimTokenSynopsis = `jitconsole scim token --idp SLUG [--rotate] [--data-dir DIR]

Makes the SCIM bearer token of the IdP connection SLUG and prints it with
the SCIM base URL to enter in the IdP's provisioning settings. The token
is shown this once: the console keeps only its hash. When the IdP has a
token already, --rotate replaces it (the old one stops working at once).
`

// cmdSCIMToken makes or rotates an IdP's SCIM token.
func cmdSCIMToken(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("jitconsole scim token", flag.ContinueOnError)
	slug := fs.String("idp", "", "the IdP connection's `SLUG` (jitconsole idp list shows them)")
	rotate := fs.Bool("rotate", false, "replace the IdP's token; the old one stops working at once")
	var dirFlag string
	addDataDirFlag(fs, &dirFlag)
	if err := parseFlags(fs, scimTokenSynopsis, args, stdout, stderr); err != nil {
		return err
	}
	if *slug == "" {
		return usageError(fs, stderr, "which IdP? Give --idp SLUG (jitconsole idp list shows them)")
	}
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	con, err := openExistingConsole(ctx, dirFlag, logger)
	if err != nil {
		return err
	}
	defer con.close()
	if _, err := con.IdP(ctx, *slug); err != nil {
		return plainError(err)
	}
	had, err := con.HasSCIMToken(ctx, *slug)
	if err != nil {
		return plainError(err)
	}
	if had && !*rotate {
		return fmt.Errorf("%s has a SCIM token already; it was shown once and is kept only as a hash. "+
			"--rotate makes a new one (the old one stops working at once)", *slug)
	}
	token, err := con.NewSCIMToken(ctx, *slug)
	if err != nil {
		return plainError(err)
	}
	base := core.StoredBaseURL(ctx, con.db)
	verb := "New"
	if had {
		verb = "Rotated"
	}
	fmt.Fprintf(stdout, "%s SCIM token of %s (shown this once; the console keeps only its hash):\n\n  %s\n\n", verb, *slug, token)
	fmt.Fprintf(stdout, "SCIM base URL (tenant URL):  %s\n", core.SCIMBaseURL(base, *slug))
	fmt.Fprintf(stdout, "Authentication:              HTTP header  Authorization: Bearer <the token>\n")
	if !strings.HasPrefix(base, "https://") {
		fmt.Fprintf(stdout, "\nA cloud IdP (Okta, Entra ID, JumpCloud) must reach this URL over HTTPS from the\n"+
			"internet: put serve behind a reverse proxy or tunnel with TLS, or give it\n"+
			"--tls-cert and --tls-key. The demo and self-hosted IdPs work on localhost.\n")
	}
	return nil
}
