-- A mock interview as one thing: each follow-up attempt keeps the probe it answered, and the
-- interview's main answer keeps the verdict of the whole interview (its judgment as JSON).
ALTER TABLE attempts ADD COLUMN probe TEXT;
ALTER TABLE attempts ADD COLUMN overall TEXT;

-- Mock interviews in progress in the web app, timed by the server: the step being answered (0
-- the question, then each follow-up), when its countdown started (NULL until the candidate
-- starts it), the follow-ups chosen after the answer (a JSON list) and the attempts saved so far
-- (a JSON list of ids, the answer first).
CREATE TABLE mocks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    question TEXT NOT NULL,
    seconds BIGINT NOT NULL,
    probes TEXT NOT NULL DEFAULT '[]',
    step BIGINT NOT NULL DEFAULT 0,
    step_started BIGINT,
    attempts TEXT NOT NULL DEFAULT '[]',
    finished BIGINT,
    created BIGINT NOT NULL
);
