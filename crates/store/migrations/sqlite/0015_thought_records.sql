-- The thought record ("Untangle a thought"): a record per thought worked through, kept as a
-- draft until the person finishes it. Its words are sealed (encrypted) by the application,
-- bound to the record's client id; the feelings are the sealed JSON list of
-- {name, before, after}. Search opens the records in the application, so no plain copy of
-- the words is kept for SQL to search.
--
-- A finished record whose feelings were rated before and after counts as one use of the
-- thought-record tool: `coping_use_id` is that use, kept in step with the record by the
-- application and removed with it.

CREATE TABLE thought_records (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id        INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    client_id         TEXT    NOT NULL,
    status            TEXT    NOT NULL CHECK (status IN ('draft', 'done')),
    situation         TEXT    NOT NULL,
    feelings          TEXT    NOT NULL,
    thought           TEXT    NOT NULL,
    evidence_for      TEXT    NOT NULL,
    evidence_against  TEXT    NOT NULL,
    -- The thinking traps as a JSON list of codes (such as "mind_reading").
    traps             TEXT    NOT NULL,
    balanced          TEXT    NOT NULL,
    coping_use_id     INTEGER REFERENCES coping_uses (id) ON DELETE SET NULL,
    created_ms        INTEGER NOT NULL,
    updated_ms        INTEGER NOT NULL,
    UNIQUE (account_id, client_id)
);
-- Newest first, page by page: the keyset (created_ms, id) walks this index backwards.
CREATE INDEX thought_records_account_created ON thought_records (account_id, created_ms, id);

-- The agenda learns a fourth source and a link to the record a topic stands for (gone with
-- the record). SQLite cannot change a CHECK constraint in place: build the new table, copy,
-- swap (as 0006 did).
CREATE TABLE agenda_items_new (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id         INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    client_id          TEXT,
    text               TEXT    NOT NULL,
    source             TEXT    NOT NULL
                       CHECK (source IN ('manual', 'post_session', 'parked', 'journal', 'checkin',
                                         'thought_record')),
    created_ms         INTEGER NOT NULL,
    discussed_ms       INTEGER,
    -- The sort key when the person has moved the topic; otherwise the id (insertion order).
    position           INTEGER,
    journal_entry_id   INTEGER REFERENCES journal_entries (id) ON DELETE CASCADE,
    thought_record_id  INTEGER REFERENCES thought_records (id) ON DELETE CASCADE,
    UNIQUE (account_id, client_id)
);
INSERT INTO agenda_items_new (id, account_id, client_id, text, source, created_ms,
                              discussed_ms, position, journal_entry_id)
    SELECT id, account_id, client_id, text, source, created_ms, discussed_ms, position,
           journal_entry_id
    FROM agenda_items;
DROP TABLE agenda_items;
ALTER TABLE agenda_items_new RENAME TO agenda_items;
CREATE INDEX agenda_items_account ON agenda_items (account_id, created_ms);
CREATE INDEX agenda_items_journal ON agenda_items (journal_entry_id);
CREATE UNIQUE INDEX agenda_items_open_journal ON agenda_items (journal_entry_id)
    WHERE discussed_ms IS NULL;
CREATE INDEX agenda_items_thought_record ON agenda_items (thought_record_id);
-- A record stands for at most one open topic; discussed ones stay as a record.
CREATE UNIQUE INDEX agenda_items_open_thought_record ON agenda_items (thought_record_id)
    WHERE discussed_ms IS NULL;
