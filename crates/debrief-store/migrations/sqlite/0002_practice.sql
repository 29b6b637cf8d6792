-- Practice: flashcard reviews with each card's current FSRS memory, and timed explanations.
-- Times are Unix seconds (UTC).

-- Every flashcard review, as rated, with the memory state and due time it led to.
CREATE TABLE reviews (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uid TEXT NOT NULL UNIQUE,
    card TEXT NOT NULL,
    deck TEXT NOT NULL,
    rating BIGINT NOT NULL,
    due BIGINT NOT NULL,
    stability DOUBLE PRECISION NOT NULL,
    difficulty DOUBLE PRECISION NOT NULL,
    elapsed_days BIGINT NOT NULL,
    reviewed BIGINT NOT NULL
);
CREATE INDEX reviews_card ON reviews (card);

-- Each reviewed card's current memory state: the last review's result, kept so that due counts
-- never replay the review log.
CREATE TABLE card_states (
    card TEXT PRIMARY KEY,
    deck TEXT NOT NULL,
    due BIGINT NOT NULL,
    stability DOUBLE PRECISION NOT NULL,
    difficulty DOUBLE PRECISION NOT NULL,
    reviews BIGINT NOT NULL,
    lapses BIGINT NOT NULL,
    last_review BIGINT NOT NULL
);
CREATE INDEX card_states_due ON card_states (due);

-- Timed explanations of a topic and their judgment (`debrief explain`).
CREATE TABLE explanations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uid TEXT NOT NULL UNIQUE,
    topic TEXT NOT NULL,
    text TEXT NOT NULL,
    judgment TEXT NOT NULL,
    score BIGINT NOT NULL,
    passed BOOLEAN NOT NULL,
    seconds BIGINT NOT NULL,
    created BIGINT NOT NULL
);
CREATE INDEX explanations_created ON explanations (created);
