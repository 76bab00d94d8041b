//! Therapist accounts and what a therapist may change for a client, over HTTP on SQLite and
//! PostgreSQL: signing up as a therapist, being kept off clients' own pages and API, homework
//! a therapist assigns (shown to the client as from them), and the client's guidance
//! sensitivity (bounded, reassessed at once, explained to the client). Grants are written
//! straight into the database, as joining by code is tested with sharing.
// Helpers outside `#[test]` fns unwrap too; clippy.toml's test allowances reach only the tests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;
use support::*;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};
use sqlx::Connection;

/// Where a backend's rows can be written and read directly.
enum Db {
    Sqlite(String),
    Postgres(String),
}

impl Db {
    async fn exec(&self, sql: &str) {
        match self {
            Db::Sqlite(raw) => {
                let mut c = sqlx::SqliteConnection::connect(raw).await.unwrap();
                sqlx::query(sql).execute(&mut c).await.unwrap();
            }
            Db::Postgres(url) => {
                let mut c = sqlx::PgConnection::connect(url).await.unwrap();
                sqlx::query(sql).execute(&mut c).await.unwrap();
            }
        }
    }

    async fn int(&self, sql: &str) -> i64 {
        match self {
            Db::Sqlite(raw) => {
                let mut c = sqlx::SqliteConnection::connect(raw).await.unwrap();
                sqlx::query_scalar(sql).fetch_one(&mut c).await.unwrap()
            }
            Db::Postgres(url) => {
                let mut c = sqlx::PgConnection::connect(url).await.unwrap();
                sqlx::query_scalar(sql).fetch_one(&mut c).await.unwrap()
            }
        }
    }

    async fn texts(&self, sql: &str) -> Vec<String> {
        match self {
            Db::Sqlite(raw) => {
                let mut c = sqlx::SqliteConnection::connect(raw).await.unwrap();
                sqlx::query_scalar(sql).fetch_all(&mut c).await.unwrap()
            }
            Db::Postgres(url) => {
                let mut c = sqlx::PgConnection::connect(url).await.unwrap();
                sqlx::query_scalar(sql).fetch_all(&mut c).await.unwrap()
            }
        }
    }
}

struct Backend {
    name: &'static str,
    t: TestApp,
    db: Db,
}

fn settings() -> app::Settings {
    app::Settings {
        open_signup: true,
        ..Default::default()
    }
}

/// SQLite always; PostgreSQL as `test_apps` has it.
async fn backends() -> Vec<Backend> {
    let dir = tempfile::tempdir().unwrap();
    let url = store::DatabaseUrl::sqlite_in(dir.path());
    let store = store::testing::open(&url).await.unwrap();
    let router = web::router(web::AppState {
        app: app::App::new(store, settings()),
        config: web::WebConfig::default().into(),
    });
    let store::DatabaseUrl::Sqlite(raw) = url else {
        unreachable!()
    };
    let mut out = vec![Backend {
        name: "sqlite",
        t: TestApp { router, _dir: dir },
        db: Db::Sqlite(raw),
    }];
    if let Some(url) = store::testing::postgres_test_database().await {
        out.push(Backend {
            name: "postgres",
            t: postgres_app(&url, settings()).await,
            db: Db::Postgres(url),
        });
    }
    out
}

/// Signs up through the form as a therapist with `name`; the reply to the form.
async fn therapist_sign_up(t: &TestApp, email: &str, name: &str) -> Reply {
    let page = t.get("/signup", None).await;
    assert_eq!(page.status, StatusCode::OK);
    let form_token = page.cookie("form").unwrap();
    let csrf = hidden(&page.body, "csrf");
    t.post_form(
        "/signup",
        &format!("form={form_token}"),
        &format!(
            "csrf={csrf}&email={}&password=a+long+enough+password&account_kind=therapist&display_name={}&country=GB&usual_mood=&timezone=Europe%2FLondon",
            enc(email),
            enc(name)
        ),
    )
    .await
}

