use super::*;

/// Homework: idempotent, logged, finished by doing it once, edited, removed.
pub(crate) async fn story(store: Arc<dyn Store>) {
    use domain::homework::{Frequency, HomeworkEditInput, HomeworkInput, HomeworkLogInput};

    let (jo, lu) = two_accounts(&store, "jo.journal@example.org", "lu.journal@example.org").await;
    let t0 = Utc.with_ymd_and_hms(2026, 11, 3, 15, 0, 0).unwrap();

    // Homework: idempotent, logged, finished by doing it once, edited, removed.
    let hw = |text: &str, due: &str, freq: &str| {
        HomeworkInput {
            client_id: Some(Uuid::new_v4()),
            text: Some(text.into()),
            due_on: Some(due.into()),
            frequency: Some(freq.into()),
        }
        .validate(t0.date_naive())
        .unwrap()
    };
    let letter = hw("write the letter, don't send it", "2026-11-10", "once");
    let (h1, w) = store.insert_homework(jo.id, &letter).await.unwrap();
    assert_eq!(w, Written::Created);
    assert_eq!(h1.due_on, "2026-11-10".parse().ok());
    assert_eq!(h1.frequency, Frequency::Once);
    let (h1b, w) = store.insert_homework(jo.id, &letter).await.unwrap();
    assert_eq!((h1b.id, w), (h1.id, Written::Existing));
    let (h2, _) = store
        .insert_homework(jo.id, &hw("box breathing", "", "daily"))
        .await
        .unwrap();
    assert_eq!(h2.due_on, None);
    assert_eq!(store.homework_list(jo.id, false).await.unwrap().len(), 2);
    assert!(store.homework_list(lu.id, true).await.unwrap().is_empty());

    let done = |at, note: Option<&str>| {
        HomeworkLogInput {
            client_id: Some(Uuid::new_v4()),
            at: Some(at),
            note: note.map(str::to_string),
        }
        .validate(t0 + Duration::days(30))
        .unwrap()
    };
    let log1 = done(t0 + Duration::days(1), Some("hard, but done"));
    let (l1, w) = store
        .log_homework(jo.id, h1.id, &log1)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(w, Written::Created);
    assert_eq!(l1.note.as_deref(), Some("hard, but done"));
    let (l1b, w) = store
        .log_homework(jo.id, h1.id, &log1)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((l1b.id, w), (l1.id, Written::Existing));
    assert!(
        store
            .log_homework(lu.id, h1.id, &done(t0, None))
            .await
            .unwrap()
            .is_none()
    );
    let active = store.homework_list(jo.id, false).await.unwrap();
    assert_eq!(active.iter().map(|h| h.id).collect::<Vec<_>>(), [h2.id]);
    let all = store.homework_list(jo.id, true).await.unwrap();
    assert_eq!(all[0].finished_at, Some(t0 + Duration::days(1)));
    for d in 1..=3 {
        store
            .log_homework(jo.id, h2.id, &done(t0 + Duration::days(d), None))
            .await
            .unwrap();
    }
    assert_eq!(
        store.homework_logs(jo.id, None, None).await.unwrap().len(),
        4
    );
    assert_eq!(
        store
            .homework_logs(
                jo.id,
                Some(t0 + Duration::days(2)),
                Some(t0 + Duration::days(3))
            )
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        store
            .homework_logs(lu.id, None, None)
            .await
            .unwrap()
            .is_empty()
    );
    // The logs of what the list shows: the open homework's three, or all four.
    let of_listed = |include_finished| {
        let store = store.clone();
        async move {
            store
                .homework_logs_of_listed(jo.id, include_finished)
                .await
                .unwrap()
        }
    };
    let open_logs = of_listed(false).await;
    assert_eq!(open_logs.len(), 3);
    assert!(open_logs.iter().all(|l| l.homework_id == h2.id));
    assert!(open_logs.windows(2).all(|w| w[0].at <= w[1].at));
    assert_eq!(of_listed(true).await.len(), 4);
    assert!(
        store
            .homework_logs_of_listed(lu.id, true)
            .await
            .unwrap()
            .is_empty()
    );

    let edit = HomeworkEditInput {
        text: Some("box breathing, 4 rounds".into()),
        due_on: Some("2026-12-01".into()),
        frequency: Some("few_times_a_week".into()),
        finished: Some(true),
    }
    .validate(t0.date_naive())
    .unwrap();
    let at = t0 + Duration::days(5);
    assert!(
        store
            .edit_homework(lu.id, h2.id, &edit, at)
            .await
            .unwrap()
            .is_none()
    );
    let h2e = store
        .edit_homework(jo.id, h2.id, &edit, at)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(h2e.text, "box breathing, 4 rounds");
    assert_eq!(h2e.due_on, "2026-12-01".parse().ok());
    assert_eq!(h2e.frequency, Frequency::FewTimesAWeek);
    assert_eq!(h2e.finished_at, Some(at));
    let reopen = HomeworkEditInput {
        due_on: Some(String::new()),
        finished: Some(false),
        ..Default::default()
    }
    .validate(t0.date_naive())
    .unwrap();
    let h2r = store
        .edit_homework(jo.id, h2.id, &reopen, at)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((h2r.due_on, h2r.finished_at), (None, None));
    assert_eq!(h2r.text, "box breathing, 4 rounds");
    assert!(!store.delete_homework(lu.id, h2.id).await.unwrap());
    assert!(store.delete_homework(jo.id, h2.id).await.unwrap());
    assert_eq!(
        store.homework_logs(jo.id, None, None).await.unwrap().len(),
        1
    );
}
