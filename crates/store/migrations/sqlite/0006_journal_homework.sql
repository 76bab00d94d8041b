-- The journal, homework with its log of done times, and feedback notes for the therapist.
-- The agenda learns three things: an order the person chooses, a link to the journal entry
-- a topic stands for (gone with the entry), and client ids so an API retry never duplicates.

CREATE TABLE journal_entries (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id   INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    client_id    TEXT    NOT NULL,
    at_ms        INTEGER NOT NULL,
    text         TEXT    NOT NULL,
    -- The text folded to lower case by the application, so that search matches the same
    -- way on both backends (SQLite's LOWER() folds ASCII only).
    search_text  TEXT    NOT NULL,
    parked       INTEGER NOT NULL DEFAULT 0,
    created_ms   INTEGER NOT NULL,
    updated_ms   INTEGER NOT NULL,
    UNIQUE (account_id, client_id)
);
-- Newest first, page by page: the keyset (at_ms, id) walks this index backwards.
CREATE INDEX journal_entries_account_at ON journal_entries (account_id, at_ms, id);

-- SQLite cannot change a CHECK constraint in place: build the new table, copy, swap.
CREATE TABLE agenda_items_new (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id        INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    client_id         TEXT,
    text              TEXT    NOT NULL,
    source            TEXT    NOT NULL
                      CHECK (source IN ('manual', 'post_session', 'parked', 'journal', 'checkin')),
    created_ms        INTEGER NOT NULL,
    discussed_ms      INTEGER,
    -- The sort key when the person has moved the topic; otherwise the id (insertion order).
    position          INTEGER,
    journal_entry_id  INTEGER REFERENCES journal_entries (id) ON DELETE CASCADE,
    UNIQUE (account_id, client_id)
);
INSERT INTO agenda_items_new (id, account_id, text, source, created_ms, discussed_ms)
    SELECT id, account_id, text, source, created_ms, discussed_ms FROM agenda_items;
DROP TABLE agenda_items;
ALTER TABLE agenda_items_new RENAME TO agenda_items;
CREATE INDEX agenda_items_account ON agenda_items (account_id, created_ms);
CREATE INDEX agenda_items_journal ON agenda_items (journal_entry_id);
-- An entry stands for at most one open topic; discussed ones stay as a record.
CREATE UNIQUE INDEX agenda_items_open_journal ON agenda_items (journal_entry_id)
    WHERE discussed_ms IS NULL;

CREATE TABLE homework (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id   INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    client_id    TEXT    NOT NULL,
    text         TEXT    NOT NULL,
    -- A day in the person's calendar, YYYY-MM-DD.
    due_on       TEXT,
    frequency    TEXT    NOT NULL
                 CHECK (frequency IN ('once', 'daily', 'weekly', 'few_times_a_week')),
    created_ms   INTEGER NOT NULL,
    finished_ms  INTEGER,
    UNIQUE (account_id, client_id)
);
CREATE INDEX homework_account ON homework (account_id, created_ms);

CREATE TABLE homework_log (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id   INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    homework_id  INTEGER NOT NULL REFERENCES homework (id) ON DELETE CASCADE,
    client_id    TEXT    NOT NULL,
    at_ms        INTEGER NOT NULL,
    note         TEXT,
    created_ms   INTEGER NOT NULL,
    UNIQUE (account_id, client_id)
);
CREATE INDEX homework_log_homework ON homework_log (homework_id, at_ms);
CREATE INDEX homework_log_account_at ON homework_log (account_id, at_ms);

CREATE TABLE feedback_notes (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    client_id   TEXT    NOT NULL,
    session_id  INTEGER REFERENCES therapy_sessions (id) ON DELETE SET NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('did_not_sit_well', 'helped')),
    text        TEXT    NOT NULL,
    created_ms  INTEGER NOT NULL,
    UNIQUE (account_id, client_id)
);
CREATE INDEX feedback_notes_account_created ON feedback_notes (account_id, created_ms);
