//! The safety plan and the backsliding plan, kept as numbered versions, and the per-browser
//! choice to keep the safety plan offline: the [`PlanStore`], written once
//! for both backends.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::account::AccountId;
use domain::plans::{PlanKind, PlanVersionNumber};

use crate::StoreError;
use crate::sqlite::Sql;
use crate::vault::DataKey;
use crate::vault::sealed::PLAN_BODY;

/// One saved version of a plan.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredPlanVersion {
    /// 1 for the first save, then one more for each save.
    pub version: PlanVersionNumber,
    /// The plan as JSON text.
    pub body: String,
    /// When it was saved.
    pub created_at: DateTime<Utc>,
    /// Who saved it (`None` once that account is gone).
    pub author: Option<AccountId>,
}

/// Plan versions, each scoped to the account whose plan it is.
#[async_trait]
pub trait PlanStore: Send + Sync {
    /// Stores a new version of a plan, numbered one after the newest.
    async fn save_plan_version(
        &self,
        account: AccountId,
        kind: PlanKind,
        body: &str,
        author: AccountId,
        at: DateTime<Utc>,
    ) -> Result<StoredPlanVersion, StoreError>;
    /// The newest version: the plan as it stands.
    async fn latest_plan_version(
        &self,
        account: AccountId,
        kind: PlanKind,
    ) -> Result<Option<StoredPlanVersion>, StoreError>;
    /// One version by number.
    async fn plan_version(
        &self,
        account: AccountId,
        kind: PlanKind,
        version: PlanVersionNumber,
    ) -> Result<Option<StoredPlanVersion>, StoreError>;
    /// Every version, oldest first.
    async fn plan_versions(
        &self,
        account: AccountId,
        kind: PlanKind,
    ) -> Result<Vec<StoredPlanVersion>, StoreError>;

    /// Records whether the browser holding this session keeps the safety plan offline;
    /// false when the session is not this account's.
    async fn set_plan_offline(
        &self,
        account: AccountId,
        token_hash: &str,
        keep: bool,
    ) -> Result<bool, StoreError>;
    /// Whether the browser holding this session keeps the safety plan offline.
    async fn plan_offline(&self, account: AccountId, token_hash: &str) -> Result<bool, StoreError>;
}

db_row! {
pub(crate) struct PlanRow {
    pub id: i64,
    pub version: i64,
    pub body: String,
    pub created_ms: i64,
    pub author_id: Option<i64>,
}
}

impl PlanRow {
    /// The version, its words opened with the plan owner's key.
    pub fn into_version(self, key: &DataKey) -> Result<StoredPlanVersion, StoreError> {
        Ok(StoredPlanVersion {
            version: PlanVersionNumber(self.version),
            body: key.open(PLAN_BODY, &self.id.to_string(), &self.body)?,
            created_at: crate::rows::from_ms(self.created_ms)?,
            author: self.author_id.map(AccountId),
        })
    }
}

/// How many times a save is tried when other saves took the same version number at once. In
/// each round one of the racing saves wins, so this many racing saves all get through.
pub(crate) const SAVE_ATTEMPTS: usize = 10;

macro_rules! plan_columns {
    () => {
        "id, version, body, created_ms, author_id"
    };
}

/// Stores a version numbered one after the newest: `$1` account, `$2` kind, `$3` when, `$4`
/// author. The number is computed in the insert itself. The body is sealed bound to the
/// version's id, which exists only once the row does: it is written empty, and
/// [`SEAL_BODY`] writes the sealed body in the same transaction.
pub(crate) const SAVE: &str = concat!(
    "INSERT INTO plan_versions (account_id, kind, version, body, created_ms, author_id) \
     SELECT $1, $2, COALESCE(MAX(version), 0) + 1, '', $3, $4 \
     FROM plan_versions WHERE account_id = $1 AND kind = $2 \
     RETURNING ",
    plan_columns!()
);

/// Writes the sealed body `$1` of the account's (`$2`) version with id `$3`.
pub(crate) const SEAL_BODY: &str =
    "UPDATE plan_versions SET body = $1 WHERE account_id = $2 AND id = $3";

/// The body as stored: sealed under the owner's key, bound to the version's id.
pub(crate) fn seal_body(key: &DataKey, id: i64, body: &str) -> String {
    key.seal(PLAN_BODY, &id.to_string(), body)
}

