//! Thought records: each kept with its words sealed, pageable and searchable, brought to the
//! next session through the agenda, and counted as one use of the `thought-record` tool.
//!
//! Two facts are kept in one place each, so they can never disagree with the record:
//! - a record is "brought to the next session" exactly when an open agenda topic points at
//!   it (as for the journal);
//! - a finished record with feelings rated before and after has exactly one coping use,
//!   `coping_use_id`, whose distress is worked out from the ratings
//!   ([`RecordContent::distress`]). Every write of a record brings the use in step in the
//!   same transaction, and the tool's totals and guidance's summary with it.

use std::borrow::Cow;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::account::AccountId;
use domain::coping::{CopingUseId, ToolId};
use domain::history::CopingRecord;
use domain::idempotency::Written;
use domain::rating::Rating;
use domain::thought_record::{
    Feeling, NewThoughtRecord, RecordChange, RecordContent, RecordCursor, RecordFilter, RecordPage,
    Status, ThoughtRecord, ThoughtRecordId, Trap,
};

use crate::StoreError;
use crate::rows::client_id;
use crate::sealed_search::{Batch, Scan};
use crate::sqlite::Sql;
use crate::vault::DataKey;
use crate::vault::sealed::{
    THOUGHT_BALANCED, THOUGHT_EVIDENCE_AGAINST, THOUGHT_EVIDENCE_FOR, THOUGHT_FEELINGS,
    THOUGHT_SITUATION, THOUGHT_THOUGHT,
};

/// Which page of records to read.
#[derive(Debug, Clone, Default)]
pub struct RecordQuery {
    /// Drafts, finished ones, or both.
    pub filter: RecordFilter,
    /// Only records containing this text, case-insensitively.
    pub search: Option<String>,
    /// Start just older than this record; `None` for the newest.
    pub before: Option<RecordCursor>,
    /// How many records at most.
    pub limit: usize,
}

