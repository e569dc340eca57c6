// The flight recorder: listing entries, decoding one for display, and
// checking a response against a connected IdP.

package core

import (
	"context"
	"crypto/rsa"
	"sort"
	"strings"
	"time"

	"github.com/beevik/etree"
)

// DefaultRecordingRetention is how long the flight recorder keeps its
// entries unless the retention settings say otherwise (see RunRetention).
const DefaultRecordingRetention = 30 * 24 * time.Hour

// RecordingView is a flight recorder entry decoded for display: made when
// someone opens it, never on the login path.
type RecordingView struct {
	Recording
	PrettyXML    string
	Issuer       string
	NameID       string
	NameIDFormat string
	Signatures   []SignatureInfo
	Encrypted    bool
	Times        []TimeMark // the time ruler, in document order
	Attributes   []AttributeRow
	// TrustedFingerprints are the SHA-256 fingerprints of the signing
	// certificates the IdP's metadata lists (empty: not known here).
	TrustedFingerprints []string
	// Transport is how the response reached the ACS: "https", "http"
	// (readable on the way), or "" when not known (a pasted response).
	Transport string
}

// Trust is what the IdP's metadata says of a signature's certificate:
// one of the Trust* constants, or "" when not known.
type Trust string

// Trust of a signature's certificate against the IdP's metadata.
const (
	TrustListed   Trust = "listed"   // the certificate is in the IdP's metadata
	TrustUnlisted Trust = "unlisted" // a key this IdP's metadata does not list
)

// SignatureInfo says which element was signed, how, and by which
// certificate.
type SignatureInfo struct {
	Element         string // "Response" or "Assertion"
	SignatureMethod string
	DigestMethods   []string
	CertFingerprint string // of the certificate in KeyInfo, if any
	Weak            bool   // SHA-1 based
	// Trust is TrustListed or TrustUnlisted when the IdP's certificates
	// are known and KeyInfo names one, else "".
	Trust Trust
}

// TimeMark is one time in a response, set against the clock of the
// console when it was received.
type TimeMark struct {
	Name   string // IssueInstant, NotBefore, NotOnOrAfter, AuthnInstant, SessionNotOnOrAfter
	Where  string // Response, Assertion, Conditions, SubjectConfirmationData, AuthnStatement
	At     time.Time
	Offset time.Duration // At minus the time the response was received
}

// AttributeRow is one attribute with every value.
type AttributeRow struct {
	Name         string
	FriendlyName string
	NameFormat   string
	Values       []string
}

// Recordings lists flight recorder entries, newest first.
func (c *Console) Recordings(ctx context.Context, f RecordingFilter) ([]Recording, error) {
	return c.store.ListRecordings(ctx, f)
}

// Recording returns one flight recorder entry, decoded for display.
func (c *Console) Recording(ctx context.Context, id int64) (RecordingView, error) {
	rec, err := c.store.GetRecording(ctx, id)
	if err != nil {
		return RecordingView{}, err
	}
	v := decodeRecording(rec, c.sp.key.Key)
	if idp, err := c.store.GetIdP(ctx, rec.IdPSlug); err == nil {
		MarkTrust(&v, SigningFingerprints([]byte(idp.MetadataXML), "", rec.At))
	}
	v.Transport = transportOf(c.BaseURL())
	return v, nil
}

// transportOf says how responses reach an ACS under base.
func transportOf(base string) string {
	if strings.HasPrefix(base, "https://") {
		return "https"
	}
	return "http"
}

// SigningFingerprints returns the SHA-256 fingerprints of the signing
// certificates in IdP metadata (of entityID, for an aggregate), or nil
// when they cannot be read.
func SigningFingerprints(metadata []byte, entityID string, at time.Time) []string {
	p, err := ParseIdPMetadata(metadata, entityID, at)
	if err != nil {
		return nil
	}
	var out []string
	for _, c := range p.Certs {
		if c.Use == "signing" || c.Use == "" {
			out = append(out, c.Fingerprint)
		}
	}
	return out
}

// MarkTrust records in v the IdP's signing certificates and marks each
// signature whose KeyInfo certificate is, or is not, among them.
func MarkTrust(v *RecordingView, trusted []string) {
	if len(trusted) == 0 {
		return
	}
	v.TrustedFingerprints = trusted
	for i, s := range v.Signatures {
		if s.CertFingerprint == "" {
			continue
		}
		v.Signatures[i].Trust = TrustUnlisted
		for _, fp := range trusted {
			if fp == s.CertFingerprint {
				v.Signatures[i].Trust = TrustListed
			}
		}
	}
}

// DecodeRecording decodes a recording's raw response for display. A raw
// response that is not XML still gives a view, with what is known.
func DecodeRecording(rec Recording) RecordingView { return decodeRecording(rec, nil) }

