use super::*;

/// PHQ-9 and GAD-7 answers.
pub(crate) async fn story(store: Arc<dyn Store>) {
    use domain::questionnaire::{Difficulty, Instrument, QuestionnaireInput};

    let (cai, dee) = two_accounts(&store, "cai@example.org", "dee@example.org").await;
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

    // The latest of one instrument up to a moment (inclusive), this account's only.
    let latest_at = |instrument, until| {
        let store = store.clone();
        async move {
            store
                .latest_questionnaire(cai.id, instrument, until)
                .await
                .unwrap()
                .map(|q| q.content.client_id)
        }
    };
    let end = t0 + Duration::days(30);
    assert_eq!(
        latest_at(Instrument::Phq9, end).await,
        Some(latest.client_id)
    );
    assert_eq!(
        latest_at(Instrument::Phq9, t0 + Duration::days(14)).await,
        Some(latest.client_id)
    );
    assert_eq!(
        latest_at(Instrument::Phq9, t0 + Duration::days(13)).await,
        Some(first.client_id)
    );
    assert_eq!(latest_at(Instrument::Gad7, end).await, Some(gad.client_id));
    assert_eq!(latest_at(Instrument::Gad7, t0).await, None);
    assert_eq!(
        latest_at(Instrument::Phq9, t0 - Duration::seconds(1)).await,
        None
    );

    // One by id, this account's only.
    let by_id = store.questionnaire(cai.id, stored.id).await.unwrap();
    assert_eq!(by_id.map(|q| q.content), Some(first.clone()));
    assert!(
        store
            .questionnaire(dee.id, stored.id)
            .await
            .unwrap()
            .is_none()
    );

    // Nothing crosses between accounts.
    let dees = store.questionnaires(dee.id, None, None).await.unwrap();
    assert_eq!(dees.len(), 1);
    assert_eq!(dees[0].total(), 21);
    assert_eq!(dees[0].account_id, dee.id);
}
