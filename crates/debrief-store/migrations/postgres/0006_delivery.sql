-- How a spoken answer or explanation was delivered (debrief-voice's `Delivery` as JSON: pace,
-- pauses, time to the decision, fillers, volume); NULL for typed ones.
ALTER TABLE attempts ADD COLUMN delivery TEXT;
ALTER TABLE explanations ADD COLUMN delivery TEXT;
