-- A second step at sign-in: a time-based one-time code (TOTP, RFC 6238) from an
-- authenticator app, or one of ten one-time recovery codes.
--
-- `second_factors` holds one row per account that has begun turning it on. The shared secret
-- is sealed under the account's key like the person's own words (bound to the account's id,
-- the table's key). `enrolled_ms` stays NULL until a first code has confirmed the app holds
-- the secret; only then does sign-in ask for a code. `last_step` is the 30-second step of the
-- last code accepted, so that a code (or an earlier one) can never be used again.
CREATE TABLE second_factors (
    account_id   BIGINT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    secret       TEXT    NOT NULL,
    created_ms   BIGINT NOT NULL,
    enrolled_ms  BIGINT,
    last_step    BIGINT
);

-- Recovery codes are known only by the SHA-256 (hex) of the normalised code: each is random
-- enough that a slow hash would add nothing. Used codes stay, marked, until the codes are
-- made anew or the second step is turned off.
CREATE TABLE recovery_codes (
    account_id   BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    code_hash    TEXT    NOT NULL,
    created_ms   BIGINT NOT NULL,
    used_ms      BIGINT,
    PRIMARY KEY (account_id, code_hash)
);

-- A sign-in half done: the password was right, the code is still to come. Known by the
-- SHA-256 of a random value kept in a short-lived cookie; it is never a session, lasts five
-- minutes, and goes when the code is accepted.
CREATE TABLE second_factor_sign_ins (
    token_hash   TEXT    PRIMARY KEY,
    account_id   BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_ms   BIGINT NOT NULL,
    expires_ms   BIGINT NOT NULL,
    device       TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX second_factor_sign_ins_account ON second_factor_sign_ins (account_id);
