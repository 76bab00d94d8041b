//! Opening the vault when the database opens: the master key is checked before anything is
//! migrated, read or written, and after the migrations every account gets a data key and
//! every column newly listed as sealed has its existing values sealed, once.

use std::path::Path;

use super::{MasterKey, Vault, keyfile};
use crate::StoreError;

/// Tables that describe this installation's encryption rather than any account: a restore
/// replaces them with the backup's (whose keys it needs), and an export leaves them out.
pub const INSTALLATION_TABLES: &[&str] = &["vault_state", "vault_sealed_columns"];

/// Decides which master key to use, given the database's check value (`None` when it holds
/// no encrypted data yet): the key file's key when it opens the check; the pending key of an
/// interrupted `between key rotate` when that one does (finishing the rotation); a new key
/// file when the database holds nothing encrypted and there is no file. Anything else is
/// refused with a message saying what to do, and nothing is touched.
pub fn choose_master_key(check: Option<&str>, key_file: &Path) -> Result<Vault, StoreError> {
    let key = MasterKey::read(key_file)?;
    let Some(check) = check else {
        let key = match key {
            Some(k) => k,
            None => {
                let k = MasterKey::generate();
                k.create(key_file)?;
                tracing::info!(file = %key_file.display(), "created a new master key");
                k
            }
        };
        return Ok(Vault::new(key));
    };
    if let Some(key) = key {
        let vault = Vault::new(key);
        if vault.opens_check(check) {
            return Ok(vault);
        }
    }
    let pending = keyfile::pending_path(key_file);
    if let Some(next) = MasterKey::read(&pending)? {
        let vault = Vault::new(next);
        if vault.opens_check(check) {
            keyfile::promote_pending(key_file)?;
            tracing::info!(file = %key_file.display(), "finished an interrupted key rotation");
            return Ok(vault);
        }
    }
    Err(StoreError::MasterKey(if key_file.exists() {
        format!(
            "the master key in {} is not the one this database's data was encrypted with. \
             Start Between with --master-key-file (or BETWEEN_MASTER_KEY_FILE) naming the \
             right key file; nothing was changed",
            key_file.display()
        )
    } else {
        format!(
            "this database holds encrypted data, but there is no master key file at {}. \
             Put the key file this database was used with there, or name it with \
             --master-key-file (or BETWEEN_MASTER_KEY_FILE); nothing was changed",
            key_file.display()
        )
    }))
}

/// The error for a restore whose backup was taken under another master key.
pub fn restored_under_another_key() -> StoreError {
    StoreError::MasterKey(
        "this backup was taken under a different master key, so its accounts could not be \
         read here; nothing was restored. Restore it with --master-key-file (or \
         BETWEEN_MASTER_KEY_FILE) naming the master key file of the installation the backup \
         came from, or put that file in place of this installation's own"
            .into(),
    )
}

