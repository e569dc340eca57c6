// The config document: the whole console as code (config export and
// config apply). Like the rules file, its format is a versioned contract
// of its own, defined by the configFileV1 types below (an IdP's mapping is
// the rules file's rulesMappingV1), not by the stored types. It is read
// from YAML or JSON (JSON is YAML) through a walk over the YAML tree that
// knows the file types, so that every error names its path in the
// document ("idps[1].mapping.role_rules[0].conditions[0].value") and its
// line.

package core

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// ConfigFileVersion is the version of the config document that
// ExportConfig writes and ParseConfigDocument reads.
const ConfigFileVersion = 1

// ConfigDocument is the whole console's configuration as a document: the
// role catalogue, every IdP connection with its mapping, and the global
// settings. What a parsed document leaves out (a nil setting, an IdP or a
// role it does not name) config apply leaves alone, unless it prunes.
type ConfigDocument struct {
	Version  int
	Settings ConfigSettings
	Roles    []ConfigRole
	IdPs     []ConfigIdP
	// lines maps a path in the document to its line, for errors.
	lines map[string]int
}

// ConfigSettings are the global settings of a config document; nil means
// "not named".
type ConfigSettings struct {
	ClockSkew      *time.Duration
	KeepRecordings *time.Duration
	KeepEvents     *time.Duration
	RecorderCap    *int64
	DemoIdP        *bool
}

// ConfigRole is a role of the catalogue.
type ConfigRole struct {
	Name        string
	Description string
}

// ConfigIdP is an IdP connection in a config document. What it leaves
// out keeps the stored value (a new IdP gets the default): metadata comes
// from MetadataURL (fetched, then refreshed every RefreshEvery) or
// MetadataXML, both empty keeping the stored metadata (the demo IdP's is
// always the console's own); an empty DisplayName keeps the stored one (a
// new IdP is named from its metadata); a nil Mapping keeps the stored
// mapping (a new IdP gets DefaultMapping); nil switches keep theirs (a new
// IdP is enabled, with IdPSecurity's zero value).
type ConfigIdP struct {
	Slug         string
	DisplayName  string
	Enabled      *bool
	MetadataURL  string
	EntityID     string // picks one entity of an aggregate at MetadataURL
	MetadataXML  string
	RefreshEvery *time.Duration
	Security     ConfigSecurity
	Mapping      *Mapping
	// SCIM is the IdP's SCIM settings (nil: not named); never its token.
	SCIM *ConfigSCIM
}

// ConfigSecurity are the IdPSecurity switches a document names (nil: not
// named).
type ConfigSecurity struct {
	AllowIdPInitiated, RejectSHA1, RequireSignedResponse, RequireSignedAssertion *bool
}

// apply sets the switches s names in sec.
func (s ConfigSecurity) apply(sec IdPSecurity) IdPSecurity {
	for _, f := range []struct {
		from *bool
		to   *bool
	}{
		{s.AllowIdPInitiated, &sec.AllowIdPInitiated}, {s.RejectSHA1, &sec.RejectSHA1},
		{s.RequireSignedResponse, &sec.RequireSignedResponse}, {s.RequireSignedAssertion, &sec.RequireSignedAssertion},
	} {
		if f.from != nil {
			*f.to = *f.from
		}
	}
	return sec
}

// configFileV1 is version 1 of the config document. Changing its names
// changes a public format, and needs a new version.
type configFileV1 struct {
	Version  int               `json:"version"`
	Settings *configSettingsV1 `json:"settings,omitempty"`
	Roles    []configRoleV1    `json:"roles,omitempty"`
	IdPs     []configIdPV1     `json:"idps,omitempty"`
}

type configSettingsV1 struct {
	ClockSkew string             `json:"clock_skew,omitempty"`
	Retention *configRetentionV1 `json:"retention,omitempty"`
	DemoIdP   *bool              `json:"demo_idp,omitempty"`
}

type configRetentionV1 struct {
	KeepRecordingsDays int64 `json:"keep_recordings_days,omitempty"`
	KeepEventsDays     int64 `json:"keep_events_days,omitempty"`
	RecorderCapMiB     int64 `json:"recorder_cap_mib,omitempty"`
}

type configRoleV1 struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

type configIdPV1 struct {
	Slug            string            `json:"slug"`
	DisplayName     string            `json:"display_name,omitempty"`
	Enabled         *bool             `json:"enabled,omitempty"`
	Metadata        *configMetadataV1 `json:"metadata,omitempty"`
	RefreshInterval string            `json:"refresh_interval,omitempty"`
	Security        *configSecurityV1 `json:"security,omitempty"`
	Mapping         *rulesMappingV1   `json:"mapping,omitempty"`
	SCIM            *configSCIMV1     `json:"scim,omitempty"`
}

