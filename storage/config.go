package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jitconsole/jitconsole/core"
)

// ApplyConfig makes every change of a config plan, in order, each with
// its audit event, in one transaction, and returns the events as stored.
// On any error (deleting a held role is ECONFLICT, an unknown IdP or role
// ENOTFOUND) nothing changed.
func (db *DB) ApplyConfig(ctx context.Context, changes []core.ConfigChange) ([]core.Event, error) {
	var events []core.Event
	err := db.inTx(ctx, func(w *writer) error {
		events = events[:0]
		for i, ch := range changes {
			if err := db.hook("config change"); err != nil {
				return err
			}
			if err := db.applyConfigChange(w, ch); err != nil {
				return fmt.Errorf("change %d (%s %s): %w", i+1, ch.Kind, changeName(ch), err)
			}
			ev := core.AuditDefaults(ch.Audit, db.now())
			var err error
			if ev.ID, err = insertEvent(w, ev); err != nil {
				return err
			}
			events = append(events, ev)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("apply the config: %w", err)
	}
	return events, nil
}

func changeName(ch core.ConfigChange) string {
	if ch.Kind == core.ConfigSaveIdP {
		return ch.IdP.Slug
	}
	return ch.Name
}

// applyConfigChange makes one change in w's transaction.
func (db *DB) applyConfigChange(w *writer, ch core.ConfigChange) error {
	switch ch.Kind {
	case core.ConfigSaveRole:
		if ch.Name == "" {
			return core.Errorf(core.EINVALID, "A role needs a name.")
		}
		_, err := w.exec(`INSERT INTO roles (name, description) VALUES (?, ?)
			ON CONFLICT (name) DO UPDATE SET description = excluded.description`, ch.Name, ch.Description)
		return err
	case core.ConfigDeleteRole:
		var description string
		err := w.queryRow(`SELECT description FROM roles WHERE name = ?`, ch.Name).Scan(&description)
		if errors.Is(err, sql.ErrNoRows) {
			return core.NoSuchRole(ch.Name)
		} else if err != nil {
			return err
		}
		n, err := holders(w, ch.Name)
		if err != nil {
			return err
		}
		if n > 0 {
			return core.RoleHeld(ch.Name, n)
		}
		_, err = w.exec(`DELETE FROM roles WHERE name = ?`, ch.Name)
		return err
	case core.ConfigSaveIdP:
		if ch.IdP.Slug == "" {
			return core.Errorf(core.EINVALID, "An identity provider needs a slug.")
		}
		mapping, err := json.Marshal(ch.IdP.Mapping)
		if err != nil {
			return fmt.Errorf("encode mapping: %w", err)
		}
		security, err := json.Marshal(ch.IdP.Security)
		if err != nil {
			return fmt.Errorf("encode security settings: %w", err)
		}
		_, err = putIdP(w, ch.IdP, string(mapping), string(security), nanos(db.now()))
		return err
	case core.ConfigDeleteIdP:
		res, err := w.exec(`DELETE FROM identity_providers WHERE slug = ?`, ch.Name)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return core.Errorf(core.ENOTFOUND, "No identity provider is connected as %q.", ch.Name)
		}
		_, err = w.exec(`UPDATE users SET idp_removed = 1 WHERE idp_slug = ?`, ch.Name)
		return err
	case core.ConfigSetSetting:
		if ch.Name == "" {
			return core.Errorf(core.EINVALID, "A setting needs a key.")
		}
		_, err := w.exec(`INSERT INTO settings (key, value) VALUES (?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, ch.Name, ch.Value)
		return err
	}
	return core.Errorf(core.EINVALID, "Unknown config change %q.", ch.Kind)
}
