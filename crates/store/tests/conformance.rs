//! One story of what every Store must do, told against SQLite and against PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use domain::account::{Email, Role, TherapistContact};
use domain::checkin::{BodySignal, CheckInInput, UsualActivities};
use domain::rating::Rating;
use domain::therapy::Repeat;
use store::{DatabaseUrl, NewAccount, NewSessions, Store, StoreError, Written};
use uuid::Uuid;

fn new_account(email: &str) -> NewAccount {
    NewAccount {
        email: Email::parse(email).unwrap(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        role: Role::Client,
        country: Some("GB".into()),
        timezone: "Europe/London".into(),
        usual_mood: Some(Rating::new(7).unwrap()),
        therapist: TherapistContact {
            name: Some("Dr Ada Okafor".into()),
            phone: Some("+44 20 7946 0000".into()),
            email: None,
        },
    }
}

/// A request adding sessions, under a new client id.
fn sessions<'a>(
    at: &'a [chrono::DateTime<Utc>],
    note: Option<&'a str>,
    series: Option<Uuid>,
) -> NewSessions<'a> {
    NewSessions {
        client_id: Uuid::new_v4(),
        at,
        note,
        series,
        repeat: if series.is_some() {
            Repeat::Weekly
        } else {
            Repeat::Once
        },
    }
}

async fn story(store: Arc<dyn Store>) {
    // Accounts: a fresh store is empty; emails are unique.
    assert_eq!(store.account_count().await.unwrap(), 0);
    let sam = store
        .create_account(&new_account("sam@example.org"))
        .await
        .unwrap();
    let kim = store
        .create_account(&new_account("kim@example.org"))
        .await
        .unwrap();
    assert_eq!(store.account_count().await.unwrap(), 2);
    assert_eq!(sam.role, Role::Client);
    assert_eq!(sam.usual_mood.map(Rating::get), Some(7));
    assert_eq!(sam.therapist.name.as_deref(), Some("Dr Ada Okafor"));
    assert!(matches!(
        store.create_account(&new_account("SAM@example.org")).await,
        Err(StoreError::Conflict { field: "email", .. })
    ));
    let (found, hash) = store
        .account_for_sign_in(&Email::parse("sam@example.org").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id, sam.id);
    assert!(hash.starts_with("$argon2id$"));
    assert!(
        store
            .account_for_sign_in(&Email::parse("nobody@example.org").unwrap())
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        store.account(kim.id).await.unwrap().unwrap().email,
        kim.email
    );

    // Sessions: found by hash until they expire or are deleted.
    let now = Utc::now();
    store
        .create_session(sam.id, "hash-a", "csrf-a", now + Duration::hours(1))
        .await
        .unwrap();
    store
        .create_session(sam.id, "hash-old", "csrf-old", now - Duration::seconds(1))
        .await
        .unwrap();
    let s = store.session("hash-a", now).await.unwrap().unwrap();
    assert_eq!(s.account.id, sam.id);
    assert_eq!(s.csrf_token, "csrf-a");
    assert!(store.session("hash-old", now).await.unwrap().is_none());
    assert!(
        store
            .session("hash-a", now + Duration::hours(2))
            .await
            .unwrap()
            .is_none()
    );
    store.delete_session("hash-a").await.unwrap();
    assert!(store.session("hash-a", now).await.unwrap().is_none());

    // API tokens.
    store
        .create_api_token(kim.id, "tok-k", "phone")
        .await
        .unwrap();
    assert_eq!(
        store
            .account_for_api_token("tok-k")
            .await
            .unwrap()
            .map(|a| a.id),
        Some(kim.id)
    );
    assert!(
        store
            .account_for_api_token("tok-x")
            .await
            .unwrap()
            .is_none()
    );

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
        self_harm_thoughts: Some(false),
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
}

