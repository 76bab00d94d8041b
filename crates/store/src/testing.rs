//! Databases for tests, shared by every crate's test suite (feature `testing`, enabled only
//! as a dev-dependency).
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

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
