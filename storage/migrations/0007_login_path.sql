-- 0007: what the login path reads once per request, made cheap.
--
-- A version number of the IdP connections, counted up by triggers on every
-- change to identity_providers, whoever makes it (the console, or a CLI
-- command beside it). The ACS keeps the IdPs in memory and reads only this
-- number per login: a different number means reload.

CREATE TABLE idp_version (
	id      INTEGER PRIMARY KEY CHECK (id = 1),
	version INTEGER NOT NULL
);
INSERT INTO idp_version (id, version) VALUES (1, 1);

CREATE TRIGGER idp_version_insert AFTER INSERT ON identity_providers
BEGIN UPDATE idp_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER idp_version_update AFTER UPDATE ON identity_providers
BEGIN UPDATE idp_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER idp_version_delete AFTER DELETE ON identity_providers
BEGIN UPDATE idp_version SET version = version + 1 WHERE id = 1; END;

-- AppendCoalescedEvent (a sign-in started, once per address and minute)
-- finds the event to count on by this index, not by scanning every event
-- of the last minute: under load those are thousands. It leads with the
-- subject (the address), so that queries by kind or IdP (the audit log)
-- keep their own index.
CREATE INDEX events_coalesce ON events (subject, idp_slug, kind, at);
