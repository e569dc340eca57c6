// An IdP's SCIM settings in the config document: which SCIM field holds
// the SAML account key, and the SCIM-to-attribute map. The SCIM token
// never goes into a document: it is shown once and stored hashed.

package core

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
)

// ConfigSCIM is an IdP's SCIM settings in a config document; an empty
// AccountKey or a nil Attributes is "not named" (the stored value stays).
type ConfigSCIM struct {
	AccountKey string
	Attributes []SCIMAttribute
}

type configSCIMV1 struct {
	AccountKey string                  `json:"account_key,omitempty"`
	Attributes []configSCIMAttributeV1 `json:"attributes,omitempty"`
}

type configSCIMAttributeV1 struct {
	Attribute string `json:"attribute"`
	Path      string `json:"path"`
}

// toConfig checks the SCIM settings of the IdP at path.
func (s configSCIMV1) toConfig(path string, lines map[string]int) (ConfigSCIM, error) {
	out := ConfigSCIM{AccountKey: s.AccountKey}
	switch s.AccountKey {
	case "", "userName", "externalId", "emails":
	default:
		return ConfigSCIM{}, configError(lines, path+".account_key", "%q is not a SCIM account key field: use userName, externalId or emails", s.AccountKey)
	}
	for _, a := range s.Attributes {
		out.Attributes = append(out.Attributes, SCIMAttribute(a))
	}
	if err := ValidateSCIMAttributes(out.Attributes); err != nil {
		return ConfigSCIM{}, configError(lines, path+".attributes", "%s", ErrorMessage(err))
	}
	return out, nil
}

// scimToFile is the IdP's SCIM settings as a document carries them: the
// account key field and the attribute map in effect (defaults included).
func (c *Console) scimToFile(ctx context.Context, slug string) (*configSCIMV1, error) {
	m, err := c.SCIMAttributeMap(ctx, slug)
	if err != nil {
		return nil, err
	}
	out := &configSCIMV1{AccountKey: c.scimKeyField(ctx, slug)}
	for _, a := range m {
		out.Attributes = append(out.Attributes, configSCIMAttributeV1(a))
	}
	return out, nil
}

// scim plans the SCIM settings d names that differ from those in effect.
func (p *planner) scim(ctx context.Context, d ConfigIdP) error {
	if d.SCIM == nil {
		return nil
	}
	set := func(field, key, from, to, value string) {
		p.add(ConfigPlanLine{Op: OpChange, What: "idp", Name: d.Slug, Detail: "scim." + field},
			&ConfigChange{Kind: ConfigSetSetting, Name: key, Value: value,
				Audit: Event{Kind: EventAdminChange, IdPSlug: d.Slug, Subject: p.by,
					Message: fmt.Sprintf("SCIM %s of %s changed by %s (config apply)", field, d.Slug, byWhom(p.by)),
					Detail:  fmt.Sprintf("scim.%s: %s → %s", field, from, to)}})
	}
	if key, old := d.SCIM.AccountKey, p.c.scimKeyField(ctx, d.Slug); key != "" && key != old {
		set("account_key", scimKeySetting(d.Slug), old, key, key)
	}
	if d.SCIM.Attributes == nil {
		return nil
	}
	old, err := p.c.SCIMAttributeMap(ctx, d.Slug)
	if err != nil {
		return err
	}
	if reflect.DeepEqual(old, d.SCIM.Attributes) {
		return nil
	}
	from, _ := json.Marshal(old)
	to, _ := json.Marshal(d.SCIM.Attributes)
	value := string(to)
	if reflect.DeepEqual(d.SCIM.Attributes, DefaultSCIMAttributes()) {
		value = "" // the defaults, which follow the console's
	}
	set("attributes", scimAttrMapSetting(d.Slug), string(from), string(to), value)
	return nil
}
