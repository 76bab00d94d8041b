//! Migration 0006 changes the agenda table in place (SQLite has to rebuild it to widen its
//! CHECK constraint). Topics written before it must survive with their ids, text, source,
//! times and order, on both backends.
// clippy.toml allows these inside #[test] functions only; helpers here use them too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use domain::therapy::{AgendaItemId, AgendaSource};
use store::Move;

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
        .map(|i| (i.id.0, i.text.as_str(), i.source, i.discussed_at.is_some()))
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
        .insert_agenda_item(
            account.id,
            uuid::Uuid::new_v4(),
            "new",
            AgendaSource::Manual,
        )
        .await
        .unwrap()
        .0;
    assert_eq!(added.id, AgendaItemId(4));
    assert!(
        store
            .move_agenda_item(account.id, AgendaItemId(4), Move::Up)
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

async fn upgrade(backend: &str) {
    let Some((url, _dir)) =
        store::testing::database_before(backend, 6, &[OLD_ACCOUNT, OLD_ROWS]).await
    else {
        return;
    };
    check_after_upgrade(store::testing::open(&url).await.unwrap()).await;
}

#[tokio::test]
async fn sqlite_agenda_survives_the_journal_migration() {
    upgrade("sqlite").await;
}

#[tokio::test]
async fn postgres_agenda_survives_the_journal_migration() {
    upgrade("postgres").await;
}
