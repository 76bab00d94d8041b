//! Strict input: times within bounds, no control characters, person-written text isolated
//! on the page, a client id that can't be re-used for other content, and Between's own
//! pages for every rejection on the HTML routes.
// Helpers outside `#[test]` fns unwrap too; clippy.toml's test allowances reach only the tests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{Duration, Utc};
use serde_json::{Value, json};
use support::*;
use uuid::Uuid;

async fn csrf_of(t: &TestApp, path: &str, cookie: &str) -> String {
    hidden(&t.get(path, Some(cookie)).await.body, "csrf")
}

fn in_future(days: i64) -> String {
    (Utc::now() + Duration::days(days)).to_rfc3339()
}

/// Asserts that every place `needle` appears in a page is either inside a tag (an attribute
/// value, which takes no part in the text's direction) or in an element that isolates it:
/// `<bdi>`, or any element with `dir="auto"`.
fn assert_isolated(page: &str, needle: &str, what: &str) {
    let mut found = 0;
    for (at, _) in page.match_indices(needle) {
        found += 1;
        let before = &page[..at];
        let open = before.rfind('<').unwrap();
        let inside_tag = !before[open..].contains('>');
        if inside_tag {
            continue;
        }
        let tag = &before[open..before[open..].find('>').unwrap() + open + 1];
        assert!(
            tag.starts_with("<bdi") || tag.contains("dir=\"auto\""),
            "{what}: {needle:?} rendered in {tag} without isolation"
        );
    }
    assert!(found > 0, "{what}: the text is not on the page");
}

#[tokio::test]
async fn bidi_overrides_in_person_text_cannot_reorder_the_page() {
    let t = test_app().await;
    let c = t.sign_up("sam@example.org").await;
    // U+202E RIGHT-TO-LEFT OVERRIDE with no closing U+202C: unisolated, it would reverse
    // everything after it in its paragraph.
    let evil = "my week \u{202e}evil tail";
    let entry = t
        .post_json(
            "/api/v1/journal",
            &c,
            &json!({"client_id": Uuid::new_v4(), "text": evil, "bring_to_session": true})
                .to_string(),
        )
        .await;
    assert_eq!(entry.status, StatusCode::CREATED, "{}", entry.body);
    let id = entry.json()["id"].as_i64().unwrap();
    let hebrew = "שלום, היה שבוע קשה";
    let homework = t
        .post_json(
            "/api/v1/homework",
            &c,
            &json!({"client_id": Uuid::new_v4(), "text": format!("{hebrew} \u{202e}x")})
                .to_string(),
        )
        .await;
    assert_eq!(homework.status, StatusCode::CREATED, "{}", homework.body);

    for path in [
        "/journal".to_string(),
        format!("/journal/{id}/edit"),
        format!("/journal/{id}/delete"),
        "/agenda".to_string(),
        "/brief".to_string(),
        "/homework".to_string(),
        "/".to_string(),
    ] {
        let page = t.get(&path, Some(&c)).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert_isolated(&page.body, "\u{202e}", &path);
    }
    // The journal shows the entry in a block that isolates it, and right-to-left writing
    // comes back exactly as written.
    let journal = t.get("/journal", Some(&c)).await.body;
    assert!(journal.contains(&format!(
        "<p class=\"journal-text\" dir=\"auto\">{evil}</p>"
    )));
    let list = t.get("/homework", Some(&c)).await.body;
    assert!(list.contains(hebrew));
    assert_isolated(&list, hebrew, "/homework");
}

