//! The thought record over HTTP, on SQLite and PostgreSQL: the JSON API (idempotent, paged,
//! searched, scoped to its account, kind 4xx answers to bad input), its use of the tool in
//! "what works for me", the pages without script (a record written in one submission, a
//! draft, a mistake shown again with everything kept), the agenda and the brief.
// Helpers outside `#[test]` fns unwrap too; clippy.toml's test allowances reach only the tests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;
use support::*;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};
use uuid::Uuid;

fn location(r: &Reply) -> String {
    r.headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

async fn send_json(
    t: &TestApp,
    method: &str,
    path: &str,
    cookie: &str,
    body: Option<Value>,
) -> Reply {
    let mut b = Request::builder()
        .method(method)
        .uri(path)
        .header(header::COOKIE, cookie);
    if body.is_some() {
        b = b.header(header::CONTENT_TYPE, "application/json");
    }
    let body = body
        .map(|v| Body::from(v.to_string()))
        .unwrap_or_else(Body::empty);
    t.send(b.body(body).unwrap()).await
}

/// A short record whose one feeling eased from `before` to `after`.
fn record(thought: &str, before: i64, after: Option<i64>) -> Value {
    let mut feeling = json!({"name": "Anxious", "before": before});
    if let Some(a) = after {
        feeling["after"] = json!(a);
    }
    json!({
        "client_id": Uuid::new_v4(),
        "situation": "Before the exam, in the hallway",
        "feelings": [feeling],
        "thought": thought,
        "evidence_for": "I failed the mock",
        "evidence_against": "I passed the last three",
        "traps": ["fortune_telling", "catastrophising"],
        "balanced": "I might do badly on one paper, and I have done well before",
    })
}

async fn thought_record_uses(t: &TestApp, c: &str) -> Vec<Value> {
    let uses: Value = t.get("/api/v1/coping-uses", Some(c)).await.json();
    uses["coping_uses"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["tool"] == "thought-record")
        .cloned()
        .collect()
}

#[tokio::test]
async fn the_api_is_idempotent_paged_searched_and_scoped() {
    for (backend, t) in test_apps().await {
        let c = t.sign_up("ana.tr@example.org").await;
        let body = record("I will fail everything", 80, Some(40));
        let first = t
            .post_json("/api/v1/thought-records", &c, &body.to_string())
            .await;
        assert_eq!(
            first.status,
            StatusCode::CREATED,
            "{backend}: {}",
            first.body
        );
        let r = first.json();
        assert_eq!(
            r["status"], "done",
            "{backend}: finished unless it says draft"
        );
        assert_eq!(r["thought"], "I will fail everything");
        assert_eq!(r["feelings"][0]["after"], 40);
        assert_eq!(r["traps"], json!(["catastrophising", "fortune_telling"]));
        assert_eq!(r["bring_to_session"], false);
        let again = t
            .post_json("/api/v1/thought-records", &c, &body.to_string())
            .await;
        assert_eq!(again.status, StatusCode::OK, "{backend}");
        assert_eq!(
            again.json(),
            r,
            "{backend}: a retry returns the stored record"
        );
        let mut changed = body.clone();
        changed["thought"] = json!("something else");
        let conflict = t
            .post_json("/api/v1/thought-records", &c, &changed.to_string())
            .await;
        assert_eq!(conflict.status, StatusCode::CONFLICT, "{backend}");
        let id = r["id"].as_i64().unwrap();

        // Malformed input: a 4xx JSON error naming the field, never a 500.
        for (bad, field) in [
            (json!({"thought": "x"}), "client_id"),
            (
                json!({"client_id": Uuid::new_v4(), "feelings": [{"name": "Sad", "before": 140}]}),
                "feelings",
            ),
            (
                json!({"client_id": Uuid::new_v4(), "feelings": [{"name": "Sad"}]}),
                "feelings",
            ),
            (
                json!({"client_id": Uuid::new_v4(), "feelings": [{"name": "Sad", "before": 5, "after": -3}]}),
                "after",
            ),
            (
                json!({"client_id": Uuid::new_v4(), "thought": "x", "traps": ["overthinking"]}),
                "traps",
            ),
            (
                json!({"client_id": Uuid::new_v4(), "thought": "x", "status": "finished"}),
                "status",
            ),
            (json!({"client_id": Uuid::new_v4()}), "situation"),
            (
                json!({"client_id": Uuid::new_v4(), "thought": "x".repeat(20_001)}),
                "thought",
            ),
        ] {
            let reply = t
                .post_json("/api/v1/thought-records", &c, &bad.to_string())
                .await;
            assert_eq!(
                reply.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{backend}: {bad}: {}",
                reply.body
            );
            let e = reply.json();
            let named = e["error"]["field"] == field
                || e["error"]["fields"]
                    .as_array()
                    .is_some_and(|f| f.iter().any(|x| x["field"] == field));
            assert!(named, "{backend}: {bad} should name {field}: {e}");
        }
        for bad in [
            json!({"client_id": Uuid::new_v4(), "feelings": "sad"}),
            json!({"client_id": Uuid::new_v4(), "thought": "x", "mood": 3}),
            json!({"client_id": Uuid::new_v4(), "feelings": [{"name": "Sad", "before": "a lot"}]}),
        ] {
            let reply = t
                .post_json("/api/v1/thought-records", &c, &bad.to_string())
                .await;
            assert!(
                reply.status.is_client_error(),
                "{backend}: {bad}: {}",
                reply.status
            );
            assert!(reply.json()["error"]["message"].is_string(), "{backend}");
        }

        // A draft, then 24 more: pages of 20, newest first; drafts can be listed alone.
        let mut draft = record("half a thought", 50, None);
        draft["status"] = json!("draft");
        let draft = t
            .post_json("/api/v1/thought-records", &c, &draft.to_string())
            .await;
        assert_eq!(draft.status, StatusCode::CREATED, "{backend}");
        assert_eq!(draft.json()["status"], "draft");
        for i in 0..24 {
            let r = t
                .post_json(
                    "/api/v1/thought-records",
                    &c,
                    &record(&format!("ordinary thought {i}"), 30, None).to_string(),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{backend}");
        }
        let page: Value = t.get("/api/v1/thought-records", Some(&c)).await.json();
        let records = page["thought_records"].as_array().unwrap();
        assert_eq!(records.len(), 20, "{backend}");
        assert_eq!(records[0]["thought"], "ordinary thought 23", "{backend}");
        let next = page["next"].as_str().unwrap().to_string();
        let rest: Value = t
            .get(&format!("/api/v1/thought-records?before={next}"), Some(&c))
            .await
            .json();
        assert_eq!(
            rest["thought_records"].as_array().unwrap().len(),
            6,
            "{backend}"
        );
        assert!(rest["next"].is_null());
        let drafts: Value = t
            .get("/api/v1/thought-records?status=draft", Some(&c))
            .await
            .json();
        assert_eq!(
            drafts["thought_records"].as_array().unwrap().len(),
            1,
            "{backend}"
        );
        for bad in ["status=finished", "before=yesterday"] {
            let r = t
                .get(&format!("/api/v1/thought-records?{bad}"), Some(&c))
                .await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{backend}: {bad}");
        }

        // Search opens the sealed words: any part matches, case aside.
        let found = t
            .post_json(
                "/api/v1/thought-records/search",
                &c,
                &json!({"q": "FAIL EVERYTHING"}).to_string(),
            )
            .await;
        assert_eq!(found.status, StatusCode::OK, "{backend}: {}", found.body);
        let found = found.json();
        assert_eq!(
            found["thought_records"].as_array().unwrap().len(),
            1,
            "{backend}"
        );
        assert_eq!(found["thought_records"][0]["id"], id);
        let by_feeling: Value = t
            .post_json(
                "/api/v1/thought-records/search",
                &c,
                &json!({"q": "passed the last", "status": "done"}).to_string(),
            )
            .await
            .json();
        assert_eq!(
            by_feeling["thought_records"].as_array().unwrap().len(),
            20,
            "{backend}: a full page of finished records hold those words"
        );

        // PATCH changes only what it sends, and can bring it to the session.
        let patched = send_json(
            &t,
            "PATCH",
            &format!("/api/v1/thought-records/{id}"),
            &c,
            Some(json!({"balanced": "One exam is not everything", "bring_to_session": true})),
        )
        .await;
        assert_eq!(
            patched.status,
            StatusCode::OK,
            "{backend}: {}",
            patched.body
        );
        let p = patched.json();
        assert_eq!(p["balanced"], "One exam is not everything");
        assert_eq!(p["thought"], "I will fail everything");
        assert_eq!(p["bring_to_session"], true);
        let agenda: Value = t.get("/api/v1/agenda", Some(&c)).await.json();
        assert_eq!(agenda["items"][0]["source"], "thought_record", "{backend}");
        assert_eq!(agenda["items"][0]["thought_record_id"], id);
        assert_eq!(agenda["items"][0]["text"], "I will fail everything");
        let bad = send_json(
            &t,
            "PATCH",
            &format!("/api/v1/thought-records/{id}"),
            &c,
            Some(json!({"feelings": [{"name": "Sad", "before": 500}]})),
        )
        .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        assert_eq!(bad.json()["error"]["fields"][0]["field"], "feelings");

        // Another account: 404 everywhere, and it lists nothing.
        let bo = t.sign_up("bo.tr@example.org").await;
        for (method, body) in [
            ("GET", None),
            ("PATCH", Some(json!({"thought": "mine now"}))),
            ("DELETE", None),
        ] {
            let r = send_json(
                &t,
                method,
                &format!("/api/v1/thought-records/{id}"),
                &bo,
                body,
            )
            .await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}: {method}");
            assert_eq!(r.json()["error"]["code"], "not_found");
        }
        let theirs: Value = t.get("/api/v1/thought-records", Some(&bo)).await.json();
        assert!(theirs["thought_records"].as_array().unwrap().is_empty());
        for path in [
            format!("/toolkit/thought-record/{id}"),
            format!("/toolkit/thought-record/{id}/edit"),
            format!("/toolkit/thought-record/{id}/delete"),
        ] {
            assert_eq!(
                t.get(&path, Some(&bo)).await.status,
                StatusCode::NOT_FOUND,
                "{backend}: {path}"
            );
        }

        // DELETE: 204, gone, and off the agenda.
        let deleted = send_json(
            &t,
            "DELETE",
            &format!("/api/v1/thought-records/{id}"),
            &c,
            None,
        )
        .await;
        assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{backend}");
        assert_eq!(
            send_json(
                &t,
                "GET",
                &format!("/api/v1/thought-records/{id}"),
                &c,
                None
            )
            .await
            .status,
            StatusCode::NOT_FOUND
        );
        let agenda: Value = t.get("/api/v1/agenda", Some(&c)).await.json();
        assert!(agenda["items"].as_array().unwrap().is_empty(), "{backend}");
    }
}

#[tokio::test]
async fn a_record_whose_feelings_dropped_counts_in_what_works_for_me() {
    for (backend, t) in test_apps().await {
        let c = t.sign_up("kim.tr@example.org").await;
        // Not re-rated: no use at all.
        let plain = t
            .post_json(
                "/api/v1/thought-records",
                &c,
                &record("They think I'm boring", 70, None).to_string(),
            )
            .await;
        assert_eq!(plain.status, StatusCode::CREATED, "{backend}");
        assert!(plain.json()["coping_use_id"].is_null());
        assert!(thought_record_uses(&t, &c).await.is_empty(), "{backend}");

        // Eased from 75 to 40: one use, distress 8 → 4 (7.5 and 4.0, rounded half up).
        let eased = t
            .post_json(
                "/api/v1/thought-records",
                &c,
                &record("I ruin everything", 75, Some(40)).to_string(),
            )
            .await
            .json();
        let id = eased["id"].as_i64().unwrap();
        let uses = thought_record_uses(&t, &c).await;
        assert_eq!(uses.len(), 1, "{backend}: {uses:?}");
        assert_eq!(uses[0]["distress_before"], 8, "{backend}");
        assert_eq!(uses[0]["distress_after"], 4, "{backend}");
        assert_eq!(uses[0]["id"], eased["coping_use_id"], "{backend}");
        assert_eq!(uses[0]["started_at"], eased["created_at"], "{backend}");

        // An edit keeps the one use in step; a draft has none; finishing brings it back.
        let path = format!("/api/v1/thought-records/{id}");
        let edit = |body: Value| send_json(&t, "PATCH", &path, &c, Some(body));
        let r = edit(json!({"feelings": [{"name": "Anxious", "before": 90, "after": 20}]})).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        let uses = thought_record_uses(&t, &c).await;
        assert_eq!(uses.len(), 1, "{backend}");
        assert_eq!(
            (&uses[0]["distress_before"], &uses[0]["distress_after"]),
            (&json!(9), &json!(2)),
            "{backend}"
        );
        assert_eq!(
            edit(json!({"status": "draft"})).await.status,
            StatusCode::OK
        );
        assert!(thought_record_uses(&t, &c).await.is_empty(), "{backend}");
        assert_eq!(edit(json!({"status": "done"})).await.status, StatusCode::OK);
        assert_eq!(thought_record_uses(&t, &c).await.len(), 1, "{backend}");

        // Two more that helped: the tool is ranked, and offered in the backsliding plan.
        for thought in ["Nobody cares", "I can't cope"] {
            let r = t
                .post_json(
                    "/api/v1/thought-records",
                    &c,
                    &record(thought, 80, Some(30)).to_string(),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{backend}");
        }
        let tools: Value = t.get("/api/v1/coping-tools", Some(&c)).await.json();
        assert_eq!(tools["ranked"][0], "thought-record", "{backend}: {tools}");
        let stats = tools["tools"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == "thought-record")
            .unwrap()["stats"]
            .clone();
        assert_eq!(stats["rated_uses"], 3, "{backend}: {stats}");
        let plan = t.get("/backsliding-plan/edit", Some(&c)).await;
        assert!(plan.body.contains("Untangle a thought"), "{backend}");

        // Deleting the record removes its use, and the totals follow.
        let deleted = send_json(&t, "DELETE", &path, &c, None).await;
        assert_eq!(deleted.status, StatusCode::NO_CONTENT);
        assert_eq!(thought_record_uses(&t, &c).await.len(), 2, "{backend}");
        let tools: Value = t.get("/api/v1/coping-tools", Some(&c)).await.json();
        let stats = &tools["tools"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == "thought-record")
            .unwrap()["stats"];
        assert_eq!(stats["rated_uses"], 2, "{backend}: {stats}");
    }
}

/// The form's fields for a short record: the feeling ticked from the list and re-rated in
/// the same submission, and one in the person's own words.
fn short_form(csrf: &str, client_id: &str, action: &str) -> String {
    format!(
        "csrf={csrf}&client_id={client_id}&situation={}&feel=c0&before_c0=80&before_c1=&\
         own_name={}&own_before=60&own_name=&own_before=&own_name=&own_before=&\
         thought={}&evidence_for=&evidence_against={}&trap=mind_reading&balanced={}&\
         after_c0=30&after_c1=&own_after=45&own_after=&own_after=&action={action}",
        enc("My friend didn't answer my message"),
        enc("Left out"),
        enc("She's annoyed with me"),
        enc("She was at work all day"),
        enc("She's probably busy; she answered yesterday"),
    )
}

#[tokio::test]
async fn the_pages_work_without_script_from_form_to_agenda_and_brief() {
    for (backend, t) in test_apps().await {
        let c = t.sign_up("lee.tr@example.org").await;
        // The tool's page, and the toolkit's link to it.
        let toolkit = t.get("/toolkit", Some(&c)).await;
        assert!(
            toolkit.body.contains("/toolkit/thought-record"),
            "{backend}"
        );
        let home = t.get("/toolkit/thought-record", Some(&c)).await;
        assert_eq!(home.status, StatusCode::OK, "{backend}");
        assert!(home.body.contains("Start a new one"));
        assert!(home.body.contains("No saved thought records yet"));

        let form = t.get("/toolkit/thought-record/new", Some(&c)).await;
        assert_eq!(form.status, StatusCode::OK, "{backend}");
        for step in 1..=8 {
            assert!(form.body.contains(&format!("id=\"step-{step}\"")), "{step}");
        }
        for trap in ["All-or-nothing", "Mind reading", "Personalising"] {
            assert!(form.body.contains(trap), "{trap}");
        }
        let csrf = hidden(&form.body, "csrf");
        let client_id = hidden(&form.body, "client_id");

        // A mistake: a feeling ticked but not rated. Everything typed comes back.
        let wrong = short_form(&csrf, &client_id, "save").replace("before_c0=80", "before_c0=");
        let again = t.post_form("/toolkit/thought-record/new", &c, &wrong).await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        assert!(again.body.contains("href=\"#feelings\""), "{backend}");
        assert!(
            again.body.contains("How strong was &#34;Anxious&#34;")
                || again.body.contains("How strong was &quot;Anxious&quot;"),
            "{}",
            again.body
        );
        assert!(
            again.body.contains("She&#39;s annoyed with me")
                || again.body.contains("She&#x27;s annoyed with me")
        );
        assert!(again.body.contains("value=\"Left out\""));
        assert!(again.body.contains(&format!("value=\"{client_id}\"")));
        assert!(again.body.contains("value=\"mind_reading\" checked"));

        // Saved in one submission: the feelings typed in step 2 are re-rated by position.
        let saved = t
            .post_form(
                "/toolkit/thought-record/new",
                &c,
                &short_form(&csrf, &client_id, "save"),
            )
            .await;
        assert_eq!(
            saved.status,
            StatusCode::SEE_OTHER,
            "{backend}: {}",
            saved.body
        );
        let to = location(&saved);
        assert!(to.ends_with("?done=saved"), "{to}");
        let id: i64 = to
            .trim_start_matches("/toolkit/thought-record/")
            .split('?')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let stored: Value = t
            .get(&format!("/api/v1/thought-records/{id}"), Some(&c))
            .await
            .json();
        assert_eq!(
            stored["feelings"],
            json!([
                {"name": "Anxious", "before": 80, "after": 30},
                {"name": "Left out", "before": 60, "after": 45},
            ]),
            "{backend}"
        );
        assert_eq!(stored["traps"], json!(["mind_reading"]));
        assert_eq!(stored["evidence_for"], "");
        // (80 + 60) / 2 = 70 → 7; (30 + 45) / 2 = 37.5 → 3.75 → 4.
        let uses = thought_record_uses(&t, &c).await;
        assert_eq!(
            (&uses[0]["distress_before"], &uses[0]["distress_after"]),
            (&json!(7), &json!(4)),
            "{backend}"
        );

        // The record to read: its parts, the change, and one tap to the agenda.
        let page = t.get(&to, Some(&c)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Saved. Well done"));
        assert!(
            page.body
                .contains("Feelings eased from 70 to 38 out of 100 on average (2 feelings)"),
            "{}",
            page.body
        );
        assert!(page.body.contains("Bring to my next session"));
        let brought = t
            .post_form(
                &format!("/toolkit/thought-record/{id}/bring"),
                &c,
                &format!("csrf={csrf}"),
            )
            .await;
        assert_eq!(brought.status, StatusCode::SEE_OTHER, "{backend}");
        let page = t.get(&location(&brought), Some(&c)).await;
        assert!(page.body.contains("On your agenda"), "{backend}");
        assert!(
            !page.body.contains("/bring\""),
            "{backend}: the button has gone"
        );
        // Twice is still once.
        t.post_form(
            &format!("/toolkit/thought-record/{id}/bring"),
            &c,
            &format!("csrf={csrf}"),
        )
        .await;
        let agenda = t.get("/agenda", Some(&c)).await;
        assert_eq!(
            agenda.body.matches("id=\"topic-").count(),
            1,
            "{backend}: one topic"
        );
        assert!(agenda.body.contains("annoyed with me</p>"), "{backend}");
        assert!(
            agenda
                .body
                .contains(&format!("href=\"/toolkit/thought-record/{id}\""))
        );
        assert!(agenda.body.contains("From a thought record"));

        // The brief: the thought, the fairer one, and the change.
        let brief = t.get("/brief", Some(&c)).await;
        assert_eq!(brief.status, StatusCode::OK);
        assert!(brief.body.contains("Thoughts I untangled"), "{backend}");
        assert!(brief.body.contains("probably busy; she answered yesterday"));
        assert!(brief.body.contains("Feelings eased from 70 to 38"));

        // The list: newest first, with a search that runs from a POST.
        let list = t.get("/toolkit/thought-record", Some(&c)).await;
        assert!(list.body.contains(&format!("id=\"record-{id}\"")));
        let search = t
            .post_form(
                "/toolkit/thought-record/search",
                &c,
                &format!("csrf={csrf}&q={}", enc("LEFT OUT")),
            )
            .await;
        assert_eq!(search.status, StatusCode::OK, "{backend}");
        assert!(search.body.contains(&format!("id=\"record-{id}\"")));
        let none = t
            .post_form(
                "/toolkit/thought-record/search",
                &c,
                &format!("csrf={csrf}&q=zebra"),
            )
            .await;
        assert!(none.body.contains("Nothing matches that."));
        let empty = t
            .post_form(
                "/toolkit/thought-record/search",
                &c,
                &format!("csrf={csrf}&q=+"),
            )
            .await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");

        // A draft: kept from any step, listed first to carry on; it counts for nothing yet.
        let form = t.get("/toolkit/thought-record/new", Some(&c)).await;
        let draft_id = hidden(&form.body, "client_id");
        let draft = t
            .post_form(
                "/toolkit/thought-record/new",
                &c,
                &format!(
                    "csrf={csrf}&client_id={draft_id}&situation={}&action=draft",
                    enc("At the bus stop")
                ),
            )
            .await;
        assert_eq!(draft.status, StatusCode::SEE_OTHER, "{backend}");
        assert_eq!(location(&draft), "/toolkit/thought-record?done=draft");
        let list = t.get("/toolkit/thought-record?done=draft", Some(&c)).await;
        assert!(list.body.contains("Drafts to carry on"));
        assert!(list.body.contains("Carry on"));
        assert!(list.body.contains("At the bus stop"));
        let drafts: Value = t
            .get("/api/v1/thought-records?status=draft", Some(&c))
            .await
            .json();
        let draft_record = drafts["thought_records"][0]["id"].as_i64().unwrap();
        assert_eq!(thought_record_uses(&t, &c).await.len(), 1, "{backend}");

        // Carrying on fills the form with what was kept; saving finishes it.
        let edit = t
            .get(
                &format!("/toolkit/thought-record/{draft_record}/edit"),
                Some(&c),
            )
            .await;
        assert_eq!(edit.status, StatusCode::OK);
        assert!(edit.body.contains(">At the bus stop</textarea>"));
        let finished = t
            .post_form(
                &format!("/toolkit/thought-record/{draft_record}/edit"),
                &c,
                &format!(
                    "csrf={csrf}&client_id={draft_id}&situation={}&thought={}&feel=c1&before_c1=55&after_c1=40&action=save",
                    enc("At the bus stop"),
                    enc("I'm always late")
                ),
            )
            .await;
        assert_eq!(
            finished.status,
            StatusCode::SEE_OTHER,
            "{backend}: {}",
            finished.body
        );
        let r: Value = t
            .get(&format!("/api/v1/thought-records/{draft_record}"), Some(&c))
            .await
            .json();
        assert_eq!(r["status"], "done");
        assert_eq!(
            r["feelings"],
            json!([{"name": "Sad", "before": 55, "after": 40}])
        );
        assert_eq!(thought_record_uses(&t, &c).await.len(), 2, "{backend}");

        // An empty record is refused, kindly.
        let form = t.get("/toolkit/thought-record/new", Some(&c)).await;
        let empty = t
            .post_form(
                "/toolkit/thought-record/new",
                &c,
                &format!(
                    "csrf={csrf}&client_id={}&situation=&action=save",
                    hidden(&form.body, "client_id")
                ),
            )
            .await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        assert!(empty.body.contains("Please write at least one part"));

        // Delete asks first, then removes the record, its topic and its use.
        let confirm = t
            .get(&format!("/toolkit/thought-record/{id}/delete"), Some(&c))
            .await;
        assert!(confirm.body.contains("Delete this thought record?"));
        let gone = t
            .post_form(
                &format!("/toolkit/thought-record/{id}/delete"),
                &c,
                &format!("csrf={csrf}"),
            )
            .await;
        assert_eq!(location(&gone), "/toolkit/thought-record?done=deleted");
        assert_eq!(
            t.get(&format!("/toolkit/thought-record/{id}"), Some(&c))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        let agenda = t.get("/agenda", Some(&c)).await;
        assert!(!agenda.body.contains("From a thought record"), "{backend}");
        assert_eq!(thought_record_uses(&t, &c).await.len(), 1, "{backend}");
        // A stale form is not taken.
        let stale = t
            .post_form(
                &format!("/toolkit/thought-record/{draft_record}/bring"),
                &c,
                "csrf=nope",
            )
            .await;
        assert_ne!(stale.status, StatusCode::SEE_OTHER, "{backend}");
    }
}

#[tokio::test]
async fn records_move_with_an_export_and_older_exports_still_import() {
    for (backend, t) in test_apps().await {
        let c = t.sign_up("max.tr@example.org").await;
        let mut body = record("Everyone saw me trip", 90, Some(50));
        body["bring_to_session"] = json!(true);
        let r = t
            .post_json("/api/v1/thought-records", &c, &body.to_string())
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}");
        let doc: Value = t.get("/api/v1/export", Some(&c)).await.json();
        let rows = doc["data"]["thought_records"].as_array().unwrap();
        assert_eq!(rows.len(), 1, "{backend}");
        // The words, decrypted; the feelings and traps as JSON values.
        assert_eq!(rows[0]["thought"], "Everyone saw me trip");
        assert_eq!(rows[0]["feelings"][0]["before"], 90);
        assert_eq!(
            rows[0]["traps"],
            json!(["catastrophising", "fortune_telling"])
        );
        assert_eq!(rows[0]["status"], "done");
        assert!(rows[0]["coping_use_id"].is_i64());

        // Into another account: the record, its topic and its use, linked again.
        let other = t.sign_up("max.moved@example.org").await;
        let r = t
            .post_json("/api/v1/import", &other, &doc.to_string())
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let list: Value = t.get("/api/v1/thought-records", Some(&other)).await.json();
        let moved = &list["thought_records"][0];
        assert_eq!(moved["thought"], "Everyone saw me trip", "{backend}");
        assert_eq!(moved["bring_to_session"], true, "{backend}");
        let uses = thought_record_uses(&t, &other).await;
        assert_eq!(uses.len(), 1, "{backend}");
        assert_eq!(moved["coping_use_id"], uses[0]["id"], "{backend}");

        // An export from before thought records: no such section, no such column.
        let mut old = doc.clone();
        old["data"]
            .as_object_mut()
            .unwrap()
            .remove("thought_records");
        for item in old["data"]["agenda_items"].as_array_mut().unwrap() {
            item.as_object_mut().unwrap().remove("thought_record_id");
        }
        let third = t.sign_up("max.old@example.org").await;
        let r = t
            .post_json("/api/v1/import", &third, &old.to_string())
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let list: Value = t.get("/api/v1/thought-records", Some(&third)).await.json();
        assert!(list["thought_records"].as_array().unwrap().is_empty());
    }
}
