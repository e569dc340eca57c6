// jitconsole check-response: the validator on the command line.

package main

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/x509"
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
	"github.com/jitconsole/jitconsole/storage"
)

const checkResponseSynopsis = `jitconsole check-response --response FILE
         (--idp SLUG | --idp-metadata FILE | --idp-cert PEMFILE [--issuer ENTITYID])
         [--at RFC3339] [--audience URI] [--acs URL] [--request-id ID]
         [--sp-key PEMFILE] [--base-url URL] [--data-dir DIR] [--json]

Validates a SAMLResponse the way the console's ACS does and prints the
verdict with what the response holds, creating and changing nothing. The
response is raw XML or base64 as posted (FILE "-" reads standard input).
Trust one connected IdP (--idp), an IdP's metadata, or its signing
certificate. With --idp, the console's own SP values for that IdP apply
(its entity ID as the audience, its ACS URL, both built from --base-url)
unless --audience or --acs say otherwise; without --idp both are required.
Without --request-id, a response to any AuthnRequest counts as solicited.

Exit status: 0 valid, 1 refused, 2 a wrong command line or unusable input.
`

// cmdCheckResponse is the assertion validator on the command line.
func cmdCheckResponse(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("jitconsole check-response", flag.ContinueOnError)
	responsePath := fs.String("response", "", "the SAMLResponse `FILE`, XML or base64 (- reads standard input)")
	slug := fs.String("idp", "", "trust the connected IdP with this `SLUG`, with the console's SP values for it")
	metadataPath := fs.String("idp-metadata", "", "trust the IdP described by the metadata in `FILE`")
	certPath := fs.String("idp-cert", "", "trust the IdP signing certificate in `PEMFILE`")
	issuer := fs.String("issuer", "", "with --idp-cert: the IdP's `ENTITYID` (default: the response's Issuer)")
	atText := fs.String("at", "", "evaluate as of this `RFC3339` time, e.g. 2025-06-02T15:04:06Z (default: now)")
	audience := fs.String("audience", "", "the SP entity ID (`URI`) the response must be for")
	acs := fs.String("acs", "", "the ACS `URL` the response must be sent to")
	requestID := fs.String("request-id", "", "the `ID` of the AuthnRequest the response must answer")
	spKeyPath := fs.String("sp-key", "", "the SP's private key in `PEMFILE`, to decrypt an encrypted assertion\n(with --idp the console's own key, when the response is encrypted)")
	baseURL := fs.String("base-url", core.DefaultBaseURL, "with --idp: the console's public `URL`, that its SP values are built from")
	asJSON := fs.Bool("json", false, "print the report as one JSON object")
	var dirFlag string
	addDataDirFlag(fs, &dirFlag)
	if err := parseFlags(fs, checkResponseSynopsis, args, stdout, stderr); err != nil {
		return err
	}
	trusts := 0
	for _, v := range []string{*slug, *metadataPath, *certPath} {
		if v != "" {
			trusts++
		}
	}
	switch {
	case *responsePath == "":
		return usageError(fs, stderr, "--response FILE is required")
	case trusts != 1:
		return usageError(fs, stderr, "give exactly one of --idp, --idp-metadata and --idp-cert")
	case *issuer != "" && *certPath == "":
		return usageError(fs, stderr, "--issuer goes with --idp-cert")
	case *slug == "" && (*audience == "" || *acs == ""):
		return usageError(fs, stderr, "without --idp, both --audience and --acs are required (the SP entity ID and the ACS URL the response was sent to)")
	}
	var at time.Time
	if *atText != "" {
		var err error
		if at, err = time.Parse(time.RFC3339, *atText); err != nil {
			return usageError(fs, stderr, "--at %q is not an RFC 3339 time like 2025-06-02T15:04:06Z", *atText)
		}
	}
	if *acs != "" {
		if err := checkHTTPURL(*acs); err != nil {
			return usageError(fs, stderr, "--acs: %v", err)
		}
	}
	if *slug != "" {
		if err := checkHTTPURL(*baseURL); err != nil {
			return usageError(fs, stderr, "--base-url: %v", err)
		}
	}

	response, err := readInput(*responsePath)
	if err != nil {
		return inputError(fs, stderr, "--response: %v", err)
	}
	opts := core.CheckOptions{Response: response, At: at, Audience: *audience, ACS: *acs, RequestID: *requestID}
	if *spKeyPath != "" {
		data, err := readInput(*spKeyPath)
		if err != nil {
			return inputError(fs, stderr, "--sp-key: %v", err)
		}
		if opts.SPKey, err = core.ParsePrivateKeyPEM(data); err != nil {
			return inputError(fs, stderr, "--sp-key %s: %s", *spKeyPath, core.ErrorMessage(err))
		}
	}
	switch {
	case *metadataPath != "":
		if opts.IdPMetadata, err = readInput(*metadataPath); err != nil {
			return inputError(fs, stderr, "--idp-metadata: %v", err)
		}
	case *certPath != "":
		data, err := readInput(*certPath)
		if err != nil {
			return inputError(fs, stderr, "--idp-cert: %v", err)
		}
		if opts.IdPCert, err = core.ParseCertificatePEM(data); err != nil {
			return inputError(fs, stderr, "--idp-cert %s: %s", *certPath, core.ErrorMessage(err))
		}
		opts.Issuer = *issuer
	default:
		if err := trustConnectedIdP(fs, stderr, &opts, *slug, dirFlag, *baseURL); err != nil {
			return err
		}
	}
	if opts.SPKey == nil && isEncrypted(opts.Response) {
		fmt.Fprintf(stderr, "%s: the assertion is encrypted, and without the SP's private key (--sp-key) it cannot be read\n", fs.Name())
	}

	rep, err := core.CheckResponse(opts)
	if err != nil {
		return inputError(fs, stderr, "%s", core.ErrorMessage(err))
	}
	if *slug != "" {
		if err := addMappingDecision(&rep, *slug, dirFlag); err != nil {
			return err
		}
	}
	if *asJSON {
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

// trustConnectedIdP fills opts from the connected IdP slug: its stored
// metadata, the console's SP values for it where opts has none, and, for
// an encrypted response, the console's SP key if it can be read. It only
// reads: no listener, and no key is created.
// addMappingDecision adds to rep what the connected IdP's mapping would
// do with the response: fields, roles and create/update/deny. It reads the
// database only.
func addMappingDecision(rep *core.CheckReport, slug, dirFlag string) error {
	ctx := context.Background()
	db, _, err := openReadOnlyDB(ctx, dirFlag)
	if err != nil {
		return err
	}
	defer db.Close()
	idp, err := db.GetIdP(ctx, slug)
	if err != nil {
		return errors.New(core.ErrorMessage(err))
	}
	t, err := core.Decide(ctx, db, slug, idp.Mapping, rep.NameID, rep.Attributes, nil)
	if err != nil {
		return errors.New(core.ErrorMessage(err))
	}
	core.AddDecision(rep, t)
	return nil
}

func trustConnectedIdP(fs *flag.FlagSet, stderr io.Writer, opts *core.CheckOptions, slug, dirFlag, baseURL string) error {
	ctx := context.Background()
	db, dir, err := openReadOnlyDB(ctx, dirFlag)
	if err != nil {
		return inputError(fs, stderr, "%v", err)
	}
	defer db.Close()
	idp, err := db.GetIdP(ctx, slug)
	if core.ErrorCode(err) == core.ENOTFOUND {
		var slugs []string
		if idps, err := db.ListIdPs(ctx); err == nil {
			for _, i := range idps {
				slugs = append(slugs, i.Slug)
			}
		}
		return inputError(fs, stderr, "no identity provider is connected as %q (connected: %s; see jitconsole idp list)",
			slug, strings.Join(slugs, ", "))
	} else if err != nil {
		return err
	}
	opts.IdPMetadata = []byte(idp.MetadataXML)
	ep := core.EndpointsFor(baseURL, slug)
	if opts.Audience == "" {
		opts.Audience = ep.EntityID
	}
	if opts.ACS == "" {
		opts.ACS = ep.ACSURL
	}
	if opts.SPKey == nil && isEncrypted(opts.Response) {
		key, err := readSPKey(dir)
		if err != nil {
			fmt.Fprintf(stderr, "%s: the console's SP key cannot be read: %s\n", fs.Name(), core.ErrorMessage(err))
		}
		opts.SPKey = key
	}
	return nil
}

// isEncrypted tells whether a response holds an encrypted assertion.
func isEncrypted(response []byte) bool {
	raw, err := core.DecodeResponse(response)
	return err == nil && bytes.Contains(raw, []byte("EncryptedAssertion"))
}

// readSPKey reads the console's SP private key from the key store of the
// data directory, without creating one.
func readSPKey(dir string) (*rsa.PrivateKey, error) {
	der, err := storage.NewKeyStore(dir).Get(core.SPKeyName)
	if err != nil {
		return nil, err
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("decode the SP key: %w", err)
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("the SP key is not an RSA key")
	}
	return rk, nil
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