/// The newest version of the account's (`$1`) plan of a kind (`$2`).
pub(crate) const LATEST: &str = concat!(
    "SELECT ",
    plan_columns!(),
    " FROM plan_versions WHERE account_id = $1 AND kind = $2 ORDER BY version DESC LIMIT 1"
);

/// One version (`$3`) of the account's (`$1`) plan of a kind (`$2`).
pub(crate) const ONE: &str = concat!(
    "SELECT ",
    plan_columns!(),
    " FROM plan_versions WHERE account_id = $1 AND kind = $2 AND version = $3"
);

/// Every version of the account's (`$1`) plan of a kind (`$2`), oldest first.
pub(crate) const ALL: &str = concat!(
    "SELECT ",
    plan_columns!(),
    " FROM plan_versions WHERE account_id = $1 AND kind = $2 ORDER BY version"
);

/// Sets keep-offline to `$1` for the session `$2` when it is the account's (`$3`).
pub(crate) const SET_OFFLINE: &str = "UPDATE auth_sessions SET keep_plan_offline = $1 \
     WHERE token_hash = $2 AND account_id = $3";

/// Whether the session `$1`, when it is the account's (`$2`), keeps the plan offline.
pub(crate) const OFFLINE: &str = "SELECT keep_plan_offline FROM auth_sessions \
     WHERE token_hash = $1 AND account_id = $2";

#[async_trait]
impl PlanStore for crate::sqlite::SqliteStore {
    async fn save_plan_version(
        &self,
        account: AccountId,
        kind: PlanKind,
        body: &str,
        author: AccountId,
        at: DateTime<Utc>,
    ) -> Result<StoredPlanVersion, StoreError> {
        let body = body.to_owned();
        // Tried once, unlike on PostgreSQL: the one writer runs saves one after another
        // (in a `BEGIN IMMEDIATE` transaction), so no other save can take the number between
        // reading the newest and inserting.
        let vault = self.vault();
        self.db()?
            .write(move |conn| {
                let key = crate::sqlite::SqliteStore::data_key_on(&vault, conn, account)?;
                let row: PlanRow = conn
                    .row(
                        SAVE,
                        &[&account.0, &kind.code(), &crate::rows::ms(at), &author.0],
                    )?
                    .ok_or(rusqlite::Error::QueryReturnedNoRows)?;
                let sealed = seal_body(&key, row.id, &body);
                conn.exec(SEAL_BODY, &[&sealed, &account.0, &row.id])?;
                PlanRow {
                    body: sealed,
                    ..row
                }
                .into_version(&key)
            })
            .await
    }

    async fn latest_plan_version(
        &self,
        account: AccountId,
        kind: PlanKind,
    ) -> Result<Option<StoredPlanVersion>, StoreError> {
        let key = self.data_key(account)?;
        self.optional_row(LATEST, &[&account.0, &kind.code()], |r: PlanRow| {
            r.into_version(&key)
        })
    }

    async fn plan_version(
        &self,
        account: AccountId,
        kind: PlanKind,
        version: PlanVersionNumber,
    ) -> Result<Option<StoredPlanVersion>, StoreError> {
        let key = self.data_key(account)?;
        self.optional_row(
            ONE,
            &[&account.0, &kind.code(), &version.0],
            |r: PlanRow| r.into_version(&key),
        )
    }

    async fn plan_versions(
        &self,
        account: AccountId,
        kind: PlanKind,
    ) -> Result<Vec<StoredPlanVersion>, StoreError> {
        let key = self.data_key(account)?;
        self.all_rows(ALL, &[&account.0, &kind.code()], |r: PlanRow| {
            r.into_version(&key)
        })
    }

    async fn set_plan_offline(
        &self,
        account: AccountId,
        token_hash: &str,
        keep: bool,
    ) -> Result<bool, StoreError> {
        let token_hash = token_hash.to_owned();
        let changed = self
            .db()?
            .write(move |conn| conn.exec(SET_OFFLINE, &[&keep, &token_hash, &account.0]))
            .await?;
        Ok(changed == 1)
    }

    async fn plan_offline(&self, account: AccountId, token_hash: &str) -> Result<bool, StoreError> {
        let keep: Option<bool> = self
            .db()?
            .read(|conn| conn.scalar(OFFLINE, &[&token_hash, &account.0]))?;
        Ok(keep.unwrap_or(false))
    }
}

