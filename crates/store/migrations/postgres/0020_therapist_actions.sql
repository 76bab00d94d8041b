-- What a therapist may change for a client who shares with them: homework they assign, and
-- how sensitive the client's guidance is to lower days, within the bounds the app allows
-- (domain::guidance::Sensitivity). Both stay the client's: the client can finish or remove
-- the homework, and sees the sensitivity and who set it in plain words.

-- Who assigned the homework: the therapist's account while it exists (so their page lists
-- what they assigned), and their name as the client saw it, which stays if that account
-- goes. NULL in both for the client's own homework.
ALTER TABLE homework ADD COLUMN assigned_by BIGINT REFERENCES accounts (id) ON DELETE SET NULL;
ALTER TABLE homework ADD COLUMN assigned_by_name TEXT;

-- Guidance sensitivity: NULL is the default for each. The low-day threshold is kept in
-- tenths of a rating point so both backends store exactly the same number.
ALTER TABLE accounts ADD COLUMN low_day_points_tenths BIGINT
    CHECK (low_day_points_tenths BETWEEN 15 AND 30);
ALTER TABLE accounts ADD COLUMN persisting_days BIGINT
    CHECK (persisting_days BETWEEN 2 AND 5);
ALTER TABLE accounts ADD COLUMN sensitivity_set_by TEXT;
ALTER TABLE accounts ADD COLUMN sensitivity_set_ms BIGINT;
