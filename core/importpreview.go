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
	// CompletesDraft is true when the slug is a draft IdP's: the import
	// gives it its metadata and enables it.
	CompletesDraft bool
	// DuplicateOf names another IdP connected with the same entity ID
	// ("" when none): a second connection of one IdP is usually a mistake.
	DuplicateOf string
}

// PreviewImport validates req and says what ImportIdP would save (ImportIdP
// saves what it says), saving nothing and writing no event (a dry run; it
// works on a reader). Certificates and validUntil are judged at the console's clock.
func (c *Console) PreviewImport(ctx context.Context, req ImportRequest) (ImportPreview, error) {
	prev, err := c.PreviewMetadata(ctx, req.MetadataInput)
	if err != nil {
		return ImportPreview{Metadata: prev}, err
	}
	name := strings.TrimSpace(req.DisplayName)
	slug := strings.TrimSpace(req.Slug)
	if slug == "" {
		slug = SuggestSlug(firstNonEmpty(name, SuggestSlug(prev.EntityID)))
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
	// A re-import without a name keeps the connection's (a setting, like
	// its mapping); a new one is named from the metadata.
	switch {
	case name != "":
		idp.DisplayName = name
	case !replaces || idp.DisplayName == "":
		idp.DisplayName = DefaultDisplayName(prev)
	}
	draft := replaces && idp.IsDraft()
	if draft {
		idp.Enabled = true
	}
	dup, err := c.duplicateEntity(ctx, prev.EntityID, slug)
	if err != nil {
		return ImportPreview{Metadata: prev}, err
	}
	idp.EntityID, idp.MetadataXML, idp.MetadataSource = prev.EntityID, prev.EntityXML, req.Source
	return ImportPreview{IdP: idp, Metadata: prev, Replaces: replaces, CompletesDraft: draft, DuplicateOf: dup}, nil
}