/// Thought records, scoped to one account.
#[async_trait]
pub trait ThoughtRecordStore: Send + Sync {
    /// Stores a record once per client id (a retry returns the stored one). In the same
    /// transaction: its topic joins the agenda when it is to be brought to the session, and
    /// its coping use is written when it is finished with feelings rated twice.
    async fn insert_thought_record(
        &self,
        account: AccountId,
        record: &NewThoughtRecord,
    ) -> Result<(ThoughtRecord, Written), StoreError>;
    /// One record.
    async fn thought_record(
        &self,
        account: AccountId,
        id: ThoughtRecordId,
    ) -> Result<Option<ThoughtRecord>, StoreError>;
    /// A page of records, newest first.
    async fn thought_record_page(
        &self,
        account: AccountId,
        query: &RecordQuery,
    ) -> Result<RecordPage, StoreError>;
    /// Records for the brief, newest first: those on the open agenda, and those finished that
    /// were started in `from <= at < to`. At most `limit`.
    async fn thought_records_for_brief(
        &self,
        account: AccountId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<ThoughtRecord>, StoreError>;
    /// Replaces a record's content and status, and keeps its agenda topic and coping use in
    /// step; `None` when not this account's.
    async fn edit_thought_record(
        &self,
        account: AccountId,
        id: ThoughtRecordId,
        change: &RecordChange,
    ) -> Result<Option<ThoughtRecord>, StoreError>;
    /// Deletes a record, its agenda topics and its coping use; false when not this account's.
    async fn delete_thought_record(
        &self,
        account: AccountId,
        id: ThoughtRecordId,
    ) -> Result<bool, StoreError>;
}

db_row! {
pub(crate) struct RecordRow {
    pub id: i64,
    pub client_id: String,
    pub status: String,
    pub situation: String,
    pub feelings: String,
    pub thought: String,
    pub evidence_for: String,
    pub evidence_against: String,
    pub traps: String,
    pub balanced: String,
    pub coping_use_id: Option<i64>,
    pub created_ms: i64,
    pub updated_ms: i64,
    pub bring: bool,
}
}

impl RecordRow {
    /// The record, its words opened with the account's key.
    pub fn into_record(self, key: &DataKey) -> Result<ThoughtRecord, StoreError> {
        let row = self.client_id.as_str();
        let feelings: Vec<Feeling> =
            serde_json::from_str(&key.open(THOUGHT_FEELINGS, row, &self.feelings)?)
                .map_err(|_| StoreError::Corrupt("thought record feelings".into()))?;
        let codes: Vec<String> = serde_json::from_str(&self.traps)
            .map_err(|_| StoreError::Corrupt("thought record traps".into()))?;
        // A trap this version does not know is left out, as a tool is in the ranking.
        let traps = codes.iter().filter_map(|c| Trap::parse(c)).collect();
        Ok(ThoughtRecord {
            id: ThoughtRecordId(self.id),
            client_id: client_id(row, "thought record")?,
            status: Status::parse(&self.status)
                .ok_or_else(|| StoreError::Corrupt("thought record status".into()))?,
            content: RecordContent {
                situation: key.open(THOUGHT_SITUATION, row, &self.situation)?,
                feelings,
                thought: key.open(THOUGHT_THOUGHT, row, &self.thought)?,
                evidence_for: key.open(THOUGHT_EVIDENCE_FOR, row, &self.evidence_for)?,
                evidence_against: key.open(
                    THOUGHT_EVIDENCE_AGAINST,
                    row,
                    &self.evidence_against,
                )?,
                traps,
                balanced: key.open(THOUGHT_BALANCED, row, &self.balanced)?,
            },
            bring_to_session: self.bring,
            coping_use_id: self.coping_use_id.map(CopingUseId),
            created_at: crate::rows::from_ms(self.created_ms)?,
            updated_at: crate::rows::from_ms(self.updated_ms)?,
        })
    }
}

/// A record's parts as stored: the words sealed under its client id, the traps as codes.
pub(crate) struct Stored {
    pub situation: String,
    pub feelings: String,
    pub thought: String,
    pub evidence_for: String,
    pub evidence_against: String,
    pub traps: String,
    pub balanced: String,
}

/// Seals a record's words for storing.
pub(crate) fn stored(key: &DataKey, client_id: &str, c: &RecordContent) -> Stored {
    let feelings = serde_json::to_string(&c.feelings).unwrap_or_else(|_| "[]".into());
    let codes: Vec<&str> = c.traps.iter().map(|t| t.code()).collect();
    Stored {
        situation: key.seal(THOUGHT_SITUATION, client_id, &c.situation),
        feelings: key.seal(THOUGHT_FEELINGS, client_id, &feelings),
        thought: key.seal(THOUGHT_THOUGHT, client_id, &c.thought),
        evidence_for: key.seal(THOUGHT_EVIDENCE_FOR, client_id, &c.evidence_for),
        evidence_against: key.seal(THOUGHT_EVIDENCE_AGAINST, client_id, &c.evidence_against),
        traps: serde_json::to_string(&codes).unwrap_or_else(|_| "[]".into()),
        balanced: key.seal(THOUGHT_BALANCED, client_id, &c.balanced),
    }
}

macro_rules! thought_record_columns {
    () => {
        "r.id, r.client_id, r.status, r.situation, r.feelings, r.thought, r.evidence_for, \
         r.evidence_against, r.traps, r.balanced, r.coping_use_id, r.created_ms, r.updated_ms, \
         EXISTS (SELECT 1 FROM agenda_items a \
                 WHERE a.thought_record_id = r.id AND a.discussed_ms IS NULL) AS bring"
    };
}

/// The insert's column list and values, shared by both backends (`$12` is both the creation
/// and the first update time).
macro_rules! thought_record_values {
    () => {
        "(account_id, client_id, status, situation, feelings, thought, evidence_for, \
         evidence_against, traps, balanced, created_ms, updated_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)"
    };
}

/// The new record's id.
pub(crate) const INSERT: &str = insert_new_sql!("thought_records", "id", thought_record_values!());
/// The record a previous try stored.
pub(crate) const EXISTING: &str = existing_sql!("thought_records", "id");

/// One of the account's (`$1`) records by id (`$2`).
pub(crate) const ONE: &str = concat!(
    "SELECT ",
    thought_record_columns!(),
    " FROM thought_records r WHERE r.account_id = $1 AND r.id = $2"
);

/// A page of the account's (`$1`) records, newest first: `$2` the status (`''` for both),
/// `($3, $4)` the cursor's (created, id) to start just older than, `$5` how many.
pub(crate) const PAGE: &str = concat!(
    "SELECT ",
    thought_record_columns!(),
    " FROM thought_records r WHERE r.account_id = $1 \
     AND ($2 = '' OR r.status = $2) \
     AND (r.created_ms, r.id) < ($3, $4) \
     ORDER BY r.created_ms DESC, r.id DESC LIMIT $5"
);

/// The account's (`$1`) records on the open agenda, and its finished ones started in
/// `[$2, $3)`, newest first, at most `$4`.
pub(crate) const FOR_BRIEF: &str = concat!(
    "SELECT ",
    thought_record_columns!(),
    " FROM thought_records r WHERE r.account_id = $1 AND (\
     EXISTS (SELECT 1 FROM agenda_items a \
             WHERE a.thought_record_id = r.id AND a.discussed_ms IS NULL) \
     OR (r.status = 'done' AND r.created_ms >= $2 AND r.created_ms < $3)) \
     ORDER BY r.created_ms DESC, r.id DESC LIMIT $4"
);

/// What a change needs of the stored record: its client id (the words are sealed under it),
/// when it was started (its use's time) and its use.
pub(crate) const CURRENT: &str = "SELECT client_id, created_ms, coping_use_id \
     FROM thought_records WHERE account_id = $1 AND id = $2";

/// Replaces the record's parts: `$1` status, `$2`–`$8` the parts as in [`Stored`], `$9`
/// now, `$10` the account, `$11` the id.
pub(crate) const EDIT: &str = "UPDATE thought_records SET status = $1, situation = $2, \
     feelings = $3, thought = $4, evidence_for = $5, evidence_against = $6, traps = $7, \
     balanced = $8, updated_ms = $9 WHERE account_id = $10 AND id = $11";

/// The ids of the record's (`$2`) open agenda topics (`$1` the account), whose text follows
/// the record's title.
pub(crate) const OPEN_TOPICS: &str = "SELECT id FROM agenda_items \
     WHERE account_id = $1 AND thought_record_id = $2 AND discussed_ms IS NULL";

/// Takes the record's (`$2`) open topic off the account's (`$1`) agenda.
pub(crate) const UNBRING: &str = "DELETE FROM agenda_items WHERE account_id = $1 \
     AND thought_record_id = $2 AND discussed_ms IS NULL";

/// Puts a topic for the record (`$3`) on the account's (`$1`) agenda at `$2`, unless an open
/// topic stands for it already; its id when one was added, whose text is sealed next.
pub(crate) const BRING: &str = "INSERT INTO agenda_items (account_id, text, source, created_ms, \
     thought_record_id) SELECT $1, '', 'thought_record', $2, $3 WHERE NOT EXISTS \
     (SELECT 1 FROM agenda_items WHERE thought_record_id = $3 \
      AND discussed_ms IS NULL) RETURNING id";

/// Deletes the account's (`$1`) record `$2`; its agenda topics go with it (ON DELETE CASCADE).
pub(crate) const DELETE: &str = "DELETE FROM thought_records WHERE account_id = $1 AND id = $2";

/// The distress of the account's (`$1`) use `$2`.
pub(crate) const USE_OF: &str = "SELECT distress_before, distress_after FROM coping_uses \
     WHERE account_id = $1 AND id = $2";
/// A record's new use: `$1` account, `$2` client id, `$3` started (the record's start),
/// `$4` and `$5` distress before and after, `$6` now; its id.
pub(crate) const INSERT_USE: &str = "INSERT INTO coping_uses (account_id, client_id, tool, \
     started_ms, distress_before, distress_after, note, created_ms) \
     VALUES ($1, $2, 'thought-record', $3, $4, $5, NULL, $6) RETURNING id";
/// Links the account's (`$2`) record `$3` to its use `$1` (or none).
pub(crate) const LINK_USE: &str =
    "UPDATE thought_records SET coping_use_id = $1 WHERE account_id = $2 AND id = $3";
/// Changes the distress of the account's (`$3`) use `$4` to `$1` before and `$2` after.
pub(crate) const UPDATE_USE: &str = "UPDATE coping_uses SET distress_before = $1, \
     distress_after = $2 WHERE account_id = $3 AND id = $4";
/// Removes the account's (`$1`) use `$2`.
pub(crate) const DELETE_USE: &str = "DELETE FROM coping_uses WHERE account_id = $1 AND id = $2";
/// Drops the account's (`$1`) totals of the thought record, to be added up again.
pub(crate) const DROP_TOTALS: &str =
    "DELETE FROM coping_tool_totals WHERE account_id = $1 AND tool = 'thought-record'";
/// Adds up the account's (`$1`) uses of the thought record again, after one was changed or
/// removed (uses of other tools are only ever added, and their totals with them).
pub(crate) const REBUILD_TOTALS: &str = "INSERT INTO coping_tool_totals \
     (account_id, tool, uses, rated_uses, total_relief, last_used_ms) \
     SELECT account_id, tool, COUNT(*), \
     SUM(CASE WHEN distress_before IS NOT NULL AND distress_after IS NOT NULL THEN 1 ELSE 0 END), \
     SUM(CASE WHEN distress_before IS NOT NULL AND distress_after IS NOT NULL \
     THEN distress_before - distress_after ELSE 0 END), MAX(started_ms) \
     FROM coping_uses WHERE account_id = $1 AND tool = 'thought-record' \
     GROUP BY account_id, tool";

/// What a write must do to the record's coping use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UseStep {
    /// It is as it should be.
    Keep,
    /// A new use with this distress before and after.
    Insert(i64, i64),
    /// The use (`.0`) takes this distress.
    Update(i64, i64, i64),
    /// The use goes: the record is a draft again, or no feeling is rated twice.
    Delete(i64),
}

