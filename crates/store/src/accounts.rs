//! Accounts: creating one, finding it to sign in, and the settings its owner changes.

use async_trait::async_trait;
use domain::account::{Account, AccountId, Email, Role, TherapistContact};
use domain::crisis::Country;
use domain::history::TimeZone;
use domain::rating::Rating;

use crate::StoreError;
use crate::rows::rating;

/// What is needed to create an account.
#[derive(Debug, Clone)]
pub struct NewAccount {
    /// Sign-in address.
    pub email: Email,
    /// Argon2id PHC string; never the password itself.
    pub password_hash: String,
    /// What the account may do.
    pub role: Role,
    /// The country for the crisis directory.
    pub country: Option<Country>,
    /// The time zone days are counted in.
    pub timezone: TimeZone,
    /// The "usual day" rating from onboarding.
    pub usual_mood: Option<Rating>,
    /// The therapist's contact details.
    pub therapist: TherapistContact,
}

/// The parts of an account its owner can change in settings, as checked by
/// [`ProfileInput::validate`](domain::profile::ProfileInput::validate).
pub use domain::profile::Profile;

/// The accounts, found by id or by sign-in address.
#[async_trait]
pub trait AccountStore: Send + Sync {
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
}

#[derive(sqlx::FromRow)]
pub(crate) struct AccountRow {
    pub id: i64,
    pub email: String,
    pub role: String,
    pub country: Option<String>,
    pub timezone: String,
    pub usual_mood: Option<i64>,
    pub always_ask_safety: bool,
    pub therapist_name: Option<String>,
    pub therapist_phone: Option<String>,
    pub therapist_email: Option<String>,
}

impl AccountRow {
    pub fn into_account(self) -> Result<Account, StoreError> {
        Ok(Account {
            id: AccountId(self.id),
            email: Email::parse(&self.email)
                .map_err(|_| StoreError::Corrupt("account email".into()))?,
            role: Role::parse(&self.role).ok_or_else(|| StoreError::Corrupt("role".into()))?,
            // Every stored value was checked on the way in; one that no longer parses is
            // damage to report, never a reason to guess (a wrong zone moves every day).
            country: self
                .country
                .map(|c| Country::parse(&c))
                .transpose()
                .map_err(|_| StoreError::Corrupt("account country".into()))?,
            timezone: TimeZone::parse(&self.timezone)
                .map_err(|_| StoreError::Corrupt("account time zone".into()))?,
            usual_mood: self.usual_mood.map(rating).transpose()?,
            always_ask_safety: self.always_ask_safety,
            therapist: TherapistContact {
                name: self.therapist_name,
                phone: self.therapist_phone,
                email: self
                    .therapist_email
                    .map(|e| Email::parse(&e))
                    .transpose()
                    .map_err(|_| StoreError::Corrupt("therapist email".into()))?,
            },
        })
    }
}

macro_rules! account_columns {
    () => {
        "a.id, a.email, a.role, a.country, a.timezone, a.usual_mood, a.always_ask_safety, \
         a.therapist_name, a.therapist_phone, a.therapist_email"
    };
}

macro_rules! impl_account_store {
    ($ty:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::accounts::AccountStore for $ty {
            async fn account_count(&self) -> Result<i64, $crate::StoreError> {
                let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM accounts")
                    .fetch_one(self.reader())
                    .await?;
                Ok(n)
            }

            async fn create_account(
                &self,
                new: &$crate::accounts::NewAccount,
            ) -> Result<domain::account::Account, $crate::StoreError> {
                let now = $crate::rows::ms(chrono::Utc::now());
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO accounts (email, password_hash, role, country, timezone, \
                     usual_mood, therapist_name, therapist_phone, therapist_email, created_ms) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                )
                .bind(new.email.as_str())
                .bind(&new.password_hash)
                .bind(new.role.as_str())
                .bind(new.country.map(domain::crisis::Country::code))
                .bind(new.timezone.name())
                .bind(new.usual_mood.map(|r| i64::from(r.get())))
                .bind(&new.therapist.name)
                .bind(&new.therapist.phone)
                .bind(new.therapist.email.as_ref().map(domain::account::Email::as_str))
                .bind(now)
                .fetch_all(self.writer())
                .await
                .and_then($crate::rows::only_row)
                .map_err(|e| $crate::StoreError::from_unique(e, "email", "that email address"))?;
                self.account_in(self.writer(), domain::account::AccountId(id))
                    .await?
                    .ok_or_else(|| $crate::StoreError::Corrupt("new account vanished".into()))
            }

            async fn account_for_sign_in(
                &self,
                email: &domain::account::Email,
            ) -> Result<Option<(domain::account::Account, String)>, $crate::StoreError> {
                #[derive(sqlx::FromRow)]
                struct Row {
                    #[sqlx(flatten)]
                    account: $crate::accounts::AccountRow,
                    password_hash: String,
                }
                let row: Option<Row> = sqlx::query_as(concat!(
                    "SELECT ",
                    account_columns!(),
                    ", a.password_hash FROM accounts a WHERE a.email = $1"
                ))
                .bind(email.as_str())
                .fetch_optional(self.reader())
                .await?;
                row.map(|r| Ok((r.account.into_account()?, r.password_hash)))
                    .transpose()
            }

            async fn account(
                &self,
                id: domain::account::AccountId,
            ) -> Result<Option<domain::account::Account>, $crate::StoreError> {
                self.account_in(self.reader(), id).await
            }

            async fn update_profile(
                &self,
                id: domain::account::AccountId,
                p: &$crate::accounts::Profile,
            ) -> Result<domain::account::Account, $crate::StoreError> {
                sqlx::query(
                    "UPDATE accounts SET country = $1, timezone = $2, usual_mood = $3, \
                     always_ask_safety = $4, therapist_name = $5, therapist_phone = $6, \
                     therapist_email = $7 WHERE id = $8",
                )
                .bind(p.country.map(domain::crisis::Country::code))
                .bind(p.timezone.name())
                .bind(p.usual_mood.map(|r| i64::from(r.get())))
                .bind(p.always_ask_safety)
                .bind(&p.therapist.name)
                .bind(&p.therapist.phone)
                .bind(p.therapist.email.as_ref().map(domain::account::Email::as_str))
                .bind(id.0)
                .execute(self.writer())
                .await?;
                self.account_in(self.writer(), id)
                    .await?
                    .ok_or_else(|| $crate::StoreError::Corrupt("account vanished".into()))
            }
        }

        impl $ty {
            async fn account_in(
                &self,
                executor: &sqlx::Pool<$db>,
                id: domain::account::AccountId,
            ) -> Result<Option<domain::account::Account>, $crate::StoreError> {
                let row: Option<$crate::accounts::AccountRow> = sqlx::query_as(concat!(
                    "SELECT ",
                    account_columns!(),
                    " FROM accounts a WHERE a.id = $1"
                ))
                .bind(id.0)
                .fetch_optional(executor)
                .await?;
                row.map($crate::accounts::AccountRow::into_account).transpose()
            }
        }
    };
}
