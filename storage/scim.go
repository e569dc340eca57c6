package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jitconsole/jitconsole/core"
)

// SetSCIMTokenHash stores the hash of an IdP's SCIM token in place of any
// old one, with the audit event.
func (db *DB) SetSCIMTokenHash(ctx context.Context, idpSlug string, hash []byte, audit core.Event) (core.Event, error) {
	err := db.inTx(ctx, func(w *writer) error {
		if _, err := w.exec(`INSERT INTO scim_tokens (idp_slug, token_hash, created_at) VALUES (?1, ?2, ?3)
			ON CONFLICT (idp_slug) DO UPDATE SET token_hash = ?2, created_at = ?3`, idpSlug, hash, nanos(audit.At)); err != nil {
			return fmt.Errorf("store SCIM token hash: %w", err)
		}
		id, err := insertEvent(w, audit)
		audit.ID = id
		return err
	})
	if err != nil {
		return core.Event{}, fmt.Errorf("set SCIM token of %s: %w", idpSlug, err)
	}
	return audit, nil
}

// SCIMTokenHash returns the hash of the IdP's SCIM token.
func (db *DB) SCIMTokenHash(ctx context.Context, idpSlug string) ([]byte, error) {
	var h []byte
	err := db.read.QueryRowContext(ctx, `SELECT token_hash FROM scim_tokens WHERE idp_slug = ?`, idpSlug).Scan(&h)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, core.Errorf(core.ENOTFOUND, "The IdP %s has no SCIM token.", idpSlug)
	} else if err != nil {
		return nil, fmt.Errorf("read SCIM token of %s: %w", idpSlug, err)
	}
	return h, nil
}

const scimColumns = `s.idp_slug, s.scim_id, s.external_id, s.user_name, s.active, s.deprovisioned, s.resource,
	s.created_at, s.updated_at, u.provisioned_by, u.id, u.name_id, u.username, u.email, u.display_name,
	u.given_name, u.family_name, u.disabled`

func scanSCIM(s scanner) (core.SCIMRecord, error) {
	var (
		r                core.SCIMRecord
		resource, byWhom string
		created, updated int64
	)
	err := s.Scan(&r.IdPSlug, &r.ID, &r.ExternalID, &r.UserName, &r.Active, &r.Deprovisioned, &resource,
		&created, &updated, &byWhom, &r.Account.ID, &r.Account.NameID, &r.Account.Username, &r.Account.Email,
		&r.Account.DisplayName, &r.Account.GivenName, &r.Account.FamilyName, &r.Account.Disabled)
	r.Resource, r.Created, r.Updated = []byte(resource), fromNanos(created), fromNanos(updated)
	r.CreatedBySCIM = byWhom == core.ProvisionedBySCIM
	r.Account.IdPSlug = r.IdPSlug
	r.Email = r.Account.Email
	return r, err
}

