// Explaining a verdict: the values a person needs to act on a refusal
// (both sides of a mismatch, the IdP's times against our clock).

package core

import (
	"crypto/rsa"
	"fmt"
	"strings"
	"time"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"
)

// explainVerdict adds to v the values a person needs to act on a refusal:
// both sides of a mismatch, the IdP's times against our clock. It parses
// raw once more, on the refusal path only.
func explainVerdict(v Verdict, raw []byte, sp *saml.ServiceProvider, now time.Time) Verdict {
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(raw); err != nil || doc.Root() == nil {
		return v
	}
	root := doc.Root()
	if key, ok := sp.Key.(*rsa.PrivateKey); ok {
		decryptForDisplay(root, key)
	}
	assertion := root.SelectElement("Assertion")
	attr := func(el *etree.Element, path, name string) string {
		if el == nil {
			return ""
		}
		if path != "" {
			el = el.FindElement(path)
			if el == nil {
				return ""
			}
		}
		return el.SelectAttrValue(name, "")
	}
	switch v.Class {
	case ClassExpired, ClassNotYetValid:
		issue := attr(assertion, "", "IssueInstant")
		if issue == "" {
			issue = attr(root, "", "IssueInstant")
		}
		notBefore := attr(assertion, "./Conditions", "NotBefore")
		notAfter := attr(assertion, "./Conditions", "NotOnOrAfter")
		scd := attr(assertion, "./Subject/SubjectConfirmation/SubjectConfirmationData", "NotOnOrAfter")
		parts := []string{"issued " + orDash(issue)}
		if notBefore != "" {
			parts = append(parts, "not before "+notBefore)
		}
		if notAfter != "" {
			parts = append(parts, "not on or after "+notAfter)
		}
		if scd != "" && scd != notAfter {
			parts = append(parts, "confirmation until "+scd)
		}
		v.Reason += fmt.Sprintf(" The IdP's times: %s. This computer's clock: %s; allowed skew %s.",
			strings.Join(parts, ", "), now.UTC().Format(time.RFC3339), saml.MaxClockSkew)
		if t, err := time.Parse(time.RFC3339Nano, issue); err == nil {
			d := t.Sub(now).Round(time.Second)
			switch {
			case d > 0:
				v.Hint = fmt.Sprintf("The IdP's clock is about %s ahead of this computer's: fix NTP on one of them, or raise the allowed clock skew.", d)
			case -d > saml.MaxIssueDelay:
				v.Hint = fmt.Sprintf("The response was issued %s ago: it was held too long (a stale browser tab or a replay), or the IdP's clock is behind. Sign in again.", (-d).String())
			}
		}
	case ClassAudience:
		var auds []string
		if assertion != nil {
			for _, a := range assertion.FindElements("./Conditions/AudienceRestriction/Audience") {
				auds = append(auds, strings.TrimSpace(a.Text()))
			}
		}
		v.Reason = fmt.Sprintf("The assertion is for the audience %s, but this service provider's entity ID is %q.", quoteList(auds), sp.EntityID)
	case ClassDestination:
		dest := attr(root, "", "Destination")
		recip := attr(assertion, "./Subject/SubjectConfirmation/SubjectConfirmationData", "Recipient")
		v.Reason = fmt.Sprintf("The response was addressed to %q (Destination) and %q (Recipient), but this ACS is %q.", dest, recip, sp.AcsURL.String())
	case ClassIssuer:
		iss := ""
		if el := root.FindElement("./Issuer"); el != nil {
			iss = strings.TrimSpace(el.Text())
		}
		want := ""
		if sp.IDPMetadata != nil {
			want = sp.IDPMetadata.EntityID
		}
		v.Reason = fmt.Sprintf("The response was issued by %q, but this endpoint belongs to %q.", iss, want)
	case ClassIdPError:
		var codes []string
		for el := root.FindElement("./Status/StatusCode"); el != nil; el = el.SelectElement("StatusCode") {
			codes = append(codes, shortStatus(el.SelectAttrValue("Value", "")))
		}
		msg := ""
		if el := root.FindElement("./Status/StatusMessage"); el != nil {
			msg = strings.TrimSpace(el.Text())
		}
		v.Reason = fmt.Sprintf("The IdP refused the sign-in with the status %s", strings.Join(codes, " / "))
		if msg != "" {
			v.Reason += fmt.Sprintf(": %q", msg)
		}
		v.Reason += "."
	}
	return v
}

func shortStatus(s string) string {
	if i := strings.LastIndex(s, ":"); i >= 0 {
		return s[i+1:]
	}
	return s
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func quoteList(xs []string) string {
	if len(xs) == 0 {
		return "(none)"
	}
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = fmt.Sprintf("%q", x)
	}
	return strings.Join(q, ", ")
}
