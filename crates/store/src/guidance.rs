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
    /// Today's guidance, from the account's summary (never from its whole history); when
    /// the level differs from the last one recorded (time alone can change it), the change
    /// is recorded, once.
    async fn current_guidance(
        &self,
        account: AccountId,
        now: DateTime<Utc>,
    ) -> Result<domain::guidance::Guidance, StoreError>;
    /// The most recent guidance change.
    async fn latest_guidance(
        &self,
        account: AccountId,
    ) -> Result<Option<GuidanceChange>, StoreError>;
    /// Records a new guidance level as given (for imports and tests; writes through the
    /// store record their changes themselves).
    async fn record_guidance(
        &self,
        account: AccountId,
        change: &GuidanceChange,
    ) -> Result<(), StoreError>;
    /// The last change before `before` (the last written of those at the same time): the
    /// level in force at that moment.
    async fn guidance_before(
        &self,
        account: AccountId,
        before: DateTime<Utc>,
    ) -> Result<Option<GuidanceChange>, StoreError>;
    /// Guidance changes with `from <= at`, oldest first.
    async fn guidance_history(
        &self,
        account: AccountId,
        from: Option<DateTime<Utc>>,
    ) -> Result<Vec<GuidanceChange>, StoreError>;
}

db_row! {
pub(crate) struct GuidanceRow {
    pub at_ms: i64,
    pub level: String,
    pub reasons: String,
}
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

/// The profile fields guidance reads and the account's summary, in one statement.
pub(crate) const BASIS_AND_SUMMARY: &str = "SELECT a.timezone, a.usual_mood, \
     a.low_day_points_tenths, a.persisting_days, s.state, s.level \
     FROM accounts a LEFT JOIN guidance_summaries s ON s.account_id = a.id WHERE a.id = $1";
pub(crate) const LATEST: &str = "SELECT at_ms, level, reasons FROM guidance_changes \
     WHERE account_id = $1 ORDER BY at_ms DESC, id DESC LIMIT 1";
pub(crate) const BEFORE: &str = "SELECT at_ms, level, reasons FROM guidance_changes \
     WHERE account_id = $1 AND at_ms < $2 ORDER BY at_ms DESC, id DESC LIMIT 1";
pub(crate) const HISTORY: &str = "SELECT at_ms, level, reasons FROM guidance_changes \
     WHERE account_id = $1 AND at_ms >= $2 ORDER BY at_ms, id";

/// The columns of [`BASIS_AND_SUMMARY`].
pub(crate) type BasisAndSummary = (
    String,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<String>,
);

/// Today's guidance read from the stored summary, when that is enough (see
/// [`crate::summaries::read_only`]).
pub(crate) fn from_stored(
    (tz, usual, low, persisting, state, level): BasisAndSummary,
    now: DateTime<Utc>,
) -> Result<Option<domain::guidance::Guidance>, StoreError> {
    crate::summaries::read_only(
        &(tz, usual, low, persisting),
        state.map(|s| (s, level)),
        now,
    )
}

#[async_trait]
impl GuidanceStore for crate::sqlite::SqliteStore {
    async fn current_guidance(
        &self,
        account: AccountId,
        now: DateTime<Utc>,
    ) -> Result<domain::guidance::Guidance, StoreError> {
        use crate::sqlite::Sql;
        let stored: BasisAndSummary = self
            .db()?
            .read(|conn| conn.row(BASIS_AND_SUMMARY, &[&account.0]))?
            .ok_or(StoreError::Corrupt("no such account".into()))?;
        if let Some(guidance) = from_stored(stored, now)? {
            return Ok(guidance);
        }
        let alerts = self.alert_mail();
        self.db()?
            .write(move |conn| {
                crate::summaries::reassess_sqlite(
                    conn,
                    account,
                    &crate::summaries::HistoryChange::Nothing,
                    now,
                    alerts.as_deref(),
                )
                .and_then(crate::summaries::assessed)
            })
            .await
    }

    async fn latest_guidance(
        &self,
        account: AccountId,
    ) -> Result<Option<GuidanceChange>, StoreError> {
        self.optional_row(LATEST, &[&account.0], GuidanceRow::into_change)
    }

    async fn record_guidance(
        &self,
        account: AccountId,
        change: &GuidanceChange,
    ) -> Result<(), StoreError> {
        use crate::sqlite::Sql;
        let (at, level, reasons) = (
            crate::rows::ms(change.at),
            change.level.code(),
            change.reasons.to_string(),
        );
        self.db()?
            .write(move |conn| {
                conn.exec(
                    crate::summaries::RECORD,
                    &[&account.0, &at, &level, &reasons],
                )?;
                // The summary's "last level" follows the record, so the next assessment
                // compares with it.
                conn.exec(
                    "UPDATE guidance_summaries SET level = $2 WHERE account_id = $1",
                    &[&account.0, &level],
                )?;
                Ok(())
            })
            .await
    }

    async fn guidance_before(
        &self,
        account: AccountId,
        before: DateTime<Utc>,
    ) -> Result<Option<GuidanceChange>, StoreError> {
        self.optional_row(
            BEFORE,
            &[&account.0, &crate::rows::ms(before)],
            GuidanceRow::into_change,
        )
    }

    async fn guidance_history(
        &self,
        account: AccountId,
        from: Option<DateTime<Utc>>,
    ) -> Result<Vec<GuidanceChange>, StoreError> {
        self.all_rows(
            HISTORY,
            &[&account.0, &crate::rows::ms_from(from)],
            GuidanceRow::into_change,
        )
    }
}

macro_rules! impl_guidance_store {
    ($ty:ty) => {
        #[async_trait::async_trait]
        impl $crate::guidance::GuidanceStore for $ty {
            async fn current_guidance(
                &self,
                account: domain::account::AccountId,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<domain::guidance::Guidance, $crate::StoreError> {
                let stored: $crate::guidance::BasisAndSummary =
                    sqlx::query_as($crate::guidance::BASIS_AND_SUMMARY)
                        .bind(account.0)
                        .fetch_one(self.reader())
                        .await?;
                if let Some(guidance) = $crate::guidance::from_stored(stored, now)? {
                    return Ok(guidance);
                }
                let mut tx = self.writer().begin().await?;
                let guidance = $crate::summaries::reassess_postgres(
                    &mut tx,
                    account,
                    &$crate::summaries::HistoryChange::Nothing,
                    now,
                    self.alert_mail().as_deref(),
                )
                .await
                .and_then($crate::summaries::assessed)?;
                tx.commit().await?;
                Ok(guidance)
            }

            async fn latest_guidance(
                &self,
                account: domain::account::AccountId,
            ) -> Result<Option<$crate::guidance::GuidanceChange>, $crate::StoreError> {
                optional_row!(
                    self,
                    $crate::guidance::LATEST,
                    [account.0],
                    $crate::guidance::GuidanceRow::into_change
                )
            }

            async fn record_guidance(
                &self,
                account: domain::account::AccountId,
                change: &$crate::guidance::GuidanceChange,
            ) -> Result<(), $crate::StoreError> {
                let mut tx = self.writer().begin().await?;
                sqlx::query($crate::summaries::RECORD)
                    .bind(account.0)
                    .bind($crate::rows::ms(change.at))
                    .bind(change.level.code())
                    .bind(change.reasons.to_string())
                    .execute(&mut *tx)
                    .await?;
                // The summary's "last level" follows the record, so the next assessment
                // compares with it.
                sqlx::query("UPDATE guidance_summaries SET level = $2 WHERE account_id = $1")
                    .bind(account.0)
                    .bind(change.level.code())
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn guidance_before(
                &self,
                account: domain::account::AccountId,
                before: chrono::DateTime<chrono::Utc>,
            ) -> Result<Option<$crate::guidance::GuidanceChange>, $crate::StoreError> {
                optional_row!(
                    self,
                    $crate::guidance::BEFORE,
                    [account.0, $crate::rows::ms(before)],
                    $crate::guidance::GuidanceRow::into_change
                )
            }

            async fn guidance_history(
                &self,
                account: domain::account::AccountId,
                from: Option<chrono::DateTime<chrono::Utc>>,
            ) -> Result<Vec<$crate::guidance::GuidanceChange>, $crate::StoreError> {
                all_rows!(
                    self,
                    $crate::guidance::HISTORY,
                    [account.0, $crate::rows::ms_from(from)],
                    $crate::guidance::GuidanceRow::into_change
                )
            }
        }
    };
}
