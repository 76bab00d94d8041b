//! Whether an account has been through the first-run questions (country, time zone, usual
//! day, therapist): the welcome page asks them after sign-in until it has.
//!
//! Only the mark is kept here; the answers themselves are saved as the profile, through
//! [`AccountStore::update_profile`](crate::AccountStore::update_profile).

use async_trait::async_trait;
use domain::account::AccountId;

use crate::StoreError;
use crate::sqlite::Sql;

/// The first-run mark of each account.
#[async_trait]
pub trait OnboardingStore: Send + Sync {
    /// Whether the account `id` has been through the first-run questions, or was made with
    /// the answers already (sign-up, or `between user add` with a country and time zone).
    /// `false` for an account that does not exist.
    async fn onboarded(&self, id: AccountId) -> Result<bool, StoreError>;
    /// Marks the account as through the first-run questions, now. Marking it again keeps
    /// the first time.
    async fn mark_onboarded(&self, id: AccountId) -> Result<(), StoreError>;
}

/// 1 when account `$1` is marked.
pub(crate) const ONBOARDED: &str =
    "SELECT COUNT(*) FROM accounts WHERE id = $1 AND onboarded_ms IS NOT NULL";

/// Marks account `$1` at `$2`, unless it already is.
pub(crate) const MARK: &str =
    "UPDATE accounts SET onboarded_ms = $2 WHERE id = $1 AND onboarded_ms IS NULL";

#[async_trait]
impl OnboardingStore for crate::sqlite::SqliteStore {
    async fn onboarded(&self, id: AccountId) -> Result<bool, StoreError> {
        let n: Option<i64> = self.db()?.read(|conn| conn.scalar(ONBOARDED, &[&id.0]))?;
        Ok(n.unwrap_or(0) > 0)
    }

    async fn mark_onboarded(&self, id: AccountId) -> Result<(), StoreError> {
        let now = crate::rows::ms(chrono::Utc::now());
        self.db()?
            .write(move |conn| conn.exec(MARK, &[&id.0, &now]).map(|_| ()))
            .await
    }
}

macro_rules! impl_onboarding_store {
    ($ty:ty) => {
        #[async_trait::async_trait]
        impl $crate::onboarding::OnboardingStore for $ty {
            async fn onboarded(
                &self,
                id: domain::account::AccountId,
            ) -> Result<bool, $crate::StoreError> {
                let n: i64 = sqlx::query_scalar($crate::onboarding::ONBOARDED)
                    .bind(id.0)
                    .fetch_one(self.reader())
                    .await?;
                Ok(n > 0)
            }

            async fn mark_onboarded(
                &self,
                id: domain::account::AccountId,
            ) -> Result<(), $crate::StoreError> {
                sqlx::query($crate::onboarding::MARK)
                    .bind(id.0)
                    .bind($crate::rows::ms(chrono::Utc::now()))
                    .execute(self.writer())
                    .await?;
                Ok(())
            }
        }
    };
}
