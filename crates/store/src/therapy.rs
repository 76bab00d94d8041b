//! Therapy sessions (one, or a repeating series) and the post-session check-ins
//! ("reflections") written after them.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::account::AccountId;
use domain::idempotency::Written;
use domain::therapy::{Reflection, ReflectionId, Repeat, TherapySession, TherapySessionId};
use uuid::Uuid;

use crate::StoreError;
use crate::sqlite::{FromSqliteRow, Sql};

/// A stored post-session check-in, as much as the home page needs.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredReflection {
    /// Server id.
    pub id: ReflectionId,
    /// The session it is about, if it still exists.
    pub session_id: Option<TherapySessionId>,
    /// When it was written.
    pub at: DateTime<Utc>,
    /// How the session felt.
    pub session_feeling: Option<domain::rating::Rating>,
    /// What came up.
    pub came_up: Vec<domain::therapy::CameUp>,
    /// Feedback for the therapist.
    pub feedback: Option<String>,
}

/// Sessions to add in one request: one, or a series sharing `series`.
#[derive(Debug, Clone, Copy)]
pub struct NewSessions<'a> {
    /// The request's client id; stored on the first session.
    pub client_id: Uuid,
    /// Every occurrence, oldest first.
    pub at: &'a [DateTime<Utc>],
    /// The private note, stored on the first occurrence only: it was written for that
    /// session, and a copy on every later one would read as if written for each.
    pub note: Option<&'a str>,
    /// The series id, when it repeats.
    pub series: Option<Uuid>,
    /// How it repeats, as asked.
    pub repeat: Repeat,
}

/// The sessions one request added, new or found from an earlier try.
#[derive(Debug, Clone, PartialEq)]
pub struct AddedSessions {
    /// The first session and the rest of its series still stored, oldest first.
    pub sessions: Vec<TherapySession>,
    /// How the request asked them to repeat.
    pub repeat: Repeat,
    /// Whether this call stored them or found them.
    pub written: Written,
}

/// Sessions and reflections, each scoped to one account.
#[async_trait]
pub trait TherapyStore: Send + Sync {
    /// Stores sessions (one, or a series) once per client id: a retry returns what the
    /// first try stored, with [`Written::Existing`], and stores nothing.
    async fn add_therapy_sessions(
        &self,
        account: AccountId,
        new: &NewSessions<'_>,
    ) -> Result<AddedSessions, StoreError>;
    /// The account's sessions with `from <= at < to`, oldest first.
    async fn therapy_sessions(
        &self,
        account: AccountId,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Vec<TherapySession>, StoreError>;
    /// One of the account's sessions by id; `None` when there is none or it is another's.
    async fn therapy_session(
        &self,
        account: AccountId,
        id: TherapySessionId,
    ) -> Result<Option<TherapySession>, StoreError>;
    /// The account's last session before `before` (the last written of those at the same
    /// time): one index step, however many there were.
    async fn previous_therapy_session(
        &self,
        account: AccountId,
        before: DateTime<Utc>,
    ) -> Result<Option<TherapySession>, StoreError>;
    /// The account's first session at or after `from`: one index step, however many are
    /// planned.
    async fn next_therapy_session(
        &self,
        account: AccountId,
        from: DateTime<Utc>,
    ) -> Result<Option<TherapySession>, StoreError>;
    /// Removes one session; with `and_later_in_series`, also the later ones of its series.
    /// Returns how many were removed (0 when it is not this account's).
    async fn delete_therapy_session(
        &self,
        account: AccountId,
        id: TherapySessionId,
        and_later_in_series: bool,
    ) -> Result<u64, StoreError>;
    /// Stores a post-session check-in and its topics (as agenda items) in one transaction,
    /// once per client id.
    async fn insert_reflection(
        &self,
        account: AccountId,
        session_id: Option<TherapySessionId>,
        at: DateTime<Utc>,
        reflection: &Reflection,
    ) -> Result<(StoredReflection, Written), StoreError>;
    /// The account's post-session check-ins since a time, oldest first.
    async fn reflections_since(
        &self,
        account: AccountId,
        since: DateTime<Utc>,
    ) -> Result<Vec<StoredReflection>, StoreError>;
}

/// How a repeat is stored.
pub(crate) fn repeat_code(r: Repeat) -> &'static str {
    match r {
        Repeat::Once => "once",
        Repeat::Weekly => "weekly",
        Repeat::Fortnightly => "fortnightly",
    }
}

