//! Sharing with a therapist over HTTP, on both backends: a client invites, a therapist joins
//! with the code, the client sees the grant with the therapist's name and address, changes
//! what it shares and revokes it; codes work once and expire; wrong codes are answered 404
//! and, repeated, 429; each side is refused the other's routes; and the pages (Settings →
//! Sharing, the code shown once, stopping, cancelling, who looked at what, the therapist's
//! join page) render and keep what was typed when something is wrong.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};
use support::lifecycle::{PASSWORD, Site, sites};
use support::{Reply, enc, hidden};

const THERAPIST: &str = "rivera@clinic.example";

/// Runs one statement on the site's database, as code outside the app would (to age an
/// invite, name a therapist, or write an audit row as a therapist's read writes it).
async fn raw(site: &Site, sql: &str) {
    use sqlx::Connection;
    match &site.url {
        store::DatabaseUrl::Sqlite(u) => {
            let mut c = sqlx::SqliteConnection::connect(u).await.unwrap();
            sqlx::query(sql).execute(&mut c).await.unwrap();
            c.close().await.unwrap();
        }
        store::DatabaseUrl::Postgres(u) => {
            let mut c = sqlx::PgConnection::connect(u).await.unwrap();
            sqlx::query(sql).execute(&mut c).await.unwrap();
            c.close().await.unwrap();
        }
    }
}

/// A therapist account made as the operator makes one, named "Dr Rivera", signed in with
/// two-step sign-in turned on; its cookie.
async fn therapist(site: &Site, email: &str) -> String {
    site.app
        .add_user(app::NewUser {
            email: email.into(),
            password: PASSWORD.into(),
            role: domain::account::Role::Therapist,
            country: Some("GB".into()),
            timezone: Some("Europe/London".into()),
        })
        .await
        .unwrap();
    raw(
        site,
        &format!("UPDATE accounts SET display_name = 'Dr Rivera' WHERE email = '{email}'"),
    )
    .await;
    let cookie = site.signed_in(email).await.1;
    support::two_step::enrol(&site.t, &cookie).await;
    cookie
}

