//! Databases for tests, shared by every crate's test suite (feature `testing`, enabled only
//! as a dev-dependency).
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use sqlx::Connection;

use crate::DatabaseUrl;

/// A database of the named backend (`"sqlite"` or `"postgres"`) as an older Between left
/// it: only the migrations before `version` applied, then `rows` (SQL statements) run. For
/// tests that a migration keeps what was there. The temporary folder of a SQLite database
/// comes with it; `None` when PostgreSQL tests were skipped by name.
pub async fn database_before(
    backend: &str,
    version: i64,
    rows: &[&str],
) -> Option<(DatabaseUrl, Option<tempfile::TempDir>)> {
    match backend {
        "sqlite" => {
            let dir = tempfile::tempdir().unwrap();
            let url = DatabaseUrl::sqlite_in(dir.path());
            let DatabaseUrl::Sqlite(raw) = &url else {
                unreachable!()
            };
            let options: sqlx::sqlite::SqliteConnectOptions = raw.parse().unwrap();
            let mut conn = sqlx::SqliteConnection::connect_with(&options.create_if_missing(true))
                .await
                .unwrap();
            crate::open::migrations_up_to(&crate::sqlite::MIGRATOR, version - 1)
                .run(&mut conn)
                .await
                .unwrap();
            for sql in rows {
                sqlx::query(sql).execute(&mut conn).await.unwrap();
            }
            conn.close().await.unwrap();
            Some((url, Some(dir)))
        }
        "postgres" => {
            let url = postgres_test_database().await?;
            let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
            crate::open::migrations_up_to(&crate::postgres::MIGRATOR, version - 1)
                .run(&mut conn)
                .await
                .unwrap();
            for sql in rows {
                sqlx::query(sql).execute(&mut conn).await.unwrap();
            }
            conn.close().await.unwrap();
            Some((DatabaseUrl::parse(&url).unwrap(), None))
        }
        other => panic!("no backend named {other:?}"),
    }
}

/// A fresh, empty database on the test PostgreSQL server named by
/// `BETWEEN_TEST_DATABASE_URL`, as a URL. Without that variable the test fails, unless the
/// developer opted out by name with `BETWEEN_SKIP_POSTGRES=1` (then `None`): a suite is never
/// skipped silently.
pub async fn postgres_test_database() -> Option<String> {
    let Ok(admin_url) = std::env::var("BETWEEN_TEST_DATABASE_URL") else {
        if std::env::var("BETWEEN_SKIP_POSTGRES").as_deref() == Ok("1") {
            eprintln!("PostgreSQL tests skipped: BETWEEN_SKIP_POSTGRES=1");
            return None;
        }
        panic!(
            "BETWEEN_TEST_DATABASE_URL is not set: run scripts/test (it starts a throwaway \
             PostgreSQL), or set BETWEEN_SKIP_POSTGRES=1 to skip these tests on purpose"
        );
    };
    let name = format!("between_test_{}", uuid::Uuid::new_v4().simple());
    let pool = sqlx::PgPool::connect(&admin_url).await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let (base, _) = admin_url.rsplit_once('/').unwrap();
    Some(format!("{base}/{name}"))
}

/// Opens a test database with a master key of its own: beside the database file for SQLite,
/// and in the system's temporary folder, named after the database, for PostgreSQL.
pub async fn open(
    url: &crate::DatabaseUrl,
) -> Result<std::sync::Arc<dyn crate::Store>, crate::StoreError> {
    crate::open(url, &test_key_file(url)).await
}

/// Where [`open`] keeps a test database's master key.
pub fn test_key_file(url: &crate::DatabaseUrl) -> crate::KeyFile {
    match url
        .sqlite_file()
        .and_then(|f| f.parent().map(std::path::Path::to_path_buf))
    {
        Some(dir) => crate::KeyFile::in_folder(&dir),
        None => {
            let raw = match url {
                crate::DatabaseUrl::Sqlite(u) | crate::DatabaseUrl::Postgres(u) => u,
            };
            let name: String = raw
                .rsplit('/')
                .next()
                .unwrap_or("db")
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            crate::KeyFile(std::env::temp_dir().join(format!("between-test-{name}.key")))
        }
    }
}
