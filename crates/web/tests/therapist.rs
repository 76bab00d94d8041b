//! What a therapist sees, over HTTP on both backends: the caseload in order of need, a
//! client's shared data by scope (403 not_shared for a scope kept, 404 for no grant, a
//! revoked one or another therapist's), the audit row every read appends (with no data in
//! it), and a client's own account kept off therapist routes.
// Helpers outside `#[test]` fns unwrap too; clippy.toml's test allowances reach only the tests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;
use support::*;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};
use sqlx::Connection;

/// A test app with a way into its database, for what another branch of the product makes
/// (grants come from invites the client makes; here they are written directly).
struct Setup {
    t: TestApp,
    app: app::App,
    db: Db,
}

enum Db {
    Sqlite(String),
    Postgres(String),
}

impl Db {
    async fn exec(&self, sql: &str) {
        match self {
            Db::Sqlite(url) => {
                let mut c = sqlx::SqliteConnection::connect(url).await.unwrap();
                sqlx::query(sql).execute(&mut c).await.unwrap();
                c.close().await.unwrap();
            }
            Db::Postgres(url) => {
                let mut c = sqlx::PgConnection::connect(url).await.unwrap();
                sqlx::query(sql).execute(&mut c).await.unwrap();
                c.close().await.unwrap();
            }
        }
    }

    async fn int(&self, sql: &str) -> i64 {
        match self {
            Db::Sqlite(url) => {
                let mut c = sqlx::SqliteConnection::connect(url).await.unwrap();
                let v: i64 = sqlx::query_scalar(sql).fetch_one(&mut c).await.unwrap();
                c.close().await.unwrap();
                v
            }
            Db::Postgres(url) => {
                let mut c = sqlx::PgConnection::connect(url).await.unwrap();
                let v: i64 = sqlx::query_scalar(sql).fetch_one(&mut c).await.unwrap();
                c.close().await.unwrap();
                v
            }
        }
    }

    /// Every audit row, oldest first: (client_id, therapist_id, therapist_name, grant_id,
    /// kind, what, endpoint).
    async fn audit(&self) -> Vec<(i64, i64, String, i64, String, String, String)> {
        const SQL: &str = "SELECT client_id, therapist_id, therapist_name, grant_id, kind, \
                           what, endpoint FROM audit_log ORDER BY id";
        match self {
            Db::Sqlite(url) => {
                let mut c = sqlx::SqliteConnection::connect(url).await.unwrap();
                sqlx::query_as(SQL).fetch_all(&mut c).await.unwrap()
            }
            Db::Postgres(url) => {
                let mut c = sqlx::PgConnection::connect(url).await.unwrap();
                sqlx::query_as(SQL).fetch_all(&mut c).await.unwrap()
            }
        }
    }
}

async fn setups() -> Vec<(&'static str, Setup)> {
    let settings = app::Settings {
        open_signup: true,
        ..Default::default()
    };
    let mut out = Vec::new();
    let dir = tempfile::tempdir().unwrap();
    let url = store::DatabaseUrl::sqlite_in(dir.path());
    let store = store::testing::open(&url).await.unwrap();
    let store::DatabaseUrl::Sqlite(raw) = &url else {
        unreachable!()
    };
    let app = app::App::new(store, settings.clone());
    let router = web::router(web::AppState {
        app: app.clone(),
        config: web::WebConfig::default().into(),
    });
    out.push((
        "sqlite",
        Setup {
            t: TestApp { router, _dir: dir },
            app,
            db: Db::Sqlite(raw.clone()),
        },
    ));
    if let Some(pg) = store::testing::postgres_test_database().await {
        let url = store::DatabaseUrl::parse(&pg).unwrap();
        let store = store::testing::open(&url).await.unwrap();
        let app = app::App::new(store, settings);
        let router = web::router(web::AppState {
            app: app.clone(),
            config: web::WebConfig::default().into(),
        });
        out.push((
            "postgres",
            Setup {
                t: TestApp {
                    router,
                    _dir: tempfile::tempdir().unwrap(),
                },
                app,
                db: Db::Postgres(pg),
            },
        ));
    }
    out
}

const PASSWORD: &str = "a long enough password";

/// Makes a therapist account (as the operator does), signs it in and turns two-step sign-in
/// on, as a therapist must before any client's data is shown: its session cookie.
async fn therapist(s: &Setup, email: &str, name: Option<&str>) -> String {
    s.app
        .add_user(app::NewUser {
            email: email.into(),
            password: PASSWORD.into(),
            role: domain::account::Role::Therapist,
            country: Some("GB".into()),
            timezone: Some("Europe/London".into()),
        })
        .await
        .unwrap();
    if let Some(name) = name {
        s.db.exec(&format!(
            "UPDATE accounts SET display_name = '{name}' WHERE email = '{email}'"
        ))
        .await;
    }
    let cookie = sign_in(&s.t, email).await;
    support::two_step::enrol(&s.t, &cookie).await;
    cookie
}

