//! Accounts: creating one, finding it to sign in, and the settings its owner changes.

use async_trait::async_trait;
use domain::account::{Account, AccountId, Email, Role, TherapistContact};
use domain::crisis::Country;
use domain::history::TimeZone;
use domain::rating::Rating;

use crate::StoreError;
use crate::rows::rating;
use crate::sqlite::Sql;
use crate::sqlite::sql::is_unique_violation;

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

db_row! {
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

/// An account with its password hash, for signing in.
#[derive(sqlx::FromRow)]
pub(crate) struct SignInRow {
    #[sqlx(flatten)]
    pub account: AccountRow,
    pub password_hash: String,
}

// `db_row!` cannot flatten: the account's columns are read from the same row by name.
impl crate::sqlite::FromSqliteRow for SignInRow {
    fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(SignInRow {
            account: <AccountRow as crate::sqlite::FromSqliteRow>::from_row(row)?,
            password_hash: row.get("password_hash")?,
        })
    }
}

/// How many accounts exist.
pub(crate) const COUNT: &str = "SELECT COUNT(*) FROM accounts";

/// A new account: binds the fields of [`NewAccount`] in order, then `created_ms`.
pub(crate) const INSERT: &str = "INSERT INTO accounts (email, password_hash, role, country, \
     timezone, usual_mood, therapist_name, therapist_phone, therapist_email, created_ms) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id";

/// The account and its password hash by sign-in address (`$1`).
pub(crate) const FOR_SIGN_IN: &str = concat!(
    "SELECT ",
    account_columns!(),
    ", a.password_hash FROM accounts a WHERE a.email = $1"
);

/// The account by id (`$1`).
pub(crate) const BY_ID: &str = concat!(
    "SELECT ",
    account_columns!(),
    " FROM accounts a WHERE a.id = $1"
);

/// Saves the profile's fields (`$1`–`$7`) on the account `$8`.
pub(crate) const UPDATE_PROFILE: &str = "UPDATE accounts SET country = $1, timezone = $2, \
     usual_mood = $3, always_ask_safety = $4, therapist_name = $5, therapist_phone = $6, \
     therapist_email = $7 WHERE id = $8";

/// The account `id` on a SQLite connection (the writer's, to read back its own write).
fn account_on(conn: &rusqlite::Connection, id: i64) -> Result<Option<Account>, StoreError> {
    conn.row::<AccountRow>(BY_ID, &[&id])?
        .map(AccountRow::into_account)
        .transpose()
}

#[async_trait]
impl AccountStore for crate::sqlite::SqliteStore {
    async fn account_count(&self) -> Result<i64, StoreError> {
        let n: Option<i64> = self.db()?.read(|conn| conn.scalar(COUNT, &[]))?;
        Ok(n.unwrap_or(0))
    }

    async fn create_account(&self, new: &NewAccount) -> Result<Account, StoreError> {
        let new = new.clone();
        let vault = self.vault();
        self.db()?
            .write(move |conn| {
                let now = crate::rows::ms(chrono::Utc::now());
                let id: i64 = conn
                    .scalar(
                        INSERT,
                        &[
                            &new.email.as_str(),
                            &new.password_hash,
                            &new.role.as_str(),
                            &new.country.map(Country::code),
                            &new.timezone.name(),
                            &new.usual_mood.map(|r| i64::from(r.get())),
                            &new.therapist.name,
                            &new.therapist.phone,
                            &new.therapist.email.as_ref().map(Email::as_str),
                            &now,
                        ],
                    )
                    .map_err(|e| {
                        if is_unique_violation(&e) {
                            StoreError::Conflict {
                                field: "email",
                                what: "that email address",
                            }
                        } else {
                            e
                        }
                    })?
                    .ok_or(rusqlite::Error::QueryReturnedNoRows)?;
                // Every account has its own data key from its first moment.
                let (key, wrapped) = vault.new_data_key(id);
                conn.exec(crate::vault::sealed::INSERT_KEY, &[&id, &wrapped, &now])?;
                vault.remember(key);
                account_on(conn, id)?
                    .ok_or_else(|| StoreError::Corrupt("new account vanished".into()))
            })
            .await
    }

