//! Damaged encrypted data as a person meets it: a note moved onto another check-in by hand
//! is never shown, there or anywhere; the page says plainly that something can't be read.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use axum::http::StatusCode;
use chrono::Utc;
use domain::checkin::CheckInInput;
use sqlx::Connection;
use support::*;

#[tokio::test]
async fn a_swapped_note_is_reported_as_damaged_and_never_shown() {
    let (app, store, raw) = test_app_with_store().await;
    let cookie = app.sign_up("noa@example.org").await;
    let noa = store
        .account_for_sign_in(&domain::account::Email::parse("noa@example.org").unwrap())
        .await
        .unwrap()
        .unwrap()
        .0;
    let mut ids = Vec::new();
    for note in ["FIRST-WORDS", "SECOND-WORDS"] {
        let c = CheckInInput {
            mood: Some(5),
            note: Some(note.into()),
            ..Default::default()
        }
        .validate(Utc::now())
        .unwrap();
        let (stored, _) = store.insert_checkin(noa.id, &c).await.unwrap();
        ids.push(stored.id.0);
    }
    let before = app
        .get(&format!("/checkin/{}", ids[0]), Some(&cookie))
        .await;
    assert_eq!(before.status, StatusCode::OK);
    assert!(before.body.contains("FIRST-WORDS"));

    let mut conn = sqlx::SqliteConnection::connect(&raw).await.unwrap();
    sqlx::query(
        "UPDATE checkins SET note = (SELECT note FROM checkins c2 \
         WHERE c2.id <> checkins.id AND c2.account_id = checkins.account_id)",
    )
    .execute(&mut conn)
    .await
    .unwrap();

    for path in [format!("/checkin/{}", ids[0]), "/history".to_string()] {
        let page = app.get(&path, Some(&cookie)).await;
        assert_eq!(page.status, StatusCode::INTERNAL_SERVER_ERROR, "{path}");
        assert!(
            page.body.contains("it looks damaged"),
            "{path}: {}",
            page.body
        );
        assert!(!page.body.contains("FIRST-WORDS"), "{path}");
        assert!(!page.body.contains("SECOND-WORDS"), "{path}");
    }
}

/// A marker of letters and digits only, as `seed_every_kind` asks.
fn marker() -> String {
    format!("marker{}", uuid::Uuid::new_v4().simple())
}

/// Every kind of data a person can keep, written through the pages and the API with a marker
/// in every free-text field: the marker reaches the export (so it was written), and no file
/// of the SQLite data folder holds it, while the server runs or after it stops. Every sealed
/// column holds at least one value, and only sealed ones, so a column added to the registry
/// that the seeding doesn't reach, or a write path that forgets to seal, fails here.
#[tokio::test]
async fn no_sqlite_file_holds_any_words_a_person_wrote() {
    let (app, store, raw) = test_app_with_store().await;
    let m = marker();
    let seeded = support::seed::seed_every_kind(&app, "kim@example.org", &m).await;
    let export = app.get("/api/v1/export", Some(&seeded.cookie)).await;
    assert_eq!(export.status, StatusCode::OK);
    assert!(
        export.body.matches(m.as_str()).count() >= 20,
        "{}",
        export.body
    );

    let dir = app._dir.path();
    assert_eq!(
        store::testing::files_holding(dir, &m),
        [] as [std::path::PathBuf; 0]
    );
    let mut conn = sqlx::SqliteConnection::connect(&raw).await.unwrap();
    for column in store::vault::sealed::ALL {
        let values: Vec<String> = sqlx::query_scalar(&format!(
            "SELECT {c} FROM {t} WHERE {c} IS NOT NULL",
            c = column.column,
            t = column.table
        ))
        .fetch_all(&mut conn)
        .await
        .unwrap();
        assert!(!values.is_empty(), "{column:?} holds nothing");
        assert!(
            values.iter().all(|v| v.starts_with("v1:")),
            "{column:?}: {values:?}"
        );
    }
    conn.close().await.unwrap();
    store.close().await.unwrap();
    assert_eq!(
        store::testing::files_holding(dir, &m),
        [] as [std::path::PathBuf; 0]
    );
}

/// The same on PostgreSQL: a plain dump of every table holds none of the words.
#[tokio::test]
async fn no_postgres_table_holds_any_words_a_person_wrote() {
    let Some(url) = store::testing::postgres_test_database().await else {
        return;
    };
    let app = postgres_app(&url, app::Settings::default()).await;
    let m = marker();
    let seeded = support::seed::seed_every_kind(&app, "kim@example.org", &m).await;
    let export = app.get("/api/v1/export", Some(&seeded.cookie)).await;
    assert!(export.body.matches(m.as_str()).count() >= 20);
    let dump = store::testing::postgres_dump(&url).await;
    assert!(
        dump.contains("kim@example.org"),
        "the dump reads the tables"
    );
    assert!(!dump.contains(&m), "{dump}");
}
