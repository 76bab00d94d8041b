use super::*;

/// Therapy sessions, reflections, the topics they add to the agenda, and guidance changes.
pub(crate) async fn story(store: Arc<dyn Store>) {
    use domain::therapy::{AgendaSource, ReflectionInput};
    use store::GuidanceChange;

    let (ana, bo) = two_accounts(&store, "ana@example.org", "bo@example.org").await;
    let t0 = Utc.with_ymd_and_hms(2026, 11, 3, 15, 0, 0).unwrap();

    // Sessions: one, and a weekly series; reads are scoped and ordered.
    let intake = [t0 - Duration::days(30)];
    let one = store
        .add_therapy_sessions(ana.id, &sessions(&intake, Some("intake"), None))
        .await
        .unwrap();
    assert_eq!(one.written, Written::Created);
    assert_eq!(one.repeat, Repeat::Once);
    let one = one.sessions;
    assert_eq!(one[0].note.as_deref(), Some("intake"));
    let series_id = Uuid::new_v4();
    let weekly: Vec<_> = (0..4).map(|i| t0 + Duration::days(7 * i)).collect();
    let series_request = sessions(&weekly, None, Some(series_id));
    let added = store
        .add_therapy_sessions(ana.id, &series_request)
        .await
        .unwrap();
    assert_eq!(added.written, Written::Created);
    let series = added.sessions;
    assert_eq!(series.len(), 4);
    assert!(series.iter().all(|s| s.series == Some(series_id)));
    // A retry of the series request stores nothing and returns the whole series, with the
    // repeat it asked for; the same client id in another account is another request.
    let again = store
        .add_therapy_sessions(ana.id, &series_request)
        .await
        .unwrap();
    assert_eq!(again.written, Written::Existing);
    assert_eq!(again.repeat, Repeat::Weekly);
    assert_eq!(again.sessions, series);
    let bo_added = store
        .add_therapy_sessions(
            bo.id,
            &NewSessions {
                client_id: series_request.client_id,
                ..sessions(&[t0], None, None)
            },
        )
        .await
        .unwrap();
    assert_eq!(bo_added.written, Written::Created);
    assert_eq!(bo_added.sessions.len(), 1);
    let all = store.therapy_sessions(ana.id, None, None).await.unwrap();
    assert_eq!(all.len(), 5);
    assert!(all.windows(2).all(|w| w[0].at <= w[1].at));
    // The next session: the first at or after a moment, this account's only.
    let next = |from| {
        let store = store.clone();
        async move { store.next_therapy_session(ana.id, from).await.unwrap() }
    };
    assert_eq!(next(t0 - Duration::days(31)).await.as_ref(), Some(&one[0]));
    assert_eq!(next(t0).await.as_ref(), Some(&series[0]));
    assert_eq!(
        next(t0 + Duration::seconds(1)).await.as_ref(),
        Some(&series[1])
    );
    assert_eq!(next(t0 + Duration::days(22)).await, None);
    // One by id, this account's only.
    assert_eq!(
        store.therapy_session(ana.id, series[1].id).await.unwrap(),
        Some(series[1].clone())
    );
    assert_eq!(
        store.therapy_session(bo.id, series[1].id).await.unwrap(),
        None
    );
    // The previous session: the last strictly before a moment.
    let previous = |before| {
        let store = store.clone();
        async move {
            store
                .previous_therapy_session(ana.id, before)
                .await
                .unwrap()
        }
    };
    assert_eq!(previous(t0).await.as_ref(), Some(&one[0]));
    assert_eq!(
        previous(t0 + Duration::seconds(1)).await.as_ref(),
        Some(&series[0])
    );
    assert_eq!(previous(t0 - Duration::days(30)).await, None);
    assert_eq!(
        store
            .therapy_sessions(ana.id, Some(t0), Some(t0 + Duration::days(8)))
            .await
            .unwrap()
            .len(),
        2
    );
    // Another account cannot delete Ana's sessions.
    assert_eq!(
        store
            .delete_therapy_session(bo.id, series[1].id, true)
            .await
            .unwrap(),
        0
    );
    // Removing the second of the series "and later" leaves the first.
    assert_eq!(
        store
            .delete_therapy_session(ana.id, series[1].id, true)
            .await
            .unwrap(),
        3
    );
    assert_eq!(
        store
            .therapy_sessions(ana.id, None, None)
            .await
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        store
            .delete_therapy_session(ana.id, one[0].id, false)
            .await
            .unwrap(),
        1
    );

    // Reflections: idempotent, topics join the agenda in the same write.
    let r = ReflectionInput {
        client_id: Some(Uuid::new_v4()),
        session_feeling: Some(4),
        came_up: Some(vec!["ran_out_of_time".into()]),
        feedback: Some("the homework felt rushed".into()),
        topics: Some("my sister\nsleep".into()),
    }
    .validate()
    .unwrap();
    let at = t0 + Duration::hours(2);
    let (first, w) = store
        .insert_reflection(ana.id, Some(series[0].id), at, &r)
        .await
        .unwrap();
    assert_eq!(w, Written::Created);
    assert_eq!(first.session_id, Some(series[0].id));
    let (again, w) = store
        .insert_reflection(ana.id, Some(series[0].id), at, &r)
        .await
        .unwrap();
    assert_eq!((again.id, w), (first.id, Written::Existing));
    // A session of another account is not linked.
    let (foreign, _) = store
        .insert_reflection(
            bo.id,
            Some(series[0].id),
            at,
            &ReflectionInput::default().validate().unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(foreign.session_id, None);
    assert_eq!(store.reflections_since(ana.id, t0).await.unwrap().len(), 1);

    let agenda = store.agenda(ana.id, false).await.unwrap();
    let texts: Vec<_> = agenda.iter().map(|a| a.text.as_str()).collect();
    assert_eq!(texts, ["my sister", "sleep"]);
    assert!(agenda.iter().all(|a| a.source == AgendaSource::PostSession));
    let manual = store
        .insert_agenda_item(
            ana.id,
            uuid::Uuid::new_v4(),
            "ask for homework",
            AgendaSource::Manual,
        )
        .await
        .unwrap()
        .0;
    assert!(
        !store
            .set_agenda_discussed(bo.id, manual.id, Some(at))
            .await
            .unwrap()
    );
    assert!(
        store
            .set_agenda_discussed(ana.id, manual.id, Some(at))
            .await
            .unwrap()
    );
    assert_eq!(store.agenda(ana.id, false).await.unwrap().len(), 2);
    let with_done = store.agenda(ana.id, true).await.unwrap();
    assert_eq!(with_done.len(), 3);
    assert!(with_done.iter().any(|a| a.discussed_at == Some(at)));
    assert!(store.agenda(bo.id, true).await.unwrap().is_empty());

    // Guidance history: latest first on read of the latest, oldest first in the history. On
    // an account of its own: the store's own writes (sessions above) record levels too.
    let cy = store
        .create_account(&new_account("cy@example.org"))
        .await
        .unwrap();
    assert!(store.latest_guidance(cy.id).await.unwrap().is_none());
    let steady = GuidanceChange {
        at: t0,
        level: domain::guidance::Level::Steady,
        reasons: serde_json::json!([]),
    };
    let reach = GuidanceChange {
        at: t0 + Duration::days(4),
        level: domain::guidance::Level::ReachOut,
        reasons: serde_json::json!([{"code": "persisting", "days": 4}]),
    };
    store.record_guidance(cy.id, &steady).await.unwrap();
    store.record_guidance(cy.id, &reach).await.unwrap();
    assert_eq!(
        store.latest_guidance(cy.id).await.unwrap(),
        Some(reach.clone())
    );
    // The level in force just before a moment.
    let before = |at| {
        let store = store.clone();
        async move { store.guidance_before(cy.id, at).await.unwrap() }
    };
    assert_eq!(before(t0).await, None);
    assert_eq!(before(t0 + Duration::days(1)).await, Some(steady.clone()));
    assert_eq!(before(t0 + Duration::days(4)).await, Some(steady.clone()));
    assert_eq!(before(t0 + Duration::days(5)).await, Some(reach.clone()));
    assert_eq!(
        store.guidance_history(cy.id, None).await.unwrap(),
        vec![steady, reach.clone()]
    );
    assert_eq!(
        store
            .guidance_history(cy.id, Some(t0 + Duration::days(1)))
            .await
            .unwrap(),
        vec![reach]
    );
    // Another account's levels are its own: bo's sessions recorded only bo's first level.
    let bo_levels = store.guidance_history(bo.id, None).await.unwrap();
    assert_eq!(bo_levels.len(), 1);
    assert_eq!(bo_levels[0].level, domain::guidance::Level::Steady);
}
