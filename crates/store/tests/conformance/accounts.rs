use super::*;

/// Accounts, browser sessions and API tokens.
pub(crate) async fn story(store: Arc<dyn Store>) {
    // Accounts: a fresh store is empty; emails are unique.
    assert_eq!(store.account_count().await.unwrap(), 0);
    let (sam, kim) = two_accounts(&store, "sam@example.org", "kim@example.org").await;
    assert_eq!(store.account_count().await.unwrap(), 2);
    assert_eq!(sam.role, Role::Client);
    assert_eq!(sam.usual_mood.map(Rating::get), Some(7));
    assert_eq!(sam.therapist.name.as_deref(), Some("Dr Ada Okafor"));
    assert!(matches!(
        store.create_account(&new_account("SAM@example.org")).await,
        Err(StoreError::Conflict { field: "email", .. })
    ));
    let (found, hash) = store
        .account_for_sign_in(&Email::parse("sam@example.org").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id, sam.id);
    assert!(hash.starts_with("$argon2id$"));
    assert!(
        store
            .account_for_sign_in(&Email::parse("nobody@example.org").unwrap())
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        store.account(kim.id).await.unwrap().unwrap().email,
        kim.email
    );

    // Sessions: found by hash until they expire or are deleted.
    let now = Utc::now();
    store
        .create_session(sam.id, "hash-a", "csrf-a", now + Duration::hours(1))
        .await
        .unwrap();
    store
        .create_session(sam.id, "hash-old", "csrf-old", now - Duration::seconds(1))
        .await
        .unwrap();
    let s = store.session("hash-a", now).await.unwrap().unwrap();
    assert_eq!(s.account.id, sam.id);
    assert_eq!(s.csrf_token, "csrf-a");
    assert!(store.session("hash-old", now).await.unwrap().is_none());
    assert!(
        store
            .session("hash-a", now + Duration::hours(2))
            .await
            .unwrap()
            .is_none()
    );
    store.delete_session("hash-a").await.unwrap();
    assert!(store.session("hash-a", now).await.unwrap().is_none());

    // API tokens.
    store
        .create_api_token(kim.id, "tok-k", "phone")
        .await
        .unwrap();
    assert_eq!(
        store
            .account_for_api_token("tok-k")
            .await
            .unwrap()
            .map(|a| a.id),
        Some(kim.id)
    );
    assert!(
        store
            .account_for_api_token("tok-x")
            .await
            .unwrap()
            .is_none()
    );
}
