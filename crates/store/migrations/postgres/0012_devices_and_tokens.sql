-- Signed-in devices a person can see and sign out, and API tokens they can name, list,
-- let expire and revoke.
--
-- auth_sessions: a random public id names a session in pages and URLs (its token hash never
-- leaves the database); `device` is a coarse browser family ("Firefox on Android") read
-- from the User-Agent at sign-in, never the header itself; `last_seen_ms` is refreshed at
-- most once a minute. Sessions from before this migration get an id and were last seen
-- when they began.
ALTER TABLE auth_sessions ADD COLUMN public_id TEXT NOT NULL DEFAULT '';
ALTER TABLE auth_sessions ADD COLUMN device TEXT NOT NULL DEFAULT '';
ALTER TABLE auth_sessions ADD COLUMN last_seen_ms BIGINT NOT NULL DEFAULT 0;
UPDATE auth_sessions SET public_id = md5(random()::text || clock_timestamp()::text), last_seen_ms = created_ms;
CREATE UNIQUE INDEX auth_sessions_public_id ON auth_sessions (public_id);

-- api_tokens: a public id for revoking from a page, an optional expiry, the last use
-- (refreshed at most once a minute), and names unique per account so `between token revoke
-- EMAIL NAME` means one token. Older tokens that shared a name keep the earliest one's name
-- as it was; each later one gets the start of its new id added, so nothing is lost.
ALTER TABLE api_tokens ADD COLUMN public_id TEXT NOT NULL DEFAULT '';
ALTER TABLE api_tokens ADD COLUMN expires_ms BIGINT;
ALTER TABLE api_tokens ADD COLUMN last_used_ms BIGINT;
UPDATE api_tokens SET public_id = md5(random()::text || clock_timestamp()::text);
UPDATE api_tokens
SET label = label || ' (' || substr(public_id, 1, 8) || ')'
WHERE EXISTS (
    SELECT 1 FROM api_tokens earlier
    WHERE earlier.account_id = api_tokens.account_id
      AND earlier.label = api_tokens.label
      AND (earlier.created_ms < api_tokens.created_ms
           OR (earlier.created_ms = api_tokens.created_ms
               AND earlier.token_hash < api_tokens.token_hash))
);
CREATE UNIQUE INDEX api_tokens_public_id ON api_tokens (public_id);
CREATE UNIQUE INDEX api_tokens_account_label ON api_tokens (account_id, label);
