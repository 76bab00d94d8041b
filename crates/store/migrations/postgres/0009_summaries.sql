-- What guidance needs from each person's history (a day mood per day of the window, recent
-- flags, questionnaire first, best and latest, coping in its window), updated in the same
-- transaction as every write it depends on, so guidance never re-reads the history. Derived
-- data: a missing or outdated row is rebuilt from the history. `level` is the last level
-- recorded in guidance_changes, so "record a change only when the level changed" needs no
-- second read and happens once per change (see docs/performance.md).
CREATE TABLE guidance_summaries (
    account_id BIGINT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    state      TEXT    NOT NULL,
    level      TEXT    CHECK (level IN ('steady', 'expected_dip', 'reach_out', 'urgent')),
    updated_ms BIGINT  NOT NULL
);

-- What the uses of each tool add up to ("what works for me"), updated in the same transaction
-- as each new use, so ranking tools never reads every use. Uses are never edited or removed;
-- the totals start from the uses already stored.
CREATE TABLE coping_tool_totals (
    account_id   BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    tool         TEXT   NOT NULL,
    uses         BIGINT NOT NULL,
    rated_uses   BIGINT NOT NULL,
    total_relief BIGINT NOT NULL,
    last_used_ms BIGINT NOT NULL,
    PRIMARY KEY (account_id, tool)
);
INSERT INTO coping_tool_totals (account_id, tool, uses, rated_uses, total_relief, last_used_ms)
SELECT account_id, tool, COUNT(*),
       SUM(CASE WHEN distress_before IS NOT NULL AND distress_after IS NOT NULL THEN 1 ELSE 0 END),
       SUM(CASE WHEN distress_before IS NOT NULL AND distress_after IS NOT NULL
                THEN distress_before - distress_after ELSE 0 END),
       MAX(started_ms)
FROM coping_uses GROUP BY account_id, tool;