async fn therapist(t: &TestApp, email: &str, name: &str) -> String {
    let r = therapist_sign_up(t, email, name).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.headers[header::LOCATION], "/therapist");
    let cookie = format!("sid={}", r.cookie("sid").unwrap());
    // Nothing of a client's is shown before two-step sign-in is on.
    support::two_step::enrol(t, &cookie).await;
    cookie
}

async fn account_id(db: &Db, email: &str) -> i64 {
    db.int(&format!("SELECT id FROM accounts WHERE email = '{email}'"))
        .await
}

/// A live grant from the client to the therapist with `scopes`; its id.
async fn grant(db: &Db, client: &str, therapist: &str, scopes: &str) -> i64 {
    let (c, th) = (
        account_id(db, client).await,
        account_id(db, therapist).await,
    );
    db.int(&format!(
        "INSERT INTO share_grants (client_id, therapist_id, scopes, display_name, alerts, since_ms) \
         VALUES ({c}, {th}, '{scopes}', 'Sam', FALSE, 1700000000000) RETURNING id"
    ))
    .await
}

async fn send_json(t: &TestApp, method: &str, path: &str, cookie: &str, body: &str) -> Reply {
    t.send(
        Request::builder()
            .method(method)
            .uri(path)
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap(),
    )
    .await
}

