//! The PostgreSQL backend, for many instances sharing one database.

use std::str::FromStr;
use std::time::Duration;

use sqlx::ConnectOptions;
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::StoreError;
use crate::open::newest_known;

pub(crate) static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Between's data in PostgreSQL.
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
    // The master key and the account keys unwrapped so far.
    vault: std::sync::Arc<crate::vault::Vault>,
    // Whether a change of guidance level writes alert emails.
    alerts: crate::outbox::AlertSetting,
}

impl PostgresStore {
    /// Connects and brings the schema up to date; migrations take sqlx's advisory lock, so
    /// several instances may start at once. The master key in `key_file` is checked before
    /// anything is migrated (see `vault::startup`).
    pub async fn open(url: &str, key_file: &std::path::Path) -> Result<PostgresStore, StoreError> {
        let options = PgConnectOptions::from_str(url)?
            // Statements are not logged: a log line must never be able to carry personal data.
            .disable_statement_logging();
        let pool = PgPoolOptions::new()
            .max_connections(10)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        refuse_newer_schema(&pool).await?;
        let vault = Self::unlock(&pool, key_file).await?;
        MIGRATOR.run(&pool).await?;
        Self::seal_pending(&pool, &vault).await?;
        Ok(PostgresStore {
            pool,
            vault: std::sync::Arc::new(vault),
            alerts: Default::default(),
        })
    }

    /// Whether a change of guidance level writes alert emails.
    pub(crate) fn alert_setting(&self) -> &crate::outbox::AlertSetting {
        &self.alerts
    }

    /// The alert a change of level writes, if any.
    pub(crate) fn alert_mail(&self) -> Option<std::sync::Arc<crate::outbox::AlertMail>> {
        self.alerts.get()
    }

