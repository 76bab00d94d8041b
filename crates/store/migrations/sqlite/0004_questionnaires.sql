-- PHQ-9 and GAD-7 answers. The total is not stored: it is always recomputed from the
-- answers, so a scoring rule lives in one place (domain::questionnaire).

CREATE TABLE questionnaires (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    client_id   TEXT NOT NULL,
    instrument  TEXT NOT NULL CHECK (instrument IN ('phq9', 'gad7')),
    at_ms       INTEGER NOT NULL,
    answers     TEXT NOT NULL,
    difficulty  TEXT CHECK (difficulty IN ('not_difficult_at_all', 'somewhat_difficult',
                                           'very_difficult', 'extremely_difficult')),
    created_ms  INTEGER NOT NULL,
    UNIQUE (account_id, client_id)
);
CREATE INDEX questionnaires_account_at ON questionnaires (account_id, at_ms);
