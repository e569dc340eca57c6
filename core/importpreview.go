package core

import (
	"context"
	"strings"
)

// ImportPreview is what ImportIdP would do with a request.
type ImportPreview struct {
	// IdP is the connection as it would be saved: slug, display name,
	// entity ID and metadata (with the stored mapping when it Replaces).
	IdP      IdP
	Metadata MetadataPreview
	// Replaces is true when an IdP is connected under the slug: its
	// metadata would be replaced, its mapping and settings kept.
	Replaces bool
}

// PreviewImport validates req as ImportIdP does and says what it would
// save, saving nothing and writing no event (a dry run; it works on a
// reader). Certificates and validUntil are judged at the console's clock.
func (c *Console) PreviewImport(ctx context.Context, req ImportRequest) (ImportPreview, error) {
	prev, err := c.PreviewMetadata(ctx, req.MetadataInput)
	if err != nil {
		return ImportPreview{Metadata: prev}, err
	}
	name := strings.TrimSpace(req.DisplayName)
	if name == "" {
		name = SuggestSlug(prev.EntityID)
	}
	slug := strings.TrimSpace(req.Slug)
	if slug == "" {
		slug = SuggestSlug(name)
	}
	if err := ValidateSlug(slug); err != nil {
		return ImportPreview{Metadata: prev}, err
	}
	if slug == DemoSlug {
		return ImportPreview{Metadata: prev}, Errorf(EINVALID, "The slug %q belongs to the built-in demo IdP; choose another.", slug)
	}
	idp, err := c.store.GetIdP(ctx, slug)
	replaces := err == nil
	switch {
	case ErrorCode(err) == ENOTFOUND:
		idp = IdP{Slug: slug, Enabled: true, Mapping: DefaultMapping()}
	case err != nil:
		return ImportPreview{Metadata: prev}, err
	}
	idp.DisplayName, idp.EntityID, idp.MetadataXML, idp.MetadataSource = name, prev.EntityID, prev.EntityXML, req.Source
	return ImportPreview{IdP: idp, Metadata: prev, Replaces: replaces}, nil
}
