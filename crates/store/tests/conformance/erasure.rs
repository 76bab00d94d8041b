use super::*;

/// Deleting an account takes its rows and its ways in (sessions, tokens) with it, and
/// nothing of anyone else's; the operator's list shows what is left.
pub(crate) async fn story(store: Arc<dyn Store>) {
    let (sam, kim) = two_accounts(&store, "sam@example.org", "kim@example.org").await;
    let at = Utc.with_ymd_and_hms(2026, 3, 2, 9, 30, 0).unwrap();
    let checkin = |at| {
        CheckInInput {
            client_id: Some(Uuid::new_v4()),
            at: Some(at),
            mood: Some(5),
            ..Default::default()
        }
        .validate(Utc::now())
        .unwrap()
    };
    store.insert_checkin(sam.id, &checkin(at)).await.unwrap();
    store
        .insert_checkin(kim.id, &checkin(at - Duration::days(3)))
        .await
        .unwrap();
    let later = Utc::now() + Duration::hours(1);
    for (who, hash) in [(sam.id, "s"), (kim.id, "k")] {
        store
            .create_session(who, &format!("session-{hash}"), "csrf", later)
            .await
            .unwrap();
        store
            .create_api_token(who, &format!("token-{hash}"), "phone")
            .await
            .unwrap();
    }

    // Sam, say in a session with Kim, wrote a version of Kim's safety plan.
    use domain::plans::PlanKind;
    store
        .save_plan_version(kim.id, PlanKind::Safety, "{}", sam.id, at)
        .await
        .unwrap();

    // The list: by email, with the latest check-in's time and nothing of its content.
    let listed = store.account_listing().await.unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0].email.as_str(), "kim@example.org");
    assert_eq!(listed[1].email.as_str(), "sam@example.org");
    assert_eq!(listed[1].last_checkin_at, Some(at));
    assert_eq!(listed[1].country, Some(domain::crisis::Country::Gb));
    assert_eq!(listed[1].role, Role::Client);

    assert!(store.delete_account(sam.id).await.unwrap());
    assert!(store.account(sam.id).await.unwrap().is_none());
    assert!(
        store
            .session("session-s", Utc::now())
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .account_for_api_token("token-s")
            .await
            .unwrap()
            .is_none()
    );
    assert!(store.checkins(sam.id, None, None).await.unwrap().is_empty());
    // Kim keeps everything.
    assert!(
        store
            .session("session-k", Utc::now())
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        store
            .account_for_api_token("token-k")
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(store.checkins(kim.id, None, None).await.unwrap().len(), 1);
    // Kim's plan stays Kim's, no longer naming who wrote it.
    let plan = store
        .latest_plan_version(kim.id, PlanKind::Safety)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(plan.author, None);
    let listed = store.account_listing().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].email.as_str(), "kim@example.org");
    // Nothing left to delete.
    assert!(!store.delete_account(sam.id).await.unwrap());
}