    /// The account's data key, unwrapped once and then kept.
    async fn data_key<'e, E>(
        &self,
        executor: E,
        account: domain::account::AccountId,
    ) -> Result<crate::vault::DataKey, StoreError>
    where
        E: sqlx::PgExecutor<'e>,
    {
        if let Some(key) = self.vault.cached(account.0) {
            return Ok(key);
        }
        let wrapped: Option<String> = sqlx::query_scalar(crate::vault::sealed::KEY_OF)
            .bind(account.0)
            .fetch_optional(executor)
            .await?;
        let wrapped = wrapped.ok_or(StoreError::Damaged {
            table: "account_keys",
            column: "wrapped",
        })?;
        self.vault.unwrap(account.0, &wrapped)
    }

    /// Whether a restore checks that the backup's keys open here: always.
    fn checks_restored_key(&self) -> bool {
        true
    }

    /// Forgets the account keys kept in memory.
    fn forget_data_keys(&self) {
        self.vault.forget_all();
    }

    /// Gives restored accounts their keys and seals restored plain values, as at a start.
    async fn seal_restored(&self) -> Result<(), StoreError> {
        Self::seal_pending(&self.pool, &self.vault).await
    }

    /// The account's data key for reading: an account without one (deleted) gets a key
    /// that opens nothing, so that reading it finds nothing rather than failing.
    async fn reading_key(
        &self,
        account: domain::account::AccountId,
    ) -> Result<crate::vault::DataKey, StoreError> {
        if let Some(key) = self.vault.cached(account.0) {
            return Ok(key);
        }
        let wrapped: Option<String> = sqlx::query_scalar(crate::vault::sealed::KEY_OF)
            .bind(account.0)
            .fetch_optional(&self.pool)
            .await?;
        match wrapped {
            Some(w) => self.vault.unwrap(account.0, &w),
            None => Ok(crate::vault::DataKey::missing(account.0)),
        }
    }

    /// The account's data key, for an export or import (see [`Self::reading_key`]).
    async fn account_key(
        &self,
        account: domain::account::AccountId,
    ) -> Result<crate::vault::DataKey, StoreError> {
        self.reading_key(account).await
    }

    /// Re-wraps every account key under `next` (see `between key rotate`).
    pub(crate) async fn rewrap(&self, next: &crate::vault::Vault) -> Result<u64, StoreError> {
        Self::rewrap_keys(&self.pool, &self.vault, next).await
    }

    fn writer(&self) -> &PgPool {
        &self.pool
    }

    fn reader(&self) -> &PgPool {
        &self.pool
    }

    /// Closes every connection, waiting for those in use to be returned.
    pub(crate) async fn close_pools(&self) -> Result<(), StoreError> {
        self.pool.close().await;
        Ok(())
    }

    fn migrator() -> &'static sqlx::migrate::Migrator {
        &MIGRATOR
    }

    /// One read-only transaction that sees a single moment of the database.
    async fn snapshot(&self) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut *tx)
            .await?;
        Ok(tx)
    }

    /// The tables of the current schema, their columns and keys, from PostgreSQL's catalog.
    async fn catalog(
        tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    ) -> Result<Vec<crate::backup::Table>, StoreError> {
        use crate::backup::{Column, ColumnType, Table};
        let names: Vec<String> = sqlx::query_scalar(
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1",
        )
        .fetch_all(&mut **tx)
        .await?;
        let mut tables = Vec::with_capacity(names.len());
        for name in names {
            if let Some(unread) = Table::unread(&name) {
                tables.push(unread);
                continue;
            }
            // A column filled from a sequence, whether an identity column or a serial one
            // (a default of nextval), needs its sequence moved past restored ids.
            let info: Vec<(String, String, String)> = sqlx::query_as(
                "SELECT column_name::text, data_type::text, \
                 CASE WHEN is_identity = 'YES' OR column_default LIKE 'nextval(%' \
                 THEN 'YES' ELSE 'NO' END \
                 FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = $1 \
                 ORDER BY ordinal_position",
            )
            .bind(&name)
            .fetch_all(&mut **tx)
            .await?;
            let columns = info
                .into_iter()
                .map(|(c, declared, identity)| {
                    Ok(Column {
                        ty: ColumnType::from_declared(&declared).ok_or_else(|| {
                            StoreError::BackupUnsupported(format!(
                                "column {name}.{c} of type {declared:?}"
                            ))
                        })?,
                        name: c,
                        identity: identity == "YES",
                    })
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            let key: Vec<String> = sqlx::query_scalar(
                "SELECT a.attname::text FROM pg_constraint c \
                 JOIN pg_class t ON t.oid = c.conrelid \
                 JOIN pg_namespace n ON n.oid = t.relnamespace \
                 CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord) \
                 JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum \
                 WHERE c.contype = 'p' AND n.nspname = current_schema() \
                 AND t.relname::text = $1 ORDER BY k.ord",
            )
            .bind(&name)
            .fetch_all(&mut **tx)
            .await?;
            let parents: Vec<String> = sqlx::query_scalar(
                "SELECT DISTINCT p.relname::text FROM pg_constraint c \
                 JOIN pg_class t ON t.oid = c.conrelid \
                 JOIN pg_class p ON p.oid = c.confrelid \
                 JOIN pg_namespace n ON n.oid = t.relnamespace \
                 WHERE c.contype = 'f' AND n.nspname = current_schema() \
                 AND t.relname::text = $1",
            )
            .bind(&name)
            .fetch_all(&mut **tx)
            .await?;
            tables.push(Table {
                name,
                columns,
                key,
                parents: parents.into_iter().collect(),
            });
        }
        Ok(tables)
    }

    /// Moves each identity sequence past the largest id restored, so the next row written
    /// gets a fresh id instead of colliding with a restored one.
    async fn after_load(
        tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
        tables: &[crate::backup::Table],
    ) -> Result<(), StoreError> {
        use crate::backup::quote;
        for t in tables {
            for c in t.columns.iter().filter(|c| c.identity) {
                sqlx::query(&format!(
                    "SELECT setval(pg_get_serial_sequence($1, $2), m) \
                     FROM (SELECT MAX({}) AS m FROM {}) AS s WHERE m IS NOT NULL",
                    quote(&c.name),
                    quote(&t.name)
                ))
                .bind(quote(&t.name))
                .bind(&c.name)
                .execute(&mut **tx)
                .await?;
            }
        }
        Ok(())
    }
}

async fn refuse_newer_schema(pool: &PgPool) -> Result<(), StoreError> {
    let has_table: bool = sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
        .fetch_one(pool)
        .await?;
    if !has_table {
        return Ok(());
    }
    let applied: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
        .fetch_one(pool)
        .await?;
    let binary = newest_known(&MIGRATOR);
    match applied {
        Some(database) if database > binary => Err(StoreError::SchemaNewer { database, binary }),
        _ => Ok(()),
    }
}

impl_vault_startup!(PostgresStore, sqlx::Postgres, true);
impl_all_stores!(PostgresStore, "postgres", sqlx::Postgres, true);
