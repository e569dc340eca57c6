package core

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"
)

// CheckOptions describe one response to validate without touching any
// account: the same verification as the ACS, against given IdP trust and
// SP values, at a given time.
type CheckOptions struct {
	// Response is the SAMLResponse: XML, or base64 as posted.
	Response []byte
	// Trust: the IdP's metadata, or its signing certificate (with Issuer,
	// its entity ID, optional).
	IdPMetadata []byte
	IdPCert     *x509.Certificate
	Issuer      string
	// At is the time to evaluate at; zero means now.
	At time.Time
	// Audience and ACS are the SP values the response must be addressed
	// to. Both are required (the console fills in its own for an IdP).
	Audience string
	ACS      string
	// RequestID, if set, must be the response's InResponseTo; if empty any
	// InResponseTo (or none) is accepted, for this check only.
	RequestID string
	// SPKey decrypts encrypted assertions (optional).
	SPKey *rsa.PrivateKey
}

// CheckReport is the validator's verdict and what the response holds. Its
// JSON form is check-response --json.
type CheckReport struct {
	Valid        bool                `json:"valid"`
	Class        string              `json:"class"`
	Reason       string              `json:"reason,omitempty"`
	Hint         string              `json:"hint"`
	Issuer       string              `json:"issuer"`
	NameID       string              `json:"name_id"`
	NameIDFormat string              `json:"name_id_format"`
	Attributes   map[string][]string `json:"attributes"`
	Signed       []string            `json:"signed"`     // "response", "assertion"
	Algorithms   []string            `json:"algorithms"` // signature and digest methods seen
	Encrypted    bool                `json:"encrypted"`
	EvaluatedAt  time.Time           `json:"evaluated_at"`
	// Detail is the verification library's own error text, for experts.
	Detail string `json:"detail,omitempty"`

	// What the IdP's mapping would do (set by AddDecision, when the
	// check is against a connected IdP): the fields, the roles with the
	// rule that granted each, and "create", "update" or "deny" with the
	// reason in Reason.
	Fields   map[string]string `json:"fields,omitempty"`
	Roles    []CheckRole       `json:"roles,omitempty"`
	Decision string            `json:"decision,omitempty"`
}

// CheckRole is a role a mapping grants, with the rule that grants it.
type CheckRole struct {
	Role string `json:"role"`
	Rule string `json:"rule"`
}

// DecodeResponse accepts a SAMLResponse as XML or as base64 (as posted,
// possibly with line breaks) and returns the XML.
func DecodeResponse(in []byte) ([]byte, error) {
	in = bytes.TrimSpace(in)
	if len(in) == 0 {
		return nil, Errorf(EINVALID, "The response is empty.")
	}
	if in[0] == '<' {
		return in, nil
	}
	s := string(in)
	if strings.HasPrefix(s, "SAMLResponse=") {
		if v, err := url.QueryUnescape(strings.TrimPrefix(s, "SAMLResponse=")); err == nil {
			s = v
		}
	}
	s = strings.Join(strings.Fields(s), "")
	out, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, Errorf(EINVALID, "The response is neither XML nor base64.")
	}
	if !bytes.HasPrefix(bytes.TrimSpace(out), []byte("<")) {
		return nil, Errorf(EINVALID, "The response decodes from base64 but is not XML.")
	}
	return out, nil
}

