package core

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// newRuleID makes a stable rule ID.
func newRuleID() string {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err))
	}
	return "r" + hex.EncodeToString(b)
}

// withRuleIDs gives every rule without an ID one.
func withRuleIDs(m Mapping) Mapping {
	rules := make([]RoleRule, len(m.RoleRules))
	for i, r := range m.RoleRules {
		r = r.normalized()
		if r.ID == "" {
			r.ID = newRuleID()
		}
		rules[i] = r
	}
	m.RoleRules = rules
	return m
}

// Roles returns the role catalogue.
func (c *Console) Roles(ctx context.Context) ([]RoleInfo, error) { return c.store.ListRoles(ctx) }

// SaveRole creates a role or changes its description.
func (c *Console) SaveRole(ctx context.Context, name, description string) error {
	name = strings.TrimSpace(name)
	if name == "" {
		return Errorf(EINVALID, "A role needs a name.")
	}
	ev, err := c.store.SaveRole(ctx, name, strings.TrimSpace(description), osUser())
	if err == nil {
		c.publishStored(ev)
	}
	return err
}

// RenameRole renames a role for every holder and in every IdP's rules, as
// one change.
func (c *Console) RenameRole(ctx context.Context, oldName, newName string) error {
	newName = strings.TrimSpace(newName)
	if newName == "" {
		return Errorf(EINVALID, "The new name must not be empty.")
	}
	ev, err := c.store.RenameRole(ctx, oldName, newName, osUser(), func(m Mapping) (Mapping, bool) {
		return renameInMapping(m, oldName, newName)
	})
	if err != nil {
		return err
	}
	if ev.ID != 0 {
		c.publishStored(ev)
	}
	return nil
}

func renameInMapping(m Mapping, oldName, newName string) (Mapping, bool) {
	m = m.Normalized()
	changed := false
	for i := range m.RoleRules {
		for j, r := range m.RoleRules[i].Roles {
			if r == oldName {
				m.RoleRules[i].Roles[j], changed = newName, true
			}
		}
	}
	if m.DefaultRole == oldName {
		m.DefaultRole, changed = newName, true
	}
	return m, changed
}

// DeleteRole deletes a role that nobody holds and no rule grants.
func (c *Console) DeleteRole(ctx context.Context, name string) error {
	idps, err := c.store.ListIdPs(ctx)
	if err != nil {
		return err
	}
	for _, idp := range idps {
		if containsString(idp.Mapping.RolesNamed(), name) {
			return Errorf(ECONFLICT, "The rules of %s grant %s; change them first.", idp.DisplayName, name)
		}
	}
	ev, err := c.store.DeleteRole(ctx, name, osUser())
	if err == nil {
		c.publishStored(ev)
	}
	return err
}

// roleNames is the catalogue as names.
func (c *Console) roleNames(ctx context.Context) ([]string, error) {
	roles, err := c.store.ListRoles(ctx)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = r.Name
	}
	return names, nil
}

// SaveMapping validates an IdP's mapping against the role catalogue and
// saves it, as one audited change: in the same transaction, the grants
// that the rules revokeRuleIDs (rules of the mapping saved before: deleted
// or edited ones) made are revoked, and one audit event says both. It
// applies from the next login. It returns the IdP as saved and how many
// grants were revoked; on an error nothing changed.
func (c *Console) SaveMapping(ctx context.Context, slug string, m Mapping, revokeRuleIDs []string) (IdP, int, error) {
	idp, err := c.store.GetIdP(ctx, slug)
	if err != nil {
		return IdP{}, 0, err
	}
	known, err := c.roleNames(ctx)
	if err != nil {
		return IdP{}, 0, err
	}
	if err := m.Validate(known); err != nil {
		return IdP{}, 0, err
	}
	before := idp.Mapping
	for _, id := range revokeRuleIDs {
		if !slices.ContainsFunc(before.RoleRules, func(r RoleRule) bool { return r.ID == id }) {
			return IdP{}, 0, Errorf(EINVALID, "Rule %q is not a rule of %s's saved mapping; nothing was saved.", id, idp.DisplayName)
		}
	}
	idp.Mapping = withRuleIDs(m)
	message := fmt.Sprintf("Mapping rules of %s changed by %s", idp.DisplayName, osUser())
	if len(revokeRuleIDs) > 0 {
		rules := "rule"
		if len(revokeRuleIDs) > 1 {
			rules = "rules"
		}
		message += fmt.Sprintf("; the grants of %d changed %s revoked", len(revokeRuleIDs), rules)
	}
	saved, revoked, ev, err := c.store.SaveIdPAudited(ctx, idp, revokeRuleIDs, Event{Kind: EventAdminChange,
		Outcome: OutcomeInfo, IdPSlug: slug, Subject: osUser(), At: c.clock.Now(),
		Message: message, Detail: mappingDiff(before, idp.Mapping)})
	if err != nil {
		return IdP{}, 0, err
	}
	c.publishStored(ev)
	return saved, revoked, nil
}

