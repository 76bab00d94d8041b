//! Browser sessions (found by the hash of their cookie token) and personal API tokens: the
//! devices a person is signed in on, the tokens they made, and changing a password, which
//! ends some of both in the same transaction.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::account::{Account, AccountId};

use crate::StoreError;
use crate::accounts::AccountRow;
use crate::rows::{from_ms, ms};
use crate::sqlite::sql::is_unique_violation;
use crate::sqlite::{FromSqliteRow, Sql};

/// A signed-in browser session, found by the hash of its cookie token.
#[derive(Debug, Clone)]
pub struct AuthSession {
    /// Who is signed in.
    pub account: Account,
    /// The session's public id, which names it on the devices page (never its token hash).
    pub id: String,
    /// The per-session token every form must carry.
    pub csrf_token: String,
    /// When the session ends.
    pub expires_at: DateTime<Utc>,
    /// When it was last used, to the minute (see [`SessionStore::touch_session`]).
    pub last_seen_at: DateTime<Utc>,
}

/// One signed-in device, as its owner sees it in the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceSession {
    /// The public id that names it in pages and URLs.
    pub id: String,
    /// A coarse browser family ("Firefox on Android"); empty when it was not known.
    pub device: String,
    /// When it signed in.
    pub created_at: DateTime<Utc>,
    /// When it was last used, to the minute.
    pub last_seen_at: DateTime<Utc>,
    /// When it ends by itself.
    pub expires_at: DateTime<Utc>,
}

/// One personal API token, without its secret (which only its maker ever saw).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    /// The public id that names it in pages and URLs.
    pub id: String,
    /// The name its owner gave it, unique among their tokens.
    pub name: String,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it was last used, to the minute; `None` when never.
    pub last_used_at: Option<DateTime<Utc>>,
    /// When it stops working; `None` when it never expires.
    pub expires_at: Option<DateTime<Utc>>,
}

/// What changing a password ends besides the old password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordChange<'a> {
    /// The person changed it: every other session ends, the one with this token hash stays,
    /// and API tokens keep working (they were made on purpose and are revoked on their own).
    KeepingSession(&'a str),
    /// An operator reset it: every session and every API token ends.
    EndingEverything,
}

