// config apply's plan: what a config document adds, changes, removes and
// keeps, checked against the stored configuration (roles its rules name,
// metadata fetched and validated) before anything is written.

package core

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ConfigApplyOptions are config apply's options.
type ConfigApplyOptions struct {
	// Prune removes the IdPs and roles the document does not name, except
	// the demo IdP and roles that accounts hold or kept rules grant.
	Prune bool
}

// ConfigPlan is what applying a config document would do: one line per
// change (and per thing pruning keeps), and the changes themselves.
type ConfigPlan struct {
	Lines   []ConfigPlanLine
	changes []ConfigChange
}

// Empty reports whether the plan changes nothing.
func (p ConfigPlan) Empty() bool { return len(p.changes) == 0 }

// Changes is how many changes the plan makes.
func (p ConfigPlan) Changes() int { return len(p.changes) }

// ConfigOp is what a plan line does: one of the Op* constants.
type ConfigOp string

// Plan line operations.
const (
	OpAdd    ConfigOp = "add"
	OpChange ConfigOp = "change"
	OpRemove ConfigOp = "remove"
	OpKeep   ConfigOp = "keep"
)

// ConfigPlanLine is one line of a plan: "change idp okta: display_name,
// mapping".
type ConfigPlanLine struct {
	Op     ConfigOp
	What   string // "role", "idp" or "setting"
	Name   string
	Detail string
}

// String renders the line for a person.
func (l ConfigPlanLine) String() string {
	s := fmt.Sprintf("%-6s %s %s", l.Op, l.What, l.Name)
	if l.Detail != "" {
		s += ": " + l.Detail
	}
	return s
}

// configState is the stored configuration a plan compares against.
type configState struct {
	roles     []RoleInfo
	idps      []IdP
	skew      time.Duration
	retention RetentionPolicy
	demo      bool
}

// PlanConfig checks doc against the stored configuration and plans what
// applying it changes, writing nothing. Metadata named by URL is fetched
// and validated here, before any transaction. Errors name the path in the
// document.
func (c *Console) PlanConfig(ctx context.Context, doc ConfigDocument, opts ConfigApplyOptions) (ConfigPlan, error) {
	st, err := c.readConfigState(ctx)
	if err != nil {
		return ConfigPlan{}, err
	}
	by := osUser()
	p := &planner{c: c, doc: doc, st: st, opts: opts, by: by}
	if err := p.roles(); err != nil {
		return ConfigPlan{}, err
	}
	if err := p.idps(ctx); err != nil {
		return ConfigPlan{}, err
	}
	p.settings()
	p.prune()
	// Roles first (rules name them), removed roles last.
	slices.SortStableFunc(p.plan.changes, func(a, b ConfigChange) int { return changeRank(a.Kind) - changeRank(b.Kind) })
	return p.plan, nil
}

func changeRank(k ConfigChangeKind) int {
	return slices.Index([]ConfigChangeKind{ConfigSaveRole, ConfigSaveIdP, ConfigDeleteIdP, ConfigDeleteRole, ConfigSetSetting}, k)
}

func (c *Console) readConfigState(ctx context.Context) (configState, error) {
	roles, err := c.store.ListRoles(ctx)
	if err != nil {
		return configState{}, err
	}
	idps, err := c.store.ListIdPs(ctx)
	if err != nil {
		return configState{}, err
	}
	rs, err := c.Retention(ctx)
	if err != nil {
		return configState{}, err
	}
	return configState{roles: roles, idps: idps, skew: c.ClockSkew(ctx), retention: rs.Saved, demo: c.demoStored(ctx)}, nil
}

// planner builds one plan.
type planner struct {
	c    *Console
	doc  ConfigDocument
	st   configState
	opts ConfigApplyOptions
	by   string
	plan ConfigPlan
	// known are the roles rules may name once the plan is applied.
	known []string
	// keptIdPs are the slugs that remain: the document's, and the stored
	// ones pruning does not remove.
	keptIdPs map[string]IdP
}