// CreateSCIMUser stores a new SCIM user: a new account, or the IdP's
// account with the NameID that no live SCIM user holds yet.
func (db *DB) CreateSCIMUser(ctx context.Context, r core.SCIMRecord, audit core.Event) (core.SCIMRecord, core.Event, error) {
	err := db.inTx(ctx, func(w *writer) error {
		if err := scimNameFree(w, r.IdPSlug, r.UserName, 0); err != nil {
			return err
		}
		a := r.Account
		var prev int64
		err := w.queryRow(`SELECT id FROM users WHERE idp_slug = ?1 AND name_key = ?2 ORDER BY name_id = ?3 DESC, id LIMIT 1`,
			r.IdPSlug, foldKey(a.NameID), a.NameID).Scan(&prev)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			err = w.queryRow(`INSERT INTO users (idp_slug, name_id, name_key, username, email, email_key, display_name,
				given_name, family_name, search_text, created_at, disabled, provisioned_by)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'scim') RETURNING id`,
				r.IdPSlug, a.NameID, foldKey(a.NameID), a.Username, a.Email, foldKey(a.Email), a.DisplayName,
				a.GivenName, a.FamilyName, searchText(a.Username, a.DisplayName, a.Email, a.NameID), nanos(r.Created), a.Disabled,
			).Scan(&r.Account.ID)
			if err != nil {
				return fmt.Errorf("insert account: %w", err)
			}
			r.CreatedBySCIM = true
		case err != nil:
			return fmt.Errorf("find account: %w", err)
		default:
			var taken int
			if err := w.queryRow(`SELECT count(*) FROM scim_users WHERE user_id = ? AND deprovisioned = 0`, prev).Scan(&taken); err != nil {
				return fmt.Errorf("find SCIM user: %w", err)
			}
			if taken > 0 {
				return core.Errorf(core.ECONFLICT, "The account %s of IdP %s is already a SCIM user.", a.NameID, r.IdPSlug)
			}
			var disabled, hadSCIM bool
			if err := w.queryRow(`SELECT disabled, EXISTS (SELECT 1 FROM scim_users WHERE user_id = ?1) FROM users WHERE id = ?1`,
				prev).Scan(&disabled, &hadSCIM); err != nil {
				return fmt.Errorf("read account %d: %w", prev, err)
			}
			if core.SCIMKeepsDisabled(r.Account.Disabled, disabled, hadSCIM) {
				r.Account.Disabled = true
				audit.Message += core.SCIMAdminWinsNote
			}
			if _, err := w.exec(`DELETE FROM scim_users WHERE user_id = ?`, prev); err != nil {
				return fmt.Errorf("drop deprovisioned SCIM user: %w", err)
			}
			r.Account.ID = prev
			if err := writeSCIMAccount(w, r); err != nil {
				return err
			}
		}
		if _, err := w.exec(`INSERT INTO scim_users (user_id, idp_slug, scim_id, external_id, external_key, user_name,
			user_name_key, email_key, active, deprovisioned, resource, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)`,
			r.Account.ID, r.IdPSlug, r.ID, r.ExternalID, foldKey(r.ExternalID), r.UserName, foldKey(r.UserName),
			foldKey(r.Email), r.Active, string(r.Resource), nanos(r.Created), nanos(r.Updated)); err != nil {
			return fmt.Errorf("insert SCIM user: %w", err)
		}
		if err := writeSCIMGrants(w, r, &audit); err != nil {
			return err
		}
		audit.UserID = r.Account.ID
		id, err := insertEvent(w, audit)
		audit.ID = id
		return err
	})
	if err != nil {
		return core.SCIMRecord{}, core.Event{}, fmt.Errorf("create SCIM user %q: %w", r.UserName, err)
	}
	saved, err := db.SCIMUser(ctx, r.IdPSlug, r.ID)
	return saved, audit, err
}

// scimNameFree is nil when no live SCIM user of the IdP but the account
// except has userName, ECONFLICT otherwise.
func scimNameFree(w *writer, idpSlug, userName string, except int64) error {
	var n int
	if err := w.queryRow(`SELECT count(*) FROM scim_users WHERE idp_slug = ? AND user_name_key = ? AND deprovisioned = 0 AND user_id <> ?`,
		idpSlug, foldKey(userName), except).Scan(&n); err != nil {
		return fmt.Errorf("check userName: %w", err)
	}
	if n > 0 {
		return core.Errorf(core.ECONFLICT, "A user with userName %q already exists for IdP %s.", userName, idpSlug)
	}
	return nil
}

