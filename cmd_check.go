// jitconsole check-response: the validator on the command line.

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

const checkResponseSynopsis = `jitconsole check-response --response FILE
         (--idp SLUG | --idp-metadata FILE [--entity-id ID] | --idp-cert PEMFILE [--issuer ENTITYID])
         [--at RFC3339] [--audience URI] [--acs URL] [--request-id ID]
         [--sp-key PEMFILE] [--base-url URL] [--data-dir DIR] [--json]
         [--allow-idp-initiated] [--reject-sha1] [--require-signed-response]
         [--require-signed-assertion]

Validates a SAMLResponse with the console's own decision procedure and
prints the verdict with what the response holds, creating and changing
nothing. The response is raw XML or base64 as posted (FILE "-" reads
standard input).

With --idp, the verdict is the one the console's ACS would give if the
response were posted now (or at --at) by the browser that started its
sign-in: that IdP's security settings, mapping and enabled switch, the
stored clock skew, the console's own URLs (from the base URL it last
served at, or --base-url), the replay cache, the pending sign-in requests
and the accounts (read only). A response answering a request counts as
solicited only while the console has that request pending.

With --idp-metadata or --idp-cert there is no console state: --audience
and --acs are required, the security flags stand for the IdP's settings,
and a response answering any request counts as solicited. An aggregate
needs --entity-id; the response's own Issuer never chooses the key.

With --request-id, the response must answer that request: an unsolicited
response, or one answering another request, is refused.

Exit status: 0 valid, 1 refused, 2 a wrong command line or unusable input.
`

// checkFlags are check-response's flags.
type checkFlags struct {
	responsePath, slug, metadataPath, certPath, issuer, entityID  string
	atText, audience, acs, requestID, spKeyPath, baseURL, dataDir string
	asJSON                                                        bool
	security                                                      core.IdPSecurity
}

func (f *checkFlags) add(fs *flag.FlagSet) {
	fs.StringVar(&f.responsePath, "response", "", "the SAMLResponse `FILE`, XML or base64 (- reads standard input)")
	fs.StringVar(&f.slug, "idp", "", "check as the console's ACS would for the connected IdP with this `SLUG`")
	fs.StringVar(&f.metadataPath, "idp-metadata", "", "trust the IdP described by the metadata in `FILE`")
	fs.StringVar(&f.entityID, "entity-id", "", "with --idp-metadata holding several IdPs: the `ID` of the one to trust")
	fs.StringVar(&f.certPath, "idp-cert", "", "trust the IdP signing certificate in `PEMFILE`")
	fs.StringVar(&f.issuer, "issuer", "", "with --idp-cert: the IdP's `ENTITYID` (default: the response's Issuer)")
	fs.StringVar(&f.atText, "at", "", "evaluate as of this `RFC3339` time, e.g. 2025-06-02T15:04:06Z (default: now)")
	fs.StringVar(&f.audience, "audience", "", "the SP entity ID (`URI`) the response must be for")
	fs.StringVar(&f.acs, "acs", "", "the ACS `URL` the response must be sent to")
	fs.StringVar(&f.requestID, "request-id", "", "the `ID` of the AuthnRequest the response must answer")
	fs.StringVar(&f.spKeyPath, "sp-key", "", "the SP's private key in `PEMFILE`, to decrypt an encrypted assertion\n(with --idp the console's own key, when the response is encrypted)")
	fs.StringVar(&f.baseURL, "base-url", "", "with --idp: the console's public `URL` (default: the one it last served at)")
	fs.BoolVar(&f.asJSON, "json", false, "print the report as one JSON object")
	fs.BoolVar(&f.security.AllowIdPInitiated, "allow-idp-initiated", false, "without --idp: accept unsolicited (IdP-initiated) responses")
	fs.BoolVar(&f.security.RejectSHA1, "reject-sha1", false, "without --idp: refuse SHA-1 signatures")
	fs.BoolVar(&f.security.RequireSignedResponse, "require-signed-response", false, "without --idp: require the Response element to be signed")
	fs.BoolVar(&f.security.RequireSignedAssertion, "require-signed-assertion", false, "without --idp: require the Assertion element to be signed")
	addDataDirFlag(fs, &f.dataDir)
}

