//! Migration 0007 gives sessions a client id. Sessions stored before it have none, and must
//! survive the upgrade as they were, never collide with each other or with new ones, and be
//! removable as before, on both backends.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use chrono::{TimeZone, Utc};
use domain::therapy::Repeat;
use sqlx::migrate::Migrator;
use store::{DatabaseUrl, NewSessions, Written};
use uuid::Uuid;

/// The migrations before 0007, copied into a directory of their own.
async fn migrations_before_client_ids(backend: &str) -> (tempfile::TempDir, Migrator) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(backend);
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let version: u32 = name.split('_').next().unwrap().parse().unwrap();
        if version < 7 {
            std::fs::copy(&path, dir.path().join(&name)).unwrap();
        }
    }
    let migrator = Migrator::new(dir.path()).await.unwrap();
    (dir, migrator)
}

const OLD_ACCOUNT: &str = "INSERT INTO accounts (email, password_hash, role, timezone, created_ms) \
     VALUES ('old@example.org', 'x', 'client', 'UTC', 0)";

// Two sessions of a series and a single one, as the app stored them before client ids.
const OLD_SESSIONS: &str = "INSERT INTO therapy_sessions (account_id, at_ms, note, series, created_ms) VALUES \
     (1, 1767261600000, 'intake', NULL, 0), \
     (1, 1767866400000, NULL, 'b9f0c1de-6a0e-4d7a-9a39-0f3a3b2c1d00', 0), \
     (1, 1768471200000, NULL, 'b9f0c1de-6a0e-4d7a-9a39-0f3a3b2c1d00', 0)";

async fn check_after_upgrade(store: std::sync::Arc<dyn store::Store>) {
    let account = store
        .account_for_sign_in(&domain::account::Email::parse("old@example.org").unwrap())
        .await
        .unwrap()
        .unwrap()
        .0;
    let old = store
        .therapy_sessions(account.id, None, None)
        .await
        .unwrap();
    let seen: Vec<_> = old
        .iter()
        .map(|s| {
            (
                s.id,
                s.at.timestamp_millis(),
                s.note.as_deref(),
                s.series.is_some(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (1, 1767261600000, Some("intake"), false),
            (2, 1767866400000, None, true),
            (3, 1768471200000, None, true),
        ]
    );
    // New sessions store their client id beside the old ones that have none.
    let at = [Utc.with_ymd_and_hms(2026, 2, 3, 15, 0, 0).unwrap()];
    let request = NewSessions {
        client_id: Uuid::new_v4(),
        at: &at,
        note: None,
        series: None,
        repeat: Repeat::Once,
    };
    let added = store
        .add_therapy_sessions(account.id, &request)
        .await
        .unwrap();
    assert_eq!(added.written, Written::Created);
    assert_eq!(added.sessions[0].id, 4);
    let again = store
        .add_therapy_sessions(account.id, &request)
        .await
        .unwrap();
    assert_eq!(again.written, Written::Existing);
    assert_eq!(again.sessions, added.sessions);
    assert_eq!(
        store
            .delete_therapy_session(account.id, 2, true)
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        store
            .therapy_sessions(account.id, None, None)
            .await
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn sqlite_sessions_survive_the_client_id_migration() {
    use sqlx::Connection;
    let data = tempfile::tempdir().unwrap();
    let url = DatabaseUrl::sqlite_in(data.path());
    let DatabaseUrl::Sqlite(raw) = &url else {
        unreachable!()
    };
    let (_dir, before) = migrations_before_client_ids("sqlite").await;
    {
        let opts: sqlx::sqlite::SqliteConnectOptions = raw.parse().unwrap();
        let mut conn = sqlx::SqliteConnection::connect_with(&opts.create_if_missing(true))
            .await
            .unwrap();
        before.run(&mut conn).await.unwrap();
        sqlx::query(OLD_ACCOUNT).execute(&mut conn).await.unwrap();
        sqlx::query(OLD_SESSIONS).execute(&mut conn).await.unwrap();
        conn.close().await.unwrap();
    }
    check_after_upgrade(store::open(&url).await.unwrap()).await;
}

#[tokio::test]
async fn postgres_sessions_survive_the_client_id_migration() {
    let Ok(admin) = std::env::var("BETWEEN_TEST_DATABASE_URL") else {
        if std::env::var("BETWEEN_SKIP_POSTGRES").as_deref() == Ok("1") {
            eprintln!("PostgreSQL tests skipped: BETWEEN_SKIP_POSTGRES=1");
            return;
        }
        panic!("BETWEEN_TEST_DATABASE_URL is not set (or set BETWEEN_SKIP_POSTGRES=1)");
    };
    let name = format!("between_test_{}", Uuid::new_v4().simple());
    let pool = sqlx::PgPool::connect(&admin).await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
    let (_dir, before) = migrations_before_client_ids("postgres").await;
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    before.run(&pool).await.unwrap();
    sqlx::query(OLD_ACCOUNT).execute(&pool).await.unwrap();
    sqlx::query(OLD_SESSIONS).execute(&pool).await.unwrap();
    pool.close().await;
    check_after_upgrade(
        store::open(&DatabaseUrl::parse(&url).unwrap())
            .await
            .unwrap(),
    )
    .await;
}
