-- What readiness reads of each judged version, kept beside it so that `status` never parses the
-- judgments: whether it carries a disqualifier, and the strength signals its findings show (a
-- JSON list). Versions saved before this migration are filled from their judgment here.
ALTER TABLE story_versions ADD COLUMN disqualified BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE story_versions ADD COLUMN strengths TEXT NOT NULL DEFAULT '[]';
UPDATE story_versions SET
    disqualified = COALESCE(json_extract(judgment, '$.disqualified'), 0),
    strengths = COALESCE(
        (SELECT json_group_array(DISTINCT json_extract(f.value, '$.rule'))
         FROM json_each(judgment, '$.findings') AS f
         WHERE json_extract(f.value, '$.severity') = 'strength'),
        '[]')
WHERE json_valid(judgment);
