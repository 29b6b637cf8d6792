-- The first schema. Times are Unix seconds (UTC); lists are JSON arrays of strings; `uid` is a
-- random id that survives export and import, so importing the same export twice adds nothing.

CREATE TABLE stories (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uid TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    tags TEXT NOT NULL,
    questions TEXT NOT NULL,
    created BIGINT NOT NULL,
    updated BIGINT NOT NULL
);

-- Every saved version of a story, judged when it was saved. The last four columns are derived
-- from the judgment so that status and coverage never parse the judgments.
CREATE TABLE story_versions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    story_id BIGINT NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    version BIGINT NOT NULL,
    markdown TEXT NOT NULL,
    judgment TEXT NOT NULL,
    score BIGINT NOT NULL,
    verdict TEXT NOT NULL,
    competency_scores TEXT NOT NULL,
    red_competencies TEXT NOT NULL,
    red_signals TEXT NOT NULL,
    created BIGINT NOT NULL,
    UNIQUE (story_id, version)
);
CREATE INDEX story_versions_created ON story_versions (created);

CREATE TABLE failures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uid TEXT NOT NULL UNIQUE,
    mistake TEXT NOT NULL,
    impact TEXT NOT NULL,
    systemic_change TEXT NOT NULL,
    created BIGINT NOT NULL,
    updated BIGINT NOT NULL
);

-- Answers given in mock interviews: `kind` is `answer` (the interview's question) or
-- `follow-up` (a probe asked after it).
CREATE TABLE attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uid TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    question TEXT,
    answer TEXT NOT NULL,
    judgment TEXT NOT NULL,
    score BIGINT NOT NULL,
    verdict TEXT NOT NULL,
    competency_scores TEXT NOT NULL,
    red_competencies TEXT NOT NULL,
    red_signals TEXT NOT NULL,
    seconds BIGINT NOT NULL,
    created BIGINT NOT NULL
);
CREATE INDEX attempts_created ON attempts (created);

CREATE TABLE config (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