/// Who a session cookie or an API token stands for.
#[async_trait]
pub trait SessionStore: Send + Sync {
    /// Stores a new browser session whose device is not known.
    async fn create_session(
        &self,
        account: AccountId,
        token_hash: &str,
        csrf_token: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.create_device_session(account, token_hash, csrf_token, expires_at, "")
            .await
    }
    /// Stores a new browser session, with the coarse browser family it signed in from.
    async fn create_device_session(
        &self,
        account: AccountId,
        token_hash: &str,
        csrf_token: &str,
        expires_at: DateTime<Utc>,
        device: &str,
    ) -> Result<(), StoreError>;
    /// Finds an unexpired session by token hash. Only reads: the caller decides when
    /// [`touch_session`](Self::touch_session) is worth a write.
    async fn session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<AuthSession>, StoreError>;
    /// Records that the session with this token hash was used at `at`.
    async fn touch_session(&self, token_hash: &str, at: DateTime<Utc>) -> Result<(), StoreError>;
    /// The account's sessions unexpired at `now`, most recently used first.
    async fn device_sessions(
        &self,
        account: AccountId,
        now: DateTime<Utc>,
    ) -> Result<Vec<DeviceSession>, StoreError>;
    /// Ends the account's session with public id `id`: `false` when it has none such.
    async fn end_device_session(&self, account: AccountId, id: &str) -> Result<bool, StoreError>;
    /// Ends every session of the account but the one with token hash `keep`; how many ended.
    async fn end_other_sessions(&self, account: AccountId, keep: &str) -> Result<u64, StoreError>;
    /// Ends a session (signing out).
    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError>;
    /// Stores a personal API token's hash under a name, without expiry.
    async fn create_api_token(
        &self,
        account: AccountId,
        token_hash: &str,
        label: &str,
    ) -> Result<(), StoreError> {
        self.add_api_token(account, token_hash, label, None)
            .await
            .map(|_| ())
    }
    /// Stores a personal API token's hash under a name, with an optional expiry;
    /// [`StoreError::Conflict`] (field `name`) when the account has a token of that name.
    async fn add_api_token(
        &self,
        account: AccountId,
        token_hash: &str,
        name: &str,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<ApiToken, StoreError>;
    /// The account and the token a bearer token's hash belongs to, expired or not: the
    /// caller refuses an expired one.
    async fn api_token(&self, token_hash: &str) -> Result<Option<(Account, ApiToken)>, StoreError>;
    /// Finds the account a bearer token belongs to, whatever its expiry.
    async fn account_for_api_token(&self, token_hash: &str) -> Result<Option<Account>, StoreError> {
        Ok(self
            .api_token(token_hash)
            .await?
            .map(|(account, _)| account))
    }
    /// Records that the token with this hash was used at `at`.
    async fn touch_api_token(&self, token_hash: &str, at: DateTime<Utc>) -> Result<(), StoreError>;
    /// The account's API tokens, oldest first.
    async fn api_tokens(&self, account: AccountId) -> Result<Vec<ApiToken>, StoreError>;
    /// Revokes the account's token with public id `id`: `false` when it has none such.
    async fn revoke_api_token(&self, account: AccountId, id: &str) -> Result<bool, StoreError>;
    /// Sets the account's password hash and ends what `change` says, in one transaction, so
    /// no session or token outlives the old password by a moment.
    async fn set_password(
        &self,
        account: AccountId,
        password_hash: &str,
        change: PasswordChange<'_>,
    ) -> Result<(), StoreError>;
}

/// A new public id for a session or token: 128 random bits as 32 hex characters.
pub(crate) fn new_public_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// Sweeps the account's (`$1`) sessions that ended by `$2`.
pub(crate) const SWEEP_EXPIRED: &str =
    "DELETE FROM auth_sessions WHERE account_id = $1 AND expires_ms <= $2";

/// A new session: token hash, account, CSRF token, created and expiry times, public id,
/// device; it was last seen when it began.
pub(crate) const INSERT_SESSION: &str = "INSERT INTO auth_sessions (token_hash, account_id, \
     csrf_token, created_ms, expires_ms, public_id, device, last_seen_ms) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $4)";

/// The account and the session with token hash `$1`, unexpired at `$2`.
pub(crate) const SESSION: &str = concat!(
    "SELECT ",
    account_columns!(),
    ", s.public_id, s.csrf_token, s.expires_ms, s.last_seen_ms FROM auth_sessions s \
     JOIN accounts a ON a.id = s.account_id \
     LEFT JOIN account_keys k ON k.account_id = a.id \
     WHERE s.token_hash = $1 AND s.expires_ms > $2"
);

/// The session with token hash `$1` was used at `$2`.
pub(crate) const TOUCH_SESSION: &str =
    "UPDATE auth_sessions SET last_seen_ms = $2 WHERE token_hash = $1";

/// The account's (`$1`) sessions unexpired at `$2`, most recently used first.
pub(crate) const DEVICE_SESSIONS: &str = "SELECT public_id, device, created_ms, last_seen_ms, \
     expires_ms FROM auth_sessions WHERE account_id = $1 AND expires_ms > $2 \
     ORDER BY last_seen_ms DESC, created_ms DESC, public_id";

/// Ends the account's (`$1`) session with public id `$2`.
pub(crate) const END_DEVICE_SESSION: &str =
    "DELETE FROM auth_sessions WHERE account_id = $1 AND public_id = $2";

/// Ends the account's (`$1`) sessions but the one with token hash `$2`.
pub(crate) const END_OTHER_SESSIONS: &str =
    "DELETE FROM auth_sessions WHERE account_id = $1 AND token_hash <> $2";

/// Ends every session of the account `$1`.
pub(crate) const END_ALL_SESSIONS: &str = "DELETE FROM auth_sessions WHERE account_id = $1";

/// Ends the session with token hash `$1`.
pub(crate) const DELETE_SESSION: &str = "DELETE FROM auth_sessions WHERE token_hash = $1";

/// A new API token: its hash, account, name, creation time, public id and expiry.
pub(crate) const INSERT_API_TOKEN: &str = "INSERT INTO api_tokens (token_hash, account_id, \
     label, created_ms, public_id, expires_ms) VALUES ($1, $2, $3, $4, $5, $6)";

/// A token's own columns, in [`TokenRow`]'s order.
macro_rules! token_columns {
    () => {
        "t.public_id, t.label, t.created_ms, t.last_used_ms, t.expires_ms"
    };
}

/// The account and token of the API token with hash `$1`.
pub(crate) const API_TOKEN: &str = concat!(
    "SELECT ",
    account_columns!(),
    ", ",
    token_columns!(),
    " FROM api_tokens t JOIN accounts a ON a.id = t.account_id \
     LEFT JOIN account_keys k ON k.account_id = a.id WHERE t.token_hash = $1"
);

/// The token with hash `$1` was used at `$2`.
pub(crate) const TOUCH_API_TOKEN: &str =
    "UPDATE api_tokens SET last_used_ms = $2 WHERE token_hash = $1";

/// The account's (`$1`) tokens, oldest first.
pub(crate) const API_TOKENS: &str = concat!(
    "SELECT ",
    token_columns!(),
    " FROM api_tokens t WHERE t.account_id = $1 ORDER BY t.created_ms, t.label"
);

/// Revokes the account's (`$1`) token with public id `$2`.
pub(crate) const REVOKE_API_TOKEN: &str =
    "DELETE FROM api_tokens WHERE account_id = $1 AND public_id = $2";

/// Revokes every token of the account `$1`.
pub(crate) const REVOKE_ALL_API_TOKENS: &str = "DELETE FROM api_tokens WHERE account_id = $1";

/// Sets the password hash `$2` of the account `$1`.
pub(crate) const SET_PASSWORD: &str = "UPDATE accounts SET password_hash = $2 WHERE id = $1";

/// A session's row: its account's columns with the session's own.
#[derive(sqlx::FromRow)]
pub(crate) struct SessionRow {
    #[sqlx(flatten)]
    pub account: AccountRow,
    pub public_id: String,
    pub csrf_token: String,
    pub expires_ms: i64,
    pub last_seen_ms: i64,
}

// `db_row!` cannot flatten: the account's columns are read from the same row by name.
impl FromSqliteRow for SessionRow {
    fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(SessionRow {
            account: AccountRow::from_row(row)?,
            public_id: row.get("public_id")?,
            csrf_token: row.get("csrf_token")?,
            expires_ms: row.get("expires_ms")?,
            last_seen_ms: row.get("last_seen_ms")?,
        })
    }
}

