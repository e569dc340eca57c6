-- 0005: retention and compact refusals.
--
-- A request that cannot be a login (unknown IdP, wrong method, no form,
-- no SAMLResponse) leaves a compact record: refusals of one class, IdP
-- slug and remote IP within a minute share one login row, one event and
-- one flight recorder entry, whose count says how many requests they
-- stand for. Retention deletes by age (events_at, logins_at,
-- recordings_at) and caps the flight recorder by the stored size of its
-- raw responses, oldest first.

ALTER TABLE events     ADD COLUMN count INTEGER NOT NULL DEFAULT 1;
ALTER TABLE logins     ADD COLUMN count INTEGER NOT NULL DEFAULT 1;
ALTER TABLE recordings ADD COLUMN count INTEGER NOT NULL DEFAULT 1;

-- The remote IP (no port) of a compact refusal; '' for every other login.
ALTER TABLE logins ADD COLUMN remote_ip TEXT NOT NULL DEFAULT '';
-- The find-and-bump of compact refusals. Partial: the login path writes
-- nothing to it.
CREATE INDEX logins_compact ON logins (remote_ip, idp_slug, class, at) WHERE remote_ip <> '';

-- Bytes of the raw response kept in recording_raw for this entry, so that
-- the recorder's size is summed over small rows.
ALTER TABLE recordings ADD COLUMN stored_size INTEGER NOT NULL DEFAULT 0;
UPDATE recordings SET stored_size = coalesce((SELECT length(raw) FROM recording_raw x WHERE x.id = recordings.id), 0);

-- Deleting an event sets the event_id of its login and recording to NULL:
-- without these indexes each deleted event would scan both tables.
CREATE INDEX logins_event ON logins (event_id);
CREATE INDEX recordings_event ON recordings (event_id);
