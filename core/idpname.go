// Defaults for a new IdP connection drawn from its metadata: the display
// name, and the other connection of the same entity.

package core

import (
	"context"
	"net"
	"net/url"
	"strings"

	"github.com/crewjam/saml"
	"github.com/crewjam/saml/samlsp"
)

// DefaultDisplayName names an IdP from its metadata: the Organization's
// display name (or name), else the entity ID's host, never an IP address
// or localhost (then the entity ID's first path segment, else "Identity
// provider").
func DefaultDisplayName(prev MetadataPreview) string {
	if md, err := samlsp.ParseMetadata([]byte(prev.EntityXML)); err == nil && md.Organization != nil {
		for _, names := range [][]string{localized(md.Organization.OrganizationDisplayNames), localized(md.Organization.OrganizationNames)} {
			for _, n := range names {
				if n = strings.TrimSpace(n); n != "" {
					return n
				}
			}
		}
	}
	id := strings.TrimSpace(prev.EntityID)
	u, err := url.Parse(id)
	if err != nil || u.Host == "" {
		if id == "" {
			return "Identity provider"
		}
		return id
	}
	host := u.Hostname()
	if net.ParseIP(host) == nil && host != "localhost" {
		return strings.TrimPrefix(host, "www.")
	}
	for _, seg := range strings.Split(u.Path, "/") {
		if seg != "" {
			return seg
		}
	}
	return "Identity provider"
}

func localized(names []saml.LocalizedName) []string {
	// English first, then the rest in order.
	var en, rest []string
	for _, n := range names {
		if strings.HasPrefix(strings.ToLower(n.Lang), "en") {
			en = append(en, n.Value)
		} else {
			rest = append(rest, n.Value)
		}
	}
	return append(en, rest...)
}

// duplicateEntity returns the slug of another IdP connected with entityID,
// or "".
func (c *Console) duplicateEntity(ctx context.Context, entityID, slug string) (string, error) {
	if entityID == "" {
		return "", nil
	}
	idps, err := c.store.ListIdPs(ctx)
	if err != nil {
		return "", err
	}
	for _, idp := range idps {
		if idp.Slug != slug && idp.EntityID == entityID {
			return idp.Slug, nil
		}
	}
	return "", nil
}
