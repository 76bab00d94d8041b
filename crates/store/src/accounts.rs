//! Accounts: creating one, finding it to sign in, and the settings its owner changes.

use async_trait::async_trait;
use domain::account::{Account, AccountId, Email, Role, TherapistContact};
use domain::crisis::Country;
use domain::guidance::{Sensitivity, Tuning};
use domain::history::TimeZone;
use domain::rating::Rating;

use crate::StoreError;
use crate::rows::rating;
use crate::sqlite::Sql;
use crate::sqlite::sql::is_unique_violation;
use crate::vault::sealed::{THERAPIST_EMAIL, THERAPIST_NAME, THERAPIST_PHONE};
use crate::vault::{DataKey, Vault};

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
    /// Saves the name a therapist's clients see (checked by the caller) and returns the
    /// updated account.
    async fn set_display_name(&self, id: AccountId, name: &str) -> Result<Account, StoreError>;
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
    pub display_name: Option<String>,
    pub low_day_points_tenths: Option<i64>,
    pub persisting_days: Option<i64>,
    pub sensitivity_set_by: Option<String>,
    pub sensitivity_set_ms: Option<i64>,
    // The account's wrapped data key, read with the row (`LEFT JOIN account_keys`) so the
    // therapist's contact opens without another query.
    pub data_key: Option<String>,
    // Whether the second sign-in step is on (a confirmed row in `second_factors`).
    pub second_factor_enrolled: bool,
}
}

impl AccountRow {
    /// The account, the therapist's contact opened with its key.
    pub fn into_account(self, vault: &Vault) -> Result<Account, StoreError> {
        let key = match (vault.cached(self.id), &self.data_key) {
            (Some(key), _) => key,
            (None, Some(wrapped)) => vault.unwrap(self.id, wrapped)?,
            (None, None) => DataKey::missing(self.id),
        };
        let row = self.id.to_string();
        let name = key.open_opt(THERAPIST_NAME, &row, self.therapist_name)?;
        let phone = key.open_opt(THERAPIST_PHONE, &row, self.therapist_phone)?;
        let email = key.open_opt(THERAPIST_EMAIL, &row, self.therapist_email)?;
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
                name,
                phone,
                email: email
                    .map(|e| Email::parse(&e))
                    .transpose()
                    .map_err(|_| StoreError::Corrupt("therapist email".into()))?,
            },
            display_name: self.display_name,
            guidance: Tuning {
                sensitivity: Sensitivity::from_stored(
                    self.low_day_points_tenths,
                    self.persisting_days,
                )
                .ok_or_else(|| StoreError::Corrupt("guidance sensitivity".into()))?,
                set_by: self.sensitivity_set_by,
                set_at: self
                    .sensitivity_set_ms
                    .map(crate::rows::from_ms)
                    .transpose()?,
            },
            second_factor_enrolled: self.second_factor_enrolled,
        })
    }
}

