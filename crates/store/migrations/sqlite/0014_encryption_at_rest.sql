-- Encryption at rest (docs/privacy.md): each account's data key, wrapped by the master key
-- that lives in a file outside the database; a check value telling the right master key
-- from a wrong one; and which columns hold only sealed values.

CREATE TABLE vault_state (
    id                INTEGER PRIMARY KEY CHECK (id = 1),
    master_key_check  TEXT    NOT NULL,
    created_ms        INTEGER NOT NULL
);

CREATE TABLE account_keys (
    account_id  INTEGER PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    wrapped     TEXT    NOT NULL,
    created_ms  INTEGER NOT NULL
);

CREATE TABLE vault_sealed_columns (
    table_name   TEXT    NOT NULL,
    column_name  TEXT    NOT NULL,
    sealed_ms    INTEGER NOT NULL,
    PRIMARY KEY (table_name, column_name)
);


-- Journal search opens the entries in the app and matches there: a plain copy of each entry
-- kept for SQL to search would undo their encryption.
ALTER TABLE journal_entries DROP COLUMN search_text;
