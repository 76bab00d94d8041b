use super::*;

/// Feedback notes, tied to this account's sessions only, and post-session feedback.
pub(crate) async fn story(store: Arc<dyn Store>) {
    use domain::feedback::FeedbackInput;

    use domain::therapy::ReflectionInput;

    let (jo, lu) = two_accounts(&store, "jo.journal@example.org", "lu.journal@example.org").await;
    let t0 = Utc.with_ymd_and_hms(2026, 11, 3, 15, 0, 0).unwrap();

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