impl SessionRow {
    /// The session, its account's therapist contact opened (see `AccountRow::into_account`).
    pub fn into_session(self, vault: &crate::vault::Vault) -> Result<AuthSession, StoreError> {
        Ok(AuthSession {
            account: self.account.into_account(vault)?,
            id: self.public_id,
            csrf_token: self.csrf_token,
            expires_at: from_ms(self.expires_ms)?,
            last_seen_at: from_ms(self.last_seen_ms)?,
        })
    }
}

db_row! {
/// One row of the device list.
pub(crate) struct DeviceRow {
    pub public_id: String,
    pub device: String,
    pub created_ms: i64,
    pub last_seen_ms: i64,
    pub expires_ms: i64,
}
}

impl DeviceRow {
    pub fn into_device(self) -> Result<DeviceSession, StoreError> {
        Ok(DeviceSession {
            id: self.public_id,
            device: self.device,
            created_at: from_ms(self.created_ms)?,
            last_seen_at: from_ms(self.last_seen_ms)?,
            expires_at: from_ms(self.expires_ms)?,
        })
    }
}

db_row! {
/// A token's own columns.
pub(crate) struct TokenRow {
    pub public_id: String,
    pub label: String,
    pub created_ms: i64,
    pub last_used_ms: Option<i64>,
    pub expires_ms: Option<i64>,
}
}

impl TokenRow {
    pub fn into_token(self) -> Result<ApiToken, StoreError> {
        Ok(ApiToken {
            id: self.public_id,
            name: self.label,
            created_at: from_ms(self.created_ms)?,
            last_used_at: self.last_used_ms.map(from_ms).transpose()?,
            expires_at: self.expires_ms.map(from_ms).transpose()?,
        })
    }
}

