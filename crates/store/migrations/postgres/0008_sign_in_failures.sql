-- Failed sign-ins, counted in the database so every instance sees the same counts. A key is
-- the SHA-256 of who and where (an email with an address, or an address alone), never the
-- email or address itself. Successes are never stored. Rows whose last failure is older
-- than the app's forgetting window are deleted as new failures arrive, so the table stays
-- small.
CREATE TABLE sign_in_failures (
    key      TEXT   PRIMARY KEY,
    failures BIGINT NOT NULL,
    last_ms  BIGINT NOT NULL
);
CREATE INDEX sign_in_failures_last ON sign_in_failures (last_ms);