macro_rules! account_columns {
    () => {
        "a.id, a.email, a.role, a.country, a.timezone, a.usual_mood, a.always_ask_safety, \
         a.therapist_name, a.therapist_phone, a.therapist_email, a.display_name, \
         a.low_day_points_tenths, a.persisting_days, a.sensitivity_set_by, \
         a.sensitivity_set_ms, k.wrapped AS data_key, \
         EXISTS (SELECT 1 FROM second_factors f WHERE f.account_id = a.id \
         AND f.enrolled_ms IS NOT NULL) AS second_factor_enrolled"
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

/// A new account: binds the fields of [`NewAccount`] but the therapist's contact in order,
/// then `created_ms`. The contact is sealed bound to the account's id and key, which exist
/// only once the row does: [`SEAL_THERAPIST`] writes it in the same transaction.
pub(crate) const INSERT: &str = "INSERT INTO accounts (email, password_hash, role, country, \
     timezone, usual_mood, created_ms) \
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";

/// Writes the sealed therapist's contact (`$1`–`$3`) of the account `$4`.
pub(crate) const SEAL_THERAPIST: &str = "UPDATE accounts SET therapist_name = $1, \
     therapist_phone = $2, therapist_email = $3 WHERE id = $4";

/// The therapist's contact as stored: each part sealed under the account's key.
pub(crate) fn sealed_contact(key: &DataKey, id: i64, t: &TherapistContact) -> [Option<String>; 3] {
    let row = id.to_string();
    [
        key.seal_opt(THERAPIST_NAME, &row, t.name.as_deref()),
        key.seal_opt(THERAPIST_PHONE, &row, t.phone.as_deref()),
        key.seal_opt(THERAPIST_EMAIL, &row, t.email.as_ref().map(Email::as_str)),
    ]
}

/// The account and its password hash by sign-in address (`$1`).
pub(crate) const FOR_SIGN_IN: &str = concat!(
    "SELECT ",
    account_columns!(),
    ", a.password_hash FROM accounts a \
     LEFT JOIN account_keys k ON k.account_id = a.id WHERE a.email = $1"
);

/// The account by id (`$1`).
pub(crate) const BY_ID: &str = concat!(
    "SELECT ",
    account_columns!(),
    " FROM accounts a LEFT JOIN account_keys k ON k.account_id = a.id WHERE a.id = $1"
);

/// Saves the profile's fields (`$1`–`$7`) on the account `$8`.
pub(crate) const UPDATE_PROFILE: &str = "UPDATE accounts SET country = $1, timezone = $2, \
     usual_mood = $3, always_ask_safety = $4, therapist_name = $5, therapist_phone = $6, \
     therapist_email = $7 WHERE id = $8";

/// Saves the display name `$1` of the account `$2`.
pub(crate) const SET_DISPLAY_NAME: &str = "UPDATE accounts SET display_name = $1 WHERE id = $2";

/// The account `id` on a SQLite connection (the writer's, to read back its own write).
fn account_on(
    conn: &rusqlite::Connection,
    vault: &Vault,
    id: i64,
) -> Result<Option<Account>, StoreError> {
    conn.row::<AccountRow>(BY_ID, &[&id])?
        .map(|r| r.into_account(vault))
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
                let [name, phone, email] = sealed_contact(&key, id, &new.therapist);
                conn.exec(SEAL_THERAPIST, &[&name, &phone, &email, &id])?;
                vault.remember(key);
                account_on(conn, &vault, id)?
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
        row.map(|r| Ok((r.account.into_account(&self.vault())?, r.password_hash)))
            .transpose()
    }

    async fn account(&self, id: AccountId) -> Result<Option<Account>, StoreError> {
        let vault = self.vault();
        self.db()?.read(|conn| account_on(conn, &vault, id.0))
    }

    async fn update_profile(&self, id: AccountId, p: &Profile) -> Result<Account, StoreError> {
        let p = p.clone();
        let vault = self.vault();
        self.db()?
            .write(move |conn| {
                let key = crate::sqlite::SqliteStore::data_key_on(&vault, conn, id)?;
                let [name, phone, email] = sealed_contact(&key, id.0, &p.therapist);
                conn.exec(
                    UPDATE_PROFILE,
                    &[
                        &p.country.map(Country::code),
                        &p.timezone.name(),
                        &p.usual_mood.map(|r| i64::from(r.get())),
                        &p.always_ask_safety,
                        &name,
                        &phone,
                        &email,
                        &id.0,
                    ],
                )?;
                account_on(conn, &vault, id.0)?
                    .ok_or_else(|| StoreError::Corrupt("account vanished".into()))
            })
            .await
    }

    async fn set_display_name(&self, id: AccountId, name: &str) -> Result<Account, StoreError> {
        let name = name.to_string();
        let vault = self.vault();
        self.db()?
            .write(move |conn| {
                conn.exec(SET_DISPLAY_NAME, &[&name, &id.0])?;
                account_on(conn, &vault, id.0)?
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
                let [name, phone, email] =
                    $crate::accounts::sealed_contact(&key, id, &new.therapist);
                sqlx::query($crate::accounts::SEAL_THERAPIST)
                    .bind(name)
                    .bind(phone)
                    .bind(email)
                    .bind(id)
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
                row.map(|r| Ok((r.account.into_account(&self.vault)?, r.password_hash)))
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
                let key = self.data_key(self.writer(), id).await?;
                let [name, phone, email] =
                    $crate::accounts::sealed_contact(&key, id.0, &p.therapist);
                sqlx::query($crate::accounts::UPDATE_PROFILE)
                    .bind(p.country.map(domain::crisis::Country::code))
                    .bind(p.timezone.name())
                    .bind(p.usual_mood.map(|r| i64::from(r.get())))
                    .bind(p.always_ask_safety)
                    .bind(name)
                    .bind(phone)
                    .bind(email)
                    .bind(id.0)
                    .execute(self.writer())
                    .await?;
                self.account_in(self.writer(), id)
                    .await?
                    .ok_or_else(|| $crate::StoreError::Corrupt("account vanished".into()))
            }

            async fn set_display_name(
                &self,
                id: domain::account::AccountId,
                name: &str,
            ) -> Result<domain::account::Account, $crate::StoreError> {
                sqlx::query($crate::accounts::SET_DISPLAY_NAME)
                    .bind(name)
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
                row.map(|r| r.into_account(&self.vault)).transpose()
            }
        }
    };
}
