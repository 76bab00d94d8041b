-- The person's safety plan and backsliding plan. Every saved version is kept (who saved it,
-- and when); the newest version is the plan. The body is the plan as JSON text.

CREATE TABLE plan_versions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL CHECK (kind IN ('safety', 'backsliding')),
    version     INTEGER NOT NULL CHECK (version >= 1),
    body        TEXT    NOT NULL,
    created_ms  INTEGER NOT NULL,
    author_id   INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    UNIQUE (account_id, kind, version)
);

-- "Keep my safety plan on this device" is a choice for one browser, so it lives with that
-- browser's sign-in session and ends with it.
ALTER TABLE auth_sessions ADD COLUMN keep_plan_offline INTEGER NOT NULL DEFAULT 0;
