use super::*;

/// The safety and backsliding plans, and keeping the safety plan offline.
pub(crate) async fn story(store: Arc<dyn Store>) {
    use domain::plans::{PlanKind, PlanVersionNumber};

    let (lee, max) = two_accounts(&store, "lee@example.org", "max@example.org").await;
    let t0 = Utc.with_ymd_and_hms(2026, 3, 10, 9, 0, 0).unwrap();

    // No plan yet.
    assert!(
        store
            .latest_plan_version(lee.id, PlanKind::Safety)
            .await
            .unwrap()
            .is_none()
    );

    // Every save is a new numbered version; the newest is the plan.
    let body1 = r#"{"warning_signs":["Not sleeping"],"reasons_for_living":["Miso — 🐈"]}"#;
    let body2 = r#"{"warning_signs":["Not sleeping","Skipping meals"]}"#;
    let v1 = store
        .save_plan_version(lee.id, PlanKind::Safety, body1, lee.id, t0)
        .await
        .unwrap();
    assert_eq!(
        (v1.version, v1.body.as_str()),
        (PlanVersionNumber(1), body1)
    );
    assert_eq!(v1.created_at, t0);
    assert_eq!(v1.author, Some(lee.id));
    let v2 = store
        .save_plan_version(
            lee.id,
            PlanKind::Safety,
            body2,
            lee.id,
            t0 + Duration::days(1),
        )
        .await
        .unwrap();
    assert_eq!(v2.version, PlanVersionNumber(2));
    assert_eq!(
        store
            .latest_plan_version(lee.id, PlanKind::Safety)
            .await
            .unwrap(),
        Some(v2.clone())
    );
    assert_eq!(
        store
            .plan_version(lee.id, PlanKind::Safety, PlanVersionNumber(1))
            .await
            .unwrap(),
        Some(v1.clone())
    );
    assert!(
        store
            .plan_version(lee.id, PlanKind::Safety, PlanVersionNumber(3))
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        store.plan_versions(lee.id, PlanKind::Safety).await.unwrap(),
        vec![v1, v2]
    );

    // The backsliding plan numbers its own versions.
    let b1 = store
        .save_plan_version(lee.id, PlanKind::Backsliding, "{}", lee.id, t0)
        .await
        .unwrap();
    assert_eq!(b1.version, PlanVersionNumber(1));

    // Another account sees none of it, not even by version number.
    assert!(
        store
            .latest_plan_version(max.id, PlanKind::Safety)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .plan_version(max.id, PlanKind::Safety, PlanVersionNumber(1))
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .plan_versions(max.id, PlanKind::Backsliding)
            .await
            .unwrap()
            .is_empty()
    );

    // Saves racing each other still get distinct, gapless numbers.
    let mut tasks = Vec::new();
    for i in 0..6 {
        let s = store.clone();
        let body = format!(r#"{{"goal":"attempt {i}"}}"#);
        tasks.push(tokio::spawn(async move {
            s.save_plan_version(max.id, PlanKind::Backsliding, &body, max.id, t0)
                .await
        }));
    }
    let mut numbers = Vec::new();
    for t in tasks {
        numbers.push(t.await.unwrap().unwrap().version.0);
    }
    numbers.sort_unstable();
    assert_eq!(numbers, [1, 2, 3, 4, 5, 6]);

    // "Keep my safety plan on this device" belongs to one signed-in browser.
    let later = Utc::now() + Duration::hours(1);
    store
        .create_session(lee.id, "hash-phone", "csrf-p", later)
        .await
        .unwrap();
    store
        .create_session(lee.id, "hash-laptop", "csrf-l", later)
        .await
        .unwrap();
    assert!(!store.plan_offline(lee.id, "hash-phone").await.unwrap());
    assert!(
        store
            .set_plan_offline(lee.id, "hash-phone", true)
            .await
            .unwrap()
    );
    assert!(store.plan_offline(lee.id, "hash-phone").await.unwrap());
    assert!(!store.plan_offline(lee.id, "hash-laptop").await.unwrap());
    // Nobody can switch it for someone else's session, nor read it.
    assert!(
        !store
            .set_plan_offline(max.id, "hash-phone", false)
            .await
            .unwrap()
    );
    assert!(!store.plan_offline(max.id, "hash-phone").await.unwrap());
    assert!(store.plan_offline(lee.id, "hash-phone").await.unwrap());
    assert!(
        store
            .set_plan_offline(lee.id, "hash-phone", false)
            .await
            .unwrap()
    );
    assert!(!store.plan_offline(lee.id, "hash-phone").await.unwrap());
    // Signing out ends the choice with the session.
    store
        .set_plan_offline(lee.id, "hash-phone", true)
        .await
        .unwrap();
    store.delete_session("hash-phone").await.unwrap();
    assert!(!store.plan_offline(lee.id, "hash-phone").await.unwrap());
    assert!(
        !store
            .set_plan_offline(lee.id, "hash-phone", true)
            .await
            .unwrap()
    );
}
