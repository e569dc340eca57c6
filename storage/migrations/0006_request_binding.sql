-- 0006: a tracked request remembers the browser that started it: binding
-- is the SHA-256 (hex) of the login-binding cookie set at
-- /saml/{idp}/login, or '' where the binding is off (plain http on a host
-- that is not loopback). The ACS accepts the RelayState token only with
-- the same cookie (login CSRF).

ALTER TABLE request_tracker ADD COLUMN binding TEXT NOT NULL DEFAULT '';