    async fn account_for_sign_in(
        &self,
        email: &Email,
    ) -> Result<Option<(Account, String)>, StoreError> {
        let row: Option<SignInRow> = self
            .db()?
            .read(|conn| conn.row(FOR_SIGN_IN, &[&email.as_str()]))?;
        row.map(|r| Ok((r.account.into_account()?, r.password_hash)))
            .transpose()
    }

    async fn account(&self, id: AccountId) -> Result<Option<Account>, StoreError> {
        self.db()?.read(|conn| account_on(conn, id.0))
    }

    async fn update_profile(&self, id: AccountId, p: &Profile) -> Result<Account, StoreError> {
        let p = p.clone();
        self.db()?
            .write(move |conn| {
                conn.exec(
                    UPDATE_PROFILE,
                    &[
                        &p.country.map(Country::code),
                        &p.timezone.name(),
                        &p.usual_mood.map(|r| i64::from(r.get())),
                        &p.always_ask_safety,
                        &p.therapist.name,
                        &p.therapist.phone,
                        &p.therapist.email.as_ref().map(Email::as_str),
                        &id.0,
                    ],
                )?;
                account_on(conn, id.0)?
                    .ok_or_else(|| StoreError::Corrupt("account vanished".into()))
            })
            .await
    }
}

macro_rules! impl_account_store {
    ($ty:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::accounts::AccountStore for $ty {
            async fn account_count(&self) -> Result<i64, $crate::StoreError> {
                let n: i64 = sqlx::query_scalar($crate::accounts::COUNT)
                    .fetch_one(self.reader())
                    .await?;
                Ok(n)
            }

            async fn create_account(
                &self,
                new: &$crate::accounts::NewAccount,
            ) -> Result<domain::account::Account, $crate::StoreError> {
                let now = $crate::rows::ms(chrono::Utc::now());
                let mut tx = self.writer().begin().await?;
                let id: i64 = sqlx::query_scalar($crate::accounts::INSERT)
                    .bind(new.email.as_str())
                    .bind(&new.password_hash)
                    .bind(new.role.as_str())
                    .bind(new.country.map(domain::crisis::Country::code))
                    .bind(new.timezone.name())
                    .bind(new.usual_mood.map(|r| i64::from(r.get())))
                    .bind(&new.therapist.name)
                    .bind(&new.therapist.phone)
                    .bind(
                        new.therapist
                            .email
                            .as_ref()
                            .map(domain::account::Email::as_str),
                    )
                    .bind(now)
                    .fetch_all(&mut *tx)
                    .await
                    .and_then($crate::rows::only_row)
                    .map_err(|e| {
                        $crate::StoreError::from_unique(e, "email", "that email address")
                    })?;
                // Every account has its own data key from its first moment.
                let (key, wrapped) = self.vault.new_data_key(id);
                sqlx::query($crate::vault::sealed::INSERT_KEY)
                    .bind(id)
                    .bind(wrapped)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                self.vault.remember(key);
                self.account_in(self.writer(), domain::account::AccountId(id))
                    .await?
                    .ok_or_else(|| $crate::StoreError::Corrupt("new account vanished".into()))
            }

            async fn account_for_sign_in(
                &self,
                email: &domain::account::Email,
            ) -> Result<Option<(domain::account::Account, String)>, $crate::StoreError> {
                let row: Option<$crate::accounts::SignInRow> =
                    sqlx::query_as($crate::accounts::FOR_SIGN_IN)
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
                sqlx::query($crate::accounts::UPDATE_PROFILE)
                    .bind(p.country.map(domain::crisis::Country::code))
                    .bind(p.timezone.name())
                    .bind(p.usual_mood.map(|r| i64::from(r.get())))
                    .bind(p.always_ask_safety)
                    .bind(&p.therapist.name)
                    .bind(&p.therapist.phone)
                    .bind(
                        p.therapist
                            .email
                            .as_ref()
                            .map(domain::account::Email::as_str),
                    )
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
                let row: Option<$crate::accounts::AccountRow> =
                    sqlx::query_as($crate::accounts::BY_ID)
                        .bind(id.0)
                        .fetch_optional(executor)
                        .await?;
                row.map($crate::accounts::AccountRow::into_account)
                    .transpose()
            }
        }
    };
}
