-- A cohort server's own tables, in the schema debrief_cohort (PostgreSQL only). Each account's
-- stories, attempts and reviews live in a schema of their own, owned by a role of their own;
-- these tables say who the accounts are and who may see what. Times are Unix seconds (UTC).

-- One row: a random name for this cohort, which prefixes its accounts' database roles (roles are
-- shared by every database on the server; schemas are not).
CREATE TABLE cohort (
    name TEXT NOT NULL
);

CREATE TABLE accounts (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- Lower-cased; the login name.
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('candidate', 'coach', 'admin')),
    -- An argon2id PHC string; never the password.
    password TEXT NOT NULL,
    created BIGINT NOT NULL,
    -- Bumped by every change of password or role: sessions made before it end.
    generation BIGINT NOT NULL DEFAULT 0
);

-- Server-side sessions. The cookie holds a random token; only its SHA-256 is kept here.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    csrf TEXT NOT NULL,
    generation BIGINT NOT NULL,
    created BIGINT NOT NULL,
    last_seen BIGINT NOT NULL,
    user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_account ON sessions (account_id);

-- Failed logins, by what they were counted against (an email with the client's address, or the
-- address alone), for throttling shared by every instance.
CREATE TABLE login_failures (
    key TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (key, at);

CREATE TABLE invitations (
    -- SHA-256 of the token in the link.
    id TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('candidate', 'coach', 'admin')),
    created_by BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    created BIGINT NOT NULL,
    expires BIGINT NOT NULL,
    -- The coach a candidate invited by a coach is assigned to on joining.
    coach_id BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    used_by BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    used BIGINT
);

-- A coach's assignment to a candidate, from `created` until `ended` (NULL while it lasts).
CREATE TABLE assignments (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    coach_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    candidate_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created BIGINT NOT NULL,
    ended BIGINT
);
CREATE UNIQUE INDEX assignments_active ON assignments (coach_id, candidate_id) WHERE ended IS NULL;

-- A coach's comment on one version of a shared story.
CREATE TABLE comments (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    candidate_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    story_id BIGINT NOT NULL,
    version BIGINT NOT NULL,
    coach_id BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    coach_name TEXT NOT NULL,
    body TEXT NOT NULL,
    created BIGINT NOT NULL
);
CREATE INDEX comments_story ON comments (candidate_id, story_id);

-- Every read of a candidate's data by someone else, which the candidate can see.
CREATE TABLE audit (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at BIGINT NOT NULL,
    subject_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    actor_id BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    actor_name TEXT NOT NULL,
    action TEXT NOT NULL
);
CREATE INDEX audit_subject ON audit (subject_id, at);
