//! Migration 0012 and the store half of devices and API tokens, on both backends: sessions
//! and tokens from an older build get public ids, their "last seen" and unique names (later
//! duplicates renamed, nothing lost); a password change ends the other sessions or, for an
//! operator's reset, every session and token, and nothing of another account.
// clippy.toml allows these inside #[test] functions only; helpers here use them too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use chrono::{Duration, Utc};
use domain::account::{AccountId, Email};
use store::{PasswordChange, Store, StoreError};

const OLD_ACCOUNTS: &str = "INSERT INTO accounts (email, password_hash, role, timezone, created_ms) \
     VALUES ('old@example.org', 'old-hash', 'client', 'UTC', 0), \
            ('other@example.org', 'other-hash', 'client', 'UTC', 0)";

// Sessions far in the future (so they are unexpired now), and three tokens that share the
// default name, as `between token create` made them before names were unique.
const OLD_SESSIONS: &str = "INSERT INTO auth_sessions (token_hash, account_id, csrf_token, created_ms, expires_ms) VALUES \
     ('s-1', 1, 'c1', 1000, 4102444800000), \
     ('s-2', 1, 'c2', 2000, 4102444800000), \
     ('s-3', 2, 'c3', 3000, 4102444800000)";
const OLD_TOKENS: &str = "INSERT INTO api_tokens (token_hash, account_id, label, created_ms) VALUES \
     ('t-1', 1, 'personal token', 1000), \
     ('t-2', 1, 'personal token', 2000), \
     ('t-3', 1, 'personal token', 3000), \
     ('t-4', 1, 'phone', 1500), \
     ('t-5', 2, 'personal token', 1000)";

async fn id_of(store: &Arc<dyn Store>, email: &str) -> AccountId {
    store
        .account_for_sign_in(&Email::parse(email).unwrap())
        .await
        .unwrap()
        .unwrap()
        .0
        .id
}

async fn check_after_upgrade(store: Arc<dyn Store>) {
    let old = id_of(&store, "old@example.org").await;
    let other = id_of(&store, "other@example.org").await;
    let now = Utc::now();

    let devices = store.device_sessions(old, now).await.unwrap();
    assert_eq!(devices.len(), 2);
    for d in &devices {
        assert_eq!(d.id.len(), 32, "a random public id");
        assert_eq!(d.last_seen_at, d.created_at, "last seen when it began");
        assert_eq!(d.device, "");
    }
    assert_ne!(devices[0].id, devices[1].id);

    let tokens = store.api_tokens(old).await.unwrap();
    let names: Vec<&str> = tokens.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names.len(), 4, "no token lost: {names:?}");
    assert_eq!(names[0], "personal token", "the earliest keeps its name");
    assert_eq!(names[1], "phone");
    for (name, token) in names[2..].iter().zip(&tokens[2..]) {
        assert_eq!(*name, format!("personal token ({})", &token.id[..8]));
    }
    assert!(
        tokens
            .iter()
            .all(|t| t.expires_at.is_none() && t.last_used_at.is_none())
    );
    let theirs = store.api_tokens(other).await.unwrap();
    assert_eq!(
        theirs[0].name, "personal token",
        "names are unique per account"
    );

    // Names are unique from now on.
    assert!(matches!(
        store.add_api_token(old, "t-new", "phone", None).await,
        Err(StoreError::Conflict { field: "name", .. })
    ));
    let made = store
        .add_api_token(old, "t-new", "laptop", Some(now + Duration::days(30)))
        .await
        .unwrap();
    let (account, found) = store.api_token("t-new").await.unwrap().unwrap();
    assert_eq!((account.id, &found), (old, &made));
}

async fn passwords(store: Arc<dyn Store>) {
    let old = id_of(&store, "old@example.org").await;
    let now = Utc::now();
    store
        .create_device_session(
            old,
            "s-4",
            "c4",
            now + Duration::days(1),
            "Firefox on Android",
        )
        .await
        .unwrap();
    store
        .set_password(old, "newer-hash", PasswordChange::KeepingSession("s-4"))
        .await
        .unwrap();
    assert!(
        store.session("s-4", now).await.unwrap().is_some(),
        "this one stays"
    );
    for gone in ["s-1", "s-2"] {
        assert!(store.session(gone, now).await.unwrap().is_none(), "{gone}");
    }
    assert!(
        store.session("s-3", now).await.unwrap().is_some(),
        "another account's"
    );
    assert_eq!(store.api_tokens(old).await.unwrap().len(), 5, "tokens stay");
    let devices = store.device_sessions(old, now).await.unwrap();
    assert_eq!(devices.len(), 1);
    assert_eq!(devices[0].device, "Firefox on Android");

    // An operator's reset ends every session and token of the account, and nothing else.
    store
        .set_password(old, "reset-hash", PasswordChange::EndingEverything)
        .await
        .unwrap();
    assert!(store.session("s-4", now).await.unwrap().is_none());
    assert!(store.api_tokens(old).await.unwrap().is_empty());
    assert!(store.api_token("t-1").await.unwrap().is_none());
    let other = id_of(&store, "other@example.org").await;
    assert_eq!(store.api_tokens(other).await.unwrap().len(), 1);
    assert!(store.session("s-3", now).await.unwrap().is_some());
}

async fn upgrade(backend: &str) {
    let Some((url, _dir)) =
        store::testing::database_before(backend, 12, &[OLD_ACCOUNTS, OLD_SESSIONS, OLD_TOKENS])
            .await
    else {
        return;
    };
    check_after_upgrade(store::testing::open(&url).await.unwrap()).await;
    passwords(store::testing::open(&url).await.unwrap()).await;
}

#[tokio::test]
async fn sqlite_devices_and_tokens_after_migration_12() {
    upgrade("sqlite").await;
}

#[tokio::test]
async fn postgres_devices_and_tokens_after_migration_12() {
    upgrade("postgres").await;
}