db_row! {
pub(crate) struct SessionRow {
    pub id: i64,
    pub at_ms: i64,
    pub note: Option<String>,
    pub series: Option<String>,
}
}

impl SessionRow {
    /// The session, its note opened with the account's key.
    pub fn into_session(self, key: &crate::vault::DataKey) -> Result<TherapySession, StoreError> {
        Ok(TherapySession {
            id: TherapySessionId(self.id),
            at: crate::rows::from_ms(self.at_ms)?,
            note: key.open_opt(
                crate::vault::sealed::SESSION_NOTE,
                &self.id.to_string(),
                self.note,
            )?,
            series: self
                .series
                .map(|s| {
                    s.parse()
                        .map_err(|_| StoreError::Corrupt("series id".into()))
                })
                .transpose()?,
        })
    }
}

/// The session that stands for a request (the one carrying its client id), and how the
/// request asked it to repeat.
#[derive(sqlx::FromRow)]
pub(crate) struct FirstSessionRow {
    #[sqlx(flatten)]
    pub session: SessionRow,
    pub repeats: Option<String>,
}

impl crate::sqlite::FromSqliteRow for FirstSessionRow {
    // By hand: `db_row!` cannot flatten, so the session's columns are read from this row.
    fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(FirstSessionRow {
            session: <SessionRow as FromSqliteRow>::from_row(row)?,
            repeats: row.get("repeats")?,
        })
    }
}

impl FirstSessionRow {
    /// How the request asked its sessions to repeat.
    pub fn repeat(&self) -> Result<Repeat, StoreError> {
        Repeat::parse(self.repeats.as_deref().unwrap_or(""))
            .ok_or_else(|| StoreError::Corrupt("session repeat".into()))
    }
}

db_row! {
pub(crate) struct ReflectionRow {
    pub id: i64,
    pub client_id: String,
    pub session_id: Option<i64>,
    pub at_ms: i64,
    pub session_feeling: Option<i64>,
    pub came_up: String,
    pub feedback: Option<String>,
}
}

impl ReflectionRow {
    /// The reflection, its feedback opened with the account's key.
    pub fn into_reflection(
        self,
        key: &crate::vault::DataKey,
    ) -> Result<StoredReflection, StoreError> {
        let feedback = key.open_opt(
            crate::vault::sealed::REFLECTION_FEEDBACK,
            &self.client_id,
            self.feedback,
        )?;
        let codes: Vec<String> = serde_json::from_str(&self.came_up)
            .map_err(|_| StoreError::Corrupt("reflection came_up".into()))?;
        Ok(StoredReflection {
            id: ReflectionId(self.id),
            session_id: self.session_id.map(TherapySessionId),
            at: crate::rows::from_ms(self.at_ms)?,
            session_feeling: self
                .session_feeling
                .map(|v| {
                    domain::rating::Rating::new(v)
                        .map_err(|_| StoreError::Corrupt("reflection rating".into()))
                })
                .transpose()?,
            came_up: codes
                .iter()
                .map(|c| {
                    domain::therapy::CameUp::parse(c)
                        .ok_or_else(|| StoreError::Corrupt("reflection came_up".into()))
                })
                .collect::<Result<_, _>>()?,
            feedback,
        })
    }
}

/// The reflection's feedback as stored: sealed, bound to its client id.
pub(crate) fn sealed_feedback(key: &crate::vault::DataKey, r: &Reflection) -> Option<String> {
    key.seal_opt(
        crate::vault::sealed::REFLECTION_FEEDBACK,
        &r.client_id.to_string(),
        r.feedback.as_deref(),
    )
}

macro_rules! session_columns {
    () => {
        "id, at_ms, note, series"
    };
}

/// The first session's columns: a session's, and how its request asked it to repeat.
macro_rules! first_session_columns {
    () => {
        concat!(session_columns!(), ", repeats")
    };
}

/// The first session's insert: it carries the request's client id and repeat. Its note is
/// sealed bound to the session's id, which exists only once the row does: it is written by
/// [`SEAL_NOTE`] in the same transaction.
macro_rules! first_session_values {
    () => {
        "(account_id, at_ms, note, series, created_ms, client_id, repeats) \
         VALUES ($1, $2, NULL, $3, $4, $5, $6)"
    };
}

