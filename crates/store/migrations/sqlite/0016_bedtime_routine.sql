-- The bedtime routine: one short checklist and a target time per account. The items are the
-- person's own words, sealed like the journal (a JSON list of texts once opened); the target
-- time is kept plain as HH:MM in the person's time zone so a later reminder can read it.
-- Each night it is ticked off is a coping use of the tool `bedtime-routine`, not a row here.

CREATE TABLE bedtime_routines (
    account_id   INTEGER PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    items        TEXT    NOT NULL,
    target_time  TEXT    NOT NULL
        CHECK (target_time GLOB '[0-2][0-9]:[0-5][0-9]' AND target_time < '24:00'),
    updated_ms   INTEGER NOT NULL
);
