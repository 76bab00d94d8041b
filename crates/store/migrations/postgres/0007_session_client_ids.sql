-- Sessions learn the client id of the request that added them, so a retried "add session"
-- never stores the same session twice, and what it asked for (how it repeats), so a retry
-- that asks for something else can be told apart. Only the first session of a series
-- carries them. Sessions added before have neither: NULL never equals NULL in a unique
-- index, on either backend, so old rows never collide with each other or with new ones.
ALTER TABLE therapy_sessions ADD COLUMN client_id TEXT;
ALTER TABLE therapy_sessions ADD COLUMN repeats TEXT;
CREATE UNIQUE INDEX therapy_sessions_account_client ON therapy_sessions (account_id, client_id);
