-- What readiness reads of each judged version, kept beside it so that `status` never parses the
-- judgments: whether it carries a disqualifier, and the strength signals its findings show (a
-- JSON list). Versions saved before this migration are filled from their judgment here.
ALTER TABLE story_versions ADD COLUMN disqualified BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE story_versions ADD COLUMN strengths TEXT NOT NULL DEFAULT '[]';
UPDATE story_versions SET
    disqualified = COALESCE((judgment::jsonb ->> 'disqualified')::boolean, FALSE),
    strengths = COALESCE(
        (SELECT jsonb_agg(DISTINCT f ->> 'rule')::text
         FROM jsonb_array_elements(
             CASE WHEN jsonb_typeof(judgment::jsonb -> 'findings') = 'array'
                  THEN judgment::jsonb -> 'findings' ELSE '[]'::jsonb END) AS f
         WHERE f ->> 'severity' = 'strength'),
        '[]');
