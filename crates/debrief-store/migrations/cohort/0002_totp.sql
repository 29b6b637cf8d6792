-- A second factor: a TOTP secret (RFC 6238, base32) once the account has set one up, and the
-- last time step a code was accepted for, so that no code is accepted twice.
ALTER TABLE accounts ADD COLUMN totp_secret TEXT;
ALTER TABLE accounts ADD COLUMN totp_step BIGINT NOT NULL DEFAULT 0;

-- A login whose password was right, waiting for its code (five minutes at most). The cookie
-- holds a random token; only its SHA-256 is kept.
CREATE TABLE pending_logins (
    id TEXT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created BIGINT NOT NULL
);