/// Writes the sealed note `$1` of the account's (`$2`) session `$3`.
pub(crate) const SEAL_NOTE: &str =
    "UPDATE therapy_sessions SET note = $1 WHERE account_id = $2 AND id = $3";

/// The note as stored: sealed, bound to the session's id.
pub(crate) fn seal_note(key: &crate::vault::DataKey, id: i64, note: &str) -> String {
    key.seal(crate::vault::sealed::SESSION_NOTE, &id.to_string(), note)
}

/// The later sessions of a series, without a client id (the first one stands for them)
/// and without the note (it belongs to the first).
pub(crate) const INSERT_LATER: &str = concat!(
    "INSERT INTO therapy_sessions (account_id, at_ms, series, created_ms) \
     VALUES ($1, $2, $3, $4) RETURNING ",
    session_columns!()
);

/// `$1` the account, `$2` the series, `$3` the first session's time: that session and the
/// later ones of its series still stored, oldest first.
pub(crate) const SERIES_FROM: &str = concat!(
    "SELECT ",
    session_columns!(),
    " FROM therapy_sessions WHERE account_id = $1 AND series = $2 AND at_ms >= $3 \
     ORDER BY at_ms, id"
);

/// The account's sessions in a range, oldest first (binds as `rows_in_range!`).
pub(crate) const SESSIONS_IN_RANGE: &str = concat!(
    "SELECT ",
    session_columns!(),
    " FROM therapy_sessions WHERE account_id = $1 AND at_ms >= $2 AND at_ms < $3 \
     ORDER BY at_ms, id"
);

/// The account's session `$2`.
pub(crate) const SESSION_BY_ID: &str = concat!(
    "SELECT ",
    session_columns!(),
    " FROM therapy_sessions WHERE account_id = $1 AND id = $2"
);

/// The account's last session before `$2`.
pub(crate) const PREVIOUS_SESSION: &str = concat!(
    "SELECT ",
    session_columns!(),
    " FROM therapy_sessions WHERE account_id = $1 AND at_ms < $2 \
     ORDER BY at_ms DESC, id DESC LIMIT 1"
);

/// The account's first session at or after `$2`.
pub(crate) const NEXT_SESSION: &str = concat!(
    "SELECT ",
    session_columns!(),
    " FROM therapy_sessions WHERE account_id = $1 AND at_ms >= $2 ORDER BY at_ms, id LIMIT 1"
);

/// Removes session `$2` of account `$1` and the later ones of its series.
pub(crate) const DELETE_AND_LATER: &str = concat!(
    "DELETE FROM therapy_sessions WHERE account_id = $1 AND (id = $2 OR ",
    "(series IS NOT NULL AND at_ms >= ",
    "(SELECT at_ms FROM therapy_sessions WHERE id = $2 AND account_id = $1) ",
    "AND series = ",
    "(SELECT series FROM therapy_sessions WHERE id = $2 AND account_id = $1)))"
);

/// Removes session `$2` of account `$1`.
pub(crate) const DELETE_ONE: &str =
    "DELETE FROM therapy_sessions WHERE account_id = $1 AND id = $2";

/// The account's session with id `$1` (`$2` the account): a session id from another account
/// is dropped rather than linked.
pub(crate) const OWN_SESSION: &str =
    "SELECT id FROM therapy_sessions WHERE id = $1 AND account_id = $2";

macro_rules! reflection_columns {
    () => {
        "id, client_id, session_id, at_ms, session_feeling, came_up, feedback"
    };
}

/// The reflection insert's column list and values, shared by both backends.
macro_rules! reflection_values {
    () => {
        "(account_id, client_id, session_id, at_ms, session_feeling, came_up, feedback) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)"
    };
}

/// A topic a reflection adds to the agenda: `$1` the account, `$2` the time; its id, for
/// its text to be sealed next (see `agenda::SEAL_TEXT`).
pub(crate) const INSERT_TOPIC: &str = concat!(
    "INSERT INTO agenda_items (account_id, text, source, created_ms) ",
    "VALUES ($1, '', 'post_session', $2) RETURNING id"
);

/// The account's reflections since `$2`, oldest first.
pub(crate) const REFLECTIONS_SINCE: &str = concat!(
    "SELECT ",
    reflection_columns!(),
    " FROM reflections WHERE account_id = $1 AND at_ms >= $2 ORDER BY at_ms, id"
);

