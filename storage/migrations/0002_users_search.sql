-- 0002: substring search over accounts with an FTS5 trigram index.
-- users.search_text is lower-cased by the application, so the index is
-- case-sensitive. It is re-indexed only when that text changes: a repeat
-- login with the same name and email costs no index work.

CREATE VIRTUAL TABLE users_search USING fts5 (
	search_text,
	content = 'users',
	content_rowid = 'id',
	tokenize = 'trigram case_sensitive 1'
);
INSERT INTO users_search (users_search) VALUES ('rebuild');

CREATE TRIGGER users_search_insert AFTER INSERT ON users BEGIN
	INSERT INTO users_search (rowid, search_text) VALUES (new.id, new.search_text);
END;

CREATE TRIGGER users_search_delete AFTER DELETE ON users BEGIN
	INSERT INTO users_search (users_search, rowid, search_text) VALUES ('delete', old.id, old.search_text);
END;

CREATE TRIGGER users_search_update AFTER UPDATE OF search_text ON users
WHEN old.search_text IS NOT new.search_text BEGIN
	INSERT INTO users_search (users_search, rowid, search_text) VALUES ('delete', old.id, old.search_text);
	INSERT INTO users_search (rowid, search_text) VALUES (new.id, new.search_text);
END;
