//! The second sign-in step: each account's authenticator secret (sealed), the step of the
//! last code accepted, its one-time recovery codes (as hashes), and sign-ins waiting for a
//! code after a right password.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::account::{Account, AccountId};

use crate::StoreError;
use crate::accounts::AccountRow;
use crate::rows::{from_ms, ms};
use crate::sqlite::{FromSqliteRow, Sql};
use crate::vault::DataKey;
use crate::vault::sealed::SECOND_FACTOR_SECRET;

/// An account's authenticator secret and where it stands.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredSecondFactor {
    /// The shared secret, in base32, opened.
    pub secret: String,
    /// When a first code confirmed it; `None` while it waits for one (and sign-in does not
    /// ask for a code yet).
    pub enrolled_at: Option<DateTime<Utc>>,
    /// The 30-second step of the last code accepted: that code and older ones are refused.
    pub last_step: Option<i64>,
}

impl std::fmt::Debug for StoredSecondFactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredSecondFactor")
            .field("secret", &"<redacted>")
            .field("enrolled_at", &self.enrolled_at)
            .field("last_step", &self.last_step)
            .finish()
    }
}

/// A sign-in waiting for its second step.
#[derive(Debug, Clone)]
pub struct PendingSignIn {
    /// Whose password was right.
    pub account: Account,
    /// The coarse browser family it began on, for the session it becomes.
    pub device: String,
}