func (p *planner) add(line ConfigPlanLine, ch *ConfigChange) {
	p.plan.Lines = append(p.plan.Lines, line)
	if ch != nil {
		ch.Audit = AuditDefaults(ch.Audit, time.Time{})
		ch.Audit.At = time.Time{} // the store's clock stamps it
		p.plan.changes = append(p.plan.changes, *ch)
	}
}

// roles plans the catalogue's additions and description changes.
func (p *planner) roles() error {
	stored := map[string]RoleInfo{}
	for _, r := range p.st.roles {
		stored[r.Name] = r
	}
	for _, r := range p.doc.Roles {
		p.known = append(p.known, r.Name)
		old, ok := stored[r.Name]
		switch {
		case !ok:
			p.add(ConfigPlanLine{Op: OpAdd, What: "role", Name: r.Name, Detail: quoteIf(r.Description)},
				&ConfigChange{Kind: ConfigSaveRole, Name: r.Name, Description: r.Description, Audit: AuditRoleCreated(p.by, r.Name, r.Description)})
		case old.Description != r.Description:
			p.add(ConfigPlanLine{Op: OpChange, What: "role", Name: r.Name, Detail: fmt.Sprintf("description %q → %q", old.Description, r.Description)},
				&ConfigChange{Kind: ConfigSaveRole, Name: r.Name, Description: r.Description, Audit: AuditRoleChanged(p.by, r.Name, old.Description, r.Description)})
		}
	}
	// Without pruning every stored role stays; with it, the held ones
	// (pruning keeps them) and those the rules of kept IdPs grant.
	for _, r := range p.st.roles {
		if !p.opts.Prune || r.Holders > 0 {
			p.known = append(p.known, r.Name)
		}
	}
	return nil
}

func quoteIf(s string) string {
	if s == "" {
		return ""
	}
	return strconv.Quote(s)
}

// idps plans each IdP of the document: its metadata fetched and checked,
// its rules checked against the roles there will be.
func (p *planner) idps(ctx context.Context) error {
	stored := map[string]IdP{}
	for _, idp := range p.st.idps {
		stored[idp.Slug] = idp
	}
	p.keptIdPs = map[string]IdP{}
	if p.opts.Prune {
		// Stored IdPs that pruning keeps grant roles too.
		if demo, ok := stored[DemoSlug]; ok && !slices.ContainsFunc(p.doc.IdPs, func(d ConfigIdP) bool { return d.Slug == DemoSlug }) {
			p.known = append(p.known, demo.Mapping.RolesNamed()...)
		}
	} else {
		for _, idp := range p.st.idps {
			p.keptIdPs[idp.Slug] = idp
		}
	}
	for i, d := range p.doc.IdPs {
		path := fmt.Sprintf("idps[%d]", i)
		old, exists := stored[d.Slug]
		next, err := p.nextIdP(ctx, path, d, old, exists)
		if err != nil {
			return err
		}
		p.keptIdPs[d.Slug] = next
		if err := p.scim(ctx, d); err != nil {
			return err
		}
		if !exists {
			p.add(ConfigPlanLine{Op: OpAdd, What: "idp", Name: d.Slug, Detail: fmt.Sprintf("%s (%s)", next.DisplayName, next.EntityID)},
				&ConfigChange{Kind: ConfigSaveIdP, IdP: next, Audit: Event{Kind: EventIdPRegistered, IdPSlug: d.Slug, Subject: p.by,
					Message: fmt.Sprintf("Identity provider %s connected by %s (config apply; %s)", next.DisplayName, byWhom(p.by), next.EntityID),
					Detail:  fmt.Sprintf("source: %s %s", next.MetadataSource, next.MetadataURL)}})
			continue
		}
		diff, detail := idpDiff(old, next)
		if len(diff) == 0 {
			continue
		}
		p.add(ConfigPlanLine{Op: OpChange, What: "idp", Name: d.Slug, Detail: strings.Join(diff, ", ")},
			&ConfigChange{Kind: ConfigSaveIdP, IdP: next, Audit: Event{Kind: EventAdminChange, IdPSlug: d.Slug, Subject: p.by,
				Message: fmt.Sprintf("Settings of %s changed by %s (config apply): %s", next.DisplayName, byWhom(p.by), strings.Join(diff, ", ")),
				Detail:  detail}})
	}
	return nil
}