// CheckResponse validates a response as the ACS would, but creates and
// changes nothing and consults no replay cache. Usage problems (no trust
// given, unreadable metadata) are returned as an *Error; a refused response
// is a report with Valid false.
func CheckResponse(opts CheckOptions) (CheckReport, error) {
	raw, err := DecodeResponse(opts.Response)
	if err != nil {
		return CheckReport{}, err
	}
	at := opts.At
	if at.IsZero() {
		at = time.Now()
	}
	rep := CheckReport{EvaluatedAt: at.UTC(), Attributes: map[string][]string{}}
	describeSignatures(raw, opts.SPKey, &rep)
	if opts.Audience == "" || opts.ACS == "" {
		return rep, Errorf(EINVALID, "Both the audience (SP entity ID) and the ACS URL are needed to check a response.")
	}
	acs, err := url.Parse(opts.ACS)
	if err != nil {
		return rep, Errorf(EINVALID, "The ACS URL %q is not a URL.", opts.ACS)
	}
	sp := &saml.ServiceProvider{
		EntityID:          opts.Audience,
		AcsURL:            *acs,
		Clock:             dsig.NewFakeClockAt(at),
		AllowIDPInitiated: true,
		// As at the ACS: certificates in metadata are key containers.
		IgnoreCertificateExpiry: true,
	}
	if opts.SPKey != nil {
		sp.Key = opts.SPKey
	}
	switch {
	case len(opts.IdPMetadata) > 0:
		prev, err := ParseIdPMetadata(opts.IdPMetadata, rep.Issuer, at)
		if err != nil {
			return rep, err
		}
		md := &saml.EntityDescriptor{}
		if err := xmlUnmarshal([]byte(prev.EntityXML), md); err != nil {
			return rep, fmt.Errorf("read IdP metadata: %w", err)
		}
		sp.IDPMetadata = md
	case opts.IdPCert != nil:
		issuer := opts.Issuer
		if issuer == "" {
			issuer = rep.Issuer
		}
		certText := base64.StdEncoding.EncodeToString(opts.IdPCert.Raw)
		sp.IDPMetadata = &saml.EntityDescriptor{EntityID: issuer, IDPSSODescriptors: []saml.IDPSSODescriptor{{
			SSODescriptor: saml.SSODescriptor{RoleDescriptor: saml.RoleDescriptor{KeyDescriptors: []saml.KeyDescriptor{{
				Use: "signing", KeyInfo: saml.KeyInfo{X509Data: saml.X509Data{X509Certificates: []saml.X509Certificate{{Data: certText}}}},
			}}}},
		}}}
	default:
		return rep, Errorf(EINVALID, "Say which IdP to trust: a connected IdP, its metadata, or its certificate.")
	}
	if v, ok := precheckRaw(raw); !ok {
		rep.Class, rep.Reason, rep.Hint, rep.Detail = v.Class, v.Reason, v.Hint, v.Err.Error()
		return rep, nil
	}
	var ids []string
	if opts.RequestID != "" {
		ids = []string{opts.RequestID}
	} else {
		sp.ValidateRequestID = func(saml.Response, []string) error { return nil }
	}
	assertion, err := sp.ParseXMLResponse(raw, ids, *acs)
	if err != nil {
		v := explainVerdict(classifySAMLError(err, raw), raw, sp, at)
		rep.Class, rep.Reason, rep.Hint = v.Class, v.Reason, v.Hint
		if v.Err != nil {
			rep.Detail = v.Err.Error()
		}
		return rep, nil
	}
	rep.Valid = true
	rep.Hint = "The response is valid: the console would accept it."
	if assertion.Subject != nil && assertion.Subject.NameID != nil {
		rep.NameID = assertion.Subject.NameID.Value
		rep.NameIDFormat = assertion.Subject.NameID.Format
	}
	if strings.TrimSpace(rep.NameID) == "" {
		v := classified(ClassEmptyNameID, nil)
		rep.Valid, rep.Class, rep.Reason, rep.Hint = false, v.Class, v.Reason, v.Hint
	}
	attrs, _ := AssertionAttributes(assertion)
	rep.Attributes = attrs
	rep.Issuer = assertion.Issuer.Value
	return rep, nil
}

// describeSignatures fills Issuer, Signed, Algorithms and Encrypted from
// the raw XML, whatever the verdict: what the IdP sent, not what it proved.
// With key, encrypted assertions are opened to see their signatures.
func describeSignatures(raw []byte, key *rsa.PrivateKey, rep *CheckReport) {
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(raw); err != nil || doc.Root() == nil {
		return
	}
	root := doc.Root()
	rep.Encrypted = root.SelectElement("EncryptedAssertion") != nil
	decryptForDisplay(root, key)
	if iss := root.SelectElement("Issuer"); iss != nil {
		rep.Issuer = strings.TrimSpace(iss.Text())
	}
	algs := map[string]bool{}
	note := func(el *etree.Element, what string) {
		sig := el.SelectElement("Signature")
		if sig == nil {
			return
		}
		rep.Signed = append(rep.Signed, what)
		for _, p := range []string{"./SignedInfo/SignatureMethod", "./SignedInfo/Reference/DigestMethod"} {
			for _, m := range sig.FindElements(p) {
				if a := m.SelectAttrValue("Algorithm", ""); a != "" {
					algs[a] = true
				}
			}
		}
	}
	note(root, "response")
	for _, a := range root.SelectElements("Assertion") {
		note(a, "assertion")
		if rep.Issuer == "" {
			if iss := a.SelectElement("Issuer"); iss != nil {
				rep.Issuer = strings.TrimSpace(iss.Text())
			}
		}
	}
	for a := range algs {
		rep.Algorithms = append(rep.Algorithms, a)
	}
	sort.Strings(rep.Algorithms)
	if rep.Signed == nil {
		rep.Signed = []string{}
	}
}

// ParseCertificatePEM reads one certificate from PEM (or bare base64 DER).
func ParseCertificatePEM(data []byte) (*x509.Certificate, error) {
	if block, _ := pem.Decode(data); block != nil {
		data = block.Bytes
	} else if der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(data)), "")); err == nil {
		data = der
	}
	cert, err := x509.ParseCertificate(data)
	if err != nil {
		return nil, Errorf(EINVALID, "The certificate cannot be read: %v.", err)
	}
	return cert, nil
}

// ParsePrivateKeyPEM reads an RSA private key (PKCS#1 or PKCS#8 PEM).
func ParsePrivateKeyPEM(data []byte) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, Errorf(EINVALID, "The private key is not PEM.")
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, Errorf(EINVALID, "The private key cannot be read: %v.", err)
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, Errorf(EINVALID, "The private key is not an RSA key.")
	}
	return rk, nil
}