// check validates the flags after parsing.
func (f *checkFlags) check(fs *flag.FlagSet, stderr io.Writer) error {
	trusts := 0
	for _, v := range []string{f.slug, f.metadataPath, f.certPath} {
		if v != "" {
			trusts++
		}
	}
	securitySet := false
	fs.Visit(func(fl *flag.Flag) {
		switch fl.Name {
		case "allow-idp-initiated", "reject-sha1", "require-signed-response", "require-signed-assertion":
			securitySet = true
		}
	})
	switch {
	case f.responsePath == "":
		return usageError(fs, stderr, "--response FILE is required")
	case trusts != 1:
		return usageError(fs, stderr, "give exactly one of --idp, --idp-metadata and --idp-cert")
	case f.issuer != "" && f.certPath == "":
		return usageError(fs, stderr, "--issuer goes with --idp-cert")
	case f.entityID != "" && f.metadataPath == "":
		return usageError(fs, stderr, "--entity-id goes with --idp-metadata")
	case f.slug != "" && securitySet:
		return usageError(fs, stderr, "with --idp the IdP's own security settings apply; change them with the console (the security flags are for --idp-metadata and --idp-cert)")
	case f.slug == "" && f.baseURL != "":
		return usageError(fs, stderr, "--base-url goes with --idp")
	case f.slug == "" && (f.audience == "" || f.acs == ""):
		return usageError(fs, stderr, "without --idp, both --audience and --acs are required (the SP entity ID and the ACS URL the response was sent to)")
	}
	if f.acs != "" {
		if err := checkHTTPURL(f.acs); err != nil {
			return usageError(fs, stderr, "--acs: %v", err)
		}
	}
	if f.baseURL != "" {
		if err := checkHTTPURL(f.baseURL); err != nil {
			return usageError(fs, stderr, "--base-url: %v", err)
		}
	}
	return nil
}

// cmdCheckResponse is the assertion validator on the command line.
func cmdCheckResponse(stdin io.Reader, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("jitconsole check-response", flag.ContinueOnError)
	var f checkFlags
	f.add(fs)
	if err := parseFlags(fs, checkResponseSynopsis, args, stdout, stderr); err != nil {
		return err
	}
	if err := f.check(fs, stderr); err != nil {
		return err
	}
	opts := core.CheckOptions{Audience: f.audience, ACS: f.acs, RequestID: f.requestID,
		EntityID: f.entityID, Security: f.security, BaseURL: f.baseURL}
	if f.atText != "" {
		var err error
		if opts.At, err = time.Parse(time.RFC3339, f.atText); err != nil {
			return usageError(fs, stderr, "--at %q is not an RFC 3339 time like 2025-06-02T15:04:06Z", f.atText)
		}
	}
	var err error
	if opts.Response, err = readInput(stdin, f.responsePath); err != nil {
		return inputError(fs, stderr, "--response: %v", err)
	}
	if f.spKeyPath != "" {
		data, err := readInput(stdin, f.spKeyPath)
		if err != nil {
			return inputError(fs, stderr, "--sp-key: %v", err)
		}
		if opts.SPKey, err = core.ParsePrivateKeyPEM(data); err != nil {
			return inputError(fs, stderr, "--sp-key %s: %s", f.spKeyPath, errorText(err))
		}
	}
	var rep core.CheckReport
	switch {
	case f.metadataPath != "":
		if opts.IdPMetadata, err = readInput(stdin, f.metadataPath); err != nil {
			return inputError(fs, stderr, "--idp-metadata: %v", err)
		}
		rep, err = core.CheckResponse(opts)
	case f.certPath != "":
		var data []byte
		if data, err = readInput(stdin, f.certPath); err != nil {
			return inputError(fs, stderr, "--idp-cert: %v", err)
		}
		if opts.IdPCert, err = core.ParseCertificatePEM(data); err != nil {
			return inputError(fs, stderr, "--idp-cert %s: %s", f.certPath, errorText(err))
		}
		opts.Issuer = f.issuer
		rep, err = core.CheckResponse(opts)
	default:
		rep, err = checkConnected(fs, stderr, opts, f.slug, f.dataDir)
		if errors.Is(err, errUsage) {
			return err
		}
	}
	if opts.SPKey == nil && isEncrypted(opts.Response) && f.slug == "" {
		fmt.Fprintf(stderr, "%s: the assertion is encrypted, and without the SP's private key (--sp-key) it cannot be read\n", fs.Name())
	}
	if err != nil {
		var choose *core.ChooseEntityError
		if errors.As(err, &choose) {
			return inputError(fs, stderr, "the metadata holds %d identity providers; say whose key to trust with --entity-id:\n  %s",
				len(choose.EntityIDs), strings.Join(choose.EntityIDs, "\n  "))
		}
		return inputError(fs, stderr, "%s", errorText(err))
	}
	if f.asJSON {
		b, err := json.Marshal(rep)
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(stdout, "%s\n", b); err != nil {
			return err
		}
	} else if err := writeCheckReport(stdout, rep); err != nil {
		return err
	}
	if !rep.Valid {
		return errReported
	}
	return nil
}

