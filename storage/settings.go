package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jitconsole/jitconsole/core"
)

// ListPersonas returns the demo IdP's personas in the order they were
// first saved.
func (db *DB) ListPersonas(ctx context.Context) ([]core.Persona, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, data FROM personas ORDER BY position`)
	return collect(rows, err, "list personas", func(s scanner) (core.Persona, error) {
		var id, data string
		var p core.Persona
		if err := s.Scan(&id, &data); err != nil {
			return p, err
		}
		if err := json.Unmarshal([]byte(data), &p); err != nil {
			return p, fmt.Errorf("decode %q: %w", id, err)
		}
		p.ID = id
		return p, nil
	})
}

// SavePersona inserts p, or replaces the persona with p's ID in its place.
func (db *DB) SavePersona(ctx context.Context, p core.Persona) error {
	if p.ID == "" {
		return core.Errorf(core.EINVALID, "A persona needs an ID.")
	}
	data, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("save persona %q: encode: %w", p.ID, err)
	}
	_, err = db.write.ExecContext(ctx, `INSERT INTO personas (id, position, data)
		VALUES (?, (SELECT coalesce(max(position), 0) + 1 FROM personas), ?)
		ON CONFLICT (id) DO UPDATE SET data = excluded.data`, p.ID, string(data))
	if err != nil {
		return fmt.Errorf("save persona %q: %w", p.ID, err)
	}
	return nil
}

// DeletePersona deletes the persona with id; ENOTFOUND when there is none.
func (db *DB) DeletePersona(ctx context.Context, id string) error {
	res, err := db.write.ExecContext(ctx, `DELETE FROM personas WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("delete persona %q: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("delete persona %q: %w", id, err)
	} else if n == 0 {
		return core.Errorf(core.ENOTFOUND, "There is no persona %q.", id)
	}
	return nil
}

// GetSetting returns the value of key; ENOTFOUND when key is unset.
func (db *DB) GetSetting(ctx context.Context, key string) (string, error) {
	var v string
	err := db.read.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", core.Errorf(core.ENOTFOUND, "The setting %q is not set.", key)
	} else if err != nil {
		return "", fmt.Errorf("read setting %q: %w", key, err)
	}
	return v, nil
}

// SetSetting sets key to value.
func (db *DB) SetSetting(ctx context.Context, key, value string) error {
	if key == "" {
		return core.Errorf(core.EINVALID, "A setting needs a key.")
	}
	_, err := db.write.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	if err != nil {
		return fmt.Errorf("save setting %q: %w", key, err)
	}
	return nil
}
