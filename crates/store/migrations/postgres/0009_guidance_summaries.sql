-- What guidance needs from each person's history (a day mood per day of the window, recent
-- flags, questionnaire first, best and latest, coping in its window), updated in the same
-- transaction as every write it depends on, so guidance never re-reads the history. Derived
-- data: a missing or outdated row is rebuilt from the history. `level` is the last level
-- recorded in guidance_changes, so "record a change only when the level changed" needs no
-- second read and happens once per change (see docs/performance.md).
CREATE TABLE guidance_summaries (
    account_id BIGINT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    state      TEXT    NOT NULL,
    level      TEXT    CHECK (level IN ('steady', 'expected_dip', 'reach_out', 'urgent')),
    updated_ms BIGINT  NOT NULL
);