async fn therapy_story(store: Arc<dyn Store>) {
    use domain::therapy::{AgendaSource, ReflectionInput};
    use store::GuidanceChange;

    let ana = store
        .create_account(&new_account("ana@example.org"))
        .await
        .unwrap();
    let bo = store
        .create_account(&new_account("bo@example.org"))
        .await
        .unwrap();
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

    // Guidance history: latest first on read of the latest, oldest first in the history.
    assert!(store.latest_guidance(ana.id).await.unwrap().is_none());
    let steady = GuidanceChange {
        at: t0,
        level: "steady".into(),
        reasons: serde_json::json!([]),
    };
    let reach = GuidanceChange {
        at: t0 + Duration::days(4),
        level: "reach_out".into(),
        reasons: serde_json::json!([{"code": "persisting", "days": 4}]),
    };
    store.record_guidance(ana.id, &steady).await.unwrap();
    store.record_guidance(ana.id, &reach).await.unwrap();
    assert_eq!(
        store.latest_guidance(ana.id).await.unwrap(),
        Some(reach.clone())
    );
    assert_eq!(
        store.guidance_history(ana.id, None).await.unwrap(),
        vec![steady, reach.clone()]
    );
    assert_eq!(
        store
            .guidance_history(ana.id, Some(t0 + Duration::days(1)))
            .await
            .unwrap(),
        vec![reach]
    );
    assert!(store.latest_guidance(bo.id).await.unwrap().is_none());
}

async fn questionnaire_story(store: Arc<dyn Store>) {
    use domain::questionnaire::{Difficulty, Instrument, QuestionnaireInput};

    let cai = store
        .create_account(&new_account("cai@example.org"))
        .await
        .unwrap();
    let dee = store
        .create_account(&new_account("dee@example.org"))
        .await
        .unwrap();
    let t0 = Utc.with_ymd_and_hms(2026, 10, 1, 9, 30, 0).unwrap();
    let checked = |instrument: &str, answers: &[i64], at, difficulty: Option<&str>| {
        QuestionnaireInput {
            client_id: Some(Uuid::new_v4()),
            instrument: Some(instrument.into()),
            answers: Some(answers.iter().map(|a| Some(*a)).collect()),
            difficulty: difficulty.map(str::to_string),
            at: Some(at),
        }
        .validate(t0 + Duration::days(60))
        .unwrap()
    };

    // Stored with everything it was given, and read back the same on both backends.
    let first = checked(
        "phq9",
        &[2, 2, 1, 1, 2, 1, 1, 0, 0],
        t0,
        Some("somewhat_difficult"),
    );
    let (stored, written) = store.insert_questionnaire(cai.id, &first).await.unwrap();
    assert_eq!(written, Written::Created);
    assert_eq!(stored.content, first);
    assert_eq!(stored.account_id, cai.id);
    assert_eq!(stored.total(), 10);
    assert_eq!(
        stored.content.difficulty,
        Some(Difficulty::SomewhatDifficult)
    );

    // The same client id again is the same questionnaire, even with other answers.
    let mut retry = checked("phq9", &[0; 9], t0 + Duration::hours(1), None);
    retry.client_id = first.client_id;
    let (again, written) = store.insert_questionnaire(cai.id, &retry).await.unwrap();
    assert_eq!(written, Written::Existing);
    assert_eq!(again, stored);

    // Another account may use the same client id without touching this one's.
    let mut theirs = checked("gad7", &[3; 7], t0, None);
    theirs.client_id = first.client_id;
    let (other, written) = store.insert_questionnaire(dee.id, &theirs).await.unwrap();
    assert_eq!(written, Written::Created);
    assert_ne!(other.id, stored.id);

    // Later ones, stored out of order; reads come back oldest first and filtered.
    let gad = checked("gad7", &[1, 1, 1, 1, 0, 0, 0], t0 + Duration::days(3), None);
    let latest = checked(
        "phq9",
        &[1, 1, 1, 0, 0, 0, 0, 0, 1],
        t0 + Duration::days(14),
        None,
    );
    store.insert_questionnaire(cai.id, &latest).await.unwrap();
    store.insert_questionnaire(cai.id, &gad).await.unwrap();

    let all = store.questionnaires(cai.id, None, None).await.unwrap();
    let order: Vec<_> = all.iter().map(|q| q.content.client_id).collect();
    assert_eq!(
        order,
        vec![first.client_id, gad.client_id, latest.client_id]
    );
    let phq = store
        .questionnaires(cai.id, Some(Instrument::Phq9), None)
        .await
        .unwrap();
    assert_eq!(phq.len(), 2);
    assert!(phq.iter().all(|q| q.instrument() == Instrument::Phq9));
    assert!(phq[1].needs_crisis_path(), "item 9 answered 1");
    assert_eq!(phq[1].content.answers.items(), &[1, 1, 1, 0, 0, 0, 0, 0, 1]);
    let recent = store
        .questionnaires(cai.id, None, Some(t0 + Duration::days(3)))
        .await
        .unwrap();
    assert_eq!(recent.len(), 2, "from is inclusive");
    let gads = store
        .questionnaires(cai.id, Some(Instrument::Gad7), None)
        .await
        .unwrap();
    assert_eq!(gads.len(), 1);
    assert_eq!(gads[0].total(), 4);

    // Nothing crosses between accounts.
    let dees = store.questionnaires(dee.id, None, None).await.unwrap();
    assert_eq!(dees.len(), 1);
    assert_eq!(dees[0].total(), 21);
    assert_eq!(dees[0].account_id, dee.id);
}

