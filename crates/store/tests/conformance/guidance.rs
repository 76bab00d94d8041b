use super::*;

use domain::guidance::{Level, assess};
use domain::history::{CheckInRecord, History, QuestionnaireRecord};
use domain::questionnaire::{Answers, Instrument, NewQuestionnaire};

fn checkin(at: chrono::DateTime<Utc>, mood: i64) -> domain::checkin::NewCheckIn {
    CheckInInput {
        client_id: Some(Uuid::new_v4()),
        at: Some(at),
        mood: Some(mood),
        ..Default::default()
    }
    .validate(Utc::now())
    .unwrap()
}

/// Guidance kept by the store: the level its writes record equals the engine's answer on
/// the whole history, a change of level is recorded once even when many writes for one
/// account race, and one failing write in a batch leaves the others stored.
pub(crate) async fn story(store: Arc<dyn Store>) {
    let (sam, kim) = two_accounts(&store, "sam@example.org", "kim@example.org").await;
    let now = Utc::now();
    let start = now - Duration::days(42);

    // Forty ordinary days, then three low ones: the engine says "reach out".
    let mut history = History::new(sam.timezone);
    history.usual_mood = sam.usual_mood;
    for day in 0..40 {
        let at = start + Duration::days(day);
        let mood = 6 + day % 3;
        store
            .insert_checkin(sam.id, &checkin(at, mood))
            .await
            .unwrap();
        history
            .checkins
            .push(CheckInRecord::new(at, Rating::new(mood).unwrap()));
    }
    for day in 40..43 {
        let at = start + Duration::days(day);
        store.insert_checkin(sam.id, &checkin(at, 3)).await.unwrap();
        history
            .checkins
            .push(CheckInRecord::new(at, Rating::new(3).unwrap()));
    }
    // A PHQ-9 counts too.
    let phq = NewQuestionnaire {
        client_id: Uuid::new_v4(),
        at: start + Duration::days(42),
        answers: Answers::new(Instrument::Phq9, &[2, 2, 1, 1, 2, 1, 1, 1, 0]).unwrap(),
        difficulty: None,
    };
    store.insert_questionnaire(sam.id, &phq).await.unwrap();
    history.questionnaires.push(QuestionnaireRecord {
        at: phq.at,
        answers: phq.answers.clone(),
    });

    let expected = assess(&history, now);
    assert_eq!(expected.level, Level::ReachOut, "{expected:?}");
    assert_eq!(store.current_guidance(sam.id, now).await.unwrap(), expected);
    // The first write recorded "steady" (too few days for a baseline), the low days
    // "reach out": one row per change, however many writes came between.
    let levels: Vec<Level> = store
        .guidance_history(sam.id, None)
        .await
        .unwrap()
        .iter()
        .map(|c| c.level)
        .collect();
    assert_eq!(levels, vec![Level::Steady, Level::ReachOut]);
    // Reading guidance records nothing new when nothing changed.
    store.current_guidance(sam.id, now).await.unwrap();
    assert_eq!(store.guidance_history(sam.id, None).await.unwrap().len(), 2);

    // Check-ins from long ago (an import) set the summary aside rather than rebuilding it at
    // every write; the next read rebuilds it once, and the answer is still the engine's on
    // the whole history: a low stretch reaching back into them counts their days.
    for day in 0..30 {
        let at = start - Duration::days(400 - day);
        store.insert_checkin(sam.id, &checkin(at, 2)).await.unwrap();
        history
            .checkins
            .push(CheckInRecord::new(at, Rating::new(2).unwrap()));
    }
    let today = checkin(now, 3);
    store.insert_checkin(sam.id, &today).await.unwrap();
    history
        .checkins
        .push(CheckInRecord::new(now, Rating::new(3).unwrap()));
    let later = now + Duration::minutes(1);
    assert_eq!(
        store.current_guidance(sam.id, later).await.unwrap(),
        assess(&history, later)
    );
    assert_eq!(store.guidance_history(sam.id, None).await.unwrap().len(), 2);

    // Many check-ins for one account at once: its first level is recorded once.
    let mut writes = Vec::new();
    for _ in 0..48 {
        let store = store.clone();
        let c = checkin(Utc::now(), 8);
        writes.push(tokio::spawn(async move {
            store.insert_checkin(kim.id, &c).await.map(|_| ())
        }));
    }
    for w in writes {
        w.await.unwrap().unwrap();
    }
    let kim_levels = store.guidance_history(kim.id, None).await.unwrap();
    assert_eq!(kim_levels.len(), 1, "{kim_levels:?}");
    assert_eq!(kim_levels[0].level, Level::Steady);
    assert_eq!(
        store.checkins(kim.id, None, None).await.unwrap().len(),
        48,
        "every write stored"
    );

    // A write that fails (a client id already used by another check-in with an answer the
    // database refuses is hard to make; a duplicate email is not) does not fail the writes
    // batched with it.
    let mut writes = Vec::new();
    for i in 0..16 {
        let store = store.clone();
        writes.push(tokio::spawn(async move {
            if i % 4 == 0 {
                // Taken: refused with a conflict.
                store
                    .create_account(&new_account("sam@example.org"))
                    .await
                    .map(|_| false)
            } else {
                store
                    .insert_checkin(kim.id, &checkin(Utc::now(), 7))
                    .await
                    .map(|_| true)
            }
        }));
    }
    let mut stored = 0;
    for w in writes {
        match w.await.unwrap() {
            Ok(true) => stored += 1,
            Ok(false) => panic!("a second account with a taken email"),
            Err(StoreError::Conflict { field, .. }) => assert_eq!(field, "email"),
            Err(e) => panic!("unexpected {e}"),
        }
    }
    assert_eq!(stored, 12);
    assert_eq!(store.checkins(kim.id, None, None).await.unwrap().len(), 60);
}
