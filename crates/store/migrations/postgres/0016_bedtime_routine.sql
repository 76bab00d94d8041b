-- The bedtime routine: one short checklist and a target time per account. The items are the
-- person's own words, sealed like the journal (a JSON list of texts once opened); the target
-- time is kept plain as HH:MM in the person's time zone so a later reminder can read it.
-- Each night it is ticked off is a coping use of the tool `bedtime-routine`, not a row here.

CREATE TABLE bedtime_routines (
    account_id   BIGINT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    items        TEXT   NOT NULL,
    target_time  TEXT   NOT NULL
        CHECK (target_time ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
    updated_ms   BIGINT NOT NULL
);
