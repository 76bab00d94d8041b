-- When the person finished (or was spared) the first-run questions: country, time zone, usual
-- day, therapist. NULL means the time zone was never chosen by anyone, so the welcome page
-- asks after sign-in.
ALTER TABLE accounts ADD COLUMN onboarded_ms INTEGER;

-- Accounts that already chose a country came through sign-up (which asks for the country and
-- takes the time zone from the browser) or saved settings: they are not asked again.
UPDATE accounts SET onboarded_ms = created_ms WHERE country IS NOT NULL;
