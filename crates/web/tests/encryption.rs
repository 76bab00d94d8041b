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
