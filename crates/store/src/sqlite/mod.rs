//! The embedded SQLite backend: one file, WAL, `synchronous=FULL`, one writer connection.

use std::str::FromStr;
use std::time::Duration;

use sqlx::ConnectOptions;
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::StoreError;
use crate::open::newest_known;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// Between's data in a SQLite file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    // SQLite allows one writer at a time; a single-connection pool queues writers in-process
    // instead of making them spin on the file lock, while readers proceed in parallel (WAL).
    writer: SqlitePool,
    reader: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if needed) the database file and brings its schema up to date.
    pub async fn open(url: &str) -> Result<SqliteStore, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            // Statements are not logged: a log line must never be able to carry personal data.
            .disable_statement_logging()
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // A write is acknowledged only once it is on disk.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await?;
        refuse_newer_schema(&writer).await?;
        MIGRATOR.run(&writer).await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options.read_only(true))
            .await?;
        Ok(SqliteStore { writer, reader })
    }

    fn writer(&self) -> &SqlitePool {
        &self.writer
    }

    fn reader(&self) -> &SqlitePool {
        &self.reader
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

impl_therapy_store!(SqliteStore);
impl_journal_store!(SqliteStore, sqlx::Sqlite);
impl_plan_store!(SqliteStore);
impl_coping_store!(SqliteStore);
impl_questionnaire_store!(SqliteStore);
impl_sign_in_limit_store!(SqliteStore);
impl_store!(SqliteStore, "sqlite", sqlx::Sqlite);