/// A token with its account's columns.
#[derive(sqlx::FromRow)]
pub(crate) struct TokenAccountRow {
    #[sqlx(flatten)]
    pub account: AccountRow,
    #[sqlx(flatten)]
    pub token: TokenRow,
}

// Read by name, as for sessions: both halves come from the same row.
impl FromSqliteRow for TokenAccountRow {
    fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(TokenAccountRow {
            account: AccountRow::from_row(row)?,
            token: TokenRow {
                public_id: row.get("public_id")?,
                label: row.get("label")?,
                created_ms: row.get("created_ms")?,
                last_used_ms: row.get("last_used_ms")?,
                expires_ms: row.get("expires_ms")?,
            },
        })
    }
}

impl TokenAccountRow {
    pub fn into_pair(self, vault: &crate::vault::Vault) -> Result<(Account, ApiToken), StoreError> {
        Ok((self.account.into_account(vault)?, self.token.into_token()?))
    }
}

/// The conflict a taken token name is reported as.
pub(crate) const NAME_TAKEN: StoreError = StoreError::Conflict {
    field: "name",
    what: "that token name",
};

#[async_trait]
impl SessionStore for crate::sqlite::SqliteStore {
    async fn create_device_session(
        &self,
        account: AccountId,
        token_hash: &str,
        csrf_token: &str,
        expires_at: DateTime<Utc>,
        device: &str,
    ) -> Result<(), StoreError> {
        let (token_hash, csrf_token, device) = (
            token_hash.to_owned(),
            csrf_token.to_owned(),
            device.to_owned(),
        );
        let now = ms(Utc::now());
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
                        &ms(expires_at),
                        &new_public_id(),
                        &device,
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
        let vault = self.vault();
        self.optional_row(SESSION, &[&token_hash, &ms(now)], |r: SessionRow| {
            r.into_session(&vault)
        })
    }

    async fn touch_session(&self, token_hash: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        let token_hash = token_hash.to_owned();
        self.db()?
            .write(move |conn| {
                conn.exec(TOUCH_SESSION, &[&token_hash, &ms(at)])?;
                Ok(())
            })
            .await
    }

    async fn device_sessions(
        &self,
        account: AccountId,
        now: DateTime<Utc>,
    ) -> Result<Vec<DeviceSession>, StoreError> {
        self.all_rows(
            DEVICE_SESSIONS,
            &[&account.0, &ms(now)],
            DeviceRow::into_device,
        )
    }

    async fn end_device_session(&self, account: AccountId, id: &str) -> Result<bool, StoreError> {
        let id = id.to_owned();
        let ended = self
            .db()?
            .write(move |conn| conn.exec(END_DEVICE_SESSION, &[&account.0, &id]))
            .await?;
        Ok(ended > 0)
    }