// nextIdP is the IdP as the document describes it, from the stored one
// (when it exists).
func (p *planner) nextIdP(ctx context.Context, path string, d ConfigIdP, old IdP, exists bool) (IdP, error) {
	next := old
	switch {
	case !exists && d.Slug == DemoSlug:
		// The demo IdP before the console's first start: made as the
		// start would make it, then set as the document says.
		if p.c.demo == nil {
			return IdP{}, configError(p.doc.lines, path, "the built-in demo IdP is made when the console starts; start it once first")
		}
		md, err := p.c.demo.metadataXML()
		if err != nil {
			return IdP{}, fmt.Errorf("the demo IdP's metadata: %w", err)
		}
		next = IdP{Slug: DemoSlug, DisplayName: "Demo IdP (built in)", EntityID: p.c.BaseURL() + demoIdPMetadataPath,
			MetadataXML: md, MetadataSource: SourceDemo, Mapping: withRuleIDs(DemoMapping())}
	case !exists:
		next = IdP{Slug: d.Slug, Mapping: DefaultMapping()}
	}
	if !exists {
		next.Enabled = true
	}
	if d.Enabled != nil {
		next.Enabled = *d.Enabled
	}
	if d.RefreshEvery != nil {
		next.RefreshEvery = *d.RefreshEvery
	}
	next.Security = d.Security.apply(next.Security)
	if d.Mapping != nil {
		if err := d.Mapping.Validate(p.known); err != nil {
			return IdP{}, mappingConfigError(p.doc.lines, path, err)
		}
		next.Mapping = withStoredRuleIDs(*d.Mapping, old.Mapping)
	}
	switch {
	case d.MetadataURL != "" || d.MetadataXML != "":
		if err := p.metadata(ctx, path, d, &next); err != nil {
			return IdP{}, err
		}
	case !exists && d.Slug != DemoSlug:
		return IdP{}, configError(p.doc.lines, path, "a new identity provider needs metadata: give metadata.url or metadata.xml")
	}
	if d.DisplayName != "" {
		next.DisplayName = d.DisplayName
	}
	return next, nil
}

// metadata fetches (or reads inline) and validates d's metadata into next.
func (p *planner) metadata(ctx context.Context, path string, d ConfigIdP, next *IdP) error {
	data, where := []byte(d.MetadataXML), path+".metadata.xml"
	if d.MetadataURL != "" {
		where = path + ".metadata.url"
		b, err := FetchMetadata(ctx, p.c.httpClient, d.MetadataURL)
		if err != nil {
			return configError(p.doc.lines, where, "%s", ErrorMessage(err))
		}
		data = b
	}
	prev, err := ParseIdPMetadata(data, d.EntityID, p.c.clock.Now())
	if err != nil {
		return configError(p.doc.lines, where, "%s", ErrorMessage(err))
	}
	if next.DisplayName == "" {
		next.DisplayName = DefaultDisplayName(prev)
	}
	sameXML := strings.TrimSpace(next.MetadataXML) == strings.TrimSpace(prev.EntityXML)
	next.EntityID, next.MetadataXML = prev.EntityID, prev.EntityXML
	if d.MetadataURL != "" {
		if next.MetadataURL != d.MetadataURL || !sameXML {
			next.RefreshedAt, next.RefreshError = p.c.clock.Now(), ""
		}
		next.MetadataSource, next.MetadataURL = SourceURL, d.MetadataURL
		return nil
	}
	if next.MetadataURL != "" || next.MetadataSource == "" || next.MetadataSource == SourceURL || next.MetadataSource == SourceDemo {
		next.MetadataSource = SourcePaste
	}
	next.MetadataURL = ""
	return nil
}

