// The rule tester: what a mapping would do with one recorded or pasted
// assertion, changing nothing.

package core

import (
	"context"
	"fmt"
	"strings"
	"time"
)

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
func decideMapping(ctx context.Context, store AccountStore, slug string, m Mapping, nameID string, attrs Attributes, friendly map[string]string) (RuleTest, error) {
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
func accountDecision(ctx context.Context, store AccountStore, slug string, m Mapping, key, email string, t *RuleTest) error {
	u, err := store.UserByKey(ctx, slug, key, !m.CaseSensitiveKey)
	if ErrorCode(err) == ENOTFOUND && m.LinkByEmail && email != "" {
		u, err = store.LinkCandidate(ctx, email, slug)
	}
	switch {
	case err == nil && u.Disabled:
		t.Decision, t.Reason, t.Existing = "deny", "The account is disabled.", &u
	case err == nil:
		t.Decision, t.Existing = "update", &u
		t.Reason = fmt.Sprintf("The account %s exists (%s).", u.Username, signIns(u.LoginCount))
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

// signIns is "1 sign-in" or "N sign-ins".
func signIns(n int) string {
	if n == 1 {
		return "1 sign-in"
	}
	return fmt.Sprintf("%d sign-ins", n)
}
