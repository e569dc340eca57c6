// The response validator (check-response and the Validator screen):
// its options and report, and the check against a connected IdP.

package core

import (
	"bytes"
	"context"
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
	"github.com/crewjam/saml/samlsp"
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
	// RequestID, if set, is the AuthnRequest the response must answer: an
	// unsolicited response, or one answering another request, is refused.
	// Empty: a response answering a request counts as solicited (against
	// a connected IdP, only while the console has that request pending),
	// and an unsolicited one passes only where IdP-initiated login is
	// allowed.
	RequestID string
	// SPKey decrypts encrypted assertions (optional).
	SPKey *rsa.PrivateKey
	// EntityID chooses the IdP of aggregate metadata (IdPMetadata). It is
	// never taken from the response: that would let one member of an
	// aggregate sign as another.
	EntityID string
	// Security are the IdP settings to check against given metadata or a
	// certificate; a connected IdP's own settings apply to it instead.
	Security IdPSecurity
	// BaseURL is the console's public URL for a check against a connected
	// IdP; empty means the URL the console last served at.
	BaseURL string
	// demoServes, set by a running console, says whether it serves the
	// demo IdP's connection in this process; unset, the stored switch
	// decides.
	demoServes func(slug string) bool
}

// CheckReport is the validator's verdict and what the response holds. Its
// JSON form is check-response --json.
type CheckReport struct {
	Valid        bool                `json:"valid"`
	Class        RefusalClass        `json:"class"`
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

// CheckResponse validates a response against given IdP trust (metadata
// or a certificate) and the SP values in opts, through the ACS's own
// decision procedure (decision.go), creating and changing nothing. There
// is no console state here: no replay cache, no pending requests (a
// response to any request counts as solicited unless opts.RequestID says
// which). Usage problems (no trust given, unreadable metadata, an
// aggregate without EntityID) are returned as an *Error; a refused
// response is a report with Valid false.
func CheckResponse(opts CheckOptions) (CheckReport, error) {
	raw, rep, at, err := startCheck(opts)
	if err != nil {
		return rep, err
	}
	if opts.Audience == "" || opts.ACS == "" {
		return rep, Errorf(EINVALID, "Both the audience (SP entity ID) and the ACS URL are needed to check a response.")
	}
	if _, err := url.Parse(opts.ACS); err != nil {
		return rep, Errorf(EINVALID, "The ACS URL %q is not a URL.", opts.ACS)
	}
	var md *saml.EntityDescriptor
	switch {
	case len(opts.IdPMetadata) > 0:
		prev, err := ParseIdPMetadata(opts.IdPMetadata, opts.EntityID, at)
		if err != nil {
			return rep, err
		}
		md = &saml.EntityDescriptor{}
		if err := xmlUnmarshal([]byte(prev.EntityXML), md); err != nil {
			return rep, fmt.Errorf("read IdP metadata: %w", err)
		}
	case opts.IdPCert != nil:
		issuer := opts.Issuer
		if issuer == "" {
			issuer = rep.Issuer
		}
		md = certOnlyMetadata(issuer, opts.IdPCert)
	default:
		return rep, Errorf(EINVALID, "Say which IdP to trust: a connected IdP, its metadata, or its certificate.")
	}
	sp := newServiceProvider(spOptions{metadata: md, security: opts.Security,
		ep: Endpoints{EntityID: opts.Audience, ACSURL: opts.ACS}, key: opts.SPKey, clock: dsig.NewFakeClockAt(at)})
	req := requestState{solicitedOnly: opts.RequestID != ""}
	if opts.RequestID != "" {
		req.ids = []string{opts.RequestID}
	} else if irt := responseInResponseTo(raw); irt != "" {
		req.ids = []string{irt}
	}
	idp := IdP{Enabled: true, Security: opts.Security}
	decide(&rep, sp, idp, raw, req, at)
	return rep, nil
}

// checkConnectedIdP validates a response against the connected IdP slug
// exactly as the console's ACS would decide it if it were posted at
// opts.At by the browser that started its sign-in: the IdP's metadata,
// security settings, mapping and enabled switch, the stored clock skew,
// the console's base URL (opts.BaseURL, else the one it last served at),
// and, read without writing, the replay cache, the pending requests and
// the accounts (a disabled account is refused). opts' trust fields are
// ignored; empty Audience and ACS take the console's values. Nothing is
// created or changed.
func checkConnectedIdP(ctx context.Context, store Store, slug string, opts CheckOptions) (CheckReport, error) {
	raw, rep, at, err := startCheck(opts)
	if err != nil {
		return rep, err
	}
	idp, err := store.GetIdP(ctx, slug)
	if err != nil {
		return rep, err
	}
	base := opts.BaseURL
	if base == "" {
		base = StoredBaseURL(ctx, store)
	}
	ep := EndpointsFor(base, slug)
	if opts.Audience != "" {
		ep.EntityID = opts.Audience
	}
	if opts.ACS != "" {
		ep.ACSURL = opts.ACS
	}
	useClockSkew(storedClockSkew(ctx, store))
	serves := slug != DemoSlug || storedDemoEnabled(ctx, store)
	if opts.demoServes != nil {
		serves = opts.demoServes(slug)
	}
	if v, ok := idpGate(idp, serves); !ok {
		setVerdict(&rep, v)
		return rep, nil
	}
	md, err := samlsp.ParseMetadata([]byte(idp.MetadataXML))
	if err != nil {
		return rep, Errorf(EINVALID, "The stored metadata of %s cannot be read: %v. Import it again.", idp.DisplayName, err)
	}
	sp := newServiceProvider(spOptions{metadata: md, security: idp.Security, ep: ep, key: opts.SPKey,
		replay: &seenAssertions{ctx: ctx, store: store, now: at}, clock: dsig.NewFakeClockAt(at)})
	req, err := pendingRequest(ctx, store, slug, opts.RequestID, raw, at)
	if err != nil {
		return rep, err
	}
	subj, ok := decide(&rep, sp, idp, raw, req, at)
	if !ok {
		if rep.Class != "" {
			rep.Decision = "deny"
		}
		return rep, nil
	}
	t := RuleTest{NameID: subj.nameID, Attributes: subj.attrs, Evaluation: subj.eval}
	if err := accountDecision(ctx, store, slug, idp.Mapping, subj.nameID, subj.eval.Fields.Email, &t); err != nil {
		return rep, err
	}
	if t.Existing != nil && t.Existing.Disabled {
		setVerdict(&rep, classified(ClassUserDisabled, nil))
		rep.Decision = "deny"
		return rep, nil
	}
	AddDecision(&rep, t)
	return rep, nil
}

// pendingRequest is the request state the ACS would have for raw, read
// without writing: the request given (which the response must answer), or
// else the one the response says it answers, while it is pending.
func pendingRequest(ctx context.Context, store RequestStore, slug, requestID string, raw []byte, at time.Time) (requestState, error) {
	req := requestState{solicitedOnly: requestID != ""}
	id := requestID
	if id == "" {
		id = responseInResponseTo(raw)
	}
	if id == "" {
		return req, nil
	}
	found, answered, err := store.PendingRequest(ctx, id, slug, at)
	if err != nil {
		return req, err
	}
	if found {
		req.ids, req.answered = []string{id}, answered
	}
	return req, nil
}

// startCheck decodes the response and starts its report with what the
// response holds, whatever the verdict.
func startCheck(opts CheckOptions) ([]byte, CheckReport, time.Time, error) {
	raw, err := DecodeResponse(opts.Response)
	if err != nil {
		return nil, CheckReport{}, time.Time{}, err
	}
	at := opts.At
	if at.IsZero() {
		at = time.Now()
	}
	rep := CheckReport{EvaluatedAt: at.UTC(), Attributes: map[string][]string{}}
	describeSignatures(raw, opts.SPKey, &rep)
	return raw, rep, at, nil
}

// decide runs the shared decision procedure on raw and writes its verdict
// and the verified subject into rep.
func decide(rep *CheckReport, sp *saml.ServiceProvider, idp IdP, raw []byte, req requestState, at time.Time) (loginSubject, bool) {
	assertion, v, ok := verifyResponse(sp, idp.Security, raw, req, at)
	if !ok {
		setVerdict(rep, v)
		return loginSubject{}, false
	}
	if assertion.Subject != nil && assertion.Subject.NameID != nil {
		rep.NameID = assertion.Subject.NameID.Value
		rep.NameIDFormat = assertion.Subject.NameID.Format
	}
	rep.Attributes, _ = AssertionAttributes(assertion)
	if assertion.Issuer.Value != "" {
		rep.Issuer = assertion.Issuer.Value
	}
	subj, v, ok := subjectOf(idp, assertion)
	if !ok {
		setVerdict(rep, v)
		return subj, false
	}
	rep.Valid = true
	rep.Class, rep.Reason = "", ""
	rep.Hint = "The response is valid: the console would accept it."
	return subj, true
}

// setVerdict makes rep a refusal for v.
func setVerdict(rep *CheckReport, v Verdict) {
	rep.Valid = false
	rep.Class, rep.Reason, rep.Hint = v.Class, v.Reason, v.Hint
	if v.Err != nil {
		rep.Detail = v.Err.Error()
	}
}

// certOnlyMetadata is IdP metadata holding only a signing certificate.
func certOnlyMetadata(entityID string, cert *x509.Certificate) *saml.EntityDescriptor {
	certText := base64.StdEncoding.EncodeToString(cert.Raw)
	return &saml.EntityDescriptor{EntityID: entityID, IDPSSODescriptors: []saml.IDPSSODescriptor{{
		SSODescriptor: saml.SSODescriptor{RoleDescriptor: saml.RoleDescriptor{KeyDescriptors: []saml.KeyDescriptor{{
			Use: "signing", KeyInfo: saml.KeyInfo{X509Data: saml.X509Data{X509Certificates: []saml.X509Certificate{{Data: certText}}}},
		}}}},
	}}}
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
