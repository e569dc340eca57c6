// SCIM users through the IdP's mapping: the per-IdP map from SCIM fields
// to the attribute names the IdP's rules read, and the account fields
// and role grants the mapping gives a SCIM resource, exactly as it gives
// them to an assertion (Mapping.Evaluate).

package core

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// SCIMAttribute says which SCIM field feeds one attribute name the IdP's
// mapping reads: Path is a SCIM attribute path such as userName,
// name.givenName, emails[primary].value, groups.display or an extension
// URN with its attribute
// (urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department).
// A multi-valued path (groups.display) gives every value.
type SCIMAttribute struct {
	Attribute string `json:"attribute"`
	Path      string `json:"path"`
}

// DefaultSCIMAttributes is the map an IdP has until an admin sets one:
// the SCIM core and enterprise fields under the attribute names the
// default mapping (and most SAML IdPs) use, so rules written for the
// assertion read the same names from SCIM.
func DefaultSCIMAttributes() []SCIMAttribute {
	return []SCIMAttribute{
		{"username", "userName"},
		{"email", "emails[primary].value"},
		{"displayName", "displayName"},
		{"givenName", "name.givenName"},
		{"sn", "name.familyName"},
		{"title", "title"},
		{"department", scimEnterpriseSchema + ":department"},
		{"manager", scimEnterpriseSchema + ":manager.value"},
		{"groups", "groups.display"},
	}
}

func scimAttrMapSetting(slug string) string { return "scim.attribute_map." + slug }

// SCIMAttributeMap returns the IdP's SCIM-to-attribute map: the one set
// with SetSCIMAttributeMap, else DefaultSCIMAttributes.
func (c *Console) SCIMAttributeMap(ctx context.Context, slug string) ([]SCIMAttribute, error) {
	v, err := c.store.GetSetting(ctx, scimAttrMapSetting(slug))
	if err != nil && ErrorCode(err) != ENOTFOUND {
		return nil, fmt.Errorf("read the SCIM attribute map of %s: %w", slug, err)
	}
	if v == "" {
		return DefaultSCIMAttributes(), nil
	}
	var m []SCIMAttribute
	if err := json.Unmarshal([]byte(v), &m); err != nil {
		return nil, fmt.Errorf("read the SCIM attribute map of %s: %w", slug, err)
	}
	return m, nil
}

// SetSCIMAttributeMap makes m the IdP's SCIM-to-attribute map (in place
// of the defaults, whole); an empty m restores DefaultSCIMAttributes.
// Each entry needs an attribute name, used once, and a path.
func (c *Console) SetSCIMAttributeMap(ctx context.Context, slug string, m []SCIMAttribute) error {
	if err := ValidateSCIMAttributes(m); err != nil {
		return err
	}
	if _, err := c.store.GetIdP(ctx, slug); err != nil {
		return err
	}
	v := ""
	if len(m) > 0 {
		data, err := json.Marshal(m)
		if err != nil {
			return fmt.Errorf("encode the SCIM attribute map: %w", err)
		}
		v = string(data)
	}
	return c.store.SetSetting(ctx, scimAttrMapSetting(slug), v)
}

// ValidateSCIMAttributes checks a SCIM-to-attribute map: every entry has
// an attribute name (each used once) and a path of the forms
// SCIMAttribute describes.
func ValidateSCIMAttributes(m []SCIMAttribute) error {
	seen := map[string]bool{}
	for i, a := range m {
		name := strings.TrimSpace(a.Attribute)
		if name == "" || strings.TrimSpace(a.Path) == "" {
			return Errorf(EINVALID, "Entry %d of the SCIM attribute map needs both an attribute name and a SCIM path.", i+1)
		}
		if seen[strings.ToLower(name)] {
			return Errorf(EINVALID, "The SCIM attribute map names the attribute %q twice; keep one.", name)
		}
		seen[strings.ToLower(name)] = true
		if _, _, _, err := splitSCIMPath(a.Path); err != nil {
			return err
		}
	}
	return nil
}

