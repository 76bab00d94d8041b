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
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id        BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    client_id         TEXT   NOT NULL,
    status            TEXT   NOT NULL CHECK (status IN ('draft', 'done')),
    situation         TEXT   NOT NULL,
    feelings          TEXT   NOT NULL,
    thought           TEXT   NOT NULL,
    evidence_for      TEXT   NOT NULL,
    evidence_against  TEXT   NOT NULL,
    -- The thinking traps as a JSON list of codes (such as "mind_reading").
    traps             TEXT   NOT NULL,
    balanced          TEXT   NOT NULL,
    coping_use_id     BIGINT REFERENCES coping_uses (id) ON DELETE SET NULL,
    created_ms        BIGINT NOT NULL,
    updated_ms        BIGINT NOT NULL,
    UNIQUE (account_id, client_id)
);
-- Newest first, page by page: the keyset (created_ms, id) walks this index backwards.
CREATE INDEX thought_records_account_created ON thought_records (account_id, created_ms, id);

-- The agenda learns a fourth source and a link to the record a topic stands for (gone with
-- the record).
ALTER TABLE agenda_items
    DROP CONSTRAINT agenda_items_source_check,
    ADD CONSTRAINT agenda_items_source_check
        CHECK (source IN ('manual', 'post_session', 'parked', 'journal', 'checkin',
                          'thought_record')),
    ADD COLUMN thought_record_id BIGINT REFERENCES thought_records (id) ON DELETE CASCADE;
CREATE INDEX agenda_items_thought_record ON agenda_items (thought_record_id);
-- A record stands for at most one open topic; discussed ones stay as a record.
CREATE UNIQUE INDEX agenda_items_open_thought_record ON agenda_items (thought_record_id)
    WHERE discussed_ms IS NULL;
