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

const idpColumns = `id, slug, display_name, entity_id, metadata_xml, enabled, mapping_json, created_at, updated_at,
	metadata_source, metadata_url, refresh_every, refreshed_at, refresh_error, security_json`

// ListIdPs returns every IdP connection in the order they were added.
func (db *DB) ListIdPs(ctx context.Context) ([]core.IdP, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+idpColumns+` FROM identity_providers ORDER BY id`)
	return collect(rows, err, "list IdPs", scanIdP)
}

// GetIdP returns the IdP with slug, or an error with code ENOTFOUND.
func (db *DB) GetIdP(ctx context.Context, slug string) (core.IdP, error) {
	row := db.read.QueryRowContext(ctx, `SELECT `+idpColumns+` FROM identity_providers WHERE slug = ?`, slug)
	idp, err := scanIdP(row)
	if errors.Is(err, sql.ErrNoRows) {
		return core.IdP{}, core.Errorf(core.ENOTFOUND, "No identity provider is connected as %q.", slug)
	} else if err != nil {
		return core.IdP{}, fmt.Errorf("get IdP %q: %w", slug, err)
	}
	return idp, nil
}

// IdPVersion returns a number that changes whenever an IdP connection is
// added, changed or removed, by this process or another one on the same
// database: a cache of IdPs is good while it stays the same.
func (db *DB) IdPVersion(ctx context.Context) (int64, error) {
	var v int64
	if err := db.readRow(ctx, `SELECT version FROM idp_version WHERE id = 1`).Scan(&v); err != nil {
		return 0, fmt.Errorf("read the IdPs' version: %w", err)
	}
	return v, nil
}

// SaveIdP inserts idp, or updates the IdP with the same slug, and returns it
// as stored (with its ID and times). The roles its mapping names are added
// to the roles table. When the slug is new, accounts left from an earlier
// IdP with that slug belong to this one: their removed mark is cleared.
func (db *DB) SaveIdP(ctx context.Context, idp core.IdP) (core.IdP, error) {
	saved, _, _, err := db.saveIdP(ctx, idp, nil, nil)
	return saved, err
}

// SaveIdPAudited is SaveIdP, the revocation of every grant the rules
// revokeRuleIDs made at that IdP (manual grants are never touched), and
// the audit event audit (its detail gains a line per revoked rule), all in
// one transaction. It returns the IdP as stored, how many grants went and
// the event as stored.
func (db *DB) SaveIdPAudited(ctx context.Context, idp core.IdP, revokeRuleIDs []string, audit core.Event) (core.IdP, int, core.Event, error) {
	audit = core.AuditDefaults(audit, db.now())
	return db.saveIdP(ctx, idp, revokeRuleIDs, &audit)
}

// saveIdP is SaveIdP, then, when audit is set, the revocations and the
// audit event, in one transaction.
func (db *DB) saveIdP(ctx context.Context, idp core.IdP, revokeRuleIDs []string, audit *core.Event) (core.IdP, int, core.Event, error) {
	idp.Slug = strings.TrimSpace(idp.Slug)
	if idp.Slug == "" {
		return core.IdP{}, 0, core.Event{}, core.Errorf(core.EINVALID, "An identity provider needs a slug.")
	}
	mapping, err := json.Marshal(idp.Mapping)
	if err != nil {
		return core.IdP{}, 0, core.Event{}, fmt.Errorf("save IdP %q: encode mapping: %w", idp.Slug, err)
	}
	security, err := json.Marshal(idp.Security)
	if err != nil {
		return core.IdP{}, 0, core.Event{}, fmt.Errorf("save IdP %q: encode security settings: %w", idp.Slug, err)
	}
	var (
		saved   core.IdP
		revoked int
		ev      core.Event
	)
	err = db.inTx(ctx, func(w *writer) error {
		var err error
		if saved, err = putIdP(w, idp, string(mapping), string(security), nanos(db.now())); err != nil {
			return err
		}
		if audit == nil {
			return nil
		}
		ev = *audit
		if ev.IdPSlug == "" {
			ev.IdPSlug = idp.Slug
		}
		for _, id := range revokeRuleIDs {
			n, line, err := revokeRuleGrants(w, idp.Slug, id)
			if err != nil {
				return err
			}
			revoked += n
			ev.Detail = strings.TrimLeft(ev.Detail+"\n"+line, "\n")
		}
		ev.ID, err = insertEvent(w, ev)
		return err
	})
	if err != nil {
		return core.IdP{}, 0, core.Event{}, fmt.Errorf("save IdP %q: %w", idp.Slug, err)
	}
	return saved, revoked, ev, nil
}