/// The vault's start and rotation on a backend, with sqlx: `$postgres` takes the advisory
/// lock that keeps two instances starting at once from sealing the same rows twice.
macro_rules! impl_vault_startup {
    ($ty:ty, $db:ty, $postgres:literal) => {
        impl $ty {
            /// The check value this database holds, if it holds encrypted data.
            async fn vault_check(
                pool: &sqlx::Pool<$db>,
            ) -> Result<Option<String>, $crate::StoreError> {
                let exists: bool = if $postgres {
                    sqlx::query_scalar("SELECT to_regclass('vault_state') IS NOT NULL")
                        .fetch_one(pool)
                        .await?
                } else {
                    sqlx::query_scalar(
                        "SELECT COUNT(*) > 0 FROM sqlite_master \
                         WHERE type = 'table' AND name = 'vault_state'",
                    )
                    .fetch_one(pool)
                    .await?
                };
                if !exists {
                    return Ok(None);
                }
                Ok(
                    // Only a database holding account keys holds anything encrypted: an
                    // empty one takes whichever key it is started with (so a backup can be
                    // restored into it under the key the backup needs).
                    sqlx::query_scalar(
                        "SELECT master_key_check FROM vault_state WHERE id = 1 \
                         AND EXISTS (SELECT 1 FROM account_keys)",
                    )
                    .fetch_optional(pool)
                    .await?,
                )
            }

            /// Checks the master key against the database, before migrations run.
            async fn unlock(
                pool: &sqlx::Pool<$db>,
                key_file: &std::path::Path,
            ) -> Result<$crate::vault::Vault, $crate::StoreError> {
                let check = Self::vault_check(pool).await?;
                $crate::vault::startup::choose_master_key(check.as_deref(), key_file)
            }

            /// Records the check value, gives every account a data key, and seals the
            /// existing values of every sealed column not sealed before, in one transaction.
            async fn seal_pending(
                pool: &sqlx::Pool<$db>,
                vault: &$crate::vault::Vault,
            ) -> Result<(), $crate::StoreError> {
                use sqlx::Row;
                let now = $crate::rows::ms(chrono::Utc::now());
                let mut tx = pool.begin().await?;
                if $postgres {
                    // Any constant both instances agree on: "between vault" in ASCII.
                    sqlx::query("SELECT pg_advisory_xact_lock(7310865770061110)")
                        .execute(&mut *tx)
                        .await?;
                }
                sqlx::query(
                    "INSERT INTO vault_state (id, master_key_check, created_ms) \
                     VALUES (1, $1, $2) ON CONFLICT (id) DO UPDATE \
                     SET master_key_check = excluded.master_key_check, \
                         created_ms = excluded.created_ms \
                     WHERE NOT EXISTS (SELECT 1 FROM account_keys)",
                )
                .bind(vault.check_value())
                .bind(now)
                .execute(&mut *tx)
                .await?;
                let keyless: Vec<i64> = sqlx::query_scalar(
                    "SELECT id FROM accounts a WHERE NOT EXISTS \
                     (SELECT 1 FROM account_keys k WHERE k.account_id = a.id)",
                )
                .fetch_all(&mut *tx)
                .await?;
                for account in keyless {
                    let (key, wrapped) = vault.new_data_key(account);
                    sqlx::query(
                        "INSERT INTO account_keys (account_id, wrapped, created_ms) \
                         VALUES ($1, $2, $3)",
                    )
                    .bind(account)
                    .bind(wrapped)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                    vault.remember(key);
                }
                let done: Vec<(String, String)> =
                    sqlx::query_as("SELECT table_name, column_name FROM vault_sealed_columns")
                        .fetch_all(&mut *tx)
                        .await?;
                let pending = $crate::vault::sealed::ALL
                    .iter()
                    .filter(|c| !done.iter().any(|(t, col)| t == c.table && col == c.column));
                for column in pending {
                    let rows = sqlx::query(&format!(
                        "SELECT {a}, CAST({r} AS TEXT) AS row_key, {c} AS value FROM {t} \
                         WHERE {c} IS NOT NULL",
                        a = column.account_column,
                        r = column.row_key,
                        c = column.column,
                        t = column.table,
                    ))
                    .fetch_all(&mut *tx)
                    .await?;
                    let update = format!(
                        "UPDATE {t} SET {c} = $1 WHERE {a} = $2 AND CAST({r} AS TEXT) = $3",
                        a = column.account_column,
                        r = column.row_key,
                        c = column.column,
                        t = column.table,
                    );
                    let sealed = rows.len();
                    for row in rows {
                        let account: i64 = row.try_get(0)?;
                        let row_key: String = row.try_get(1)?;
                        let value: String = row.try_get(2)?;
                        let key = match vault.cached(account) {
                            Some(k) => k,
                            None => {
                                let wrapped: String = sqlx::query_scalar(
                                    "SELECT wrapped FROM account_keys WHERE account_id = $1",
                                )
                                .bind(account)
                                .fetch_one(&mut *tx)
                                .await?;
                                vault.unwrap(account, &wrapped)?
                            }
                        };
                        sqlx::query(&update)
                            .bind(key.seal(*column, &row_key, &value))
                            .bind(account)
                            .bind(row_key)
                            .execute(&mut *tx)
                            .await?;
                    }
                    sqlx::query(
                        "INSERT INTO vault_sealed_columns (table_name, column_name, sealed_ms) \
                         VALUES ($1, $2, $3)",
                    )
                    .bind(column.table)
                    .bind(column.column)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                    tracing::info!(
                        table = column.table,
                        column = column.column,
                        rows = sealed,
                        "encrypted the existing values of a column"
                    );
                }
                tx.commit().await?;
                Ok(())
            }

            /// After a restore has loaded its rows (in `tx`): whether the master key in use
            /// opens the restored check value, when the restore brought encrypted data.
            pub(crate) async fn restored_key_fits(
                &self,
                tx: &mut sqlx::Transaction<'_, $db>,
            ) -> Result<bool, $crate::StoreError> {
                let check: Option<String> = sqlx::query_scalar(
                    "SELECT master_key_check FROM vault_state WHERE id = 1 \
                     AND EXISTS (SELECT 1 FROM account_keys)",
                )
                .fetch_optional(&mut **tx)
                .await?;
                Ok(check.is_none_or(|c| self.vault.opens_check(&c)))
            }

            /// Re-wraps every account's data key under `next`, and stores `next`'s check
            /// value, in one transaction. The data itself is untouched: its keys stay.
            pub(crate) async fn rewrap_keys(
                pool: &sqlx::Pool<$db>,
                current: &$crate::vault::Vault,
                next: &$crate::vault::Vault,
            ) -> Result<u64, $crate::StoreError> {
                let mut tx = pool.begin().await?;
                let keys: Vec<(i64, String)> =
                    sqlx::query_as("SELECT account_id, wrapped FROM account_keys")
                        .fetch_all(&mut *tx)
                        .await?;
                let count = keys.len() as u64;
                for (account, wrapped) in keys {
                    let key = current.unwrap(account, &wrapped)?;
                    sqlx::query("UPDATE account_keys SET wrapped = $1 WHERE account_id = $2")
                        .bind(next.wrap(&key))
                        .bind(account)
                        .execute(&mut *tx)
                        .await?;
                }
                sqlx::query("UPDATE vault_state SET master_key_check = $1 WHERE id = 1")
                    .bind(next.check_value())
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(count)
            }
        }
    };
}
