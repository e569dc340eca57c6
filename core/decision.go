// The decision procedure the ACS and the validator share: the
// ServiceProvider's options, verification, the subject, the IdP's gate and
// the replay check.

package core

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/xml"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"
)

// This file is the one decision procedure of a login: the ACS (acs.go)
// and the validator (check.go: the validator window and check-response)
// both run a response through verifyResponse, then subjectOf, then the
// account's state. No rule lives anywhere else, so the two cannot
// disagree; TestValidatorACSParity (in package main) holds them to it.
//
// What differs is only where the state comes from. Both read the request
// tracker and the replay cache without writing (requestState,
// seenAssertions); the ACS then uses up the RelayState token and records
// the assertion ID in the login's one transaction (Store.ApplyLogin), so
// that of two concurrent posts of one response exactly one is accepted.
// Classes that depend on the HTTP request itself and not on the response
// are decided by the ACS alone; the validator never returns them:
//
//	too_large         the body is over MaxACSBody
//	artifact_binding  a SAMLart parameter instead of a SAMLResponse
//	malformed         (only when the request is not a form, not a POST, or
//	                  has no base64 SAMLResponse; an unreadable response
//	                  is malformed for both)
//	unknown_idp       no IdP at the posted path (check-response: a usage error)
//	browser_mismatch  the login-binding cookie of the browser
//	storage_error     the database failed while the ACS wrote

// spOptions are what a crewjam ServiceProvider is built from: the IdP's
// parsed metadata and settings, the SP's endpoints and key, and where
// verification reads its time and records assertion IDs.
type spOptions struct {
	metadata *saml.EntityDescriptor
	security IdPSecurity
	ep       Endpoints
	key      *rsa.PrivateKey
	cert     KeyPair
	replay   saml.AssertionReplayCache
	clock    *dsig.Clock // nil: the system clock
}

// newServiceProvider builds the crewjam ServiceProvider that verifies
// responses of one IdP, for the ACS and the validator alike.
func newServiceProvider(o spOptions) *saml.ServiceProvider {
	sp := &saml.ServiceProvider{
		EntityID:             o.ep.EntityID,
		Certificate:          o.cert.Cert,
		AcsURL:               mustParseURL(o.ep.ACSURL),
		IDPMetadata:          o.metadata,
		AuthnNameIDFormat:    saml.UnspecifiedNameIDFormat,
		AllowIDPInitiated:    o.security.AllowIdPInitiated,
		RejectSHA1Signatures: o.security.RejectSHA1,
		DefaultRedirectURI:   "/welcome",
		// The SAML metadata interoperability profile treats certificates
		// in metadata as key containers: an expired IdP certificate still
		// verifies (many IdPs publish one); the console flags it instead.
		IgnoreCertificateExpiry:          true,
		ReplayCache:                      o.replay,
		AssertionConsumerServiceBindings: []string{saml.HTTPPostBinding},
		MetadataValidDuration:            48 * time.Hour,
		Clock:                            o.clock,
	}
	if o.ep.MetadataURL != "" {
		sp.MetadataURL = mustParseURL(o.ep.MetadataURL)
	}
	if o.key != nil {
		sp.Key = o.key
	}
	return sp
}

// errSecondResponse refuses a response to a sign-in request that another
// response answered.
var errSecondResponse = errors.New("second response to one AuthnRequest")

// requestState is what the console knows of the AuthnRequest a response
// may answer: the IDs it may answer (none: only an unsolicited response
// can pass) and whether the request was answered before.
type requestState struct {
	ids      []string
	answered bool
	// solicitedOnly refuses an unsolicited response: the browser posted
	// the token of a sign-in it started (ACS), or the admin named the
	// request (validator), so a response answering nothing is not it.
	solicitedOnly bool
}

// verifyResponse is the verification half of the decision: the checks
// before parsing, crewjam's verification of signature, audience,
// destination, time window, replay and InResponseTo, then the IdP's own
// security settings. It returns the verified assertion, or the Verdict of
// the refusal.
func verifyResponse(sp *saml.ServiceProvider, sec IdPSecurity, raw []byte, req requestState, now time.Time) (*saml.Assertion, Verdict, bool) {
	if v, ok := precheckRaw(raw); !ok {
		return nil, v, false
	}
	assertion, err := sp.ParseXMLResponse(raw, req.ids, sp.AcsURL)
	if err != nil {
		var storeErr *replayStoreError
		if errors.As(err, &storeErr) {
			return nil, classified(ClassStorage, storeErr.err), false
		}
		v := classifySAMLError(err, raw)
		if v.Class == ClassSignatureInvalid && sec.RejectSHA1 && usesSHA1(raw) {
			v = classified(ClassWeakAlgorithm, v.Err)
		}
		return nil, explainVerdict(v, raw, sp, now), false
	}
	if req.solicitedOnly && responseInResponseTo(raw) == "" {
		v := classified(ClassInResponseTo, errors.New("unsolicited response posted for a sign-in request"))
		v.Reason = "The response answers no sign-in request, but it was posted for one this console started."
		return nil, v, false
	}
	if req.answered {
		return nil, classified(ClassInResponseTo, errSecondResponse), false
	}
	key, _ := sp.Key.(*rsa.PrivateKey)
	if v, ok := checkRequiredSignatures(sec, raw, key); !ok {
		return nil, v, false
	}
	return assertion, Verdict{}, true
}

