-- The person's safety plan and backsliding plan. Every saved version is kept (who saved it,
-- and when); the newest version is the plan. The body is the plan as JSON text.

CREATE TABLE plan_versions (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id  BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL CHECK (kind IN ('safety', 'backsliding')),
    version     BIGINT  NOT NULL CHECK (version >= 1),
    body        TEXT    NOT NULL,
    created_ms  BIGINT  NOT NULL,
    author_id   BIGINT  REFERENCES accounts (id) ON DELETE SET NULL,
    UNIQUE (account_id, kind, version)
);

-- "Keep my safety plan on this device" is a choice for one browser, so it lives with that
-- browser's sign-in session and ends with it.
ALTER TABLE auth_sessions ADD COLUMN keep_plan_offline BOOLEAN NOT NULL DEFAULT FALSE;
