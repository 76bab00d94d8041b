-- Therapy sessions, post-session check-ins, the agenda, and each change of guidance level.

CREATE TABLE therapy_sessions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    at_ms       INTEGER NOT NULL,
    note        TEXT,
    series      TEXT,
    created_ms  INTEGER NOT NULL
);
CREATE INDEX therapy_sessions_account_at ON therapy_sessions (account_id, at_ms);

CREATE TABLE reflections (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id      INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    client_id       TEXT NOT NULL,
    session_id      INTEGER REFERENCES therapy_sessions (id) ON DELETE SET NULL,
    at_ms           INTEGER NOT NULL,
    session_feeling INTEGER CHECK (session_feeling BETWEEN 0 AND 10),
    came_up         TEXT NOT NULL DEFAULT '[]',
    feedback        TEXT,
    UNIQUE (account_id, client_id)
);
CREATE INDEX reflections_account_at ON reflections (account_id, at_ms);

CREATE TABLE agenda_items (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id    INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    text          TEXT NOT NULL,
    source        TEXT NOT NULL CHECK (source IN ('manual', 'post_session', 'parked')),
    created_ms    INTEGER NOT NULL,
    discussed_ms  INTEGER
);
CREATE INDEX agenda_items_account ON agenda_items (account_id, created_ms);

CREATE TABLE guidance_changes (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    at_ms       INTEGER NOT NULL,
    level       TEXT NOT NULL CHECK (level IN ('steady', 'expected_dip', 'reach_out', 'urgent')),
    reasons     TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX guidance_changes_account_at ON guidance_changes (account_id, at_ms);
