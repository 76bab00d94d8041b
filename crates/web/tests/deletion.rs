//! Deleting one's own account: the settings page and the API, on both backends, and the
//! conformance test that no row of a deleted account is left in any table the database's
//! own catalogue lists, including tables added after this test was written.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use store::testing::census;
use support::lifecycle::{PASSWORD, Site, site_on, sites};
use support::seed::{seed_every_kind, seed_sharing};
use support::{Reply, enc};

/// Tables of the installation rather than of a person, which deleting an account leaves as
/// they are:
const INSTALLATION_WIDE: &[&str] = &[
    // sqlx's record of the migrations applied: the schema's history.
    "_sqlx_migrations",
    // Recent failed sign-ins under hashes of an email and a network address, forgotten within
    // a day: the guard against guessing must outlive an account deleted to reset it.
    "sign_in_failures",
    // How this installation's encryption is set up (the master key's check value, which
    // columns are sealed): nothing of any person.
    "vault_state",
    "vault_sealed_columns",
    // Alert emails waiting or sent lately belong to a grant, not to one account, and go with
    // it: tests/alerts.rs checks that deleting either account removes them.
    "mail_outbox",
];

/// The account id behind an email.
async fn id_of(site: &Site, email: &str) -> i64 {
    site.app.account_by_email(email).await.unwrap().id.0
}

/// Sends the deletion form with the password and whether the box is ticked.
async fn delete_form(site: &Site, cookie: &str, password: &str, confirm: bool) -> Reply {
    let csrf = site.csrf(cookie, "/settings/delete").await;
    let tick = if confirm { "&confirm=yes" } else { "" };
    site.t
        .post_form(
            "/settings/delete",
            cookie,
            &format!("csrf={csrf}&password={}{tick}", enc(password)),
        )
        .await
}

