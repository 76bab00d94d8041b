-- Accounts, sign-in sessions, API tokens and daily check-ins.
-- Times are Unix milliseconds (UTC) in 64-bit integers, the same on both backends.

CREATE TABLE accounts (
    id                BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email             TEXT    NOT NULL UNIQUE,
    password_hash     TEXT    NOT NULL,
    role              TEXT    NOT NULL CHECK (role IN ('client', 'therapist', 'admin')),
    country           TEXT,
    timezone          TEXT    NOT NULL DEFAULT 'UTC',
    usual_mood        BIGINT  CHECK (usual_mood BETWEEN 0 AND 10),
    always_ask_safety BOOLEAN NOT NULL DEFAULT FALSE,
    therapist_name    TEXT,
    therapist_phone   TEXT,
    therapist_email   TEXT,
    created_ms        BIGINT  NOT NULL
);

CREATE TABLE auth_sessions (
    token_hash   TEXT    PRIMARY KEY,
    account_id   BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    csrf_token   TEXT    NOT NULL,
    created_ms   BIGINT  NOT NULL,
    expires_ms   BIGINT  NOT NULL
);
CREATE INDEX auth_sessions_account ON auth_sessions (account_id);

CREATE TABLE api_tokens (
    token_hash   TEXT    PRIMARY KEY,
    account_id   BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    label        TEXT    NOT NULL,
    created_ms   BIGINT  NOT NULL
);
CREATE INDEX api_tokens_account ON api_tokens (account_id);

CREATE TABLE checkins (
    id                      BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id              BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    client_id               TEXT    NOT NULL,
    at_ms                   BIGINT  NOT NULL,
    mood                    BIGINT  NOT NULL CHECK (mood BETWEEN 0 AND 10),
    anxiety                 BIGINT  CHECK (anxiety BETWEEN 0 AND 10),
    energy                  BIGINT  CHECK (energy BETWEEN 0 AND 10),
    body                    TEXT    NOT NULL DEFAULT '[]',
    usual_activities        TEXT    CHECK (usual_activities IN ('yes', 'partly', 'no')),
    missed_usual_activities BOOLEAN,
    harder_today            TEXT    NOT NULL DEFAULT '[]',
    sleep_hours             DOUBLE PRECISION,
    substances              TEXT,
    self_harm_thoughts      BOOLEAN,
    note                    TEXT,
    created_ms              BIGINT  NOT NULL,
    UNIQUE (account_id, client_id)
);
CREATE INDEX checkins_account_at ON checkins (account_id, at_ms);
