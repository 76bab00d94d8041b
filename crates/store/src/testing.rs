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

/// Every table of a database as its own catalogue lists it, with its row count and, for the
/// tables that can hold an account's rows, how many belong to one account. For tests that
/// an account's deletion leaves nothing of it in any table, including tables added later.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Census {
    /// Rows in each table, by table name.
    pub rows: std::collections::BTreeMap<String, i64>,
    /// For each table with a column that refers to an account (a foreign key to `accounts`,
    /// or a column named `account_id`; `accounts.id` itself), the rows referring to the
    /// account asked about.
    pub of_account: std::collections::BTreeMap<String, i64>,
}

/// The census on one connection: `$tables` lists the tables, `$columns` (with `$1` the
/// table) the columns of one that refer to an account. Only the catalogue queries differ
/// between the backends.
macro_rules! census_on {
    ($conn:expr, $account:expr, $tables:expr, $columns:expr) => {{
        let tables: Vec<String> = sqlx::query_scalar($tables)
            .fetch_all(&mut $conn)
            .await
            .unwrap();
        let mut census = Census::default();
        for table in tables {
            let mut columns: Vec<String> = sqlx::query_scalar($columns)
                .bind(&table)
                .fetch_all(&mut $conn)
                .await
                .unwrap();
            if table == "accounts" {
                columns.push("id".into());
            }
            let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM \"{table}\""))
                .fetch_one(&mut $conn)
                .await
                .unwrap();
            census.rows.insert(table.clone(), n);
            if let Some(sql) = rows_of_sql(&table, &columns) {
                let mine: i64 = sqlx::query_scalar(&sql)
                    .bind($account)
                    .fetch_one(&mut $conn)
                    .await
                    .unwrap();
                census.of_account.insert(table, mine);
            }
        }
        $conn.close().await.unwrap();
        census
    }};
}

/// Counts the rows of every table in the database at `url`, and those of `account`.
pub async fn census(url: &DatabaseUrl, account: i64) -> Census {
    match url {
        DatabaseUrl::Sqlite(raw) => {
            let options: sqlx::sqlite::SqliteConnectOptions = raw.parse().unwrap();
            let mut conn = sqlx::SqliteConnection::connect_with(&options)
                .await
                .unwrap();
            census_on!(
                conn,
                account,
                "SELECT name FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite_%' ORDER BY name",
                "SELECT \"from\" FROM pragma_foreign_key_list($1) WHERE \"table\" = 'accounts' \
                 UNION SELECT name FROM pragma_table_info($1) WHERE name = 'account_id'"
            )
        }
        DatabaseUrl::Postgres(raw) => {
            let mut conn = sqlx::PgConnection::connect(raw).await.unwrap();
            census_on!(
                conn,
                account,
                "SELECT table_name::text FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
                 ORDER BY 1",
                "SELECT a.attname::text FROM pg_constraint c \
                 JOIN pg_class t ON t.oid = c.conrelid \
                 JOIN pg_class p ON p.oid = c.confrelid \
                 JOIN pg_namespace n ON n.oid = t.relnamespace \
                 CROSS JOIN LATERAL unnest(c.conkey) AS k(attnum) \
                 JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum \
                 WHERE c.contype = 'f' AND p.relname = 'accounts' \
                 AND n.nspname = current_schema() AND t.relname::text = $1 \
                 UNION SELECT column_name::text FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = $1 \
                 AND column_name = 'account_id'"
            )
        }
    }
}

/// Counts the rows of `table` where any of `columns` is `$1`; `None` without columns.
fn rows_of_sql(table: &str, columns: &[String]) -> Option<String> {
    if columns.is_empty() {
        return None;
    }
    let wheres: Vec<String> = columns.iter().map(|c| format!("\"{c}\" = $1")).collect();
    Some(format!(
        "SELECT COUNT(*) FROM \"{table}\" WHERE {}",
        wheres.join(" OR ")
    ))
}

/// The files directly in `dir` (a SQLite data folder: the database, its write-ahead log and
/// shared memory, the key file) whose bytes contain `needle`.
pub fn files_holding(dir: &std::path::Path, needle: &str) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .filter(|p| {
            let bytes = std::fs::read(p).unwrap();
            bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
        })
        .collect()
}

/// Every row of every table of the PostgreSQL database at `url`, as text: what a plain dump
/// of it holds.
pub async fn postgres_dump(url: &str) -> String {
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables \
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let mut dump = String::new();
    for t in tables {
        let rows: Vec<String> = sqlx::query_scalar(&format!("SELECT t::text FROM \"{t}\" t"))
            .fetch_all(&mut conn)
            .await
            .unwrap();
        dump.push_str(&rows.join("\n"));
        dump.push('\n');
    }
    conn.close().await.unwrap();
    dump
}