/// What came up, as stored JSON text.
pub(crate) fn came_up_json(r: &Reflection) -> String {
    let codes: Vec<&str> = r.came_up.iter().map(|c| c.code()).collect();
    serde_json::to_string(&codes).unwrap_or_else(|_| "[]".into())
}

/// What an earlier request with this client id added: its first session, the later ones of
/// its series still stored, and how it was asked to repeat. On the writer, so it sees what
/// the failed insert collided with.
fn sessions_added_by(
    conn: &rusqlite::Connection,
    key: &crate::vault::DataKey,
    account: AccountId,
    first: FirstSessionRow,
) -> Result<AddedSessions, StoreError> {
    let repeat = first.repeat()?;
    let first = first.session.into_session(key)?;
    let sessions = match first.series {
        None => vec![first],
        Some(series) => {
            let rows: Vec<SessionRow> = conn.rows(
                SERIES_FROM,
                &[&account.0, &series.to_string(), &crate::rows::ms(first.at)],
            )?;
            rows.into_iter()
                .map(|r| r.into_session(key))
                .collect::<Result<Vec<_>, _>>()?
        }
    };
    Ok(AddedSessions {
        sessions,
        repeat,
        written: Written::Existing,
    })
}

#[async_trait]
impl TherapyStore for crate::sqlite::SqliteStore {
    async fn add_therapy_sessions(
        &self,
        account: AccountId,
        new: &NewSessions<'_>,
    ) -> Result<AddedSessions, StoreError> {
        let now = crate::rows::ms(Utc::now());
        let series = new.series.map(|s| s.to_string());
        let client_id = new.client_id;
        let at = new.at.to_vec();
        let note = new.note.map(str::to_owned);
        let repeat = new.repeat;
        let vault = self.vault();
        // All in one write: a failure stores none of the series.
        let alerts = self.alert_mail();
        self.db()?
            .write(move |conn| {
                let key = crate::sqlite::SqliteStore::data_key_on(&vault, conn, account)?;
                let mut out = Vec::with_capacity(at.len());
                if let Some((first_at, later)) = at.split_first() {
                    // The first occurrence stands for the request; a retry collides on it.
                    let (first, written): (FirstSessionRow, Written) =
                        crate::sqlite::sql::insert_or_existing(
                            conn,
                            insert_new_sql!(
                                "therapy_sessions",
                                first_session_columns!(),
                                first_session_values!()
                            ),
                            existing_sql!("therapy_sessions", first_session_columns!()),
                            &[
                                &account.0,
                                &crate::rows::ms(*first_at),
                                &series,
                                &now,
                                &client_id.to_string(),
                                &repeat_code(repeat),
                            ],
                            account,
                            client_id,
                        )?;
                    if written == Written::Existing {
                        return sessions_added_by(conn, &key, account, first);
                    }
                    let id = first.session.id;
                    if let Some(note) = &note {
                        conn.exec(SEAL_NOTE, &[&seal_note(&key, id, note), &account.0, &id])?;
                    }
                    let mut session = first.session.into_session(&key)?;
                    session.note = note.clone();
                    out.push(session);
                    for t in later {
                        let row: SessionRow = conn
                            .row(
                                INSERT_LATER,
                                &[&account.0, &crate::rows::ms(*t), &series, &now],
                            )?
                            .ok_or(rusqlite::Error::QueryReturnedNoRows)?;
                        out.push(row.into_session(&key)?);
                    }
                }
                // Guidance sees the new sessions in the same transaction.
                crate::summaries::reassess_sqlite(
                    conn,
                    account,
                    &crate::summaries::HistoryChange::sessions(&out),
                    Utc::now(),
                    alerts.as_deref(),
                )?;
                Ok(AddedSessions {
                    sessions: out,
                    repeat,
                    written: Written::Created,
                })
            })
            .await
    }

