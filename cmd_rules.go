// jitconsole rules: exporting and importing an IdP's mapping.

package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/jitconsole/jitconsole/core"
)

// cmdRulesExport prints an IdP's rules document. It only reads
// (openReader).
func cmdRulesExport(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("jitconsole rules export", flag.ContinueOnError)
	var dirFlag, slug string
	addDataDirFlag(fs, &dirFlag)
	fs.StringVar(&slug, "idp", "", "the `SLUG` of the identity provider")
	if _, err := parseFlagsArgs(fs, "jitconsole rules export --idp SLUG [--data-dir DIR]\n\nPrints the IdP's field mapping, account key settings, sync policy and role\nrules as JSON (the format rules import reads).\n", args, 0, stdout, stderr); err != nil {
		return err
	}
	if slug == "" {
		return usageError(fs, stderr, "which IdP? Give --idp SLUG (jitconsole idp list shows them)")
	}
	ctx := context.Background()
	con, err := openReader(ctx, dirFlag, "", nil)
	if err != nil {
		return err
	}
	defer con.close()
	out, err := con.ExportRules(ctx, slug)
	if err != nil {
		return plainError(err)
	}
	_, err = fmt.Fprintf(stdout, "%s\n", out)
	return err
}

// cmdRulesImport replaces an IdP's mapping with a rules document, through
// the same core call as the Mapping Rules screen's import.
func cmdRulesImport(stdin io.Reader, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("jitconsole rules import", flag.ContinueOnError)
	var dirFlag, slug string
	addDataDirFlag(fs, &dirFlag)
	fs.StringVar(&slug, "idp", "", "the `SLUG` of the identity provider")
	pos, err := parseFlagsArgs(fs, "jitconsole rules import --idp SLUG FILE [--data-dir DIR]\n\nValidates FILE (as rules export prints it; - for stdin) and replaces the\nIdP's mapping with it at once. An invalid file changes nothing and the\nerror names the field. Roles it names that do not exist are created.\n", args, 1, stdout, stderr)
	if err != nil {
		return err
	}
	if slug == "" || len(pos) == 0 {
		return usageError(fs, stderr, "give --idp SLUG and the rules FILE")
	}
	var data []byte
	if pos[0] == "-" {
		data, err = readInput(stdin, "-")
	} else {
		data, err = readInput(stdin, pos[0])
	}
	if err != nil {
		return inputError(fs, stderr, "%v", err)
	}
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	con, err := openConsole(ctx, &serverFlags{listen: core.DefaultListenAddr, baseURL: core.DefaultBaseURL, dataDir: dirFlag}, logger)
	if err != nil {
		return err
	}
	defer con.close()
	idp, err := con.ImportRules(ctx, slug, data)
	if err != nil {
		fmt.Fprintf(stderr, "jitconsole rules import: %s\nNothing was changed.\n", errorText(err))
		return errReported
	}
	fmt.Fprintf(stdout, "Replaced the mapping of %s (%s): %d rule(s). It applies from the next sign-in.\n",
		idp.DisplayName, slug, len(idp.Mapping.RoleRules))
	return nil
}
