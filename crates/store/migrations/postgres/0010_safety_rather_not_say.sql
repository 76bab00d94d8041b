-- "I'd rather not say" to the safety question, an answer of its own: a check-in at a very low
-- mood is saved whatever the person answers, and this answer must stay distinct from "yes",
-- "no" and "not asked" (self_harm_thoughts NULL with this flag unset). Kept beside the yes/no
-- column rather than replacing it, so guidance keeps reading that column alone and never takes
-- "rather not say" for a yes (see docs/guidance.md).
ALTER TABLE checkins ADD COLUMN self_harm_rather_not_say BOOLEAN NOT NULL DEFAULT FALSE
    CHECK (NOT self_harm_rather_not_say OR self_harm_thoughts IS NULL);
