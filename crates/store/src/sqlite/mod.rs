//! The embedded SQLite backend: one file, WAL, `synchronous=FULL`, one writer connection.

mod files;

use std::str::FromStr;
use std::time::Duration;

use sqlx::ConnectOptions;
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::StoreError;
use crate::open::newest_known;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// Pages of WAL after which a commit checkpoints them into the main file (SQLite's default,
/// stated so it cannot drift).
const AUTOCHECKPOINT_PAGES: u32 = 1000;
/// Once a checkpoint has copied everything, the WAL file is cut back to this size, so a burst
/// of writes does not leave a large file behind.
const WAL_SIZE_LIMIT_BYTES: u64 = 4 * 1024 * 1024;

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
    ///
    /// The file and its `-wal` and `-shm` companions are private to the owner (0600): SQLite
    /// gives the companions the database file's own mode, so the file is made before SQLite
    /// opens it, and one left readable by others is tightened with a warning.
    pub async fn open(url: &str) -> Result<SqliteStore, StoreError> {
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

    /// Folds the WAL into the main file and closes every connection, so that after a clean
    /// stop all data lives in the database file alone (a copy of it is a complete copy).
    pub async fn close_pools(&self) -> Result<(), StoreError> {
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
