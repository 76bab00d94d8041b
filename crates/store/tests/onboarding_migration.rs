//! Migration 0013 adds the first-run mark. Accounts that already chose a country (sign-up
//! asked for it, or settings saved it) count as through the first-run questions; those without
//! one are asked after their next sign-in. On both backends.
// clippy.toml allows these inside #[test] functions only; helpers here use them too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use domain::account::Email;
use store::Store;

const OLD_ACCOUNTS: &str = "INSERT INTO accounts (email, password_hash, role, country, timezone, created_ms) \
     VALUES ('signed.up@example.org', 'x', 'client', 'GB', 'Europe/London', 0), \
     ('made.by.operator@example.org', 'x', 'client', NULL, 'UTC', 0)";

async fn onboarded(store: &std::sync::Arc<dyn Store>, email: &str) -> bool {
    let (account, _) = store
        .account_for_sign_in(&Email::parse(email).unwrap())
        .await
        .unwrap()
        .unwrap();
    store.onboarded(account.id).await.unwrap()
}

async fn upgrade(backend: &str) {
    let Some((url, _dir)) = store::testing::database_before(backend, 13, &[OLD_ACCOUNTS]).await
    else {
        return;
    };
    let store = store::testing::open(&url).await.unwrap();
    assert!(
        onboarded(&store, "signed.up@example.org").await,
        "{backend}"
    );
    assert!(
        !onboarded(&store, "made.by.operator@example.org").await,
        "{backend}"
    );

    // Marking is kept, and marking again changes nothing.
    let (account, _) = store
        .account_for_sign_in(&Email::parse("made.by.operator@example.org").unwrap())
        .await
        .unwrap()
        .unwrap();
    store.mark_onboarded(account.id).await.unwrap();
    store.mark_onboarded(account.id).await.unwrap();
    assert!(
        onboarded(&store, "made.by.operator@example.org").await,
        "{backend}"
    );
    assert!(
        !store
            .onboarded(domain::account::AccountId(9999))
            .await
            .unwrap(),
        "{backend}: no such account"
    );
}

#[tokio::test]
async fn sqlite_accounts_with_a_country_are_not_asked_again() {
    upgrade("sqlite").await;
}

#[tokio::test]
async fn postgres_accounts_with_a_country_are_not_asked_again() {
    upgrade("postgres").await;
}
