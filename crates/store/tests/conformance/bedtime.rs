use super::*;

/// The bedtime routine: one per account, replaced when saved again, its nights read back as
/// times and by the night's client id, the check-ins' moods and sleep read without their
/// words, and nothing of it reaching another account or outliving the account.
pub(crate) async fn story(store: Arc<dyn Store>) {
    use chrono::NaiveTime;
    use domain::bedtime::{NewRoutine, night_client_id};
    use domain::coping::{NewCopingUse, ToolId};

    let (ada, bo) = two_accounts(&store, "ada@example.org", "bo@example.org").await;
    assert_eq!(store.bedtime_routine(ada.id).await.unwrap(), None);

    let first = NewRoutine {
        items: vec![
            "Put screens away".into(),
            "Tee mit Honig — שלום — 🌙".into(),
        ],
        target_time: NaiveTime::from_hms_opt(22, 30, 0).unwrap(),
    };
    let saved = store.save_bedtime_routine(ada.id, &first).await.unwrap();
    assert_eq!(saved.items, first.items);
    assert_eq!(saved.target_time, first.target_time);
    assert_eq!(
        store.bedtime_routine(ada.id).await.unwrap(),
        Some(saved.clone())
    );
    assert_eq!(store.bedtime_routine(bo.id).await.unwrap(), None);

    // Saving again replaces it, for this account only.
    let second = NewRoutine {
        items: vec!["Dim the lights".into()],
        target_time: NaiveTime::from_hms_opt(0, 5, 0).unwrap(),
    };
    let bo_routine = store.save_bedtime_routine(bo.id, &first).await.unwrap();
    let replaced = store.save_bedtime_routine(ada.id, &second).await.unwrap();
    assert_eq!(replaced.items, ["Dim the lights"]);
    assert_eq!(replaced.target_time, second.target_time);
    assert!(replaced.updated_at >= saved.updated_at);
    assert_eq!(store.bedtime_routine(ada.id).await.unwrap(), Some(replaced));
    assert_eq!(
        store.bedtime_routine(bo.id).await.unwrap(),
        Some(bo_routine)
    );

    // Nights logged are coping uses of the routine, found by time and by the night's id.
    let night = chrono::NaiveDate::from_ymd_opt(2026, 11, 10).unwrap();
    let at = Utc.with_ymd_and_hms(2026, 11, 10, 22, 10, 0).unwrap();
    let log = NewCopingUse {
        client_id: night_client_id(night),
        tool: ToolId::BedtimeRoutine,
        started_at: at,
        distress_before: None,
        distress_after: None,
        note: Some("Dim the lights".into()),
    };
    let (stored, w) = store.insert_coping_use(ada.id, &log).await.unwrap();
    assert_eq!(w, Written::Created);
    let other_tool = NewCopingUse {
        client_id: Uuid::new_v4(),
        tool: ToolId::BoxBreathing,
        started_at: at + Duration::minutes(5),
        note: None,
        ..log.clone()
    };
    store.insert_coping_use(ada.id, &other_tool).await.unwrap();
    let earlier = NewCopingUse {
        client_id: night_client_id(night - chrono::Days::new(3)),
        started_at: at - Duration::days(3),
        ..log.clone()
    };
    store.insert_coping_use(ada.id, &earlier).await.unwrap();
    assert_eq!(
        store.bedtime_logged(ada.id, None, None).await.unwrap(),
        [at - Duration::days(3), at]
    );
    assert_eq!(
        store
            .bedtime_logged(ada.id, Some(at - Duration::days(1)), None)
            .await
            .unwrap(),
        [at]
    );
    assert_eq!(
        store.bedtime_logged(ada.id, None, Some(at)).await.unwrap(),
        [at - Duration::days(3)]
    );
    assert!(
        store
            .bedtime_logged(bo.id, None, None)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store
            .coping_use_by_client_id(ada.id, night_client_id(night))
            .await
            .unwrap(),
        Some(stored)
    );
    assert_eq!(
        store
            .coping_use_by_client_id(bo.id, night_client_id(night))
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .coping_use_by_client_id(ada.id, night_client_id(night + chrono::Days::new(1)))
            .await
            .unwrap(),
        None
    );

    // Check-ins are read as time, mood and sleep.
    for (hours, mood, sleep) in [(31, 6, Some(7.5)), (55, 4, None)] {
        let c = CheckInInput {
            client_id: Some(Uuid::new_v4()),
            at: Some(at + Duration::hours(hours)),
            mood: Some(mood),
            sleep_hours: sleep,
            note: Some("words that stay sealed".into()),
            ..Default::default()
        }
        .validate(at + Duration::days(30))
        .unwrap();
        store.insert_checkin(ada.id, &c).await.unwrap();
    }
    let read = store.night_checkins(ada.id, None, None).await.unwrap();
    assert_eq!(read.len(), 2);
    assert_eq!(read[0].at, at + Duration::hours(31));
    assert_eq!(read[0].mood, Rating::new(6).unwrap());
    assert_eq!(read[0].sleep_hours, Some(7.5));
    assert_eq!(read[1].mood, Rating::new(4).unwrap());
    assert_eq!(read[1].sleep_hours, None);
    let later = store
        .night_checkins(ada.id, Some(at + Duration::hours(40)), None)
        .await
        .unwrap();
    assert_eq!(later.len(), 1);
    assert!(
        store
            .night_checkins(bo.id, None, None)
            .await
            .unwrap()
            .is_empty()
    );

    // Deleting the account takes the routine with it.
    assert!(store.delete_account(ada.id).await.unwrap());
    assert_eq!(store.bedtime_routine(ada.id).await.unwrap(), None);
    assert!(store.bedtime_routine(bo.id).await.unwrap().is_some());
}
