//! Browser sessions (found by the hash of their cookie token) and personal API tokens.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::account::{Account, AccountId};

use crate::StoreError;
use crate::accounts::AccountRow;
use crate::sqlite::{FromSqliteRow, Sql};

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

/// Who a session cookie or an API token stands for.
#[async_trait]
pub trait SessionStore: Send + Sync {
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
}

/// Sweeps the account's (`$1`) sessions that ended by `$2`.
pub(crate) const SWEEP_EXPIRED: &str =
    "DELETE FROM auth_sessions WHERE account_id = $1 AND expires_ms <= $2";

/// A new session: token hash, account, CSRF token, created and expiry times.
pub(crate) const INSERT_SESSION: &str = "INSERT INTO auth_sessions (token_hash, account_id, \
     csrf_token, created_ms, expires_ms) VALUES ($1, $2, $3, $4, $5)";

/// The account, CSRF token and expiry of the session with token hash `$1`, unexpired at `$2`.
pub(crate) const SESSION: &str = concat!(
    "SELECT ",
    account_columns!(),
    ", s.csrf_token, s.expires_ms FROM auth_sessions s \
     JOIN accounts a ON a.id = s.account_id \
     WHERE s.token_hash = $1 AND s.expires_ms > $2"
);

/// Ends the session with token hash `$1`.
pub(crate) const DELETE_SESSION: &str = "DELETE FROM auth_sessions WHERE token_hash = $1";

/// A new API token: its hash, account, label and creation time.
pub(crate) const INSERT_API_TOKEN: &str = "INSERT INTO api_tokens (token_hash, account_id, \
     label, created_ms) VALUES ($1, $2, $3, $4)";

/// The account of the API token with hash `$1`.
pub(crate) const API_TOKEN_ACCOUNT: &str = concat!(
    "SELECT ",
    account_columns!(),
    " FROM api_tokens t JOIN accounts a ON a.id = t.account_id \
     WHERE t.token_hash = $1"
);

/// A session's row: its account's columns with the session's own.
#[derive(sqlx::FromRow)]
pub(crate) struct SessionRow {
    #[sqlx(flatten)]
    pub account: AccountRow,
    pub csrf_token: String,
    pub expires_ms: i64,
}

// `db_row!` cannot flatten: the account's columns are read from the same row by name.
impl FromSqliteRow for SessionRow {
    fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(SessionRow {
            account: AccountRow::from_row(row)?,
            csrf_token: row.get("csrf_token")?,
            expires_ms: row.get("expires_ms")?,
        })
    }
}

impl SessionRow {
    pub fn into_session(self) -> Result<AuthSession, StoreError> {
        Ok(AuthSession {
            account: self.account.into_account()?,
            csrf_token: self.csrf_token,
            expires_at: crate::rows::from_ms(self.expires_ms)?,
        })
    }
}

#[async_trait]
impl SessionStore for crate::sqlite::SqliteStore {
    async fn create_session(
        &self,
        account: AccountId,
        token_hash: &str,
        csrf_token: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let (token_hash, csrf_token) = (token_hash.to_owned(), csrf_token.to_owned());
        let now = crate::rows::ms(Utc::now());
        self.db()?
            .write(move |conn| {
                // Sweep this account's expired sessions while we are writing anyway.
                conn.exec(SWEEP_EXPIRED, &[&account.0, &now])?;
                conn.exec(
                    INSERT_SESSION,
                    &[
                        &token_hash,
                        &account.0,
                        &csrf_token,
                        &now,
                        &crate::rows::ms(expires_at),
                    ],
                )?;
                Ok(())
            })
            .await
    }

    async fn session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<AuthSession>, StoreError> {
        self.optional_row(
            SESSION,
            &[&token_hash, &crate::rows::ms(now)],
            SessionRow::into_session,
        )
    }

    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        let token_hash = token_hash.to_owned();
        self.db()?
            .write(move |conn| {
                conn.exec(DELETE_SESSION, &[&token_hash])?;
                Ok(())
            })
            .await
    }

    async fn create_api_token(
        &self,
        account: AccountId,
        token_hash: &str,
        label: &str,
    ) -> Result<(), StoreError> {
        let (token_hash, label) = (token_hash.to_owned(), label.to_owned());
        self.db()?
            .write(move |conn| {
                conn.exec(
                    INSERT_API_TOKEN,
                    &[
                        &token_hash,
                        &account.0,
                        &label,
                        &crate::rows::ms(Utc::now()),
                    ],
                )?;
                Ok(())
            })
            .await
    }

    async fn account_for_api_token(&self, token_hash: &str) -> Result<Option<Account>, StoreError> {
        self.optional_row(API_TOKEN_ACCOUNT, &[&token_hash], AccountRow::into_account)
    }
}

macro_rules! impl_session_store {
    ($ty:ty) => {
        #[async_trait::async_trait]
        impl $crate::sessions::SessionStore for $ty {
            async fn create_session(
                &self,
                account: domain::account::AccountId,
                token_hash: &str,
                csrf_token: &str,
                expires_at: chrono::DateTime<chrono::Utc>,
            ) -> Result<(), $crate::StoreError> {
                let now = chrono::Utc::now();
                let mut tx = self.writer().begin().await?;
                // Sweep this account's expired sessions while we are writing anyway.
                sqlx::query($crate::sessions::SWEEP_EXPIRED)
                    .bind(account.0)
                    .bind($crate::rows::ms(now))
                    .execute(&mut *tx)
                    .await?;
                sqlx::query($crate::sessions::INSERT_SESSION)
                    .bind(token_hash)
                    .bind(account.0)
                    .bind(csrf_token)
                    .bind($crate::rows::ms(now))
                    .bind($crate::rows::ms(expires_at))
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn session(
                &self,
                token_hash: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<Option<$crate::sessions::AuthSession>, $crate::StoreError> {
                optional_row!(
                    self,
                    $crate::sessions::SESSION,
                    [token_hash, $crate::rows::ms(now)],
                    $crate::sessions::SessionRow::into_session
                )
            }

            async fn delete_session(&self, token_hash: &str) -> Result<(), $crate::StoreError> {
                sqlx::query($crate::sessions::DELETE_SESSION)
                    .bind(token_hash)
                    .execute(self.writer())
                    .await?;
                Ok(())
            }

            async fn create_api_token(
                &self,
                account: domain::account::AccountId,
                token_hash: &str,
                label: &str,
            ) -> Result<(), $crate::StoreError> {
                sqlx::query($crate::sessions::INSERT_API_TOKEN)
                    .bind(token_hash)
                    .bind(account.0)
                    .bind(label)
                    .bind($crate::rows::ms(chrono::Utc::now()))
                    .execute(self.writer())
                    .await?;
                Ok(())
            }

            async fn account_for_api_token(
                &self,
                token_hash: &str,
            ) -> Result<Option<domain::account::Account>, $crate::StoreError> {
                optional_row!(
                    self,
                    $crate::sessions::API_TOKEN_ACCOUNT,
                    [token_hash],
                    $crate::accounts::AccountRow::into_account
                )
            }
        }
    };
}
