-- 0001: the first schema of JIT Console.
-- Times are Unix nanoseconds (INTEGER, UTC); 0 means "never".

CREATE TABLE identity_providers (
	id           INTEGER PRIMARY KEY,
	slug         TEXT    NOT NULL UNIQUE CHECK (slug <> ''),
	display_name TEXT    NOT NULL DEFAULT '',
	entity_id    TEXT    NOT NULL DEFAULT '',
	metadata_xml TEXT    NOT NULL DEFAULT '',
	enabled      INTEGER NOT NULL DEFAULT 1,
	-- core.Mapping as JSON, role rules included (they are ordered and
	-- always read and written with the mapping).
	mapping_json TEXT    NOT NULL DEFAULT '{}',
	created_at   INTEGER NOT NULL,
	updated_at   INTEGER NOT NULL
);

-- Every role name ever granted or named by a rule.
CREATE TABLE roles (
	id          INTEGER PRIMARY KEY,
	name        TEXT NOT NULL UNIQUE CHECK (name <> ''),
	description TEXT NOT NULL DEFAULT ''
);

-- Accounts. idp_slug is not a foreign key: accounts outlive the IdP
-- connection that made them (idp_removed marks them then).
CREATE TABLE users (
	id            INTEGER PRIMARY KEY,
	idp_slug      TEXT    NOT NULL,
	name_id       TEXT    NOT NULL,
	username      TEXT    NOT NULL DEFAULT '',
	email         TEXT    NOT NULL DEFAULT '',
	display_name  TEXT    NOT NULL DEFAULT '',
	-- lower-cased username, display name, email and NameID, for search.
	search_text   TEXT    NOT NULL DEFAULT '',
	created_at    INTEGER NOT NULL,
	last_login_at INTEGER NOT NULL DEFAULT 0,
	login_count   INTEGER NOT NULL DEFAULT 0,
	idp_removed   INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX users_identity ON users (idp_slug, name_id);
CREATE INDEX users_created ON users (created_at, id);
CREATE INDEX users_idp_created ON users (idp_slug, created_at, id);

CREATE TABLE user_roles (
	user_id  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	position INTEGER NOT NULL,
	role     TEXT    NOT NULL REFERENCES roles (name) ON UPDATE CASCADE,
	source   TEXT    NOT NULL DEFAULT '',
	PRIMARY KEY (user_id, role)
) WITHOUT ROWID;
CREATE INDEX user_roles_role ON user_roles (role);

-- The attributes of the last accepted assertion; position keeps value order.
CREATE TABLE user_attributes (
	user_id  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	name     TEXT    NOT NULL,
	position INTEGER NOT NULL,
	value    TEXT    NOT NULL,
	PRIMARY KEY (user_id, name, position)
) WITHOUT ROWID;

-- The audit log and live feed.
CREATE TABLE events (
	id       INTEGER PRIMARY KEY,
	at       INTEGER NOT NULL,
	kind     TEXT    NOT NULL,
	outcome  TEXT    NOT NULL DEFAULT '',
	idp_slug TEXT    NOT NULL DEFAULT '',
	user_id  INTEGER REFERENCES users (id) ON DELETE SET NULL,
	subject  TEXT    NOT NULL DEFAULT '',
	message  TEXT    NOT NULL DEFAULT '',
	detail   TEXT    NOT NULL DEFAULT '',
	class    TEXT    NOT NULL DEFAULT '' -- refusal class of a refused login
);
CREATE INDEX events_at ON events (at);

-- Every ACS attempt, accepted or refused.
CREATE TABLE logins (
	id           INTEGER PRIMARY KEY,
	at           INTEGER NOT NULL,
	idp_slug     TEXT    NOT NULL DEFAULT '',
	user_id      INTEGER REFERENCES users (id) ON DELETE SET NULL,
	name_id      TEXT    NOT NULL DEFAULT '',
	outcome      TEXT    NOT NULL CHECK (outcome IN ('accepted', 'refused')),
	class        TEXT    NOT NULL DEFAULT '',
	reason       TEXT    NOT NULL DEFAULT '',
	assertion_id TEXT    NOT NULL DEFAULT '',
	event_id     INTEGER REFERENCES events (id) ON DELETE SET NULL
);
-- (at, outcome) lets the dashboard counters and the per-minute chart count
-- from the index alone.
CREATE INDEX logins_at ON logins (at, outcome);
CREATE INDEX logins_user ON logins (user_id, at);

-- Assertion IDs seen, until they expire (replay protection).
CREATE TABLE replay_cache (
	id         TEXT    PRIMARY KEY,
	expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX replay_cache_expires ON replay_cache (expires_at);

-- Single-use RelayState tokens of SP-initiated logins. A used token is
-- kept (uses > 0) until it expires, so that a second use is recognised.
CREATE TABLE request_tracker (
	token      TEXT    PRIMARY KEY,
	request_id TEXT    NOT NULL,
	idp_slug   TEXT    NOT NULL,
	expires_at INTEGER NOT NULL,
	uses       INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX request_tracker_expires ON request_tracker (expires_at);

-- People of the demo IdP, as core.Persona JSON, in insertion order.
CREATE TABLE personas (
	id       TEXT    PRIMARY KEY,
	position INTEGER NOT NULL,
	data     TEXT    NOT NULL
) WITHOUT ROWID;

CREATE TABLE settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;
