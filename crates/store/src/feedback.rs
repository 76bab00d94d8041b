//! Feedback for the therapist: notes written on their own, and the feedback written in
//! post-session check-ins.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::account::AccountId;
use domain::feedback::{
    FeedbackKind, FeedbackNote, FeedbackNoteId, NewFeedback, ReflectionFeedback,
};
use domain::idempotency::Written;
use domain::therapy::{ReflectionId, TherapySessionId};

use crate::StoreError;
use crate::sqlite::Sql;
use crate::vault::DataKey;
use crate::vault::sealed::{FEEDBACK_TEXT, REFLECTION_FEEDBACK};

/// Feedback notes and reflection feedback, scoped to one account.
#[async_trait]
pub trait FeedbackStore: Send + Sync {
    /// Stores a feedback note once per client id; a session of another account is dropped.
    async fn insert_feedback(
        &self,
        account: AccountId,
        note: &NewFeedback,
    ) -> Result<(FeedbackNote, Written), StoreError>;
    /// Feedback notes written with `from <= at < to`, oldest first.
    async fn feedback_notes(
        &self,
        account: AccountId,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Vec<FeedbackNote>, StoreError>;
    /// Removes a feedback note; false when not this account's.
    async fn delete_feedback(
        &self,
        account: AccountId,
        id: FeedbackNoteId,
    ) -> Result<bool, StoreError>;
    /// The feedback written in post-session check-ins with `from <= at < to`, oldest first.
    async fn reflection_feedback(
        &self,
        account: AccountId,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Vec<ReflectionFeedback>, StoreError>;
}

db_row! {
pub(crate) struct FeedbackRow {
    pub id: i64,
    pub client_id: String,
    pub session_id: Option<i64>,
    pub kind: String,
    pub text: String,
    pub created_ms: i64,
}
}

impl FeedbackRow {
    /// The note, its words opened with the account's key.
    pub fn into_note(self, key: &DataKey) -> Result<FeedbackNote, StoreError> {
        let text = key.open(FEEDBACK_TEXT, &self.client_id, &self.text)?;
        Ok(FeedbackNote {
            id: FeedbackNoteId(self.id),
            session_id: self.session_id.map(TherapySessionId),
            kind: FeedbackKind::parse(&self.kind)
                .ok_or_else(|| StoreError::Corrupt("feedback kind".into()))?,
            text,
            created_at: crate::rows::from_ms(self.created_ms)?,
        })
    }
}

db_row! {
pub(crate) struct ReflectionFeedbackRow {
    pub id: i64,
    pub client_id: String,
    pub session_id: Option<i64>,
    pub at_ms: i64,
    pub feedback: String,
}
}

impl ReflectionFeedbackRow {
    /// The feedback, opened with the account's key.
    pub fn into_feedback(self, key: &DataKey) -> Result<ReflectionFeedback, StoreError> {
        let text = key.open(REFLECTION_FEEDBACK, &self.client_id, &self.feedback)?;
        Ok(ReflectionFeedback {
            reflection_id: ReflectionId(self.id),
            session_id: self.session_id.map(TherapySessionId),
            at: crate::rows::from_ms(self.at_ms)?,
            text,
        })
    }
}

macro_rules! feedback_columns {
    () => {
        "id, client_id, session_id, kind, text, created_ms"
    };
}

/// The insert's column list and values, shared by both backends.
macro_rules! feedback_values {
    () => {
        "(account_id, client_id, session_id, kind, text, created_ms) \
         VALUES ($1, $2, $3, $4, $5, $6)"
    };
}

/// The account's session with id `$1` (`$2` the account): a session id from another account
/// is dropped rather than linked.
pub(crate) const OWN_SESSION: &str =
    "SELECT id FROM therapy_sessions WHERE id = $1 AND account_id = $2";

/// Feedback notes written in a range, oldest first (binds as `rows_in_range!`).
pub(crate) const NOTES_IN_RANGE: &str = concat!(
    "SELECT ",
    feedback_columns!(),
    " FROM feedback_notes WHERE account_id = $1 AND created_ms >= $2 AND created_ms < $3 \
     ORDER BY created_ms, id"
);

/// Removes one of the account's notes (the statement `delete_owned!` runs).
pub(crate) const DELETE: &str = "DELETE FROM feedback_notes WHERE account_id = $1 AND id = $2";

/// Reflection feedback written in a range, oldest first (binds as `rows_in_range!`).
pub(crate) const REFLECTION_FEEDBACK_IN_RANGE: &str = "SELECT id, client_id, session_id, at_ms, feedback FROM reflections \
     WHERE account_id = $1 AND feedback IS NOT NULL \
     AND at_ms >= $2 AND at_ms < $3 ORDER BY at_ms, id";

#[async_trait]
impl FeedbackStore for crate::sqlite::SqliteStore {
    async fn insert_feedback(
        &self,
        account: AccountId,
        n: &NewFeedback,
    ) -> Result<(FeedbackNote, Written), StoreError> {
        let n = n.clone();
        let vault = self.vault();
        // On the writer, the session check and the insert see the same database.
        let (row, written): (FeedbackRow, Written) = self
            .db()?
            .write(move |conn| {
                let key = crate::sqlite::SqliteStore::data_key_on(&vault, conn, account)?;
                let session_id: Option<i64> = match n.session_id {
                    Some(s) => conn.scalar(OWN_SESSION, &[&s.0, &account.0])?,
                    None => None,
                };
                crate::sqlite::sql::insert_or_existing(
                    conn,
                    insert_new_sql!("feedback_notes", feedback_columns!(), feedback_values!()),
                    existing_sql!("feedback_notes", feedback_columns!()),
                    &[
                        &account.0,
                        &n.client_id.to_string(),
                        &session_id,
                        &n.kind.code(),
                        &key.seal(FEEDBACK_TEXT, &n.client_id.to_string(), &n.text),
                        &crate::rows::ms(Utc::now()),
                    ],
                    account,
                    n.client_id,
                )
            })
            .await?;
        row.into_note(&self.data_key(account)?)
            .map(|note| (note, written))
    }

    async fn feedback_notes(
        &self,
        account: AccountId,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Vec<FeedbackNote>, StoreError> {
        let key = self.data_key(account)?;
        self.rows_in_range(NOTES_IN_RANGE, account, from, to, |r: FeedbackRow| {
            r.into_note(&key)
        })
    }

    async fn delete_feedback(
        &self,
        account: AccountId,
        id: FeedbackNoteId,
    ) -> Result<bool, StoreError> {
        self.delete_owned(DELETE, account, id.0).await
    }

    async fn reflection_feedback(
        &self,
        account: AccountId,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Vec<ReflectionFeedback>, StoreError> {
        let key = self.data_key(account)?;
        self.rows_in_range(
            REFLECTION_FEEDBACK_IN_RANGE,
            account,
            from,
            to,
            |r: ReflectionFeedbackRow| r.into_feedback(&key),
        )
    }
}

macro_rules! impl_feedback_store {
    ($ty:ty) => {
        #[async_trait::async_trait]
        impl $crate::feedback::FeedbackStore for $ty {
            async fn insert_feedback(
                &self,
                account: domain::account::AccountId,
                n: &domain::feedback::NewFeedback,
            ) -> Result<(domain::feedback::FeedbackNote, $crate::Written), $crate::StoreError> {
                let mut tx = self.writer().begin().await?;
                let key = self.data_key(&mut *tx, account).await?;
                let sealed = key.seal(
                    $crate::vault::sealed::FEEDBACK_TEXT,
                    &n.client_id.to_string(),
                    &n.text,
                );
                let session_id: Option<i64> = match n.session_id {
                    Some(s) => {
                        sqlx::query_scalar($crate::feedback::OWN_SESSION)
                            .bind(s.0)
                            .bind(account.0)
                            .fetch_optional(&mut *tx)
                            .await?
                    }
                    None => None,
                };
                let (row, written): ($crate::feedback::FeedbackRow, _) = insert_or_existing!(
                    &mut *tx, account, n.client_id,
                    into "feedback_notes" (feedback_columns!()) feedback_values!(),
                    |q| q
                        .bind(account.0)
                        .bind(n.client_id.to_string())
                        .bind(session_id)
                        .bind(n.kind.code())
                        .bind(&sealed)
                        .bind($crate::rows::ms(chrono::Utc::now()))
                );
                tx.commit().await?;
                Ok((row.into_note(&key)?, written))
            }

            async fn feedback_notes(
                &self,
                account: domain::account::AccountId,
                from: Option<chrono::DateTime<chrono::Utc>>,
                to: Option<chrono::DateTime<chrono::Utc>>,
            ) -> Result<Vec<domain::feedback::FeedbackNote>, $crate::StoreError> {
                let key = self.reading_key(account).await?;
                rows_in_range!(
                    self,
                    $crate::feedback::NOTES_IN_RANGE,
                    account,
                    from,
                    to,
                    |r: $crate::feedback::FeedbackRow| r.into_note(&key)
                )
            }

            async fn delete_feedback(
                &self,
                account: domain::account::AccountId,
                id: domain::feedback::FeedbackNoteId,
            ) -> Result<bool, $crate::StoreError> {
                let done = sqlx::query($crate::feedback::DELETE)
                    .bind(account.0)
                    .bind(id.0)
                    .execute(self.writer())
                    .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn reflection_feedback(
                &self,
                account: domain::account::AccountId,
                from: Option<chrono::DateTime<chrono::Utc>>,
                to: Option<chrono::DateTime<chrono::Utc>>,
            ) -> Result<Vec<domain::feedback::ReflectionFeedback>, $crate::StoreError> {
                let key = self.reading_key(account).await?;
                rows_in_range!(
                    self,
                    $crate::feedback::REFLECTION_FEEDBACK_IN_RANGE,
                    account,
                    from,
                    to,
                    |r: $crate::feedback::ReflectionFeedbackRow| r.into_feedback(&key)
                )
            }
        }
    };
}
