//! Persistence for Between: the [`Store`] trait with SQLite and PostgreSQL implementations.
//!
//! Every method that reads or writes personal data takes the [`AccountId`] it acts for, so a
//! query can never reach another account's rows by accident.

// The macro modules come first: `impl_store!` and `impl_therapy_store!` stamp the shared
// SQL onto each backend, and a macro is visible only after its module.
#[macro_use]
mod queries;
#[macro_use]
pub mod therapy;
#[macro_use]
pub mod plans;
#[macro_use]
pub mod coping;
#[macro_use]
pub mod questionnaires;
#[macro_use]
pub mod journal;
#[macro_use]
pub mod sign_in_limits;
#[macro_use]
pub mod backup;

mod error;
mod open;
pub mod postgres;
mod rows;
pub mod sqlite;
#[cfg(feature = "testing")]
pub mod testing;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::account::{Account, AccountId, Email, Role, TherapistContact};
use domain::checkin::{CheckIn, NewCheckIn};
use domain::rating::Rating;

pub use backup::{BackupStore, BackupSummary, RestoreMode, TableCount};
pub use coping::{CopingStore, Move};
pub use error::StoreError;
pub use journal::{JournalCursor, JournalPage, JournalQuery, JournalStore};
pub use open::{DatabaseUrl, open};
pub use plans::{PlanStore, StoredPlanVersion};
pub use questionnaires::QuestionnaireStore;
pub use sign_in_limits::{FailureCount, SignInLimitStore};
pub use therapy::{AddedSessions, GuidanceChange, NewSessions, StoredReflection, TherapyStore};

/// What is needed to create an account.
#[derive(Debug, Clone)]
pub struct NewAccount {
    /// Sign-in address.
    pub email: Email,
    /// Argon2id PHC string; never the password itself.
    pub password_hash: String,
    /// What the account may do.
    pub role: Role,
    /// ISO country code for the crisis directory.
    pub country: Option<String>,
    /// IANA time zone.
    pub timezone: String,
    /// The "usual day" rating from onboarding.
    pub usual_mood: Option<Rating>,
    /// The therapist's contact details.
    pub therapist: TherapistContact,
}

/// The parts of an account its owner can change in settings.
#[derive(Debug, Clone)]
pub struct Profile {
    /// ISO country code for the crisis directory.
    pub country: Option<String>,
    /// IANA time zone.
    pub timezone: String,
    /// The "usual day" rating.
    pub usual_mood: Option<Rating>,
    /// Whether the safety question is shown on every check-in.
    pub always_ask_safety: bool,
    /// The therapist's contact details.
    pub therapist: TherapistContact,
}

/// A signed-in browser session, found by the hash of its cookie token.
#[derive(Debug, Clone)]
pub struct AuthSession {
    /// Who is signed in.
    pub account: Account,
    /// The per-session token every form must carry.
    pub csrf_token: String,
    /// When the session ends.
    pub expires_at: DateTime<Utc>,
}

/// Whether a write created a new row or found the one a previous try made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// A new row was stored.
    Created,
    /// The same client id was stored before; nothing was duplicated.
    Existing,
}

/// Everything Between keeps, behind one interface with one implementation per database.
#[async_trait]
pub trait Store:
    TherapyStore
    + JournalStore
    + PlanStore
    + CopingStore
    + QuestionnaireStore
    + SignInLimitStore
    + BackupStore
    + Send
    + Sync
    + 'static
{
    /// Which backend this is, for logs ("sqlite" or "postgres").
    fn backend(&self) -> &'static str;

    /// Ends use of the database at a clean stop: waits for queries in flight and closes every
    /// connection; on SQLite it first folds the write-ahead log into the database file.
    async fn close(&self) -> Result<(), StoreError>;

    /// How many accounts exist (a fresh install has none).
    async fn account_count(&self) -> Result<i64, StoreError>;
    /// Creates an account; [`StoreError::Conflict`] when the email is taken.
    async fn create_account(&self, new: &NewAccount) -> Result<Account, StoreError>;
    /// Finds an account and its password hash by email, for signing in.
    async fn account_for_sign_in(
        &self,
        email: &Email,
    ) -> Result<Option<(Account, String)>, StoreError>;
    /// Finds an account by id.
    async fn account(&self, id: AccountId) -> Result<Option<Account>, StoreError>;
    /// Saves the account's own settings and returns the updated account.
    async fn update_profile(&self, id: AccountId, profile: &Profile)
    -> Result<Account, StoreError>;

    /// Stores a new browser session.
    async fn create_session(
        &self,
        account: AccountId,
        token_hash: &str,
        csrf_token: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// Finds an unexpired session by token hash.
    async fn session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<AuthSession>, StoreError>;
    /// Ends a session (signing out).
    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError>;

    /// Stores a personal API token's hash.
    async fn create_api_token(
        &self,
        account: AccountId,
        token_hash: &str,
        label: &str,
    ) -> Result<(), StoreError>;
    /// Finds the account a bearer token belongs to.
    async fn account_for_api_token(&self, token_hash: &str) -> Result<Option<Account>, StoreError>;

    /// Stores a check-in once per client id; a retry returns the stored one.
    async fn insert_checkin(
        &self,
        account: AccountId,
        checkin: &NewCheckIn,
    ) -> Result<(CheckIn, Written), StoreError>;
    /// The account's check-ins with `from <= at < to`, oldest first.
    async fn checkins(
        &self,
        account: AccountId,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Vec<CheckIn>, StoreError>;
}