async fn sign_in(t: &TestApp, email: &str) -> String {
    let page = t.get("/signin", None).await;
    let form_token = page.cookie("form").unwrap();
    let csrf = hidden(&page.body, "csrf");
    let res = t
        .send(
            Request::post("/signin")
                .header(header::COOKIE, format!("form={form_token}"))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header("sec-fetch-site", "same-origin")
                .body(Body::from(format!(
                    "csrf={csrf}&email={}&password={}",
                    enc(email),
                    enc(PASSWORD)
                )))
                .unwrap(),
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    format!("sid={}", res.cookie("sid").unwrap())
}

async fn account_id(s: &Setup, email: &str) -> i64 {
    s.db.int(&format!("SELECT id FROM accounts WHERE email = '{email}'"))
        .await
}

/// Writes a live grant from the client to the therapist: its id.
async fn grant(s: &Setup, client: &str, therapist: &str, name: &str, scopes: &str) -> i64 {
    let (c, t) = (account_id(s, client).await, account_id(s, therapist).await);
    s.db.exec(&format!(
        "INSERT INTO share_grants (client_id, therapist_id, scopes, display_name, since_ms) \
         VALUES ({c}, {t}, '{scopes}', '{name}', 1700000000000)"
    ))
    .await;
    s.db.int(&format!(
        "SELECT id FROM share_grants WHERE client_id = {c} AND therapist_id = {t} \
         AND revoked_ms IS NULL"
    ))
    .await
}

async fn checkin(t: &TestApp, cookie: &str, days_back: i64, mood: i64, harm: bool, missed: bool) {
    let body = json!({"client_id": uuid::Uuid::new_v4(), "mood": mood, "at": days_ago(days_back),
        "self_harm_thoughts": harm, "missed_usual_activities": missed})
    .to_string();
    let r = t.post_json("/api/v1/checkins", cookie, &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
}

/// A therapy session of the client's, at `at` (RFC 3339).
async fn session(t: &TestApp, cookie: &str, at: String) {
    let body = json!({"client_id": uuid::Uuid::new_v4(), "at": at}).to_string();
    let r = t.post_json("/api/v1/sessions", cookie, &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
}

async fn get_json(t: &TestApp, path: &str, cookie: &str) -> (StatusCode, Value) {
    let r = t.get(path, Some(cookie)).await;
    let v = serde_json::from_str(&r.body).unwrap_or(Value::Null);
    (r.status, v)
}

#[tokio::test]
async fn the_caseload_puts_the_most_urgent_first_and_shows_only_what_is_shared() {
    for (backend, s) in setups().await {
        let t = &s.t;
        let urgent = t.sign_up("ur@example.org").await;
        let reach = t.sign_up("ro@example.org").await;
        let steady = t.sign_up("st@example.org").await;
        let private = t.sign_up("pr@example.org").await;
        let doc = therapist(&s, "doc@example.org", Some("Dr Ada")).await;

        checkin(t, &urgent, 0, 6, true, false).await;
        for n in (0..5).rev() {
            checkin(t, &reach, n, 2, false, true).await;
        }
        for n in (0..3).rev() {
            checkin(t, &steady, n, 7, false, false).await;
        }
        // Low days the therapist must not see: only questionnaires are shared.
        for n in (0..5).rev() {
            checkin(t, &private, n, 1, false, true).await;
        }
        // Names given so that alphabetical order would be the wrong order.
        let g_steady = grant(&s, "st@example.org", "doc@example.org", "Aaron", "checkins").await;
        let g_reach = grant(
            &s,
            "ro@example.org",
            "doc@example.org",
            "Bea",
            "checkins,plans",
        )
        .await;
        let g_urgent = grant(&s, "ur@example.org", "doc@example.org", "Cy", "checkins").await;
        let g_private = grant(
            &s,
            "pr@example.org",
            "doc@example.org",
            "Dee",
            "questionnaires",
        )
        .await;

        let (status, list) = get_json(t, "/api/v1/therapist/clients", &doc).await;
        assert_eq!(status, StatusCode::OK, "{backend}: {list}");
        let clients = list["clients"].as_array().unwrap();
        let ids: Vec<i64> = clients.iter().map(|c| c["id"].as_i64().unwrap()).collect();
        assert_eq!(
            ids,
            [g_urgent, g_reach, g_steady, g_private],
            "{backend}: {list}"
        );
        let levels: Vec<&Value> = clients.iter().map(|c| &c["level"]).collect();
        assert_eq!(
            levels,
            [
                &json!("urgent"),
                &json!("reach_out"),
                &json!("steady"),
                &Value::Null
            ],
            "{backend}"
        );
        let urgent_reasons: Vec<&str> = clients[0]["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["code"].as_str().unwrap())
            .collect();
        assert!(urgent_reasons.contains(&"self_harm_thoughts"), "{backend}");
        assert!(
            clients[0]["reasons"][0]["summary"]
                .as_str()
                .unwrap()
                .contains("harming themselves"),
            "{backend}"
        );
        assert_eq!(clients[1]["display_name"], "Bea");
        assert_eq!(clients[1]["scopes"], json!(["checkins", "plans"]));
        assert!(clients[1]["last_checkin_at"].is_string(), "{backend}");
        // Not shared: every field of the check-ins scope is null, however low the days.
        let dee = &clients[3];
        for field in [
            "level",
            "reasons",
            "last_checkin_at",
            "next_session_at",
            "mood_since_last_session",
        ] {
            assert!(dee[field].is_null(), "{backend}: {field} in {dee}");
        }

        // One audit row per client whose data the list showed (three, not Dee), each naming
        // the therapist, the kind, and the route — never a level or a mood.
        let audit = s.db.audit().await;
        assert_eq!(audit.len(), 3, "{backend}: {audit:?}");
        for (_, _, name, grant, kind, what, endpoint) in &audit {
            assert_eq!(name, "Dr Ada");
            assert_ne!(*grant, g_private);
            assert_eq!(kind, "read");
            assert_eq!(what, "caseload");
            assert_eq!(endpoint, "/api/v1/therapist/clients");
        }

        // The page shows the same order, the level in words and the reasons' summaries.
        let page = t.get("/therapist", Some(&doc)).await;
        assert_eq!(page.status, StatusCode::OK, "{backend}");
        let (cy, bea, aaron) = (
            page.body.find(">Cy<").unwrap(),
            page.body.find(">Bea<").unwrap(),
            page.body.find(">Aaron<").unwrap(),
        );
        assert!(cy < bea && bea < aaron, "{backend}");
        assert!(page.body.contains("Safety first"), "{backend}");
        assert!(
            page.body.contains("Mood much lower than usual"),
            "{backend}: {}",
            page.body
        );
        assert!(page.body.contains("Not shared"), "{backend}");
        assert!(
            page.body
                .contains(&format!("/therapist/clients/{g_urgent}"))
        );
        // A look within the hour after one logged is not logged again, by either route...
        assert_eq!(s.db.audit().await.len(), 3, "{backend}");
        // ...and the first look an hour or more later is, for each of the three again.
        s.db.exec(&format!(
            "UPDATE share_grants SET caseload_logged_ms = caseload_logged_ms - {} \
             WHERE caseload_logged_ms IS NOT NULL",
            app::CASELOAD_LOOK_LOGGED_EVERY.num_milliseconds()
        ))
        .await;
        let page = t.get("/therapist", Some(&doc)).await;
        assert_eq!(page.status, StatusCode::OK, "{backend}");
        let audit = s.db.audit().await;
        assert_eq!(audit.len(), 6, "{backend}: {audit:?}");
        assert!(
            audit[3..]
                .iter()
                .all(|(_, _, _, grant, _, what, endpoint)| *grant != g_private
                    && what == "caseload"
                    && endpoint == "/therapist"),
            "{backend}: {audit:?}"
        );
        let (_, again) = get_json(t, "/api/v1/therapist/clients", &doc).await;
        assert_eq!(again["clients"].as_array().unwrap().len(), 4, "{backend}");
        assert_eq!(s.db.audit().await.len(), 6, "{backend}");
    }
}

#[tokio::test]
async fn a_scope_not_shared_is_403_and_no_grant_revoked_or_another_s_is_404() {
    for (backend, s) in setups().await {
        let t = &s.t;
        let client = t.sign_up("cl@example.org").await;
        checkin(t, &client, 1, 6, false, false).await;
        let doc = therapist(&s, "doc@example.org", None).await;
        let other = therapist(&s, "other@example.org", None).await;
        let g = grant(&s, "cl@example.org", "doc@example.org", "Cal", "checkins").await;
        let base = format!("/api/v1/therapist/clients/{g}");

        for (part, status) in [
            ("checkins", StatusCode::OK),
            ("guidance", StatusCode::OK),
            ("questionnaires", StatusCode::FORBIDDEN),
            ("session-prep", StatusCode::FORBIDDEN),
            ("plans", StatusCode::FORBIDDEN),
        ] {
            let (got, body) = get_json(t, &format!("{base}/{part}"), &doc).await;
            assert_eq!(got, status, "{backend} {part}: {body}");
            if status == StatusCode::FORBIDDEN {
                assert_eq!(body["error"]["code"], "not_shared", "{backend} {part}");
            }
        }

        // Only the two reads that were allowed were recorded, each with its scope and
        // route pattern (no id, no data).
        let audit = s.db.audit().await;
        let whats: Vec<(&str, &str)> = audit.iter().map(|r| (r.5.as_str(), r.6.as_str())).collect();
        assert_eq!(
            whats,
            [
                ("checkins", "/api/v1/therapist/clients/{id}/checkins"),
                ("checkins", "/api/v1/therapist/clients/{id}/guidance"),
            ],
            "{backend}"
        );
        assert_eq!(
            audit[0].2, "doc@example.org",
            "the email stands in for a name"
        );
        let (_, checkins) = get_json(t, &format!("{base}/checkins"), &doc).await;
        assert_eq!(checkins["checkins"].as_array().unwrap().len(), 1);
        assert_eq!(checkins["checkins"][0]["mood"], 6);
        let (_, guidance) = get_json(t, &format!("{base}/guidance"), &doc).await;
        assert_eq!(guidance["level"], "steady", "{guidance}");
        assert!(guidance["changes"].is_array());

        // Another therapist, an unknown id and a word instead of an id: 404, no hint.
        for (who, path) in [
            (&other, format!("{base}/checkins")),
            (
                &doc,
                "/api/v1/therapist/clients/999999/checkins".to_string(),
            ),
            (&doc, "/api/v1/therapist/clients/abc/checkins".to_string()),
        ] {
            let (got, body) = get_json(t, &path, who).await;
            assert_eq!(got, StatusCode::NOT_FOUND, "{backend} {path}: {body}");
            assert_eq!(body["error"]["code"], "not_found");
        }
        assert_eq!(
            t.get(&format!("/therapist/clients/{g}"), Some(&other))
                .await
                .status,
            StatusCode::NOT_FOUND
        );

        // Revoked: 404 from the next request on, and gone from the caseload.
        s.db.exec(&format!(
            "UPDATE share_grants SET revoked_ms = 1700000001000 WHERE id = {g}"
        ))
        .await;
        let (got, _) = get_json(t, &format!("{base}/checkins"), &doc).await;
        assert_eq!(got, StatusCode::NOT_FOUND, "{backend}");
        let (_, list) = get_json(t, "/api/v1/therapist/clients", &doc).await;
        assert_eq!(list["clients"], json!([]), "{backend}");
        assert_eq!(
            s.db.audit().await.len(),
            4,
            "{backend}: nothing more was read"
        );
        let page = t.get("/therapist", Some(&doc)).await;
        assert!(
            page.body.contains("/therapist/join"),
            "{backend}: empty state"
        );
        assert!(page.body.contains("Ask your client for their code"));
    }
}

#[tokio::test]
async fn a_therapist_sees_nothing_of_a_client_before_turning_on_two_step_sign_in() {
    for (backend, s) in setups().await {
        let t = &s.t;
        let client = t.sign_up("cl@example.org").await;
        checkin(t, &client, 0, 2, false, true).await;
        s.app
            .add_user(app::NewUser {
                email: "doc@example.org".into(),
                password: PASSWORD.into(),
                role: domain::account::Role::Therapist,
                country: Some("GB".into()),
                timezone: Some("Europe/London".into()),
            })
            .await
            .unwrap();
        let doc = sign_in(t, "doc@example.org").await;
        let g = grant(
            &s,
            "cl@example.org",
            "doc@example.org",
            "Sam",
            "checkins,session_prep",
        )
        .await;
        let enrol_page = "/settings/account/two-step";

        // Every therapist page sends them to turn it on first, the join form too.
        for path in [
            "/therapist".to_string(),
            "/therapist/join".to_string(),
            format!("/therapist/clients/{g}"),
            format!("/therapist/clients/{g}/homework"),
            format!("/therapist/clients/{g}/sensitivity"),
        ] {
            let r = t.get(&path, Some(&doc)).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend} {path}");
            assert_eq!(r.headers[header::LOCATION], enrol_page, "{backend} {path}");
        }
        let page = t.get(enrol_page, Some(&doc)).await;
        assert!(
            page.body.contains(
                "Therapist accounts need two-step sign-in before anything a client shares is shown"
            ),
            "{backend}"
        );
        // The API, asked with the same session, says what is missing.
        for path in [
            "/api/v1/therapist/clients".to_string(),
            format!("/api/v1/therapist/clients/{g}/checkins"),
            format!("/api/v1/therapist/clients/{g}/guidance"),
        ] {
            let (got, body) = get_json(t, &path, &doc).await;
            assert_eq!(got, StatusCode::FORBIDDEN, "{backend} {path}: {body}");
            assert_eq!(body["error"]["code"], "second_factor_required", "{backend}");
        }
        let joined = t
            .post_json(
                "/api/v1/therapist/clients",
                &doc,
                r#"{"code":"K7QM-4XZP-2D"}"#,
            )
            .await;
        assert_eq!(
            joined.status,
            StatusCode::FORBIDDEN,
            "{backend}: {}",
            joined.body
        );
        assert_eq!(joined.json()["error"]["code"], "second_factor_required");
        // Nothing was read, so nothing is in the client's log.
        assert_eq!(s.db.audit().await.len(), 0, "{backend}");

        // A token the operator made stands in for it: whoever runs the command holds the
        // database already.
        let token = s
            .app
            .create_token_for("doc@example.org", Some("script"), None)
            .await
            .unwrap()
            .secret;
        let r = t
            .send(
                Request::get("/api/v1/therapist/clients")
                    .header(header::AUTHORIZATION, format!("Bearer {token}"))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        assert_eq!(r.json()["clients"][0]["display_name"], "Sam", "{backend}");

        // Once it is on, the same session sees the caseload and the client.
        support::two_step::enrol(t, &doc).await;
        let r = t.get("/therapist", Some(&doc)).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");
        assert!(r.body.contains("Sam"), "{backend}");
        let r = t.get(&format!("/therapist/clients/{g}"), Some(&doc)).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");
    }
}

#[tokio::test]
async fn a_client_or_anonymous_visitor_cannot_use_therapist_routes() {
    for (backend, s) in setups().await {
        let t = &s.t;
        let client = t.sign_up("cl@example.org").await;
        let _doc = therapist(&s, "doc@example.org", None).await;
        // Even with a grant naming them as the therapist, a client account is refused.
        let g = grant(&s, "cl@example.org", "cl@example.org", "Me", "checkins").await;
        for path in [
            "/api/v1/therapist/clients".to_string(),
            format!("/api/v1/therapist/clients/{g}/checkins"),
        ] {
            let (got, body) = get_json(t, &path, &client).await;
            assert_eq!(got, StatusCode::FORBIDDEN, "{backend} {path}: {body}");
            assert_eq!(body["error"]["code"], "forbidden");
            let anon = t.get(&path, None).await;
            assert_eq!(anon.status, StatusCode::UNAUTHORIZED, "{backend} {path}");
        }
        assert_eq!(
            t.get("/therapist", Some(&client)).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(s.db.audit().await.len(), 0, "{backend}");
    }
}

#[tokio::test]
async fn the_client_page_shows_granted_sections_and_says_not_shared_for_the_rest() {
    for (backend, s) in setups().await {
        let t = &s.t;
        let client = t.sign_up("cl@example.org").await;
        for n in (0..4).rev() {
            checkin(t, &client, n, 6, false, false).await;
        }
        let r = t
            .post_json(
                "/api/v1/agenda",
                &client,
                &json!({"client_id": uuid::Uuid::new_v4(), "text": "Talk about sleep"}).to_string(),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let doc = therapist(&s, "doc@example.org", Some("Dr Ada")).await;
        let g = grant(
            &s,
            "cl@example.org",
            "doc@example.org",
            "Cal",
            "checkins,session_prep",
        )
        .await;

        let page = t.get(&format!("/therapist/clients/{g}"), Some(&doc)).await;
        assert_eq!(page.status, StatusCode::OK, "{backend}: {}", page.body);
        assert!(page.body.contains("<svg"), "{backend}: the mood chart");
        assert!(page.body.contains("Talk about sleep"), "{backend}");
        assert!(
            page.body
                .contains("Your client has not shared their questionnaires")
        );
        assert!(page.body.contains("Your client has not shared their plans"));
        assert!(
            page.body
                .contains(&format!("/therapist/clients/{g}/homework"))
        );
        assert!(
            page.body
                .contains(&format!("/therapist/clients/{g}/sensitivity"))
        );
        let audit = s.db.audit().await;
        let whats: Vec<&str> = audit.iter().map(|r| r.5.as_str()).collect();
        assert_eq!(whats, ["checkins", "session_prep"], "{backend}");
        assert!(audit.iter().all(|r| r.6 == "/therapist/clients/{id}"));

        let (status, prep) = get_json(
            t,
            &format!("/api/v1/therapist/clients/{g}/session-prep"),
            &doc,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{backend}: {prep}");
        assert_eq!(prep["agenda"][0]["text"], "Talk about sleep");
    }
}

/// The part of a page between `start` and the first `end` after it.
fn between<'a>(body: &'a str, start: &str, end: &str) -> &'a str {
    let from = body
        .find(start)
        .unwrap_or_else(|| panic!("{start} in {body}"));
    let rest = &body[from..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

/// The text of each `<li>` in `html`, tags left out.
fn items(html: &str) -> Vec<String> {
    html.split("<li>")
        .skip(1)
        .map(|li| li[..li.find("</li>").unwrap_or(li.len())].to_string())
        .collect()
}

#[tokio::test]
async fn the_client_page_speaks_to_the_therapist_about_the_client() {
    for (backend, s) in setups().await {
        let t = &s.t;
        let client = t.sign_up("cl@example.org").await;
        for n in (0..20).rev() {
            checkin(t, &client, n, 6 + n % 2, false, false).await;
        }
        for (path, body) in [
            (
                "/api/v1/sessions",
                json!({"client_id": uuid::Uuid::new_v4(), "at": days_ago(5)}),
            ),
            (
                "/api/v1/homework",
                json!({"client_id": uuid::Uuid::new_v4(), "text": "A walk", "frequency": "daily"}),
            ),
        ] {
            let r = t.post_json(path, &client, &body.to_string()).await;
            assert_eq!(
                r.status,
                StatusCode::CREATED,
                "{backend} {path}: {}",
                r.body
            );
        }
        let me = s.app.operator_actor("cl@example.org").await.unwrap();
        s.app
            .save_safety_plan(
                &me,
                domain::plans::SafetyPlanInput {
                    warning_signs: "Not sleeping".into(),
                    on_my_own: "A long bath".into(),
                    distractions: "The park".into(),
                    safer_surroundings: "Pills at a friend's".into(),
                    reasons_for_living: "My sister".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let doc = therapist(&s, "doc@example.org", Some("Dr Ada")).await;
        let g = grant(
            &s,
            "cl@example.org",
            "doc@example.org",
            "Cal",
            "checkins,session_prep,plans",
        )
        .await;

        let page = t.get(&format!("/therapist/clients/{g}"), Some(&doc)).await;
        assert_eq!(page.status, StatusCode::OK, "{backend}: {}", page.body);
        let article = between(&page.body, "<article", "</article>");
        // What the client wrote stays in their words; everything around it is ours.
        let ours = article.replace("My sister", "");
        for client_words in [
            "Your mood",
            "Your usual",
            "your usual",
            "your therapy",
            "Log it here",
            "since you added",
            "My safety plan",
            "Things I can",
            "distract me",
            "People I can",
            "my surroundings",
            " I ",
            " my ",
            ">My ",
        ] {
            assert!(
                !ours.contains(client_words),
                "{backend}: \"{client_words}\" on the therapist's page: {article}"
            );
        }
        for words in [
            "Their safety plan and backsliding plan",
            "Things they can do on their own",
            "Making their surroundings safer",
            "Mood, one dot for each day they checked in",
            "Their usual mood",
            "Just added; not logged yet.",
        ] {
            assert!(
                article.contains(words),
                "{backend}: \"{words}\" in {article}"
            );
        }
        // Every link leads somewhere the therapist can use, not to the client's own pages.
        for link in article.split("href=\"").skip(1) {
            let to = &link[..link.find('"').unwrap()];
            assert!(
                to.starts_with("/therapist"),
                "{backend}: a link to {to} on the therapist's page"
            );
        }
        // The client's own pages keep their first person.
        let brief = t.get("/brief", Some(&client)).await;
        assert!(brief.body.contains("Your mood, one dot"), "{backend}");
        let homework = t.get("/homework", Some(&client)).await;
        assert!(homework.body.contains("Log it here"), "{backend}");
    }
}

#[tokio::test]
async fn a_client_who_never_checked_in_shows_no_check_ins_yet_on_both_pages() {
    for (backend, s) in setups().await {
        let t = &s.t;
        let client = t.sign_up("cl@example.org").await;
        session(t, &client, days_ago(2)).await;
        let doc = therapist(&s, "doc@example.org", Some("Dr Ada")).await;
        let g = grant(&s, "cl@example.org", "doc@example.org", "Cal", "checkins").await;

        // The client page first: reading the level records one, which the caseload then reads.
        let page = t.get(&format!("/therapist/clients/{g}"), Some(&doc)).await;
        assert_eq!(page.status, StatusCode::OK, "{backend}: {}", page.body);
        let guidance = between(&page.body, "<div class=\"guidance", "</div>");
        assert!(
            guidance.contains("No check-ins yet"),
            "{backend}: {guidance}"
        );
        assert!(!page.body.contains("Nothing stands out"), "{backend}");

        let list = t.get("/therapist", Some(&doc)).await;
        let row = between(&list.body, "<tr class=\"caseload-row", "</tr>");
        assert!(row.contains("No check-ins yet"), "{backend}: {row}");
        assert!(!row.contains("Nothing stands out"), "{backend}: {row}");
        assert!(!row.contains("level-steady"), "{backend}: {row}");
    }
}

#[tokio::test]
async fn since_the_last_session_is_the_same_period_on_the_caseload_and_the_client_page() {
    for (backend, s) in setups().await {
        let t = &s.t;
        let client = t.sign_up("cl@example.org").await;
        for n in (0..12).rev() {
            checkin(t, &client, n, 6, false, false).await;
        }
        // Two past sessions: "since the last session" starts at the later one.
        for at in [days_ago(9), days_ago(3)] {
            session(t, &client, at).await;
        }
        let doc = therapist(&s, "doc@example.org", Some("Dr Ada")).await;
        let g = grant(&s, "cl@example.org", "doc@example.org", "Cal", "checkins").await;

        let list = t.get("/therapist", Some(&doc)).await;
        let mood = between(
            &list.body,
            "data-label=\"Mood since last session\">",
            "</td>",
        );
        let since = between(mood, "since the session on ", ";");
        let page = t.get(&format!("/therapist/clients/{g}"), Some(&doc)).await;
        assert!(
            page.body.contains(&format!("Mood {since} is to the right")),
            "{backend}: the caseload says \"{since}\": {}",
            page.body
        );
        // The chart reaches back to the session before last, as the client's own brief does.
        let before_last = (chrono::Utc::now() - chrono::Duration::days(9))
            .with_timezone(&chrono_tz::Europe::London);
        let from = format!(
            "From the session before last, {}",
            before_last.format("%a %-d %b")
        );
        assert!(
            page.body.contains(&from),
            "{backend}: {from}: {}",
            page.body
        );
        let chart = between(&page.body, "<title id=\"chart-title\">", "</title>");
        let first_day = before_last.format("%-d %B").to_string();
        assert!(chart.contains(&first_day), "{backend}: {chart}");
    }
}

#[tokio::test]
async fn the_caseload_and_the_client_page_show_the_same_level_and_reasons() {
    for (backend, s) in setups().await {
        let t = &s.t;
        let client = t.sign_up("cl@example.org").await;
        for n in (1..6).rev() {
            checkin(t, &client, n, 2, false, false).await;
        }
        let doc = therapist(&s, "doc@example.org", Some("Dr Ada")).await;
        let g = grant(&s, "cl@example.org", "doc@example.org", "Cal", "checkins").await;
        let (_, list) = get_json(t, "/api/v1/therapist/clients", &doc).await;
        assert_eq!(
            list["clients"][0]["level"], "reach_out",
            "{backend}: {list}"
        );
        // A new reason while the level holds: no change of level is recorded for it.
        checkin(t, &client, 0, 2, false, true).await;
        let (_, now) = get_json(t, &format!("/api/v1/therapist/clients/{g}/guidance"), &doc).await;
        assert_eq!(now["level"], "reach_out", "{backend}: {now}");

        let list = t.get("/therapist", Some(&doc)).await;
        let row = between(&list.body, "<tr class=\"caseload-row", "</tr>");
        let row_level = between(row, "<strong class=\"level-label\">", "</strong>")
            .trim_start_matches("<strong class=\"level-label\">")
            .to_string();
        let row_reasons = items(between(row, "<ul class=\"reasons\">", "</ul>"));
        let page = t.get(&format!("/therapist/clients/{g}"), Some(&doc)).await;
        let guidance = between(&page.body, "<div class=\"guidance", "</div>");
        let page_level = between(guidance, "<p class=\"level-tag\">", "</p>")
            .trim_start_matches("<p class=\"level-tag\">")
            .to_string();
        let page_reasons = items(guidance);
        assert!(row_level.contains("(since "), "{backend}: {row_level}");
        assert_eq!(page_level, row_level, "{backend}");
        assert!(!row_reasons.is_empty(), "{backend}: {row}");
        assert_eq!(page_reasons, row_reasons, "{backend}");
    }
}

/// A colour from `app.css`'s custom properties, for the light scheme or the dark one.
fn colour(css: &str, dark: bool, name: &str) -> (f64, f64, f64) {
    let block = if dark {
        between(css, "@media (prefers-color-scheme: dark)", "}")
    } else {
        between(css, ":root {", "}")
    };
    let decl = between(block, &format!("--{name}:"), ";");
    let hex = decl.trim_start_matches(&format!("--{name}:")).trim();
    let hex = hex.trim_start_matches('#');
    assert_eq!(hex.len(), 6, "--{name} is {hex}");
    let c = |i: usize| {
        let v = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
        if v <= 0.040_45 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    (c(0), c(2), c(4))
}

fn contrast(a: (f64, f64, f64), b: (f64, f64, f64)) -> f64 {
    let l = |(r, g, b): (f64, f64, f64)| 0.2126 * r + 0.7152 * g + 0.0722 * b;
    let (x, y) = (l(a), l(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

/// The custom property a caseload rule sets `property` to (the rule may appear several
/// times, each setting other properties).
fn var_in(css: &str, rule: &str, property: &str) -> String {
    let open = format!("{rule} {{");
    let want = format!("{property}: var(--");
    let decl = css
        .split(open.as_str())
        .skip(1)
        .map(|r| &r[..r.find('}').unwrap_or(r.len())])
        .find(|d| d.contains(&want))
        .unwrap_or_else(|| panic!("{rule} sets no {property}"));
    let value = between(decl, &want, ")");
    value.trim_start_matches(&want).to_string()
}

#[test]
fn urgent_and_reach_out_rows_keep_text_readable_in_both_schemes() {
    let css =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/static/app.css")).unwrap();
    for level in ["urgent", "reach_out"] {
        let row = format!("table.caseload tr.level-{level}");
        let tag = format!("{row} .level-label");
        let (row_bg, tag_bg, tag_text) = (
            var_in(&css, &row, "background"),
            var_in(&css, &tag, "background"),
            var_in(&css, &tag, "color"),
        );
        for dark in [false, true] {
            // The row's own text, its muted labels (on a phone) and the client's name link.
            for text in ["text", "muted", "accent"] {
                let ratio = contrast(colour(&css, dark, text), colour(&css, dark, &row_bg));
                assert!(
                    ratio >= 4.5,
                    "{level} (dark {dark}): --{text} on --{row_bg}: {ratio:.2}"
                );
            }
            let ratio = contrast(colour(&css, dark, &tag_text), colour(&css, dark, &tag_bg));
            assert!(ratio >= 4.5, "{level} (dark {dark}): its level: {ratio:.2}");
        }
    }
}

#[tokio::test]
async fn mood_since_the_last_session_sits_beside_the_usual_of_the_weeks_before() {
    for (backend, s) in setups().await {
        let t = &s.t;
        let client = t.sign_up("cl@example.org").await;
        session(t, &client, days_ago(3)).await;
        // Two check-ins in the four weeks before the session, one older than that, and two
        // since it.
        for (days_back, mood) in [(40, 1), (20, 8), (10, 6), (2, 3), (1, 4)] {
            checkin(t, &client, days_back, mood, false, false).await;
        }
        let doc = therapist(&s, "doc@example.org", None).await;
        grant(&s, "cl@example.org", "doc@example.org", "Cal", "checkins").await;
        let mood = |list: &Value| list["clients"][0]["mood_since_last_session"].clone();

        let (_, list) = get_json(t, "/api/v1/therapist/clients", &doc).await;
        let m = mood(&list);
        assert_eq!(m["average"], 3.5, "{backend}: {m}");
        assert_eq!(m["checkins"], 2, "{backend}: {m}");
        // Two are too few to say what is usual; the one before the four weeks doesn't count.
        assert!(m["usual"].is_null(), "{backend}: {m}");

        // A third in those weeks is enough, and every one of them is averaged.
        checkin(t, &client, 15, 7, false, false).await;
        checkin(t, &client, 12, 9, false, false).await;
        let (_, list) = get_json(t, "/api/v1/therapist/clients", &doc).await;
        let m = mood(&list);
        assert_eq!(m["usual"], 7.5, "{backend}: {m}");
        assert_eq!(m["checkins"], 2, "{backend}: {m}");
    }
}
