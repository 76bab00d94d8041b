use super::*;
use domain::checkin::{NewCheckIn, SafetyAnswer};
use domain::guidance::Level;

/// Check-ins: stored once per client id, scoped to their account, ordered by time.
pub(crate) async fn story(store: Arc<dyn Store>) {
    let (sam, kim) = two_accounts(&store, "sam@example.org", "kim@example.org").await;

    // Check-ins: every field survives; a retry with the same client id is not a duplicate.
    let at = Utc.with_ymd_and_hms(2026, 11, 20, 18, 30, 0).unwrap();
    let full = CheckInInput {
        client_id: Some(Uuid::new_v4()),
        at: Some(at),
        mood: Some(3),
        anxiety: Some(6),
        energy: Some(4),
        body: Some(vec!["fatigue".into(), "tension".into()]),
        usual_activities: Some("partly".into()),
        missed_usual_activities: Some(true),
        harder_today: Some(vec!["getting-up".into(), "Seeing my sister".into()]),
        sleep_hours: Some(6.5),
        substances: Some("two glasses of wine".into()),
        self_harm_thoughts: Some(SafetyAnswer::No),
        note: Some("Heavy after Tuesday — שלום — 🌧️".into()),
    }
    .validate(Utc::now())
    .unwrap();
    let (stored, w) = store.insert_checkin(sam.id, &full).await.unwrap();
    assert_eq!(w, Written::Created);
    assert_eq!(stored.content, full);
    assert_eq!(stored.account_id, sam.id);
    assert_eq!(
        stored.content.body,
        vec![BodySignal::Fatigue, BodySignal::Tension]
    );
    assert_eq!(
        stored.content.usual_activities,
        Some(UsualActivities::Partly)
    );
    let (again, w) = store.insert_checkin(sam.id, &full).await.unwrap();
    assert_eq!(w, Written::Existing);
    assert_eq!(again.id, stored.id);

    // The same client id from another account is that account's own check-in.
    let (kims, w) = store.insert_checkin(kim.id, &full).await.unwrap();
    assert_eq!(w, Written::Created);
    assert_ne!(kims.id, stored.id);

    let minimal = CheckInInput {
        mood: Some(8),
        at: Some(at + Duration::days(1)),
        ..Default::default()
    }
    .validate(Utc::now())
    .unwrap();
    store.insert_checkin(sam.id, &minimal).await.unwrap();

    // Reads are scoped to the account and ordered by time; the range is [from, to).
    let all = store.checkins(sam.id, None, None).await.unwrap();
    assert_eq!(all.len(), 2);
    assert!(all[0].content.at < all[1].content.at);
    assert!(all.iter().all(|c| c.account_id == sam.id));
    let first_day = store
        .checkins(sam.id, Some(at), Some(at + Duration::days(1)))
        .await
        .unwrap();
    assert_eq!(first_day.len(), 1);
    assert_eq!(store.checkins(kim.id, None, None).await.unwrap().len(), 1);

    // What guidance reads, without the words, is each check-in's record, in the same order
    // and range; the latest check-in is read whole.
    let records = store.checkin_records(sam.id, None, None).await.unwrap();
    let expected: Vec<_> = all.iter().map(|c| c.content.record()).collect();
    assert_eq!(records, expected);
    assert_eq!(
        store
            .checkin_records(sam.id, Some(at), Some(at + Duration::days(1)))
            .await
            .unwrap(),
        expected[..1]
    );
    assert_eq!(
        store.last_checkin(sam.id).await.unwrap().as_ref(),
        all.last()
    );
    let nobody = store
        .create_account(&new_account("nobody.checkins@example.org"))
        .await
        .unwrap();
    assert_eq!(store.last_checkin(nobody.id).await.unwrap(), None);
    assert!(
        store
            .checkin_records(nobody.id, None, None)
            .await
            .unwrap()
            .is_empty()
    );

    // Concurrent retries of one client id still store exactly one row.
    let racing = CheckInInput {
        mood: Some(5),
        ..Default::default()
    }
    .validate(Utc::now())
    .unwrap();
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (s, c) = (store.clone(), racing.clone());
        tasks.push(tokio::spawn(
            async move { s.insert_checkin(kim.id, &c).await },
        ));
    }
    let mut ids = Vec::new();
    for t in tasks {
        ids.push(t.await.unwrap().unwrap().0.id);
    }
    ids.dedup();
    assert_eq!(ids.len(), 1);
    assert_eq!(store.checkins(kim.id, None, None).await.unwrap().len(), 2);

    // "I'd rather not say" is stored as its own answer, neither yes, no nor unasked.
    let declined = CheckInInput {
        mood: Some(1),
        at: Some(at + Duration::hours(2)),
        self_harm_thoughts: Some(SafetyAnswer::RatherNotSay),
        ..Default::default()
    }
    .validate(Utc::now())
    .unwrap();
    let (stored, _) = store.insert_checkin(kim.id, &declined).await.unwrap();
    assert_eq!(
        stored.content.self_harm_thoughts,
        Some(SafetyAnswer::RatherNotSay)
    );
    let read = store.checkin(kim.id, stored.id).await.unwrap().unwrap();
    assert_eq!(read.content, declined);
    assert!(store.checkin(sam.id, stored.id).await.unwrap().is_none());
}

/// Details added to a check-in just saved change that row, and guidance is reassessed from
/// the changed mood and answer in the same transaction.
pub(crate) async fn edits(store: Arc<dyn Store>) {
    let (sam, kim) = two_accounts(&store, "sam@example.org", "kim@example.org").await;
    // Whole seconds: times are stored to the millisecond.
    let now = Utc.timestamp_opt(Utc::now().timestamp(), 0).unwrap();
    let quick = CheckInInput {
        client_id: Some(Uuid::new_v4()),
        mood: Some(6),
        at: Some(now - Duration::minutes(5)),
        ..Default::default()
    }
    .validate(now)
    .unwrap();
    let (saved, _) = store.insert_checkin(sam.id, &quick).await.unwrap();
    let level = |g: domain::guidance::Guidance| g.level;
    assert_ne!(
        level(store.current_guidance(sam.id, now).await.unwrap()),
        Level::Urgent
    );

    // Another account can't change it.
    let yes = NewCheckIn {
        self_harm_thoughts: Some(SafetyAnswer::Yes),
        note: Some("added later".into()),
        ..quick.clone()
    };
    assert!(
        store
            .update_checkin(kim.id, saved.id, &yes)
            .await
            .unwrap()
            .is_none()
    );

    let changed = store
        .update_checkin(sam.id, saved.id, &yes)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(changed.id, saved.id);
    assert_eq!(changed.content, yes);
    assert_eq!(changed.created_at, saved.created_at);
    assert_eq!(store.checkins(sam.id, None, None).await.unwrap().len(), 1);
    // The summary took in the changed answer: a "yes" is urgent.
    assert_eq!(
        level(store.current_guidance(sam.id, now).await.unwrap()),
        Level::Urgent
    );

    // "Rather not say" is never read as a yes: the level falls back from urgent.
    let declined = NewCheckIn {
        self_harm_thoughts: Some(SafetyAnswer::RatherNotSay),
        mood: Rating::new(3).unwrap(),
        ..yes
    };
    let changed = store
        .update_checkin(sam.id, saved.id, &declined)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(changed.content, declined);
    assert_ne!(
        level(store.current_guidance(sam.id, now).await.unwrap()),
        Level::Urgent
    );
    assert!(
        store
            .update_checkin(sam.id, domain::checkin::CheckInId(i64::MAX), &declined)
            .await
            .unwrap()
            .is_none()
    );
}