/// Second-step secrets, recovery codes and sign-ins half done.
#[async_trait]
pub trait SecondFactorStore: Send + Sync {
    /// The account's secret, confirmed or waiting, if it has one.
    async fn second_factor(
        &self,
        account: AccountId,
    ) -> Result<Option<StoredSecondFactor>, StoreError>;
    /// Keeps a new secret (base32) waiting for its first code, in place of one that waits;
    /// `false`, changing nothing, when the account's secret is already confirmed.
    async fn begin_second_factor(
        &self,
        account: AccountId,
        secret: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// Confirms the waiting secret, noting `step` as used, and keeps `recovery_hashes` as the
    /// account's recovery codes, in one transaction; `false`, changing nothing, when no
    /// secret was waiting.
    async fn confirm_second_factor(
        &self,
        account: AccountId,
        step: i64,
        recovery_hashes: &[String],
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// Notes `step` as used if it is later than the last one used: `false` when it is not
    /// (a replayed code), or the account has no confirmed secret. One statement, so of two
    /// requests with the same code only one succeeds.
    async fn use_second_factor_step(
        &self,
        account: AccountId,
        step: i64,
    ) -> Result<bool, StoreError>;
    /// Uses the account's unused recovery code with this hash: `false` when there is none.
    async fn use_recovery_code(
        &self,
        account: AccountId,
        code_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// How many of the account's recovery codes are still unused.
    async fn recovery_codes_left(&self, account: AccountId) -> Result<i64, StoreError>;
    /// Replaces every recovery code of the account with these hashes.
    async fn replace_recovery_codes(
        &self,
        account: AccountId,
        recovery_hashes: &[String],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// Turns the second step off: the secret, the recovery codes and any sign-in waiting for
    /// a code go. `false` when there was no secret.
    async fn remove_second_factor(&self, account: AccountId) -> Result<bool, StoreError>;
    /// Keeps a sign-in waiting for its code, known by the hash of its cookie value, until
    /// `expires_at`; sweeps the account's expired ones.
    async fn begin_pending_sign_in(
        &self,
        account: AccountId,
        token_hash: &str,
        device: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// The sign-in waiting with this hash, unexpired at `now`.
    async fn pending_sign_in(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<PendingSignIn>, StoreError>;
    /// Ends the sign-in waiting with this hash: `true` only for the one call that ended it,
    /// so it is used once.
    async fn end_pending_sign_in(&self, token_hash: &str) -> Result<bool, StoreError>;
}

db_row! {
pub(crate) struct SecondFactorRow {
    pub secret: String,
    pub enrolled_ms: Option<i64>,
    pub last_step: Option<i64>,
}
}

/// The row key the secret is sealed under: the account's own id (the table's key).
fn row_key(account: AccountId) -> String {
    account.0.to_string()
}

impl SecondFactorRow {
    /// The secret opened with the account's key.
    pub fn into_factor(
        self,
        key: &DataKey,
        account: AccountId,
    ) -> Result<StoredSecondFactor, StoreError> {
        Ok(StoredSecondFactor {
            secret: key.open(SECOND_FACTOR_SECRET, &row_key(account), &self.secret)?,
            enrolled_at: self.enrolled_ms.map(from_ms).transpose()?,
            last_step: self.last_step,
        })
    }
}

/// The secret as stored: sealed under the account's key.
pub(crate) fn sealed_secret(key: &DataKey, account: AccountId, secret: &str) -> String {
    key.seal(SECOND_FACTOR_SECRET, &row_key(account), secret)
}

/// A pending sign-in's row: its account's columns, then the device.
#[derive(sqlx::FromRow)]
pub(crate) struct PendingRow {
    #[sqlx(flatten)]
    pub account: AccountRow,
    pub device: String,
}

// `db_row!` cannot flatten: the account's columns are read from the same row by name.
impl FromSqliteRow for PendingRow {
    fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(PendingRow {
            account: AccountRow::from_row(row)?,
            device: row.get("device")?,
        })
    }
}

impl PendingRow {
    pub fn into_pending(self, vault: &crate::vault::Vault) -> Result<PendingSignIn, StoreError> {
        Ok(PendingSignIn {
            account: self.account.into_account(vault)?,
            device: self.device,
        })
    }
}

/// The account's (`$1`) secret.
pub(crate) const ONE: &str =
    "SELECT secret, enrolled_ms, last_step FROM second_factors WHERE account_id = $1";

/// A secret (`$2`, sealed) for the account `$1` at `$3`, waiting for its first code; a
/// confirmed one stays as it is.
pub(crate) const BEGIN: &str = "INSERT INTO second_factors (account_id, secret, created_ms) \
     VALUES ($1, $2, $3) ON CONFLICT (account_id) DO UPDATE SET secret = excluded.secret, \
     created_ms = excluded.created_ms, last_step = NULL \
     WHERE second_factors.enrolled_ms IS NULL";

/// Confirms the account's (`$1`) waiting secret at `$2`, with step `$3` used.
pub(crate) const CONFIRM: &str = "UPDATE second_factors SET enrolled_ms = $2, last_step = $3 \
     WHERE account_id = $1 AND enrolled_ms IS NULL";

/// Notes step `$2` as the account's (`$1`) last used, if it is later.
pub(crate) const USE_STEP: &str = "UPDATE second_factors SET last_step = $2 \
     WHERE account_id = $1 AND enrolled_ms IS NOT NULL \
     AND (last_step IS NULL OR last_step < $2)";

/// Uses the account's (`$1`) unused recovery code with hash `$2` at `$3`.
pub(crate) const USE_RECOVERY: &str = "UPDATE recovery_codes SET used_ms = $3 \
     WHERE account_id = $1 AND code_hash = $2 AND used_ms IS NULL";

/// How many of the account's (`$1`) recovery codes are unused.
pub(crate) const CODES_LEFT: &str =
    "SELECT COUNT(*) FROM recovery_codes WHERE account_id = $1 AND used_ms IS NULL";

/// Every recovery code of the account `$1`.
pub(crate) const DELETE_CODES: &str = "DELETE FROM recovery_codes WHERE account_id = $1";

/// A recovery code's hash `$2` for the account `$1`, made at `$3`.
pub(crate) const INSERT_CODE: &str =
    "INSERT INTO recovery_codes (account_id, code_hash, created_ms) VALUES ($1, $2, $3)";

/// Every sign-in of the account `$1` waiting for a code.
pub(crate) const DELETE_PENDING: &str = "DELETE FROM second_factor_sign_ins WHERE account_id = $1";

/// The account's (`$1`) secret.
pub(crate) const DELETE_FACTOR: &str = "DELETE FROM second_factors WHERE account_id = $1";

/// The account's (`$1`) waiting sign-ins that ended by `$2`.
pub(crate) const SWEEP_PENDING: &str =
    "DELETE FROM second_factor_sign_ins WHERE account_id = $1 AND expires_ms <= $2";

/// A sign-in waiting for a code: hash, account, created, expires, device.
pub(crate) const INSERT_PENDING: &str = "INSERT INTO second_factor_sign_ins \
     (token_hash, account_id, created_ms, expires_ms, device) VALUES ($1, $2, $3, $4, $5)";

/// The account and device of the sign-in waiting with hash `$1`, unexpired at `$2`.
pub(crate) const PENDING: &str = concat!(
    "SELECT ",
    account_columns!(),
    ", p.device FROM second_factor_sign_ins p \
     JOIN accounts a ON a.id = p.account_id \
     LEFT JOIN account_keys k ON k.account_id = a.id \
     WHERE p.token_hash = $1 AND p.expires_ms > $2"
);

/// Ends the sign-in waiting with hash `$1`.
pub(crate) const END_PENDING: &str = "DELETE FROM second_factor_sign_ins WHERE token_hash = $1";

#[async_trait]
impl SecondFactorStore for crate::sqlite::SqliteStore {
    async fn second_factor(
        &self,
        account: AccountId,
    ) -> Result<Option<StoredSecondFactor>, StoreError> {
        let key = self.data_key(account)?;
        self.optional_row(ONE, &[&account.0], |r: SecondFactorRow| {
            r.into_factor(&key, account)
        })
    }

    async fn begin_second_factor(
        &self,
        account: AccountId,
        secret: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let (secret, vault) = (secret.to_owned(), self.vault());
        let changed = self
            .db()?
            .write(move |conn| {
                let key = crate::sqlite::SqliteStore::data_key_on(&vault, conn, account)?;
                let sealed = sealed_secret(&key, account, &secret);
                conn.exec(BEGIN, &[&account.0, &sealed, &ms(now)])
            })
            .await?;
        Ok(changed == 1)
    }

    async fn confirm_second_factor(
        &self,
        account: AccountId,
        step: i64,
        recovery_hashes: &[String],
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let hashes = recovery_hashes.to_vec();
        self.db()?
            .write(move |conn| {
                if conn.exec(CONFIRM, &[&account.0, &ms(now), &step])? != 1 {
                    return Ok(false);
                }
                conn.exec(DELETE_CODES, &[&account.0])?;
                for h in &hashes {
                    conn.exec(INSERT_CODE, &[&account.0, h, &ms(now)])?;
                }
                Ok(true)
            })
            .await
    }

    async fn use_second_factor_step(
        &self,
        account: AccountId,
        step: i64,
    ) -> Result<bool, StoreError> {
        let changed = self
            .db()?
            .write(move |conn| conn.exec(USE_STEP, &[&account.0, &step]))
            .await?;
        Ok(changed == 1)
    }

    async fn use_recovery_code(
        &self,
        account: AccountId,
        code_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let code_hash = code_hash.to_owned();
        let changed = self
            .db()?
            .write(move |conn| conn.exec(USE_RECOVERY, &[&account.0, &code_hash, &ms(now)]))
            .await?;
        Ok(changed == 1)
    }

    async fn recovery_codes_left(&self, account: AccountId) -> Result<i64, StoreError> {
        let n: Option<i64> = self
            .db()?
            .read(|conn| conn.scalar(CODES_LEFT, &[&account.0]))?;
        Ok(n.unwrap_or(0))
    }

    async fn replace_recovery_codes(
        &self,
        account: AccountId,
        recovery_hashes: &[String],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let hashes = recovery_hashes.to_vec();
        self.db()?
            .write(move |conn| {
                conn.exec(DELETE_CODES, &[&account.0])?;
                for h in &hashes {
                    conn.exec(INSERT_CODE, &[&account.0, h, &ms(now)])?;
                }
                Ok(())
            })
            .await
    }

    async fn remove_second_factor(&self, account: AccountId) -> Result<bool, StoreError> {
        self.db()?
            .write(move |conn| {
                conn.exec(DELETE_PENDING, &[&account.0])?;
                conn.exec(DELETE_CODES, &[&account.0])?;
                Ok(conn.exec(DELETE_FACTOR, &[&account.0])? == 1)
            })
            .await
    }

    async fn begin_pending_sign_in(
        &self,
        account: AccountId,
        token_hash: &str,
        device: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let (token_hash, device) = (token_hash.to_owned(), device.to_owned());
        self.db()?
            .write(move |conn| {
                conn.exec(SWEEP_PENDING, &[&account.0, &ms(now)])?;
                conn.exec(
                    INSERT_PENDING,
                    &[&token_hash, &account.0, &ms(now), &ms(expires_at), &device],
                )?;
                Ok(())
            })
            .await
    }

    async fn pending_sign_in(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<PendingSignIn>, StoreError> {
        let vault = self.vault();
        self.optional_row(PENDING, &[&token_hash, &ms(now)], |r: PendingRow| {
            r.into_pending(&vault)
        })
    }

    async fn end_pending_sign_in(&self, token_hash: &str) -> Result<bool, StoreError> {
        let token_hash = token_hash.to_owned();
        let ended = self
            .db()?
            .write(move |conn| conn.exec(END_PENDING, &[&token_hash]))
            .await?;
        Ok(ended == 1)
    }
}

macro_rules! impl_second_factor_store {
    ($ty:ty) => {
        #[async_trait::async_trait]
        impl $crate::second_factor::SecondFactorStore for $ty {
            async fn second_factor(
                &self,
                account: domain::account::AccountId,
            ) -> Result<Option<$crate::second_factor::StoredSecondFactor>, $crate::StoreError> {
                let key = self.reading_key(account).await?;
                optional_row!(
                    self,
                    $crate::second_factor::ONE,
                    [account.0],
                    |r: $crate::second_factor::SecondFactorRow| r.into_factor(&key, account)
                )
            }

            async fn begin_second_factor(
                &self,
                account: domain::account::AccountId,
                secret: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<bool, $crate::StoreError> {
                let mut tx = self.writer().begin().await?;
                let key = self.data_key(&mut *tx, account).await?;
                let sealed = $crate::second_factor::sealed_secret(&key, account, secret);
                let done = sqlx::query($crate::second_factor::BEGIN)
                    .bind(account.0)
                    .bind(sealed)
                    .bind($crate::rows::ms(now))
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(done.rows_affected() == 1)
            }

            async fn confirm_second_factor(
                &self,
                account: domain::account::AccountId,
                step: i64,
                recovery_hashes: &[String],
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<bool, $crate::StoreError> {
                let now = $crate::rows::ms(now);
                let mut tx = self.writer().begin().await?;
                let done = sqlx::query($crate::second_factor::CONFIRM)
                    .bind(account.0)
                    .bind(now)
                    .bind(step)
                    .execute(&mut *tx)
                    .await?;
                if done.rows_affected() != 1 {
                    return Ok(false);
                }
                sqlx::query($crate::second_factor::DELETE_CODES)
                    .bind(account.0)
                    .execute(&mut *tx)
                    .await?;
                for h in recovery_hashes {
                    sqlx::query($crate::second_factor::INSERT_CODE)
                        .bind(account.0)
                        .bind(h)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(true)
            }

            async fn use_second_factor_step(
                &self,
                account: domain::account::AccountId,
                step: i64,
            ) -> Result<bool, $crate::StoreError> {
                let done = sqlx::query($crate::second_factor::USE_STEP)
                    .bind(account.0)
                    .bind(step)
                    .execute(self.writer())
                    .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn use_recovery_code(
                &self,
                account: domain::account::AccountId,
                code_hash: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<bool, $crate::StoreError> {
                let done = sqlx::query($crate::second_factor::USE_RECOVERY)
                    .bind(account.0)
                    .bind(code_hash)
                    .bind($crate::rows::ms(now))
                    .execute(self.writer())
                    .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn recovery_codes_left(
                &self,
                account: domain::account::AccountId,
            ) -> Result<i64, $crate::StoreError> {
                let n: i64 = sqlx::query_scalar($crate::second_factor::CODES_LEFT)
                    .bind(account.0)
                    .fetch_one(self.reader())
                    .await?;
                Ok(n)
            }

            async fn replace_recovery_codes(
                &self,
                account: domain::account::AccountId,
                recovery_hashes: &[String],
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<(), $crate::StoreError> {
                let now = $crate::rows::ms(now);
                let mut tx = self.writer().begin().await?;
                sqlx::query($crate::second_factor::DELETE_CODES)
                    .bind(account.0)
                    .execute(&mut *tx)
                    .await?;
                for h in recovery_hashes {
                    sqlx::query($crate::second_factor::INSERT_CODE)
                        .bind(account.0)
                        .bind(h)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn remove_second_factor(
                &self,
                account: domain::account::AccountId,
            ) -> Result<bool, $crate::StoreError> {
                let mut tx = self.writer().begin().await?;
                for sql in [
                    $crate::second_factor::DELETE_PENDING,
                    $crate::second_factor::DELETE_CODES,
                ] {
                    sqlx::query(sql).bind(account.0).execute(&mut *tx).await?;
                }
                let done = sqlx::query($crate::second_factor::DELETE_FACTOR)
                    .bind(account.0)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(done.rows_affected() == 1)
            }

            async fn begin_pending_sign_in(
                &self,
                account: domain::account::AccountId,
                token_hash: &str,
                device: &str,
                now: chrono::DateTime<chrono::Utc>,
                expires_at: chrono::DateTime<chrono::Utc>,
            ) -> Result<(), $crate::StoreError> {
                let mut tx = self.writer().begin().await?;
                sqlx::query($crate::second_factor::SWEEP_PENDING)
                    .bind(account.0)
                    .bind($crate::rows::ms(now))
                    .execute(&mut *tx)
                    .await?;
                sqlx::query($crate::second_factor::INSERT_PENDING)
                    .bind(token_hash)
                    .bind(account.0)
                    .bind($crate::rows::ms(now))
                    .bind($crate::rows::ms(expires_at))
                    .bind(device)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn pending_sign_in(
                &self,
                token_hash: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<Option<$crate::second_factor::PendingSignIn>, $crate::StoreError> {
                optional_row!(
                    self,
                    $crate::second_factor::PENDING,
                    [token_hash, $crate::rows::ms(now)],
                    |r: $crate::second_factor::PendingRow| r.into_pending(&self.vault)
                )
            }

            async fn end_pending_sign_in(
                &self,
                token_hash: &str,
            ) -> Result<bool, $crate::StoreError> {
                let done = sqlx::query($crate::second_factor::END_PENDING)
                    .bind(token_hash)
                    .execute(self.writer())
                    .await?;
                Ok(done.rows_affected() == 1)
            }
        }
    };
}
