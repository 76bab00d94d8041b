-- Sharing with a therapist: one-time invite codes, the grants they become, and the audit
-- log of every therapist read and action that the client can read.
--
-- Scopes are stored as a comma-separated list of scope codes in a fixed order
-- (checkins,questionnaires,session_prep,plans); domain::sharing::Scopes reads and writes it.
-- A therapist's name is the one piece of their profile a client sees beside their email.

ALTER TABLE accounts ADD COLUMN display_name TEXT;

-- An invite is known only by the SHA-256 of its code (hex): the code itself is shown to
-- the client once and never stored. Used or expired invites stay until the client's account
-- goes, so a code can never be used twice.
CREATE TABLE share_invites (
    code_hash     TEXT    PRIMARY KEY,
    client_id     BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    scopes        TEXT    NOT NULL,
    display_name  TEXT    NOT NULL,
    alerts        BOOLEAN NOT NULL DEFAULT FALSE,
    created_ms    BIGINT  NOT NULL,
    expires_ms    BIGINT  NOT NULL,
    used_ms       BIGINT
);
CREATE INDEX share_invites_client ON share_invites (client_id);

-- One row per client-therapist grant. Revoking sets revoked_ms: the row stays for the audit
-- log's sake, and every therapist read checks revoked_ms IS NULL. A client has at most one
-- live grant per therapist.
CREATE TABLE share_grants (
    id            BIGSERIAL PRIMARY KEY,
    client_id     BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    therapist_id  BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    scopes        TEXT    NOT NULL,
    display_name  TEXT    NOT NULL,
    alerts        BOOLEAN NOT NULL DEFAULT FALSE,
    since_ms      BIGINT  NOT NULL,
    revoked_ms    BIGINT
);
CREATE UNIQUE INDEX share_grants_live ON share_grants (client_id, therapist_id)
    WHERE revoked_ms IS NULL;
CREATE INDEX share_grants_therapist ON share_grants (therapist_id) WHERE revoked_ms IS NULL;

-- Append-only: no code path updates or deletes a row. The app's own role loses UPDATE on
-- the table, and a trigger refuses a DELETE except the one that follows the client's own
-- account being deleted (the cascade runs after the account row is gone).
-- `therapist_name` keeps who it was if that account goes later.
CREATE TABLE audit_log (
    id              BIGSERIAL PRIMARY KEY,
    client_id       BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    therapist_id    BIGINT,
    therapist_name  TEXT    NOT NULL,
    grant_id        BIGINT,
    at_ms           BIGINT  NOT NULL,
    kind            TEXT    NOT NULL CHECK (kind IN ('read', 'action')),
    what            TEXT    NOT NULL,
    endpoint        TEXT    NOT NULL
);
CREATE INDEX audit_log_client ON audit_log (client_id, at_ms);

CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND NOT EXISTS (SELECT 1 FROM accounts WHERE id = OLD.client_id) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit log rows are never changed';
END;
$$;

CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();

-- The table's owner is the app's role; an owner may give up its own privileges.
REVOKE UPDATE, TRUNCATE ON audit_log FROM CURRENT_USER;