// loginSubject is what an IdP's policies make of a verified assertion: the
// account key, the assertion's attributes and the mapping's evaluation.
type loginSubject struct {
	nameID   string
	format   string
	attrs    Attributes
	friendly map[string]string
	eval     Evaluation
	warnings []string
}

// subjectOf applies the IdP's account-key policy (a key attribute, or a
// non-transient NameID) and its mapping (required fields, deny policy) to
// a verified assertion. A refusal comes back as a Verdict, with the
// account key when one was found.
func subjectOf(idp IdP, a *saml.Assertion) (loginSubject, Verdict, bool) {
	var s loginSubject
	if a.Subject != nil && a.Subject.NameID != nil {
		s.nameID, s.format = strings.TrimSpace(a.Subject.NameID.Value), a.Subject.NameID.Format
	}
	s.attrs, s.friendly = AssertionAttributes(a)
	if key := idp.Mapping.AccountKeyAttr; key != "" {
		look := attrLookup{attrs: s.attrs, friendly: s.friendly}
		v := look.first([]string{key})
		if v == "" {
			verdict := classified(ClassEmptyNameID, nil)
			verdict.Reason = fmt.Sprintf("The account key attribute %q is missing from the assertion. The IdP sent: %s.", key, attributeNames(s.attrs))
			return s, verdict, false
		}
		if s.format == string(saml.TransientNameIDFormat) {
			s.warnings = append(s.warnings, fmt.Sprintf("The IdP sends transient NameIDs; the account is keyed by the attribute %s.", key))
		}
		s.nameID = v
	} else if s.format == string(saml.TransientNameIDFormat) {
		return s, classified(ClassTransientNameID, nil), false
	}
	if s.nameID == "" {
		return s, classified(ClassEmptyNameID, nil), false
	}
	s.eval = idp.Mapping.Evaluate(s.nameID, s.attrs, s.friendly)
	if s.eval.Deny {
		v := classified(ClassDeniedByPolicy, nil)
		v.Reason = s.eval.Reason
		return s, v, false
	}
	return s, Verdict{}, true
}

// responseInResponseTo returns the InResponseTo attribute of raw's root
// element (the Response), reading no further than its start tag.
func responseInResponseTo(raw []byte) string {
	dec := xml.NewDecoder(bytes.NewReader(raw))
	for {
		tok, err := dec.RawToken()
		if err != nil {
			return ""
		}
		if se, ok := tok.(xml.StartElement); ok {
			for _, a := range se.Attr {
				if a.Name.Local == "InResponseTo" {
					return a.Value
				}
			}
			return ""
		}
	}
}

// idpGate refuses a response for an IdP that is switched off (or the
// demo IdP's connection while the demo IdP is off: serves false), before
// any parsing (the ACS's order).
func idpGate(idp IdP, serves bool) (Verdict, bool) {
	if idp.IsDraft() {
		return classified(ClassIdPDraft, nil), false
	}
	if !idp.Enabled || !serves {
		return classified(ClassIdPDisabled, nil), false
	}
	return Verdict{}, true
}

// replayStoreError is a replay-cache failure of the database, which is
// not a refusal of the response: the ACS answers 503.
type replayStoreError struct{ err error }

func (e *replayStoreError) Error() string { return "replay cache: " + e.err.Error() }

// seenAssertions is the replay check of the ACS and of the validator: it
// reports an assertion ID the replay cache holds (and not yet expired) as
// replayed, and records nothing. crewjam calls it last, once the response
// has passed every other check; the ACS then records the ID (until
// expires, the deadline crewjam gives) in the login's own transaction.
type seenAssertions struct {
	ctx   context.Context
	store RequestStore
	now   time.Time
	// expires is crewjam's deadline for the assertion checked, kept for
	// the login's transaction.
	expires time.Time
}

// Consume implements saml.AssertionReplayCache without writing.
func (s *seenAssertions) Consume(id string, expires time.Time) error {
	used, err := s.store.AssertionSeen(s.ctx, id, s.now)
	if err != nil {
		return &replayStoreError{err}
	}
	if used {
		return saml.ErrAssertionReplayed
	}
	s.expires = expires
	return nil
}
