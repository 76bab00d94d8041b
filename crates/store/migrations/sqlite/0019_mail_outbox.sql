-- Email waiting to be sent, and sent lately: alerts to therapists go out from here, so a
-- message survives a restart and is sent once however many instances run.
--
-- A message holds an address and fixed wording, never anything of the client's health. It
-- belongs to the grant it was written for and goes with it (the client's or the
-- therapist's account deleted). `dedupe_key` names what the message is about (one alert
-- per grant and level change), so writing it twice keeps one. A worker claims due rows by
-- setting `claim` and `claimed_until_ms`; a claim that runs out (a worker stopped
-- mid-send) is taken up again by the next. `sent_ms` or `gave_up_ms` ends a row's life;
-- finished rows are removed after a week.
CREATE TABLE mail_outbox (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    grant_id          INTEGER NOT NULL REFERENCES share_grants (id) ON DELETE CASCADE,
    recipient         TEXT    NOT NULL,
    subject           TEXT    NOT NULL,
    body              TEXT    NOT NULL,
    dedupe_key        TEXT    NOT NULL UNIQUE,
    created_ms        INTEGER NOT NULL,
    next_attempt_ms   INTEGER NOT NULL,
    attempts          INTEGER NOT NULL DEFAULT 0,
    claim             TEXT,
    claimed_until_ms  INTEGER,
    sent_ms           INTEGER,
    gave_up_ms        INTEGER,
    last_error        TEXT
);
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_ms)
    WHERE sent_ms IS NULL AND gave_up_ms IS NULL;
CREATE INDEX mail_outbox_grant ON mail_outbox (grant_id);
