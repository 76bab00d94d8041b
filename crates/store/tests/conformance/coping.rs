use super::*;

/// Coping tool uses and the personal lists.
pub(crate) async fn story(store: Arc<dyn Store>) {
    use domain::coping::{CopingUseInput, ListKind, ToolId};
    use domain::therapy::AgendaSource;
    use store::Move;

    let (eve, fin) = two_accounts(&store, "eve@example.org", "fin@example.org").await;
    let t0 = Utc.with_ymd_and_hms(2026, 11, 10, 20, 15, 0).unwrap();
    let checked = |tool: &str, at, before: Option<i64>, after: Option<i64>, note: Option<&str>| {
        CopingUseInput {
            client_id: Some(Uuid::new_v4()),
            tool: Some(tool.into()),
            started_at: Some(at),
            distress_before: before,
            distress_after: after,
            note: note.map(str::to_string),
        }
        .validate(t0 + Duration::days(30))
        .unwrap()
    };

    // Every field survives; a retry with the same client id is the same use.
    let full = checked(
        "box-breathing",
        t0,
        Some(7),
        Some(4),
        Some("calmer — שלום — 🌿"),
    );
    let (stored, w) = store.insert_coping_use(eve.id, &full).await.unwrap();
    assert_eq!(w, Written::Created);
    assert_eq!(stored.content, full);
    assert_eq!(stored.content.tool, ToolId::BoxBreathing);
    let mut retry = checked("body-scan", t0 + Duration::hours(1), Some(1), None, None);
    retry.client_id = full.client_id;
    let (again, w) = store.insert_coping_use(eve.id, &retry).await.unwrap();
    assert_eq!(w, Written::Existing);
    assert_eq!(again, stored);
    // Another account may use the same client id for its own use.
    let (theirs, w) = store.insert_coping_use(fin.id, &full).await.unwrap();
    assert_eq!(w, Written::Created);
    assert_ne!(theirs.id, stored.id);

    // Unrated and half-rated uses are kept as they are.
    let unrated = checked("movement-break", t0 - Duration::days(2), None, None, None);
    let half = checked("sensory-reset", t0 + Duration::days(1), Some(8), None, None);
    store.insert_coping_use(eve.id, &half).await.unwrap();
    store.insert_coping_use(eve.id, &unrated).await.unwrap();

    // "Park it" puts its text on the agenda once, in the same write.
    let park = checked(
        "park-it",
        t0 + Duration::days(2),
        Some(6),
        Some(5),
        Some("what my sister said"),
    );
    store.insert_coping_use(eve.id, &park).await.unwrap();
    store.insert_coping_use(eve.id, &park).await.unwrap();
    let nothing_written = checked("park-it", t0 + Duration::days(3), None, None, None);
    store
        .insert_coping_use(eve.id, &nothing_written)
        .await
        .unwrap();
    let agenda = store.agenda(eve.id, false).await.unwrap();
    assert_eq!(agenda.len(), 1);
    assert_eq!(agenda[0].text, "what my sister said");
    assert_eq!(agenda[0].source, AgendaSource::Parked);
    assert!(store.agenda(fin.id, true).await.unwrap().is_empty());

    // Reads are scoped, ordered by start, and the range is [from, to).
    let all = store.coping_uses(eve.id, None, None).await.unwrap();
    let order: Vec<_> = all.iter().map(|u| u.content.client_id).collect();
    assert_eq!(
        order,
        vec![
            unrated.client_id,
            full.client_id,
            half.client_id,
            park.client_id,
            nothing_written.client_id
        ]
    );
    assert_eq!(all[2].content.distress_before.map(Rating::get), Some(8));
    assert_eq!(all[2].content.distress_after, None);
    let window = store
        .coping_uses(eve.id, Some(t0), Some(t0 + Duration::days(2)))
        .await
        .unwrap();
    assert_eq!(window.len(), 2);
    assert_eq!(
        store.coping_uses(fin.id, None, None).await.unwrap().len(),
        1
    );

    // The totals kept with each use are what every use adds up to, per account; a retry
    // adds nothing. More uses of one tool, some rated, one earlier than the rest.
    for (hours, before, after) in [
        (5, Some(8), Some(3)),
        (-50, Some(4), Some(6)),
        (9, None, None),
    ] {
        let more = checked(
            "box-breathing",
            t0 + Duration::hours(hours),
            before,
            after,
            None,
        );
        store.insert_coping_use(eve.id, &more).await.unwrap();
    }
    store.insert_coping_use(eve.id, &full).await.unwrap();
    let records: Vec<_> = store
        .coping_uses(eve.id, None, None)
        .await
        .unwrap()
        .iter()
        .map(|u| u.content.record())
        .collect();
    // The use written last, whatever time it was about: the earlier-dated one above.
    let last = store.last_coping_use(eve.id).await.unwrap().unwrap();
    assert_eq!(last.content.started_at, t0 + Duration::hours(9));
    assert_eq!(
        store.last_coping_use(fin.id).await.unwrap().map(|u| u.id),
        Some(theirs.id)
    );
    let kept = store.coping_totals(eve.id).await.unwrap();
    assert_eq!(
        domain::coping::stats_of(&kept),
        domain::coping::tool_stats(&records)
    );
    let boxed = kept
        .iter()
        .find(|t| t.tool == ToolId::BoxBreathing)
        .unwrap();
    assert_eq!(
        (boxed.uses, boxed.rated_uses, boxed.total_relief),
        (4, 3, 6)
    );
    assert_eq!(boxed.last_used, Some(t0 + Duration::hours(9)));
    let theirs = store.coping_totals(fin.id).await.unwrap();
    assert_eq!(theirs.len(), 1);
    assert_eq!(theirs[0].uses, 1);

    // Concurrent retries of one client id still store exactly one use.
    let racing = checked("grounding-5-4-3-2-1", t0, Some(5), Some(3), None);
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (s, u) = (store.clone(), racing.clone());
        tasks.push(tokio::spawn(async move {
            s.insert_coping_use(fin.id, &u).await
        }));
    }
    let mut ids = Vec::new();
    for t in tasks {
        ids.push(t.await.unwrap().unwrap().0.id);
    }
    ids.dedup();
    assert_eq!(ids.len(), 1);
    assert_eq!(
        store.coping_uses(fin.id, None, None).await.unwrap().len(),
        2
    );

    // Personal lists: added at the end, kept apart by kind and by account.
    for text in ["a warm bath", "a funny video", "my book"] {
        store
            .add_list_item(eve.id, ListKind::SelfCare, text)
            .await
            .unwrap();
    }
    let chores = store
        .add_list_item(eve.id, ListKind::Distraction, "the dishes")
        .await
        .unwrap();
    assert_eq!(chores.kind, ListKind::Distraction);
    store
        .add_list_item(fin.id, ListKind::SelfCare, "a walk")
        .await
        .unwrap();
    let texts = |items: &[domain::coping::ListItem]| -> Vec<String> {
        items.iter().map(|i| i.text.clone()).collect()
    };
    let list = store.coping_list(eve.id, ListKind::SelfCare).await.unwrap();
    assert_eq!(texts(&list), ["a warm bath", "a funny video", "my book"]);
    assert!(list.iter().all(|i| i.kind == ListKind::SelfCare));

    // Reorder, edit and remove; another account can do none of it.
    let book = list[2].id;
    assert!(store.move_list_item(eve.id, book, Move::Up).await.unwrap());
    assert!(!store.move_list_item(fin.id, book, Move::Up).await.unwrap());
    let list = store.coping_list(eve.id, ListKind::SelfCare).await.unwrap();
    assert_eq!(texts(&list), ["a warm bath", "my book", "a funny video"]);
    let bath = list[0].id;
    assert!(store.move_list_item(eve.id, bath, Move::Up).await.unwrap());
    assert!(
        store
            .move_list_item(eve.id, bath, Move::Down)
            .await
            .unwrap()
    );
    let list = store.coping_list(eve.id, ListKind::SelfCare).await.unwrap();
    assert_eq!(texts(&list), ["my book", "a warm bath", "a funny video"]);
    assert!(list.windows(2).all(|w| w[0].position < w[1].position));
    assert!(
        store
            .update_list_item(eve.id, bath, "a long warm bath")
            .await
            .unwrap()
    );
    assert!(
        !store
            .update_list_item(fin.id, bath, "mine now")
            .await
            .unwrap()
    );
    assert!(!store.delete_list_item(fin.id, bath).await.unwrap());
    assert!(store.delete_list_item(eve.id, book).await.unwrap());
    assert!(!store.delete_list_item(eve.id, book).await.unwrap());
    assert!(
        !store
            .move_list_item(eve.id, book, Move::Down)
            .await
            .unwrap()
    );
    let list = store.coping_list(eve.id, ListKind::SelfCare).await.unwrap();
    assert_eq!(texts(&list), ["a long warm bath", "a funny video"]);
    let added = store
        .add_list_item(eve.id, ListKind::SelfCare, "tea")
        .await
        .unwrap();
    assert!(added.position > list[1].position);
    assert_eq!(
        texts(
            &store
                .coping_list(eve.id, ListKind::Distraction)
                .await
                .unwrap()
        ),
        ["the dishes"]
    );
    assert_eq!(
        texts(&store.coping_list(fin.id, ListKind::SelfCare).await.unwrap()),
        ["a walk"]
    );
}