async fn coping_story(store: Arc<dyn Store>) {
    use domain::coping::{CopingUseInput, ListKind, ToolId};
    use domain::therapy::AgendaSource;
    use store::Move;

    let eve = store
        .create_account(&new_account("eve@example.org"))
        .await
        .unwrap();
    let fin = store
        .create_account(&new_account("fin@example.org"))
        .await
        .unwrap();
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

async fn safety_story(store: Arc<dyn Store>) {
    use domain::plans::PlanKind;

    let lee = store
        .create_account(&new_account("lee@example.org"))
        .await
        .unwrap();
    let max = store
        .create_account(&new_account("max@example.org"))
        .await
        .unwrap();
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
    assert_eq!((v1.version, v1.body.as_str()), (1, body1));
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
    assert_eq!(v2.version, 2);
    assert_eq!(
        store
            .latest_plan_version(lee.id, PlanKind::Safety)
            .await
            .unwrap(),
        Some(v2.clone())
    );
    assert_eq!(
        store
            .plan_version(lee.id, PlanKind::Safety, 1)
            .await
            .unwrap(),
        Some(v1.clone())
    );
    assert!(
        store
            .plan_version(lee.id, PlanKind::Safety, 3)
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
    assert_eq!(b1.version, 1);

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
            .plan_version(max.id, PlanKind::Safety, 1)
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
        numbers.push(t.await.unwrap().unwrap().version);
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

async fn journal_story(store: Arc<dyn Store>) {
    use domain::feedback::FeedbackInput;
    use domain::homework::{Frequency, HomeworkEditInput, HomeworkInput, HomeworkLogInput};
    use domain::journal::{JournalEdit, JournalFilter, JournalInput};
    use domain::therapy::{AgendaSource, ReflectionInput};
    use store::{JournalQuery, Move};

    let jo = store
        .create_account(&new_account("jo.journal@example.org"))
        .await
        .unwrap();
    let lu = store
        .create_account(&new_account("lu.journal@example.org"))
        .await
        .unwrap();
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
    let mut ids: Vec<i64> = seen.iter().map(|(_, id)| *id).collect();
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
        .insert_agenda_item(jo.id, uuid::Uuid::new_v4(), "delta", AgendaSource::Parked)
        .await
        .unwrap()
        .0;
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

    // Feedback notes, tied to this account's sessions only, plus post-session feedback.
    let jo_session = store
        .add_therapy_sessions(jo.id, &sessions(&[t0], None, None))
        .await
        .unwrap()
        .sessions[0]
        .id;
    let lu_session = store
        .add_therapy_sessions(lu.id, &sessions(&[t0], None, None))
        .await
        .unwrap()
        .sessions[0]
        .id;
    let note = |session, kind: &str, text: &str| {
        FeedbackInput {
            client_id: Some(Uuid::new_v4()),
            session_id: Some(session),
            kind: Some(kind.into()),
            text: Some(text.into()),
        }
        .validate()
        .unwrap()
    };
    let n1 = note(
        jo_session,
        "did_not_sit_well",
        "the chair work felt too fast",
    );
    let (f1, w) = store.insert_feedback(jo.id, &n1).await.unwrap();
    assert_eq!((f1.session_id, w), (Some(jo_session), Written::Created));
    let (f1b, w) = store.insert_feedback(jo.id, &n1).await.unwrap();
    assert_eq!((f1b.id, w), (f1.id, Written::Existing));
    let (f2, _) = store
        .insert_feedback(
            jo.id,
            &note(lu_session, "helped", "the breathing at the end"),
        )
        .await
        .unwrap();
    assert_eq!(
        f2.session_id, None,
        "another account's session is not linked"
    );
    let notes = store.feedback_notes(jo.id, None, None).await.unwrap();
    assert_eq!(notes.len(), 2);
    assert!(
        store
            .feedback_notes(lu.id, None, None)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(!store.delete_feedback(lu.id, f2.id).await.unwrap());
    assert!(store.delete_feedback(jo.id, f2.id).await.unwrap());
    assert_eq!(
        store.feedback_notes(jo.id, None, None).await.unwrap().len(),
        1
    );

    let reflection = |feedback: Option<&str>| {
        ReflectionInput {
            client_id: Some(Uuid::new_v4()),
            feedback: feedback.map(str::to_string),
            ..Default::default()
        }
        .validate()
        .unwrap()
    };
    store
        .insert_reflection(
            jo.id,
            Some(jo_session),
            t0 + Duration::hours(1),
            &reflection(Some("more of the imagery")),
        )
        .await
        .unwrap();
    store
        .insert_reflection(
            jo.id,
            Some(jo_session),
            t0 + Duration::hours(2),
            &reflection(None),
        )
        .await
        .unwrap();
    let rf = store
        .reflection_feedback(jo.id, Some(t0), None)
        .await
        .unwrap();
    assert_eq!(rf.len(), 1);
    assert_eq!(rf[0].text, "more of the imagery");
    assert_eq!(rf[0].session_id, Some(jo_session));
    assert!(
        store
            .reflection_feedback(jo.id, Some(t0 + Duration::days(1)), None)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .reflection_feedback(lu.id, None, None)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn sqlite_conformance() {
    let dir = tempfile::tempdir().unwrap();
    let store = store::open(&DatabaseUrl::sqlite_in(dir.path()))
        .await
        .unwrap();
    assert_eq!(store.backend(), "sqlite");
    story(store.clone()).await;
    therapy_story(store.clone()).await;
    journal_story(store.clone()).await;
    safety_story(store.clone()).await;
    coping_story(store.clone()).await;
    questionnaire_story(store).await;
}

#[tokio::test]
async fn postgres_conformance() {
    let Some(url) = store::testing::postgres_test_database().await else {
        return;
    };
    let store = store::open(&DatabaseUrl::parse(&url).unwrap())
        .await
        .unwrap();
    assert_eq!(store.backend(), "postgres");
    story(store.clone()).await;
    therapy_story(store.clone()).await;
    journal_story(store.clone()).await;
    safety_story(store.clone()).await;
    coping_story(store.clone()).await;
    questionnaire_story(store).await;
}

#[tokio::test]
async fn sqlite_is_durable_and_refuses_a_newer_schema() {
    use sqlx::Connection;
    let dir = tempfile::tempdir().unwrap();
    let url = DatabaseUrl::sqlite_in(dir.path());
    drop(store::open(&url).await.unwrap());
    let DatabaseUrl::Sqlite(raw) = &url else {
        unreachable!()
    };
    let mut conn = sqlx::SqliteConnection::connect(raw).await.unwrap();
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(mode, "wal");
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (999999, 'from the future', 1, x'00', 0)",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();
    let err = store::open(&url)
        .await
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("newer than this build"), "{err}");
}

#[tokio::test]
async fn postgres_refuses_a_newer_schema() {
    let Some(url) = store::testing::postgres_test_database().await else {
        return;
    };
    let parsed = DatabaseUrl::parse(&url).unwrap();
    drop(store::open(&parsed).await.unwrap());
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (999999, 'from the future', true, '\\x00', 0)",
    )
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;
    let err = store::open(&parsed)
        .await
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("newer than this build"), "{err}");
}

/// Failure counters: counted per key, forgotten after the window, cleared by a success, and
/// shared by every store opened on the same database (as instances on one PostgreSQL are).
async fn sign_in_limit_story(a: Arc<dyn Store>, b: Arc<dyn Store>) {
    let t0 = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
    let day = Duration::hours(24);
    let (pair, addr, other) = (
        "pair-key".to_string(),
        "addr-key".to_string(),
        "x".to_string(),
    );
    assert_eq!(a.sign_in_failures(&pair, t0 - day).await.unwrap(), None);
    for i in 0..3 {
        let at = t0 + Duration::seconds(i);
        a.record_sign_in_failure(&[pair.clone(), addr.clone()], at, at - day)
            .await
            .unwrap();
    }
    // The other instance sees the same counts and adds to them.
    let seen = b.sign_in_failures(&pair, t0 - day).await.unwrap().unwrap();
    assert_eq!(seen.failures, 3);
    assert_eq!(seen.last_at, t0 + Duration::seconds(2));
    let at = t0 + Duration::seconds(10);
    b.record_sign_in_failure(std::slice::from_ref(&addr), at, at - day)
        .await
        .unwrap();
    assert_eq!(
        a.sign_in_failures(&addr, t0)
            .await
            .unwrap()
            .unwrap()
            .failures,
        4
    );
    assert_eq!(
        a.sign_in_failures(&pair, t0)
            .await
            .unwrap()
            .unwrap()
            .failures,
        3
    );
    // A late write never moves the last failure backwards.
    a.record_sign_in_failure(std::slice::from_ref(&addr), t0, t0 - day)
        .await
        .unwrap();
    let late = a.sign_in_failures(&addr, t0).await.unwrap().unwrap();
    assert_eq!((late.failures, late.last_at), (5, at));

    // A success clears one key and leaves the others.
    a.clear_sign_in_failures(&pair).await.unwrap();
    assert_eq!(b.sign_in_failures(&pair, t0 - day).await.unwrap(), None);
    assert_eq!(
        b.sign_in_failures(&addr, t0 - day)
            .await
            .unwrap()
            .map(|c| c.failures),
        Some(5)
    );

    // A day later the old count is forgotten: reads ignore it, the next failure starts again
    // at one, and stale rows of other keys are deleted on the way.
    let later = at + day + Duration::seconds(1);
    assert_eq!(a.sign_in_failures(&addr, later - day).await.unwrap(), None);
    b.record_sign_in_failure(&[pair.clone(), addr.clone()], t0, t0 - day)
        .await
        .unwrap();
    a.record_sign_in_failure(std::slice::from_ref(&other), later, later - day)
        .await
        .unwrap();
    assert_eq!(a.sign_in_failures(&pair, t0 - day).await.unwrap(), None);
    a.record_sign_in_failure(std::slice::from_ref(&addr), later, later - day)
        .await
        .unwrap();
    let fresh = a
        .sign_in_failures(&addr, later - day)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((fresh.failures, fresh.last_at), (1, later));
    assert_eq!(
        a.sign_in_failures(&addr, t0 - day)
            .await
            .unwrap()
            .map(|c| c.failures),
        Some(1)
    );
}

#[tokio::test]
async fn sqlite_sign_in_limits_are_shared_by_stores_on_one_file() {
    let dir = tempfile::tempdir().unwrap();
    let url = DatabaseUrl::sqlite_in(dir.path());
    let a = store::open(&url).await.unwrap();
    let b = store::open(&url).await.unwrap();
    sign_in_limit_story(a, b).await;
}

#[tokio::test]
async fn postgres_sign_in_limits_are_shared_by_stores_on_one_database() {
    let Some(url) = store::testing::postgres_test_database().await else {
        return;
    };
    let url = DatabaseUrl::parse(&url).unwrap();
    let a = store::open(&url).await.unwrap();
    let b = store::open(&url).await.unwrap();
    sign_in_limit_story(a, b).await;
}