#[tokio::test]
async fn every_page_isolates_what_people_wrote() {
    let t = test_app().await;
    let c = t.sign_up("sam@example.org").await;
    let rlo = "\u{202e}";
    let w = |what: &str| format!("{what} {rlo}reversed");
    let id = || Uuid::new_v4();
    for (path, body) in [
        (
            "/api/v1/checkins".to_string(),
            json!({"client_id": id(), "mood": 6, "note": w("note"), "substances": w("wine"),
                   "harder_today": [w("tag")]}),
        ),
        (
            "/api/v1/sessions".to_string(),
            json!({"client_id": id(), "at": days_ago(2), "note": w("room")}),
        ),
        (
            "/api/v1/sessions".to_string(),
            json!({"client_id": id(), "at": in_future(2), "note": w("video")}),
        ),
        (
            "/api/v1/agenda".to_string(),
            json!({"client_id": id(), "text": w("topic")}),
        ),
        (
            "/api/v1/coping-uses".to_string(),
            json!({"client_id": id(), "tool": "park-it", "note": w("parked")}),
        ),
        (
            "/api/v1/journal".to_string(),
            json!({"client_id": id(), "text": w("entry"), "parked": true}),
        ),
    ] {
        let r = t.post_json(&path, &c, &body.to_string()).await;
        assert_eq!(r.status, StatusCode::CREATED, "{path}: {}", r.body);
    }
    let hw = t
        .post_json(
            "/api/v1/homework",
            &c,
            &json!({"client_id": id(), "text": w("task"), "frequency": "daily"}).to_string(),
        )
        .await
        .json();
    let hw_id = hw["id"].as_i64().unwrap();
    let log = t
        .post_json(
            &format!("/api/v1/homework/{hw_id}/log"),
            &c,
            &json!({"client_id": id(), "note": w("went well")}).to_string(),
        )
        .await;
    assert_eq!(log.status, StatusCode::CREATED, "{}", log.body);

    // Forms: the therapist's name, a safety plan, a list item, a feedback note.
    let csrf = csrf_of(&t, "/settings", &c).await;
    let saved = t
        .post_form(
            "/settings",
            &c,
            &format!(
                "csrf={csrf}&country=GB&timezone=Europe%2FLondon&usual_mood=7&therapist_name={}&therapist_phone=020+7946+0000",
                enc(&w("Dr Ada"))
            ),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let csrf = csrf_of(&t, "/safety-plan/edit", &c).await;
    let saved = t
        .post_form(
            "/safety-plan",
            &c,
            &format!(
                "csrf={csrf}&warning_signs={}&helper_name={}&helper_phone=07700900123&reasons_for_living={}",
                enc(&w("sign")),
                enc(&w("Jo")),
                enc(&w("my cat"))
            ),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let csrf = csrf_of(&t, "/toolkit/lists", &c).await;
    let saved = t
        .post_form(
            "/toolkit/lists/self_care",
            &c,
            &format!("csrf={csrf}&text={}", enc(&w("bath"))),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let csrf = csrf_of(&t, "/feedback", &c).await;
    let saved = t
        .post_form(
            "/feedback",
            &c,
            &format!(
                "csrf={csrf}&client_id={}&kind=helped&text={}",
                id(),
                enc(&w("the breathing"))
            ),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);

    for path in [
        "/",
        "/history",
        "/journal",
        "/journal?show=parked",
        "/agenda",
        "/brief",
        "/homework",
        "/sessions",
        "/feedback",
        "/contact",
        "/settings",
        "/safety-plan",
        "/safety-plan/edit",
        "/backsliding-plan/edit",
        "/toolkit/lists",
        "/toolkit/self-care",
    ] {
        let page = t.get(path, Some(&c)).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        if page.body.contains(rlo) {
            assert_isolated(&page.body, rlo, path);
        }
    }
    // The pages that must show the text do show it.
    for path in [
        "/history",
        "/agenda",
        "/homework",
        "/sessions",
        "/feedback",
        "/safety-plan",
    ] {
        let page = t.get(path, Some(&c)).await;
        assert!(page.body.contains(rlo), "{path} does not show the text");
    }
}

#[tokio::test]
async fn control_characters_are_refused_and_line_breaks_normalised() {
    for (backend, t) in test_apps().await {
        let c = t.sign_up("sam@example.org").await;
        let id = || Uuid::new_v4();
        // One NUL byte as a journal entry, the example; then every other writer.
        let cases = [
            (
                "/api/v1/journal",
                json!({"client_id": id(), "text": "\u{0}"}),
                "text",
            ),
            (
                "/api/v1/checkins",
                json!({"client_id": id(), "mood": 5, "note": "fine\u{7}"}),
                "note",
            ),
            (
                "/api/v1/checkins",
                json!({"client_id": id(), "mood": 5, "harder_today": ["a\u{1b}[2J"]}),
                "harder_today",
            ),
            (
                "/api/v1/agenda",
                json!({"client_id": id(), "text": "topic\u{0}"}),
                "text",
            ),
            (
                "/api/v1/homework",
                json!({"client_id": id(), "text": "breathe\u{85}"}),
                "text",
            ),
            (
                "/api/v1/coping-uses",
                json!({"client_id": id(), "tool": "box-breathing", "note": "\u{7f}"}),
                "note",
            ),
            (
                "/api/v1/sessions",
                json!({"client_id": id(), "at": days_ago(1), "note": "room\u{0}2"}),
                "note",
            ),
        ];
        for (path, body, field) in cases {
            let r = t.post_json(path, &c, &body.to_string()).await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{backend} {path}: {}",
                r.body
            );
            assert_eq!(r.json()["error"]["field"], field, "{backend} {path}");
        }
        let journal: Value = t.get("/api/v1/journal", Some(&c)).await.json();
        assert!(
            journal["entries"].as_array().unwrap().is_empty(),
            "{backend}"
        );
        let agenda: Value = t.get("/api/v1/agenda", Some(&c)).await.json();
        assert!(agenda["items"].as_array().unwrap().is_empty(), "{backend}");

        // A browser's textarea sends CRLF: it is kept as a line break, not refused.
        let crlf = t
            .post_json(
                "/api/v1/journal",
                &c,
                &json!({"client_id": id(), "text": "first\r\nsecond\tindented"}).to_string(),
            )
            .await;
        assert_eq!(crlf.status, StatusCode::CREATED, "{backend}: {}", crlf.body);
        assert_eq!(crlf.json()["text"], "first\nsecond\tindented", "{backend}");

        // The form says so beside the field and keeps what was typed.
        let csrf = csrf_of(&t, "/journal", &c).await;
        let form = t
            .post_form(
                "/journal",
                &c,
                &format!(
                    "csrf={csrf}&client_id={}&text={}",
                    id(),
                    enc("dear diary\u{1}")
                ),
            )
            .await;
        assert_eq!(form.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        assert!(
            form.body.contains("invisible control character"),
            "{backend}"
        );
        assert!(form.body.contains("dear diary"), "{backend}");
    }
}

#[tokio::test]
async fn times_outside_their_bounds_are_refused_with_the_field() {
    for (backend, t) in test_apps().await {
        let c = t.sign_up("sam@example.org").await;
        let id = || Uuid::new_v4();
        // Dates the issue found stored, and a day and a bit ahead.
        for at in [
            "0001-01-01T00:00:00Z",
            "-0001-01-01T00:00:00Z",
            "1000-01-01T00:00:00Z",
            "1999-12-31T23:59:59Z",
            &in_future(2),
        ] {
            let cases = [
                (
                    "/api/v1/checkins",
                    json!({"client_id": id(), "mood": 5, "at": at}),
                    "at",
                ),
                (
                    "/api/v1/coping-uses",
                    json!({"client_id": id(), "tool": "box-breathing", "started_at": at}),
                    "started_at",
                ),
                (
                    "/api/v1/questionnaires",
                    json!({"client_id": id(), "instrument": "gad7",
                           "answers": [0, 0, 0, 0, 0, 0, 0], "at": at}),
                    "at",
                ),
                (
                    "/api/v1/journal",
                    json!({"client_id": id(), "text": "hello", "at": at}),
                    "at",
                ),
            ];
            for (path, body, field) in cases {
                let r = t.post_json(path, &c, &body.to_string()).await;
                if r.status == StatusCode::BAD_REQUEST {
                    // A year before 0 may not even parse as a time; that is refused too.
                    continue;
                }
                assert_eq!(
                    r.status,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "{backend} {path} {at}: {}",
                    r.body
                );
                assert_eq!(r.json()["error"]["field"], field, "{backend} {path} {at}");
            }
        }
        let checkins: Value = t.get("/api/v1/checkins", Some(&c)).await.json();
        assert!(
            checkins["checkins"].as_array().unwrap().is_empty(),
            "{backend}"
        );

        // The edges are fine: 2000-01-01, and within a day ahead (clocks and zones differ).
        for at in ["2000-01-01T00:00:00Z".to_string(), in_future(0)] {
            let r = t
                .post_json(
                    "/api/v1/checkins",
                    &c,
                    &json!({"client_id": id(), "mood": 5, "at": at}).to_string(),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{backend} {at}: {}", r.body);
        }

        // Sessions and due dates may be planned, but not for 9999.
        for at in [
            "0001-01-01T10:00:00Z",
            "9999-01-01T10:00:00Z",
            &in_future(800),
        ] {
            let r = t
                .post_json(
                    "/api/v1/sessions",
                    &c,
                    &json!({"client_id": id(), "at": at}).to_string(),
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend} {at}");
            assert_eq!(r.json()["error"]["field"], "at", "{backend} {at}");
        }
        let planned = t
            .post_json(
                "/api/v1/sessions",
                &c,
                &json!({"client_id": id(), "at": in_future(700)}).to_string(),
            )
            .await;
        assert_eq!(planned.status, StatusCode::CREATED, "{backend}");
        for due in ["0001-01-01", "1999-12-31", "9999-01-01"] {
            let r = t
                .post_json(
                    "/api/v1/homework",
                    &c,
                    &json!({"client_id": id(), "text": "letter", "due_on": due}).to_string(),
                )
                .await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{backend} {due}"
            );
            assert_eq!(r.json()["error"]["field"], "due_on", "{backend} {due}");
        }
        let hw = t
            .post_json(
                "/api/v1/homework",
                &c,
                &json!({"client_id": id(), "text": "letter"}).to_string(),
            )
            .await
            .json();
        let hw_id = hw["id"].as_i64().unwrap();
        let late_log = t
            .post_json(
                &format!("/api/v1/homework/{hw_id}/log"),
                &c,
                &json!({"client_id": id(), "at": "0001-01-01T00:00:00Z"}).to_string(),
            )
            .await;
        assert_eq!(
            late_log.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}"
        );
        assert_eq!(late_log.json()["error"]["field"], "at", "{backend}");

        // Forms: a kind message beside the field, and the date as typed stays in it.
        let csrf = csrf_of(&t, "/sessions", &c).await;
        let form = t
            .post_form(
                "/sessions",
                &c,
                &format!("csrf={csrf}&date=0001-01-01&time=10%3A00&repeat=once&note=intake"),
            )
            .await;
        assert_eq!(form.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        assert!(
            form.body.contains("<p class=\"error\" id=\"date-error\">"),
            "{backend}"
        );
        assert!(form.body.contains("value=\"0001-01-01\""), "{backend}");
        assert!(form.body.contains("value=\"intake\""), "{backend}");
        let csrf = csrf_of(&t, "/homework", &c).await;
        let form = t
            .post_form(
                "/homework",
                &c,
                &format!("csrf={csrf}&text=letter&due_on=9999-01-01&frequency=once"),
            )
            .await;
        assert_eq!(form.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        assert!(form.body.contains("id=\"due-error\""), "{backend}");
        assert!(form.body.contains("two years ahead"), "{backend}");
        assert!(form.body.contains("value=\"9999-01-01\""), "{backend}");
    }
}

/// Posts `first`, then the same again, then `changed` under the same client id: 201, 200
/// with the same body, 409 with nothing stored.
async fn assert_conflict_rules(t: &TestApp, c: &str, path: &str, first: Value, changed: Value) {
    let created = t.post_json(path, c, &first.to_string()).await;
    assert_eq!(
        created.status,
        StatusCode::CREATED,
        "{path}: {}",
        created.body
    );
    let again = t.post_json(path, c, &first.to_string()).await;
    assert_eq!(again.status, StatusCode::OK, "{path}: {}", again.body);
    assert_eq!(again.json(), created.json(), "{path}");
    let conflict = t.post_json(path, c, &changed.to_string()).await;
    assert_eq!(
        conflict.status,
        StatusCode::CONFLICT,
        "{path}: {}",
        conflict.body
    );
    let error = &conflict.json()["error"];
    assert_eq!(error["code"], "client_id_conflict", "{path}");
    assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()));
    // Nothing of the changed request was stored: the first version still answers.
    let after = t.post_json(path, c, &first.to_string()).await;
    assert_eq!(after.status, StatusCode::OK, "{path}");
    assert_eq!(after.json(), created.json(), "{path}");
}

#[tokio::test]
async fn a_client_id_resent_with_other_content_is_a_conflict() {
    for (backend, t) in test_apps().await {
        let c = t.sign_up("sam@example.org").await;
        let id = Uuid::new_v4();
        let at = days_ago(1);
        // The case: a changed safety answer must never be dropped silently.
        assert_conflict_rules(
            &t,
            &c,
            "/api/v1/checkins",
            json!({"client_id": id, "mood": 2, "at": at, "self_harm_thoughts": false}),
            json!({"client_id": id, "mood": 2, "at": at, "self_harm_thoughts": true}),
        )
        .await;
        // A retry without `at` (which defaults to now) is the same check-in, later.
        let no_at = Uuid::new_v4();
        let first = json!({"client_id": no_at, "mood": 6, "note": "ok"});
        let r1 = t
            .post_json("/api/v1/checkins", &c, &first.to_string())
            .await;
        assert_eq!(r1.status, StatusCode::CREATED, "{backend}");
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        let r2 = t
            .post_json("/api/v1/checkins", &c, &first.to_string())
            .await;
        assert_eq!(r2.status, StatusCode::OK, "{backend}: {}", r2.body);
        assert_eq!(r1.json(), r2.json(), "{backend}");
        let checkins: Value = t.get("/api/v1/checkins", Some(&c)).await.json();
        let stored = checkins["checkins"].as_array().unwrap();
        assert_eq!(stored.len(), 2, "{backend}");
        assert_eq!(stored[0]["self_harm_thoughts"], false, "{backend}");

        let id = Uuid::new_v4();
        assert_conflict_rules(
            &t,
            &c,
            "/api/v1/coping-uses",
            json!({"client_id": id, "tool": "box-breathing", "distress_before": 7}),
            json!({"client_id": id, "tool": "box-breathing", "distress_before": 3}),
        )
        .await;
        let id = Uuid::new_v4();
        assert_conflict_rules(
            &t,
            &c,
            "/api/v1/questionnaires",
            json!({"client_id": id, "instrument": "gad7", "answers": [1, 1, 1, 1, 1, 1, 1]}),
            json!({"client_id": id, "instrument": "gad7", "answers": [1, 1, 1, 1, 1, 1, 2]}),
        )
        .await;
        let id = Uuid::new_v4();
        assert_conflict_rules(
            &t,
            &c,
            "/api/v1/journal",
            json!({"client_id": id, "text": "first words"}),
            json!({"client_id": id, "text": "other words"}),
        )
        .await;
        let id = Uuid::new_v4();
        assert_conflict_rules(
            &t,
            &c,
            "/api/v1/agenda",
            json!({"client_id": id, "text": "my sister"}),
            json!({"client_id": id, "text": "my brother"}),
        )
        .await;
        let id = Uuid::new_v4();
        assert_conflict_rules(
            &t,
            &c,
            "/api/v1/homework",
            json!({"client_id": id, "text": "walk", "frequency": "daily"}),
            json!({"client_id": id, "text": "walk", "frequency": "weekly"}),
        )
        .await;
        let hw: Value = t.get("/api/v1/homework", Some(&c)).await.json();
        let hw_id = hw["homework"][0]["homework"]["id"]
            .as_i64()
            .or_else(|| hw["homework"][0]["id"].as_i64())
            .unwrap();
        let id = Uuid::new_v4();
        assert_conflict_rules(
            &t,
            &c,
            &format!("/api/v1/homework/{hw_id}/log"),
            json!({"client_id": id, "note": "easy"}),
            json!({"client_id": id, "note": "hard"}),
        )
        .await;

        // Sessions: a client id is required, a retry adds nothing, other content conflicts.
        let missing = t
            .post_json(
                "/api/v1/sessions",
                &c,
                &json!({"at": days_ago(2)}).to_string(),
            )
            .await;
        assert_eq!(
            missing.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}"
        );
        assert_eq!(missing.json()["error"]["field"], "client_id", "{backend}");
        let id = Uuid::new_v4();
        let at = in_future(3);
        assert_conflict_rules(
            &t,
            &c,
            "/api/v1/sessions",
            json!({"client_id": id, "at": at, "repeat": "weekly", "note": "video"}),
            json!({"client_id": id, "at": at, "repeat": "fortnightly", "note": "video"}),
        )
        .await;
        let sessions: Value = t.get("/api/v1/sessions", Some(&c)).await.json();
        let weekly = sessions["sessions"].as_array().unwrap().len();
        assert!(weekly > 20, "{backend}: one weekly series, {weekly}");
        let other_time = t
            .post_json(
                "/api/v1/sessions",
                &c,
                &json!({"client_id": id, "at": in_future(4), "repeat": "weekly", "note": "video"})
                    .to_string(),
            )
            .await;
        assert_eq!(other_time.status, StatusCode::CONFLICT, "{backend}");
        let sessions: Value = t.get("/api/v1/sessions", Some(&c)).await.json();
        assert_eq!(sessions["sessions"].as_array().unwrap().len(), weekly);

        // Client ids belong to their account: another person may use the same one.
        let bo = t.sign_up("bo@example.org").await;
        let theirs = t
            .post_json(
                "/api/v1/sessions",
                &bo,
                &json!({"client_id": id, "at": in_future(5)}).to_string(),
            )
            .await;
        assert_eq!(
            theirs.status,
            StatusCode::CREATED,
            "{backend}: {}",
            theirs.body
        );
    }
}

#[tokio::test]
async fn a_sessions_form_sent_twice_adds_one_session() {
    let t = test_app().await;
    let c = t.sign_up("sam@example.org").await;
    let page = t.get("/sessions", Some(&c)).await;
    let csrf = hidden(&page.body, "csrf");
    let client_id = hidden(&page.body, "client_id");
    let day = (Utc::now() + Duration::days(3)).date_naive();
    let form = format!("csrf={csrf}&client_id={client_id}&date={day}&time=15%3A00&repeat=once");
    for _ in 0..2 {
        let r = t.post_form("/sessions", &c, &form).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    let sessions: Value = t.get("/api/v1/sessions", Some(&c)).await.json();
    assert_eq!(sessions["sessions"].as_array().unwrap().len(), 1);
    // The same form with a changed time tells the person, and stores nothing.
    let changed = form.replace("15%3A00", "16%3A00");
    let r = t.post_form("/sessions", &c, &changed).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("already saved"));
    assert!(r.body.contains("Get help now"));
    let sessions: Value = t.get("/api/v1/sessions", Some(&c)).await.json();
    assert_eq!(sessions["sessions"].as_array().unwrap().len(), 1);
}

fn assert_between_page(r: &Reply, status: StatusCode, signed_in: bool, what: &str) {
    assert_eq!(r.status, status, "{what}: {}", r.body);
    let ct = r
        .headers
        .get(header::CONTENT_TYPE)
        .unwrap()
        .to_str()
        .unwrap();
    assert!(ct.starts_with("text/html"), "{what}: {ct}");
    assert!(r.body.contains("<!doctype html>") || r.body.contains("<!DOCTYPE html>"));
    assert!(r.body.contains("Get help now"), "{what}");
    assert!(r.body.contains("· Between</title>"), "{what}");
    assert_eq!(
        r.body.contains("action=\"/signout\""),
        signed_in,
        "{what}: signed-in frame expected {signed_in}"
    );
    assert_security_headers(r, false);
}

#[tokio::test]
async fn html_routes_answer_every_rejection_with_a_between_page() {
    let t = test_app().await;
    let c = t.sign_up("sam@example.org").await;

    // A bad id in the path: our page, signed in, not "Cannot parse … to a `i64`".
    let bad = t.get("/journal/abc/edit", Some(&c)).await;
    assert_between_page(&bad, StatusCode::BAD_REQUEST, true, "bad id");
    assert!(!bad.body.contains("Cannot parse"));
    let bad_post = t.post_form("/sessions/abc/delete", &c, "csrf=x").await;
    assert_between_page(&bad_post, StatusCode::BAD_REQUEST, true, "bad id post");

    // Nothing there: 404 in the frame of whoever asks.
    let nothing = t.get("/journal/abc", Some(&c)).await;
    assert_between_page(&nothing, StatusCode::NOT_FOUND, true, "404 signed in");
    let nothing = t.get("/no/such/page", None).await;
    assert_between_page(&nothing, StatusCode::NOT_FOUND, false, "404 signed out");
    let gone = t.get("/journal/999999/edit", Some(&c)).await;
    assert_between_page(&gone, StatusCode::NOT_FOUND, true, "missing entry");

    // An oversized form.
    let csrf = csrf_of(&t, "/journal", &c).await;
    let huge = format!("csrf={csrf}&text={}", "a".repeat(3 * 1024 * 1024));
    let big = t.post_form("/journal", &c, &huge).await;
    assert_between_page(&big, StatusCode::PAYLOAD_TOO_LARGE, true, "too large");
    assert!(!big.body.contains("length limit"));

    // A wrong content type.
    let wrong = t
        .send(
            Request::post("/journal")
                .header(header::COOKIE, &c)
                .header(header::CONTENT_TYPE, "text/plain")
                .header("sec-fetch-site", "same-origin")
                .body(Body::from(format!("csrf={csrf}&text=hello")))
                .unwrap(),
        )
        .await;
    assert_between_page(
        &wrong,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        true,
        "content type",
    );
    assert!(!wrong.body.contains("Content-Type"));

    // A malformed form body: a repeated single field cannot be read.
    let malformed = t
        .post_form("/journal", &c, &format!("csrf={csrf}&text=a&text=b"))
        .await;
    assert_between_page(
        &malformed,
        StatusCode::UNPROCESSABLE_ENTITY,
        true,
        "malformed form",
    );
    assert!(!malformed.body.contains("Failed to deserialize"));

    // A method the address does not take.
    let method = t
        .send(
            Request::delete("/journal")
                .header(header::COOKIE, &c)
                .header("sec-fetch-site", "same-origin")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_between_page(&method, StatusCode::METHOD_NOT_ALLOWED, true, "method");

    // Signed out, the same rejections come in the signed-out frame.
    let method = t
        .send(
            Request::delete("/journal")
                .header("sec-fetch-site", "same-origin")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_between_page(&method, StatusCode::METHOD_NOT_ALLOWED, false, "signed out");

    // The API keeps its JSON errors.
    let api = t.get("/api/v1/journal/abc", Some(&c)).await;
    assert_eq!(api.status, StatusCode::NOT_FOUND);
    assert_eq!(api.json()["error"]["code"], "not_found");
    let api = t.get("/api/v1/nothing", Some(&c)).await;
    assert_eq!(api.json()["error"]["code"], "not_found");
    let api = t
        .send(
            Request::post("/api/v1/journal")
                .header(header::COOKIE, &c)
                .header(header::CONTENT_TYPE, "text/plain")
                .body(Body::from("{}"))
                .unwrap(),
        )
        .await;
    assert_eq!(api.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(api.json()["error"]["code"], "unsupported_media_type");
}