// mappingDiff says what changed between two mappings, as before → after.
func mappingDiff(a, b Mapping) string {
	ja, _ := json.MarshalIndent(a.Normalized(), "", "  ")
	jb, _ := json.MarshalIndent(b.Normalized(), "", "  ")
	if string(ja) == string(jb) {
		return "no change"
	}
	return "before:\n" + string(ja) + "\nafter:\n" + string(jb)
}

// RuleTest is what the rule tester shows for one assertion.
type RuleTest struct {
	NameID     string
	Attributes Attributes
	Evaluation Evaluation
	// Decision is "create", "update" or "deny"; Reason says why.
	Decision string
	Reason   string
	Existing *User // the account an update would change
}

// TestRules evaluates mapping m of the IdP slug against the attributes of
// a recorded login (recordingID) — nothing is created or changed.
func (c *Console) TestRules(ctx context.Context, slug string, m Mapping, recordingID int64) (RuleTest, error) {
	rec, err := c.store.GetRecording(ctx, recordingID)
	if err != nil {
		return RuleTest{}, err
	}
	nameID, attrs, friendly := c.recordedSubject(rec)
	return c.decide(ctx, slug, m, nameID, attrs, friendly)
}

// TestRulesOnResponse is TestRules on a pasted response, checked first as
// the validator would (against the IdP slug, at the time of the response).
func (c *Console) TestRulesOnResponse(ctx context.Context, slug string, m Mapping, response []byte) (RuleTest, CheckReport, error) {
	rep, err := c.CheckWithIdP(ctx, slug, response, time.Time{})
	if err != nil {
		return RuleTest{}, rep, err
	}
	nameID, attrs, friendly := rep.NameID, Attributes(rep.Attributes), map[string]string(nil)
	if !rep.Valid {
		// The report tells the ACS's verdict (a recorded response is
		// replayed by now); the rules still get what the response says.
		raw, _ := DecodeResponse(response)
		nameID, attrs, friendly = c.recordedSubject(Recording{Raw: raw})
	}
	t, err := c.decide(ctx, slug, m, nameID, attrs, friendly)
	return t, rep, err
}

// recordedSubject decodes, without verifying, the NameID and attributes
// of a recorded or pasted response, for the rule tester.
func (c *Console) recordedSubject(rec Recording) (string, Attributes, map[string]string) {
	v := decodeRecording(rec, c.sp.key.Key)
	attrs, friendly := Attributes{}, map[string]string{}
	for _, a := range v.Attributes {
		attrs[a.Name] = append(attrs[a.Name], a.Values...)
		if a.FriendlyName != "" && a.FriendlyName != a.Name {
			friendly[a.FriendlyName] = a.Name
		}
	}
	return v.NameID, attrs, friendly
}

func (c *Console) decide(ctx context.Context, slug string, m Mapping, nameID string, attrs Attributes, friendly map[string]string) (RuleTest, error) {
	return decideMapping(ctx, c.store, slug, m, nameID, attrs, friendly)
}

// decideMapping evaluates mapping m of the IdP slug for an assertion and says
// what a login would do: create or update the account (looked up in
// store, read-only), or deny. Nothing is changed.
func decideMapping(ctx context.Context, store Store, slug string, m Mapping, nameID string, attrs Attributes, friendly map[string]string) (RuleTest, error) {
	ev := m.Evaluate(nameID, attrs, friendly)
	t := RuleTest{NameID: nameID, Attributes: attrs, Evaluation: ev}
	key := nameID
	if m.AccountKeyAttr != "" {
		key = attrLookup{attrs: attrs, friendly: friendly}.first([]string{m.AccountKeyAttr})
	}
	switch {
	case ev.Deny:
		t.Decision, t.Reason = "deny", ev.Reason
	case strings.TrimSpace(key) == "":
		t.Decision, t.Reason = "deny", "There is no account key (empty NameID or missing key attribute)."
	default:
		if err := accountDecision(ctx, store, slug, m, key, ev.Fields.Email, &t); err != nil {
			return t, err
		}
	}
	return t, nil
}