// putIdP inserts idp, or updates the IdP with its slug, with its mapping
// and security settings encoded, in w's transaction; a new slug claims the
// accounts left from a removed IdP of that slug, and the roles the mapping
// names join the catalogue.
func putIdP(w *writer, idp core.IdP, mapping, security string, now int64) (core.IdP, error) {
	var exists bool
	if err := w.queryRow(`SELECT EXISTS (SELECT 1 FROM identity_providers WHERE slug = ?)`, idp.Slug).Scan(&exists); err != nil {
		return core.IdP{}, err
	}
	row := w.queryRow(`INSERT INTO identity_providers
		(slug, display_name, entity_id, metadata_xml, enabled, mapping_json, created_at, updated_at,
		 metadata_source, metadata_url, refresh_every, refreshed_at, refresh_error, security_json)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (slug) DO UPDATE SET
			display_name = excluded.display_name, entity_id = excluded.entity_id,
			metadata_xml = excluded.metadata_xml, enabled = excluded.enabled,
			mapping_json = excluded.mapping_json, updated_at = excluded.updated_at,
			metadata_source = excluded.metadata_source, metadata_url = excluded.metadata_url,
			refresh_every = excluded.refresh_every, refreshed_at = excluded.refreshed_at,
			refresh_error = excluded.refresh_error, security_json = excluded.security_json
		RETURNING `+idpColumns,
		idp.Slug, idp.DisplayName, idp.EntityID, idp.MetadataXML, idp.Enabled, mapping, now, now,
		idp.MetadataSource, idp.MetadataURL, int64(idp.RefreshEvery), nanos(idp.RefreshedAt), idp.RefreshError,
		security)
	saved, err := scanIdP(row)
	if err != nil {
		return core.IdP{}, err
	}
	if !exists {
		if _, err := w.exec(`UPDATE users SET idp_removed = 0 WHERE idp_slug = ? AND idp_removed = 1`, idp.Slug); err != nil {
			return core.IdP{}, fmt.Errorf("claim the accounts of a removed IdP: %w", err)
		}
	}
	// The roles the mapping names join the roles table.
	for _, role := range idp.Mapping.RolesNamed() {
		if err := ensureRole(w, role); err != nil {
			return core.IdP{}, err
		}
	}
	return saved, nil
}

// DeleteIdP removes the IdP connection with slug, in one transaction with
// marking its accounts as from a removed IdP (they stay, with their roles
// and logins, and so do its flight recorder entries). ENOTFOUND when no
// IdP has slug.
func (db *DB) DeleteIdP(ctx context.Context, slug string) error {
	err := db.inTx(ctx, func(w *writer) error {
		res, err := w.exec(`DELETE FROM identity_providers WHERE slug = ?`, slug)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return core.Errorf(core.ENOTFOUND, "No identity provider is connected as %q.", slug)
		}
		if err := db.hook("idp deleted"); err != nil {
			return err
		}
		if _, err := w.exec(`UPDATE users SET idp_removed = 1 WHERE idp_slug = ?`, slug); err != nil {
			return fmt.Errorf("mark its accounts: %w", err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete IdP %q: %w", slug, err)
	}
	return nil
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

func scanIdP(s scanner) (core.IdP, error) {
	var (
		idp                               core.IdP
		mapping, security                 string
		createdAt, updatedAt, refreshedAt int64
		refreshEvery                      int64
	)
	if err := s.Scan(&idp.ID, &idp.Slug, &idp.DisplayName, &idp.EntityID, &idp.MetadataXML,
		&idp.Enabled, &mapping, &createdAt, &updatedAt,
		&idp.MetadataSource, &idp.MetadataURL, &refreshEvery, &refreshedAt, &idp.RefreshError, &security); err != nil {
		return core.IdP{}, err
	}
	if err := json.Unmarshal([]byte(mapping), &idp.Mapping); err != nil {
		return core.IdP{}, fmt.Errorf("decode the mapping of IdP %q: %w", idp.Slug, err)
	}
	if err := json.Unmarshal([]byte(security), &idp.Security); err != nil {
		return core.IdP{}, fmt.Errorf("decode the security settings of IdP %q: %w", idp.Slug, err)
	}
	idp.CreatedAt, idp.UpdatedAt = fromNanos(createdAt), fromNanos(updatedAt)
	idp.RefreshEvery, idp.RefreshedAt = time.Duration(refreshEvery), fromNanos(refreshedAt)
	return idp, nil
}
