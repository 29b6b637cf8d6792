-- On a cohort server, whether the candidate shares the story with their coaches (1) or keeps it
-- to themselves (0, the default). A one-person database never reads it.
ALTER TABLE stories ADD COLUMN shared INTEGER NOT NULL DEFAULT 0;
