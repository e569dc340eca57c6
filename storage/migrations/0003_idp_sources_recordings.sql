-- 0003: where an IdP's metadata comes from and its security settings; the
-- flight recorder.

ALTER TABLE identity_providers ADD COLUMN metadata_source TEXT    NOT NULL DEFAULT '';
ALTER TABLE identity_providers ADD COLUMN metadata_url    TEXT    NOT NULL DEFAULT '';
-- nanoseconds; 0 means core.DefaultRefreshEvery
ALTER TABLE identity_providers ADD COLUMN refresh_every   INTEGER NOT NULL DEFAULT 0;
ALTER TABLE identity_providers ADD COLUMN refreshed_at    INTEGER NOT NULL DEFAULT 0;
ALTER TABLE identity_providers ADD COLUMN refresh_error   TEXT    NOT NULL DEFAULT '';
-- core.IdPSecurity as JSON: a flag added later reads as false.
ALTER TABLE identity_providers ADD COLUMN security_json   TEXT    NOT NULL DEFAULT '{}';

-- One entry per ACS request: what verification and provisioning made of
-- it. The raw response is in recording_raw, so that lists and filters
-- page through small rows only.
CREATE TABLE recordings (
	id            INTEGER PRIMARY KEY,
	at            INTEGER NOT NULL,
	idp_slug      TEXT    NOT NULL DEFAULT '',
	login_id      INTEGER REFERENCES logins (id) ON DELETE SET NULL,
	event_id      INTEGER REFERENCES events (id) ON DELETE SET NULL,
	user_id       INTEGER REFERENCES users (id) ON DELETE SET NULL,
	name_id       TEXT    NOT NULL DEFAULT '',
	outcome       TEXT    NOT NULL CHECK (outcome IN ('accepted', 'refused')),
	action        TEXT    NOT NULL DEFAULT '', -- 'created', 'updated' or ''
	class         TEXT    NOT NULL DEFAULT '',
	reason        TEXT    NOT NULL DEFAULT '',
	hint          TEXT    NOT NULL DEFAULT '',
	detail        TEXT    NOT NULL DEFAULT '',
	weak          INTEGER NOT NULL DEFAULT 0,
	remote_addr   TEXT    NOT NULL DEFAULT '',
	raw_size      INTEGER NOT NULL DEFAULT 0, -- bytes as received
	raw_truncated INTEGER NOT NULL DEFAULT 0,
	-- lower-cased NameID, class and reason, for search.
	search_text   TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX recordings_at ON recordings (at);
CREATE INDEX recordings_idp_at ON recordings (idp_slug, at);
CREATE INDEX recordings_login ON recordings (login_id);

-- The raw SAMLResponse of a recording, at most core.MaxRecordedResponse
-- bytes; no row when nothing was received.
CREATE TABLE recording_raw (
	id  INTEGER PRIMARY KEY REFERENCES recordings (id) ON DELETE CASCADE,
	raw BLOB    NOT NULL
);
