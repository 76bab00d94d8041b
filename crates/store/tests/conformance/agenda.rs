use super::*;

/// The agenda: idempotent adds, and an order the person chooses.
pub(crate) async fn story(store: Arc<dyn Store>) {
    use domain::therapy::AgendaSource;
    use store::Move;

    let (jo, lu) = two_accounts(&store, "jo.journal@example.org", "lu.journal@example.org").await;
    let t0 = Utc.with_ymd_and_hms(2026, 11, 3, 15, 0, 0).unwrap();

    // Agenda: idempotent adds, and an order the person chooses.
    let add = |text: &'static str| {
        let store = store.clone();
        async move {
            store
                .insert_agenda_item(jo.id, Uuid::new_v4(), text, AgendaSource::Manual)
                .await
                .unwrap()
                .0
        }
    };
    let a = add("alpha").await;
    let b = add("bravo").await;
    let c_id = Uuid::new_v4();
    let (c, w) = store
        .insert_agenda_item(jo.id, c_id, "charlie", AgendaSource::CheckIn)
        .await
        .unwrap();
    assert_eq!(w, Written::Created);
    let (c2, w) = store
        .insert_agenda_item(jo.id, c_id, "charlie", AgendaSource::CheckIn)
        .await
        .unwrap();
    assert_eq!((c2.id, w), (c.id, Written::Existing));
    let order = || {
        let store = store.clone();
        async move {
            store
                .agenda(jo.id, false)
                .await
                .unwrap()
                .into_iter()
                .map(|i| i.text)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(order().await, ["alpha", "bravo", "charlie"]);
    assert!(store.move_agenda_item(jo.id, c.id, Move::Up).await.unwrap());
    assert_eq!(order().await, ["alpha", "charlie", "bravo"]);
    assert!(!store.move_agenda_item(jo.id, a.id, Move::Up).await.unwrap());
    assert!(
        !store
            .move_agenda_item(jo.id, b.id, Move::Down)
            .await
            .unwrap()
    );
    assert!(!store.move_agenda_item(lu.id, b.id, Move::Up).await.unwrap());
    assert!(
        store
            .move_agenda_item(jo.id, a.id, Move::Down)
            .await
            .unwrap()
    );
    assert_eq!(order().await, ["charlie", "alpha", "bravo"]);
    // A topic added by any other path lands at the end.
    store
        .insert_agenda_item(jo.id, Uuid::new_v4(), "delta", AgendaSource::Parked)
        .await
        .unwrap();
    assert_eq!(order().await, ["charlie", "alpha", "bravo", "delta"]);
    // Discussed topics step out of the order; moving skips them.
    store
        .set_agenda_discussed(jo.id, a.id, Some(t0))
        .await
        .unwrap();
    assert!(store.move_agenda_item(jo.id, b.id, Move::Up).await.unwrap());
    assert_eq!(order().await, ["bravo", "charlie", "delta"]);
    assert!(!store.delete_agenda_item(lu.id, b.id).await.unwrap());
    assert!(store.delete_agenda_item(jo.id, b.id).await.unwrap());
    assert_eq!(order().await, ["charlie", "delta"]);
}