type configMetadataV1 struct {
	URL      string `json:"url,omitempty"`
	EntityID string `json:"entity_id,omitempty"`
	XML      string `json:"xml,omitempty"`
}

type configSecurityV1 struct {
	AllowIdPInitiated      *bool `json:"allow_idp_initiated,omitempty"`
	RejectSHA1             *bool `json:"reject_sha1,omitempty"`
	RequireSignedResponse  *bool `json:"require_signed_response,omitempty"`
	RequireSignedAssertion *bool `json:"require_signed_assertion,omitempty"`
}

// ConfigError is an invalid config document: the path in the document,
// its line (0 when unknown) and what is wrong.
type ConfigError struct {
	Path    string
	Line    int
	Message string
}

// Error implements error.
func (e *ConfigError) Error() string {
	s := e.Message
	if e.Path != "" {
		s = e.Path + ": " + s
	}
	if e.Line > 0 {
		s += fmt.Sprintf(" (line %d)", e.Line)
	}
	return s
}

// configError is an EINVALID *Error for path, at its line in lines.
func configError(lines map[string]int, path, format string, args ...any) error {
	ce := &ConfigError{Path: path, Line: lineOf(lines, path), Message: fmt.Sprintf(format, args...)}
	return &Error{Code: EINVALID, Message: ce.Error(), Err: ce}
}