async fn checkin(t: &TestApp, cookie: &str, mood: i64, days: i64) {
    let body =
        json!({"client_id": uuid::Uuid::new_v4(), "mood": mood, "at": days_ago(days)}).to_string();
    let r = t.post_json("/api/v1/checkins", cookie, &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
}

fn error_code(r: &Reply) -> String {
    r.json()["error"]["code"].as_str().unwrap_or("").to_string()
}

#[tokio::test]
async fn a_therapist_signs_up_with_a_name_and_is_kept_to_the_therapist_side() {
    for b in backends().await {
        let (t, name) = (&b.t, b.name);
        // The name clients will see is required of a therapist.
        let r = therapist_sign_up(t, "rivera@clinic.example", "  ").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        assert!(r.body.contains("name your clients will see"), "{name}");
        let cookie = therapist(t, "rivera@clinic.example", "Dr Rivera").await;
        assert_eq!(
            b.db.int("SELECT COUNT(*) FROM accounts WHERE role = 'therapist' AND display_name = 'Dr Rivera'")
                .await,
            1,
            "{name}"
        );

        // Home, the welcome questions and every client page go to the caseload.
        for path in [
            "/",
            "/welcome",
            "/checkin",
            "/history",
            "/journal",
            "/toolkit",
            "/homework",
            "/agenda",
            "/brief",
            "/questionnaires",
            "/sessions",
            "/feedback",
            "/safety-plan",
            "/more",
        ] {
            let r = t.get(path, Some(&cookie)).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{name} {path}");
            assert_eq!(r.headers[header::LOCATION], "/therapist", "{name} {path}");
        }
        // A client page's form is refused the same way, before anything is stored.
        let r = t.post_form("/checkin", &cookie, "csrf=x&mood=5").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{name}");
        assert_eq!(r.headers[header::LOCATION], "/therapist", "{name}");

        // Client-only API routes answer 403 clients_only; the account's own do not.
        let body = json!({"client_id": uuid::Uuid::new_v4(), "mood": 5}).to_string();
        let r = t.post_json("/api/v1/checkins", &cookie, &body).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{name}");
        assert_eq!(error_code(&r), "clients_only", "{name}");
        for path in ["/api/v1/homework", "/api/v1/guidance", "/api/v1/journal"] {
            let r = t.get(path, Some(&cookie)).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{name} {path}");
            assert_eq!(error_code(&r), "clients_only", "{name} {path}");
        }
        assert_eq!(b.db.int("SELECT COUNT(*) FROM checkins").await, 0, "{name}");
        let r = t.get("/api/v1/account/sessions", Some(&cookie)).await;
        assert_eq!(r.status, StatusCode::OK, "{name}");

        // Shared pages stay open, with the therapist's navigation and "Get help now".
        for path in [
            "/help",
            "/settings",
            "/settings/account",
            "/settings/tokens",
        ] {
            let r = t.get(path, Some(&cookie)).await;
            assert_eq!(r.status, StatusCode::OK, "{name} {path}");
            assert!(r.body.contains("href=\"/therapist\""), "{name} {path}");
            assert!(r.body.contains("Add a client"), "{name} {path}");
            assert!(!r.body.contains("href=\"/checkin\""), "{name} {path}");
            assert!(r.body.contains("Get help now"), "{name} {path}");
        }

        // Settings change the name clients see, and refuse an empty one.
        let page = t.get("/settings", Some(&cookie)).await;
        assert!(page.body.contains("value=\"Dr Rivera\""), "{name}");
        let csrf = hidden(&page.body, "csrf");
        let r = t
            .post_form(
                "/settings/name",
                &cookie,
                &format!("csrf={csrf}&display_name="),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        let r = t
            .post_form(
                "/settings/name",
                &cookie,
                &format!("csrf={csrf}&display_name={}", enc("Dr Sam Rivera")),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{name}");
        let page = t.get("/settings", Some(&cookie)).await;
        assert!(page.body.contains("value=\"Dr Sam Rivera\""), "{name}");

        // A client's account is not affected: home is theirs, and their settings have no
        // therapist name form.
        let client = t.sign_up("sam@example.org").await;
        assert_eq!(
            t.get("/", Some(&client)).await.status,
            StatusCode::OK,
            "{name}"
        );
        let r = t.get("/checkin", Some(&client)).await;
        assert_eq!(r.status, StatusCode::OK, "{name}");
        let r = t
            .post_form("/settings/name", &client, "csrf=x&display_name=Me")
            .await;
        assert_ne!(r.status, StatusCode::OK, "{name}");
        assert_eq!(
            b.db.int("SELECT COUNT(*) FROM accounts WHERE display_name IS NOT NULL")
                .await,
            1,
            "{name}"
        );
    }
}

#[tokio::test]
async fn homework_a_therapist_assigns_is_the_clients_marked_from_the_therapist() {
    for b in backends().await {
        let (t, name) = (&b.t, b.name);
        let doc = therapist(t, "rivera@clinic.example", "Dr Rivera").await;
        let client = t.sign_up("sam@example.org").await;
        let id = grant(
            &b.db,
            "sam@example.org",
            "rivera@clinic.example",
            "session_prep",
        )
        .await;
        let path = format!("/api/v1/therapist/clients/{id}/homework");

        let body =
            json!({"client_id": uuid::Uuid::new_v4(), "title": "Two good things each evening",
            "frequency": "daily"})
            .to_string();
        let r = t.post_json(&path, &doc, &body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{name} {}", r.body);
        let assigned = r.json();
        assert_eq!(assigned["from_therapist"], "Dr Rivera", "{name}");
        // A retry gives back the same homework, and stores nothing twice.
        let r = t.post_json(&path, &doc, &body).await;
        assert_eq!(r.status, StatusCode::OK, "{name}");
        assert_eq!(r.json()["id"], assigned["id"], "{name}");
        // Bad input is a kind 422, and nothing is stored.
        let bad = json!({"client_id": uuid::Uuid::new_v4(), "title": " "}).to_string();
        let r = t.post_json(&path, &doc, &bad).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        assert_eq!(r.json()["error"]["field"], "text", "{name}");

        // The client's own homework is not marked; the therapist's is, in the API and pages.
        let own =
            json!({"client_id": uuid::Uuid::new_v4(), "text": "Walk after lunch"}).to_string();
        let r = t.post_json("/api/v1/homework", &client, &own).await;
        assert_eq!(r.status, StatusCode::CREATED, "{name}");
        let list = t.get("/api/v1/homework", Some(&client)).await.json();
        let list = list["homework"].as_array().unwrap();
        assert_eq!(list.len(), 2, "{name}");
        assert_eq!(list[0]["from_therapist"], "Dr Rivera", "{name}");
        assert_eq!(list[1]["from_therapist"], Value::Null, "{name}");
        let page = t.get("/homework", Some(&client)).await;
        assert!(
            page.body.contains("From your therapist Dr Rivera"),
            "{name}"
        );
        let home = t.get("/", Some(&client)).await;
        assert!(
            home.body.contains("From your therapist Dr Rivera"),
            "{name}"
        );

        // It is the client's list: they log it as done, which the therapist's page shows.
        let hw = assigned["id"].as_i64().unwrap();
        let r = t
            .post_json(
                &format!("/api/v1/homework/{hw}/log"),
                &client,
                &json!({"client_id": uuid::Uuid::new_v4()}).to_string(),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{name}");
        let page = t
            .get(&format!("/therapist/clients/{id}/homework"), Some(&doc))
            .await;
        assert_eq!(page.status, StatusCode::OK, "{name}");
        assert!(page.body.contains("Two good things each evening"), "{name}");
        assert!(page.body.contains("Done 1 time"), "{name}");
        assert!(!page.body.contains("Walk after lunch"), "{name}");

        // The page's form assigns too.
        let csrf = hidden(&page.body, "csrf");
        let cid = hidden(&page.body, "client_id");
        let r = t
            .post_form(
                &format!("/therapist/clients/{id}/homework"),
                &doc,
                &format!(
                    "csrf={csrf}&client_id={cid}&text={}&frequency=once&due_on=",
                    enc("Notice one worry thought")
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{name} {}", r.body);
        let page = t
            .get(&format!("/therapist/clients/{id}/homework"), Some(&doc))
            .await;
        assert!(page.body.contains("Notice one worry thought"), "{name}");

        // And the client can remove it.
        let r = send_json(t, "DELETE", &format!("/api/v1/homework/{hw}"), &client, "").await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{name}");

        // Each assignment is an action in the client's audit log; the page view a read.
        let sam = account_id(&b.db, "sam@example.org").await;
        let actions =
            b.db.texts(&format!(
                "SELECT what FROM audit_log WHERE client_id = {sam} AND kind = 'action' ORDER BY id"
            ))
            .await;
        assert_eq!(actions, ["homework", "homework"], "{name}");
        let reads =
            b.db.int(&format!(
                "SELECT COUNT(*) FROM audit_log WHERE client_id = {sam} AND kind = 'read'"
            ))
            .await;
        assert!(reads >= 2, "{name}");
    }
}

#[tokio::test]
async fn a_therapist_acts_only_within_a_live_grant_and_its_scope() {
    for b in backends().await {
        let (t, name) = (&b.t, b.name);
        let doc = therapist(t, "rivera@clinic.example", "Dr Rivera").await;
        let other = therapist(t, "lee@clinic.example", "Dr Lee").await;
        let client = t.sign_up("sam@example.org").await;
        let checkins_only = grant(
            &b.db,
            "sam@example.org",
            "rivera@clinic.example",
            "checkins",
        )
        .await;
        let homework = json!({"client_id": uuid::Uuid::new_v4(), "text": "Breathe"}).to_string();

        // Without session_prep: no homework; without checkins: no sensitivity.
        let r = t
            .post_json(
                &format!("/api/v1/therapist/clients/{checkins_only}/homework"),
                &doc,
                &homework,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{name}");
        assert_eq!(error_code(&r), "not_shared", "{name}");
        let r = t
            .get(
                &format!("/therapist/clients/{checkins_only}/homework"),
                Some(&doc),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{name}");
        b.db.exec(&format!(
            "UPDATE share_grants SET scopes = 'session_prep' WHERE id = {checkins_only}"
        ))
        .await;
        let path = format!("/api/v1/therapist/clients/{checkins_only}/sensitivity");
        let r = send_json(t, "PUT", &path, &doc, r#"{"low_points":1.5}"#).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{name}");
        assert_eq!(error_code(&r), "not_shared", "{name}");
        let r = t.get(&path, Some(&doc)).await;
        assert_eq!(error_code(&r), "not_shared", "{name}");

        // Another therapist, and a revoked grant, find nothing at all.
        let r = send_json(t, "PUT", &path, &other, r#"{"low_points":1.5}"#).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{name}");
        b.db.exec(&format!(
            "UPDATE share_grants SET revoked_ms = 1700000000001 WHERE id = {checkins_only}"
        ))
        .await;
        let r = t
            .post_json(
                &format!("/api/v1/therapist/clients/{checkins_only}/homework"),
                &doc,
                &homework,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{name}");
        // A client account is not a therapist.
        let r = t.get(&path, Some(&client)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{name}");

        assert_eq!(b.db.int("SELECT COUNT(*) FROM homework").await, 0, "{name}");
        assert_eq!(
            b.db.int("SELECT COUNT(*) FROM accounts WHERE low_day_points_tenths IS NOT NULL")
                .await,
            0,
            "{name}"
        );
        assert_eq!(
            b.db.int("SELECT COUNT(*) FROM audit_log WHERE kind = 'action'")
                .await,
            0,
            "{name}"
        );
    }
}

#[tokio::test]
async fn sensitivity_outside_its_bounds_is_refused_by_name() {
    for b in backends().await {
        let (t, name) = (&b.t, b.name);
        let doc = therapist(t, "rivera@clinic.example", "Dr Rivera").await;
        t.sign_up("sam@example.org").await;
        let id = grant(
            &b.db,
            "sam@example.org",
            "rivera@clinic.example",
            "checkins",
        )
        .await;
        let path = format!("/api/v1/therapist/clients/{id}/sensitivity");

        let r = t.get(&path, Some(&doc)).await;
        assert_eq!(r.status, StatusCode::OK, "{name}");
        let v = r.json();
        assert_eq!(v["low_points"], 2.0, "{name}");
        assert_eq!(v["persisting_min_rated_days"], 3, "{name}");
        assert_eq!(v["is_default"], true, "{name}");
        assert_eq!(v["bounds"]["low_points"]["min"], 1.5, "{name}");
        assert_eq!(v["bounds"]["persisting_min_rated_days"]["max"], 5, "{name}");

        for (body, field) in [
            (r#"{"low_points":1.4}"#, "low_points"),
            (r#"{"low_points":3.1}"#, "low_points"),
            (r#"{"low_points":1.55}"#, "low_points"),
            (
                r#"{"persisting_min_rated_days":1}"#,
                "persisting_min_rated_days",
            ),
            (
                r#"{"persisting_min_rated_days":6}"#,
                "persisting_min_rated_days",
            ),
        ] {
            let r = send_json(t, "PUT", &path, &doc, body).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{name} {body}");
            assert_eq!(r.json()["error"]["field"], field, "{name} {body}");
        }
        // Malformed input is a 4xx with a JSON body, never a 500.
        for body in [r#"{"low_points":"low"}"#, r#"{"low_point":2}"#, "not json"] {
            let r = send_json(t, "PUT", &path, &doc, body).await;
            assert!(r.status.is_client_error(), "{name} {body}: {}", r.status);
            assert!(!error_code(&r).is_empty(), "{name} {body}");
        }
        // The page says what to fix too.
        let page = t
            .get(&format!("/therapist/clients/{id}/sensitivity"), Some(&doc))
            .await;
        assert_eq!(page.status, StatusCode::OK, "{name}");
        let csrf = hidden(&page.body, "csrf");
        let r = t
            .post_form(
                &format!("/therapist/clients/{id}/sensitivity"),
                &doc,
                &format!("csrf={csrf}&low_points=9&persisting_min_rated_days=3"),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        assert!(r.body.contains("between 1.5 and 3 points"), "{name}");

        assert_eq!(
            b.db.int("SELECT COUNT(*) FROM accounts WHERE low_day_points_tenths IS NOT NULL OR persisting_days IS NOT NULL")
                .await,
            0,
            "{name}"
        );
    }
}

/// Five weeks of 7s, then three days each rated 5 and 6 (a day's mood of 5.5): 1.5 points
/// below the usual 7, which is low with a threshold of 1.5 points and not with the default 2.
async fn slightly_lower_days(t: &TestApp, cookie: &str) {
    for days in (3..40).rev() {
        checkin(t, cookie, 7, days).await;
    }
    for days in (0..3).rev() {
        checkin(t, cookie, 5, days).await;
        checkin(t, cookie, 6, days).await;
    }
}

#[tokio::test]
async fn a_new_sensitivity_moves_the_clients_guidance_at_once_and_the_client_reads_why() {
    for b in backends().await {
        let (t, name) = (&b.t, b.name);
        let doc = therapist(t, "rivera@clinic.example", "Dr Rivera").await;
        let client = t.sign_up("sam@example.org").await;
        slightly_lower_days(t, &client).await;
        let id = grant(
            &b.db,
            "sam@example.org",
            "rivera@clinic.example",
            "checkins",
        )
        .await;
        let path = format!("/api/v1/therapist/clients/{id}/sensitivity");
        let level = || async { t.get("/api/v1/guidance", Some(&client)).await.json() };
        assert_eq!(level().await["level"], "steady", "{name}");

        // A lower threshold makes the three days low: a persisting stretch.
        let r = send_json(t, "PUT", &path, &doc, r#"{"low_points":1.5}"#).await;
        assert_eq!(r.status, StatusCode::OK, "{name} {}", r.body);
        let v = r.json();
        assert_eq!(v["low_points"], 1.5, "{name}");
        assert_eq!(v["set_by"], "Dr Rivera", "{name}");
        assert_eq!(v["guidance"]["level"], "reach_out", "{name} {v}");
        let g = level().await;
        assert_eq!(g["level"], "reach_out", "{name}");
        assert!(
            g["reasons"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["code"] == "persisting"),
            "{name} {g}"
        );
        // The change of level was recorded then and there, as of the change.
        assert_eq!(
            b.db.int("SELECT COUNT(*) FROM guidance_changes WHERE level = 'reach_out'")
                .await,
            1,
            "{name}"
        );

        // The client reads it in plain words on Settings and beside the guidance.
        let words = "Your therapist Dr Rivera asked the app to notice lower days sooner: a day counts as low when it is 1.5 points below your usual, instead of 2.";
        let settings = t.get("/settings", Some(&client)).await;
        assert!(settings.body.contains(words), "{name}");
        let home = t.get("/", Some(&client)).await;
        assert!(home.body.contains(words), "{name}");

        // Needing four low days in a row, three are not enough.
        let r = send_json(
            t,
            "PUT",
            &path,
            &doc,
            r#"{"low_points":1.5,"persisting_min_rated_days":4}"#,
        )
        .await;
        assert_eq!(r.json()["guidance"]["level"], "steady", "{name}");
        assert_eq!(level().await["level"], "steady", "{name}");
        let settings = t.get("/settings", Some(&client)).await;
        assert!(
            settings
                .body
                .contains("to wait a little longer before suggesting reaching out: after 4 low days in a row, instead of 3."),
            "{name}"
        );

        // Through the page: back to 1.5 and 3, then the defaults, which forget who set them.
        let page = t
            .get(&format!("/therapist/clients/{id}/sensitivity"), Some(&doc))
            .await;
        let csrf = hidden(&page.body, "csrf");
        let r = t
            .post_form(
                &format!("/therapist/clients/{id}/sensitivity"),
                &doc,
                &format!("csrf={csrf}&low_points=1.5&persisting_min_rated_days=3"),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{name} {}", r.body);
        assert_eq!(level().await["level"], "reach_out", "{name}");
        let r = t
            .post_form(
                &format!("/therapist/clients/{id}/sensitivity"),
                &doc,
                &format!("csrf={csrf}&reset=yes"),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{name}");
        assert_eq!(level().await["level"], "steady", "{name}");
        let v = t.get(&path, Some(&doc)).await.json();
        assert_eq!(v["is_default"], true, "{name}");
        assert_eq!(v["set_by"], Value::Null, "{name}");
        let settings = t.get("/settings", Some(&client)).await;
        assert!(!settings.body.contains("asked the app"), "{name}");

        // Four changes, four actions in the client's audit log.
        let sam = account_id(&b.db, "sam@example.org").await;
        let actions =
            b.db.texts(&format!(
                "SELECT what FROM audit_log WHERE client_id = {sam} AND kind = 'action'"
            ))
            .await;
        assert_eq!(actions, ["sensitivity"; 4], "{name}");
    }
}