    async fn end_other_sessions(&self, account: AccountId, keep: &str) -> Result<u64, StoreError> {
        let keep = keep.to_owned();
        let ended = self
            .db()?
            .write(move |conn| conn.exec(END_OTHER_SESSIONS, &[&account.0, &keep]))
            .await?;
        Ok(ended as u64)
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

    async fn add_api_token(
        &self,
        account: AccountId,
        token_hash: &str,
        name: &str,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<ApiToken, StoreError> {
        let token = ApiToken {
            id: new_public_id(),
            name: name.to_owned(),
            // Whole milliseconds, as stored, so what is returned is what is read back.
            created_at: from_ms(ms(Utc::now()))?,
            last_used_at: None,
            expires_at: expires_at.map(|t| from_ms(ms(t))).transpose()?,
        };
        let (token_hash, stored) = (token_hash.to_owned(), token.clone());
        self.db()?
            .write(move |conn| {
                conn.exec(
                    INSERT_API_TOKEN,
                    &[
                        &token_hash,
                        &account.0,
                        &stored.name,
                        &ms(stored.created_at),
                        &stored.id,
                        &stored.expires_at.map(ms),
                    ],
                )
                .map_err(|e| {
                    if is_unique_violation(&e) {
                        NAME_TAKEN
                    } else {
                        e
                    }
                })?;
                Ok(())
            })
            .await?;
        Ok(token)
    }

    async fn api_token(&self, token_hash: &str) -> Result<Option<(Account, ApiToken)>, StoreError> {
        let vault = self.vault();
        self.optional_row(API_TOKEN, &[&token_hash], |r: TokenAccountRow| {
            r.into_pair(&vault)
        })
    }

    async fn touch_api_token(&self, token_hash: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        let token_hash = token_hash.to_owned();
        self.db()?
            .write(move |conn| {
                conn.exec(TOUCH_API_TOKEN, &[&token_hash, &ms(at)])?;
                Ok(())
            })
            .await
    }

    async fn api_tokens(&self, account: AccountId) -> Result<Vec<ApiToken>, StoreError> {
        self.all_rows(API_TOKENS, &[&account.0], TokenRow::into_token)
    }

    async fn revoke_api_token(&self, account: AccountId, id: &str) -> Result<bool, StoreError> {
        let id = id.to_owned();
        let revoked = self
            .db()?
            .write(move |conn| conn.exec(REVOKE_API_TOKEN, &[&account.0, &id]))
            .await?;
        Ok(revoked > 0)
    }

    async fn set_password(
        &self,
        account: AccountId,
        password_hash: &str,
        change: PasswordChange<'_>,
    ) -> Result<(), StoreError> {
        let password_hash = password_hash.to_owned();
        let keep = match change {
            PasswordChange::KeepingSession(keep) => Some(keep.to_owned()),
            PasswordChange::EndingEverything => None,
        };
        // One write job is one transaction (its own savepoint inside the batch): all of
        // this is kept, or none of it.
        self.db()?
            .write(move |conn| {
                conn.exec(SET_PASSWORD, &[&account.0, &password_hash])?;
                match &keep {
                    Some(keep) => conn.exec(END_OTHER_SESSIONS, &[&account.0, keep])?,
                    None => {
                        conn.exec(REVOKE_ALL_API_TOKENS, &[&account.0])?;
                        conn.exec(END_ALL_SESSIONS, &[&account.0])?
                    }
                };
                Ok(())
            })
            .await
    }
}

macro_rules! impl_session_store {
    ($ty:ty) => {
        #[async_trait::async_trait]
        impl $crate::sessions::SessionStore for $ty {
            async fn create_device_session(
                &self,
                account: domain::account::AccountId,
                token_hash: &str,
                csrf_token: &str,
                expires_at: chrono::DateTime<chrono::Utc>,
                device: &str,
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
                    .bind($crate::sessions::new_public_id())
                    .bind(device)
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
                    |r: $crate::sessions::SessionRow| r.into_session(&self.vault)
                )
            }

            async fn touch_session(
                &self,
                token_hash: &str,
                at: chrono::DateTime<chrono::Utc>,
            ) -> Result<(), $crate::StoreError> {
                sqlx::query($crate::sessions::TOUCH_SESSION)
                    .bind(token_hash)
                    .bind($crate::rows::ms(at))
                    .execute(self.writer())
                    .await?;
                Ok(())
            }

            async fn device_sessions(
                &self,
                account: domain::account::AccountId,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<Vec<$crate::sessions::DeviceSession>, $crate::StoreError> {
                all_rows!(
                    self,
                    $crate::sessions::DEVICE_SESSIONS,
                    [account.0, $crate::rows::ms(now)],
                    $crate::sessions::DeviceRow::into_device
                )
            }

            async fn end_device_session(
                &self,
                account: domain::account::AccountId,
                id: &str,
            ) -> Result<bool, $crate::StoreError> {
                let done = sqlx::query($crate::sessions::END_DEVICE_SESSION)
                    .bind(account.0)
                    .bind(id)
                    .execute(self.writer())
                    .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn end_other_sessions(
                &self,
                account: domain::account::AccountId,
                keep: &str,
            ) -> Result<u64, $crate::StoreError> {
                let done = sqlx::query($crate::sessions::END_OTHER_SESSIONS)
                    .bind(account.0)
                    .bind(keep)
                    .execute(self.writer())
                    .await?;
                Ok(done.rows_affected())
            }

            async fn delete_session(&self, token_hash: &str) -> Result<(), $crate::StoreError> {
                sqlx::query($crate::sessions::DELETE_SESSION)
                    .bind(token_hash)
                    .execute(self.writer())
                    .await?;
                Ok(())
            }

            async fn add_api_token(
                &self,
                account: domain::account::AccountId,
                token_hash: &str,
                name: &str,
                expires_at: Option<chrono::DateTime<chrono::Utc>>,
            ) -> Result<$crate::sessions::ApiToken, $crate::StoreError> {
                use $crate::rows::{from_ms, ms};
                let token = $crate::sessions::ApiToken {
                    id: $crate::sessions::new_public_id(),
                    name: name.to_owned(),
                    // Whole milliseconds, as stored, so what is returned is what is read back.
                    created_at: from_ms(ms(chrono::Utc::now()))?,
                    last_used_at: None,
                    expires_at: expires_at.map(|t| from_ms(ms(t))).transpose()?,
                };
                sqlx::query($crate::sessions::INSERT_API_TOKEN)
                    .bind(token_hash)
                    .bind(account.0)
                    .bind(&token.name)
                    .bind(ms(token.created_at))
                    .bind(&token.id)
                    .bind(token.expires_at.map(ms))
                    .execute(self.writer())
                    .await
                    .map_err(|e| $crate::StoreError::from_unique(e, "name", "that token name"))?;
                Ok(token)
            }

            async fn api_token(
                &self,
                token_hash: &str,
            ) -> Result<
                Option<(domain::account::Account, $crate::sessions::ApiToken)>,
                $crate::StoreError,
            > {
                optional_row!(
                    self,
                    $crate::sessions::API_TOKEN,
                    [token_hash],
                    |r: $crate::sessions::TokenAccountRow| r.into_pair(&self.vault)
                )
            }

            async fn touch_api_token(
                &self,
                token_hash: &str,
                at: chrono::DateTime<chrono::Utc>,
            ) -> Result<(), $crate::StoreError> {
                sqlx::query($crate::sessions::TOUCH_API_TOKEN)
                    .bind(token_hash)
                    .bind($crate::rows::ms(at))
                    .execute(self.writer())
                    .await?;
                Ok(())
            }

            async fn api_tokens(
                &self,
                account: domain::account::AccountId,
            ) -> Result<Vec<$crate::sessions::ApiToken>, $crate::StoreError> {
                all_rows!(
                    self,
                    $crate::sessions::API_TOKENS,
                    [account.0],
                    $crate::sessions::TokenRow::into_token
                )
            }

            async fn revoke_api_token(
                &self,
                account: domain::account::AccountId,
                id: &str,
            ) -> Result<bool, $crate::StoreError> {
                let done = sqlx::query($crate::sessions::REVOKE_API_TOKEN)
                    .bind(account.0)
                    .bind(id)
                    .execute(self.writer())
                    .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn set_password(
                &self,
                account: domain::account::AccountId,
                password_hash: &str,
                change: $crate::sessions::PasswordChange<'_>,
            ) -> Result<(), $crate::StoreError> {
                use $crate::sessions::PasswordChange;
                let mut tx = self.writer().begin().await?;
                sqlx::query($crate::sessions::SET_PASSWORD)
                    .bind(account.0)
                    .bind(password_hash)
                    .execute(&mut *tx)
                    .await?;
                match change {
                    PasswordChange::KeepingSession(keep) => {
                        sqlx::query($crate::sessions::END_OTHER_SESSIONS)
                            .bind(account.0)
                            .bind(keep)
                            .execute(&mut *tx)
                            .await?;
                    }
                    PasswordChange::EndingEverything => {
                        sqlx::query($crate::sessions::REVOKE_ALL_API_TOKENS)
                            .bind(account.0)
                            .execute(&mut *tx)
                            .await?;
                        sqlx::query($crate::sessions::END_ALL_SESSIONS)
                            .bind(account.0)
                            .execute(&mut *tx)
                            .await?;
                    }
                }
                tx.commit().await?;
                Ok(())
            }
        }
    };
}
