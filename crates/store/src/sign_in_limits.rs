//! Failed sign-ins: the [`SignInLimitStore`]. Counts live in the database
//! so that every instance on one PostgreSQL sees the same numbers.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::StoreError;

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
                let row: Option<(i64, i64)> = sqlx::query_as(
                    "SELECT failures, last_ms FROM sign_in_failures \
                     WHERE key = $1 AND last_ms >= $2",
                )
                .bind(key)
                .bind($crate::rows::ms(since))
                .fetch_optional(self.writer())
                .await?;
                row.map(|(failures, last_ms)| {
                    Ok($crate::sign_in_limits::FailureCount {
                        failures,
                        last_at: $crate::rows::from_ms(last_ms)?,
                    })
                })
                .transpose()
            }

            async fn record_sign_in_failure(
                &self,
                keys: &[String],
                at: chrono::DateTime<chrono::Utc>,
                since: chrono::DateTime<chrono::Utc>,
            ) -> Result<(), $crate::StoreError> {
                let (at, since) = ($crate::rows::ms(at), $crate::rows::ms(since));
                let mut tx = self.writer().begin().await?;
                // The upsert is one statement, so two instances counting the same key at the
                // same moment both count.
                for key in keys {
                    sqlx::query(
                        "INSERT INTO sign_in_failures (key, failures, last_ms) VALUES ($1, 1, $2) \
                         ON CONFLICT (key) DO UPDATE SET \
                         failures = CASE WHEN sign_in_failures.last_ms < $3 THEN 1 \
                                         ELSE sign_in_failures.failures + 1 END, \
                         last_ms = CASE WHEN sign_in_failures.last_ms > $2 \
                                        THEN sign_in_failures.last_ms ELSE $2 END",
                    )
                    .bind(key)
                    .bind(at)
                    .bind(since)
                    .execute(&mut *tx)
                    .await?;
                }
                sqlx::query("DELETE FROM sign_in_failures WHERE last_ms < $1")
                    .bind(since)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn clear_sign_in_failures(&self, key: &str) -> Result<(), $crate::StoreError> {
                sqlx::query("DELETE FROM sign_in_failures WHERE key = $1")
                    .bind(key)
                    .execute(self.writer())
                    .await?;
                Ok(())
            }
        }
    };
}
