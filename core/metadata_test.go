package core_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

func TestParseIdPMetadata(t *testing.T) {
	dir := crewjamTestdata(t)
	entra := string(readFixture(t, dir, "TestSPCanHandleEntraIDResponse_IDPMetadata"))
	okta := string(readFixture(t, dir, "TestSPCanHandleOktaResponseEncryptedSignedAssertion_IDPMetadata"))
	spMD := string(readFixture(t, dir, "TestSPCanProduceMetadataWithEncryptionCert_metadata"))
	entraBody := entra[strings.Index(entra, "<EntityDescriptor"):]
	oktaBody := okta[strings.Index(okta, "<"):]
	now := time.Date(2025, 6, 2, 15, 4, 6, 0, time.UTC)
	aggregate := `<EntitiesDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata">` + entraBody + oktaBody + `</EntitiesDescriptor>`

	tests := []struct {
		name     string
		xml      string
		entityID string
		wantErr  string // substring of the message; "" for success
		wantID   string
	}{
		{"Entra ID", entra, "", "", "https://sts.windows.net/8c3a9b2e-4f1d-4e6a-9b7c-2d5e8f1a3c4b/"},
		{"Okta", okta, "", "", ""},
		{"an SP's metadata", spMD, "", "service provider's metadata", ""},
		{"not XML", "hello", "", "not well-formed XML", ""},
		{"empty", "  ", "", "empty", ""},
		{"DOCTYPE", `<!DOCTYPE x [<!ENTITY a "b">]><EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"/>`, "", "DOCTYPE", ""},
		{"DOCTYPE after the root's start tag", `<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"><!DOCTYPE y [<!ENTITY a "b">]></EntityDescriptor>`, "", "DOCTYPE", ""},
		{"ENTITY inside the document", strings.Replace(oktaBody, "</md:EntityDescriptor>", `<!ENTITY a "b"></md:EntityDescriptor>`, 1), "", "DOCTYPE or ENTITY", ""},
		{"DOCTYPE after the root", oktaBody + `<!DOCTYPE y>`, "", "DOCTYPE", ""},
		{"another document", `<html><body>login</body></html>`, "", "not SAML metadata", ""},
		{"expired validUntil", strings.Replace(oktaBody, "<md:EntityDescriptor ", `<md:EntityDescriptor validUntil="2001-01-01T00:00:00Z" `, 1), "", "expired on 2001-01-01", ""},
		{"no signing certificate", `<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.com"><IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/sso"/></IDPSSODescriptor></EntityDescriptor>`, "", "no signing certificate", ""},
		{"no usable SSO endpoint", `<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.com"><IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"></IDPSSODescriptor></EntityDescriptor>`, "", "no single sign-on endpoint", ""},
		{"aggregate, chosen", aggregate, "https://sts.windows.net/8c3a9b2e-4f1d-4e6a-9b7c-2d5e8f1a3c4b/", "", "https://sts.windows.net/8c3a9b2e-4f1d-4e6a-9b7c-2d5e8f1a3c4b/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := core.ParseIdPMetadata([]byte(tt.xml), tt.entityID, now)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(core.ErrorMessage(err), tt.wantErr) {
					t.Fatalf("err = %v (message %q), want one saying %q", err, core.ErrorMessage(err), tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("%v", err)
			}
			if tt.wantID != "" && p.EntityID != tt.wantID {
				t.Errorf("entity ID %q", p.EntityID)
			}
			if len(p.SSO) == 0 || len(p.Certs) == 0 || p.EntityXML == "" {
				t.Errorf("preview lacks endpoints or certificates: %+v", p)
			}
			for _, c := range p.Certs {
				if len(c.Fingerprint) != 95 || c.Subject == "" || c.NotAfter.IsZero() {
					t.Errorf("certificate info %+v", c)
				}
			}
		})
	}

	t.Run("aggregate asks which entity", func(t *testing.T) {
		_, err := core.ParseIdPMetadata([]byte(aggregate), "", now)
		var choose *core.ChooseEntityError
		if !errors.As(err, &choose) || len(choose.EntityIDs) != 2 {
			t.Fatalf("err = %v", err)
		}
	})
}