/// The step that brings the use in step with the record: `current` is the linked use with
/// its stored distress, if any.
pub(crate) fn use_step(
    status: Status,
    content: &RecordContent,
    current: Option<(i64, Option<i64>, Option<i64>)>,
) -> UseStep {
    let wanted = match status {
        Status::Done => content
            .distress()
            .map(|(b, a)| (i64::from(b.get()), i64::from(a.get()))),
        Status::Draft => None,
    };
    match (current, wanted) {
        (None, None) => UseStep::Keep,
        (None, Some((b, a))) => UseStep::Insert(b, a),
        (Some((id, _, _)), None) => UseStep::Delete(id),
        (Some((_, Some(b0), Some(a0))), Some((b, a))) if (b0, a0) == (b, a) => UseStep::Keep,
        (Some((id, _, _)), Some((b, a))) => UseStep::Update(id, b, a),
    }
}

/// The new use as guidance reads it.
pub(crate) fn use_record(started_ms: i64, before: i64, after: i64) -> CopingRecord {
    CopingRecord {
        at: crate::rows::from_ms(started_ms).unwrap_or_else(|_| Utc::now()),
        tool: Some(ToolId::ThoughtRecord.code().to_string()),
        distress_before: Rating::new(before).ok(),
        distress_after: Rating::new(after).ok(),
    }
}

