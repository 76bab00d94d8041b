use super::*;

use domain::therapy::AgendaSource;
use domain::thought_record::{
    FeelingInput, RecordFilter, Status, ThoughtRecordEdit, ThoughtRecordInput,
};
use store::RecordQuery;

fn input(thought: &str, before: i64, after: Option<i64>) -> ThoughtRecordInput {
    ThoughtRecordInput {
        client_id: Some(Uuid::new_v4()),
        situation: Some("At the bus stop, in the rain".into()),
        feelings: Some(vec![FeelingInput {
            name: Some("Anxious".into()),
            before: Some(before),
            after,
        }]),
        thought: Some(thought.into()),
        evidence_for: Some("I was late twice".into()),
        evidence_against: Some("I was on time all last week".into()),
        traps: Some(vec!["labelling".into()]),
        balanced: Some("Being late sometimes doesn't make me a mess".into()),
        bring_to_session: None,
        status: None,
    }
}

fn page(filter: RecordFilter, search: Option<&str>, limit: usize) -> RecordQuery {
    RecordQuery {
        filter,
        search: search.map(str::to_string),
        before: None,
        limit,
    }
}

/// Thought records: idempotent, sealed words read back whole, pages and search, the agenda
/// topic a record brings, and its one use of the tool kept in step; another account never
/// sees, changes or deletes one.
pub(crate) async fn story(store: Arc<dyn Store>) {
    let (jo, lu) = two_accounts(&store, "jo.thought@example.org", "lu.thought@example.org").await;

    // Stored once per client id, every part read back as written.
    let first = input("I'm a mess 🌧 שלום", 80, Some(40)).validate().unwrap();
    let (r1, w) = store.insert_thought_record(jo.id, &first).await.unwrap();
    assert_eq!(w, Written::Created);
    assert_eq!(r1.content, first.content);
    assert_eq!(r1.status, Status::Done);
    assert!(!r1.bring_to_session);
    let (again, w) = store.insert_thought_record(jo.id, &first).await.unwrap();
    assert_eq!((again.id, w), (r1.id, Written::Existing));
    assert_eq!(again, r1);

    // Its one use: distress 8 → 4 at the record's start.
    let uses = store.coping_uses(jo.id, None, None).await.unwrap();
    assert_eq!(uses.len(), 1, "a retry adds no second use");
    let u = &uses[0];
    assert_eq!(Some(u.id), r1.coping_use_id);
    assert_eq!(u.content.tool, domain::coping::ToolId::ThoughtRecord);
    assert_eq!(u.content.started_at, r1.created_at);
    assert_eq!(
        (
            u.content.distress_before.map(|r| r.get()),
            u.content.distress_after.map(|r| r.get())
        ),
        (Some(8), Some(4))
    );
    let totals = store.coping_totals(jo.id).await.unwrap();
    let t = totals
        .iter()
        .find(|t| t.tool == domain::coping::ToolId::ThoughtRecord)
        .unwrap();
    assert_eq!((t.uses, t.rated_uses, t.total_relief), (1, 1, 4));

    // A draft and a record not rated again hold no use.
    let mut draft = input("half a thought", 60, Some(10));
    draft.status = Some("draft".into());
    let (d, _) = store
        .insert_thought_record(jo.id, &draft.validate().unwrap())
        .await
        .unwrap();
    assert_eq!((d.status, d.coping_use_id), (Status::Draft, None));
    let (plain, _) = store
        .insert_thought_record(jo.id, &input("they stared", 50, None).validate().unwrap())
        .await
        .unwrap();
    assert_eq!(plain.coping_use_id, None);
    assert_eq!(store.coping_uses(jo.id, None, None).await.unwrap().len(), 1);

    // An edit keeps the use in step: new ratings change it in place, a draft loses it,
    // finishing again brings a new one; the totals follow each time.
    let edit = |record: &domain::thought_record::ThoughtRecord, e: ThoughtRecordEdit| {
        e.apply(record).unwrap()
    };
    let change = edit(
        &r1,
        ThoughtRecordEdit {
            feelings: Some(vec![FeelingInput {
                name: Some("Anxious".into()),
                before: Some(100),
                after: Some(0),
            }]),
            bring_to_session: Some(true),
            ..Default::default()
        },
    );
    let r1b = store
        .edit_thought_record(jo.id, r1.id, &change)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r1b.coping_use_id, r1.coping_use_id, "changed in place");
    assert!(r1b.bring_to_session);
    let uses = store.coping_uses(jo.id, None, None).await.unwrap();
    assert_eq!(uses.len(), 1);
    assert_eq!(uses[0].content.relief(), Some(10));
    let totals = store.coping_totals(jo.id).await.unwrap();
    assert_eq!(totals.iter().map(|t| t.total_relief).sum::<i64>(), 10);
    let to_draft = edit(
        &r1b,
        ThoughtRecordEdit {
            status: Some("draft".into()),
            ..Default::default()
        },
    );
    let r1c = store
        .edit_thought_record(jo.id, r1.id, &to_draft)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r1c.coping_use_id, None);
    assert!(
        store
            .coping_uses(jo.id, None, None)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .coping_totals(jo.id)
            .await
            .unwrap()
            .iter()
            .all(|t| t.tool != domain::coping::ToolId::ThoughtRecord)
    );
    let done = edit(
        &r1c,
        ThoughtRecordEdit {
            status: Some("done".into()),
            ..Default::default()
        },
    );
    let r1d = store
        .edit_thought_record(jo.id, r1.id, &done)
        .await
        .unwrap()
        .unwrap();
    assert!(r1d.coping_use_id.is_some());
    assert_eq!(store.coping_uses(jo.id, None, None).await.unwrap().len(), 1);

    // The agenda topic is the thought, follows it, and is there once.
    let agenda = store.agenda(jo.id, false).await.unwrap();
    assert_eq!(agenda.len(), 1);
    assert_eq!(agenda[0].source, AgendaSource::ThoughtRecord);
    assert_eq!(agenda[0].thought_record_id, Some(r1.id));
    assert_eq!(agenda[0].text, "I'm a mess 🌧 שלום");
    let retitled = edit(
        &r1d,
        ThoughtRecordEdit {
            thought: Some("I'm always late".into()),
            bring_to_session: Some(true),
            ..Default::default()
        },
    );
    store
        .edit_thought_record(jo.id, r1.id, &retitled)
        .await
        .unwrap()
        .unwrap();
    let agenda = store.agenda(jo.id, false).await.unwrap();
    assert_eq!(agenda.len(), 1, "bringing twice is once");
    assert_eq!(agenda[0].text, "I'm always late");

    // The brief's records: on the agenda, or finished in the period.
    let now = Utc::now();
    let brief = store
        .thought_records_for_brief(jo.id, now - Duration::days(1), now + Duration::days(1), 10)
        .await
        .unwrap();
    let ids: Vec<_> = brief.iter().map(|r| r.id).collect();
    assert!(ids.contains(&r1.id) && ids.contains(&plain.id) && !ids.contains(&d.id));
    let later = store
        .thought_records_for_brief(jo.id, now + Duration::days(1), now + Duration::days(2), 10)
        .await
        .unwrap();
    assert_eq!(
        later.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![r1.id],
        "only the one on the agenda"
    );

    // Pages: newest first, meeting without gaps; drafts apart; search matches any part.
    let mut ids = vec![r1.id, d.id, plain.id];
    for i in 0..12 {
        let (r, _) = store
            .insert_thought_record(
                jo.id,
                &input(&format!("ordinary {i}"), 30, None)
                    .validate()
                    .unwrap(),
            )
            .await
            .unwrap();
        ids.push(r.id);
    }
    let mut seen = Vec::new();
    let mut q = page(RecordFilter::All, None, 4);
    loop {
        let p = store.thought_record_page(jo.id, &q).await.unwrap();
        assert!(p.records.len() <= 4);
        seen.extend(p.records.iter().map(|r| r.id));
        match p.next {
            Some(c) => q.before = Some(c),
            None => break,
        }
    }
    ids.reverse();
    assert_eq!(seen, ids, "newest first, each once");
    let drafts = store
        .thought_record_page(jo.id, &page(RecordFilter::Drafts, None, 20))
        .await
        .unwrap();
    assert_eq!(
        drafts.records.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![d.id]
    );
    let done = store
        .thought_record_page(jo.id, &page(RecordFilter::Done, None, 50))
        .await
        .unwrap();
    assert_eq!(done.records.len(), 14);
    for (term, expected) in [
        ("ALWAYS LATE", 1),
        ("labelling", 15),
        ("ordinary 1", 3),
        ("nowhere", 0),
    ] {
        let found = store
            .thought_record_page(jo.id, &page(RecordFilter::All, Some(term), 50))
            .await
            .unwrap();
        assert_eq!(found.records.len(), expected, "{term}");
    }
    // A search's pages meet too.
    let mut q = page(RecordFilter::All, Some("ordinary"), 5);
    let mut found = 0;
    loop {
        let p = store.thought_record_page(jo.id, &q).await.unwrap();
        found += p.records.len();
        match p.next {
            Some(c) => q.before = Some(c),
            None => break,
        }
    }
    assert_eq!(found, 12);

    // Another account sees none of it, and can change or delete nothing.
    assert!(store.thought_record(lu.id, r1.id).await.unwrap().is_none());
    assert!(
        store
            .thought_record_page(lu.id, &page(RecordFilter::All, None, 50))
            .await
            .unwrap()
            .records
            .is_empty()
    );
    assert!(
        store
            .edit_thought_record(lu.id, r1.id, &retitled)
            .await
            .unwrap()
            .is_none()
    );
    assert!(!store.delete_thought_record(lu.id, r1.id).await.unwrap());
    // The same client id in another account is another record.
    let (theirs, w) = store.insert_thought_record(lu.id, &first).await.unwrap();
    assert_eq!(w, Written::Created);
    assert_ne!(theirs.id, r1.id);
    assert_eq!(
        store
            .thought_record(jo.id, r1.id)
            .await
            .unwrap()
            .unwrap()
            .content
            .thought,
        "I'm always late"
    );

    // Deleting takes the agenda topic and the use with it.
    assert!(store.delete_thought_record(jo.id, r1.id).await.unwrap());
    assert!(!store.delete_thought_record(jo.id, r1.id).await.unwrap());
    assert!(store.agenda(jo.id, true).await.unwrap().is_empty());
    assert!(
        store
            .coping_uses(jo.id, None, None)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.coping_uses(lu.id, None, None).await.unwrap().len(), 1);
}