/// Seeds a survivor and a victim, each with every kind of data and an API token, on one
/// database, and the survivor alone on a second; deletes the victim through the settings
/// page; then every table must hold exactly what the survivor-only database holds, and no
/// row anywhere may refer to the victim. A table the deletion forgets fails this, and so
/// does one the seeding does not reach (the victim must first have rows everywhere).
async fn nothing_of_a_deleted_account_remains(backend: &str) {
    let (Some(both), Some(alone)) = (site_on(backend).await, site_on(backend).await) else {
        return;
    };
    let survivor = "stays@example.org";
    let victim = "leaves@example.org";
    let kept = seed_every_kind(&both.t, survivor, "Stays1").await;
    let seeded = seed_every_kind(&both.t, victim, "Leaves2").await;
    let alone_kept = seed_every_kind(&alone.t, survivor, "Stays1").await;
    // Sharing with a therapist, who stays when the victim goes.
    seed_sharing(&both, &kept.cookie, "Stays1").await;
    seed_sharing(&both, &seeded.cookie, "Leaves2").await;
    seed_sharing(&alone, &alone_kept.cookie, "Stays1").await;
    for (site, email) in [(&both, survivor), (&both, victim), (&alone, survivor)] {
        site.app
            .create_token_for(email, Some("phone"), None)
            .await
            .unwrap();
    }
    // The victim turns two-step sign-in on (recovery codes) and leaves a sign-in waiting
    // for its code.
    support::two_step::enrol(&both.t, &seeded.cookie).await;
    let waiting = both.sign_in(victim, PASSWORD).await;
    assert_eq!(waiting.headers["location"], "/signin/code");
    let victim_id = id_of(&both, victim).await;

    let before = census(&both.url, victim_id).await;
    let reference = census(&alone.url, -1).await;
    assert_eq!(
        before.rows.keys().collect::<Vec<_>>(),
        reference.rows.keys().collect::<Vec<_>>(),
        "both databases have the same tables"
    );
    for (table, rows) in &before.rows {
        if INSTALLATION_WIDE.contains(&table.as_str()) {
            continue;
        }
        match before.of_account.get(table) {
            Some(mine) => assert!(
                *mine > 0,
                "{backend}: the victim has no row in {table}: seed it in support/seed.rs so \
                 this test can see that deletion removes it"
            ),
            // A table that names no account holds the victim's rows only through another
            // table; then the victim's data must show as rows beyond the survivor's.
            None => assert!(
                *rows > reference.rows[table],
                "{backend}: the victim added no row to {table}: seed it in support/seed.rs"
            ),
        }
    }

    let r = delete_form(&both, &seeded.cookie, PASSWORD, true).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.body);

    let after = census(&both.url, victim_id).await;
    for (table, rows) in &after.rows {
        if INSTALLATION_WIDE.contains(&table.as_str()) {
            continue;
        }
        assert_eq!(
            *rows, reference.rows[table],
            "{backend}: {table} holds a different number of rows than a database that never \
             had the deleted account"
        );
    }
    for (table, mine) in &after.of_account {
        assert_eq!(
            *mine, 0,
            "{backend}: {table} still refers to the deleted account"
        );
    }
    // The survivor is untouched and can still sign in.
    assert!(both.app.account_by_email(survivor).await.is_ok());
    assert_eq!(
        both.sign_in(survivor, PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn nothing_of_a_deleted_account_remains_on_sqlite() {
    nothing_of_a_deleted_account_remains("sqlite").await;
}

#[tokio::test]
async fn nothing_of_a_deleted_account_remains_on_postgres() {
    nothing_of_a_deleted_account_remains("postgres").await;
}

#[tokio::test]
async fn settings_lead_to_a_page_that_says_what_goes_and_offers_a_copy_first() {
    for (backend, site) in sites().await {
        let cookie = site.t.sign_up("sam@example.org").await;
        let settings = site.t.get("/settings", Some(&cookie)).await;
        assert!(
            settings.body.contains("href=\"/settings/delete\""),
            "{backend}"
        );
        let page = site.t.get("/settings/delete", Some(&cookie)).await;
        assert_eq!(page.status, StatusCode::OK, "{backend}");
        for words in [
            "can't be undone",
            "href=\"/settings/data\"",
            "type=\"password\"",
            "name=\"confirm\"",
            "Delete my account",
        ] {
            assert!(
                page.body.contains(words),
                "{backend}: {words} in {}",
                page.body
            );
        }
        // Signed out, the page asks to sign in.
        let anon = site.t.get("/settings/delete", None).await;
        assert_eq!(anon.status, StatusCode::SEE_OTHER, "{backend}");
    }
}

#[tokio::test]
async fn a_wrong_password_or_no_tick_deletes_nothing_and_says_why() {
    for (backend, site) in sites().await {
        let cookie = site.t.sign_up("sam@example.org").await;
        let wrong = delete_form(&site, &cookie, "not my password at all", true).await;
        assert_eq!(wrong.status, StatusCode::FORBIDDEN, "{backend}");
        assert!(
            wrong
                .body
                .contains("That password isn&#39;t right, so nothing was deleted"),
            "{backend}: {}",
            wrong.body
        );
        // The box stays ticked as it was sent.
        assert!(wrong.body.contains("value=\"yes\" checked"), "{backend}");

        let unticked = delete_form(&site, &cookie, PASSWORD, false).await;
        assert_eq!(
            unticked.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}"
        );
        assert!(unticked.body.contains("Please tick the box"), "{backend}");

        // Still there, still signed in.
        assert_eq!(site.t.get("/", Some(&cookie)).await.status, StatusCode::OK);
        assert!(site.app.account_by_email("sam@example.org").await.is_ok());
    }
}

#[tokio::test]
async fn deleting_ends_every_session_and_says_goodbye_with_help() {
    for (backend, site) in sites().await {
        // Someone else, so that the sign-in page still shows once Sam's account is gone
        // (a server with no accounts at all offers sign-up instead).
        site.add_user("kim@example.org", Some("GB"), Some("Europe/London"))
            .await;
        let cookie = site.t.sign_up("sam@example.org").await;
        let (_, other_device) = site.signed_in("sam@example.org").await;
        let token = site
            .app
            .create_token_for("sam@example.org", Some("phone"), None)
            .await
            .unwrap()
            .secret;

        let r = delete_form(&site, &cookie, PASSWORD, true).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.body);
        // Sign-up chose GB: the goodbye page shows its numbers.
        assert_eq!(r.headers["location"], "/goodbye?country=GB", "{backend}");
        assert_eq!(
            r.cookie("sid").as_deref(),
            Some(""),
            "{backend}: cookie cleared"
        );
        assert!(r.headers.contains_key("clear-site-data"), "{backend}");

        let bye = site.t.get("/goodbye?country=GB", None).await;
        assert_eq!(bye.status, StatusCode::OK, "{backend}");
        assert!(bye.body.contains("Your account is deleted"), "{backend}");
        assert!(bye.body.contains("href=\"/help?country=GB\""), "{backend}");
        assert!(bye.body.contains("Get help now"), "{backend}");
        assert!(bye.body.contains("tel:999"), "{backend}: {}", bye.body);

        for c in [&cookie, &other_device] {
            let home = site.t.get("/", Some(c)).await;
            assert_eq!(home.status, StatusCode::SEE_OTHER, "{backend}: signed out");
        }
        let api = site
            .t
            .send(
                Request::get("/api/v1/checkins")
                    .header(header::AUTHORIZATION, format!("Bearer {token}"))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(
            api.status,
            StatusCode::UNAUTHORIZED,
            "{backend}: token ended"
        );
        let again = site.sign_in("sam@example.org", PASSWORD).await;
        assert_eq!(again.status, StatusCode::UNAUTHORIZED, "{backend}");
        assert!(site.app.account_by_email("sam@example.org").await.is_err());
    }
}

async fn api_delete(site: &Site, token: &str, body: &str) -> Reply {
    site.t
        .send(
            Request::delete("/api/v1/account")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .unwrap(),
        )
        .await
}

#[tokio::test]
async fn the_api_deletes_the_account_only_with_its_password() {
    for (backend, site) in sites().await {
        site.t.sign_up("sam@example.org").await;
        let token = site
            .app
            .create_token_for("sam@example.org", Some("script"), None)
            .await
            .unwrap()
            .secret;

        let wrong = api_delete(&site, &token, r#"{"password":"guess guess guess"}"#).await;
        assert_eq!(wrong.status, StatusCode::FORBIDDEN, "{backend}");
        assert_eq!(wrong.json()["error"]["code"], "wrong_password", "{backend}");
        assert_eq!(wrong.json()["error"]["field"], "password", "{backend}");

        let missing = api_delete(&site, &token, "{}").await;
        assert_eq!(
            missing.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}"
        );
        assert!(missing.json()["error"].is_object(), "{backend}");
        assert!(site.app.account_by_email("sam@example.org").await.is_ok());

        let body = serde_json::json!({ "password": PASSWORD }).to_string();
        let done = api_delete(&site, &token, &body).await;
        assert_eq!(
            done.status,
            StatusCode::NO_CONTENT,
            "{backend}: {}",
            done.body
        );
        assert!(site.app.account_by_email("sam@example.org").await.is_err());
        let after = api_delete(&site, &token, &body).await;
        assert_eq!(after.status, StatusCode::UNAUTHORIZED, "{backend}");
    }
}

#[tokio::test]
async fn the_goodbye_page_needs_no_account_and_falls_back_to_international_help() {
    let site = site_on("sqlite").await.unwrap();
    let bye = site.t.get("/goodbye", None).await;
    assert_eq!(bye.status, StatusCode::OK);
    assert!(bye.body.contains("href=\"/help\""));
    assert!(bye.body.contains("tel:112"));
}

#[tokio::test]
async fn guessing_the_password_to_delete_meets_the_sign_in_limits() {
    for (backend, site) in sites().await {
        site.t.sign_up("sam@example.org").await;
        let token = site
            .app
            .create_token_for("sam@example.org", Some("script"), None)
            .await
            .unwrap()
            .secret;
        // Each wrong guess waits longer than the last once the free ones are used; sooner or
        // later a guess comes before its wait is over.
        let mut limited = None;
        for _ in 0..15 {
            let r = api_delete(&site, &token, r#"{"password":"guess guess guess"}"#).await;
            if r.status == StatusCode::TOO_MANY_REQUESTS {
                limited = Some(r);
                break;
            }
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");
        }
        let limited = limited.unwrap_or_else(|| panic!("{backend}: never slowed down"));
        assert!(limited.headers.contains_key("retry-after"), "{backend}");
        // While it waits, even the right password deletes nothing.
        let body = serde_json::json!({ "password": PASSWORD }).to_string();
        let r = api_delete(&site, &token, &body).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{backend}");
        assert!(site.app.account_by_email("sam@example.org").await.is_ok());
    }
}