/// A read of one page through [`PAGE`]: the status it binds after the account (`$2`), and
/// the shared scan that reads it batch by batch (`$3` to `$5`), as the journal does.
pub(crate) struct PageScan {
    /// `$2`: the status code, or `''` for every record.
    pub status: &'static str,
    scan: Scan<ThoughtRecord>,
}

impl PageScan {
    /// The scan for a query.
    pub fn new(q: &RecordQuery) -> PageScan {
        let before = q
            .before
            .map_or((i64::MAX, i64::MAX), |c| (c.created_ms, c.id.0));
        PageScan {
            status: match q.filter {
                RecordFilter::All => "",
                RecordFilter::Done => Status::Done.code(),
                RecordFilter::Drafts => Status::Draft.code(),
            },
            scan: Scan::new(q.limit, before, q.search.as_deref()),
        }
    }

    /// The next batch to read, or `None` when the page is done.
    pub fn next_batch(&self) -> Option<Batch> {
        self.scan.next_batch()
    }

    /// Takes in a batch, opening each record with the account's key.
    pub fn take(&mut self, rows: Vec<RecordRow>, key: &DataKey) -> Result<(), StoreError> {
        self.scan.take(
            rows,
            |r| (r.created_ms, r.id),
            |r| r.into_record(key),
            |r| Cow::Owned(r.content.words()),
        )
    }

    /// The page: at most `limit` records, and a cursor when more exist.
    pub fn page(self) -> RecordPage {
        let (records, more) = self.scan.into_page();
        RecordPage {
            next: records.last().filter(|_| more).map(RecordCursor::after),
            records,
        }
    }
}

fn limit_of(limit: usize) -> i64 {
    i64::try_from(limit.clamp(1, 200)).unwrap_or(200)
}

/// Puts the record's topic on the agenda unless an open topic stands for it already.
fn bring(
    conn: &rusqlite::Connection,
    key: &DataKey,
    account: AccountId,
    id: i64,
    title: &str,
    now: i64,
) -> Result<(), StoreError> {
    if let Some(topic) = conn.scalar::<i64>(BRING, &[&account.0, &now, &id])? {
        crate::agenda::seal_text_sqlite(conn, key, account, topic, title)?;
    }
    Ok(())
}

/// Brings the record's use in step with it, with the totals and guidance (SQLite's writer).
#[allow(clippy::too_many_arguments)]
fn sync_use(
    conn: &rusqlite::Connection,
    account: AccountId,
    id: i64,
    status: Status,
    content: &RecordContent,
    created_ms: i64,
    use_id: Option<i64>,
    now: i64,
    alerts: Option<&crate::outbox::AlertMail>,
) -> Result<(), StoreError> {
    let current = match use_id {
        Some(u) => conn
            .row::<(Option<i64>, Option<i64>)>(USE_OF, &[&account.0, &u])?
            .map(|(b, a)| (u, b, a)),
        None => None,
    };
    let change = match use_step(status, content, current) {
        UseStep::Keep => return Ok(()),
        UseStep::Insert(before, after) => {
            let client = uuid::Uuid::new_v4().to_string();
            let use_id: i64 = conn
                .scalar(
                    INSERT_USE,
                    &[&account.0, &client, &created_ms, &before, &after, &now],
                )?
                .ok_or(rusqlite::Error::QueryReturnedNoRows)?;
            conn.exec(LINK_USE, &[&use_id, &account.0, &id])?;
            crate::summaries::HistoryChange::Coping(use_record(created_ms, before, after))
        }
        UseStep::Update(u, before, after) => {
            conn.exec(UPDATE_USE, &[&before, &after, &account.0, &u])?;
            crate::summaries::HistoryChange::Removed
        }
        UseStep::Delete(u) => {
            conn.exec(LINK_USE, &[&None::<i64>, &account.0, &id])?;
            conn.exec(DELETE_USE, &[&account.0, &u])?;
            crate::summaries::HistoryChange::Removed
        }
    };
    conn.exec(DROP_TOTALS, &[&account.0])?;
    conn.exec(REBUILD_TOTALS, &[&account.0])?;
    crate::summaries::reassess_sqlite(conn, account, &change, Utc::now(), alerts)?;
    Ok(())
}