// lineOf is the line of path, or of its nearest parent that has one.
func lineOf(lines map[string]int, path string) int {
	for path != "" {
		if l, ok := lines[path]; ok {
			return l
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return lines[""]
}

// ParseConfigDocument reads a config document (YAML or JSON) and checks
// everything that needs no store: unknown fields, types, the version,
// durations and limits, slugs, duplicates, metadata given both ways, and
// each mapping. Errors are *Error values with code EINVALID whose message
// names the path in the document and its line.
func ParseConfigDocument(data []byte) (ConfigDocument, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return ConfigDocument{}, &Error{Code: EINVALID, Err: err,
			Message: "The config document is not valid YAML or JSON: " + strings.TrimPrefix(firstLine(err), "yaml: ")}
	}
	if root.Kind == 0 || len(root.Content) == 0 {
		return ConfigDocument{}, Errorf(EINVALID, "The config document is empty; it needs at least \"version: %d\".", ConfigFileVersion)
	}
	w := configWalk{lines: map[string]int{}}
	generic, err := w.value(root.Content[0], reflect.TypeOf(configFileV1{}), "")
	if err != nil {
		return ConfigDocument{}, err
	}
	b, err := json.Marshal(generic)
	if err != nil {
		return ConfigDocument{}, fmt.Errorf("re-encode the config document: %w", err)
	}
	var f configFileV1
	if err := json.Unmarshal(b, &f); err != nil {
		return ConfigDocument{}, &Error{Code: EINVALID, Err: err, Message: "The config document does not fit its format: " + firstLine(err)}
	}
	return f.toDocument(w.lines)
}

// toDocument checks f and converts it.
func (f configFileV1) toDocument(lines map[string]int) (ConfigDocument, error) {
	fail := func(path, format string, args ...any) (ConfigDocument, error) {
		return ConfigDocument{}, configError(lines, path, format, args...)
	}
	if f.Version != ConfigFileVersion {
		return fail("version", "unsupported version %d (this console reads version %d)", f.Version, ConfigFileVersion)
	}
	doc := ConfigDocument{Version: f.Version, lines: lines}
	if s := f.Settings; s != nil {
		if s.ClockSkew != "" {
			d, err := time.ParseDuration(s.ClockSkew)
			if err != nil {
				return fail("settings.clock_skew", "invalid duration %q (write it as 3m or 90s)", s.ClockSkew)
			}
			if d < 0 || d > 30*time.Minute {
				return fail("settings.clock_skew", "%s is out of range: the allowed clock skew is 0 to 30 minutes", d)
			}
			doc.Settings.ClockSkew = &d
		}
		if r := s.Retention; r != nil {
			day := 24 * time.Hour
			for _, k := range []struct {
				name string
				days int64
				into **time.Duration
				what string
			}{
				{"keep_recordings_days", r.KeepRecordingsDays, &doc.Settings.KeepRecordings, "Flight recorder entries"},
				{"keep_events_days", r.KeepEventsDays, &doc.Settings.KeepEvents, "Events and sign-ins"},
			} {
				if k.days == 0 {
					continue
				}
				d := time.Duration(k.days) * day
				if k.days < 0 || k.days > int64(MaxKeep/day) {
					return fail("settings.retention."+k.name, "%d is out of range: 1 to %d days", k.days, int64(MaxKeep/day))
				}
				*k.into = &d
			}
			if r.RecorderCapMiB != 0 {
				n := r.RecorderCapMiB << 20
				if r.RecorderCapMiB < 0 || ValidateRecorderCap(n) != nil {
					return fail("settings.retention.recorder_cap_mib", "%d is out of range: 1 to %d MiB", r.RecorderCapMiB, MaxRecorderCap>>20)
				}
				doc.Settings.RecorderCap = &n
			}
		}
		doc.Settings.DemoIdP = s.DemoIdP
	}
	seenRole := map[string]int{}
	for i, r := range f.Roles {
		path := fmt.Sprintf("roles[%d]", i)
		name := strings.TrimSpace(r.Name)
		if name == "" {
			return fail(path+".name", "a role needs a name")
		}
		if j, dup := seenRole[name]; dup {
			return fail(path+".name", "duplicate role %q (roles[%d] names it too)", name, j)
		}
		seenRole[name] = i
		doc.Roles = append(doc.Roles, ConfigRole{Name: name, Description: strings.TrimSpace(r.Description)})
	}
	seenIdP := map[string]int{}
	for i, p := range f.IdPs {
		idp, err := p.toIdP(fmt.Sprintf("idps[%d]", i), lines)
		if err != nil {
			return ConfigDocument{}, err
		}
		if j, dup := seenIdP[idp.Slug]; dup {
			return fail(fmt.Sprintf("idps[%d].slug", i), "duplicate slug %q (idps[%d] has it too)", idp.Slug, j)
		}
		seenIdP[idp.Slug] = i
		doc.IdPs = append(doc.IdPs, idp)
	}
	return doc, nil
}

// toIdP checks one IdP of the document, at path.
func (p configIdPV1) toIdP(path string, lines map[string]int) (ConfigIdP, error) {
	fail := func(sub, format string, args ...any) (ConfigIdP, error) {
		return ConfigIdP{}, configError(lines, path+sub, format, args...)
	}
	idp := ConfigIdP{Slug: strings.TrimSpace(p.Slug), DisplayName: strings.TrimSpace(p.DisplayName), Enabled: p.Enabled}
	if err := ValidateSlug(idp.Slug); err != nil {
		return fail(".slug", "%s", ErrorMessage(err))
	}
	if m := p.Metadata; m != nil {
		idp.MetadataURL, idp.EntityID, idp.MetadataXML = strings.TrimSpace(m.URL), strings.TrimSpace(m.EntityID), strings.TrimSpace(m.XML)
		switch {
		case idp.Slug == DemoSlug && (idp.MetadataURL != "" || idp.MetadataXML != ""):
			return fail(".metadata", "the built-in demo IdP's metadata is the console's own; leave it out")
		case idp.MetadataURL != "" && idp.MetadataXML != "":
			return fail(".metadata", "give the metadata as url or as xml, not both")
		case idp.MetadataURL != "":
			if err := checkMetadataURL(idp.MetadataURL); err != nil {
				return fail(".metadata.url", "%s", err)
			}
		case idp.EntityID != "" && idp.MetadataXML != "":
			return fail(".metadata.entity_id", "entity_id picks an entity of the metadata at url; inline xml holds one entity")
		}
	}
	if p.RefreshInterval != "" {
		d, err := time.ParseDuration(p.RefreshInterval)
		if err != nil {
			return fail(".refresh_interval", "invalid duration %q (write it as 24h or 30m; 0s for the default)", p.RefreshInterval)
		}
		if d != 0 && d < 5*time.Minute {
			return fail(".refresh_interval", "%s is too often: refresh metadata at most every 5 minutes", d)
		}
		idp.RefreshEvery = &d
	}
	if s := p.Security; s != nil {
		idp.Security = ConfigSecurity{AllowIdPInitiated: s.AllowIdPInitiated, RejectSHA1: s.RejectSHA1,
			RequireSignedResponse: s.RequireSignedResponse, RequireSignedAssertion: s.RequireSignedAssertion}
	}
	if p.Mapping != nil {
		m := p.Mapping.toMapping()
		if err := m.Validate(nil); err != nil {
			return ConfigIdP{}, mappingConfigError(lines, path, err)
		}
		idp.Mapping = &m
	}
	if p.SCIM != nil {
		s, err := p.SCIM.toConfig(path+".scim", lines)
		if err != nil {
			return ConfigIdP{}, err
		}
		idp.SCIM = &s
	}
	return idp, nil
}

// mappingConfigError is err (of Mapping.Validate) at its path under the
// IdP at path.
func mappingConfigError(lines map[string]int, path string, err error) error {
	var fe *FieldError
	if errors.As(err, &fe) {
		return configError(lines, path+".mapping."+fe.Field, "%s", fe.Message)
	}
	return configError(lines, path+".mapping", "%s", ErrorMessage(err))
}

// checkMetadataURL accepts http and https URLs with a host.
func checkMetadataURL(s string) error {
	if !strings.HasPrefix(s, "http://") && !strings.HasPrefix(s, "https://") {
		return fmt.Errorf("%q is not an http or https URL", s)
	}
	return nil
}

// configWalk turns a YAML tree into plain values (maps, slices, strings,
// bools, integers) that fit the file type it walks along, recording each
// path's line; what does not fit is an error at its path.
type configWalk struct{ lines map[string]int }

func (w configWalk) fail(n *yaml.Node, path, format string, args ...any) error {
	ce := &ConfigError{Path: path, Line: n.Line, Message: fmt.Sprintf(format, args...)}
	return &Error{Code: EINVALID, Message: ce.Error(), Err: ce}
}

func (w configWalk) value(n *yaml.Node, t reflect.Type, path string) (any, error) {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	w.lines[path] = n.Line
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil, nil
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		return w.object(n, t, path)
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			return nil, w.fail(n, path, "want a mapping of names to values")
		}
		out := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := n.Content[i].Value
			v, err := w.value(n.Content[i+1], t.Elem(), joinPath(path, key))
			if err != nil {
				return nil, err
			}
			out[key] = v
		}
		return out, nil
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return nil, w.fail(n, path, "want a list")
		}
		out := make([]any, len(n.Content))
		for i, c := range n.Content {
			v, err := w.value(c, t.Elem(), fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			return nil, w.fail(n, path, "want a text value")
		}
		return n.Value, nil
	case reflect.Bool:
		var b bool
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&b) != nil {
			return nil, w.fail(n, path, "want true or false, not %q", n.Value)
		}
		return b, nil
	case reflect.Int, reflect.Int64:
		var i int64
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || n.Decode(&i) != nil {
			return nil, w.fail(n, path, "want a whole number, not %q", n.Value)
		}
		return i, nil
	}
	return nil, fmt.Errorf("config walk: no rule for %s at %s", t, path)
}

