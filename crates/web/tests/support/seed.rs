//! An account holding at least one row of every kind of data a person can keep, written the
//! way a person writes it: through the pages' forms and the JSON API, never the store.
//!
//! Tests that must cover every table of account data (export and import, deletion,
//! encryption at rest) start from here. A caller-chosen marker goes into every free-text
//! field, so a test can look for it where it must (an export) or must not (the database
//! files) appear.

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::{TestApp, days_ago, enc, hidden};

/// What [`seed_every_kind`] made.
pub struct Seeded {
    /// The session cookie header value (`sid=…`) of the account.
    pub cookie: String,
    /// The account's email.
    pub email: String,
}

/// The tables [`seed_every_kind`] writes at least one row of, besides `accounts`: every table
/// of account data in the schema. A test comparing it with the database's catalogue finds
/// a new table this seeding does not reach yet.
pub const SEEDED_TABLES: &[&str] = &[
    "agenda_items",
    // Bedtime routine.
    "bedtime_routines",
    "checkins",
    "coping_list_items",
    "coping_tool_totals",
    "coping_uses",
    "feedback_notes",
    "guidance_changes",
    "guidance_summaries",
    "homework",
    "homework_log",
    "journal_entries",
    "plan_versions",
    "questionnaires",
    "reflections",
    "therapy_sessions",
    // Thought records.
    "thought_records",
    // Two-step sign-in: a key shown for setting it up, waiting for its first code (signing
    // in still asks only for the password).
    "second_factors",
];

/// POSTs JSON and expects a new item.
async fn create(t: &TestApp, cookie: &str, path: &str, body: Value) -> Value {
    let r = t.post_json(path, cookie, &body.to_string()).await;
    assert_eq!(r.status, StatusCode::CREATED, "POST {path}: {}", r.body);
    r.json()
}

/// POSTs a form and expects the redirect that follows a save.
async fn submit(t: &TestApp, cookie: &str, path: &str, form: &str) {
    let r = t.post_form(path, cookie, form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "POST {path}: {}", r.body);
}

