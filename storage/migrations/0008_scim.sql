-- 0008: SCIM beside JIT.
--
-- How each account was created: 'jit' (a first sign-in) or 'scim'
-- (pre-provisioned). The per-IdP SCIM bearer token, as its SHA-256 hash
-- only. The SCIM side of accounts: one row per account SCIM manages, the
-- resource as the IdP last sent it and the keys its filters look up.
-- Deleting the account deletes its SCIM row.

ALTER TABLE users ADD COLUMN provisioned_by TEXT NOT NULL DEFAULT 'jit';

CREATE TABLE scim_tokens (
	idp_slug   TEXT    PRIMARY KEY,
	token_hash BLOB    NOT NULL,
	created_at INTEGER NOT NULL
);

CREATE TABLE scim_users (
	user_id       INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
	idp_slug      TEXT    NOT NULL,
	scim_id       TEXT    NOT NULL UNIQUE,
	external_id   TEXT    NOT NULL DEFAULT '',
	external_key  TEXT    NOT NULL DEFAULT '',
	user_name     TEXT    NOT NULL,
	user_name_key TEXT    NOT NULL,
	email_key     TEXT    NOT NULL DEFAULT '',
	active        INTEGER NOT NULL,
	deprovisioned INTEGER NOT NULL DEFAULT 0,
	resource      TEXT    NOT NULL,
	created_at    INTEGER NOT NULL,
	updated_at    INTEGER NOT NULL
);
CREATE UNIQUE INDEX scim_users_name ON scim_users (idp_slug, user_name_key) WHERE deprovisioned = 0;
CREATE INDEX scim_users_external ON scim_users (idp_slug, external_key) WHERE deprovisioned = 0;
CREATE INDEX scim_users_email ON scim_users (idp_slug, email_key) WHERE deprovisioned = 0;

-- SCIM's deprovisioning joins the audit log (core.AuditKinds); the
-- index's condition is storage.auditKindsSQL word for word.
DROP INDEX events_audit;
CREATE INDEX events_audit ON events (at)
	WHERE kind = 'admin.change' OR kind = 'idp.registered' OR kind = 'idp.removed' OR kind = 'scim.deprovisioned';

-- An IdP's SCIM token and SCIM settings go with the IdP: a connection
-- added again under the same slug starts without a token (the old one
-- must not work again) and with the default account key and attribute
-- map (core.scimKeySetting, core.scimAttrMapSetting).
CREATE TRIGGER scim_token_goes_with_idp AFTER DELETE ON identity_providers
BEGIN
	DELETE FROM scim_tokens WHERE idp_slug = OLD.slug;
	DELETE FROM settings WHERE key IN ('scim.account_key.' || OLD.slug, 'scim.attribute_map.' || OLD.slug);
END;
