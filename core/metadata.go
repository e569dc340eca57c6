// Parsing and describing IdP metadata; XML helpers.

package core

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/crewjam/saml"
	"github.com/crewjam/saml/samlsp"
)

// CertExpiryWarning is how long before a certificate's end it is flagged.
const CertExpiryWarning = 30 * 24 * time.Hour

// MaxMetadataSize bounds metadata read from a file, a URL or a paste.
const MaxMetadataSize = 8 << 20

// CertInfo describes one certificate published in metadata.
type CertInfo struct {
	Use         string // "signing", "encryption", or "" (both)
	Subject     string
	Fingerprint string // SHA-256, colon-separated hex
	NotBefore   time.Time
	NotAfter    time.Time
	Expired     bool
	ExpiresSoon bool // within CertExpiryWarning
}

// SSOEndpoint is one SingleSignOnService of an IdP.
type SSOEndpoint struct {
	Binding  string
	Location string
}

// MetadataPreview is what an admin sees before an IdP is saved.
type MetadataPreview struct {
	EntityID      string
	SSO           []SSOEndpoint
	Certs         []CertInfo
	NameIDFormats []string
	ValidUntil    time.Time // zero when absent
	CacheDuration time.Duration
	Signed        bool     // the metadata carries a signature on its root
	Warnings      []string // things to look at that do not stop the import
	// EntityXML is the IdP's EntityDescriptor as it will be stored.
	EntityXML string
}

// ChooseEntityError is returned for an aggregate holding several IdPs when
// no entity ID was chosen: the caller lets the person pick one.
type ChooseEntityError struct{ EntityIDs []string }

// Error implements error.
func (e *ChooseEntityError) Error() string {
	return fmt.Sprintf("the metadata holds %d identity providers; choose one", len(e.EntityIDs))
}

func metadataError(format string, args ...any) error {
	return Errorf(EINVALID, format, args...)
}

// ParseIdPMetadata validates IdP metadata and describes it. entityID
// chooses one entity of an aggregate (may be empty for a single entity).
// Every problem that would make logins fail is an *Error with code EINVALID
// and a message saying what to do; nothing is saved by this function.
func ParseIdPMetadata(data []byte, entityID string, now time.Time) (MetadataPreview, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return MetadataPreview{}, metadataError("The metadata is empty.")
	}
	if len(data) > MaxMetadataSize {
		return MetadataPreview{}, metadataError("The metadata is larger than %d MiB; that is not an IdP's metadata.", MaxMetadataSize>>20)
	}
	root, err := rootElement(data)
	if err != nil {
		return MetadataPreview{}, err
	}
	var entity *saml.EntityDescriptor
	var entityXML []byte
	switch root {
	case "EntityDescriptor":
		entity = &saml.EntityDescriptor{}
		if err := xml.Unmarshal(data, entity); err != nil {
			return MetadataPreview{}, &Error{Code: EINVALID, Err: err, Message: "The metadata is not valid SAML metadata: " + firstLine(err)}
		}
		entityXML = data
	case "EntitiesDescriptor":
		ids, err := IdPEntityIDs(data)
		if err != nil {
			return MetadataPreview{}, err
		}
		if entityID == "" {
			if len(ids) == 0 {
				return MetadataPreview{}, metadataError("The metadata lists no identity provider (no entity has an IDPSSODescriptor).")
			}
			if len(ids) > 1 {
				return MetadataPreview{}, &ChooseEntityError{EntityIDs: ids}
			}
			entityID = ids[0]
		}
		entity, err = samlsp.ParseMetadataByEntityID(data, entityID)
		if err != nil {
			return MetadataPreview{}, metadataError("The metadata has no entity %q.", entityID)
		}
		entityXML, err = xml.MarshalIndent(entity, "", "  ")
		if err != nil {
			return MetadataPreview{}, fmt.Errorf("encode entity %q: %w", entityID, err)
		}
	default:
		return MetadataPreview{}, metadataError("This is not SAML metadata: the document is a <%s>, not an <EntityDescriptor>.", root)
	}
	return describeEntity(entity, entityXML, now)
}

