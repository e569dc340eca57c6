// Refusal classes and verdicts: why a response was refused, for a
// person, and classifying the SAML library's errors.

package core

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"
)

// RefusalClass is why the ACS refused a login, as a stable code stored
// with each refused login, event and recording: one of the Class*
// constants.
type RefusalClass string

// Refusal classes of the ACS.
const (
	ClassSignatureInvalid RefusalClass = "signature_invalid"
	ClassUnknownKey       RefusalClass = "unknown_signing_key"
	ClassNoSignature      RefusalClass = "no_signature"
	ClassExpired          RefusalClass = "expired"
	ClassNotYetValid      RefusalClass = "not_yet_valid"
	ClassAudience         RefusalClass = "audience_mismatch"
	ClassDestination      RefusalClass = "destination_mismatch"
	ClassIssuer           RefusalClass = "issuer_mismatch"
	ClassReplayed         RefusalClass = "replayed"
	ClassUnsolicited      RefusalClass = "unsolicited"
	ClassInResponseTo     RefusalClass = "in_response_to_unknown"
	ClassIdPError         RefusalClass = "idp_error_status"
	ClassMalformed        RefusalClass = "malformed"
	ClassTooLarge         RefusalClass = "too_large"
	ClassArtifact         RefusalClass = "artifact_binding"
	ClassEmptyNameID      RefusalClass = "empty_name_id"
	ClassTransientNameID  RefusalClass = "transient_name_id"
	ClassWeakAlgorithm    RefusalClass = "weak_algorithm"
	ClassDeniedByPolicy   RefusalClass = "denied_by_policy"
	ClassDecryption       RefusalClass = "decryption_failed"
	ClassUserDisabled     RefusalClass = "user_disabled"
	ClassUnknownIdP       RefusalClass = "unknown_idp"
	ClassIdPDisabled      RefusalClass = "idp_disabled"
	ClassIdPDraft         RefusalClass = "idp_draft"
	ClassStorage          RefusalClass = "storage_error"
	ClassBrowserMismatch  RefusalClass = "browser_mismatch"
	ClassOther            RefusalClass = "refused"
)

// Verdict is why a login was refused, for a person: Reason says what
// happened, Hint what to do. Err is the library's private error, for the
// log only.
type Verdict struct {
	Class  RefusalClass
	Reason string
	Hint   string
	Err    error
}