#[async_trait]
impl ThoughtRecordStore for crate::sqlite::SqliteStore {
    async fn insert_thought_record(
        &self,
        account: AccountId,
        r: &NewThoughtRecord,
    ) -> Result<(ThoughtRecord, Written), StoreError> {
        let r = r.clone();
        let vault = self.vault();
        let alerts = self.alert_mail();
        let (row, written): (RecordRow, Written) = self
            .db()?
            .write(move |conn| {
                let key = crate::sqlite::SqliteStore::data_key_on(&vault, conn, account)?;
                let now = crate::rows::ms(Utc::now());
                let client = r.client_id.to_string();
                let s = stored(&key, &client, &r.content);
                let ((id,), written): ((i64,), Written) = crate::sqlite::sql::insert_or_existing(
                    conn,
                    INSERT,
                    EXISTING,
                    &[
                        &account.0,
                        &client,
                        &r.status.code(),
                        &s.situation,
                        &s.feelings,
                        &s.thought,
                        &s.evidence_for,
                        &s.evidence_against,
                        &s.traps,
                        &s.balanced,
                        &now,
                    ],
                    account,
                    r.client_id,
                )?;
                if written == Written::Created {
                    if r.bring_to_session {
                        bring(conn, &key, account, id, &r.content.title(), now)?;
                    }
                    sync_use(
                        conn,
                        account,
                        id,
                        r.status,
                        &r.content,
                        now,
                        None,
                        now,
                        alerts.as_deref(),
                    )?;
                }
                let row = conn
                    .row(ONE, &[&account.0, &id])?
                    .ok_or_else(|| StoreError::Corrupt("new thought record vanished".into()))?;
                Ok((row, written))
            })
            .await?;
        Ok((row.into_record(&self.data_key(account)?)?, written))
    }

    async fn thought_record(
        &self,
        account: AccountId,
        id: ThoughtRecordId,
    ) -> Result<Option<ThoughtRecord>, StoreError> {
        let key = self.data_key(account)?;
        self.optional_row(ONE, &[&account.0, &id.0], |row: RecordRow| {
            row.into_record(&key)
        })
    }

    async fn thought_record_page(
        &self,
        account: AccountId,
        q: &RecordQuery,
    ) -> Result<RecordPage, StoreError> {
        let key = self.data_key(account)?;
        let mut scan = PageScan::new(q);
        while let Some(batch) = scan.next_batch() {
            let rows: Vec<RecordRow> = self.db()?.read(|conn| {
                conn.rows(
                    PAGE,
                    &[
                        &account.0,
                        &scan.status,
                        &batch.before_ms,
                        &batch.before_id,
                        &batch.fetch,
                    ],
                )
            })?;
            scan.take(rows, &key)?;
        }
        Ok(scan.page())
    }

