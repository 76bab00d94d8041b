use super::*;

/// The journal: entries, pages, search, and the agenda topic an entry brings.
pub(crate) async fn story(store: Arc<dyn Store>) {
    use domain::journal::{JournalEdit, JournalFilter, JournalInput};
    use domain::therapy::AgendaSource;
    use store::JournalQuery;

    let (jo, lu) = two_accounts(&store, "jo.journal@example.org", "lu.journal@example.org").await;
    let t0 = Utc.with_ymd_and_hms(2026, 11, 3, 15, 0, 0).unwrap();
    let entry = |text: &str, at, bring: bool, parked: bool| {
        JournalInput {
            client_id: Some(Uuid::new_v4()),
            at: Some(at),
            text: Some(text.into()),
            bring_to_session: Some(bring),
            parked: Some(parked),
        }
        .validate(t0 + Duration::days(30))
        .unwrap()
    };
    let page = |filter, search: Option<&str>, before, limit| JournalQuery {
        filter,
        search: search.map(str::to_string),
        before,
        limit,
    };

    // An entry brought to the session puts its first line on the agenda, once.
    let first = entry("My sister's visit\nIt went badly.", t0, true, false);
    let (e1, w) = store.insert_journal_entry(jo.id, &first).await.unwrap();
    assert_eq!(w, Written::Created);
    assert!(e1.bring_to_session && !e1.parked);
    assert_eq!(e1.text, "My sister's visit\nIt went badly.");
    let (again, w) = store.insert_journal_entry(jo.id, &first).await.unwrap();
    assert_eq!((again.id, w), (e1.id, Written::Existing));
    let agenda = store.agenda(jo.id, false).await.unwrap();
    assert_eq!(agenda.len(), 1);
    assert_eq!(agenda[0].text, "My sister's visit");
    assert_eq!(agenda[0].source, AgendaSource::Journal);
    assert_eq!(agenda[0].journal_entry_id, Some(e1.id));

    // Long, emoji and right-to-left text come back exactly as written.
    let rtl = format!("{} 🌧️🌈 שלום, מה שלומך؟ مرحبا ÄRGER", "long ".repeat(900));
    let (e2, _) = store
        .insert_journal_entry(jo.id, &entry(&rtl, t0 + Duration::hours(1), false, true))
        .await
        .unwrap();
    assert_eq!(e2.text, rtl.trim());
    assert!(e2.parked && !e2.bring_to_session);

    // Pages are newest first and meet without gaps or repeats, also across equal times.
    let mut all_ids = vec![e1.id, e2.id];
    for i in 0..24 {
        let at = t0 + Duration::hours(2 + i / 2);
        let text = match i {
            0 => "Sleep was poor, 50% of the night awake".to_string(),
            1 => "snake_case is not a feeling".to_string(),
            n => format!("an ordinary day {n}"),
        };
        let (e, _) = store
            .insert_journal_entry(jo.id, &entry(&text, at, false, false))
            .await
            .unwrap();
        all_ids.push(e.id);
    }
    let mut seen = Vec::new();
    let mut before = None;
    let mut pages = 0;
    loop {
        let p = store
            .journal_page(jo.id, &page(JournalFilter::All, None, before, 7))
            .await
            .unwrap();
        pages += 1;
        assert!(p.entries.len() <= 7);
        seen.extend(p.entries.iter().map(|e| (e.at, e.id)));
        match p.next {
            Some(c) => before = Some(c),
            None => break,
        }
    }
    assert_eq!(pages, 4);
    assert_eq!(seen.len(), 26);
    let mut sorted = seen.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(seen, sorted, "newest first, ties by id");
    let mut ids: Vec<_> = seen.iter().map(|(_, id)| *id).collect();
    ids.sort_unstable();
    all_ids.sort_unstable();
    assert_eq!(ids, all_ids);

    // Filters and search; search folds case (also beyond ASCII) and takes % and _ literally.
    let only = |p: store::JournalPage| p.entries.iter().map(|e| e.id).collect::<Vec<_>>();
    let q = |f, s| page(f, s, None, 50);
    assert_eq!(
        only(
            store
                .journal_page(jo.id, &q(JournalFilter::Parked, None))
                .await
                .unwrap()
        ),
        [e2.id]
    );
    assert_eq!(
        only(
            store
                .journal_page(jo.id, &q(JournalFilter::BringToSession, None))
                .await
                .unwrap()
        ),
        [e1.id]
    );
    let found = |s: &'static str| {
        let store = store.clone();
        async move {
            store
                .journal_page(jo.id, &q(JournalFilter::All, Some(s)))
                .await
                .unwrap()
                .entries
                .len()
        }
    };
    assert_eq!(found("SLEEP").await, 1);
    assert_eq!(found("ärger").await, 1);
    assert_eq!(found("שלום").await, 1);
    assert_eq!(found("50%").await, 1);
    assert_eq!(found("%").await, 1);
    assert_eq!(found("_").await, 1);
    assert_eq!(found("ordinary").await, 22);
    assert_eq!(found("nothing like this").await, 0);
    assert_eq!(
        store
            .journal_page(jo.id, &page(JournalFilter::Parked, Some("ärger"), None, 5))
            .await
            .unwrap()
            .entries
            .len(),
        1
    );

    // Another account sees and changes nothing.
    assert!(
        store
            .journal_page(lu.id, &q(JournalFilter::All, None))
            .await
            .unwrap()
            .entries
            .is_empty()
    );
    assert!(store.journal_entry(lu.id, e1.id).await.unwrap().is_none());
    let park = JournalEdit {
        parked: Some(true),
        ..Default::default()
    };
    assert!(
        store
            .edit_journal_entry(lu.id, e1.id, &park)
            .await
            .unwrap()
            .is_none()
    );
    assert!(!store.delete_journal_entry(lu.id, e1.id).await.unwrap());

    // The agenda topic follows the entry: its text, its flag, and discussion.
    let edited = store
        .edit_journal_entry(
            jo.id,
            e1.id,
            &JournalEdit {
                text: Some("The visit, again\nmore".into()),
                parked: Some(true),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .unwrap();
    assert!(edited.parked && edited.bring_to_session);
    assert_eq!(
        store.agenda(jo.id, false).await.unwrap()[0].text,
        "The visit, again"
    );
    let unflag = JournalEdit {
        bring_to_session: Some(false),
        ..Default::default()
    };
    let e = store
        .edit_journal_entry(jo.id, e1.id, &unflag)
        .await
        .unwrap()
        .unwrap();
    assert!(!e.bring_to_session);
    assert!(store.agenda(jo.id, true).await.unwrap().is_empty());
    let flag = JournalEdit {
        bring_to_session: Some(true),
        ..Default::default()
    };
    store.edit_journal_entry(jo.id, e1.id, &flag).await.unwrap();
    store.edit_journal_entry(jo.id, e1.id, &flag).await.unwrap();
    let open = store.agenda(jo.id, false).await.unwrap();
    assert_eq!(open.len(), 1, "flagging twice makes one topic");
    assert!(
        store
            .set_agenda_discussed(jo.id, open[0].id, Some(t0))
            .await
            .unwrap()
    );
    let e = store.journal_entry(jo.id, e1.id).await.unwrap().unwrap();
    assert!(
        !e.bring_to_session,
        "a discussed topic no longer flags its entry"
    );
    store.edit_journal_entry(jo.id, e1.id, &flag).await.unwrap();
    assert_eq!(store.agenda(jo.id, true).await.unwrap().len(), 2);
    assert!(store.delete_journal_entry(jo.id, e1.id).await.unwrap());
    assert!(store.agenda(jo.id, true).await.unwrap().is_empty());
    assert!(store.journal_entry(jo.id, e1.id).await.unwrap().is_none());
}

/// A search through a journal longer than the batches a search reads at once: its pages
/// meet without gaps or repeats, also where many entries share a time, and a word written
/// only in the oldest entry is found.
pub(crate) async fn search_pages(store: Arc<dyn Store>) {
    use domain::journal::{JournalFilter, JournalInput};
    use store::JournalQuery;

    let (kai, other) =
        two_accounts(&store, "kai.search@example.org", "ola.search@example.org").await;
    let t0 = Utc.with_ymd_and_hms(2026, 6, 1, 8, 0, 0).unwrap();
    let mut matching = Vec::new();
    for i in 0..700i64 {
        let text = match i {
            0 => "The oldest entry mentions a kingfisher.".to_string(),
            i if i % 9 == 0 => format!("Saw a HERON by the water, day {i}"),
            i => format!("An ordinary day {i}"),
        };
        let input = JournalInput {
            client_id: Some(Uuid::new_v4()),
            // Every four entries share a time, so the cursor's id must break ties.
            at: Some(t0 + Duration::hours(i / 4)),
            text: Some(text),
            ..Default::default()
        }
        .validate(t0 + Duration::days(400))
        .unwrap();
        let (e, _) = store.insert_journal_entry(kai.id, &input).await.unwrap();
        if i % 9 == 0 && i > 0 {
            matching.push(e.id);
        }
    }
    // The other account's entry never turns up in Kai's search.
    let theirs = JournalInput {
        client_id: Some(Uuid::new_v4()),
        text: Some("a heron of my own".into()),
        ..Default::default()
    }
    .validate(t0)
    .unwrap();
    store.insert_journal_entry(other.id, &theirs).await.unwrap();
    matching.reverse();

    let search = |term: &str, before, limit| JournalQuery {
        filter: JournalFilter::All,
        search: Some(term.to_string()),
        before,
        limit,
    };
    let mut found = Vec::new();
    let mut before = None;
    loop {
        let page = store
            .journal_page(kai.id, &search("heron", before, 7))
            .await
            .unwrap();
        assert!(page.entries.len() <= 7);
        found.extend(page.entries.iter().map(|e| e.id));
        match page.next {
            Some(cursor) => before = Some(cursor),
            None => break,
        }
    }
    assert_eq!(found, matching);

    let oldest = store
        .journal_page(kai.id, &search("KINGFISHER", None, 20))
        .await
        .unwrap();
    assert_eq!(oldest.entries.len(), 1);
    assert!(oldest.next.is_none());
    let none = store
        .journal_page(kai.id, &search("albatross", None, 20))
        .await
        .unwrap();
    assert!(none.entries.is_empty() && none.next.is_none());
}
