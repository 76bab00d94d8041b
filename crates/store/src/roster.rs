//! The operator's list of accounts: who has one, with what role, since when, and when they
//! last checked in. Nothing a person wrote or rated is in it.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::account::{Email, Role};
use domain::crisis::Country;

use crate::StoreError;
use crate::sqlite::Sql;

/// One account as the operator's list shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountListing {
    /// Sign-in address.
    pub email: Email,
    /// What the account may do.
    pub role: Role,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// The country chosen for the crisis directory, if any.
    pub country: Option<Country>,
    /// When its latest check-in was, if it has any: only the time, never what was rated.
    pub last_checkin_at: Option<DateTime<Utc>>,
}

/// Listing every account, for the operator.
#[async_trait]
pub trait RosterStore: Send + Sync {
    /// Every account, ordered by email.
    async fn account_listing(&self) -> Result<Vec<AccountListing>, StoreError>;
}

db_row! {
pub(crate) struct ListingRow {
    pub email: String,
    pub role: String,
    pub created_ms: i64,
    pub country: Option<String>,
    pub last_checkin_ms: Option<i64>,
}
}

impl ListingRow {
    pub(crate) fn into_listing(self) -> Result<AccountListing, StoreError> {
        Ok(AccountListing {
            email: Email::parse(&self.email)
                .map_err(|_| StoreError::Corrupt("account email".into()))?,
            role: Role::parse(&self.role).ok_or_else(|| StoreError::Corrupt("role".into()))?,
            created_at: crate::rows::from_ms(self.created_ms)?,
            country: self
                .country
                .map(|c| Country::parse(&c))
                .transpose()
                .map_err(|_| StoreError::Corrupt("account country".into()))?,
            last_checkin_at: self.last_checkin_ms.map(crate::rows::from_ms).transpose()?,
        })
    }
}

/// Every account with its latest check-in time.
pub(crate) const LISTING: &str = "SELECT a.email, a.role, a.created_ms, a.country, \
     (SELECT MAX(c.at_ms) FROM checkins c WHERE c.account_id = a.id) AS last_checkin_ms \
     FROM accounts a ORDER BY a.email";

#[async_trait]
impl RosterStore for crate::sqlite::SqliteStore {
    async fn account_listing(&self) -> Result<Vec<AccountListing>, StoreError> {
        let rows: Vec<ListingRow> = self.db()?.read(|conn| conn.rows(LISTING, &[]))?;
        rows.into_iter().map(ListingRow::into_listing).collect()
    }
}

macro_rules! impl_roster_store {
    ($ty:ty) => {
        #[async_trait::async_trait]
        impl $crate::roster::RosterStore for $ty {
            async fn account_listing(
                &self,
            ) -> Result<Vec<$crate::roster::AccountListing>, $crate::StoreError> {
                all_rows!(
                    self,
                    $crate::roster::LISTING,
                    [],
                    $crate::roster::ListingRow::into_listing
                )
            }
        }
    };
}
