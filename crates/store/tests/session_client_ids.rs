//! Migration 0007 gives sessions a client id. Sessions stored before it have none, and must
//! survive the upgrade as they were, never collide with each other or with new ones, and be
//! removable as before, on both backends.
// clippy.toml allows these inside #[test] functions only; helpers here use them too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{TimeZone, Utc};
use domain::therapy::{Repeat, TherapySessionId};
use store::{NewSessions, Written};
use uuid::Uuid;

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
                s.id.0,
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
    assert_eq!(added.sessions[0].id, TherapySessionId(4));
    let again = store
        .add_therapy_sessions(account.id, &request)
        .await
        .unwrap();
    assert_eq!(again.written, Written::Existing);
    assert_eq!(again.sessions, added.sessions);
    assert_eq!(
        store
            .delete_therapy_session(account.id, TherapySessionId(2), true)
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

async fn upgrade(backend: &str) {
    let Some((url, _dir)) =
        store::testing::database_before(backend, 7, &[OLD_ACCOUNT, OLD_SESSIONS]).await
    else {
        return;
    };
    check_after_upgrade(store::testing::open(&url).await.unwrap()).await;
}

#[tokio::test]
async fn sqlite_sessions_survive_the_client_id_migration() {
    upgrade("sqlite").await;
}

#[tokio::test]
async fn postgres_sessions_survive_the_client_id_migration() {
    upgrade("postgres").await;
}
