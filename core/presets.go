// Mapping presets: the attribute names of common IdPs.

package core

import (
	"sort"
	"strings"
)

// Preset is a field mapping that fits one IdP product's attribute names.
type Preset struct {
	Name   string // e.g. "Entra ID / ADFS"
	Fields map[string]FieldSource
	// markers are attribute names only this product sends, and entity ID
	// fragments of its metadata, used to suggest it.
	attrMarkers   []string
	entityMarkers []string
}

const (
	msClaims  = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/"
	msClaims8 = "http://schemas.microsoft.com/ws/2008/06/identity/claims/"
	msClaimsI = "http://schemas.microsoft.com/identity/claims/"
)

func attrs(names ...string) FieldSource { return FieldSource{Attributes: names} }

// Presets lists the built-in presets.
var Presets = []Preset{
	{Name: "Entra ID / ADFS", Fields: map[string]FieldSource{
		FieldUsername:    {Attributes: []string{msClaims + "name", msClaims + "upn"}, Transforms: []Transform{{Kind: TransformBeforeAt}}},
		FieldEmail:       attrs(msClaims+"emailaddress", msClaims+"upn"),
		FieldDisplayName: attrs(msClaimsI+"displayname", msClaims+"name"),
		FieldGivenName:   attrs(msClaims + "givenname"),
		FieldFamilyName:  attrs(msClaims + "surname"),
		FieldGroups:      attrs(msClaims8+"groups", msClaims8+"role"),
	}, attrMarkers: []string{msClaims, msClaims8, msClaimsI}, entityMarkers: []string{"sts.windows.net", "login.microsoftonline.com", "/adfs/"}},
	{Name: "Okta", Fields: map[string]FieldSource{
		FieldUsername:    {Attributes: []string{"login", "email"}, Transforms: []Transform{{Kind: TransformBeforeAt}}},
		FieldEmail:       attrs("email"),
		FieldDisplayName: attrs("displayName", "name"),
		FieldGivenName:   attrs("firstName"),
		FieldFamilyName:  attrs("lastName"),
		FieldGroups:      attrs("groups"),
	}, attrMarkers: []string{"firstName", "lastName", "login"}, entityMarkers: []string{"okta.com", "oktapreview.com", "exk"}},
	{Name: "Google Workspace", Fields: map[string]FieldSource{
		FieldUsername:    {NameID: true, Transforms: []Transform{{Kind: TransformBeforeAt}}},
		FieldEmail:       {NameID: true},
		FieldDisplayName: attrs("name", "displayName"),
		FieldGivenName:   attrs("first_name", "firstName"),
		FieldFamilyName:  attrs("last_name", "lastName"),
		FieldGroups:      attrs("groups", "Groups"),
	}, attrMarkers: []string{"first_name", "last_name"}, entityMarkers: []string{"accounts.google.com"}},
	{Name: "Keycloak", Fields: map[string]FieldSource{
		FieldUsername:    attrs("username", "preferred_username"),
		FieldEmail:       attrs("email"),
		FieldDisplayName: attrs("name"),
		FieldGivenName:   attrs("firstName", "given_name"),
		FieldFamilyName:  attrs("lastName", "family_name"),
		FieldGroups:      attrs("groups", "Role", "member"),
	}, attrMarkers: []string{"preferred_username", "Role"}, entityMarkers: []string{"/realms/"}},
	{Name: "OneLogin", Fields: map[string]FieldSource{
		FieldUsername:    {Attributes: []string{"User.Username", "User.email"}, Transforms: []Transform{{Kind: TransformBeforeAt}}},
		FieldEmail:       attrs("User.email"),
		FieldDisplayName: attrs("User.DisplayName"),
		FieldGivenName:   attrs("User.FirstName"),
		FieldFamilyName:  attrs("User.LastName"),
		FieldGroups:      attrs("memberOf", "MemberOf"),
	}, attrMarkers: []string{"User.email", "User.FirstName", "User.LastName"}, entityMarkers: []string{"onelogin.com"}},
	{Name: "JumpCloud", Fields: map[string]FieldSource{
		FieldUsername:    attrs("username", "uid"),
		FieldEmail:       attrs("email"),
		FieldDisplayName: attrs("displayname", "displayName"),
		FieldGivenName:   attrs("firstname"),
		FieldFamilyName:  attrs("lastname"),
		FieldGroups:      attrs("memberOf", "groups"),
	}, attrMarkers: []string{"firstname", "lastname"}, entityMarkers: []string{"jumpcloud"}},
	{Name: "SimpleSAMLphp / eduPerson", Fields: map[string]FieldSource{
		FieldUsername:    attrs("uid", "urn:oid:0.9.2342.19200300.100.1.1", "eduPersonPrincipalName", "urn:oid:1.3.6.1.4.1.5923.1.1.1.6"),
		FieldEmail:       attrs("mail", "urn:oid:0.9.2342.19200300.100.1.3", "email"),
		FieldDisplayName: attrs("displayName", "urn:oid:2.16.840.1.113730.3.1.241", "cn", "urn:oid:2.5.4.3"),
		FieldGivenName:   attrs("givenName", "urn:oid:2.5.4.42"),
		FieldFamilyName:  attrs("sn", "urn:oid:2.5.4.4"),
		FieldGroups:      attrs("groups", "eduPersonAffiliation", "urn:oid:1.3.6.1.4.1.5923.1.1.1.1", "isMemberOf", "urn:oid:1.3.6.1.4.1.5923.1.5.1.1", "memberOf"),
	}, attrMarkers: []string{"urn:oid:", "eduPersonAffiliation", "eduPersonPrincipalName"}, entityMarkers: []string{"simplesaml", "/saml2/idp/metadata.php"}},
	{Name: "JIT Console demo IdP", Fields: map[string]FieldSource{
		FieldUsername: attrs("uid"), FieldEmail: attrs("email"), FieldDisplayName: attrs("displayName"),
		FieldGivenName: attrs("givenName"), FieldFamilyName: attrs("sn"), FieldGroups: attrs("groups"),
	}, entityMarkers: []string{"/demo-idp/metadata"}},
}

// PresetNamed returns the preset called name.
func PresetNamed(name string) (Preset, bool) {
	for _, p := range Presets {
		if p.Name == name {
			return p, true
		}
	}
	return Preset{}, false
}

// SuggestPreset names the preset that best fits an IdP, from its entity
// ID and, when known, the attribute names of a recorded login. It returns
// "" when nothing points anywhere.
func SuggestPreset(entityID string, attributeNames []string) string {
	type score struct {
		name string
		n    int
	}
	var scores []score
	for _, p := range Presets {
		n := 0
		for _, m := range p.entityMarkers {
			if strings.Contains(strings.ToLower(entityID), strings.ToLower(m)) {
				n += 3
			}
		}
		for _, a := range attributeNames {
			for _, m := range p.attrMarkers {
				if strings.HasPrefix(a, m) || a == m {
					n++
					break
				}
			}
		}
		if n > 0 {
			scores = append(scores, score{p.Name, n})
		}
	}
	if len(scores) == 0 {
		return ""
	}
	sort.SliceStable(scores, func(i, j int) bool { return scores[i].n > scores[j].n })
	return scores[0].name
}

// WithPreset returns the mapping with its field mapping replaced by the
// preset's; rules and policies stay.
func (m Mapping) WithPreset(p Preset) Mapping {
	m.Fields = map[string]FieldSource{}
	for k, v := range p.Fields {
		m.Fields[k] = v
	}
	m.UsernameAttrs, m.EmailAttrs, m.DisplayNameAttrs, m.GroupsAttrs = nil, nil, nil, nil
	return m
}
