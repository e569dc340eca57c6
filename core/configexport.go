// config export: the console's configuration as one config document.

package core

import (
	"context"
	"fmt"
	"time"
)

// ExportConfig returns the whole configuration as a version 1 config
// document, YAML when yamlOut, JSON otherwise: every setting (defaults
// where unset), the role catalogue by name, and every IdP in the order it
// was added, its metadata by URL or inline, its settings and mapping.
// Applying it to the same data changes nothing.
func (c *Console) ExportConfig(ctx context.Context, yamlOut bool) ([]byte, error) {
	f, err := c.configFile(ctx)
	if err != nil {
		return nil, err
	}
	return MarshalConfig(f, yamlOut)
}

// configFile reads the configuration into the file format.
func (c *Console) configFile(ctx context.Context) (configFileV1, error) {
	day := int64(24 * time.Hour)
	rs, err := c.Retention(ctx)
	if err != nil {
		return configFileV1{}, fmt.Errorf("read the retention settings: %w", err)
	}
	demo := c.demoStored(ctx)
	f := configFileV1{Version: ConfigFileVersion, Settings: &configSettingsV1{
		ClockSkew: c.ClockSkew(ctx).String(),
		Retention: &configRetentionV1{KeepRecordingsDays: int64(rs.Saved.KeepRecordings) / day,
			KeepEventsDays: int64(rs.Saved.KeepEvents) / day, RecorderCapMiB: rs.Saved.RecorderCap >> 20},
		DemoIdP: &demo,
	}}
	roles, err := c.store.ListRoles(ctx)
	if err != nil {
		return configFileV1{}, err
	}
	for _, r := range roles {
		f.Roles = append(f.Roles, configRoleV1{Name: r.Name, Description: r.Description})
	}
	idps, err := c.store.ListIdPs(ctx)
	if err != nil {
		return configFileV1{}, err
	}
	for _, idp := range idps {
		p := idpToFile(idp)
		if p.SCIM, err = c.scimToFile(ctx, idp.Slug); err != nil {
			return configFileV1{}, err
		}
		f.IdPs = append(f.IdPs, p)
	}
	return f, nil
}

// idpToFile is an IdP as a config document carries it.
func idpToFile(idp IdP) configIdPV1 {
	enabled := idp.Enabled
	p := configIdPV1{Slug: idp.Slug, DisplayName: idp.DisplayName, Enabled: &enabled,
		Security: &configSecurityV1{AllowIdPInitiated: ptr(idp.Security.AllowIdPInitiated), RejectSHA1: ptr(idp.Security.RejectSHA1),
			RequireSignedResponse: ptr(idp.Security.RequireSignedResponse), RequireSignedAssertion: ptr(idp.Security.RequireSignedAssertion)}}
	switch {
	case idp.MetadataSource == SourceDemo || idp.Slug == DemoSlug:
	case idp.MetadataURL != "":
		p.Metadata = &configMetadataV1{URL: idp.MetadataURL, EntityID: idp.EntityID}
	case idp.MetadataXML != "":
		p.Metadata = &configMetadataV1{XML: idp.MetadataXML}
	}
	if idp.RefreshEvery != 0 {
		p.RefreshInterval = idp.RefreshEvery.String()
	}
	m := mappingToFile(idp.Mapping.Normalized())
	p.Mapping = &m
	return p
}

// ptr is a pointer to a copy of v.
func ptr[T any](v T) *T { return &v }
