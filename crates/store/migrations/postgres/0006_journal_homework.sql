-- The journal, homework with its log of done times, and feedback notes for the therapist.
-- The agenda learns three things: an order the person chooses, a link to the journal entry
-- a topic stands for (gone with the entry), and client ids so an API retry never duplicates.

CREATE TABLE journal_entries (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id   BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    client_id    TEXT    NOT NULL,
    at_ms        BIGINT  NOT NULL,
    text         TEXT    NOT NULL,
    -- The text folded to lower case by the application, so that search matches the same
    -- way on both backends (SQLite's LOWER() folds ASCII only).
    search_text  TEXT    NOT NULL,
    parked       BOOLEAN NOT NULL DEFAULT FALSE,
    created_ms   BIGINT  NOT NULL,
    updated_ms   BIGINT  NOT NULL,
    UNIQUE (account_id, client_id)
);
-- Newest first, page by page: the keyset (at_ms, id) walks this index backwards.
CREATE INDEX journal_entries_account_at ON journal_entries (account_id, at_ms, id);

ALTER TABLE agenda_items
    DROP CONSTRAINT agenda_items_source_check,
    ADD CONSTRAINT agenda_items_source_check
        CHECK (source IN ('manual', 'post_session', 'parked', 'journal', 'checkin')),
    ADD COLUMN client_id TEXT,
    -- The sort key when the person has moved the topic; otherwise the id (insertion order).
    ADD COLUMN position BIGINT,
    ADD COLUMN journal_entry_id BIGINT REFERENCES journal_entries (id) ON DELETE CASCADE,
    ADD CONSTRAINT agenda_items_account_id_client_id_key UNIQUE (account_id, client_id);
CREATE INDEX agenda_items_journal ON agenda_items (journal_entry_id);
-- An entry stands for at most one open topic; discussed ones stay as a record.
CREATE UNIQUE INDEX agenda_items_open_journal ON agenda_items (journal_entry_id)
    WHERE discussed_ms IS NULL;

CREATE TABLE homework (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id   BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    client_id    TEXT   NOT NULL,
    text         TEXT   NOT NULL,
    -- A day in the person's calendar, YYYY-MM-DD.
    due_on       TEXT,
    frequency    TEXT   NOT NULL
                 CHECK (frequency IN ('once', 'daily', 'weekly', 'few_times_a_week')),
    created_ms   BIGINT NOT NULL,
    finished_ms  BIGINT,
    UNIQUE (account_id, client_id)
);
CREATE INDEX homework_account ON homework (account_id, created_ms);

CREATE TABLE homework_log (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id   BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    homework_id  BIGINT NOT NULL REFERENCES homework (id) ON DELETE CASCADE,
    client_id    TEXT   NOT NULL,
    at_ms        BIGINT NOT NULL,
    note         TEXT,
    created_ms   BIGINT NOT NULL,
    UNIQUE (account_id, client_id)
);
CREATE INDEX homework_log_homework ON homework_log (homework_id, at_ms);
CREATE INDEX homework_log_account_at ON homework_log (account_id, at_ms);

CREATE TABLE feedback_notes (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id  BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    client_id   TEXT   NOT NULL,
    session_id  BIGINT REFERENCES therapy_sessions (id) ON DELETE SET NULL,
    kind        TEXT   NOT NULL CHECK (kind IN ('did_not_sit_well', 'helped')),
    text        TEXT   NOT NULL,
    created_ms  BIGINT NOT NULL,
    UNIQUE (account_id, client_id)
);
CREATE INDEX feedback_notes_account_created ON feedback_notes (account_id, created_ms);