/// Signs up `email` and gives the account one or more rows of every kind of data, with
/// `marker` in every free-text field. `marker` must be letters and digits only: it also goes
/// into the local part of the therapist's email address.
pub async fn seed_every_kind(t: &TestApp, email: &str, marker: &str) -> Seeded {
    assert!(
        !marker.is_empty() && marker.chars().all(|c| c.is_ascii_alphanumeric()),
        "a marker of letters and digits"
    );
    let cookie = t.sign_up(email).await;
    let c = cookie.as_str();
    let m = marker;
    let csrf = hidden(&t.get("/settings", Some(c)).await.body, "csrf");

    // The profile's therapist contact.
    submit(
        t,
        c,
        "/settings",
        &format!(
            "csrf={csrf}&country=GB&timezone=Europe%2FLondon&usual_mood=7&therapist_name={}&therapist_phone=%2B44+20+7946+0000&therapist_email={}&always_ask_safety=yes",
            enc(&format!("Dr {m}")),
            enc(&format!("{m}@clinic.example")),
        ),
    )
    .await;

    // Check-ins: one with every detail, and a low one with a "yes" to the safety question, so
    // guidance changes level and records it.
    create(
        t,
        c,
        "/api/v1/checkins",
        json!({"client_id": uuid::Uuid::new_v4(), "at": days_ago(3), "mood": 6, "anxiety": 4,
            "energy": 5, "body": ["headache", "tension"], "usual_activities": "partly",
            "missed_usual_activities": true, "harder_today": ["sleep"], "sleep_hours": 6.5,
            "substances": format!("coffee {m}"), "self_harm_thoughts": false,
            "note": format!("a long day, \"tired\", {m}")}),
    )
    .await;
    create(
        t,
        c,
        "/api/v1/checkins",
        json!({"client_id": uuid::Uuid::new_v4(), "at": days_ago(1), "mood": 1,
            "self_harm_thoughts": true, "note": format!("very low {m}")}),
    )
    .await;
    create(
        t,
        c,
        "/api/v1/checkins",
        json!({"client_id": uuid::Uuid::new_v4(), "at": days_ago(0), "mood": 2,
            "self_harm_thoughts": "rather_not_say"}),
    )
    .await;
    let guidance = t.get("/api/v1/guidance", Some(c)).await;
    assert_eq!(guidance.status, StatusCode::OK, "{}", guidance.body);
    // The home page reads guidance too, which keeps its summary.
    assert_eq!(t.get("/", Some(c)).await.status, StatusCode::OK);

    // Sessions: one with a note two days ago, and a weekly series.
    let one = create(
        t,
        c,
        "/api/v1/sessions",
        json!({"client_id": uuid::Uuid::new_v4(), "at": days_ago(2),
            "note": format!("room 4 {m}")}),
    )
    .await;
    let session_id = one["sessions"][0]["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("a session id in {one}"));
    create(
        t,
        c,
        "/api/v1/sessions",
        json!({"client_id": uuid::Uuid::new_v4(), "at": days_ago(-5), "repeat": "weekly"}),
    )
    .await;

    // A reflection on the session, with topics for the agenda.
    let reflect = format!("/sessions/{session_id}/reflect");
    let page = t.get(&reflect, Some(c)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let client_id = hidden(&page.body, "client_id");
    submit(
        t,
        c,
        &reflect,
        &format!(
            "csrf={csrf}&client_id={client_id}&session_feeling=4&came_up=ran_out_of_time&feedback={}&topics={}",
            enc(&format!("it went fast {m}")),
            enc(&format!("my sister {m}")),
        ),
    )
    .await;

    // Agenda, journal (one entry brought to the next session), homework and its log.
    let topic = create(
        t,
        c,
        "/api/v1/agenda",
        json!({"client_id": uuid::Uuid::new_v4(), "text": format!("sleep {m}")}),
    )
    .await;
    // Moved up past the reflection's topic, so it has a place of its own.
    let moved = t
        .send(
            axum::http::Request::patch(format!("/api/v1/agenda/{}", topic["id"]))
                .header(axum::http::header::COOKIE, c)
                .header(axum::http::header::CONTENT_TYPE, "application/json")
                .body(axum::body::Body::from(json!({"move": "up"}).to_string()))
                .unwrap_or_else(|e| panic!("{e}")),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "move: {}", moved.body);
    create(
        t,
        c,
        "/api/v1/journal",
        json!({"client_id": uuid::Uuid::new_v4(), "at": days_ago(2),
            "text": format!("Walked to the river, {m}.")}),
    )
    .await;
    create(
        t,
        c,
        "/api/v1/journal",
        json!({"client_id": uuid::Uuid::new_v4(), "bring_to_session": true,
            "text": format!("The argument with my sister {m}")}),
    )
    .await;
    let homework = create(
        t,
        c,
        "/api/v1/homework",
        json!({"client_id": uuid::Uuid::new_v4(), "text": format!("one good moment {m}"),
            "frequency": "daily"}),
    )
    .await;
    let homework_id = homework["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("a homework id in {homework}"));
    create(
        t,
        c,
        &format!("/api/v1/homework/{homework_id}/log"),
        json!({"client_id": uuid::Uuid::new_v4(), "note": format!("the sunset {m}")}),
    )
    .await;

    // Feedback for the therapist, about the session.
    let page = t.get("/feedback", Some(c)).await;
    let client_id = hidden(&page.body, "client_id");
    submit(
        t,
        c,
        "/feedback",
        &format!(
            "csrf={csrf}&client_id={client_id}&session_id={session_id}&kind=helped&text={}",
            enc(&format!("the breathing helped {m}")),
        ),
    )
    .await;

    // The coping toolkit: a rated use with a note, and an item on each list.
    create(
        t,
        c,
        "/api/v1/coping-uses",
        json!({"client_id": uuid::Uuid::new_v4(), "tool": "box-breathing",
            "started_at": days_ago(1), "distress_before": 7, "distress_after": 4,
            "note": format!("calmer {m}")}),
    )
    .await;
    for kind in ["self_care", "distraction"] {
        submit(
            t,
            c,
            &format!("/toolkit/lists/{kind}"),
            &format!("csrf={csrf}&text={}", enc(&format!("{kind} {m}"))),
        )
        .await;
    }

    // Bedtime routine: made on its page, one suggestion and one step in the
    // person's words, and ticked off tonight (a coping use whose note holds the steps).
    submit(
        t,
        c,
        "/toolkit/bedtime-routine/edit",
        &format!(
            "csrf={csrf}&suggested={}&own={}&own=&target_time=22%3A30",
            enc("Dim the lights"),
            enc(&format!("stretch {m}")),
        ),
    )
    .await;
    submit(
        t,
        c,
        "/toolkit/bedtime-routine",
        &format!("csrf={csrf}&ticked=0&ticked=1"),
    )
    .await;

    // Questionnaires.
    create(
        t,
        c,
        "/api/v1/questionnaires",
        json!({"client_id": uuid::Uuid::new_v4(), "instrument": "phq9",
            "answers": [1, 1, 1, 0, 1, 0, 1, 0, 0], "difficulty": "somewhat_difficult"}),
    )
    .await;
    create(
        t,
        c,
        "/api/v1/questionnaires",
        json!({"client_id": uuid::Uuid::new_v4(), "instrument": "gad7",
            "answers": [1, 1, 0, 1, 0, 1, 0]}),
    )
    .await;

    // Both plans, two versions each.
    for version in 1..=2 {
        submit(
            t,
            c,
            "/safety-plan",
            &format!(
                "csrf={csrf}&warning_signs={}&on_my_own={}&distractions={}&helper_name={}&helper_phone=%2B44+7700+900123&safer_surroundings={}&reasons_for_living={}",
                enc(&format!("not sleeping {m} v{version}")),
                enc(&format!("a hot shower {m}")),
                enc(&format!("the park {m}")),
                enc(&format!("Alex {m}")),
                enc(&format!("give the pills to Alex {m}")),
                enc(&format!("my cat {m}")),
            ),
        )
        .await;
        submit(
            t,
            c,
            "/backsliding-plan",
            &format!(
                "csrf={csrf}&warning_signs={}&own_stressors={}&coping_skills={}&next_steps={}&goal={}&net_name={}&net_phone=%2B44+7700+900456&past_wins={}&prevention={}",
                enc(&format!("skipping meals {m} v{version}")),
                enc(&format!("exams {m}")),
                enc(&format!("walks {m}")),
                enc(&format!("call my therapist {m}")),
                enc(&format!("keep going {m}")),
                enc(&format!("Sam {m}")),
                enc(&format!("last spring {m}")),
                enc(&format!("sleep on time {m}")),
            ),
        )
        .await;
    }

    // Thought records: one finished and brought to the session, whose feelings
    // eased (so it has a use of the tool), and a draft.
    create(
        t,
        c,
        "/api/v1/thought-records",
        json!({"client_id": uuid::Uuid::new_v4(), "situation": format!("the bus {m}"),
            "feelings": [{"name": format!("Anxious {m}"), "before": 80, "after": 40}],
            "thought": format!("they all stared {m}"),
            "evidence_for": format!("one laughed {m}"),
            "evidence_against": format!("most looked at phones {m}"),
            "traps": ["mind_reading"], "balanced": format!("nobody noticed much {m}"),
            "bring_to_session": true}),
    )
    .await;
    create(
        t,
        c,
        "/api/v1/thought-records",
        json!({"client_id": uuid::Uuid::new_v4(), "situation": format!("a draft {m}"),
            "status": "draft"}),
    )
    .await;

    // Two-step sign-in: opening its page keeps a new key, sealed, for setting it up.
    let r = t.get("/settings/account/two-step", Some(c)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    Seeded {
        cookie,
        email: email.to_string(),
    }
}

// Sharing with a therapist.

/// The tables [`seed_sharing`] writes at least one row of for a client: sharing needs a
/// therapist account, which only the operator makes, so these are seeded apart from
/// [`seed_every_kind`] by the tests that hold the app (deletion, and the sharing tests).
pub const SHARING_TABLES: &[&str] = &["audit_log", "share_grants", "share_invites"];

/// The therapist every [`seed_sharing`] on one site shares with.
pub const SEEDED_THERAPIST: &str = "therapist@example.org";

/// Gives the signed-in client (`cookie`) one pending invite and one grant to the site's
/// therapist (made on first use, as the operator makes accounts), and one audit row of the
/// therapist reading their check-ins. The audit row is written by SQL as a therapist's read
/// writes it: the reading itself is the caseload's, tested there.
pub async fn seed_sharing(site: &super::lifecycle::Site, cookie: &str, marker: &str) {
    if site.app.account_by_email(SEEDED_THERAPIST).await.is_err() {
        site.app
            .add_user(app::NewUser {
                email: SEEDED_THERAPIST.into(),
                password: super::lifecycle::PASSWORD.into(),
                role: domain::account::Role::Therapist,
                country: Some("GB".into()),
                timezone: Some("Europe/London".into()),
            })
            .await
            .unwrap();
    }
    // The therapist joins with an operator-made API token, which stands in for two-step
    // sign-in, and the token goes again, so every seeding leaves the same rows behind for
    // the therapist.
    let therapist = site
        .app
        .create_token_for(SEEDED_THERAPIST, Some("seeding"), None)
        .await
        .unwrap()
        .secret;
    let mut codes = Vec::new();
    for scopes in [json!(["checkins", "plans"]), json!(["questionnaires"])] {
        let made = create(
            &site.t,
            cookie,
            "/api/v1/sharing/invites",
            json!({"scopes": scopes, "display_name": format!("Client {marker}"), "alerts": true}),
        )
        .await;
        codes.push(made["code"].as_str().unwrap().to_string());
    }
    let joined = create(
        &site.t,
        &therapist,
        "/api/v1/therapist/clients",
        json!({"code": codes[0]}),
    )
    .await;
    let grant = joined["client"]["id"].as_i64().unwrap();
    site.app
        .revoke_token_named(SEEDED_THERAPIST, "seeding")
        .await
        .unwrap();
    let sql = format!(
        "INSERT INTO audit_log (client_id, therapist_id, therapist_name, grant_id, at_ms, kind, \
         what, endpoint) SELECT client_id, therapist_id, 'Dr {marker}', id, {}, 'read', \
         'checkins', '/api/v1/therapist/clients/{grant}/checkins' FROM share_grants \
         WHERE id = {grant}",
        chrono::Utc::now().timestamp_millis()
    );
    use sqlx::Connection;
    match &site.url {
        store::DatabaseUrl::Sqlite(u) => {
            let mut c = sqlx::SqliteConnection::connect(u).await.unwrap();
            sqlx::query(&sql).execute(&mut c).await.unwrap();
            c.close().await.unwrap();
        }
        store::DatabaseUrl::Postgres(u) => {
            let mut c = sqlx::PgConnection::connect(u).await.unwrap();
            sqlx::query(&sql).execute(&mut c).await.unwrap();
            c.close().await.unwrap();
        }
    }
}