// withStoredRuleIDs gives each rule of m without an ID the ID of an equal
// stored rule (so that applying a document whose rules have no IDs twice
// changes nothing), or a new one.
func withStoredRuleIDs(m, stored Mapping) Mapping {
	m = m.Normalized()
	used := map[string]bool{}
	for _, r := range m.RoleRules {
		used[r.ID] = r.ID != ""
	}
	storedRules := stored.Normalized().RoleRules
	for i, r := range m.RoleRules {
		if r.ID != "" {
			continue
		}
		for _, s := range storedRules {
			if !used[s.ID] && s.ID != "" && sameRule(r, s) {
				m.RoleRules[i].ID, used[s.ID] = s.ID, true
				break
			}
		}
	}
	return withRuleIDs(m)
}

func sameRule(a, b RoleRule) bool {
	a.ID, b.ID = "", ""
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// idpDiff names the fields of the document that differ between old and
// next, and describes them for the audit log.
func idpDiff(old, next IdP) ([]string, string) {
	var names, lines []string
	add := func(name string, a, b any) {
		if !reflect.DeepEqual(a, b) {
			names = append(names, name)
			lines = append(lines, fmt.Sprintf("%s: %v → %v", name, a, b))
		}
	}
	add("display_name", old.DisplayName, next.DisplayName)
	add("enabled", old.Enabled, next.Enabled)
	add("metadata.url", old.MetadataURL, next.MetadataURL)
	if strings.TrimSpace(old.MetadataXML) != strings.TrimSpace(next.MetadataXML) {
		names = append(names, "metadata")
		lines = append(lines, fmt.Sprintf("metadata: entity %s replaced (entity %s)", old.EntityID, next.EntityID))
	}
	add("refresh_interval", old.RefreshEvery, next.RefreshEvery)
	add("security.allow_idp_initiated", old.Security.AllowIdPInitiated, next.Security.AllowIdPInitiated)
	add("security.reject_sha1", old.Security.RejectSHA1, next.Security.RejectSHA1)
	add("security.require_signed_response", old.Security.RequireSignedResponse, next.Security.RequireSignedResponse)
	add("security.require_signed_assertion", old.Security.RequireSignedAssertion, next.Security.RequireSignedAssertion)
	if d := mappingDiff(old.Mapping, next.Mapping); d != "no change" {
		names = append(names, "mapping")
		lines = append(lines, "mapping "+d)
	}
	return names, strings.Join(lines, "\n")
}

// settings plans the global settings the document names.
func (p *planner) settings() {
	s := p.doc.Settings
	set := func(name, key, from, to string) {
		p.add(ConfigPlanLine{Op: OpChange, What: "setting", Name: name, Detail: from + " → " + to},
			&ConfigChange{Kind: ConfigSetSetting, Name: key, Value: settingValue(key, to),
				Audit: Event{Kind: EventAdminChange, Subject: p.by,
					Message: fmt.Sprintf("Setting %s changed by %s (config apply)", name, byWhom(p.by)),
					Detail:  fmt.Sprintf("%s: %s → %s", name, from, to)}})
	}
	if s.ClockSkew != nil && *s.ClockSkew != p.st.skew {
		set("clock_skew", settingClockSkew, p.st.skew.String(), s.ClockSkew.String())
	}
	if s.KeepRecordings != nil && *s.KeepRecordings != p.st.retention.KeepRecordings {
		set("retention.keep_recordings_days", settingKeepRecordings, days(p.st.retention.KeepRecordings), days(*s.KeepRecordings))
	}
	if s.KeepEvents != nil && *s.KeepEvents != p.st.retention.KeepEvents {
		set("retention.keep_events_days", settingKeepEvents, days(p.st.retention.KeepEvents), days(*s.KeepEvents))
	}
	if s.RecorderCap != nil && *s.RecorderCap != p.st.retention.RecorderCap {
		set("retention.recorder_cap_mib", settingRecorderCap, strconv.FormatInt(p.st.retention.RecorderCap>>20, 10), strconv.FormatInt(*s.RecorderCap>>20, 10))
	}
	if s.DemoIdP != nil && *s.DemoIdP != p.st.demo {
		set("demo_idp", settingDemoEnabled, onOff(p.st.demo), onOff(*s.DemoIdP))
	}
}

func days(d time.Duration) string { return strconv.FormatInt(int64(d/(24*time.Hour)), 10) }

// settingValue is the stored form of a plan's value for key.
func settingValue(key, shown string) string {
	switch key {
	case settingClockSkew:
		d, _ := time.ParseDuration(shown)
		return strconv.Itoa(int(d / time.Second))
	case settingDemoEnabled:
		if shown == "on" {
			return "1"
		}
		return "0"
	}
	return shown
}

// prune plans the removal of what the document does not name, when asked
// to, and says what it keeps and why.
func (p *planner) prune() {
	if !p.opts.Prune {
		return
	}
	named := map[string]bool{}
	for _, d := range p.doc.IdPs {
		named[d.Slug] = true
	}
	for _, idp := range p.st.idps {
		switch {
		case named[idp.Slug]:
		case idp.Slug == DemoSlug:
			p.keptIdPs[idp.Slug] = idp
			p.add(ConfigPlanLine{Op: OpKeep, What: "idp", Name: idp.Slug,
				Detail: "the built-in demo IdP is never pruned (settings.demo_idp: false switches it off)"}, nil)
		default:
			p.add(ConfigPlanLine{Op: OpRemove, What: "idp", Name: idp.Slug, Detail: idp.DisplayName + "; its accounts stay, marked as from a removed IdP"},
				&ConfigChange{Kind: ConfigDeleteIdP, Name: idp.Slug, Audit: Event{Kind: EventIdPRemoved, Outcome: OutcomeWarning,
					IdPSlug: idp.Slug, Subject: p.by,
					Message: fmt.Sprintf("Identity provider %s removed by %s (config apply --prune); its users stay, marked as from a removed IdP", idp.DisplayName, byWhom(p.by))}})
		}
	}
	namedRole := map[string]bool{}
	for _, r := range p.doc.Roles {
		namedRole[r.Name] = true
	}
	for _, r := range p.st.roles {
		if namedRole[r.Name] {
			continue
		}
		if r.Holders > 0 {
			p.add(ConfigPlanLine{Op: OpKeep, What: "role", Name: r.Name, Detail: holdIt(r.Holders)}, nil)
			continue
		}
		if grantor := p.grantedBy(r.Name); grantor != "" {
			p.add(ConfigPlanLine{Op: OpKeep, What: "role", Name: r.Name, Detail: "the rules of " + grantor + " grant it"}, nil)
			continue
		}
		p.add(ConfigPlanLine{Op: OpRemove, What: "role", Name: r.Name},
			&ConfigChange{Kind: ConfigDeleteRole, Name: r.Name, Audit: AuditRoleDeleted(p.by, r.Name, r.Description)})
	}
}

// grantedBy names an IdP that remains and whose rules grant role, or "".
func (p *planner) grantedBy(role string) string {
	for _, idp := range p.st.idps {
		if kept, ok := p.keptIdPs[idp.Slug]; ok && slices.Contains(kept.Mapping.RolesNamed(), role) {
			return idp.Slug
		}
	}
	for _, d := range p.doc.IdPs {
		if kept, ok := p.keptIdPs[d.Slug]; ok && slices.Contains(kept.Mapping.RolesNamed(), role) {
			return d.Slug
		}
	}
	return ""
}

// holdIt says how many accounts hold a role.
func holdIt(n int) string {
	if n == 1 {
		return "1 account holds it"
	}
	return AccountCount(n) + " hold it"
}