var verdictTexts = map[RefusalClass][2]string{
	ClassSignatureInvalid: {"The response's signature does not verify.", "The message was changed after the IdP signed it, or the IdP's metadata is wrong. Re-import the IdP's metadata; if it persists, someone may be tampering with sign-ins."},
	ClassUnknownKey:       {"The response is signed by a key that is not in the IdP's metadata.", "The IdP probably rolled over its signing certificate: import its current metadata."},
	ClassNoSignature:      {"The response carries no signature.", "Configure the IdP to sign the assertion (or the whole response)."},
	ClassExpired:          {"The assertion has expired (or was issued too long ago).", "Check that the IdP's and this computer's clocks are right (NTP), then sign in again."},
	ClassNotYetValid:      {"The assertion is not valid yet.", "The IdP's clock is ahead of this computer's: fix NTP on one of them."},
	ClassAudience:         {"The assertion is meant for another service provider (audience mismatch).", "Set the SP entity ID at the IdP to the value shown in JIT Console."},
	ClassDestination:      {"The response was addressed to another URL (destination mismatch).", "Set the ACS URL at the IdP to the value shown in JIT Console, and check the console's base URL setting."},
	ClassIssuer:           {"The response was issued by a different IdP than the one this endpoint belongs to.", "Check that the IdP posts to its own ACS URL in JIT Console."},
	ClassReplayed:         {"This assertion has already been used.", "Each sign-in can be used once. Start a new sign-in; a repeat may mean a captured response is being replayed."},
	ClassUnsolicited:      {"The IdP sent a sign-in that this console did not ask for (IdP-initiated), which is switched off.", "Start the sign-in from the console's login link, or enable IdP-initiated login for this IdP."},
	ClassInResponseTo:     {"The response answers a sign-in request this console does not know (or already used).", "Start the sign-in again from the login link; requests expire after 10 minutes and can be used once."},
	ClassIdPError:         {"The IdP refused the sign-in and returned an error status.", "Look at the IdP's own logs: the user may not be assigned to this application."},
	ClassMalformed:        {"The request is not a readable SAML response.", "Check that the IdP uses the HTTP-POST binding to the ACS URL shown in JIT Console."},
	ClassTooLarge:         {"The request is larger than 256 KiB and was refused unread.", "Real SAML responses are far smaller; check what is posting to the ACS."},
	ClassArtifact:         {"The IdP used the artifact binding (SAMLart), which is not enabled.", "Configure the IdP to use the HTTP-POST binding."},
	ClassEmptyNameID:      {"The assertion's NameID is empty, so there is no account to sign in to.", "Configure the IdP to send a NameID (persistent or email format)."},
	ClassTransientNameID:  {"The IdP sent a transient NameID, which changes at every sign-in: used as the account key it would create a new account each time.", "Configure the IdP to send a persistent or email NameID, or name a stable attribute as the account key in this IdP's mapping."},
	ClassUserDisabled:     {"This account is disabled in JIT Console, so the sign-in was refused.", "An administrator can enable the account on the Users screen."},
	ClassDecryption:       {"The assertion is encrypted and could not be decrypted with the SP's key.", "The IdP encrypted to another certificate: give it this SP's current metadata (or, checking a response, pass the SP private key it was encrypted to)."},
	ClassDeniedByPolicy:   {"The mapping rules of this IdP deny this login.", "Check the person's attributes in the recorder against the IdP's mapping rules, or change the no-match policy."},
	ClassWeakAlgorithm:    {"The response is signed with SHA-1, which this IdP's settings refuse.", "Configure the IdP to sign with RSA-SHA256, or accept SHA-1 in this IdP's security settings."},
	ClassUnknownIdP:       {"No identity provider is connected at this address.", "Check the ACS URL configured at the IdP."},
	ClassIdPDisabled:      {"Sign-in through this identity provider is switched off.", "An administrator can enable it in JIT Console."},
	ClassIdPDraft:         {"This identity provider is waiting for its metadata, so it cannot sign anyone in yet.", "Finish connecting it in JIT Console: Identity Providers › the IdP › import its metadata (the wizard's step 3)."},
	ClassStorage:          {"The console could not save the account.", "The database may be full or read-only; check the disk and try again. Nothing was half-written."},
	ClassBrowserMismatch:  {"This sign-in was started in another browser (or this browser did not send back the cookie it was given when the sign-in started), so it was refused.", "Start the sign-in again from the login link in this browser. If you did not start one, someone may have tried to sign you in to their own account."},
	ClassOther:            {"The response was refused.", "See the event in JIT Console for details."},
}

// classified makes the Verdict of class, keeping err for the log.
func classified(class RefusalClass, err error) Verdict {
	t, ok := verdictTexts[class]
	if !ok {
		t = verdictTexts[ClassOther]
	}
	return Verdict{Class: class, Reason: t[0], Hint: t[1], Err: err}
}

