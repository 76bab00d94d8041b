use super::*;

#[tokio::test]
async fn sqlite_is_durable_and_refuses_a_newer_schema() {
    use sqlx::Connection;
    let dir = tempfile::tempdir().unwrap();
    let url = DatabaseUrl::sqlite_in(dir.path());
    drop(store::testing::open(&url).await.unwrap());
    let DatabaseUrl::Sqlite(raw) = &url else {
        unreachable!()
    };
    let mut conn = sqlx::SqliteConnection::connect(raw).await.unwrap();
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(mode, "wal");
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (999999, 'from the future', 1, x'00', 0)",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();
    let err = store::testing::open(&url)
        .await
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("newer than this build"), "{err}");
}

#[tokio::test]
async fn postgres_refuses_a_newer_schema() {
    let Some(url) = store::testing::postgres_test_database().await else {
        return;
    };
    let parsed = DatabaseUrl::parse(&url).unwrap();
    drop(store::testing::open(&parsed).await.unwrap());
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (999999, 'from the future', true, '\\x00', 0)",
    )
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;
    let err = store::testing::open(&parsed)
        .await
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("newer than this build"), "{err}");
}