func describeEntity(entity *saml.EntityDescriptor, entityXML []byte, now time.Time) (MetadataPreview, error) {
	p := MetadataPreview{EntityID: strings.TrimSpace(entity.EntityID), ValidUntil: entity.ValidUntil,
		CacheDuration: entity.CacheDuration, Signed: entity.Signature != nil, EntityXML: string(entityXML)}
	if p.EntityID == "" {
		return p, metadataError("The metadata has no entityID.")
	}
	if len(entity.IDPSSODescriptors) == 0 {
		if len(entity.SPSSODescriptors) > 0 {
			return p, metadataError("This is a service provider's metadata (%s), not an identity provider's. Import the metadata your IdP publishes.", p.EntityID)
		}
		return p, metadataError("The entity %s is not an identity provider (it has no IDPSSODescriptor).", p.EntityID)
	}
	if !p.ValidUntil.IsZero() && now.After(p.ValidUntil) {
		return p, metadataError("The metadata expired on %s (validUntil). Download a fresh copy from the IdP.", p.ValidUntil.UTC().Format(time.RFC3339))
	}
	usable := false
	for _, d := range entity.IDPSSODescriptors {
		for _, e := range d.SingleSignOnServices {
			p.SSO = append(p.SSO, SSOEndpoint{Binding: e.Binding, Location: e.Location})
			usable = usable || e.Binding == saml.HTTPRedirectBinding || e.Binding == saml.HTTPPostBinding
		}
		for _, f := range d.NameIDFormats {
			// Pretty-printed metadata (Okta's) wraps the URN in white space.
			p.NameIDFormats = append(p.NameIDFormats, strings.TrimSpace(string(f)))
		}
		for _, kd := range d.KeyDescriptors {
			for _, c := range kd.KeyInfo.X509Data.X509Certificates {
				info, err := describeCert(c.Data, kd.Use, now)
				if err != nil {
					return p, err
				}
				p.Certs = append(p.Certs, info)
			}
		}
	}
	if !usable {
		return p, metadataError("The IdP publishes no single sign-on endpoint with the HTTP-Redirect or HTTP-POST binding, so a login cannot start.")
	}
	signing := 0
	for _, c := range p.Certs {
		if c.Use == "signing" || c.Use == "" {
			signing++
			switch {
			case c.Expired:
				p.Warnings = append(p.Warnings, fmt.Sprintf("The signing certificate %s expired on %s.", c.Subject, c.NotAfter.Format("2006-01-02")))
			case c.ExpiresSoon:
				p.Warnings = append(p.Warnings, fmt.Sprintf("The signing certificate %s expires on %s; expect a rollover.", c.Subject, c.NotAfter.Format("2006-01-02")))
			}
		}
	}
	if signing == 0 {
		return p, metadataError("The metadata has no signing certificate, so no assertion from this IdP could be verified.")
	}
	return p, nil
}

func describeCert(data, use string, now time.Time) (CertInfo, error) {
	der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(data), ""))
	if err != nil {
		return CertInfo{}, metadataError("A certificate in the metadata is not valid base64.")
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return CertInfo{}, metadataError("A certificate in the metadata cannot be read: %v.", err)
	}
	return CertInfo{
		Use: use, Subject: cert.Subject.String(), Fingerprint: CertFingerprint(cert),
		NotBefore: cert.NotBefore, NotAfter: cert.NotAfter,
		Expired:     now.After(cert.NotAfter),
		ExpiresSoon: !now.After(cert.NotAfter) && cert.NotAfter.Sub(now) < CertExpiryWarning,
	}, nil
}

// rootElement returns the local name of the document's root, refusing
// anything that is not XML and a DOCTYPE or other <!...> declaration
// (entity expansion attacks) anywhere in the document, not only before
// the root: SAML metadata never needs one.
func rootElement(data []byte) (string, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	root := ""
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			if root == "" {
				return "", metadataError("The metadata is not well-formed XML: it has no root element.")
			}
			return root, nil
		} else if err != nil {
			return "", &Error{Code: EINVALID, Err: err, Message: "The metadata is not well-formed XML: " + firstLine(err)}
		}
		switch t := tok.(type) {
		case xml.Directive:
			return "", metadataError("The metadata contains a DOCTYPE or ENTITY declaration, which SAML metadata never needs; refusing it.")
		case xml.StartElement:
			if root != "" {
				continue
			}
			if t.Name.Space != "urn:oasis:names:tc:SAML:2.0:metadata" && (t.Name.Local == "EntityDescriptor" || t.Name.Local == "EntitiesDescriptor") {
				return "", metadataError("The <%s> is not in the SAML 2.0 metadata namespace.", t.Name.Local)
			}
			root = t.Name.Local
		}
	}
}

// IdPEntityIDs lists the entity IDs of the IdPs in an aggregate, sorted.
func IdPEntityIDs(data []byte) ([]string, error) {
	var agg saml.EntitiesDescriptor
	if err := xml.Unmarshal(data, &agg); err != nil {
		return nil, &Error{Code: EINVALID, Err: err, Message: "The aggregate metadata cannot be read: " + firstLine(err)}
	}
	var ids []string
	var walk func(a *saml.EntitiesDescriptor)
	walk = func(a *saml.EntitiesDescriptor) {
		for _, e := range a.EntityDescriptors {
			if len(e.IDPSSODescriptors) > 0 {
				ids = append(ids, e.EntityID)
			}
		}
		for i := range a.EntitiesDescriptors {
			walk(&a.EntitiesDescriptors[i])
		}
	}
	walk(&agg)
	sort.Strings(ids)
	return ids, nil
}

func firstLine(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

func xmlMarshal(v any) ([]byte, error) { return xml.MarshalIndent(v, "", "  ") }

func xmlUnmarshal(data []byte, v any) error { return xml.Unmarshal(data, v) }
