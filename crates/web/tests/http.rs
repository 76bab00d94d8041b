//! Request tests against the router on a real SQLite database.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};
use support::*;

#[tokio::test]
async fn over_https_every_answer_asks_to_stay_on_https() {
    let dir = tempfile::tempdir().unwrap();
    let store = store::testing::open(&store::DatabaseUrl::sqlite_in(dir.path()))
        .await
        .unwrap();
    let router = web::router(web::AppState {
        app: app::App::new(store, app::Settings::default()),
        config: web::WebConfig {
            https: true,
            ..Default::default()
        }
        .into(),
    });
    let t = TestApp { router, _dir: dir };
    for path in [
        "/",
        "/help",
        "/static/app.css",
        "/api/v1/guidance",
        "/no-such-page",
    ] {
        let r = t.get(path, None).await;
        assert_eq!(
            r.headers.get("strict-transport-security").unwrap(),
            "max-age=31536000; includeSubDomains",
            "{path}"
        );
        assert_eq!(r.headers.get("x-frame-options").unwrap(), "DENY", "{path}");
    }
}

#[tokio::test]
async fn fresh_install_offers_sign_up_and_every_page_has_help_and_headers() {
    let t = test_app().await;
    let root = t.get("/", None).await;
    assert_eq!(root.status, StatusCode::SEE_OTHER);
    assert_eq!(root.headers.get(header::LOCATION).unwrap(), "/signup");
    assert_security_headers(&root, true);
    for path in ["/signup", "/help", "/help?country=US", "/no-such-page"] {
        let r = t.get(path, None).await;
        assert_security_headers(&r, true);
        assert!(r.body.contains("href=\"/help\">Get help now</a>"), "{path}");
        assert!(!r.body.contains("<script>"), "{path} has an inline script");
        assert!(!r.body.contains("style="), "{path} has an inline style");
    }
    let cookie = t.sign_up("sam@example.org").await;
    for path in ["/", "/checkin", "/history", "/help"] {
        let r = t.get(path, Some(&cookie)).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert_security_headers(&r, true);
        assert!(r.body.contains("Get help now"), "{path}");
        assert!(r.body.contains("Sign out"), "{path}");
    }
    // After the first account, sign-up is closed unless the operator opened it.
    assert_eq!(t.get("/signup", None).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        t.get("/", None)
            .await
            .headers
            .get(header::LOCATION)
            .unwrap(),
        "/signin"
    );
}

#[tokio::test]
async fn help_shows_the_country_lines_with_sources_and_dates() {
    let t = test_app().await;
    let gb = t.get("/help?country=GB", None).await;
    assert!(gb.body.contains("href=\"tel:116123\""));
    assert!(gb.body.contains("href=\"tel:999\""));
    // Sources and the date are findable once, below the lines, in words.
    assert!(gb.body.contains("Where these numbers come from"));
    assert!(gb.body.contains("checked November 2026"));
    assert!(gb.body.contains("href=\"https://www.samaritans.org\""));
    assert!(!gb.body.contains("2026-11-24"));
    assert!(gb.body.to_lowercase().contains("not for emergencies"));
    let us = t.get("/help?country=us", None).await;
    assert!(us.body.contains("href=\"tel:988\""));
    assert!(!us.body.contains("273-8255"));
    let unknown = t.get("/help", None).await;
    assert!(unknown.body.contains("Choose your country"));
    assert!(unknown.body.contains("href=\"tel:112\""));
}