// accountDecision sets t's Decision from the account the key names (or,
// when the IdP links by email, the account of another IdP with email, as
// ApplyLogin finds it): "update" an existing account, "create" a new one,
// or "deny" a disabled one. The validator and the rule tester share it.
func accountDecision(ctx context.Context, store Store, slug string, m Mapping, key, email string, t *RuleTest) error {
	u, err := store.UserByKey(ctx, slug, key, !m.CaseSensitiveKey)
	if ErrorCode(err) == ENOTFOUND && m.LinkByEmail && email != "" {
		u, err = store.LinkCandidate(ctx, email, slug)
	}
	switch {
	case err == nil && u.Disabled:
		t.Decision, t.Reason, t.Existing = "deny", "The account is disabled.", &u
	case err == nil:
		t.Decision, t.Existing = "update", &u
		t.Reason = fmt.Sprintf("The account %s exists (%d sign-ins).", u.Username, u.LoginCount)
		if u.IdPSlug != slug {
			t.Reason = fmt.Sprintf("The account %s of the IdP %s has this email; this IdP links by email, so the login takes it over.", u.Username, u.IdPSlug)
		}
		if m.Sync.Mode == SyncCreateOnly {
			t.Reason += " The sync mode is create-only: nothing but the login is recorded."
		}
	case ErrorCode(err) == ENOTFOUND:
		t.Decision, t.Reason = "create", "No account has this key yet: a first login creates it."
	default:
		return err
	}
	return nil
}

// AddDecision puts what a mapping would do into a check report: fields,
// roles with the rule that granted each, and the decision with its
// reason (a refused response is a "deny" with the refusal's reason).
func AddDecision(rep *CheckReport, t RuleTest) {
	if !rep.Valid {
		rep.Decision = "deny"
		return
	}
	f := t.Evaluation.Fields
	rep.Fields = map[string]string{FieldUsername: f.Username, FieldEmail: f.Email, FieldDisplayName: f.DisplayName,
		FieldGivenName: f.GivenName, FieldFamilyName: f.FamilyName}
	rep.Roles = []CheckRole{}
	for _, g := range f.Roles {
		rep.Roles = append(rep.Roles, CheckRole{Role: g.Role, Rule: g.Source})
	}
	rep.Decision, rep.Reason = t.Decision, t.Reason
}

// ImpactUser names an account in an impact preview.
type ImpactUser struct {
	UserID   int64
	Username string
}

// Impact is what a mapping change would do to existing accounts, from
// their last recorded attributes.
type Impact struct {
	Users  int                     // accounts evaluated
	Gains  map[string][]ImpactUser // role → who would gain it
	Losses map[string][]ImpactUser // role → who would lose it
	Denied []ImpactUser            // whose next login would be denied
	// changes are the new rule and default grants, for ApplyNow.
	changes []RoleChange
}

// Summary is the impact in one line: "+editor: 3 users, −admin: 1 user".
func (im Impact) Summary() string {
	var parts []string
	count := func(n int) string {
		if n == 1 {
			return "1 user"
		}
		return fmt.Sprintf("%d users", n)
	}
	for _, r := range sortedKeys(im.Gains) {
		parts = append(parts, fmt.Sprintf("+%s: %s", r, count(len(im.Gains[r]))))
	}
	for _, r := range sortedKeys(im.Losses) {
		parts = append(parts, fmt.Sprintf("−%s: %s", r, count(len(im.Losses[r]))))
	}
	if len(im.Denied) > 0 {
		parts = append(parts, fmt.Sprintf("denied at next sign-in: %s", count(len(im.Denied))))
	}
	if len(parts) == 0 {
		return "No account would change."
	}
	return strings.Join(parts, ", ")
}

func sortedKeys(m map[string][]ImpactUser) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// PreviewImpact evaluates mapping m against every account of the IdP slug
// (their last recorded attributes) and reports who would gain or lose
// which role. Nothing is changed.
func (c *Console) PreviewImpact(ctx context.Context, slug string, m Mapping) (Impact, error) {
	m = withRuleIDs(m)
	im := Impact{Gains: map[string][]ImpactUser{}, Losses: map[string][]ImpactUser{}}
	err := c.store.ForEachUser(ctx, slug, func(u UserSnapshot) error {
		im.Users++
		ev := m.Evaluate(u.NameID, u.Attributes, nil)
		who := ImpactUser{UserID: u.UserID, Username: u.Username}
		if ev.Deny {
			im.Denied = append(im.Denied, who)
		}
		now, before := map[string]bool{}, map[string]bool{}
		for _, g := range ev.Fields.Roles {
			now[g.Role] = true
		}
		for _, g := range u.Roles {
			before[g.Role] = true
		}
		changed := false
		for r := range now {
			if !before[r] {
				im.Gains[r] = append(im.Gains[r], who)
				changed = true
			}
		}
		for r := range before {
			if !now[r] {
				im.Losses[r] = append(im.Losses[r], who)
				changed = true
			}
		}
		if changed {
			roles := ev.Fields.Roles
			for i := range roles {
				roles[i].IdPSlug = slug
			}
			im.changes = append(im.changes, RoleChange{UserID: u.UserID, Roles: roles})
		}
		return nil
	})
	return im, err
}