// object walks a mapping node into the struct type t, by its JSON names.
func (w configWalk) object(n *yaml.Node, t reflect.Type, path string) (any, error) {
	if n.Kind != yaml.MappingNode {
		return nil, w.fail(n, path, "want a mapping of fields")
	}
	fields := map[string]reflect.Type{}
	var names []string
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		fields[name] = t.Field(i).Type
		names = append(names, name)
	}
	sort.Strings(names)
	out := map[string]any{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		ft, ok := fields[k.Value]
		if !ok {
			return nil, w.fail(k, joinPath(path, k.Value), "unknown field %q (known here: %s)", k.Value, strings.Join(names, ", "))
		}
		if _, dup := out[k.Value]; dup {
			return nil, w.fail(k, joinPath(path, k.Value), "field given twice")
		}
		v, err := w.value(n.Content[i+1], ft, joinPath(path, k.Value))
		if err != nil {
			return nil, err
		}
		out[k.Value] = v
	}
	return out, nil
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// MarshalConfig writes doc as indented JSON, or as YAML when yamlOut, in
// the version 1 format, in a stable order (the document's order; map
// keys sorted).
func MarshalConfig(f any, yamlOut bool) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(f); err != nil {
		return nil, fmt.Errorf("encode the config document: %w", err)
	}
	if !yamlOut {
		return buf.Bytes(), nil
	}
	var n yaml.Node
	if err := yaml.Unmarshal(buf.Bytes(), &n); err != nil {
		return nil, fmt.Errorf("convert the config document to YAML: %w", err)
	}
	blockStyle(&n)
	var out bytes.Buffer
	ye := yaml.NewEncoder(&out)
	ye.SetIndent(2)
	if err := ye.Encode(&n); err != nil {
		return nil, fmt.Errorf("encode the config document as YAML: %w", err)
	}
	if err := ye.Close(); err != nil {
		return nil, fmt.Errorf("encode the config document as YAML: %w", err)
	}
	return out.Bytes(), nil
}

// blockStyle makes a tree read from JSON print as block YAML: no flow
// style, plain scalars where they read back the same, and multi-line
// text (inline metadata) as a literal block.
func blockStyle(n *yaml.Node) {
	n.Style = 0
	if n.Kind == yaml.ScalarNode && n.Tag == "!!str" && strings.Contains(n.Value, "\n") {
		n.Style = yaml.LiteralStyle
	}
	for _, c := range n.Content {
		blockStyle(c)
	}
}