    async fn therapy_sessions(
        &self,
        account: AccountId,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Vec<TherapySession>, StoreError> {
        let key = self.data_key(account)?;
        self.rows_in_range(SESSIONS_IN_RANGE, account, from, to, |r: SessionRow| {
            r.into_session(&key)
        })
    }

    async fn therapy_session(
        &self,
        account: AccountId,
        id: TherapySessionId,
    ) -> Result<Option<TherapySession>, StoreError> {
        let key = self.data_key(account)?;
        self.optional_row(SESSION_BY_ID, &[&account.0, &id.0], |r: SessionRow| {
            r.into_session(&key)
        })
    }

    async fn previous_therapy_session(
        &self,
        account: AccountId,
        before: DateTime<Utc>,
    ) -> Result<Option<TherapySession>, StoreError> {
        let key = self.data_key(account)?;
        self.optional_row(
            PREVIOUS_SESSION,
            &[&account.0, &crate::rows::ms(before)],
            |r: SessionRow| r.into_session(&key),
        )
    }

    async fn next_therapy_session(
        &self,
        account: AccountId,
        from: DateTime<Utc>,
    ) -> Result<Option<TherapySession>, StoreError> {
        let key = self.data_key(account)?;
        self.optional_row(
            NEXT_SESSION,
            &[&account.0, &crate::rows::ms(from)],
            |r: SessionRow| r.into_session(&key),
        )
    }

    async fn delete_therapy_session(
        &self,
        account: AccountId,
        id: TherapySessionId,
        and_later_in_series: bool,
    ) -> Result<u64, StoreError> {
        let sql = if and_later_in_series {
            DELETE_AND_LATER
        } else {
            DELETE_ONE
        };
        let alerts = self.alert_mail();
        let removed = self
            .db()?
            .write(move |conn| {
                let removed = conn.exec(sql, &[&account.0, &id.0])?;
                if removed > 0 {
                    // Guidance forgets the removed sessions in the same transaction.
                    crate::summaries::reassess_sqlite(
                        conn,
                        account,
                        &crate::summaries::HistoryChange::Removed,
                        Utc::now(),
                        alerts.as_deref(),
                    )?;
                }
                Ok(removed)
            })
            .await?;
        u64::try_from(removed).map_err(|_| StoreError::Corrupt("deleted row count".into()))
    }

    async fn insert_reflection(
        &self,
        account: AccountId,
        session_id: Option<TherapySessionId>,
        at: DateTime<Utc>,
        r: &Reflection,
    ) -> Result<(StoredReflection, Written), StoreError> {
        let r = r.clone();
        let vault = self.vault();
        // One write: the session check, the reflection and its topics are kept together.
        let (row, written): (ReflectionRow, Written) = self
            .db()?
            .write(move |conn| {
                let key = crate::sqlite::SqliteStore::data_key_on(&vault, conn, account)?;
                let session_id: Option<i64> = match session_id {
                    Some(s) => conn.scalar(OWN_SESSION, &[&s.0, &account.0])?,
                    None => None,
                };
                let (row, written) = crate::sqlite::sql::insert_or_existing(
                    conn,
                    insert_new_sql!("reflections", reflection_columns!(), reflection_values!()),
                    existing_sql!("reflections", reflection_columns!()),
                    &[
                        &account.0,
                        &r.client_id.to_string(),
                        &session_id,
                        &crate::rows::ms(at),
                        &r.session_feeling.map(|v| i64::from(v.get())),
                        &came_up_json(&r),
                        &sealed_feedback(&key, &r),
                    ],
                    account,
                    r.client_id,
                )?;
                if written == Written::Created {
                    for topic in &r.topics {
                        let id: Option<i64> =
                            conn.scalar(INSERT_TOPIC, &[&account.0, &crate::rows::ms(at)])?;
                        let id = id.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
                        crate::agenda::seal_text_sqlite(conn, &key, account, id, topic)?;
                    }
                }
                Ok((row, written))
            })
            .await?;
        Ok((row.into_reflection(&self.data_key(account)?)?, written))
    }

    async fn reflections_since(
        &self,
        account: AccountId,
        since: DateTime<Utc>,
    ) -> Result<Vec<StoredReflection>, StoreError> {
        let key = self.data_key(account)?;
        self.all_rows(
            REFLECTIONS_SINCE,
            &[&account.0, &crate::rows::ms(since)],
            |r: ReflectionRow| r.into_reflection(&key),
        )
    }
}

macro_rules! impl_therapy_store {
    ($ty:ty) => {
        #[async_trait::async_trait]
        impl $crate::therapy::TherapyStore for $ty {
            async fn add_therapy_sessions(
                &self,
                account: domain::account::AccountId,
                new: &$crate::therapy::NewSessions<'_>,
            ) -> Result<$crate::therapy::AddedSessions, $crate::StoreError> {
                let now = $crate::rows::ms(chrono::Utc::now());
                let series = new.series.map(|s| s.to_string());
                let client_id = new.client_id.to_string();
                let mut tx = self.writer().begin().await?;
                let key = self.data_key(&mut *tx, account).await?;
                let mut out = Vec::with_capacity(new.at.len());
                if let Some((first_at, later)) = new.at.split_first() {
                    // The first occurrence stands for the request; a retry collides on it.
                    let (first, written): ($crate::therapy::FirstSessionRow, _) =
                        insert_or_existing!(
                            &mut *tx, account, client_id,
                            into "therapy_sessions" (first_session_columns!())
                            first_session_values!(),
                            |q| q
                                .bind(account.0)
                                .bind($crate::rows::ms(*first_at))
                                .bind(&series)
                                .bind(now)
                                .bind(&client_id)
                                .bind($crate::therapy::repeat_code(new.repeat))
                        );
                    if written == $crate::Written::Existing {
                        tx.commit().await?;
                        return self.sessions_added_by(account, first).await;
                    }
                    let id = first.session.id;
                    if let Some(note) = new.note {
                        sqlx::query($crate::therapy::SEAL_NOTE)
                            .bind($crate::therapy::seal_note(&key, id, note))
                            .bind(account.0)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                    }
                    let mut session = first.session.into_session(&key)?;
                    session.note = new.note.map(str::to_owned);
                    out.push(session);
                    for t in later {
                        let row: $crate::therapy::SessionRow =
                            sqlx::query_as($crate::therapy::INSERT_LATER)
                                .bind(account.0)
                                .bind($crate::rows::ms(*t))
                                .bind(&series)
                                .bind(now)
                                .fetch_all(&mut *tx)
                                .await
                                .and_then($crate::rows::only_row)?;
                        out.push(row.into_session(&key)?);
                    }
                }
                // Guidance sees the new sessions in the same transaction.
                $crate::summaries::reassess_postgres(
                    &mut tx,
                    account,
                    &$crate::summaries::HistoryChange::sessions(&out),
                    chrono::Utc::now(),
                    self.alert_mail().as_deref(),
                )
                .await?;
                tx.commit().await?;
                Ok($crate::therapy::AddedSessions {
                    sessions: out,
                    repeat: new.repeat,
                    written: $crate::Written::Created,
                })
            }

            async fn therapy_sessions(
                &self,
                account: domain::account::AccountId,
                from: Option<chrono::DateTime<chrono::Utc>>,
                to: Option<chrono::DateTime<chrono::Utc>>,
            ) -> Result<Vec<domain::therapy::TherapySession>, $crate::StoreError> {
                let key = self.reading_key(account).await?;
                rows_in_range!(
                    self,
                    $crate::therapy::SESSIONS_IN_RANGE,
                    account,
                    from,
                    to,
                    |r: $crate::therapy::SessionRow| r.into_session(&key)
                )
            }

            async fn therapy_session(
                &self,
                account: domain::account::AccountId,
                id: domain::therapy::TherapySessionId,
            ) -> Result<Option<domain::therapy::TherapySession>, $crate::StoreError> {
                let key = self.reading_key(account).await?;
                optional_row!(
                    self,
                    $crate::therapy::SESSION_BY_ID,
                    [account.0, id.0],
                    |r: $crate::therapy::SessionRow| r.into_session(&key)
                )
            }

            async fn previous_therapy_session(
                &self,
                account: domain::account::AccountId,
                before: chrono::DateTime<chrono::Utc>,
            ) -> Result<Option<domain::therapy::TherapySession>, $crate::StoreError> {
                let key = self.reading_key(account).await?;
                optional_row!(
                    self,
                    $crate::therapy::PREVIOUS_SESSION,
                    [account.0, $crate::rows::ms(before)],
                    |r: $crate::therapy::SessionRow| r.into_session(&key)
                )
            }

            async fn next_therapy_session(
                &self,
                account: domain::account::AccountId,
                from: chrono::DateTime<chrono::Utc>,
            ) -> Result<Option<domain::therapy::TherapySession>, $crate::StoreError> {
                let key = self.reading_key(account).await?;
                optional_row!(
                    self,
                    $crate::therapy::NEXT_SESSION,
                    [account.0, $crate::rows::ms(from)],
                    |r: $crate::therapy::SessionRow| r.into_session(&key)
                )
            }

            async fn delete_therapy_session(
                &self,
                account: domain::account::AccountId,
                id: domain::therapy::TherapySessionId,
                and_later_in_series: bool,
            ) -> Result<u64, $crate::StoreError> {
                let sql = if and_later_in_series {
                    $crate::therapy::DELETE_AND_LATER
                } else {
                    $crate::therapy::DELETE_ONE
                };
                let mut tx = self.writer().begin().await?;
                let done = sqlx::query(sql)
                    .bind(account.0)
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await?;
                if done.rows_affected() > 0 {
                    // Guidance forgets the removed sessions in the same transaction.
                    $crate::summaries::reassess_postgres(
                        &mut tx,
                        account,
                        &$crate::summaries::HistoryChange::Removed,
                        chrono::Utc::now(),
                        self.alert_mail().as_deref(),
                    )
                    .await?;
                }
                tx.commit().await?;
                Ok(done.rows_affected())
            }

            async fn insert_reflection(
                &self,
                account: domain::account::AccountId,
                session_id: Option<domain::therapy::TherapySessionId>,
                at: chrono::DateTime<chrono::Utc>,
                r: &domain::therapy::Reflection,
            ) -> Result<($crate::therapy::StoredReflection, $crate::Written), $crate::StoreError> {
                let mut tx = self.writer().begin().await?;
                let key = self.data_key(&mut *tx, account).await?;
                let session_id: Option<i64> = match session_id {
                    Some(s) => sqlx::query_scalar($crate::therapy::OWN_SESSION)
                        .bind(s.0)
                        .bind(account.0)
                        .fetch_optional(&mut *tx)
                        .await?,
                    None => None,
                };
                let (row, written): ($crate::therapy::ReflectionRow, _) = insert_or_existing!(
                    &mut *tx, account, r.client_id,
                    into "reflections" (reflection_columns!()) reflection_values!(),
                    |q| q
                        .bind(account.0)
                        .bind(r.client_id.to_string())
                        .bind(session_id)
                        .bind($crate::rows::ms(at))
                        .bind(r.session_feeling.map(|v| i64::from(v.get())))
                        .bind($crate::therapy::came_up_json(r))
                        .bind($crate::therapy::sealed_feedback(&key, r))
                );
                if written == $crate::Written::Created {
                    for topic in &r.topics {
                        let id: i64 = sqlx::query_scalar($crate::therapy::INSERT_TOPIC)
                            .bind(account.0)
                            .bind($crate::rows::ms(at))
                            .fetch_all(&mut *tx)
                            .await
                            .and_then($crate::rows::only_row)?;
                        $crate::agenda::seal_text_postgres(&mut *tx, &key, account, id, topic)
                            .await?;
                    }
                }
                tx.commit().await?;
                Ok((row.into_reflection(&key)?, written))
            }

            async fn reflections_since(
                &self,
                account: domain::account::AccountId,
                since: chrono::DateTime<chrono::Utc>,
            ) -> Result<Vec<$crate::therapy::StoredReflection>, $crate::StoreError> {
                let key = self.reading_key(account).await?;
                all_rows!(
                    self,
                    $crate::therapy::REFLECTIONS_SINCE,
                    [account.0, $crate::rows::ms(since)],
                    |r: $crate::therapy::ReflectionRow| r.into_reflection(&key)
                )
            }
        }

        impl $ty {
            /// What an earlier request with this client id added: its first session, the
            /// later ones of its series still stored, and how it was asked to repeat.
            async fn sessions_added_by(
                &self,
                account: domain::account::AccountId,
                first: $crate::therapy::FirstSessionRow,
            ) -> Result<$crate::therapy::AddedSessions, $crate::StoreError> {
                let repeat = first.repeat()?;
                let key = self.data_key(self.writer(), account).await?;
                let first = first.session.into_session(&key)?;
                let sessions = match first.series {
                    None => vec![first],
                    Some(series) => {
                        let rows: Vec<$crate::therapy::SessionRow> =
                            sqlx::query_as($crate::therapy::SERIES_FROM)
                                .bind(account.0)
                                .bind(series.to_string())
                                .bind($crate::rows::ms(first.at))
                                .fetch_all(self.writer())
                                .await?;
                        rows.into_iter()
                            .map(|r| r.into_session(&key))
                            .collect::<Result<Vec<_>, _>>()?
                    }
                };
                Ok($crate::therapy::AddedSessions {
                    sessions,
                    repeat,
                    written: $crate::Written::Existing,
                })
            }
        }
    };
}
