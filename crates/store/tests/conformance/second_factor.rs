use super::*;

/// Two-step sign-in: a key waits until its first code confirms it (and may be replaced until
/// then), a step is used once and never an earlier one, a recovery code once, a waiting
/// sign-in once and only until it expires; the account reads as enrolled; nothing reaches
/// another account.
pub(crate) async fn story(store: Arc<dyn Store>) {
    let (ada, bo) = two_accounts(&store, "ada@example.org", "bo@example.org").await;
    let now = Utc::now();
    assert_eq!(store.second_factor(ada.id).await.unwrap(), None);
    assert!(!ada.second_factor_enrolled);

    // Waiting: replaced by a new key, not yet enrolled.
    assert!(
        store
            .begin_second_factor(ada.id, "AAAA", now)
            .await
            .unwrap()
    );
    assert!(
        store
            .begin_second_factor(ada.id, "BBBB", now)
            .await
            .unwrap()
    );
    let waiting = store.second_factor(ada.id).await.unwrap().unwrap();
    assert_eq!(waiting.secret, "BBBB");
    assert_eq!(waiting.enrolled_at, None);
    assert!(
        !store
            .account(ada.id)
            .await
            .unwrap()
            .unwrap()
            .second_factor_enrolled
    );
    assert!(
        !store.use_second_factor_step(ada.id, 5).await.unwrap(),
        "not confirmed"
    );
    assert_eq!(store.second_factor(bo.id).await.unwrap(), None);

    // Confirmed with step 100 and two recovery codes.
    let hashes = vec!["h1".to_string(), "h2".to_string()];
    assert!(
        store
            .confirm_second_factor(ada.id, 100, &hashes, now)
            .await
            .unwrap()
    );
    assert!(
        !store
            .confirm_second_factor(ada.id, 101, &hashes, now)
            .await
            .unwrap(),
        "once"
    );
    assert!(
        !store
            .begin_second_factor(ada.id, "CCCC", now)
            .await
            .unwrap(),
        "kept"
    );
    let on = store.second_factor(ada.id).await.unwrap().unwrap();
    assert_eq!(on.secret, "BBBB");
    assert_eq!(on.last_step, Some(100));
    assert!(on.enrolled_at.is_some());
    assert!(format!("{on:?}").contains("redacted") && !format!("{on:?}").contains("BBBB"));
    assert!(
        store
            .account(ada.id)
            .await
            .unwrap()
            .unwrap()
            .second_factor_enrolled
    );
    assert!(
        !store
            .account(bo.id)
            .await
            .unwrap()
            .unwrap()
            .second_factor_enrolled
    );

    // Steps: only later ones, each once.
    assert!(!store.use_second_factor_step(ada.id, 100).await.unwrap());
    assert!(!store.use_second_factor_step(ada.id, 99).await.unwrap());
    assert!(store.use_second_factor_step(ada.id, 101).await.unwrap());
    assert!(!store.use_second_factor_step(ada.id, 101).await.unwrap());
    assert!(!store.use_second_factor_step(bo.id, 500).await.unwrap());

    // Recovery codes: each once, only the account's own.
    assert_eq!(store.recovery_codes_left(ada.id).await.unwrap(), 2);
    assert!(!store.use_recovery_code(bo.id, "h1", now).await.unwrap());
    assert!(store.use_recovery_code(ada.id, "h1", now).await.unwrap());
    assert!(!store.use_recovery_code(ada.id, "h1", now).await.unwrap());
    assert_eq!(store.recovery_codes_left(ada.id).await.unwrap(), 1);
    store
        .replace_recovery_codes(ada.id, &["h3".to_string()], now)
        .await
        .unwrap();
    assert!(!store.use_recovery_code(ada.id, "h2", now).await.unwrap());
    assert_eq!(store.recovery_codes_left(ada.id).await.unwrap(), 1);

    // A sign-in waiting for its code: found until it expires, ended once.
    let later = now + Duration::minutes(5);
    store
        .begin_pending_sign_in(ada.id, "pending-1", "Firefox on Linux", now, later)
        .await
        .unwrap();
    let found = store
        .pending_sign_in("pending-1", now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.account.id, ada.id);
    assert!(found.account.second_factor_enrolled);
    assert_eq!(found.device, "Firefox on Linux");
    assert!(
        store
            .pending_sign_in("pending-1", later)
            .await
            .unwrap()
            .is_none()
    );
    assert!(store.pending_sign_in("other", now).await.unwrap().is_none());
    assert!(store.end_pending_sign_in("pending-1").await.unwrap());
    assert!(!store.end_pending_sign_in("pending-1").await.unwrap());
    assert!(
        store
            .pending_sign_in("pending-1", now)
            .await
            .unwrap()
            .is_none()
    );
    // Expired ones are swept when the next one begins.
    store
        .begin_pending_sign_in(ada.id, "old", "", now - Duration::minutes(10), now)
        .await
        .unwrap();
    store
        .begin_pending_sign_in(ada.id, "new", "", now, later)
        .await
        .unwrap();
    assert!(!store.end_pending_sign_in("old").await.unwrap(), "swept");

    // Turning it off takes everything with it; then a new key may wait again.
    assert!(store.remove_second_factor(ada.id).await.unwrap());
    assert!(!store.remove_second_factor(ada.id).await.unwrap());
    assert_eq!(store.second_factor(ada.id).await.unwrap(), None);
    assert_eq!(store.recovery_codes_left(ada.id).await.unwrap(), 0);
    assert!(store.pending_sign_in("new", now).await.unwrap().is_none());
    assert!(
        !store
            .account(ada.id)
            .await
            .unwrap()
            .unwrap()
            .second_factor_enrolled
    );
    assert!(
        store
            .begin_second_factor(ada.id, "DDDD", now)
            .await
            .unwrap()
    );
}
