-- A note written when adding a repeating session was copied onto every later session of the
-- series, so it read as if written for each of them. It belongs to the session it was
-- written for: keep it on the earliest session of the series that still carries it, and
-- clear the copies (same series, same text, later in time). A note on a later session that
-- differs from the earlier ones is the person's own and stays.
UPDATE therapy_sessions
SET note = NULL
WHERE series IS NOT NULL
  AND note IS NOT NULL
  AND EXISTS (
      SELECT 1 FROM therapy_sessions earlier
      WHERE earlier.account_id = therapy_sessions.account_id
        AND earlier.series = therapy_sessions.series
        AND earlier.note = therapy_sessions.note
        AND (earlier.at_ms < therapy_sessions.at_ms
             OR (earlier.at_ms = therapy_sessions.at_ms AND earlier.id < therapy_sessions.id))
  );