macro_rules! impl_plan_store {
    ($ty:ty) => {
        #[async_trait::async_trait]
        impl $crate::plans::PlanStore for $ty {
            async fn save_plan_version(
                &self,
                account: domain::account::AccountId,
                kind: domain::plans::PlanKind,
                body: &str,
                author: domain::account::AccountId,
                at: chrono::DateTime<chrono::Utc>,
            ) -> Result<$crate::plans::StoredPlanVersion, $crate::StoreError> {
                // The next number is computed in the insert itself; two saves racing for the
                // same number meet the unique key, and the loser simply tries again.
                let key = self.data_key(self.writer(), account).await?;
                let mut last_error = None;
                for _ in 0..$crate::plans::SAVE_ATTEMPTS {
                    let mut tx = self.writer().begin().await?;
                    let saved: Result<$crate::plans::PlanRow, sqlx::Error> =
                        sqlx::query_as($crate::plans::SAVE)
                            .bind(account.0)
                            .bind(kind.code())
                            .bind($crate::rows::ms(at))
                            .bind(author.0)
                            .fetch_all(&mut *tx)
                            .await
                            .and_then($crate::rows::only_row);
                    match saved {
                        Ok(row) => {
                            let sealed = $crate::plans::seal_body(&key, row.id, body);
                            sqlx::query($crate::plans::SEAL_BODY)
                                .bind(&sealed)
                                .bind(account.0)
                                .bind(row.id)
                                .execute(&mut *tx)
                                .await?;
                            tx.commit().await?;
                            return $crate::plans::PlanRow {
                                body: sealed,
                                ..row
                            }
                            .into_version(&key);
                        }
                        Err(sqlx::Error::Database(db)) if db.is_unique_violation() => {
                            last_error = Some(sqlx::Error::Database(db));
                        }
                        Err(e) => return Err(e.into()),
                    }
                }
                Err(last_error
                    .map($crate::StoreError::Database)
                    .unwrap_or_else(|| $crate::StoreError::Corrupt("plan version".into())))
            }

            async fn latest_plan_version(
                &self,
                account: domain::account::AccountId,
                kind: domain::plans::PlanKind,
            ) -> Result<Option<$crate::plans::StoredPlanVersion>, $crate::StoreError> {
                let key = self.reading_key(account).await?;
                optional_row!(
                    self,
                    $crate::plans::LATEST,
                    [account.0, kind.code()],
                    |r: $crate::plans::PlanRow| r.into_version(&key)
                )
            }

            async fn plan_version(
                &self,
                account: domain::account::AccountId,
                kind: domain::plans::PlanKind,
                version: domain::plans::PlanVersionNumber,
            ) -> Result<Option<$crate::plans::StoredPlanVersion>, $crate::StoreError> {
                let key = self.reading_key(account).await?;
                optional_row!(
                    self,
                    $crate::plans::ONE,
                    [account.0, kind.code(), version.0],
                    |r: $crate::plans::PlanRow| r.into_version(&key)
                )
            }

            async fn plan_versions(
                &self,
                account: domain::account::AccountId,
                kind: domain::plans::PlanKind,
            ) -> Result<Vec<$crate::plans::StoredPlanVersion>, $crate::StoreError> {
                let key = self.reading_key(account).await?;
                all_rows!(
                    self,
                    $crate::plans::ALL,
                    [account.0, kind.code()],
                    |r: $crate::plans::PlanRow| r.into_version(&key)
                )
            }

            async fn set_plan_offline(
                &self,
                account: domain::account::AccountId,
                token_hash: &str,
                keep: bool,
            ) -> Result<bool, $crate::StoreError> {
                let done = sqlx::query($crate::plans::SET_OFFLINE)
                    .bind(keep)
                    .bind(token_hash)
                    .bind(account.0)
                    .execute(self.writer())
                    .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn plan_offline(
                &self,
                account: domain::account::AccountId,
                token_hash: &str,
            ) -> Result<bool, $crate::StoreError> {
                let keep: Option<bool> = sqlx::query_scalar($crate::plans::OFFLINE)
                    .bind(token_hash)
                    .bind(account.0)
                    .fetch_optional(self.reader())
                    .await?;
                Ok(keep.unwrap_or(false))
            }
        }
    };
}
