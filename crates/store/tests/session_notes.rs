//! A note written when adding a repeating session belongs to that session only. Migration
//! 0011 clears the copies an older build stored on every later session of the series, and
//! keeps every note that is not such a copy, on both backends; new series store the note once.
// clippy.toml allows these inside #[test] functions only; helpers here use them too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{Duration, TimeZone, Utc};
use domain::therapy::Repeat;
use store::NewSessions;
use uuid::Uuid;

const OLD_ACCOUNT: &str = "INSERT INTO accounts (email, password_hash, role, timezone, created_ms) \
     VALUES ('old@example.org', 'x', 'client', 'UTC', 0)";

// A weekly series whose note was copied onto each session, one of them with a note of its
// own; a single session; and a series whose first session carries no note.
const OLD_SESSIONS: &str = "INSERT INTO therapy_sessions (account_id, at_ms, note, series, created_ms) VALUES \
     (1, 1767261600000, 'bring the letter', '0c9a1b2e-1111-4d7a-9a39-0f3a3b2c1d01', 0), \
     (1, 1767866400000, 'bring the letter', '0c9a1b2e-1111-4d7a-9a39-0f3a3b2c1d01', 0), \
     (1, 1768471200000, 'video this time', '0c9a1b2e-1111-4d7a-9a39-0f3a3b2c1d01', 0), \
     (1, 1769076000000, 'bring the letter', '0c9a1b2e-1111-4d7a-9a39-0f3a3b2c1d01', 0), \
     (1, 1767300000000, 'intake', NULL, 0), \
     (1, 1767400000000, NULL, '0c9a1b2e-2222-4d7a-9a39-0f3a3b2c1d02', 0), \
     (1, 1768004800000, 'room 4', '0c9a1b2e-2222-4d7a-9a39-0f3a3b2c1d02', 0)";

async fn check_after_upgrade(store: std::sync::Arc<dyn store::Store>) {
    let account = store
        .account_for_sign_in(&domain::account::Email::parse("old@example.org").unwrap())
        .await
        .unwrap()
        .unwrap()
        .0;
    let notes: Vec<(i64, Option<String>)> = store
        .therapy_sessions(account.id, None, None)
        .await
        .unwrap()
        .into_iter()
        .map(|s| (s.id.0, s.note))
        .collect();
    let note = |id: i64| {
        notes
            .iter()
            .find(|(i, _)| *i == id)
            .and_then(|(_, n)| n.clone())
    };
    assert_eq!(
        note(1).as_deref(),
        Some("bring the letter"),
        "kept where written"
    );
    assert_eq!(note(2), None, "a copy");
    assert_eq!(note(3).as_deref(), Some("video this time"), "its own note");
    assert_eq!(note(4), None, "a copy");
    assert_eq!(note(5).as_deref(), Some("intake"), "a single session");
    assert_eq!(
        note(7).as_deref(),
        Some("room 4"),
        "the only one with this note"
    );

    // A series added now stores its note on the first session only.
    let first = Utc.with_ymd_and_hms(2026, 3, 3, 17, 0, 0).unwrap();
    let at: Vec<_> = (0..4).map(|i| first + Duration::days(7 * i)).collect();
    let added = store
        .add_therapy_sessions(
            account.id,
            &NewSessions {
                client_id: Uuid::new_v4(),
                at: &at,
                note: Some("ask about the forms"),
                series: Some(Uuid::new_v4()),
                repeat: Repeat::Weekly,
            },
        )
        .await
        .unwrap();
    let stored: Vec<_> = added.sessions.iter().map(|s| s.note.as_deref()).collect();
    assert_eq!(stored, [Some("ask about the forms"), None, None, None]);
    let read: Vec<_> = store
        .therapy_sessions(account.id, Some(first), None)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.note)
        .collect();
    assert_eq!(
        read,
        [Some("ask about the forms".to_string()), None, None, None]
    );
}

async fn upgrade(backend: &str) {
    let Some((url, _dir)) =
        store::testing::database_before(backend, 11, &[OLD_ACCOUNT, OLD_SESSIONS]).await
    else {
        return;
    };
    check_after_upgrade(store::testing::open(&url).await.unwrap()).await;
}

#[tokio::test]
async fn sqlite_series_notes_stay_on_their_own_session() {
    upgrade("sqlite").await;
}

#[tokio::test]
async fn postgres_series_notes_stay_on_their_own_session() {
    upgrade("postgres").await;
}
