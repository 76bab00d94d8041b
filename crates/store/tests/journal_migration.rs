//! Migration 0006 changes the agenda table in place (SQLite has to rebuild it to widen its
//! CHECK constraint). Topics written before it must survive with their ids, text, source,
//! times and order, on both backends.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use domain::therapy::AgendaSource;
use sqlx::migrate::Migrator;
use store::{DatabaseUrl, Move};

/// The migrations before the journal's, copied into a directory of their own.
async fn migrations_before_journal(backend: &str) -> (tempfile::TempDir, Migrator) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(backend);
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let version: u32 = name.split('_').next().unwrap().parse().unwrap();
        if version < 6 {
            std::fs::copy(&path, dir.path().join(&name)).unwrap();
        }
    }
    let migrator = Migrator::new(dir.path()).await.unwrap();
    (dir, migrator)
}

const OLD_ROWS: &str = "INSERT INTO agenda_items (account_id, text, source, created_ms, discussed_ms) VALUES \
     (1, 'my sister', 'post_session', 1000, NULL), \
     (1, 'sleep', 'manual', 2000, 5000), \
     (1, 'the dream', 'parked', 3000, NULL)";

const OLD_ACCOUNT: &str = "INSERT INTO accounts (email, password_hash, role, timezone, created_ms) \
     VALUES ('old@example.org', 'x', 'client', 'UTC', 0)";

async fn check_after_upgrade(store: std::sync::Arc<dyn store::Store>) {
    let account = store
        .account_for_sign_in(&domain::account::Email::parse("old@example.org").unwrap())
        .await
        .unwrap()
        .unwrap()
        .0;
    let all = store.agenda(account.id, true).await.unwrap();
    let seen: Vec<_> = all
        .iter()
        .map(|i| (i.id, i.text.as_str(), i.source, i.discussed_at.is_some()))
        .collect();
    assert_eq!(
        seen,
        [
            (1, "my sister", AgendaSource::PostSession, false),
            (2, "sleep", AgendaSource::Manual, true),
            (3, "the dream", AgendaSource::Parked, false),
        ]
    );
    assert_eq!(all[0].created_at.timestamp_millis(), 1000);
    // New topics continue the ids and the order, and the old ones can be moved.
    let added = store
        .add_agenda_item(account.id, "new", AgendaSource::Manual)
        .await
        .unwrap();
    assert_eq!(added.id, 4);
    assert!(
        store
            .move_agenda_item(account.id, 4, Move::Up)
            .await
            .unwrap()
    );
    let open: Vec<_> = store
        .agenda(account.id, false)
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.text)
        .collect();
    assert_eq!(open, ["my sister", "new", "the dream"]);
}

#[tokio::test]
async fn sqlite_agenda_survives_the_journal_migration() {
    use sqlx::Connection;
    let data = tempfile::tempdir().unwrap();
    let url = DatabaseUrl::sqlite_in(data.path());
    let DatabaseUrl::Sqlite(raw) = &url else {
        unreachable!()
    };
    let (_dir, before) = migrations_before_journal("sqlite").await;
    {
        let opts: sqlx::sqlite::SqliteConnectOptions = raw.parse().unwrap();
        let mut conn = sqlx::SqliteConnection::connect_with(&opts.create_if_missing(true))
            .await
            .unwrap();
        before.run(&mut conn).await.unwrap();
        sqlx::query(OLD_ACCOUNT).execute(&mut conn).await.unwrap();
        sqlx::query(OLD_ROWS).execute(&mut conn).await.unwrap();
        conn.close().await.unwrap();
    }
    check_after_upgrade(store::open(&url).await.unwrap()).await;
}

#[tokio::test]
async fn postgres_agenda_survives_the_journal_migration() {
    let Ok(admin) = std::env::var("BETWEEN_TEST_DATABASE_URL") else {
        if std::env::var("BETWEEN_SKIP_POSTGRES").as_deref() == Ok("1") {
            eprintln!("PostgreSQL tests skipped: BETWEEN_SKIP_POSTGRES=1");
            return;
        }
        panic!("BETWEEN_TEST_DATABASE_URL is not set (or set BETWEEN_SKIP_POSTGRES=1)");
    };
    let name = format!("between_test_{}", uuid::Uuid::new_v4().simple());
    let pool = sqlx::PgPool::connect(&admin).await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
    let (_dir, before) = migrations_before_journal("postgres").await;
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    before.run(&pool).await.unwrap();
    sqlx::query(OLD_ACCOUNT).execute(&pool).await.unwrap();
    sqlx::query(OLD_ROWS).execute(&pool).await.unwrap();
    pool.close().await;
    check_after_upgrade(
        store::open(&DatabaseUrl::parse(&url).unwrap())
            .await
            .unwrap(),
    )
    .await;
}
