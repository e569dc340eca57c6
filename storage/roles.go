package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

// ListRoles returns the role catalogue, by name, with the number of
// accounts holding each role (any kind of grant, each account once).
func (db *DB) ListRoles(ctx context.Context) ([]core.RoleInfo, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT r.name, r.description,
		(SELECT count(DISTINCT ur.user_id) FROM user_roles ur WHERE ur.role = r.name)
		FROM roles r ORDER BY lower(r.name), r.name`)
	return collect(rows, err, "list roles", func(s scanner) (core.RoleInfo, error) {
		var ri core.RoleInfo
		err := s.Scan(&ri.Name, &ri.Description, &ri.Holders)
		return ri, err
	})
}

// holders counts the accounts holding role.
func holders(w *writer, role string) (int, error) {
	var n int
	if err := w.queryRow(`SELECT count(DISTINCT user_id) FROM user_roles WHERE role = ?`, role).Scan(&n); err != nil {
		return 0, fmt.Errorf("count the holders of %q: %w", role, err)
	}
	return n, nil
}

// SaveRole creates the role name or changes its description, with an
// audit event; nothing (and no event) when it exists with that
// description. EINVALID for an empty name.
func (db *DB) SaveRole(ctx context.Context, name, description, by string) (core.Event, error) {
	name, description = strings.TrimSpace(name), strings.TrimSpace(description)
	if name == "" {
		return core.Event{}, core.Errorf(core.EINVALID, "A role needs a name.")
	}
	var ev core.Event
	err := db.inTx(ctx, func(w *writer) error {
		var old string
		err := w.queryRow(`SELECT description FROM roles WHERE name = ?`, name).Scan(&old)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if _, err := w.exec(`INSERT INTO roles (name, description) VALUES (?, ?)`, name, description); err != nil {
				return err
			}
			ev = db.stamp(core.AuditRoleCreated(by, name, description))
		case err != nil:
			return err
		case old == description:
			return nil
		default:
			if _, err := w.exec(`UPDATE roles SET description = ? WHERE name = ?`, description, name); err != nil {
				return err
			}
			ev = db.stamp(core.AuditRoleChanged(by, name, old, description))
		}
		ev.ID, err = insertEvent(w, ev)
		return err
	})
	if err != nil {
		return core.Event{}, fmt.Errorf("save role %q: %w", name, err)
	}
	return ev, nil
}

// RenameRole renames the role oldName to newName, and with it every grant
// of it (the foreign key cascades), and rewrites each IdP's stored mapping
// with rewrite (core's: storage does not read rules), with an audit event,
// all in one transaction. ENOTFOUND for an unknown role, ECONFLICT when
// newName exists, EINVALID when it is empty; nothing when the names are
// the same.
func (db *DB) RenameRole(ctx context.Context, oldName, newName, by string, rewrite func(core.Mapping) (core.Mapping, bool)) (core.Event, error) {
	newName = strings.TrimSpace(newName)
	if newName == "" {
		return core.Event{}, core.Errorf(core.EINVALID, "A role needs a name.")
	}
	if newName == oldName {
		return core.Event{}, nil
	}
	var ev core.Event
	err := db.inTx(ctx, func(w *writer) error {
		if err := roleExists(w, oldName); err != nil {
			return err
		}
		if err := roleExists(w, newName); err == nil {
			return core.Errorf(core.ECONFLICT, "A role named %q exists already.", newName)
		} else if core.ErrorCode(err) != core.ENOTFOUND {
			return err
		}
		n, err := holders(w, oldName)
		if err != nil {
			return err
		}
		if _, err := w.exec(`UPDATE roles SET name = ? WHERE name = ?`, newName, oldName); err != nil {
			return err
		}
		rewritten, err := rewriteMappings(w, rewrite, db.now())
		if err != nil {
			return err
		}
		ev = db.stamp(core.AuditRoleRenamed(by, oldName, newName, n, rewritten))
		ev.ID, err = insertEvent(w, ev)
		return err
	})
	if err != nil {
		return core.Event{}, fmt.Errorf("rename role %q: %w", oldName, err)
	}
	return ev, nil
}

// rewriteMappings stores rewrite's mapping for each IdP whose mapping it
// changes, and returns their slugs.
func rewriteMappings(w *writer, rewrite func(core.Mapping) (core.Mapping, bool), now time.Time) ([]string, error) {
	if rewrite == nil {
		return nil, nil
	}
	rows, err := w.query(`SELECT slug, mapping_json FROM identity_providers ORDER BY id`)
	type stored struct{ slug, mapping string }
	idps, err := collect(rows, err, "read the IdPs' mappings", func(s scanner) (stored, error) {
		var st stored
		return st, s.Scan(&st.slug, &st.mapping)
	})
	if err != nil {
		return nil, err
	}
	var changed []string
	for _, st := range idps {
		var m core.Mapping
		if err := json.Unmarshal([]byte(st.mapping), &m); err != nil {
			return nil, fmt.Errorf("decode the mapping of %s: %w", st.slug, err)
		}
		m, ok := rewrite(m)
		if !ok {
			continue
		}
		b, err := json.Marshal(m)
		if err != nil {
			return nil, fmt.Errorf("encode the mapping of %s: %w", st.slug, err)
		}
		if _, err := w.exec(`UPDATE identity_providers SET mapping_json = ?, updated_at = ? WHERE slug = ?`,
			string(b), nanos(now), st.slug); err != nil {
			return nil, fmt.Errorf("rewrite the rules of %s: %w", st.slug, err)
		}
		changed = append(changed, st.slug)
	}
	return changed, nil
}

// DeleteRole deletes the role name, which nobody may hold, with an audit
// event. ECONFLICT naming the count of holders otherwise ("3 accounts hold
// admin."), ENOTFOUND for an unknown role.
func (db *DB) DeleteRole(ctx context.Context, name, by string) (core.Event, error) {
	var ev core.Event
	err := db.inTx(ctx, func(w *writer) error {
		var description string
		err := w.queryRow(`SELECT description FROM roles WHERE name = ?`, name).Scan(&description)
		if errors.Is(err, sql.ErrNoRows) {
			return core.NoSuchRole(name)
		} else if err != nil {
			return err
		}
		n, err := holders(w, name)
		if err != nil {
			return err
		}
		if n > 0 {
			return core.RoleHeld(name, n)
		}
		if _, err := w.exec(`DELETE FROM roles WHERE name = ?`, name); err != nil {
			return err
		}
		ev = db.stamp(core.AuditRoleDeleted(by, name, description))
		ev.ID, err = insertEvent(w, ev)
		return err
	})
	if err != nil {
		return core.Event{}, fmt.Errorf("delete role %q: %w", name, err)
	}
	return ev, nil
}

// forEachBatch is how many accounts ForEachUser reads per batch.
var forEachBatch = 1000

// ForEachUser calls fn with a snapshot of every account of idpSlug (all
// IdPs when empty) in ID order: its attributes and its rule and default
// grants. It streams: accounts are read in batches of forEachBatch, each
// batch in its own read transaction with one query for the accounts, one
// for their attributes and one for their grants, and fn runs after the
// batch's reads (it may use the DB). It stops at fn's first error and
// returns it as is.
func (db *DB) ForEachUser(ctx context.Context, idpSlug string, fn func(core.UserSnapshot) error) error {
	after := int64(0)
	for {
		batch, err := db.snapshotBatch(ctx, idpSlug, after)
		if err != nil {
			return fmt.Errorf("read accounts after ID %d: %w", after, err)
		}
		for _, s := range batch {
			if err := fn(s); err != nil {
				return err
			}
		}
		if len(batch) < forEachBatch {
			return nil
		}
		after = batch[len(batch)-1].UserID
	}
}

// snapshotBatch reads the next forEachBatch accounts of idpSlug with IDs
// above after.
func (db *DB) snapshotBatch(ctx context.Context, idpSlug string, after int64) ([]core.UserSnapshot, error) {
	if err := db.hook("batch"); err != nil {
		return nil, err
	}
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT id, name_id, username FROM users
		WHERE id > ?1 AND (?2 = '' OR idp_slug = ?2) ORDER BY id LIMIT ?3`, after, idpSlug, forEachBatch)
	batch, err := collect(rows, err, "read accounts", func(s scanner) (core.UserSnapshot, error) {
		var u core.UserSnapshot
		err := s.Scan(&u.UserID, &u.NameID, &u.Username)
		return u, err
	})
	if err != nil || len(batch) == 0 {
		return nil, err
	}
	index := make(map[int64]*core.UserSnapshot, len(batch))
	ids := make([]int64, len(batch))
	for i := range batch {
		index[batch[i].UserID], ids[i] = &batch[i], batch[i].UserID
		batch[i].Attributes = core.Attributes{}
	}
	// The accounts of one IdP may be spread thinly over the ID range: the
	// child rows are read by the batch's IDs, not by the range.
	list := idList(ids)
	rows, err = tx.QueryContext(ctx, `SELECT user_id, name, value FROM user_attributes
		WHERE user_id IN (SELECT value FROM json_each(?)) ORDER BY user_id, name, position`, list)
	if err != nil {
		return nil, fmt.Errorf("read attributes: %w", err)
	}
	if err := eachRow(rows, func(s scanner) error {
		var (
			id          int64
			name, value string
		)
		if err := s.Scan(&id, &name, &value); err != nil {
			return err
		}
		if u := index[id]; u != nil {
			u.Attributes[name] = append(u.Attributes[name], value)
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("read attributes: %w", err)
	}
	rows, err = tx.QueryContext(ctx, `SELECT user_id, role, kind, source, rule_id, rule_index, idp_slug,
			coalesce(login_id, 0), granted_by, granted_at
		FROM user_roles WHERE user_id IN (SELECT value FROM json_each(?)) AND kind <> 'manual'
		ORDER BY user_id, position, role`, list)
	if err != nil {
		return nil, fmt.Errorf("read roles: %w", err)
	}
	if err := eachRow(rows, func(s scanner) error {
		var (
			id int64
			g  core.RoleGrant
			at int64
		)
		if err := s.Scan(&id, &g.Role, &g.Kind, &g.Source, &g.RuleID, &g.RuleIndex, &g.IdPSlug, &g.LoginID, &g.GrantedBy, &at); err != nil {
			return err
		}
		g.GrantedAt = fromNanos(at)
		if u := index[id]; u != nil {
			u.Roles = append(u.Roles, g)
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("read roles: %w", err)
	}
	return batch, nil
}

// eachRow calls fn for every row and closes rows.
func eachRow(rows *sql.Rows, fn func(scanner) error) error {
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ReplaceRuleRoles replaces the rule and default grants of each account in
// changes (manual grants stay), in one transaction with audit. A change's
// grants are kept as given, except: empty and repeated roles are dropped,
// the kind is rule or default, the IdP defaults to the account's and the
// time to the audit event's. Roles new to the catalogue are added.
// Accounts deleted meanwhile are skipped. audit (kind, outcome and time
// filled in when empty) is written whatever changed, its Detail followed
// by one line per changed account ("alice: +editor −admin").
func (db *DB) ReplaceRuleRoles(ctx context.Context, changes []core.RoleChange, audit core.Event) (core.Event, error) {
	audit = core.AuditDefaults(audit, db.now())
	err := db.inTx(ctx, func(w *writer) error {
		var lines []string
		for _, c := range changes {
			u, found, err := scanAccount(w.queryRow(qAccountByID, c.UserID))
			if err != nil {
				return fmt.Errorf("read account %d: %w", c.UserID, err)
			} else if !found {
				continue
			}
			stored, err := readGrants(w, c.UserID)
			if err != nil {
				return err
			}
			prev, _ := core.SplitGrants(stored)
			next := core.StoredRuleGrants(c.Roles, u.IdPSlug, audit.At)
			if err := replaceAutoGrants(w, c.UserID, stored, prev, next); err != nil {
				return err
			}
			if line := core.RoleChangeLine(u, prev, next); line != "" {
				lines = append(lines, line)
			}
		}
		if len(lines) == 0 {
			lines = []string{"no account's roles changed"}
		}
		audit.Detail = strings.TrimLeft(audit.Detail+"\n"+core.AuditDetail(lines), "\n")
		var err error
		audit.ID, err = insertEvent(w, audit)
		return err
	})
	if err != nil {
		return core.Event{}, fmt.Errorf("replace the rule grants of %s: %w", core.AccountCount(len(changes)), err)
	}
	return audit, nil
}

// revokeRuleGrants deletes the grants the rule ruleID of the IdP idpSlug
// made and returns how many, with a line for the audit event that says
// which roles of how many accounts went.
func revokeRuleGrants(w *writer, idpSlug, ruleID string) (int, string, error) {
	if ruleID == "" {
		return 0, "", core.Errorf(core.EINVALID, "Revoking a rule's grants needs the rule's ID.")
	}
	rows, err := w.query(`DELETE FROM user_roles WHERE kind = 'rule' AND idp_slug = ? AND rule_id = ? RETURNING role`,
		idpSlug, ruleID)
	roles, err := collect(rows, err, "revoke the grants of rule "+ruleID, func(s scanner) (string, error) {
		var r string
		return r, s.Scan(&r)
	})
	if err != nil {
		return 0, "", err
	}
	return len(roles), core.RuleRevocationLine(ruleID, roles), nil
}