// ApplyNow re-evaluates the stored attributes of every account of slug
// with the IdP's saved mapping and replaces their rule and default grants
// at once (manual grants stay), as one audited change.
func (c *Console) ApplyNow(ctx context.Context, slug string) (Impact, error) {
	idp, err := c.store.GetIdP(ctx, slug)
	if err != nil {
		return Impact{}, err
	}
	im, err := c.PreviewImpact(ctx, slug, idp.Mapping)
	if err != nil {
		return im, err
	}
	if len(im.changes) == 0 {
		return im, nil
	}
	ev, err := c.store.ReplaceRuleRoles(ctx, im.changes, Event{Kind: EventAdminChange, Outcome: OutcomeInfo,
		IdPSlug: slug, Subject: osUser(), At: c.clock.Now(),
		Message: fmt.Sprintf("Rules of %s applied now by %s to %d accounts", idp.DisplayName, osUser(), len(im.changes)),
		Detail:  im.Summary()})
	if err == nil {
		c.publishStored(ev)
	}
	return im, err
}

// GrantRole pins a manual grant, which no sync removes.
func (c *Console) GrantRole(ctx context.Context, userID int64, role string) error {
	ev, err := c.store.GrantRole(ctx, userID, role, osUser())
	if err == nil {
		c.publishStored(ev)
	}
	return err
}

// RevokeRole removes a manual grant.
func (c *Console) RevokeRole(ctx context.Context, userID int64, role string) error {
	ev, err := c.store.RevokeRole(ctx, userID, role, osUser())
	if err == nil {
		c.publishStored(ev)
	}
	return err
}

// SetUsersDisabled disables (or enables) accounts; a disabled account's
// sign-in is refused.
func (c *Console) SetUsersDisabled(ctx context.Context, ids []int64, disabled bool) (int, error) {
	n, ev, err := c.store.SetUsersDisabled(ctx, ids, disabled, osUser())
	if err == nil && n > 0 {
		c.publishStored(ev)
	}
	return n, err
}

// DeleteUser deletes an account; its next login would create it again.
func (c *Console) DeleteUser(ctx context.Context, id int64) error {
	ev, err := c.store.DeleteUser(ctx, id, osUser())
	if err == nil {
		c.publishStored(ev)
	}
	return err
}

// AuditLog returns admin changes, newest first.
func (c *Console) AuditLog(ctx context.Context, limit int) ([]Event, error) {
	return c.store.ListEvents(ctx, EventFilter{Kinds: []string{EventAdminChange, EventIdPRegistered, EventIdPRemoved}, Limit: limit})
}

// RulesDocument is an IdP's mapping as configuration as code.
type RulesDocument struct {
	Version int     `json:"version"`
	IdP     string  `json:"idp"`
	Mapping Mapping `json:"mapping"`
}

// rulesJSON returns an IdP's field mapping, account key settings, sync
// policy and rules as indented JSON (a RulesDocument).
func rulesJSON(idp IdP) ([]byte, error) {
	return json.MarshalIndent(RulesDocument{Version: 1, IdP: idp.Slug, Mapping: idp.Mapping.Normalized()}, "", "  ")
}

// ImportRules validates a rules document and replaces the IdP's mapping
// with it at once; roles it names that are not in the catalogue are
// created. An invalid document changes nothing and the error names the
// field.
func (c *Console) ImportRules(ctx context.Context, slug string, data []byte) (IdP, error) {
	doc, err := ParseRulesDocument(data)
	if err != nil {
		return IdP{}, err
	}
	known, err := c.roleNames(ctx)
	if err != nil {
		return IdP{}, err
	}
	for _, r := range doc.Mapping.RolesNamed() {
		if !containsString(known, r) {
			if err := c.SaveRole(ctx, r, "created by rules import"); err != nil {
				return IdP{}, err
			}
		}
	}
	saved, _, err := c.SaveMapping(ctx, slug, doc.Mapping, nil)
	return saved, err
}

// publishStored fans out an event the store already wrote; a change that
// changed nothing comes back with no event (ID 0) and is not published.
func (c *Console) publishStored(ev Event) {
	if ev.ID != 0 {
		c.broker.Publish(ev)
	}
}
