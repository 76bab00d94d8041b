//! The history of guidance levels: a row each time the level changes.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::account::AccountId;
use domain::guidance::Level;

use crate::StoreError;

/// One change of guidance level, with its reasons as the engine gave them (JSON).
#[derive(Debug, Clone, PartialEq)]
pub struct GuidanceChange {
    /// When the new level was first seen.
    pub at: DateTime<Utc>,
    /// The new level (stored as its code: `steady`, `expected_dip`, `reach_out`, `urgent`).
    pub level: Level,
    /// The reasons, as JSON.
    pub reasons: serde_json::Value,
}

/// Guidance changes, scoped to one account.
#[async_trait]
pub trait GuidanceStore: Send + Sync {
    /// The most recent guidance change.
    async fn latest_guidance(
        &self,
        account: AccountId,
    ) -> Result<Option<GuidanceChange>, StoreError>;
    /// Records a new guidance level.
    async fn record_guidance(
        &self,
        account: AccountId,
        change: &GuidanceChange,
    ) -> Result<(), StoreError>;
    /// Guidance changes with `from <= at`, oldest first.
    async fn guidance_history(
        &self,
        account: AccountId,
        from: Option<DateTime<Utc>>,
    ) -> Result<Vec<GuidanceChange>, StoreError>;
}

#[derive(sqlx::FromRow)]
pub(crate) struct GuidanceRow {
    pub at_ms: i64,
    pub level: String,
    pub reasons: String,
}

impl GuidanceRow {
    pub fn into_change(self) -> Result<GuidanceChange, StoreError> {
        Ok(GuidanceChange {
            at: crate::rows::from_ms(self.at_ms)?,
            level: Level::parse(&self.level)
                .ok_or_else(|| StoreError::Corrupt("guidance level".into()))?,
            reasons: serde_json::from_str(&self.reasons)
                .map_err(|_| StoreError::Corrupt("guidance reasons".into()))?,
        })
    }
}

macro_rules! impl_guidance_store {
    ($ty:ty) => {
        #[async_trait::async_trait]
        impl $crate::guidance::GuidanceStore for $ty {
            async fn latest_guidance(
                &self,
                account: domain::account::AccountId,
            ) -> Result<Option<$crate::guidance::GuidanceChange>, $crate::StoreError> {
                let row: Option<$crate::guidance::GuidanceRow> = sqlx::query_as(
                    "SELECT at_ms, level, reasons FROM guidance_changes WHERE account_id = $1 \
                     ORDER BY at_ms DESC, id DESC LIMIT 1",
                )
                .bind(account.0)
                .fetch_optional(self.reader())
                .await?;
                row.map($crate::guidance::GuidanceRow::into_change)
                    .transpose()
            }

            async fn record_guidance(
                &self,
                account: domain::account::AccountId,
                change: &$crate::guidance::GuidanceChange,
            ) -> Result<(), $crate::StoreError> {
                sqlx::query(
                    "INSERT INTO guidance_changes (account_id, at_ms, level, reasons) \
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(account.0)
                .bind($crate::rows::ms(change.at))
                .bind(change.level.code())
                .bind(change.reasons.to_string())
                .execute(self.writer())
                .await?;
                Ok(())
            }

            async fn guidance_history(
                &self,
                account: domain::account::AccountId,
                from: Option<chrono::DateTime<chrono::Utc>>,
            ) -> Result<Vec<$crate::guidance::GuidanceChange>, $crate::StoreError> {
                let rows: Vec<$crate::guidance::GuidanceRow> = sqlx::query_as(
                    "SELECT at_ms, level, reasons FROM guidance_changes \
                     WHERE account_id = $1 AND at_ms >= $2 ORDER BY at_ms, id",
                )
                .bind(account.0)
                .bind($crate::rows::ms_from(from))
                .fetch_all(self.reader())
                .await?;
                rows.into_iter()
                    .map($crate::guidance::GuidanceRow::into_change)
                    .collect()
            }
        }
    };
}
