// SCIM user resources as JSON objects: PATCH operations on them, the
// account fields they carry, and filters turned into store queries.

package core

import (
	"encoding/json"
	"fmt"
	"strings"

	filter "github.com/scim2/filter-parser/v2"
)

// SCIM schema URNs.
const (
	scimUserSchema       = "urn:ietf:params:scim:schemas:core:2.0:User"
	scimEnterpriseSchema = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	scimListSchema       = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	scimErrorSchema      = "urn:ietf:params:scim:api:messages:2.0:Error"
	scimPatchSchema      = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
)

// scimObject is a SCIM resource as decoded JSON. Attribute names are
// case-insensitive (RFC 7643 §2.1): lookups go through key.
type scimObject map[string]any

// key returns the key of o that names attr (any case), or attr itself.
func (o scimObject) key(attr string) string {
	if _, ok := o[attr]; ok {
		return attr
	}
	for k := range o {
		if strings.EqualFold(k, attr) {
			return k
		}
	}
	return attr
}

func (o scimObject) get(attr string) any { return o[o.key(attr)] }

func (o scimObject) str(attr string) string {
	s, _ := o.get(attr).(string)
	return s
}

// sub returns the object under attr, made when make is true.
func (o scimObject) sub(attr string, create bool) scimObject {
	switch v := o.get(attr).(type) {
	case map[string]any:
		return v
	case scimObject:
		return v
	}
	if !create {
		return nil
	}
	m := scimObject{}
	o[o.key(attr)] = map[string]any(m)
	return m
}

// scimBool reads a SCIM boolean: true and false, or (Entra ID) the
// strings "True" and "False".
func scimBool(v any) (bool, bool) {
	switch b := v.(type) {
	case bool:
		return b, true
	case string:
		switch strings.ToLower(b) {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	}
	return false, false
}

// normalize strips what the server owns (id, meta) and any password,
// makes active a real boolean and checks the one attribute a user must
// have.
func (o scimObject) normalize() error {
	delete(o, o.key("id"))
	delete(o, o.key("meta"))
	delete(o, o.key("password")) // Okta may send one; the console never keeps it
	if v, present := o[o.key("active")]; present {
		b, ok := scimBool(v)
		if !ok {
			return scimErr(400, "invalidValue", "active must be true or false")
		}
		o[o.key("active")] = b
	}
	if strings.TrimSpace(o.str("userName")) == "" {
		return scimErr(400, "invalidValue", "userName is required")
	}
	return nil
}

// active is the user's active flag; absent means active.
func (o scimObject) active() bool {
	b, ok := scimBool(o.get("active"))
	return !ok || b
}

// primaryEmail is the email marked primary, else the first.
func (o scimObject) primaryEmail() string {
	list, _ := o.get("emails").([]any)
	first := ""
	for _, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			continue
		}
		v, _ := scimObject(m).get("value").(string)
		if p, _ := scimBool(scimObject(m).get("primary")); p && v != "" {
			return v
		}
		if first == "" {
			first = v
		}
	}
	return first
}

// record fills r's SCIM keys and account fields from o; keyField names
// the SCIM field that holds the SAML account key (the NameID).
func (o scimObject) record(r SCIMRecord, keyField string) (SCIMRecord, error) {
	raw, err := json.Marshal(o)
	if err != nil {
		return r, fmt.Errorf("encode SCIM user: %w", err)
	}
	r.Resource = raw
	r.UserName, r.ExternalID, r.Email, r.Active = o.str("userName"), o.str("externalId"), o.primaryEmail(), o.active()
	a := &r.Account
	a.Username, a.Email, a.DisplayName = r.UserName, r.Email, o.str("displayName")
	if name := o.sub("name", false); name != nil {
		a.GivenName, a.FamilyName = name.str("givenName"), name.str("familyName")
		if a.DisplayName == "" {
			a.DisplayName = name.str("formatted")
		}
		if a.DisplayName == "" {
			a.DisplayName = strings.TrimSpace(a.GivenName + " " + a.FamilyName)
		}
	}
	switch keyField {
	case "externalId":
		a.NameID = r.ExternalID
	case "emails":
		a.NameID = r.Email
	default:
		a.NameID = r.UserName
	}
	if a.NameID == "" {
		return r, scimErr(400, "invalidValue", fmt.Sprintf("%s is required: it is the SAML account key of this IdP", keyField))
	}
	return r, nil
}

// scimPatchOp is one operation of a PATCH request.
type scimPatchOp struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value any    `json:"value"`
}

// applyPatch applies ops to o in order. Op names are case-insensitive
// (Entra ID sends "Replace"). Paths: an attribute, attr.sub, an
// extension URN with attribute, and attr[filter].sub for multi-valued
// attributes (emails[type eq "work"].value); no path means the value is
// an object of attributes to add or replace.
func (o scimObject) applyPatch(ops []scimPatchOp) error {
	if len(ops) == 0 {
		return scimErr(400, "invalidSyntax", "PATCH needs at least one operation")
	}
	for _, op := range ops {
		kind := strings.ToLower(op.Op)
		if kind != "add" && kind != "replace" && kind != "remove" {
			return scimErr(400, "invalidSyntax", fmt.Sprintf("unknown PATCH op %q", op.Op))
		}
		if op.Path == "" {
			if kind == "remove" {
				return scimErr(400, "noTarget", "remove needs a path")
			}
			vals, ok := op.Value.(map[string]any)
			if !ok {
				return scimErr(400, "invalidValue", "an operation without a path needs an object value")
			}
			for k, v := range vals {
				if err := o.patchPath(kind, k, v); err != nil {
					return err
				}
			}
			continue
		}
		if err := o.patchPath(kind, op.Path, op.Value); err != nil {
			return err
		}
	}
	return nil
}