async fn send_json(site: &Site, method: &str, path: &str, cookie: &str, body: &str) -> Reply {
    site.t
        .send(
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

async fn delete(site: &Site, path: &str, cookie: &str) -> Reply {
    site.t
        .send(
            Request::delete(path)
                .header(header::COOKIE, cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await
}

/// Makes an invite through the API; its code.
async fn invite(site: &Site, cookie: &str, body: Value) -> String {
    let r = site
        .t
        .post_json("/api/v1/sharing/invites", cookie, &body.to_string())
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.json()["code"].as_str().unwrap().to_string()
}

async fn join(site: &Site, cookie: &str, code: &str) -> Reply {
    site.t
        .post_json(
            "/api/v1/therapist/clients",
            cookie,
            &json!({ "code": code }).to_string(),
        )
        .await
}

async fn sharing(site: &Site, cookie: &str) -> Value {
    let r = site.t.get("/api/v1/sharing", Some(cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()
}

#[tokio::test]
async fn a_client_invites_a_therapist_joins_and_the_client_changes_and_revokes() {
    for (backend, site) in sites().await {
        let sam = site.t.sign_up("sam@example.org").await;
        let kim = site.t.sign_up("kim@example.org").await;
        let rivera = therapist(&site, THERAPIST).await;

        let r = site
            .t
            .post_json(
                "/api/v1/sharing/invites",
                &sam,
                r#"{"scopes":["plans","checkins"]}"#,
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let made = r.json();
        let code = made["code"].as_str().unwrap().to_string();
        let parts: Vec<&str> = code.split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [4, 4, 2],
            "{code}"
        );
        assert!(
            code.chars()
                .all(|c| c == '-' || c.is_ascii_digit() || c.is_ascii_uppercase())
        );
        let expires: chrono::DateTime<chrono::Utc> =
            made["expires_at"].as_str().unwrap().parse().unwrap();
        let week = chrono::Utc::now() + chrono::Duration::days(7) - expires;
        assert!(week.num_seconds().abs() < 60, "{backend}: {expires}");

        // Pending, listed without its code; nothing shared yet.
        let s = sharing(&site, &sam).await;
        assert_eq!(s["grants"], json!([]));
        assert_eq!(s["invites"].as_array().unwrap().len(), 1, "{backend}");
        assert!(s["invites"][0].get("code").is_none());
        assert!(!s.to_string().contains(&code));
        assert_eq!(s["invites"][0]["scopes"], json!(["checkins", "plans"]));
        assert_eq!(sharing(&site, &kim).await["invites"], json!([]));

        // The therapist joins, typing the code as people do.
        let typed = code.replace('-', " ").to_lowercase();
        let r = join(&site, &rivera, &typed).await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let client = r.json()["client"].clone();
        assert_eq!(client["display_name"], "sam", "{backend}");
        assert_eq!(client["scopes"], json!(["checkins", "plans"]));
        let id = client["id"].as_i64().unwrap();

        // Once only.
        let r = join(&site, &rivera, &code).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}: {}", r.body);
        assert_eq!(r.json()["error"]["code"], "not_found");
        assert_eq!(r.json()["error"]["field"], "code");

        // The client sees who, since when, what.
        let s = sharing(&site, &sam).await;
        assert_eq!(s["invites"], json!([]), "{backend}");
        let g = &s["grants"][0];
        assert_eq!(g["id"], id);
        assert_eq!(
            g["therapist"],
            json!({"name": "Dr Rivera", "email": THERAPIST})
        );
        assert_eq!(g["scopes"], json!(["checkins", "plans"]));
        assert_eq!(g["display_name"], "sam");
        assert_eq!(g["alerts"], false);
        assert!(
            g["since"]
                .as_str()
                .unwrap()
                .parse::<chrono::DateTime<chrono::Utc>>()
                .is_ok()
        );
        assert_eq!(sharing(&site, &kim).await["grants"], json!([]));

        // Changing what is shared: the client's own grant only, only to real scopes.
        let path = format!("/api/v1/sharing/{id}");
        let r = send_json(
            &site,
            "PATCH",
            &path,
            &sam,
            r#"{"scopes":["questionnaires"]}"#,
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        assert_eq!(r.json()["scopes"], json!(["questionnaires"]));
        assert_eq!(r.json()["therapist"]["email"], THERAPIST);
        let r = send_json(
            &site,
            "PATCH",
            &path,
            &sam,
            r#"{"alerts":true,"display_name":"  Sam L.  "}"#,
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        assert_eq!(r.json()["scopes"], json!(["questionnaires"]));
        assert_eq!(r.json()["alerts"], true);
        assert_eq!(r.json()["display_name"], "Sam L.");
        for (body, status, field) in [
            (
                r#"{"scopes":["journal"]}"#,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("scopes"),
            ),
            (
                r#"{"scopes":[]}"#,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("scopes"),
            ),
            (
                r#"{"scopes":"checkins"}"#,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("scopes"),
            ),
            (
                r#"{"display_name":""}"#,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("display_name"),
            ),
            (
                r#"{"colour":"red"}"#,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
            ),
            ("{", StatusCode::BAD_REQUEST, None),
        ] {
            let r = send_json(&site, "PATCH", &path, &sam, body).await;
            assert_eq!(r.status, status, "{backend}: {body}: {}", r.body);
            if let Some(f) = field {
                assert_eq!(r.json()["error"]["field"], f, "{body}");
            }
        }
        let r = send_json(&site, "PATCH", &path, &kim, r#"{"scopes":["plans"]}"#).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}");
        let r = send_json(
            &site,
            "PATCH",
            "/api/v1/sharing/x",
            &sam,
            r#"{"scopes":["plans"]}"#,
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}");
        assert_eq!(r.json()["error"]["code"], "not_found");
        assert_eq!(
            sharing(&site, &sam).await["grants"][0]["scopes"],
            json!(["questionnaires"])
        );

        // Revoking: the client's own, at once.
        assert_eq!(
            delete(&site, &path, &kim).await.status,
            StatusCode::NOT_FOUND
        );
        let r = delete(&site, &path, &sam).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{backend}: {}", r.body);
        assert_eq!(sharing(&site, &sam).await["grants"], json!([]));
        assert_eq!(
            delete(&site, &path, &sam).await.status,
            StatusCode::NOT_FOUND
        );
        let r = send_json(&site, "PATCH", &path, &sam, r#"{"scopes":["plans"]}"#).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}");

        // Bad invites are named, never a 500.
        for (body, status, field) in [
            (
                r#"{"scopes":["diary"]}"#,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("scopes"),
            ),
            (
                r#"{"scopes":[]}"#,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("scopes"),
            ),
            (r#"{}"#, StatusCode::UNPROCESSABLE_ENTITY, None),
            (
                r#"{"scopes":["plans"],"display_name":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}"#,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("display_name"),
            ),
            (
                r#"{"scopes":["plans"],"alerts":"yes"}"#,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("alerts"),
            ),
            ("[", StatusCode::BAD_REQUEST, None),
        ] {
            let r = site
                .t
                .post_json("/api/v1/sharing/invites", &sam, body)
                .await;
            assert_eq!(r.status, status, "{backend}: {body}: {}", r.body);
            assert!(r.json()["error"]["code"].is_string());
            if let Some(f) = field {
                assert_eq!(r.json()["error"]["field"], f, "{body}");
            }
        }
    }
}

#[tokio::test]
async fn expired_unknown_and_malformed_codes_are_404_or_named() {
    for (backend, site) in sites().await {
        let sam = site.t.sign_up("sam@example.org").await;
        let rivera = therapist(&site, THERAPIST).await;
        let code = invite(
            &site,
            &sam,
            json!({"scopes": ["checkins"], "display_name": "S"}),
        )
        .await;
        // A week has passed.
        raw(
            &site,
            "UPDATE share_invites SET expires_ms = 1000, created_ms = 0",
        )
        .await;
        assert_eq!(
            sharing(&site, &sam).await["invites"],
            json!([]),
            "{backend}"
        );
        let r = join(&site, &rivera, &code).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}: {}", r.body);
        assert_eq!(r.json()["error"]["code"], "not_found");
        for unknown in ["0000-0000-00", "not a code", ""] {
            let r = join(&site, &rivera, unknown).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}: {unknown:?}");
        }
        for (body, status) in [
            ("{", StatusCode::BAD_REQUEST),
            (r#"{"code":5}"#, StatusCode::UNPROCESSABLE_ENTITY),
            (r#"{}"#, StatusCode::UNPROCESSABLE_ENTITY),
        ] {
            let r = site
                .t
                .post_json("/api/v1/therapist/clients", &rivera, body)
                .await;
            assert_eq!(r.status, status, "{backend}: {body}: {}", r.body);
            assert!(r.json()["error"]["code"].is_string());
        }
        assert_eq!(sharing(&site, &sam).await["grants"], json!([]));
    }
}

#[tokio::test]
async fn wrong_codes_in_a_row_are_slowed_down_per_therapist() {
    for (backend, site) in sites().await {
        let sam = site.t.sign_up("sam@example.org").await;
        let rivera = therapist(&site, THERAPIST).await;
        let other = therapist(&site, "other@clinic.example").await;
        let good = invite(&site, &sam, json!({"scopes": ["checkins"]})).await;
        for n in 1..=5 {
            let r = join(&site, &rivera, "0000-0000-00").await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}: wrong code {n}");
        }
        // Past the free ones, the waits begin and double: a 429 comes within a few more.
        let mut limited = None;
        for _ in 0..4 {
            let r = join(&site, &rivera, "0000-0000-00").await;
            if r.status == StatusCode::TOO_MANY_REQUESTS {
                limited = Some(r);
                break;
            }
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}");
        }
        let r = limited.unwrap_or_else(|| panic!("{backend}: never slowed down"));
        assert_eq!(r.json()["error"]["code"], "rate_limited");
        assert!(r.headers.contains_key(header::RETRY_AFTER));
        // While waiting, even the right code is not tried (nor used up).
        let r = join(&site, &rivera, &good).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{backend}");
        assert_eq!(sharing(&site, &sam).await["grants"], json!([]));
        // Another therapist is not held up by this one's guesses.
        let r = join(&site, &other, &good).await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
    }
}

#[tokio::test]
async fn each_side_is_refused_the_others_routes() {
    for (backend, site) in sites().await {
        let sam = site.t.sign_up("sam@example.org").await;
        let rivera = therapist(&site, THERAPIST).await;
        let code = invite(&site, &sam, json!({"scopes": ["checkins"]})).await;
        // A client cannot join anyone, even with a real code (which stays unused).
        let r = join(&site, &sam, &code).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}: {}", r.body);
        assert_eq!(r.json()["error"]["code"], "forbidden");
        // A therapist has no client side.
        let r = site
            .t
            .post_json(
                "/api/v1/sharing/invites",
                &rivera,
                r#"{"scopes":["checkins"]}"#,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");
        for path in ["/api/v1/sharing", "/api/v1/sharing/audit"] {
            let r = site.t.get(path, Some(&rivera)).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}: {path}");
        }
        // Nobody signed in gets nothing.
        for path in ["/api/v1/sharing", "/api/v1/sharing/audit"] {
            let r = site.t.get(path, None).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{backend}: {path}");
        }
        let r = join(&site, "sid=nobody", &code).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{backend}");
        // The code still works for the therapist.
        assert_eq!(
            join(&site, &rivera, &code).await.status,
            StatusCode::CREATED
        );
    }
}

/// The code on the page that shows it once.
fn code_on(page: &str) -> String {
    let marker = "class=\"code-text\" translate=\"no\">";
    let start = page
        .find(marker)
        .unwrap_or_else(|| panic!("no code in {page}"))
        + marker.len();
    page[start..start + 12].to_string()
}

/// A site on each backend that sends mail, so alert emails are offered. Nothing listens at
/// the address: these tests never deliver, tests/alerts.rs does.
async fn sites_with_mail() -> Vec<(&'static str, Site)> {
    let mailer = app::mail::Mailer::new(&app::mail::MailSettings {
        smtp: "smtp://127.0.0.1:9".parse().unwrap(),
        username: None,
        password: None,
        from: "Between <alerts@between.test>".into(),
        link: None,
    })
    .unwrap();
    let settings = app::Settings {
        open_signup: true,
        mail: Some(std::sync::Arc::new(mailer)),
        ..Default::default()
    };
    support::lifecycle::sites_with(settings).await
}

#[tokio::test]
async fn alerts_are_offered_only_where_mail_is_sent_and_a_choice_made_before_stays() {
    for (backend, site) in sites().await {
        let sam = site.t.sign_up("sam@example.org").await;
        let rivera = therapist(&site, THERAPIST).await;
        let page = site.t.get("/settings/sharing", Some(&sam)).await;
        assert_eq!(page.status, StatusCode::OK, "{backend}");
        assert!(page.body.contains("Invite my therapist"), "{backend}");
        assert!(
            !page.body.contains("name=\"alerts\""),
            "{backend}: no alert box"
        );
        assert_eq!(sharing(&site, &sam).await["alerts_available"], false);

        // A grant whose alerts were turned on (through the API, or while mail was set up)
        // keeps them when the page, which shows no box, saves other changes.
        let code = invite(&site, &sam, json!({"scopes": ["checkins"], "alerts": true})).await;
        assert_eq!(
            join(&site, &rivera, &code).await.status,
            StatusCode::CREATED
        );
        let grant = sharing(&site, &sam).await["grants"][0]["id"].clone();
        let page = site.t.get("/settings/sharing", Some(&sam)).await;
        assert!(
            !page.body.contains("name=\"alerts\""),
            "{backend}: no alert box"
        );
        let csrf = hidden(&page.body, "csrf");
        let r = site
            .t
            .post_form(
                &format!("/settings/sharing/{grant}"),
                &sam,
                &format!("csrf={csrf}&scopes=checkins&scopes=plans&display_name=Sam"),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.body);
        let g = sharing(&site, &sam).await["grants"][0].clone();
        assert_eq!(g["scopes"], json!(["checkins", "plans"]), "{backend}");
        assert_eq!(g["alerts"], true, "{backend}: the earlier choice stays");
    }
    for (backend, site) in sites_with_mail().await {
        let sam = site.t.sign_up("sam@example.org").await;
        let page = site.t.get("/settings/sharing", Some(&sam)).await;
        assert!(
            page.body
                .contains("Email my therapist when the app suggests reaching out"),
            "{backend}"
        );
        assert_eq!(sharing(&site, &sam).await["alerts_available"], true);
    }
}

#[tokio::test]
async fn the_pages_invite_show_the_code_once_change_stop_and_join() {
    for (backend, site) in sites_with_mail().await {
        let sam = site.t.sign_up("sam@example.org").await;
        let rivera = therapist(&site, THERAPIST).await;
        let settings = site.t.get("/settings", Some(&sam)).await;
        assert!(
            settings.body.contains("href=\"/settings/sharing\""),
            "{backend}"
        );

        let page = site.t.get("/settings/sharing", Some(&sam)).await;
        assert_eq!(page.status, StatusCode::OK, "{backend}: {}", page.body);
        assert!(page.body.contains("Invite my therapist"));
        for scope in domain::sharing::Scope::ALL {
            assert!(
                page.body.contains(&format!("value=\"{}\"", scope.code())),
                "{scope:?}"
            );
        }
        assert!(page.body.contains("My safety plan and backsliding plan"));
        assert!(
            page.body
                .contains("Email my therapist when the app suggests reaching out")
        );
        assert!(
            page.body
                .contains("No therapist has looked at anything of yours yet.")
        );
        let csrf = hidden(&page.body, "csrf");

        // Nothing ticked: the form again, with the name as typed.
        let r = site
            .t
            .post_form(
                "/settings/sharing/invites",
                &sam,
                &format!("csrf={csrf}&display_name={}", enc("Sammy R")),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: {}",
            r.body
        );
        assert!(r.body.contains("value=\"Sammy R\""));
        assert!(r.body.contains("Choose at least one thing to share."));
        // A stale form keeps the input too.
        let r = site
            .t
            .post_form(
                "/settings/sharing/invites",
                &sam,
                "csrf=stale&scopes=plans&display_name=Sammy",
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");
        assert!(r.body.contains("value=\"Sammy\""));
        assert_eq!(sharing(&site, &sam).await["invites"], json!([]));

        // Made: the code, once, large, with its expiry.
        let r = site
            .t
            .post_form(
                "/settings/sharing/invites",
                &sam,
                &format!("csrf={csrf}&scopes=checkins&scopes=plans&display_name=Sammy&alerts=yes"),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let code = code_on(&r.body);
        assert!(r.body.contains("shown only this once"));
        assert!(r.body.contains("Sammy"));
        let again = site.t.get("/settings/sharing", Some(&sam)).await;
        assert!(
            !again.body.contains(&code),
            "{backend}: the code is shown once"
        );
        assert!(again.body.contains("Invites waiting to be used"));
        let invites = sharing(&site, &sam).await["invites"].clone();
        assert_eq!(invites[0]["alerts"], true);
        assert_eq!(invites[0]["display_name"], "Sammy");

        // The join page is a therapist's; others are told kindly where to go.
        let r = site.t.get("/therapist/join", Some(&sam)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");
        assert!(r.body.contains("This page is for therapists"));
        assert!(r.body.contains("/settings/sharing"));
        // Sharing is a client's page: a therapist account is sent to its caseload.
        let r = site.t.get("/settings/sharing", Some(&rivera)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}");
        assert_eq!(r.headers["location"], "/therapist");
        let join_page = site.t.get("/therapist/join", Some(&rivera)).await;
        assert_eq!(join_page.status, StatusCode::OK, "{backend}");
        assert!(join_page.body.contains("<label for=\"code\">"));
        let tcsrf = hidden(&join_page.body, "csrf");

        // A wrong code keeps what was typed and says so kindly.
        let r = site
            .t
            .post_form(
                "/therapist/join",
                &rivera,
                &format!("csrf={tcsrf}&code=K7QM-4XZP"),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: {}",
            r.body
        );
        assert!(r.body.contains("value=\"K7QM-4XZP\""));
        assert!(
            r.body
                .contains("It may have been used already, have expired, or have a")
        );
        // The right one goes to the client's page.
        let r = site
            .t
            .post_form(
                "/therapist/join",
                &rivera,
                &format!("csrf={tcsrf}&code={}", enc(&code)),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.body);
        let grant = sharing(&site, &sam).await["grants"][0]["id"]
            .as_i64()
            .unwrap();
        assert_eq!(
            r.headers["location"],
            format!("/therapist/clients/{grant}").as_str()
        );

        // The client's list: who, what, alerts; editable.
        let page = site.t.get("/settings/sharing", Some(&sam)).await;
        assert!(page.body.contains("Dr Rivera"), "{backend}");
        assert!(page.body.contains(THERAPIST));
        assert!(
            page.body
                .contains(&format!("action=\"/settings/sharing/{grant}\""))
        );
        assert!(page.body.contains("Stop sharing"));
        assert!(!page.body.contains("Invites waiting to be used"));
        let r = site
            .t
            .post_form(
                &format!("/settings/sharing/{grant}"),
                &sam,
                &format!("csrf={csrf}&display_name=Sammy"),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        assert!(r.body.contains("Choose at least one thing to share."));
        let r = site
            .t
            .post_form(
                &format!("/settings/sharing/{grant}"),
                &sam,
                &format!("csrf={csrf}&scopes=questionnaires&display_name=Sam+R"),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.body);
        let g = sharing(&site, &sam).await["grants"][0].clone();
        assert_eq!(g["scopes"], json!(["questionnaires"]));
        assert_eq!(g["alerts"], false, "{backend}: unticked turns alerts off");
        assert_eq!(g["display_name"], "Sam R");

        // Who looked at what, in plain words.
        raw(
            &site,
            &format!(
                "INSERT INTO audit_log (client_id, therapist_id, therapist_name, grant_id, at_ms, \
                 kind, what, endpoint) SELECT client_id, therapist_id, 'Dr Rivera', id, {}, \
                 'read', 'checkins', '/api/v1/therapist/clients/{grant}/checkins' \
                 FROM share_grants WHERE id = {grant}",
                chrono::Utc::now().timestamp_millis()
            ),
        )
        .await;
        let page = site.t.get("/settings/sharing", Some(&sam)).await;
        assert!(
            page.body.contains("Dr Rivera looked at your check-ins"),
            "{backend}"
        );
        let audit = site.t.get("/api/v1/sharing/audit", Some(&sam)).await;
        assert_eq!(audit.status, StatusCode::OK);
        let read = audit.json()["reads"][0].clone();
        assert_eq!(read["therapist"], "Dr Rivera");
        assert_eq!(read["what"], "checkins");
        assert_eq!(read["kind"], "read");
        assert_eq!(
            read["endpoint"],
            format!("/api/v1/therapist/clients/{grant}/checkins")
        );
        assert!(read["at"].is_string());
        let r = site.t.get("/api/v1/sharing/audit?page=x", Some(&sam)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{backend}");

        // Stopping: asked first, then at once.
        let confirm = site
            .t
            .get(&format!("/settings/sharing/{grant}/stop"), Some(&sam))
            .await;
        assert_eq!(confirm.status, StatusCode::OK, "{backend}");
        assert!(confirm.body.contains("Stop sharing with"));
        let r = site
            .t
            .post_form(
                &format!("/settings/sharing/{grant}/stop"),
                &sam,
                &format!("csrf={csrf}"),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}");
        assert_eq!(sharing(&site, &sam).await["grants"], json!([]));
        let page = site
            .t
            .get("/settings/sharing?done=stopped", Some(&sam))
            .await;
        assert!(page.body.contains("Sharing has stopped."));
        assert!(
            page.body.contains("Dr Rivera looked at your check-ins"),
            "the log stays"
        );
        let gone = site
            .t
            .get(&format!("/settings/sharing/{grant}/stop"), Some(&sam))
            .await;
        assert_eq!(gone.status, StatusCode::NOT_FOUND, "{backend}");

        // Cancelling a pending invite kills its code.
        let code = invite(&site, &sam, json!({"scopes": ["plans"]})).await;
        let page = site.t.get("/settings/sharing", Some(&sam)).await;
        let marker = "action=\"/settings/sharing/invites/";
        let start = page.body.find(marker).unwrap() + marker.len();
        let handle = page.body[start..].split('/').next().unwrap().to_string();
        let r = site
            .t
            .post_form(
                &format!("/settings/sharing/invites/{handle}/cancel"),
                &sam,
                &format!("csrf={csrf}"),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}");
        assert_eq!(sharing(&site, &sam).await["invites"], json!([]));
        assert_eq!(
            join(&site, &rivera, &code).await.status,
            StatusCode::NOT_FOUND
        );
    }
}

#[tokio::test]
async fn the_download_holds_the_grants_and_the_audit_log_and_an_import_passes_over_them() {
    for (backend, site) in sites().await {
        let sam = site.t.sign_up("sam@example.org").await;
        support::seed::seed_sharing(&site, &sam, "Marker5").await;
        let doc = site.t.get("/api/v1/export", Some(&sam)).await;
        assert_eq!(doc.status, StatusCode::OK, "{backend}: {}", doc.body);
        let doc = doc.json();
        let grants = doc["data"]["share_grants"].as_array().unwrap();
        assert_eq!(grants.len(), 1, "{backend}");
        assert_eq!(
            grants[0]["therapist_email"],
            support::seed::SEEDED_THERAPIST
        );
        assert_eq!(grants[0]["scopes"], json!(["checkins", "plans"]));
        assert_eq!(grants[0]["display_name"], "Client Marker5");
        assert_eq!(grants[0]["alerts"], true);
        assert!(grants[0]["since_at"].is_string());
        assert!(grants[0]["revoked_at"].is_null());
        let audit = doc["data"]["audit_log"].as_array().unwrap();
        assert_eq!(audit.len(), 1, "{backend}");
        assert_eq!(audit[0]["therapist_name"], "Dr Marker5");
        assert_eq!(audit[0]["what"], "checkins");
        assert_eq!(audit[0]["grant_id"], grants[0]["id"]);
        assert!(doc["not_included"]["share_invites"].is_string());
        assert!(doc["data"].get("share_invites").is_none());
        assert!(!doc.to_string().contains("code_hash"));
        assert!(
            doc["profile"]
                .as_object()
                .unwrap()
                .contains_key("display_name")
        );

        // Into another account: everything else loads; sharing starts afresh there.
        let kim = site.t.sign_up("kim@example.org").await;
        let r = site
            .t
            .post_json("/api/v1/import", &kim, &doc.to_string())
            .await;
        assert!(r.status.is_success(), "{backend}: {}", r.body);
        assert_eq!(sharing(&site, &kim).await["grants"], json!([]));
        let again = site.t.get("/api/v1/export", Some(&kim)).await.json();
        assert_eq!(again["data"]["share_grants"], json!([]));
        assert_eq!(again["data"]["audit_log"], json!([]));
    }
}
