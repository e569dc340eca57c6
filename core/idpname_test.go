package core_test

import (
	"context"
	"testing"

	"github.com/jitconsole/jitconsole/core"
	"github.com/jitconsole/jitconsole/internal/samltest"
)

func TestDefaultDisplayName(t *testing.T) {
	org := func(inner string) string {
		return `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.com/x">` +
			`<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/>` + inner + `</md:EntityDescriptor>`
	}
	for _, tt := range []struct {
		name, entityID, xml, want string
	}{
		{"organization display name", "https://idp.example.com/x", org(`<md:Organization><md:OrganizationName xml:lang="en">acme-corp</md:OrganizationName><md:OrganizationDisplayName xml:lang="en">Acme Corp</md:OrganizationDisplayName><md:OrganizationURL xml:lang="en">https://acme.example</md:OrganizationURL></md:Organization>`), "Acme Corp"},
		{"organization name", "https://idp.example.com/x", org(`<md:Organization><md:OrganizationName xml:lang="en">Acme Ltd</md:OrganizationName><md:OrganizationDisplayName xml:lang="en"> </md:OrganizationDisplayName><md:OrganizationURL xml:lang="en">https://acme.example</md:OrganizationURL></md:Organization>`), "Acme Ltd"},
		{"host", "https://www.sso.acme.example/saml", "", "sso.acme.example"},
		{"IPv4 host: the path", "http://127.0.0.1:8081/simplesaml/saml2/idp/metadata.php", "", "simplesaml"},
		{"IPv6 host: the path", "http://[::1]:9000/realms/acme", "", "realms"},
		{"IP without a path", "http://127.0.0.5:8080", "", "Identity provider"},
		{"localhost", "http://localhost:8080/adfs/services/trust", "", "adfs"},
		{"URN", "urn:acme:idp", "", "urn:acme:idp"},
		{"empty", "", "", "Identity provider"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := core.DefaultDisplayName(core.MetadataPreview{EntityID: tt.entityID, EntityXML: tt.xml})
			if got != tt.want {
				t.Errorf("DefaultDisplayName(%q) = %q, want %q", tt.entityID, got, tt.want)
			}
		})
	}
}

// TestDuplicateEntityWarning: the preview names the other slug an entity
// ID is connected under, and not the slug being replaced.
func TestDuplicateEntityWarning(t *testing.T) {
	c, _ := startMemConsole(t)
	ctx := context.Background()
	idp := samltest.Start(t, func() core.Endpoints { return c.Endpoints("first") })
	in := core.MetadataInput{Source: core.SourcePaste, Data: idp.Metadata()}
	if _, _, err := c.ImportIdP(ctx, core.ImportRequest{MetadataInput: in, DisplayName: "First", Slug: "first"}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ slug, want string }{{"second", "first"}, {"first", ""}} {
		plan, err := c.PreviewImport(ctx, core.ImportRequest{MetadataInput: in, DisplayName: "X", Slug: tt.slug})
		if err != nil {
			t.Fatal(err)
		}
		if plan.DuplicateOf != tt.want {
			t.Errorf("import as %q: DuplicateOf %q, want %q", tt.slug, plan.DuplicateOf, tt.want)
		}
	}
}
