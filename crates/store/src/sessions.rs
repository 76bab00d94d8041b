//! Browser sessions (found by the hash of their cookie token) and personal API tokens.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::account::{Account, AccountId};

use crate::StoreError;

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
                sqlx::query("DELETE FROM auth_sessions WHERE account_id = $1 AND expires_ms <= $2")
                    .bind(account.0)
                    .bind($crate::rows::ms(now))
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(
                    "INSERT INTO auth_sessions (token_hash, account_id, csrf_token, created_ms, \
                     expires_ms) VALUES ($1, $2, $3, $4, $5)",
                )
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
                #[derive(sqlx::FromRow)]
                struct Row {
                    #[sqlx(flatten)]
                    account: $crate::accounts::AccountRow,
                    csrf_token: String,
                    expires_ms: i64,
                }
                let row: Option<Row> = sqlx::query_as(concat!(
                    "SELECT ",
                    account_columns!(),
                    ", s.csrf_token, s.expires_ms FROM auth_sessions s \
                     JOIN accounts a ON a.id = s.account_id \
                     WHERE s.token_hash = $1 AND s.expires_ms > $2"
                ))
                .bind(token_hash)
                .bind($crate::rows::ms(now))
                .fetch_optional(self.reader())
                .await?;
                row.map(|r| {
                    Ok($crate::sessions::AuthSession {
                        account: r.account.into_account()?,
                        csrf_token: r.csrf_token,
                        expires_at: $crate::rows::from_ms(r.expires_ms)?,
                    })
                })
                .transpose()
            }

            async fn delete_session(&self, token_hash: &str) -> Result<(), $crate::StoreError> {
                sqlx::query("DELETE FROM auth_sessions WHERE token_hash = $1")
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
                sqlx::query(
                    "INSERT INTO api_tokens (token_hash, account_id, label, created_ms) \
                     VALUES ($1, $2, $3, $4)",
                )
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
                let row: Option<$crate::accounts::AccountRow> = sqlx::query_as(concat!(
                    "SELECT ",
                    account_columns!(),
                    " FROM api_tokens t JOIN accounts a ON a.id = t.account_id \
                     WHERE t.token_hash = $1"
                ))
                .bind(token_hash)
                .fetch_optional(self.reader())
                .await?;
                row.map($crate::accounts::AccountRow::into_account)
                    .transpose()
            }
        }
    };
}