#[tokio::test]
async fn a_failed_sign_up_keeps_what_was_typed() {
    let t = test_app().await;
    let page = t.get("/signup", None).await;
    let token = page.cookie("form").unwrap();
    let csrf = hidden(&page.body, "csrf");
    let r = t
        .post_form(
            "/signup",
            &format!("form={token}"),
            &format!("csrf={csrf}&email=kim%40example.org&password=short&country=FR&usual_mood=12&therapist_name=Dr+Lee"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("value=\"kim@example.org\""));
    assert!(r.body.contains("value=\"Dr Lee\""));
    assert!(r.body.contains("<option value=\"FR\" selected>"));
    assert!(r.body.contains("at least 10 characters"));
    assert!(r.body.contains("whole number from 0 to 10"));
    assert!(
        !r.body.contains("value=\"short\""),
        "a password is never echoed"
    );
}

#[tokio::test]
async fn forms_need_their_token_and_a_same_site_origin() {
    let t = test_app().await;
    let cookie = t.sign_up("sam@example.org").await;
    // Missing form token: refused, nothing stored, what was typed is kept.
    let r = t
        .post_form("/checkin", &cookie, "csrf=wrong&mood=6&note=keep+me")
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("keep me"));
    // Cross-site: refused before any handler runs.
    let cross = t
        .send(
            Request::post("/checkin")
                .header(header::COOKIE, &cookie)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header("sec-fetch-site", "cross-site")
                .body(Body::from("mood=6"))
                .unwrap(),
        )
        .await;
    assert_eq!(cross.status, StatusCode::FORBIDDEN);
    let foreign_origin = t
        .send(
            Request::post("/api/v1/checkins")
                .header(header::COOKIE, &cookie)
                .header(header::HOST, "between.example")
                .header(header::ORIGIN, "https://evil.example")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(
                    r#"{"client_id":"9b2f3c1e-8d4a-4b6e-9f1a-2c3d4e5f6a7b","mood":5}"#,
                ))
                .unwrap(),
        )
        .await;
    assert_eq!(foreign_origin.status, StatusCode::FORBIDDEN);
    assert_eq!(foreign_origin.json()["error"]["code"], "cross_site");
    let list = t.get("/api/v1/checkins", Some(&cookie)).await;
    assert_eq!(list.json()["checkins"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn check_in_form_asks_the_safety_question_and_a_yes_goes_to_help() {
    let t = test_app().await;
    let cookie = t.sign_up("sam@example.org").await;
    let form = t.get("/checkin", Some(&cookie)).await;
    for answer in ["no", "yes", "rather_not_say"] {
        assert!(
            form.body
                .contains(&format!("name=\"self_harm_thoughts\" value=\"{answer}\"")),
            "the answer {answer} is offered"
        );
    }
    assert!(form.body.contains("rather not say</span>"));
    let csrf = hidden(&form.body, "csrf");
    let client_id = hidden(&form.body, "client_id");
    let low = format!(
        "csrf={csrf}&client_id={client_id}&mood=1&note=heavy+day&body=fatigue&body=tension"
    );
    let yes = t
        .post_form(
            "/checkin",
            &cookie,
            &format!("{low}&self_harm_thoughts=yes"),
        )
        .await;
    assert_eq!(yes.status, StatusCode::SEE_OTHER);
    assert_eq!(
        yes.headers.get(header::LOCATION).unwrap(),
        "/help?from=checkin"
    );
    // Sending the same form again (a double tap) stores nothing new.
    t.post_form(
        "/checkin",
        &cookie,
        &format!("{low}&self_harm_thoughts=yes"),
    )
    .await;
    let stored: Value = t.get("/api/v1/checkins", Some(&cookie)).await.json();
    let list = stored["checkins"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["self_harm_thoughts"], true);
    assert_eq!(list[0]["body"], json!(["fatigue", "tension"]));
}

/// A very low mood is saved whatever the answer: unanswered (stored as not answered) or
/// "I'd rather not say" (stored as its own answer); home then shows the help links gently.
#[tokio::test]
async fn a_very_low_mood_is_saved_unanswered_or_with_rather_not_say() {
    let t = test_app().await;
    let cookie = t.sign_up("sam@example.org").await;
    for (answer, stored_as) in [
        ("", Value::Null),
        ("rather_not_say", json!("rather_not_say")),
    ] {
        let form = t.get("/checkin", Some(&cookie)).await;
        let csrf = hidden(&form.body, "csrf");
        let client_id = hidden(&form.body, "client_id");
        let saved = t
            .post_form(
                "/checkin",
                &cookie,
                &format!("csrf={csrf}&client_id={client_id}&mood=1&self_harm_thoughts={answer}"),
            )
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{answer}");
        assert_eq!(saved.headers.get(header::LOCATION).unwrap(), "/?saved=1");
        let stored: Value = t.get("/api/v1/checkins", Some(&cookie)).await.json();
        let last = stored["checkins"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()
            .clone();
        assert_eq!(last["self_harm_thoughts"], stored_as, "{answer}");
        let home = t.get("/?saved=1", Some(&cookie)).await;
        assert!(home.body.contains("If it feels like too much"), "{answer}");
        assert!(home.body.contains("href=\"tel:"), "a crisis line to call");
        assert!(home.body.contains("href=\"/safety-plan\""));
        assert!(
            !home.body.contains("Please get support now"),
            "no urgent card"
        );
    }
    let history = t.get("/history", Some(&cookie)).await;
    assert!(
        history
            .body
            .contains("Chose not to answer the safety question")
    );
}

/// Mood in one tap from home: saved at once (once, however often it is sent), then "add
/// more" fills in that same check-in; a very low mood is asked the safety question first.
#[tokio::test]
async fn one_tap_check_in_then_add_more() {
    let t = test_app_with(app::Settings {
        open_signup: true,
        ..Default::default()
    })
    .await;
    let cookie = t.sign_up("sam@example.org").await;
    let home = t.get("/", Some(&cookie)).await;
    assert_eq!(home.body.matches("name=\"mood\" value=").count(), 11);
    let csrf = hidden(&home.body, "csrf");
    let client_id = hidden(&home.body, "client_id");
    let tap = format!("csrf={csrf}&client_id={client_id}&quick=1&mood=6");
    for _ in 0..2 {
        let saved = t.post_form("/checkin", &cookie, &tap).await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER);
        assert_eq!(saved.headers.get(header::LOCATION).unwrap(), "/?saved=1");
    }
    let stored: Value = t.get("/api/v1/checkins", Some(&cookie)).await.json();
    let list = stored["checkins"].as_array().unwrap().clone();
    assert_eq!(list.len(), 1, "a retried tap is stored once");
    let id = list[0]["id"].as_i64().unwrap();
    let home = t.get("/?saved=1", Some(&cookie)).await;
    assert!(home.body.contains("mood 6 out of 10"));
    assert!(home.body.contains(&format!("href=\"/checkin/{id}\"")));

    let more = t.get(&format!("/checkin/{id}"), Some(&cookie)).await;
    assert_eq!(more.status, StatusCode::OK);
    assert!(more.body.contains("Add more to your check-in"));
    assert!(more.body.contains("value=\"6\" checked"));
    let csrf = hidden(&more.body, "csrf");
    let details =
        format!("csrf={csrf}&client_id={client_id}&mood=6&anxiety=5&body=fatigue&note=long+day");
    let updated = t
        .post_form(&format!("/checkin/{id}"), &cookie, &details)
        .await;
    assert_eq!(updated.status, StatusCode::SEE_OTHER);
    let stored: Value = t.get("/api/v1/checkins", Some(&cookie)).await.json();
    let list = stored["checkins"].as_array().unwrap().clone();
    assert_eq!(list.len(), 1, "add more changes that check-in");
    assert_eq!(list[0]["id"], id);
    assert_eq!(list[0]["anxiety"], 5);
    assert_eq!(list[0]["note"], "long day");
    assert_eq!(list[0]["client_id"].as_str().unwrap(), client_id);

    // Someone else can neither see nor change it.
    let other = t.sign_up("kim@example.org").await;
    let theirs = t.get(&format!("/checkin/{id}"), Some(&other)).await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    let page = t.get("/checkin", Some(&other)).await;
    let change = format!(
        "csrf={}&client_id={client_id}&mood=0",
        hidden(&page.body, "csrf")
    );
    let theirs = t
        .post_form(&format!("/checkin/{id}"), &other, &change)
        .await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);

    // A one-tap very low mood: saved, then the safety question leads the "add more" page.
    let home = t.get("/", Some(&cookie)).await;
    let csrf = hidden(&home.body, "csrf");
    let client_id = hidden(&home.body, "client_id");
    let low = t
        .post_form(
            "/checkin",
            &cookie,
            &format!("csrf={csrf}&client_id={client_id}&quick=1&mood=1"),
        )
        .await;
    assert_eq!(low.status, StatusCode::SEE_OTHER);
    let at = low
        .headers
        .get(header::LOCATION)
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(at.starts_with("/checkin/"), "{at}");
    let ask = t.get(&at, Some(&cookie)).await;
    let question = ask.body.find("id=\"self_harm_thoughts\"").unwrap();
    let mood = ask.body.find("id=\"mood\"").unwrap();
    assert!(question < mood, "the safety question comes first");
    assert!(ask.body.contains("Your check-in is saved"));
    let stored: Value = t.get("/api/v1/checkins", Some(&cookie)).await.json();
    assert_eq!(stored["checkins"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn the_api_takes_and_returns_rather_not_say() {
    let t = test_app().await;
    let cookie = t.sign_up("sam@example.org").await;
    let body = json!({"client_id": uuid::Uuid::new_v4(), "mood": 1,
        "self_harm_thoughts": "rather_not_say"});
    let r = t
        .post_json("/api/v1/checkins", &cookie, &body.to_string())
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["self_harm_thoughts"], "rather_not_say");
    let bad = json!({"client_id": uuid::Uuid::new_v4(), "mood": 1, "self_harm_thoughts": "maybe"});
    let r = t
        .post_json("/api/v1/checkins", &cookie, &bad.to_string())
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
}

#[tokio::test]
async fn check_in_errors_are_named_and_values_kept() {
    let t = test_app().await;
    let cookie = t.sign_up("sam@example.org").await;
    let form = t.get("/checkin", Some(&cookie)).await;
    let csrf = hidden(&form.body, "csrf");
    let r = t
        .post_form(
            "/checkin",
            &cookie,
            &format!("csrf={csrf}&anxiety=4&sleep_hours=lots&note=still+here"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("hours of sleep as a number"));
    assert!(r.body.contains("value=\"lots\""));
    assert!(r.body.contains("still here"));
    assert!(r.body.contains("name=\"anxiety\" value=\"4\" checked"));
    let r = t
        .post_form("/checkin", &cookie, &format!("csrf={csrf}&anxiety=4"))
        .await;
    assert!(r.body.contains("Please choose how your mood is"));
}

#[tokio::test]
async fn api_contract_holds() {
    let t = test_app().await;
    let cookie = t.sign_up("sam@example.org").await;
    let id = "0f8fad5b-d9cb-469f-a165-70867728950e";
    let body = json!({"client_id": id, "mood": 6, "anxiety": 3, "body": ["headache"],
        "usual_activities": "partly", "missed_usual_activities": false, "harder_today": ["eating"],
        "sleep_hours": 7.5, "note": "ok"})
    .to_string();
    let first = t.post_json("/api/v1/checkins", &cookie, &body).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    assert_security_headers(&first, true);
    let stored = first.json();
    assert_eq!(stored["mood"], 6);
    assert_eq!(stored["client_id"], id);
    assert!(stored["id"].as_i64().is_some());
    let again = t.post_json("/api/v1/checkins", &cookie, &body).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.json()["id"], stored["id"]);

    let cases = [
        (
            r#"{"client_id":"0f8fad5b-d9cb-469f-a165-70867728950f","mood":11}"#,
            422,
            Some("mood"),
        ),
        (
            r#"{"client_id":"0f8fad5b-d9cb-469f-a165-70867728950f","mood":"low"}"#,
            422,
            Some("mood"),
        ),
        (
            r#"{"client_id":"not-a-uuid","mood":5}"#,
            422,
            Some("client_id"),
        ),
        (r#"{"mood":5}"#, 422, Some("client_id")),
        (
            r#"{"client_id":"0f8fad5b-d9cb-469f-a165-70867728950f"}"#,
            422,
            Some("mood"),
        ),
        (
            r#"{"client_id":"0f8fad5b-d9cb-469f-a165-70867728950f","mood":5,"usual_activities":"maybe"}"#,
            422,
            Some("usual_activities"),
        ),
        (
            r#"{"client_id":"0f8fad5b-d9cb-469f-a165-70867728950f","mood":5,"at":"2999-01-01T00:00:00Z"}"#,
            422,
            Some("at"),
        ),
        (r#"{"client_id": "#, 400, None),
        (r#"[]"#, 422, None),
    ];
    for (body, status, field) in cases {
        let r = t.post_json("/api/v1/checkins", &cookie, body).await;
        assert_eq!(r.status.as_u16(), status, "{body}: {}", r.body);
        let e = r.json();
        assert!(e["error"]["code"].is_string(), "{body}");
        assert!(e["error"]["message"].is_string(), "{body}");
        if let Some(f) = field {
            assert_eq!(e["error"]["field"], f, "{body}");
        }
    }
    let no_type = t
        .send(
            Request::post("/api/v1/checkins")
                .header(header::COOKIE, &cookie)
                .body(Body::from(body.clone()))
                .unwrap(),
        )
        .await;
    assert_eq!(no_type.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let list = t.get("/api/v1/checkins", Some(&cookie)).await.json();
    assert_eq!(list["checkins"].as_array().unwrap().len(), 1);
    let empty = t
        .get(
            "/api/v1/checkins?from=2000-01-01T00:00:00Z&to=2000-01-02T00:00:00Z",
            Some(&cookie),
        )
        .await
        .json();
    assert_eq!(empty["checkins"].as_array().unwrap().len(), 0);
    let bad = t
        .get("/api/v1/checkins?from=yesterday", Some(&cookie))
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.json()["error"]["field"], "from");

    let anon = t.get("/api/v1/checkins", None).await;
    assert_eq!(anon.status, StatusCode::UNAUTHORIZED);
    assert_eq!(anon.json()["error"]["code"], "unauthenticated");
    let wrong_token = t.post_json("/api/v1/checkins", "btw_0000", &body).await;
    assert_eq!(wrong_token.status, StatusCode::UNAUTHORIZED);
    let missing = t.get("/api/v1/nothing", Some(&cookie)).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.json()["error"]["code"], "not_found");
}

#[tokio::test]
async fn sign_in_out_and_rate_limit() {
    let t = test_app().await;
    let cookie = t.sign_up("sam@example.org").await;
    let home = t.get("/", Some(&cookie)).await;
    let csrf = hidden(&home.body, "csrf");
    let out = t
        .post_form("/signout", &cookie, &format!("csrf={csrf}"))
        .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(out.cookie("sid").as_deref(), Some(""));
    // The old cookie no longer works.
    assert_eq!(
        t.get("/history", Some(&cookie)).await.status,
        StatusCode::SEE_OTHER
    );

    let page = t.get("/signin", None).await;
    let token = page.cookie("form").unwrap();
    let csrf = hidden(&page.body, "csrf");
    let good = format!("csrf={csrf}&email=SAM%40example.org&password=a+long+enough+password");
    let bad = format!("csrf={csrf}&email=sam%40example.org&password=not+the+password");
    let ok = t
        .post_form("/signin", &format!("form={token}"), &good)
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let fresh = format!("sid={}", ok.cookie("sid").unwrap());
    assert_eq!(t.get("/history", Some(&fresh)).await.status, StatusCode::OK);

    let wrong = t.post_form("/signin", &format!("form={token}"), &bad).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("match an account"), "{}", wrong.body);
    assert!(wrong.body.contains("value=\"sam@example.org\""));
    for _ in 0..12 {
        t.post_form("/signin", &format!("form={token}"), &bad).await;
    }
    let limited = t
        .post_form("/signin", &format!("form={token}"), &good)
        .await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.body.contains("Too many tries"));
}

async fn low_day(t: &TestApp, cookie: &str, n: i64) {
    let body = json!({"client_id": uuid::Uuid::new_v4(), "mood": 3, "at": days_ago(n),
        "self_harm_thoughts": false})
    .to_string();
    assert_eq!(
        t.post_json("/api/v1/checkins", cookie, &body).await.status,
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn guidance_moves_from_expected_dip_to_reach_out_and_drafts_the_message() {
    let t = test_app().await;
    let cookie = t.sign_up("sam@example.org").await;
    let home = t.get("/", Some(&cookie)).await;
    assert!(home.body.contains("Nothing stands out right now"));
    let session =
        json!({"client_id": uuid::Uuid::new_v4(), "at": days_ago(4), "note": "video"}).to_string();
    let added = t.post_json("/api/v1/sessions", &cookie, &session).await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);

    low_day(&t, &cookie, 3).await;
    low_day(&t, &cookie, 2).await;
    let dip = t.get("/", Some(&cookie)).await;
    assert!(
        dip.body.contains("A dip after your session"),
        "{}",
        dip.body
    );
    // A calm label in plain words, not the engine's name for the level.
    assert!(dip.body.contains("Common after a session"));
    assert!(!dip.body.to_lowercase().contains("expected dip"));
    let api: Value = t.get("/api/v1/guidance", Some(&cookie)).await.json();
    assert_eq!(api["level"], "expected_dip");
    assert_eq!(api["reasons"][0]["code"], "post_session_dip");

    low_day(&t, &cookie, 1).await;
    low_day(&t, &cookie, 0).await;
    let reach = t.get("/", Some(&cookie)).await;
    assert!(
        reach
            .body
            .contains("It would be good to contact your therapist")
    );
    assert!(reach.body.contains("href=\"/contact\""));
    let api: Value = t.get("/api/v1/guidance", Some(&cookie)).await.json();
    assert_eq!(api["level"], "reach_out");
    assert_eq!(api["reasons"][0]["code"], "persisting");
    assert_eq!(api["reasons"][0]["days"], 4);

    let contact = t.get("/contact", Some(&cookie)).await;
    let session_day = (chrono::Utc::now() - chrono::Duration::days(4))
        .with_timezone(&chrono_tz::Europe::London)
        .format("%A %-d %B")
        .to_string();
    assert!(
        contact.body.contains(&format!(
            "Since our session on {session_day} I have felt much lower than usual for 4 days"
        )),
        "{}",
        contact.body
    );
    assert!(contact.body.contains("Nothing is sent automatically"));
}

#[tokio::test]
async fn a_yes_to_the_safety_question_puts_the_crisis_path_first() {
    let t = test_app().await;
    let cookie = t.sign_up("sam@example.org").await;
    let body = json!({"client_id": uuid::Uuid::new_v4(), "mood": 5, "self_harm_thoughts": true})
        .to_string();
    t.post_json("/api/v1/checkins", &cookie, &body).await;
    let home = t.get("/", Some(&cookie)).await;
    let crisis = home.body.find("Please get support now").unwrap();
    let welcome = home.body.find("<h1>").unwrap();
    assert!(
        crisis < welcome,
        "the crisis path comes before anything else"
    );
    assert!(
        home.body.contains("href=\"tel:999\""),
        "UK emergency number for a GB account"
    );
    assert!(home.body.contains("href=\"tel:116123\""));
}

#[tokio::test]
async fn sessions_reflections_and_the_agenda() {
    let t = test_app().await;
    let cookie = t.sign_up("sam@example.org").await;
    let page = t.get("/sessions", Some(&cookie)).await;
    let csrf = hidden(&page.body, "csrf");
    let bad = t
        .post_form(
            "/sessions",
            &cookie,
            &format!("csrf={csrf}&date=tomorrow&time=15%3A00&repeat=weekly&note=room+4"),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Please give the date"));
    assert!(bad.body.contains("value=\"room 4\""));
    assert!(bad.body.contains("<option value=\"weekly\" selected>"));

    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::London)
        .date_naive();
    let yesterday = today.pred_opt().unwrap();
    let ok = t
        .post_form(
            "/sessions",
            &cookie,
            &format!("csrf={csrf}&date={yesterday}&time=15%3A00&repeat=weekly&note=room+4"),
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let list: Value = t.get("/api/v1/sessions", Some(&cookie)).await.json();
    let sessions = list["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 27, "a weekly series half a year ahead");
    let first_id = sessions[0]["id"].as_i64().unwrap();
    let second_id = sessions[1]["id"].as_i64().unwrap();
    assert_eq!(sessions[0]["note"], "room 4");
    assert!(
        sessions[1..].iter().all(|s| s["note"].is_null()),
        "the note is for the session it was written for only"
    );

    // The series shows once, its dates folded away, with one way to remove it; yesterday's
    // session waits first with a clear button to reflect on it.
    let page = t.get("/sessions", Some(&cookie)).await.body;
    let every = format!(
        "Every {} at 15:00",
        (yesterday + chrono::Duration::days(7)).format("%A")
    );
    assert_eq!(
        page.matches(&format!("<strong>{every}</strong>")).count(),
        1,
        "{page}"
    );
    assert_eq!(page.matches("room 4").count(), 1, "{page}");
    assert!(page.contains("Remove these sessions"));
    assert!(!page.contains("Remove this and later ones"));
    let reflect_at = page.find("Reflect on it").expect("the reflect button");
    assert!(
        reflect_at < page.find("id=\"upcoming-h\"").unwrap(),
        "reflect first"
    );
    assert!(page.contains(&format!(
        "class=\"button primary\" href=\"/sessions/{first_id}/reflect\""
    )));
    // Removing asks first, on a page of its own (no script needed), in plain words.
    let ask = t
        .get(&format!("/sessions/{second_id}/remove"), Some(&cookie))
        .await;
    assert_eq!(ask.status, StatusCode::OK);
    assert!(ask.body.contains("Remove this one and all later ones"));
    assert!(ask.body.contains("Remove only the one on"));
    assert!(ask.body.contains(" repeats every "), "{}", ask.body);
    assert!(
        ask.body.contains("25 more are planned after it."),
        "{}",
        ask.body
    );
    let nothing_yet: Value = t.get("/api/v1/sessions", Some(&cookie)).await.json();
    assert_eq!(
        nothing_yet["sessions"].as_array().unwrap().len(),
        27,
        "asking removes nothing"
    );

    // The day after a session, the home page offers the post-session check-in.
    let home = t.get("/", Some(&cookie)).await;
    assert!(
        home.body.contains("How are you a day after your session?"),
        "{}",
        home.body
    );
    assert!(home.body.contains(&format!("/sessions/{first_id}/reflect")));
    let form = t
        .get(&format!("/sessions/{first_id}/reflect"), Some(&cookie))
        .await;
    assert_eq!(form.status, StatusCode::OK);
    let client_id = hidden(&form.body, "client_id");
    let sent = t
        .post_form(
            &format!("/sessions/{first_id}/reflect"),
            &cookie,
            &format!("csrf={csrf}&client_id={client_id}&session_feeling=4&came_up=ran_out_of_time&topics=my+sister%0D%0Asleep"),
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    let home = t.get("/", Some(&cookie)).await;
    assert!(
        !home.body.contains("How are you a day after your session?"),
        "answered for today"
    );
    let agenda = t.get("/agenda", Some(&cookie)).await;
    assert!(agenda.body.contains("my sister") && agenda.body.contains("sleep"));

    let removed = t
        .post_form(
            &format!("/sessions/{first_id}/delete"),
            &cookie,
            &format!("csrf={csrf}&later=1"),
        )
        .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    let list: Value = t.get("/api/v1/sessions", Some(&cookie)).await.json();
    assert_eq!(list["sessions"].as_array().unwrap().len(), 0);
    let gone = t
        .post_form(
            &format!("/sessions/{first_id}/delete"),
            &cookie,
            &format!("csrf={csrf}"),
        )
        .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn one_account_never_sees_or_changes_another_accounts_data() {
    let t = test_app_with(app::Settings {
        open_signup: true,
        ..Default::default()
    })
    .await;
    let ana = t.sign_up("ana@example.org").await;
    let bo = t.sign_up("bo@example.org").await;
    let body = json!({"client_id": uuid::Uuid::new_v4(), "mood": 4, "note": "ana's private note"})
        .to_string();
    t.post_json("/api/v1/checkins", &ana, &body).await;
    t.post_json(
        "/api/v1/sessions",
        &ana,
        &json!({"client_id": uuid::Uuid::new_v4(), "at": days_ago(1)}).to_string(),
    )
    .await;
    let ana_sessions: Value = t.get("/api/v1/sessions", Some(&ana)).await.json();
    let ana_session = ana_sessions["sessions"][0]["id"].as_i64().unwrap();

    let bo_checkins: Value = t.get("/api/v1/checkins", Some(&bo)).await.json();
    assert_eq!(bo_checkins["checkins"].as_array().unwrap().len(), 0);
    assert!(
        !t.get("/history", Some(&bo))
            .await
            .body
            .contains("private note")
    );
    let bo_sessions: Value = t.get("/api/v1/sessions", Some(&bo)).await.json();
    assert_eq!(bo_sessions["sessions"].as_array().unwrap().len(), 0);
    assert_eq!(
        t.get(&format!("/sessions/{ana_session}/reflect"), Some(&bo))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let bo_home = t.get("/", Some(&bo)).await;
    let csrf = hidden(&bo_home.body, "csrf");
    let del = t
        .post_form(
            &format!("/sessions/{ana_session}/delete"),
            &bo,
            &format!("csrf={csrf}"),
        )
        .await;
    assert_eq!(del.status, StatusCode::NOT_FOUND);
    let still: Value = t.get("/api/v1/sessions", Some(&ana)).await.json();
    assert_eq!(still["sessions"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn settings_change_the_therapist_contact_and_keep_bad_input() {
    let t = test_app().await;
    let cookie = t.sign_up("sam@example.org").await;
    let page = t.get("/settings", Some(&cookie)).await;
    assert!(page.body.contains("value=\"Europe/London\""));
    let csrf = hidden(&page.body, "csrf");
    let bad = t
        .post_form(
            "/settings",
            &cookie,
            &format!("csrf={csrf}&country=GB&timezone=Mars%2FBase&usual_mood=6&therapist_name=Dr+Ada&therapist_phone=%2B44+20+7946+0000&therapist_email=ada"),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("time zone name"));
    assert!(
        bad.body.contains("value=\"Dr Ada\""),
        "what was typed is kept"
    );
    assert!(bad.body.contains("value=\"Mars/Base\""));
    let ok = t
        .post_form(
            "/settings",
            &cookie,
            &format!("csrf={csrf}&country=IE&timezone=Europe%2FDublin&usual_mood=6&therapist_name=Dr+Ada&therapist_phone=%2B353+1+555+0100&therapist_email=ada%40clinic.example&always_ask_safety=yes"),
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let contact = t.get("/contact", Some(&cookie)).await;
    assert!(contact.body.contains("href=\"tel:+35315550100\""));
    assert!(
        contact
            .body
            .contains("href=\"sms:+35315550100?&#38;body=Hi%20Dr%20Ada%2C")
    );
    assert!(contact.body.contains("mailto:ada@clinic.example"));
    assert!(contact.body.contains("Hi Dr Ada,"));
    // Ireland's lines now, and the safety question on every check-in.
    assert!(
        t.get("/help", Some(&cookie))
            .await
            .body
            .contains("href=\"tel:112\"")
    );
    let checkin = t.get("/checkin", Some(&cookie)).await;
    assert!(checkin.body.contains("data-always"));
}