// checkConnected checks the response against the connected IdP slug of
// the data directory with the console's own check (CheckAgainstIdP, as
// the Validator screen), on a console that only reads (openReader): no
// listener, no key is created, nothing is written.
func checkConnected(fs *flag.FlagSet, stderr io.Writer, opts core.CheckOptions, slug, dirFlag string) (core.CheckReport, error) {
	ctx := context.Background()
	con, err := openReader(ctx, dirFlag, opts.BaseURL, nil)
	if err != nil {
		return core.CheckReport{}, inputError(fs, stderr, "%s", errorText(err))
	}
	defer con.close()
	if _, err := con.IdP(ctx, slug); core.ErrorCode(err) == core.ENOTFOUND {
		var slugs []string
		if idps, err := con.IdPs(ctx); err == nil {
			for _, i := range idps {
				slugs = append(slugs, i.Slug)
			}
		}
		return core.CheckReport{}, inputError(fs, stderr, "no identity provider is connected as %q (connected: %s; see jitconsole idp list)",
			slug, strings.Join(slugs, ", "))
	} else if err != nil {
		return core.CheckReport{}, err
	}
	if opts.SPKey == nil && isEncrypted(opts.Response) {
		key, err := con.SPKeyForCheck()
		if err != nil {
			fmt.Fprintf(stderr, "%s: the console's SP key cannot be read: %s\n", fs.Name(), errorText(err))
		}
		opts.SPKey = key
	}
	return con.CheckAgainstIdP(ctx, slug, opts)
}

// isEncrypted tells whether a response holds an encrypted assertion.
func isEncrypted(response []byte) bool {
	raw, err := core.DecodeResponse(response)
	return err == nil && bytes.Contains(raw, []byte("EncryptedAssertion"))
}

// writeCheckReport prints a validator report for a person.
func writeCheckReport(w io.Writer, rep core.CheckReport) error {
	if rep.Valid {
		fmt.Fprintln(w, "VALID")
	} else {
		fmt.Fprintf(w, "REFUSED: %s\n", rep.Class)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	row := func(name, value string) {
		if value != "" {
			fmt.Fprintf(tw, "%s\t%s\n", name, value)
		}
	}
	row("Reason:", rep.Reason)
	row("Hint:", rep.Hint)
	row("Issuer:", rep.Issuer)
	if rep.NameID != "" {
		format := rep.NameIDFormat
		if format == "" {
			format = "no format given"
		}
		row("NameID:", fmt.Sprintf("%s (%s)", rep.NameID, format))
	}
	signed := strings.Join(rep.Signed, ", ")
	if signed == "" {
		signed = "nothing"
	}
	row("Signed:", signed)
	row("Decision:", rep.Decision)
	for _, f := range core.MappedFieldNames {
		if v := rep.Fields[f]; v != "" {
			row("  "+f+":", v)
		}
	}
	for _, r := range rep.Roles {
		row("  role:", r.Role+" ("+r.Rule+")")
	}
	for i, a := range rep.Algorithms {
		name := ""
		if i == 0 {
			name = "Algorithms:"
		}
		if strings.HasSuffix(a, "sha1") {
			a += "  (SHA-1: flagged as a weak algorithm)"
		}
		row(name, a)
	}
	row("Encrypted:", map[bool]string{true: "yes", false: "no"}[rep.Encrypted])
	row("Evaluated at:", rep.EvaluatedAt.Format(time.RFC3339))
	row("Detail:", rep.Detail)
	if len(rep.Attributes) == 0 {
		row("Attributes:", "none")
	}
	if err := tw.Flush(); err != nil || len(rep.Attributes) == 0 {
		return err
	}
	fmt.Fprintln(w)
	names := make([]string, 0, len(rep.Attributes))
	for n := range rep.Attributes {
		names = append(names, n)
	}
	sort.Strings(names)
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ATTRIBUTE\tVALUE")
	for _, n := range names {
		values := rep.Attributes[n]
		if len(values) == 0 {
			values = []string{""}
		}
		for i, v := range values {
			name := n
			if i > 0 {
				name = ""
			}
			fmt.Fprintf(tw, "%s\t%s\n", name, v)
		}
	}
	return tw.Flush()
}
