//! Therapy sessions (one, or a repeating series) and the post-session check-ins
//! ("reflections") written after them.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::account::AccountId;
use domain::idempotency::Written;
use domain::therapy::{Reflection, ReflectionId, Repeat, TherapySession, TherapySessionId};
use uuid::Uuid;

use crate::StoreError;

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
    /// The private note, on every occurrence.
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

#[derive(sqlx::FromRow)]
pub(crate) struct SessionRow {
    pub id: i64,
    pub at_ms: i64,
    pub note: Option<String>,
    pub series: Option<String>,
}

impl SessionRow {
    pub fn into_session(self) -> Result<TherapySession, StoreError> {
        Ok(TherapySession {
            id: TherapySessionId(self.id),
            at: crate::rows::from_ms(self.at_ms)?,
            note: self.note,
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

#[derive(sqlx::FromRow)]
pub(crate) struct ReflectionRow {
    pub id: i64,
    pub session_id: Option<i64>,
    pub at_ms: i64,
    pub session_feeling: Option<i64>,
    pub came_up: String,
    pub feedback: Option<String>,
}

impl ReflectionRow {
    pub fn into_reflection(self) -> Result<StoredReflection, StoreError> {
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
            feedback: self.feedback,
        })
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
                let mut out = Vec::with_capacity(new.at.len());
                if let Some((first_at, later)) = new.at.split_first() {
                    // The first occurrence stands for the request; a retry collides on it.
                    let (first, written): ($crate::therapy::FirstSessionRow, _) =
                        insert_or_existing!(
                            &mut *tx, account, client_id,
                            into "therapy_sessions" ("id, at_ms, note, series, repeats")
                            "(account_id, at_ms, note, series, created_ms, client_id, repeats) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7)",
                            |q| q
                                .bind(account.0)
                                .bind($crate::rows::ms(*first_at))
                                .bind(new.note)
                                .bind(&series)
                                .bind(now)
                                .bind(&client_id)
                                .bind($crate::therapy::repeat_code(new.repeat))
                        );
                    if written == $crate::Written::Existing {
                        tx.commit().await?;
                        return self.sessions_added_by(account, first).await;
                    }
                    out.push(first.session.into_session()?);
                    for t in later {
                        let row: $crate::therapy::SessionRow = sqlx::query_as(
                            "INSERT INTO therapy_sessions (account_id, at_ms, note, series, \
                             created_ms) VALUES ($1, $2, $3, $4, $5) \
                             RETURNING id, at_ms, note, series",
                        )
                        .bind(account.0)
                        .bind($crate::rows::ms(*t))
                        .bind(new.note)
                        .bind(&series)
                        .bind(now)
                        .fetch_all(&mut *tx)
                        .await
                        .and_then($crate::rows::only_row)?;
                        out.push(row.into_session()?);
                    }
                }
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
                rows_in_range!(
                    self,
                    "SELECT id, at_ms, note, series FROM therapy_sessions \
                     WHERE account_id = $1 AND at_ms >= $2 AND at_ms < $3 ORDER BY at_ms, id",
                    account,
                    from,
                    to,
                    $crate::therapy::SessionRow::into_session
                )
            }

            async fn delete_therapy_session(
                &self,
                account: domain::account::AccountId,
                id: domain::therapy::TherapySessionId,
                and_later_in_series: bool,
            ) -> Result<u64, $crate::StoreError> {
                let done = if and_later_in_series {
                    sqlx::query(
                        "DELETE FROM therapy_sessions WHERE account_id = $1 AND (id = $2 OR \
                         (series IS NOT NULL AND at_ms >= \
                            (SELECT at_ms FROM therapy_sessions WHERE id = $2 AND account_id = $1) \
                          AND series = \
                            (SELECT series FROM therapy_sessions WHERE id = $2 AND account_id = $1)))",
                    )
                    .bind(account.0)
                    .bind(id.0)
                    .execute(self.writer())
                    .await?
                } else {
                    sqlx::query("DELETE FROM therapy_sessions WHERE account_id = $1 AND id = $2")
                        .bind(account.0)
                        .bind(id.0)
                        .execute(self.writer())
                        .await?
                };
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
                // A session id from another account is dropped rather than linked.
                let session_id: Option<i64> = match session_id {
                    Some(s) => sqlx::query_scalar(
                        "SELECT id FROM therapy_sessions WHERE id = $1 AND account_id = $2",
                    )
                    .bind(s.0)
                    .bind(account.0)
                    .fetch_optional(&mut *tx)
                    .await?,
                    None => None,
                };
                let codes: Vec<&str> = r.came_up.iter().map(|c| c.code()).collect();
                let (row, written): ($crate::therapy::ReflectionRow, _) = insert_or_existing!(
                    &mut *tx, account, r.client_id,
                    into "reflections" ("id, session_id, at_ms, session_feeling, came_up, feedback")
                    "(account_id, client_id, session_id, at_ms, session_feeling, came_up, \
                     feedback) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    |q| q
                        .bind(account.0)
                        .bind(r.client_id.to_string())
                        .bind(session_id)
                        .bind($crate::rows::ms(at))
                        .bind(r.session_feeling.map(|v| i64::from(v.get())))
                        .bind(serde_json::to_string(&codes).unwrap_or_else(|_| "[]".into()))
                        .bind(&r.feedback)
                );
                if written == $crate::Written::Created {
                    for topic in &r.topics {
                        sqlx::query(
                            "INSERT INTO agenda_items (account_id, text, source, created_ms) \
                             VALUES ($1, $2, 'post_session', $3)",
                        )
                        .bind(account.0)
                        .bind(topic)
                        .bind($crate::rows::ms(at))
                        .execute(&mut *tx)
                        .await?;
                    }
                }
                tx.commit().await?;
                Ok((row.into_reflection()?, written))
            }

            async fn reflections_since(
                &self,
                account: domain::account::AccountId,
                since: chrono::DateTime<chrono::Utc>,
            ) -> Result<Vec<$crate::therapy::StoredReflection>, $crate::StoreError> {
                let rows: Vec<$crate::therapy::ReflectionRow> = sqlx::query_as(
                    "SELECT id, session_id, at_ms, session_feeling, came_up, feedback FROM reflections \
                     WHERE account_id = $1 AND at_ms >= $2 ORDER BY at_ms, id",
                )
                .bind(account.0)
                .bind($crate::rows::ms(since))
                .fetch_all(self.reader())
                .await?;
                rows.into_iter().map($crate::therapy::ReflectionRow::into_reflection).collect()
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
                let repeat = domain::therapy::Repeat::parse(first.repeats.as_deref().unwrap_or(""))
                    .ok_or_else(|| $crate::StoreError::Corrupt("session repeat".into()))?;
                let first = first.session.into_session()?;
                let sessions = match first.series {
                    None => vec![first],
                    Some(series) => {
                        let rows: Vec<$crate::therapy::SessionRow> = sqlx::query_as(
                            "SELECT id, at_ms, note, series FROM therapy_sessions \
                             WHERE account_id = $1 AND series = $2 AND at_ms >= $3 \
                             ORDER BY at_ms, id",
                        )
                        .bind(account.0)
                        .bind(series.to_string())
                        .bind($crate::rows::ms(first.at))
                        .fetch_all(self.writer())
                        .await?;
                        rows.into_iter()
                            .map($crate::therapy::SessionRow::into_session)
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
