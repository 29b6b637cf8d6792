-- Flashcards of the candidate's own, imported from Anki (`debrief cards import`): drilled and
-- scheduled like the pack's, their reviews kept in `reviews` under the card's id.
CREATE TABLE user_cards (
    id TEXT PRIMARY KEY,
    deck TEXT NOT NULL,
    deck_name TEXT NOT NULL,
    front TEXT NOT NULL,
    back TEXT NOT NULL,
    why TEXT NOT NULL,
    created BIGINT NOT NULL,
    -- The card's place in the file it came from, so a deck keeps its order.
    position BIGINT NOT NULL
);
CREATE INDEX user_cards_deck ON user_cards (deck);
