-- What a therapist's caseload reads, kept cheap at hundreds of clients.
--
-- Check-ins by account and time with the mood beside them: the caseload's averages of mood
-- since the last session and in the weeks before it are read from the index alone. It
-- serves every lookup the narrower index did, so that one goes.
CREATE INDEX checkins_account_at_mood ON checkins (account_id, at_ms, mood);
DROP INDEX checkins_account_at;

-- When a look at the caseload was last written to this client's audit log for this grant.
-- Looks at the list within the hour after are not written again: at 500 clients each look
-- would otherwise append 500 rows, one in each client's part of the log. Opening a client's
-- page and every read through the API are still logged each time.
ALTER TABLE share_grants ADD COLUMN caseload_logged_ms INTEGER;
