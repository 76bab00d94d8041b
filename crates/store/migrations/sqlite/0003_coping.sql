-- The coping toolkit: each use of a tool with distress before and after, and the person's
-- own self-care and distraction lists.

CREATE TABLE coping_uses (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id       INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    client_id        TEXT NOT NULL,
    tool             TEXT NOT NULL,
    started_ms       INTEGER NOT NULL,
    distress_before  INTEGER CHECK (distress_before BETWEEN 0 AND 10),
    distress_after   INTEGER CHECK (distress_after BETWEEN 0 AND 10),
    note             TEXT,
    created_ms       INTEGER NOT NULL,
    UNIQUE (account_id, client_id)
);
CREATE INDEX coping_uses_account_started ON coping_uses (account_id, started_ms);

CREATE TABLE coping_list_items (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('self_care', 'distraction')),
    text        TEXT NOT NULL,
    position    INTEGER NOT NULL,
    created_ms  INTEGER NOT NULL
);
CREATE INDEX coping_list_items_account_kind ON coping_list_items (account_id, kind, position);
