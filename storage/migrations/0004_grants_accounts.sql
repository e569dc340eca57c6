-- 0004: role provenance (rule, default and manual grants side by side),
-- account status, given and family names and warnings, case-insensitive
-- account keys, and the indexes of the Users screen's filters and the
-- audit log.
--
-- jitconsole_lower is registered by the storage package: Go's
-- strings.ToLower, the same folding the application uses for name_key and
-- email_key (SQLite's lower() folds ASCII only).

ALTER TABLE users ADD COLUMN given_name  TEXT    NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN family_name TEXT    NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN disabled    INTEGER NOT NULL DEFAULT 0;
-- The warnings of the last login as a JSON array of strings; '' for none.
ALTER TABLE users ADD COLUMN warnings    TEXT    NOT NULL DEFAULT '';
-- Lower-cased name_id and email: case-insensitive key lookup (per IdP),
-- linking by email and the "email used by another IdP" warning.
ALTER TABLE users ADD COLUMN name_key    TEXT    NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN email_key   TEXT    NOT NULL DEFAULT '';

UPDATE users SET name_key = jitconsole_lower(name_id), email_key = jitconsole_lower(email);

-- The account key, exact or case-insensitive: (idp_slug, name_key) finds
-- every case of a NameID, (idp_slug, name_key, name_id) exactly one. It
-- replaces users_identity: as name_key is a function of name_id, it is
-- unique exactly when (idp_slug, name_id) is, and a login writes one index
-- instead of two. With case-sensitive matching an IdP may have accounts
-- whose NameIDs differ only by case.
DROP INDEX users_identity;
CREATE UNIQUE INDEX users_key ON users (idp_slug, name_key, name_id);
CREATE INDEX users_email_key ON users (email_key, idp_slug) WHERE email_key <> '';
-- The stale-accounts view (last login, or creation if never, before T).
CREATE INDEX users_last_login ON users (last_login_at);
-- The status and warnings filters, in the Users screen's order. Partial:
-- a login of an active account without warnings writes neither.
CREATE INDEX users_disabled ON users (created_at, id) WHERE disabled = 1;
CREATE INDEX users_warned ON users (created_at, id) WHERE warnings <> '';

-- One row per grant. A role may be held twice by one account, once by a
-- rule (or the default role) and once pinned manually: both facts stay.
-- login_id is not a foreign key: logins are never deleted, and the login
-- path stays free of the check.
CREATE TABLE user_roles_v4 (
	user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	role       TEXT    NOT NULL REFERENCES roles (name) ON UPDATE CASCADE,
	kind       TEXT    NOT NULL DEFAULT 'rule' CHECK (kind IN ('rule', 'default', 'manual')),
	position   INTEGER NOT NULL DEFAULT 0,
	source     TEXT    NOT NULL DEFAULT '',
	rule_id    TEXT    NOT NULL DEFAULT '', -- core.RoleRule.ID of a rule grant
	rule_index INTEGER NOT NULL DEFAULT 0,  -- 1-based rule number when granted
	idp_slug   TEXT    NOT NULL DEFAULT '', -- whose mapping granted it (rule, default)
	login_id   INTEGER,                     -- the login that granted it (rule, default)
	granted_by TEXT    NOT NULL DEFAULT '', -- the OS user of a manual grant
	granted_at INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (user_id, role, kind)
) WITHOUT ROWID;

-- Existing grants were made by rules, or by the default role; their
-- provenance is the account's IdP and latest accepted login.
INSERT INTO user_roles_v4
	(user_id, role, kind, position, source, rule_id, rule_index, idp_slug, login_id, granted_by, granted_at)
SELECT r.user_id, r.role,
	CASE WHEN r.source = 'default role' THEN 'default' ELSE 'rule' END,
	r.position, r.source, '',
	CASE WHEN r.source LIKE 'rule %' THEN CAST(substr(r.source, 6) AS INTEGER) ELSE 0 END,
	u.idp_slug,
	(SELECT max(l.id) FROM logins l WHERE l.user_id = r.user_id AND l.outcome = 'accepted'),
	'', u.last_login_at
FROM user_roles r JOIN users u ON u.id = r.user_id;

DROP TABLE user_roles;
ALTER TABLE user_roles_v4 RENAME TO user_roles;
CREATE INDEX user_roles_role ON user_roles (role);

-- The audit log: admin changes and IdP connections and removals, few
-- among many login events. ListEvents repeats this condition word for
-- word (storage.auditKindsSQL) so that SQLite can use the index.
CREATE INDEX events_audit ON events (at)
	WHERE kind = 'admin.change' OR kind = 'idp.registered' OR kind = 'idp.removed';