// writeSCIMAccount writes the account fields SCIM sets.
func writeSCIMAccount(w *writer, r core.SCIMRecord) error {
	a := r.Account
	var other int
	if err := w.queryRow(`SELECT count(*) FROM users WHERE idp_slug = ? AND name_key = ? AND name_id = ? AND id <> ?`,
		r.IdPSlug, foldKey(a.NameID), a.NameID, a.ID).Scan(&other); err != nil {
		return fmt.Errorf("check account key: %w", err)
	}
	if other > 0 {
		return core.Errorf(core.ECONFLICT, "Another account of IdP %s has the account key %q.", r.IdPSlug, a.NameID)
	}
	res, err := w.exec(`UPDATE users SET name_id = ?2, name_key = ?3, username = ?4, email = ?5, email_key = ?6,
		display_name = ?7, given_name = ?8, family_name = ?9, search_text = ?10, disabled = ?11 WHERE id = ?1`,
		a.ID, a.NameID, foldKey(a.NameID), a.Username, a.Email, foldKey(a.Email), a.DisplayName, a.GivenName, a.FamilyName,
		searchText(a.Username, a.DisplayName, a.Email, a.NameID), a.Disabled)
	if err != nil {
		return fmt.Errorf("update account %d: %w", a.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return core.Errorf(core.ENOTFOUND, "The account of SCIM user %s is gone.", r.ID)
	}
	return nil
}

// writeSCIMGrants makes r.Grants the account's rule and default grants
// when r.ReplaceGrants (its manual grants stay, as at a sign-in) and adds
// the roles added and removed to the event.
func writeSCIMGrants(w *writer, r core.SCIMRecord, audit *core.Event) error {
	if !r.ReplaceGrants {
		return nil
	}
	stored, err := readGrants(w, r.Account.ID)
	if err != nil {
		return err
	}
	auto, _ := core.SplitGrants(stored)
	if err := replaceAutoGrants(w, r.Account.ID, stored, auto, r.Grants); err != nil {
		return err
	}
	if diff := core.RoleDiffText(core.RoleDiff(auto, r.Grants)); diff != "" {
		audit.Message += "; roles " + diff
	}
	return nil
}

// SCIMUser returns the live SCIM user of the IdP with scimID.
func (db *DB) SCIMUser(ctx context.Context, idpSlug, scimID string) (core.SCIMRecord, error) {
	r, err := scanSCIM(db.read.QueryRowContext(ctx, `SELECT `+scimColumns+` FROM scim_users s JOIN users u ON u.id = s.user_id
		WHERE s.scim_id = ? AND s.idp_slug = ? AND s.deprovisioned = 0`, scimID, idpSlug))
	if errors.Is(err, sql.ErrNoRows) {
		return core.SCIMRecord{}, core.Errorf(core.ENOTFOUND, "There is no SCIM user %s of IdP %s.", scimID, idpSlug)
	} else if err != nil {
		return core.SCIMRecord{}, fmt.Errorf("read SCIM user %s: %w", scimID, err)
	}
	return r, nil
}

// ListSCIMUsers returns q's page of the live SCIM users of the IdP that q
// selects, and how many it selects.
func (db *DB) ListSCIMUsers(ctx context.Context, idpSlug string, q core.SCIMQuery) ([]core.SCIMRecord, int, error) {
	where := `s.idp_slug = ?1 AND s.deprovisioned = 0
		AND (?2 = '' OR s.user_name_key = ?2) AND (?3 = '' OR s.external_key = ?3) AND (?4 = '' OR s.email_key = ?4)`
	args := []any{idpSlug, foldKey(q.UserName), foldKey(q.ExternalID), foldKey(q.Email)}
	var total int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM scim_users s WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count SCIM users of %s: %w", idpSlug, err)
	}
	limit := q.Count
	if limit < 0 {
		limit = -1
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+scimColumns+` FROM scim_users s JOIN users u ON u.id = s.user_id
		WHERE `+where+` ORDER BY s.created_at, s.user_id LIMIT ?5 OFFSET ?6`, append(args, limit, max(q.Offset, 0))...)
	recs, err := collect(rows, err, "list SCIM users of "+idpSlug, scanSCIM)
	return recs, total, err
}

// UpdateSCIMUser writes r and its account's fields with the event.
func (db *DB) UpdateSCIMUser(ctx context.Context, r core.SCIMRecord, audit core.Event) (core.SCIMRecord, core.Event, error) {
	err := db.inTx(ctx, func(w *writer) error {
		var disabled, active bool
		err := w.queryRow(`SELECT s.user_id, u.disabled, s.active FROM scim_users s JOIN users u ON u.id = s.user_id
			WHERE s.idp_slug = ? AND s.scim_id = ? AND s.deprovisioned = 0`,
			r.IdPSlug, r.ID).Scan(&r.Account.ID, &disabled, &active)
		if errors.Is(err, sql.ErrNoRows) {
			return core.Errorf(core.ENOTFOUND, "There is no SCIM user %s of IdP %s.", r.ID, r.IdPSlug)
		} else if err != nil {
			return fmt.Errorf("find SCIM user: %w", err)
		}
		if !r.Deprovisioned {
			if err := scimNameFree(w, r.IdPSlug, r.UserName, r.Account.ID); err != nil {
				return err
			}
		}
		if core.SCIMKeepsDisabled(r.Account.Disabled, disabled, !active) {
			r.Account.Disabled = true
			audit.Message += core.SCIMAdminWinsNote
		}
		_, err = w.exec(`UPDATE scim_users SET external_id = ?3, external_key = ?4, user_name = ?5, user_name_key = ?6,
			email_key = ?7, active = ?8, deprovisioned = ?9, resource = ?10, updated_at = ?11
			WHERE idp_slug = ?1 AND scim_id = ?2 AND deprovisioned = 0`,
			r.IdPSlug, r.ID, r.ExternalID, foldKey(r.ExternalID), r.UserName, foldKey(r.UserName), foldKey(r.Email),
			r.Active, r.Deprovisioned, string(r.Resource), nanos(r.Updated))
		if err != nil {
			return fmt.Errorf("update SCIM user: %w", err)
		}
		if err := writeSCIMAccount(w, r); err != nil {
			return err
		}
		if err := writeSCIMGrants(w, r, &audit); err != nil {
			return err
		}
		id, err := insertEvent(w, audit)
		audit.ID = id
		return err
	})
	if err != nil {
		return core.SCIMRecord{}, core.Event{}, fmt.Errorf("update SCIM user %s: %w", r.ID, err)
	}
	if r.Deprovisioned {
		return r, audit, nil
	}
	saved, err := db.SCIMUser(ctx, r.IdPSlug, r.ID)
	return saved, audit, err
}