    async fn thought_records_for_brief(
        &self,
        account: AccountId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<ThoughtRecord>, StoreError> {
        let key = self.data_key(account)?;
        self.all_rows(
            FOR_BRIEF,
            &[
                &account.0,
                &crate::rows::ms(from),
                &crate::rows::ms(to),
                &limit_of(limit),
            ],
            |row: RecordRow| row.into_record(&key),
        )
    }

    async fn edit_thought_record(
        &self,
        account: AccountId,
        id: ThoughtRecordId,
        change: &RecordChange,
    ) -> Result<Option<ThoughtRecord>, StoreError> {
        let change = change.clone();
        let vault = self.vault();
        let alerts = self.alert_mail();
        let row: Option<RecordRow> = self
            .db()?
            .write(move |conn| {
                let key = crate::sqlite::SqliteStore::data_key_on(&vault, conn, account)?;
                let now = crate::rows::ms(Utc::now());
                let Some((client, created_ms, use_id)) =
                    conn.row::<(String, i64, Option<i64>)>(CURRENT, &[&account.0, &id.0])?
                else {
                    return Ok(None);
                };
                let s = stored(&key, &client, &change.content);
                conn.exec(
                    EDIT,
                    &[
                        &change.status.code(),
                        &s.situation,
                        &s.feelings,
                        &s.thought,
                        &s.evidence_for,
                        &s.evidence_against,
                        &s.traps,
                        &s.balanced,
                        &now,
                        &account.0,
                        &id.0,
                    ],
                )?;
                let title = change.content.title();
                let topics: Vec<(i64,)> = conn.rows(OPEN_TOPICS, &[&account.0, &id.0])?;
                for (topic,) in topics {
                    crate::agenda::seal_text_sqlite(conn, &key, account, topic, &title)?;
                }
                match change.bring_to_session {
                    Some(true) => bring(conn, &key, account, id.0, &title, now)?,
                    Some(false) => {
                        conn.exec(UNBRING, &[&account.0, &id.0])?;
                    }
                    None => {}
                }
                sync_use(
                    conn,
                    account,
                    id.0,
                    change.status,
                    &change.content,
                    created_ms,
                    use_id,
                    now,
                    alerts.as_deref(),
                )?;
                conn.row(ONE, &[&account.0, &id.0])
            })
            .await?;
        let key = self.data_key(account)?;
        row.map(|r| r.into_record(&key)).transpose()
    }

    async fn delete_thought_record(
        &self,
        account: AccountId,
        id: ThoughtRecordId,
    ) -> Result<bool, StoreError> {
        let alerts = self.alert_mail();
        self.db()?
            .write(move |conn| {
                let Some((_, created_ms, use_id)) =
                    conn.row::<(String, i64, Option<i64>)>(CURRENT, &[&account.0, &id.0])?
                else {
                    return Ok(false);
                };
                let now = crate::rows::ms(Utc::now());
                // A draft holds no use: the use goes first, then the record.
                sync_use(
                    conn,
                    account,
                    id.0,
                    Status::Draft,
                    &RecordContent::default(),
                    created_ms,
                    use_id,
                    now,
                    alerts.as_deref(),
                )?;
                Ok(conn.exec(DELETE, &[&account.0, &id.0])? == 1)
            })
            .await
    }
}

macro_rules! impl_thought_record_store {
    ($ty:ty) => {
        #[async_trait::async_trait]
        impl $crate::thought_records::ThoughtRecordStore for $ty {
            async fn insert_thought_record(
                &self,
                account: domain::account::AccountId,
                r: &domain::thought_record::NewThoughtRecord,
            ) -> Result<
                (domain::thought_record::ThoughtRecord, $crate::Written),
                $crate::StoreError,
            > {
                let now = $crate::rows::ms(chrono::Utc::now());
                let mut tx = self.writer().begin().await?;
                let key = self.data_key(&mut *tx, account).await?;
                let client = r.client_id.to_string();
                let s = $crate::thought_records::stored(&key, &client, &r.content);
                let ((id,), written): ((i64,), _) = insert_or_existing!(
                    &mut *tx, account, r.client_id,
                    into "thought_records" ("id") thought_record_values!(),
                    |q| q
                        .bind(account.0)
                        .bind(&client)
                        .bind(r.status.code())
                        .bind(&s.situation)
                        .bind(&s.feelings)
                        .bind(&s.thought)
                        .bind(&s.evidence_for)
                        .bind(&s.evidence_against)
                        .bind(&s.traps)
                        .bind(&s.balanced)
                        .bind(now)
                );
                if written == $crate::Written::Created {
                    if r.bring_to_session {
                        Self::bring_thought_record(&mut tx, &key, account, id, &r.content.title(), now)
                            .await?;
                    }
                    Self::sync_thought_record_use(
                        &mut tx, account, id, r.status, &r.content, now, None, now,
                        self.alert_mail().as_deref(),
                    )
                    .await?;
                }
                tx.commit().await?;
                let record = Self::thought_record_in(self.writer(), &key, account, id)
                    .await?
                    .ok_or_else(|| {
                        $crate::StoreError::Corrupt("new thought record vanished".into())
                    })?;
                Ok((record, written))
            }

            async fn thought_record(
                &self,
                account: domain::account::AccountId,
                id: domain::thought_record::ThoughtRecordId,
            ) -> Result<Option<domain::thought_record::ThoughtRecord>, $crate::StoreError> {
                let key = self.reading_key(account).await?;
                Self::thought_record_in(self.reader(), &key, account, id.0).await
            }

            async fn thought_record_page(
                &self,
                account: domain::account::AccountId,
                q: &$crate::thought_records::RecordQuery,
            ) -> Result<domain::thought_record::RecordPage, $crate::StoreError> {
                let key = self.reading_key(account).await?;
                let mut scan = $crate::thought_records::PageScan::new(q);
                while let Some(batch) = scan.next_batch() {
                    let rows: Vec<$crate::thought_records::RecordRow> =
                        sqlx::query_as($crate::thought_records::PAGE)
                            .bind(account.0)
                            .bind(scan.status)
                            .bind(batch.before_ms)
                            .bind(batch.before_id)
                            .bind(batch.fetch)
                            .fetch_all(self.reader())
                            .await?;
                    scan.take(rows, &key)?;
                }
                Ok(scan.page())
            }

            async fn thought_records_for_brief(
                &self,
                account: domain::account::AccountId,
                from: chrono::DateTime<chrono::Utc>,
                to: chrono::DateTime<chrono::Utc>,
                limit: usize,
            ) -> Result<Vec<domain::thought_record::ThoughtRecord>, $crate::StoreError> {
                let key = self.reading_key(account).await?;
                all_rows!(
                    self,
                    $crate::thought_records::FOR_BRIEF,
                    [
                        account.0,
                        $crate::rows::ms(from),
                        $crate::rows::ms(to),
                        i64::try_from(limit.clamp(1, 200)).unwrap_or(200)
                    ],
                    |r: $crate::thought_records::RecordRow| r.into_record(&key)
                )
            }

            async fn edit_thought_record(
                &self,
                account: domain::account::AccountId,
                id: domain::thought_record::ThoughtRecordId,
                change: &domain::thought_record::RecordChange,
            ) -> Result<Option<domain::thought_record::ThoughtRecord>, $crate::StoreError> {
                let now = $crate::rows::ms(chrono::Utc::now());
                let mut tx = self.writer().begin().await?;
                let key = self.data_key(&mut *tx, account).await?;
                let current: Option<(String, i64, Option<i64>)> =
                    sqlx::query_as($crate::thought_records::CURRENT)
                        .bind(account.0)
                        .bind(id.0)
                        .fetch_optional(&mut *tx)
                        .await?;
                let Some((client, created_ms, use_id)) = current else {
                    tx.rollback().await?;
                    return Ok(None);
                };
                let s = $crate::thought_records::stored(&key, &client, &change.content);
                sqlx::query($crate::thought_records::EDIT)
                    .bind(change.status.code())
                    .bind(&s.situation)
                    .bind(&s.feelings)
                    .bind(&s.thought)
                    .bind(&s.evidence_for)
                    .bind(&s.evidence_against)
                    .bind(&s.traps)
                    .bind(&s.balanced)
                    .bind(now)
                    .bind(account.0)
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await?;
                let title = change.content.title();
                let topics: Vec<i64> = sqlx::query_scalar($crate::thought_records::OPEN_TOPICS)
                    .bind(account.0)
                    .bind(id.0)
                    .fetch_all(&mut *tx)
                    .await?;
                for topic in topics {
                    $crate::agenda::seal_text_postgres(&mut *tx, &key, account, topic, &title)
                        .await?;
                }
                match change.bring_to_session {
                    Some(true) => {
                        Self::bring_thought_record(&mut tx, &key, account, id.0, &title, now)
                            .await?
                    }
                    Some(false) => {
                        sqlx::query($crate::thought_records::UNBRING)
                            .bind(account.0)
                            .bind(id.0)
                            .execute(&mut *tx)
                            .await?;
                    }
                    None => {}
                }
                Self::sync_thought_record_use(
                    &mut tx,
                    account,
                    id.0,
                    change.status,
                    &change.content,
                    created_ms,
                    use_id,
                    now,
                    self.alert_mail().as_deref(),
                )
                .await?;
                tx.commit().await?;
                Self::thought_record_in(self.writer(), &key, account, id.0).await
            }

            async fn delete_thought_record(
                &self,
                account: domain::account::AccountId,
                id: domain::thought_record::ThoughtRecordId,
            ) -> Result<bool, $crate::StoreError> {
                let mut tx = self.writer().begin().await?;
                let current: Option<(String, i64, Option<i64>)> =
                    sqlx::query_as($crate::thought_records::CURRENT)
                        .bind(account.0)
                        .bind(id.0)
                        .fetch_optional(&mut *tx)
                        .await?;
                let Some((_, created_ms, use_id)) = current else {
                    tx.rollback().await?;
                    return Ok(false);
                };
                let now = $crate::rows::ms(chrono::Utc::now());
                // A draft holds no use: the use goes first, then the record.
                Self::sync_thought_record_use(
                    &mut tx,
                    account,
                    id.0,
                    domain::thought_record::Status::Draft,
                    &domain::thought_record::RecordContent::default(),
                    created_ms,
                    use_id,
                    now,
                    self.alert_mail().as_deref(),
                )
                .await?;
                let done = sqlx::query($crate::thought_records::DELETE)
                    .bind(account.0)
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(done.rows_affected() == 1)
            }
        }

        impl $ty {
            /// Puts the record's topic on the agenda unless an open topic stands for it.
            async fn bring_thought_record(
                tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
                key: &$crate::vault::DataKey,
                account: domain::account::AccountId,
                id: i64,
                title: &str,
                now: i64,
            ) -> Result<(), $crate::StoreError> {
                let topic: Option<i64> = sqlx::query_scalar($crate::thought_records::BRING)
                    .bind(account.0)
                    .bind(now)
                    .bind(id)
                    .fetch_all(&mut **tx)
                    .await
                    .map($crate::rows::first_row)?;
                if let Some(topic) = topic {
                    $crate::agenda::seal_text_postgres(&mut **tx, key, account, topic, title)
                        .await?;
                }
                Ok(())
            }

            /// Brings the record's use in step with it, with the totals and guidance.
            #[allow(clippy::too_many_arguments)]
            async fn sync_thought_record_use(
                tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
                account: domain::account::AccountId,
                id: i64,
                status: domain::thought_record::Status,
                content: &domain::thought_record::RecordContent,
                created_ms: i64,
                use_id: Option<i64>,
                now: i64,
                alerts: Option<&$crate::outbox::AlertMail>,
            ) -> Result<(), $crate::StoreError> {
                use $crate::thought_records::UseStep;
                let current = match use_id {
                    Some(u) => {
                        let d: Option<(Option<i64>, Option<i64>)> =
                            sqlx::query_as($crate::thought_records::USE_OF)
                                .bind(account.0)
                                .bind(u)
                                .fetch_optional(&mut **tx)
                                .await?;
                        d.map(|(b, a)| (u, b, a))
                    }
                    None => None,
                };
                let change = match $crate::thought_records::use_step(status, content, current) {
                    UseStep::Keep => return Ok(()),
                    UseStep::Insert(before, after) => {
                        let use_id: i64 = sqlx::query_scalar($crate::thought_records::INSERT_USE)
                            .bind(account.0)
                            .bind(uuid::Uuid::new_v4().to_string())
                            .bind(created_ms)
                            .bind(before)
                            .bind(after)
                            .bind(now)
                            .fetch_all(&mut **tx)
                            .await
                            .and_then($crate::rows::only_row)?;
                        sqlx::query($crate::thought_records::LINK_USE)
                            .bind(use_id)
                            .bind(account.0)
                            .bind(id)
                            .execute(&mut **tx)
                            .await?;
                        $crate::summaries::HistoryChange::Coping(
                            $crate::thought_records::use_record(created_ms, before, after),
                        )
                    }
                    UseStep::Update(u, before, after) => {
                        sqlx::query($crate::thought_records::UPDATE_USE)
                            .bind(before)
                            .bind(after)
                            .bind(account.0)
                            .bind(u)
                            .execute(&mut **tx)
                            .await?;
                        $crate::summaries::HistoryChange::Removed
                    }
                    UseStep::Delete(u) => {
                        sqlx::query($crate::thought_records::LINK_USE)
                            .bind(None::<i64>)
                            .bind(account.0)
                            .bind(id)
                            .execute(&mut **tx)
                            .await?;
                        sqlx::query($crate::thought_records::DELETE_USE)
                            .bind(account.0)
                            .bind(u)
                            .execute(&mut **tx)
                            .await?;
                        $crate::summaries::HistoryChange::Removed
                    }
                };
                for sql in [
                    $crate::thought_records::DROP_TOTALS,
                    $crate::thought_records::REBUILD_TOTALS,
                ] {
                    sqlx::query(sql).bind(account.0).execute(&mut **tx).await?;
                }
                $crate::summaries::reassess_postgres(tx, account, &change, chrono::Utc::now(), alerts)
                    .await?;
                Ok(())
            }

            async fn thought_record_in(
                executor: &sqlx::PgPool,
                key: &$crate::vault::DataKey,
                account: domain::account::AccountId,
                id: i64,
            ) -> Result<Option<domain::thought_record::ThoughtRecord>, $crate::StoreError> {
                let row: Option<$crate::thought_records::RecordRow> =
                    sqlx::query_as($crate::thought_records::ONE)
                        .bind(account.0)
                        .bind(id)
                        .fetch_optional(executor)
                        .await?;
                row.map(|r| r.into_record(key)).transpose()
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::thought_record::{FeelingInput, ThoughtRecordInput};

    fn content(after: Option<i64>) -> RecordContent {
        ThoughtRecordInput {
            feelings: Some(vec![FeelingInput {
                name: Some("Sad".into()),
                before: Some(80),
                after,
            }]),
            ..Default::default()
        }
        .validate()
        .unwrap()
        .content
    }

    #[test]
    fn the_use_follows_status_and_ratings() {
        let rated = content(Some(30));
        let unrated = content(None);
        assert_eq!(use_step(Status::Done, &rated, None), UseStep::Insert(8, 3));
        assert_eq!(use_step(Status::Draft, &rated, None), UseStep::Keep);
        assert_eq!(use_step(Status::Done, &unrated, None), UseStep::Keep);
        assert_eq!(
            use_step(Status::Done, &rated, Some((5, Some(8), Some(3)))),
            UseStep::Keep
        );
        assert_eq!(
            use_step(Status::Done, &rated, Some((5, Some(9), Some(3)))),
            UseStep::Update(5, 8, 3)
        );
        assert_eq!(
            use_step(Status::Draft, &rated, Some((5, Some(8), Some(3)))),
            UseStep::Delete(5)
        );
        assert_eq!(
            use_step(Status::Done, &unrated, Some((5, Some(8), Some(3)))),
            UseStep::Delete(5)
        );
    }
}