// classifySAMLError turns an error of crewjam's ParseXMLResponse on the
// response raw into a Verdict, most specific class first.
func classifySAMLError(err error, raw []byte) Verdict {
	facts := scanResponse(raw)
	var private error = err
	var ire *saml.InvalidResponseError
	if errors.As(err, &ire) && ire.PrivateErr != nil {
		private = ire.PrivateErr
	}
	var bad saml.ErrBadStatus
	switch {
	case errors.As(private, &bad):
		v := classified(ClassIdPError, private)
		v.Reason = fmt.Sprintf("The IdP refused the sign-in and returned the status %s.", bad.Status)
		return v
	case errors.Is(private, saml.ErrDecryptionFailed):
		return classified(ClassDecryption, private)
	case errors.Is(private, saml.ErrAssertionReplayed):
		return classified(ClassReplayed, private)
	case errors.Is(private, saml.ErrUntrustedCertificate):
		return classified(ClassUnknownKey, private)
	case errors.Is(private, saml.ErrInvalidSignature):
		if !facts.signed {
			return classified(ClassNoSignature, private)
		}
		return classified(ClassSignatureInvalid, private)
	case errors.Is(private, saml.ErrExpired):
		return classified(ClassExpired, private)
	case errors.Is(private, saml.ErrNotYetValid):
		return classified(ClassNotYetValid, private)
	case errors.Is(private, saml.ErrAudienceMismatch):
		return classified(ClassAudience, private)
	case errors.Is(private, saml.ErrDestinationMismatch):
		return classified(ClassDestination, private)
	case errors.Is(private, saml.ErrIssuerMismatch):
		return classified(ClassIssuer, private)
	case errors.Is(private, saml.ErrRequestIDMismatch):
		if facts.inResponseTo == "" {
			return classified(ClassUnsolicited, private)
		}
		return classified(ClassInResponseTo, private)
	case errors.Is(private, saml.ErrMalformedMessage), errors.Is(private, saml.ErrMissingElement):
		if facts.wellFormed && !facts.signed {
			return classified(ClassNoSignature, private)
		}
		return classified(ClassMalformed, private)
	}
	if facts.wellFormed && !facts.signed {
		return classified(ClassNoSignature, private)
	}
	// crewjam's "signature element not present" is unexported: the element
	// the SP reads carries no signature (a wrapping attack, or an unsigned
	// IdP).
	if errors.Is(private, dsig.ErrMissingSignature) || strings.Contains(private.Error(), "signature element not present") {
		return classified(ClassNoSignature, private)
	}
	return classified(ClassOther, private)
}

// responseFacts are what classification needs to know of a refused
// response beyond the library's error.
type responseFacts struct {
	wellFormed   bool
	signed       bool   // some ds:Signature element is present
	inResponseTo string // of the Response element
	nameID       string // the first NameID's text, as sent (unverified)
}

// scanResponse reads raw with a streaming decoder. It runs only for refused
// responses, never on the accepted path.
func scanResponse(raw []byte) responseFacts {
	var f responseFacts
	dec := xml.NewDecoder(bytes.NewReader(raw))
	first := true
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			f.wellFormed = !first
			return f
		} else if err != nil {
			return f
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if first {
			first = false
			for _, a := range se.Attr {
				if a.Name.Local == "InResponseTo" {
					f.inResponseTo = a.Value
				}
			}
		}
		if se.Name.Local == "Signature" && se.Name.Space == "http://www.w3.org/2000/09/xmldsig#" {
			f.signed = true
		}
		if se.Name.Local == "NameID" && f.nameID == "" {
			var text string
			if dec.DecodeElement(&text, &se) == nil {
				f.nameID = strings.TrimSpace(text)
			}
		}
	}
}

// precheckRaw refuses, before any parsing, what no IdP sends and attacks
// do: a DOCTYPE (entity expansion, external entities) and XML comments
// (which cut a NameID short in parsers that read only the first text
// node). Both are substring tests, cheap on the login path.
func precheckRaw(raw []byte) (Verdict, bool) {
	if bytes.Contains(raw, []byte("<!DOCTYPE")) || bytes.Contains(raw, []byte("<!ENTITY")) {
		v := classified(ClassMalformed, errors.New("DOCTYPE in response"))
		v.Reason = "The response contains a DOCTYPE with entity declarations, which SAML never uses and attacks do."
		v.Hint = "If your IdP really sends this, report it to its vendor; otherwise someone is probing the ACS."
		return v, false
	}
	if bytes.Contains(raw, []byte("<!--")) {
		v := classified(ClassMalformed, errors.New("XML comment in response"))
		v.Reason = "The response contains an XML comment. IdPs do not send them, and comments inside a NameID are a known way to impersonate someone."
		v.Hint = "If your IdP really sends comments, report it to its vendor; otherwise someone is tampering with sign-ins."
		return v, false
	}
	return Verdict{}, true
}
