//! The embedded SQLite backend: one file, WAL, `synchronous=FULL`, one writer thread that
//! commits waiting writes together, read connections that run reads in place.

mod db;
mod files;
pub(crate) mod sql;

pub(crate) use sql::{FromSqliteRow, Sql};

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::ConnectOptions;
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::StoreError;
use crate::open::newest_known;
use db::{AUTOCHECKPOINT_PAGES, Db, WAL_SIZE_LIMIT_BYTES};

pub(crate) static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// Between's data in a SQLite file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    // The writer thread and read connections every entity's statements run on.
    db: Option<Arc<Db>>,
    // sqlx connections for migrations and backups, and for the entities whose statements
    // have not moved to `db` yet. SQLite allows one writer at a time; a single-connection
    // pool queues writers in-process instead of making them spin on the file lock.
    writer: SqlitePool,
    reader: SqlitePool,
    // The master key and the account keys unwrapped so far.
    vault: Arc<crate::vault::Vault>,
    // Whether a change of guidance level writes alert emails.
    alerts: crate::outbox::AlertSetting,
}

impl SqliteStore {
    /// Opens (creating if needed) the database file and brings its schema up to date.
    ///
    /// The file and its `-wal` and `-shm` companions are private to the owner (0600): SQLite
    /// gives the companions the database file's own mode, so the file is made before SQLite
    /// opens it, and one left readable by others is tightened with a warning.
    ///
    /// The master key in `key_file` is checked before anything is migrated (see
    /// `vault::startup`).
    pub async fn open(url: &str, key_file: &std::path::Path) -> Result<SqliteStore, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            // Statements are not logged: a log line must never be able to carry personal data.
            .disable_statement_logging()
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // A write is acknowledged only once it is on disk.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            // Deleted and overwritten content is zeroed in the file, not left in free space.
            .pragma("secure_delete", "ON")
            .pragma("wal_autocheckpoint", AUTOCHECKPOINT_PAGES.to_string())
            .pragma("journal_size_limit", WAL_SIZE_LIMIT_BYTES.to_string())
            .busy_timeout(Duration::from_secs(10));
        files::make_private(options.get_filename())?;
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            // The one writer stays open for the life of the process: SQLite checkpoints from it.
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options.clone())
            .await?;
        refuse_newer_schema(&writer).await?;
        let vault = Self::unlock(&writer, key_file).await?;
        MIGRATOR.run(&writer).await?;
        Self::seal_pending(&writer, &vault).await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options.clone().read_only(true))
            .await?;
        let db = Db::open(options.get_filename())?;
        Ok(SqliteStore {
            db: Some(Arc::new(db)),
            writer,
            reader,
            vault: Arc::new(vault),
            alerts: Default::default(),
        })
    }

    /// Reads at most one row and converts it: `Ok(None)` when there is none.
    pub(crate) fn optional_row<R: FromSqliteRow, T>(
        &self,
        sql: &str,
        args: &[sql::Arg<'_>],
        convert: impl FnOnce(R) -> Result<T, StoreError>,
    ) -> Result<Option<T>, StoreError> {
        self.db()?
            .read(|conn| conn.row(sql, args))?
            .map(convert)
            .transpose()
    }

    /// Reads every row and converts each.
    pub(crate) fn all_rows<R: FromSqliteRow, T>(
        &self,
        sql: &str,
        args: &[sql::Arg<'_>],
        convert: impl FnMut(R) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        self.db()?
            .read(|conn| conn.rows(sql, args))?
            .into_iter()
            .map(convert)
            .collect()
    }

    /// The account's rows with `from <= at < to`, each converted: `sql` binds `$1` to the
    /// account, `$2` to `from` and `$3` to `to`, as `rows_in_range!` does on PostgreSQL.
    pub(crate) fn rows_in_range<R: FromSqliteRow, T>(
        &self,
        sql: &str,
        account: domain::account::AccountId,
        from: Option<chrono::DateTime<chrono::Utc>>,
        to: Option<chrono::DateTime<chrono::Utc>>,
        convert: impl FnMut(R) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        use crate::rows::{ms_from, ms_until};
        self.all_rows(sql, &[&account.0, &ms_from(from), &ms_until(to)], convert)
    }

    /// Deletes one of the account's rows by id with `sql` (`$1` the account, `$2` the id):
    /// `Ok(true)` when it was there, `Ok(false)` when there is none or it is another's.
    pub(crate) async fn delete_owned(
        &self,
        sql: &'static str,
        account: domain::account::AccountId,
        id: i64,
    ) -> Result<bool, StoreError> {
        let deleted = self
            .db()?
            .write(move |conn| conn.exec(sql, &[&account.0, &id]))
            .await?;
        Ok(deleted == 1)
    }

    /// Whether a change of guidance level writes alert emails.
    pub(crate) fn alert_setting(&self) -> &crate::outbox::AlertSetting {
        &self.alerts
    }

    /// The alert a change of level writes, if any: taken before a write, for its closure.
    pub(crate) fn alert_mail(&self) -> Option<Arc<crate::outbox::AlertMail>> {
        self.alerts.get()
    }

    /// The vault, for statements that run on the writer thread (which needs its own handle).
    pub(crate) fn vault(&self) -> Arc<crate::vault::Vault> {
        self.vault.clone()
    }

    /// The account's data key, read on a connection of the caller's (the writer's, inside
    /// its transaction, or a reader's), unwrapped once and then kept.
    pub(crate) fn data_key_on(
        vault: &crate::vault::Vault,
        conn: &rusqlite::Connection,
        account: domain::account::AccountId,
    ) -> Result<crate::vault::DataKey, StoreError> {
        if let Some(key) = vault.cached(account.0) {
            return Ok(key);
        }
        let wrapped: Option<String> = conn.scalar(crate::vault::sealed::KEY_OF, &[&account.0])?;
        let wrapped = wrapped.ok_or(StoreError::Damaged {
            table: "account_keys",
            column: "wrapped",
        })?;
        vault.unwrap(account.0, &wrapped)
    }

    /// The account's data key for reading, read on a reader connection when not yet kept:
    /// an account without one (deleted) gets a key that opens nothing, so that reading it
    /// finds nothing rather than failing.
    pub(crate) fn data_key(
        &self,
        account: domain::account::AccountId,
    ) -> Result<crate::vault::DataKey, StoreError> {
        if let Some(key) = self.vault.cached(account.0) {
            return Ok(key);
        }
        self.db()?.read(|conn| {
            match conn.scalar::<String>(crate::vault::sealed::KEY_OF, &[&account.0])? {
                Some(wrapped) => self.vault.unwrap(account.0, &wrapped),
                None => Ok(crate::vault::DataKey::missing(account.0)),
            }
        })
    }

    /// Whether a restore checks that the backup's keys open here: not in staging, which only
    /// carries rows from one schema to the next.
    fn checks_restored_key(&self) -> bool {
        self.db.is_some()
    }

    /// Forgets the account keys kept in memory.
    fn forget_data_keys(&self) {
        self.vault.forget_all();
    }

    /// Gives restored accounts their keys and seals restored plain values, as at a start.
    async fn seal_restored(&self) -> Result<(), StoreError> {
        Self::seal_pending(&self.writer, &self.vault).await
    }

    /// The account's data key, for an export or import (see [`Self::data_key`]).
    async fn account_key(
        &self,
        account: domain::account::AccountId,
    ) -> Result<crate::vault::DataKey, StoreError> {
        self.data_key(account)
    }

    /// Re-wraps every account key under `next` (see `between key rotate`).
    pub(crate) async fn rewrap(&self, next: &crate::vault::Vault) -> Result<u64, StoreError> {
        Self::rewrap_keys(&self.writer, &self.vault, next).await
    }

    /// The writer thread and read connections. Every store but the in-memory staging one
    /// (which only loads and dumps backups) has them.
    pub(crate) fn db(&self) -> Result<&Db, StoreError> {
        self.db.as_deref().ok_or(StoreError::Closed)
    }

    fn writer(&self) -> &SqlitePool {
        &self.writer
    }

    fn reader(&self) -> &SqlitePool {
        &self.reader
    }

    /// Folds the WAL into the main file and closes every connection, so that after a clean
    /// stop all data lives in the database file alone (a copy of it is a complete copy).
    pub(crate) async fn close_pools(&self) -> Result<(), StoreError> {
        if let Some(db) = &self.db {
            db.close().await?;
        }
        // Readers first: a checkpoint cannot reset the WAL while one of them holds a snapshot.
        self.reader.close().await;
        let outcome = sqlx::query_as::<_, (i64, i64, i64)>("PRAGMA wal_checkpoint(TRUNCATE)")
            .fetch_all(&self.writer)
            .await;
        self.writer.close().await;
        match outcome?.first() {
            Some((0, _, _)) | None => Ok(()),
            Some((_, log, done)) => {
                tracing::warn!(
                    wal_frames = log,
                    checkpointed = done,
                    "the database was busy at shutdown; its write-ahead log is kept and will be folded in at the next start"
                );
                Ok(())
            }
        }
    }

    fn migrator() -> &'static sqlx::migrate::Migrator {
        &MIGRATOR
    }

    /// A private in-memory database at an older schema version, where a backup taken at that
    /// version is loaded and then brought up to date by the real migrations.
    pub(crate) async fn staging(schema: i64) -> Result<SqliteStore, StoreError> {
        let options = SqliteConnectOptions::from_str("sqlite::memory:")?
            .disable_statement_logging()
            .foreign_keys(true);
        // One connection that never closes: an in-memory database lives only as long as it.
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await?;
        let earlier = crate::open::migrations_up_to(&MIGRATOR, schema);
        earlier.run(&pool).await?;
        Ok(SqliteStore {
            db: None,
            writer: pool.clone(),
            reader: pool,
            // Staging only loads and dumps rows as they are; it never seals or opens one.
            vault: Arc::new(crate::vault::Vault::new(crate::vault::MasterKey::generate())),
            alerts: Default::default(),
        })
    }

    /// Applies every migration this build carries.
    pub(crate) async fn migrate(&self) -> Result<(), StoreError> {
        MIGRATOR.run(&self.writer).await?;
        Ok(())
    }

    /// One read transaction: in WAL mode it sees the database as it was at its first read,
    /// whatever the writer commits meanwhile.
    async fn snapshot(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, StoreError> {
        Ok(self.reader().begin().await?)
    }

    /// The tables, their columns and keys, as SQLite's catalog describes them.
    async fn catalog(
        tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    ) -> Result<Vec<crate::backup::Table>, StoreError> {
        use crate::backup::{Column, ColumnType, Table};
        let names: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
        )
        .fetch_all(&mut **tx)
        .await?;
        let mut tables = Vec::with_capacity(names.len());
        for name in names {
            if let Some(unread) = Table::unread(&name) {
                tables.push(unread);
                continue;
            }
            let info: Vec<(String, String, i64)> =
                sqlx::query_as("SELECT name, type, pk FROM pragma_table_info($1) ORDER BY cid")
                    .bind(&name)
                    .fetch_all(&mut **tx)
                    .await?;
            let columns = info
                .iter()
                .map(|(c, declared, _)| {
                    Ok(Column {
                        name: c.clone(),
                        ty: ColumnType::from_declared(declared).ok_or_else(|| {
                            StoreError::BackupUnsupported(format!(
                                "column {name}.{c} of type {declared:?}"
                            ))
                        })?,
                        identity: false,
                    })
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            let mut key: Vec<(i64, String)> = info
                .into_iter()
                .filter(|(_, _, pk)| *pk > 0)
                .map(|(c, _, pk)| (pk, c))
                .collect();
            key.sort();
            let parents: Vec<String> =
                sqlx::query_scalar("SELECT DISTINCT \"table\" FROM pragma_foreign_key_list($1)")
                    .bind(&name)
                    .fetch_all(&mut **tx)
                    .await?;
            tables.push(Table {
                name,
                columns,
                key: key.into_iter().map(|(_, c)| c).collect(),
                parents: parents.into_iter().collect(),
            });
        }
        Ok(tables)
    }

    /// Nothing to do: SQLite moves an AUTOINCREMENT counter past any id inserted explicitly.
    async fn after_load(
        _tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
        _tables: &[crate::backup::Table],
    ) -> Result<(), StoreError> {
        Ok(())
    }
}

async fn refuse_newer_schema(pool: &SqlitePool) -> Result<(), StoreError> {
    let has_table: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
    )
    .fetch_one(pool)
    .await?;
    if has_table == 0 {
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

// Backups and restores read the catalog and stream rows through sqlx; they are rare operator
// commands, and their code is shared with PostgreSQL.
impl_backup_store!(SqliteStore, sqlx::Sqlite, false);
impl_vault_startup!(SqliteStore, sqlx::Sqlite, false);
impl_export_store!(SqliteStore, sqlx::Sqlite, false);

#[async_trait::async_trait]
impl crate::Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn close(&self) -> Result<(), StoreError> {
        self.close_pools().await
    }
}