// splitSCIMPath splits a path into its extension URN (or ""), attribute,
// value selector ("primary" or "") and sub-attribute (or "").
func splitSCIMPath(path string) (urn, attr, sub string, err error) {
	path = strings.TrimSpace(path)
	if strings.HasPrefix(strings.ToLower(path), "urn:") {
		i := strings.LastIndex(path, ":")
		urn, path = path[:i], path[i+1:]
	}
	attr, sub, _ = strings.Cut(path, ".")
	base := strings.TrimSuffix(strings.ToLower(attr), "[primary]")
	if base == "" || strings.ContainsAny(base, "[]") || strings.ContainsAny(sub, ".[]") {
		return "", "", "", Errorf(EINVALID, "The SCIM path %q is not one the console reads: use attr, attr.sub, attr[primary].sub or an extension URN with its attribute.", path)
	}
	return urn, attr, sub, nil
}

// values returns every value path selects in o, as strings.
func (o scimObject) values(path string) []string {
	urn, attr, sub, err := splitSCIMPath(path)
	if err != nil {
		return nil
	}
	src := o
	if urn != "" {
		if src = o.sub(urn, false); src == nil {
			return nil
		}
	}
	primaryOnly := strings.HasSuffix(strings.ToLower(attr), "[primary]")
	if primaryOnly {
		attr = attr[:len(attr)-len("[primary]")]
	}
	var out []string
	add := func(v any) {
		switch s := v.(type) {
		case string:
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		case bool, float64:
			out = append(out, fmt.Sprint(s))
		}
	}
	pick := func(v any) {
		if sub == "" {
			add(v)
		} else if m, ok := v.(map[string]any); ok {
			add(scimObject(m).get(sub))
		}
	}
	switch v := src.get(attr).(type) {
	case []any:
		if primaryOnly {
			chosen := any(nil)
			for _, e := range v {
				if m, ok := e.(map[string]any); ok {
					if p, _ := scimBool(scimObject(m).get("primary")); p {
						chosen = e
						break
					}
				}
			}
			if chosen == nil && len(v) > 0 {
				chosen = v[0]
			}
			pick(chosen)
			break
		}
		for _, e := range v {
			pick(e)
		}
	default:
		pick(v)
	}
	return out
}

// attributes turns o into the attributes the IdP's rules read, by m.
func (o scimObject) attributes(m []SCIMAttribute) Attributes {
	attrs := Attributes{}
	for _, a := range m {
		if vs := o.values(a.Path); len(vs) > 0 {
			attrs[a.Attribute] = vs
		}
	}
	return attrs
}

// scimMap evaluates the IdP's mapping on o (keyed by nameID) and puts the
// fields and rule and default grants it computes into r: the same fields
// and grants a sign-in with these attributes would give, with the same
// provenance. A mapping that would deny the sign-in grants nothing; note
// says so for the event.
func (c *Console) scimMap(ctx context.Context, slug string, o scimObject, r SCIMRecord, at time.Time) (SCIMRecord, string, error) {
	idp, err := c.store.GetIdP(ctx, slug)
	if err != nil {
		return r, "", err
	}
	m, err := c.SCIMAttributeMap(ctx, slug)
	if err != nil {
		return r, "", err
	}
	ev := idp.Mapping.Evaluate(r.Account.NameID, o.attributes(m), nil)
	f := ev.Fields
	a := &r.Account
	a.Username, a.Email, a.DisplayName, a.GivenName, a.FamilyName = f.Username, f.Email, f.DisplayName, f.GivenName, f.FamilyName
	r.ReplaceGrants = true
	note := ""
	if ev.Deny {
		r.Grants = []RoleGrant{}
		note = "; the mapping would refuse this person's sign-in (" + ev.Reason + "), so it grants no role"
	} else {
		r.Grants = loginGrants(f.Roles, slug, at)
	}
	return r, note, nil
}
