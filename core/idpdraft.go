// Draft IdP connections: the first step of connecting an IdP names it and
// makes its SP endpoints live before its metadata exists.

package core

import (
	"context"
	"fmt"
	"strings"
)

// IsDraft tells whether idp is a draft: added by name, waiting for its
// metadata. A draft's SP metadata and ACS URLs answer; it signs no one in.
func (i IdP) IsDraft() bool { return i.MetadataXML == "" && i.MetadataSource != SourceDemo }

// DraftRequest is a new IdP connection without metadata yet.
type DraftRequest struct {
	// Type is an IdPType's ID; its preset becomes the draft's mapping.
	Type        string
	DisplayName string // required
	Slug        string // default: from the display name
}

// CreateDraftIdP stores a new, disabled IdP without metadata, so that its
// SP metadata URL and ACS URL answer while the admin configures the IdP.
// ImportIdP under the same slug later fills in the metadata and enables it.
func (c *Console) CreateDraftIdP(ctx context.Context, req DraftRequest) (IdP, error) {
	name := strings.TrimSpace(req.DisplayName)
	if name == "" {
		return IdP{}, Errorf(EINVALID, "Enter a display name for the identity provider.")
	}
	slug := strings.TrimSpace(req.Slug)
	if slug == "" {
		slug = SuggestSlug(name)
	}
	if err := ValidateSlug(slug); err != nil {
		return IdP{}, err
	}
	if slug == DemoSlug {
		return IdP{}, Errorf(EINVALID, "The slug %q belongs to the built-in demo IdP; choose another.", slug)
	}
	switch _, err := c.store.GetIdP(ctx, slug); {
	case err == nil:
		return IdP{}, Errorf(EINVALID, "An identity provider is already connected as %q; choose another slug.", slug)
	case ErrorCode(err) != ENOTFOUND:
		return IdP{}, err
	}
	mapping := DefaultMapping()
	t := IdPTypeByID(req.Type)
	if p, ok := PresetNamed(t.Preset); ok {
		mapping = mapping.WithPreset(p)
	}
	saved, err := c.store.SaveIdP(ctx, IdP{Slug: slug, DisplayName: name, Enabled: false, Mapping: mapping})
	if err != nil {
		return IdP{}, fmt.Errorf("save draft IdP %q: %w", slug, err)
	}
	c.publish(ctx, Event{Kind: EventIdPRegistered, Outcome: OutcomeInfo, IdPSlug: slug, Subject: osUser(),
		Message: fmt.Sprintf("Identity provider %s added as a draft (%s), waiting for its metadata", name, t.Name)})
	return saved, nil
}
