//! The PostgreSQL backend, for many instances sharing one database.

use std::str::FromStr;
use std::time::Duration;

use sqlx::ConnectOptions;
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::StoreError;
use crate::open::newest_known;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Between's data in PostgreSQL.
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    /// Connects and brings the schema up to date; migrations take sqlx's advisory lock, so
    /// several instances may start at once.
    pub async fn open(url: &str) -> Result<PostgresStore, StoreError> {
        let options = PgConnectOptions::from_str(url)?
            // Statements are not logged: a log line must never be able to carry personal data.
            .disable_statement_logging();
        let pool = PgPoolOptions::new()
            .max_connections(10)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        refuse_newer_schema(&pool).await?;
        MIGRATOR.run(&pool).await?;
        Ok(PostgresStore { pool })
    }

    fn writer(&self) -> &PgPool {
        &self.pool
    }

    fn reader(&self) -> &PgPool {
        &self.pool
    }

    /// Closes every connection, waiting for those in use to be returned.
    pub async fn close_pools(&self) -> Result<(), StoreError> {
        self.pool.close().await;
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

impl_therapy_store!(PostgresStore);
impl_journal_store!(PostgresStore, sqlx::Postgres);
impl_plan_store!(PostgresStore);
impl_coping_store!(PostgresStore);
impl_questionnaire_store!(PostgresStore);
impl_sign_in_limit_store!(PostgresStore);
impl_store!(PostgresStore, "postgres", sqlx::Postgres);