// patchPath applies one add, replace or remove at path.
func (o scimObject) patchPath(kind, path string, value any) error {
	p, err := filter.ParsePath([]byte(path))
	if err != nil {
		return scimErr(400, "invalidPath", fmt.Sprintf("cannot read the path %q", path))
	}
	target := o
	if uri := p.AttributePath.URI(); uri != "" && !strings.EqualFold(uri, scimUserSchema) {
		target = o.sub(uri, kind != "remove")
		if target == nil {
			return nil
		}
	}
	attr, sub := p.AttributePath.AttributeName, p.AttributePath.SubAttributeName()
	if p.ValueExpression != nil {
		return target.patchFiltered(kind, attr, p.ValueExpression, p.SubAttributeName(), value)
	}
	if sub != "" {
		inner := target.sub(attr, kind != "remove")
		if inner == nil {
			return nil
		}
		target, attr = inner, sub
	}
	if kind == "remove" {
		delete(target, target.key(attr))
		return nil
	}
	if m, ok := value.(map[string]any); ok && kind == "add" {
		// add merges into a complex attribute.
		into := target.sub(attr, true)
		for k, v := range m {
			into[into.key(k)] = v
		}
		return nil
	}
	if list, ok := value.([]any); ok && kind == "add" {
		if old, ok := target.get(attr).([]any); ok {
			value = append(old, list...)
		}
	}
	target[target.key(attr)] = value
	return nil
}

// patchFiltered applies an operation to the elements of the
// multi-valued attr that the filter selects (an eq on one attribute).
// add or replace with no element selected adds one.
func (o scimObject) patchFiltered(kind, attr string, expr filter.Expression, sub string, value any) error {
	ae, ok := expr.(*filter.AttributeExpression)
	if !ok || !strings.EqualFold(string(ae.Operator), "eq") {
		return scimErr(400, "invalidFilter", "only attr eq \"value\" filters are supported in PATCH paths")
	}
	want := fmt.Sprint(ae.CompareValue)
	list, _ := o.get(attr).([]any)
	var kept []any
	matched := false
	for _, e := range list {
		m, isObj := e.(map[string]any)
		if !isObj || !strings.EqualFold(fmt.Sprint(scimObject(m).get(ae.AttributePath.AttributeName)), want) {
			kept = append(kept, e)
			continue
		}
		matched = true
		switch {
		case kind == "remove" && sub == "":
			continue
		case kind == "remove":
			delete(m, scimObject(m).key(sub))
		case sub == "":
			if vm, ok := value.(map[string]any); ok {
				for k, v := range vm {
					m[scimObject(m).key(k)] = v
				}
			}
		default:
			m[scimObject(m).key(sub)] = value
		}
		kept = append(kept, m)
	}
	if !matched && kind != "remove" {
		m := map[string]any{ae.AttributePath.AttributeName: ae.CompareValue}
		if sub != "" {
			m[sub] = value
		} else if vm, ok := value.(map[string]any); ok {
			for k, v := range vm {
				m[k] = v
			}
		}
		kept = append(kept, m)
	}
	o[o.key(attr)] = kept
	return nil
}

// scimFilterQuery turns a filter into a store query: one or more eq
// comparisons on userName, externalId or emails.value (emails[value eq
// "..."] too), joined by and.
func scimFilterQuery(raw string) (SCIMQuery, error) {
	var q SCIMQuery
	if strings.TrimSpace(raw) == "" {
		return q, nil
	}
	expr, err := filter.ParseFilter([]byte(raw))
	if err != nil {
		return q, scimErr(400, "invalidFilter", fmt.Sprintf("cannot read the filter %q", raw))
	}
	unsupported := scimErr(400, "invalidFilter",
		"supported filters: userName, externalId or emails.value eq \"value\", joined by and")
	var walk func(filter.Expression) error
	walk = func(e filter.Expression) error {
		switch e := e.(type) {
		case *filter.LogicalExpression:
			if e.Operator != filter.AND {
				return unsupported
			}
			if err := walk(e.Left); err != nil {
				return err
			}
			return walk(e.Right)
		case *filter.ValuePath:
			inner, ok := e.ValueFilter.(*filter.AttributeExpression)
			if !ok || !strings.EqualFold(e.AttributePath.AttributeName, "emails") || !strings.EqualFold(inner.AttributePath.AttributeName, "value") {
				return unsupported
			}
			return setTerm(&q, "emails.value", inner, unsupported)
		case *filter.AttributeExpression:
			name := e.AttributePath.AttributeName
			if s := e.AttributePath.SubAttributeName(); s != "" {
				name += "." + s
			}
			return setTerm(&q, name, e, unsupported)
		}
		return unsupported
	}
	return q, walk(expr)
}

func setTerm(q *SCIMQuery, name string, e *filter.AttributeExpression, unsupported error) error {
	v, ok := e.CompareValue.(string)
	if !ok || !strings.EqualFold(string(e.Operator), "eq") {
		return unsupported
	}
	switch strings.ToLower(name) {
	case "username":
		q.UserName = v
	case "externalid":
		q.ExternalID = v
	case "emails.value", "emails":
		q.Email = v
	default:
		return unsupported
	}
	return nil
}
