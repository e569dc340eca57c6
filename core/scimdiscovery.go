// The SCIM discovery endpoints: ServiceProviderConfig, ResourceTypes and
// Schemas (RFC 7644 §4), which say what this service provider supports.

package core

import (
	"fmt"
	"net/http"
)

func (c *Console) scimDiscovery(w http.ResponseWriter, _ *http.Request, slug, resource, id string) error {
	base := fmt.Sprintf("%s/scim/%s/v2", c.BaseURL(), slug)
	switch resource {
	case "ServiceProviderConfig":
		writeSCIMJSON(w, http.StatusOK, map[string]any{
			"schemas":          []string{"urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"},
			"documentationUri": "https://datatracker.ietf.org/doc/html/rfc7644",
			"patch":            map[string]any{"supported": true},
			"bulk":             map[string]any{"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
			"filter":           map[string]any{"supported": true, "maxResults": scimMaxCount},
			"changePassword":   map[string]any{"supported": false},
			"sort":             map[string]any{"supported": false},
			"etag":             map[string]any{"supported": false},
			"authenticationSchemes": []map[string]any{{
				"type": "oauthbearertoken", "name": "Bearer token", "primary": true,
				"description": "The per-IdP token the console makes (shown once)."}},
			"meta": map[string]any{"resourceType": "ServiceProviderConfig", "location": base + "/ServiceProviderConfig"},
		})
	case "ResourceTypes":
		user := map[string]any{
			"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:ResourceType"},
			"id":      "User", "name": "User", "endpoint": "/Users", "schema": scimUserSchema,
			"schemaExtensions": []map[string]any{{"schema": scimEnterpriseSchema, "required": false}},
			"meta":             map[string]any{"resourceType": "ResourceType", "location": base + "/ResourceTypes/User"},
		}
		return writeSCIMListOrOne(w, id, "User", user)
	case "Schemas":
		attr := func(name, typ string, required bool, uniqueness string) map[string]any {
			return map[string]any{"name": name, "type": typ, "multiValued": false, "required": required,
				"caseExact": false, "mutability": "readWrite", "returned": "default", "uniqueness": uniqueness}
		}
		user := map[string]any{
			"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:Schema"},
			"id":      scimUserSchema, "name": "User", "description": "User Account",
			"attributes": []map[string]any{
				attr("userName", "string", true, "server"), attr("externalId", "string", false, "none"),
				attr("displayName", "string", false, "none"), attr("active", "boolean", false, "none"),
				{"name": "name", "type": "complex", "multiValued": false, "required": false,
					"subAttributes": []map[string]any{attr("givenName", "string", false, "none"), attr("familyName", "string", false, "none"), attr("formatted", "string", false, "none")}},
				{"name": "emails", "type": "complex", "multiValued": true, "required": false,
					"subAttributes": []map[string]any{attr("value", "string", false, "none"), attr("type", "string", false, "none"), attr("primary", "boolean", false, "none")}},
			},
			"meta": map[string]any{"resourceType": "Schema", "location": base + "/Schemas/" + scimUserSchema},
		}
		enterprise := map[string]any{
			"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:Schema"},
			"id":      scimEnterpriseSchema, "name": "EnterpriseUser", "description": "Enterprise User",
			"attributes": []map[string]any{
				attr("employeeNumber", "string", false, "none"), attr("department", "string", false, "none"),
				attr("organization", "string", false, "none"), attr("division", "string", false, "none"),
				{"name": "manager", "type": "complex", "multiValued": false, "required": false,
					"subAttributes": []map[string]any{attr("value", "string", false, "none"), attr("displayName", "string", false, "none")}},
			},
			"meta": map[string]any{"resourceType": "Schema", "location": base + "/Schemas/" + scimEnterpriseSchema},
		}
		return writeSCIMSchemas(w, id, user, enterprise)
	}
	return nil
}

// writeSCIMListOrOne answers a discovery request: the one resource when
// id names it, a list of it when id is empty, 404 otherwise.
func writeSCIMListOrOne(w http.ResponseWriter, id, name string, v map[string]any) error {
	switch id {
	case "":
		writeSCIMJSON(w, http.StatusOK, map[string]any{"schemas": []string{scimListSchema},
			"totalResults": 1, "startIndex": 1, "itemsPerPage": 1, "Resources": []any{v}})
	case name:
		writeSCIMJSON(w, http.StatusOK, v)
	default:
		return scimErr(http.StatusNotFound, "", "no such resource: "+id)
	}
	return nil
}

// writeSCIMSchemas answers /Schemas: the list of schemas, or the one id
// names, 404 for another.
func writeSCIMSchemas(w http.ResponseWriter, id string, schemas ...map[string]any) error {
	if id == "" {
		list := make([]any, len(schemas))
		for i, s := range schemas {
			list[i] = s
		}
		writeSCIMJSON(w, http.StatusOK, map[string]any{"schemas": []string{scimListSchema},
			"totalResults": len(list), "startIndex": 1, "itemsPerPage": len(list), "Resources": list})
		return nil
	}
	for _, s := range schemas {
		if s["id"] == id {
			writeSCIMJSON(w, http.StatusOK, s)
			return nil
		}
	}
	return scimErr(http.StatusNotFound, "", "no such schema: "+id)
}
