//! Failed sign-ins: the [`SignInLimitStore`]. Counts live in the database
//! so that every instance on one PostgreSQL sees the same numbers.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::StoreError;
use crate::sqlite::Sql;

/// Failed sign-ins counted under one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailureCount {
    /// How many failures, since the count last started.
    pub failures: i64,
    /// When the latest one happened.
    pub last_at: DateTime<Utc>,
}

/// Failure counters under opaque keys; the app decides what a key stands for.
#[async_trait]
pub trait SignInLimitStore: Send + Sync {
    /// The failures counted under `key`, unless the last one is older than `since` (then it
    /// is forgotten and there are none).
    async fn sign_in_failures(
        &self,
        key: &str,
        since: DateTime<Utc>,
    ) -> Result<Option<FailureCount>, StoreError>;
    /// Counts one failure at `at` under each key. A count whose last failure is older than
    /// `since` starts again at one; every such stale count is deleted on the way.
    async fn record_sign_in_failure(
        &self,
        keys: &[String],
        at: DateTime<Utc>,
        since: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// Forgets the failures under `key` (after a successful sign-in).
    async fn clear_sign_in_failures(&self, key: &str) -> Result<(), StoreError>;
}

/// The failures under key `$1` whose last one is at or after `$2`.
pub(crate) const FAILURES: &str =
    "SELECT failures, last_ms FROM sign_in_failures WHERE key = $1 AND last_ms >= $2";

/// Counts one failure under key `$1` at `$2`; a count last touched before `$3` starts again.
/// One statement, so two instances counting the same key at the same moment both count.
pub(crate) const COUNT_FAILURE: &str = "INSERT INTO sign_in_failures (key, failures, last_ms) \
     VALUES ($1, 1, $2) \
     ON CONFLICT (key) DO UPDATE SET \
     failures = CASE WHEN sign_in_failures.last_ms < $3 THEN 1 \
                     ELSE sign_in_failures.failures + 1 END, \
     last_ms = CASE WHEN sign_in_failures.last_ms > $2 \
                    THEN sign_in_failures.last_ms ELSE $2 END";

/// Deletes every count whose last failure is before `$1`.
pub(crate) const DELETE_STALE: &str = "DELETE FROM sign_in_failures WHERE last_ms < $1";

/// Deletes the count under key `$1`.
pub(crate) const CLEAR: &str = "DELETE FROM sign_in_failures WHERE key = $1";

/// A stored count as a [`FailureCount`].
pub(crate) fn failure_count((failures, last_ms): (i64, i64)) -> Result<FailureCount, StoreError> {
    Ok(FailureCount {
        failures,
        last_at: crate::rows::from_ms(last_ms)?,
    })
}

#[async_trait]
impl SignInLimitStore for crate::sqlite::SqliteStore {
    async fn sign_in_failures(
        &self,
        key: &str,
        since: DateTime<Utc>,
    ) -> Result<Option<FailureCount>, StoreError> {
        // A read connection is enough here, unlike sqlx's pooled readers: a write is
        // answered only after it committed, and every read starts from the latest commit,
        // so a failure recorded a moment ago is seen by the very next attempt.
        let row: Option<(i64, i64)> = self
            .db()?
            .read(|conn| conn.row(FAILURES, &[&key, &crate::rows::ms(since)]))?;
        row.map(failure_count).transpose()
    }

    async fn record_sign_in_failure(
        &self,
        keys: &[String],
        at: DateTime<Utc>,
        since: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let keys = keys.to_vec();
        let (at, since) = (crate::rows::ms(at), crate::rows::ms(since));
        self.db()?
            .write(move |conn| {
                for key in &keys {
                    conn.exec(COUNT_FAILURE, &[key, &at, &since])?;
                }
                conn.exec(DELETE_STALE, &[&since])?;
                Ok(())
            })
            .await
    }

    async fn clear_sign_in_failures(&self, key: &str) -> Result<(), StoreError> {
        let key = key.to_owned();
        self.db()?
            .write(move |conn| {
                conn.exec(CLEAR, &[&key])?;
                Ok(())
            })
            .await
    }
}

macro_rules! impl_sign_in_limit_store {
    ($ty:ty) => {
        #[async_trait::async_trait]
        impl $crate::sign_in_limits::SignInLimitStore for $ty {
            async fn sign_in_failures(
                &self,
                key: &str,
                since: chrono::DateTime<chrono::Utc>,
            ) -> Result<Option<$crate::sign_in_limits::FailureCount>, $crate::StoreError> {
                // Read from the writer: a failure recorded a moment ago by this instance must
                // be seen by the very next attempt.
                let row: Option<(i64, i64)> = sqlx::query_as($crate::sign_in_limits::FAILURES)
                    .bind(key)
                    .bind($crate::rows::ms(since))
                    .fetch_optional(self.writer())
                    .await?;
                row.map($crate::sign_in_limits::failure_count).transpose()
            }

            async fn record_sign_in_failure(
                &self,
                keys: &[String],
                at: chrono::DateTime<chrono::Utc>,
                since: chrono::DateTime<chrono::Utc>,
            ) -> Result<(), $crate::StoreError> {
                let (at, since) = ($crate::rows::ms(at), $crate::rows::ms(since));
                let mut tx = self.writer().begin().await?;
                for key in keys {
                    sqlx::query($crate::sign_in_limits::COUNT_FAILURE)
                        .bind(key)
                        .bind(at)
                        .bind(since)
                        .execute(&mut *tx)
                        .await?;
                }
                sqlx::query($crate::sign_in_limits::DELETE_STALE)
                    .bind(since)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn clear_sign_in_failures(&self, key: &str) -> Result<(), $crate::StoreError> {
                sqlx::query($crate::sign_in_limits::CLEAR)
                    .bind(key)
                    .execute(self.writer())
                    .await?;
                Ok(())
            }
        }
    };
}