// decodeRecording is DecodeRecording that also opens encrypted assertions
// with key (the SP's), showing their content and the decrypted XML.
func decodeRecording(rec Recording, key *rsa.PrivateKey) RecordingView {
	v := RecordingView{Recording: rec, PrettyXML: PrettyXML(rec.Raw)}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(rec.Raw); err != nil || doc.Root() == nil {
		return v
	}
	root := doc.Root()
	if el := root.SelectElement("Issuer"); el != nil {
		v.Issuer = strings.TrimSpace(el.Text())
	}
	v.Encrypted = root.SelectElement("EncryptedAssertion") != nil
	if v.Encrypted && decryptForDisplay(root, key) > 0 {
		if b, err := doc.WriteToBytes(); err == nil {
			v.PrettyXML = PrettyXML(b)
		}
	}
	mark := func(el *etree.Element, attr, where string) {
		if el == nil {
			return
		}
		if s := el.SelectAttrValue(attr, ""); s != "" {
			if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
				v.Times = append(v.Times, TimeMark{Name: attr, Where: where, At: t, Offset: t.Sub(rec.At)})
			}
		}
	}
	mark(root, "IssueInstant", "Response")
	v.Signatures = append(v.Signatures, signatureInfo(root, "Response")...)
	for _, a := range root.SelectElements("Assertion") {
		if v.Issuer == "" {
			if el := a.SelectElement("Issuer"); el != nil {
				v.Issuer = strings.TrimSpace(el.Text())
			}
		}
		v.Signatures = append(v.Signatures, signatureInfo(a, "Assertion")...)
		mark(a, "IssueInstant", "Assertion")
		if n := a.FindElement("./Subject/NameID"); n != nil && v.NameID == "" {
			v.NameID, v.NameIDFormat = strings.TrimSpace(n.Text()), n.SelectAttrValue("Format", "")
		}
		scd := a.FindElement("./Subject/SubjectConfirmation/SubjectConfirmationData")
		mark(scd, "NotBefore", "SubjectConfirmationData")
		mark(scd, "NotOnOrAfter", "SubjectConfirmationData")
		cond := a.SelectElement("Conditions")
		mark(cond, "NotBefore", "Conditions")
		mark(cond, "NotOnOrAfter", "Conditions")
		for _, st := range a.SelectElements("AuthnStatement") {
			mark(st, "AuthnInstant", "AuthnStatement")
			mark(st, "SessionNotOnOrAfter", "AuthnStatement")
		}
		for _, at := range a.FindElements("./AttributeStatement/Attribute") {
			row := AttributeRow{Name: at.SelectAttrValue("Name", ""), FriendlyName: at.SelectAttrValue("FriendlyName", ""),
				NameFormat: at.SelectAttrValue("NameFormat", "")}
			for _, val := range at.SelectElements("AttributeValue") {
				row.Values = append(row.Values, val.Text())
			}
			v.Attributes = append(v.Attributes, row)
		}
	}
	sort.SliceStable(v.Times, func(i, j int) bool { return v.Times[i].At.Before(v.Times[j].At) })
	return v
}

func signatureInfo(el *etree.Element, name string) []SignatureInfo {
	var out []SignatureInfo
	for _, sig := range el.SelectElements("Signature") {
		si := SignatureInfo{Element: name}
		if m := sig.FindElement("./SignedInfo/SignatureMethod"); m != nil {
			si.SignatureMethod = m.SelectAttrValue("Algorithm", "")
		}
		for _, d := range sig.FindElements("./SignedInfo/Reference/DigestMethod") {
			si.DigestMethods = append(si.DigestMethods, d.SelectAttrValue("Algorithm", ""))
		}
		if c := sig.FindElement("./KeyInfo/X509Data/X509Certificate"); c != nil {
			if cert, err := ParseCertificatePEM([]byte(c.Text())); err == nil {
				si.CertFingerprint = CertFingerprint(cert)
			}
		}
		for _, a := range append([]string{si.SignatureMethod}, si.DigestMethods...) {
			si.Weak = si.Weak || strings.HasSuffix(a, "sha1")
		}
		out = append(out, si)
	}
	return out
}

// PrettyXML indents XML for display, keeping namespace prefixes as they
// are; what is not XML comes back as text.
func PrettyXML(raw []byte) string {
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(raw); err != nil || doc.Root() == nil {
		return string(raw)
	}
	doc.Indent(2)
	out, err := doc.WriteToString()
	if err != nil {
		return string(raw)
	}
	return out
}

// CheckWithIdP validates a pasted or loaded response against a connected
// IdP, with the console's own SP values for it, creating nothing. at may be
// zero (now).
func (c *Console) CheckWithIdP(ctx context.Context, slug string, response []byte, at time.Time) (CheckReport, error) {
	return c.CheckAgainstIdP(ctx, slug, CheckOptions{Response: response, At: at})
}

// CheckAgainstIdP validates a response against the connected IdP slug as
// this console's ACS would decide it (checkConnectedIdP), with the
// console's SP key (unless opts has one) to open encrypted assertions and
// its current base URL.
// Empty Audience and ACS in opts take the console's own values for the
// IdP; opts' trust fields are ignored. Nothing is created or changed.
func (c *Console) CheckAgainstIdP(ctx context.Context, slug string, opts CheckOptions) (CheckReport, error) {
	if opts.SPKey == nil {
		opts.SPKey = c.sp.key.Key
	}
	opts.demoServes = c.demoServes
	if opts.BaseURL == "" {
		opts.BaseURL = c.BaseURL()
	}
	return checkConnectedIdP(ctx, c.store, slug, opts)
}
