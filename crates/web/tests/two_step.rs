//! Two-step sign-in through the router, on both backends: turning it on with the QR code or
//! key, the code step at sign-in, recovery codes, replayed codes, the sign-in limits, turning
//! it off, and what a therapist may do before and after. Codes are worked out here from the
//! key the page shows (support/two_step.rs), never asked of the app.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use axum::http::{StatusCode, header};
use domain::account::Role;
use support::lifecycle::{PASSWORD, Site, sites};
use support::two_step::{PAGE, code_at, enrol, key_on_page, step_now};
use support::{Reply, enc, hidden};

/// Where the second step is asked.
const CODE: &str = "/signin/code";

/// The half-done sign-in's cookie (`two-step=…`) from the password step's answer.
fn pending(r: &Reply) -> String {
    format!(
        "two-step={}",
        r.cookie("two-step").expect("a two-step cookie")
    )
}

/// Posts a code to the second step with the half-done sign-in's cookie (and the form token
/// of the code page, or of the sign-in page once no sign-in waits).
async fn send_code(site: &Site, pending: &str, code: &str) -> Reply {
    let mut page = site.t.get(CODE, Some(pending)).await;
    if page.status != StatusCode::OK {
        page = site.t.get("/signin", None).await;
    }
    let form = page.cookie("form").unwrap();
    let csrf = hidden(&page.body, "csrf");
    site.t
        .post_form(
            CODE,
            &format!("{pending}; form={form}"),
            &format!("csrf={csrf}&code={}", enc(code)),
        )
        .await
}

/// Signs in with the password, expects the code step, and answers it with `code`.
async fn sign_in_with(site: &Site, email: &str, code: &str) -> Reply {
    let r = site.sign_in(email, PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.headers["location"], CODE);
    send_code(site, &pending(&r), code).await
}

/// A six-digit code that is none of the codes near now.
fn wrong_code(secret: &[u8], n: u32) -> String {
    let now = step_now();
    let near: Vec<String> = (now - 2..=now + 3).map(|s| code_at(secret, s)).collect();
    (n..)
        .map(|k| format!("{:06}", (k * 7919 + 13) % 1_000_000))
        .find(|c| !near.contains(c))
        .unwrap()
}

/// Sites whose sign-in limits wait a minute after the free failures, so a slow machine
/// cannot let the wait pass before the test looks.
async fn slow_limit_sites() -> Vec<(&'static str, Site)> {
    let settings = app::Settings {
        open_signup: true,
        login_limits: app::LoginLimits {
            first_delay: std::time::Duration::from_secs(60),
            ..Default::default()
        },
        ..Default::default()
    };
    support::lifecycle::sites_with(settings).await
}

async fn therapist(site: &Site, email: &str) {
    site.app
        .add_user(app::NewUser {
            email: email.into(),
            password: PASSWORD.into(),
            role: Role::Therapist,
            country: Some("GB".into()),
            timezone: Some("Europe/London".into()),
        })
        .await
        .unwrap();
}

#[tokio::test]
async fn a_client_turns_it_on_with_the_qr_code_or_key_and_a_first_code() {
    for (backend, site) in sites().await {
        let cookie = site.t.sign_up("sam@example.org").await;
        let account = site.t.get("/settings/account", Some(&cookie)).await;
        assert!(
            account.body.contains(&format!("href=\"{PAGE}\"")),
            "{backend}"
        );
        assert!(
            account.body.contains("Turn on two-step sign-in"),
            "{backend}"
        );

        let page = site.t.get(PAGE, Some(&cookie)).await;
        assert_eq!(page.status, StatusCode::OK, "{backend}");
        // The QR code is drawn here, as an image that says it can be typed instead.
        assert!(page.body.contains("<svg class=\"qr\""), "{backend}");
        assert!(page.body.contains("role=\"img\""), "{backend}");
        assert!(
            page.body
                .contains("type the key shown below the code into the app instead"),
            "{backend}"
        );
        assert!(page.body.contains("<path d=\"M"), "{backend}");
        let secret = key_on_page(&page.body);
        assert_eq!(secret.len(), 20, "{backend}: 160 bits");
        // A reload shows the same key, so a scanned code stays good.
        assert_eq!(
            key_on_page(&site.t.get(PAGE, Some(&cookie)).await.body),
            secret,
            "{backend}"
        );

        // A wrong code keeps the page, kindly, with the same key.
        let csrf = hidden(&page.body, "csrf");
        let wrong = wrong_code(&secret, 0);
        let r = site
            .t
            .post_form(PAGE, &cookie, &format!("csrf={csrf}&code={wrong}"))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        assert!(r.body.contains("That code didn"), "{backend}: {}", r.body);
        assert!(r.body.contains("aria-invalid=\"true\""), "{backend}");
        assert_eq!(key_on_page(&r.body), secret, "{backend}");
        // Still off: signing in asks only for the password.
        let r = site.sign_in("sam@example.org", PASSWORD).await;
        assert_eq!(r.headers["location"], "/", "{backend}");

        // The right code turns it on and shows ten recovery codes, once.
        let r = site
            .t
            .post_form(
                PAGE,
                &cookie,
                &format!("csrf={csrf}&code={}", code_at(&secret, step_now())),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        let codes = support::two_step::recovery_codes_on_page(&r.body);
        assert_eq!(codes.len(), 10, "{backend}");
        assert!(r.body.contains("keep them somewhere safe"), "{backend}");
        assert!(r.body.contains("Two-step sign-in is on"), "{backend}");
        let again = site.t.get(PAGE, Some(&cookie)).await;
        assert!(
            again.body.contains("You have 10 unused recovery codes"),
            "{backend}"
        );
        assert!(
            !again.body.contains(&codes[0]),
            "{backend}: shown only once"
        );
        assert!(!again.body.contains("setup-key"), "{backend}");
        let account = site.t.get("/settings/account", Some(&cookie)).await;
        assert!(
            account.body.contains("Manage two-step sign-in"),
            "{backend}"
        );
    }
}

#[tokio::test]
async fn sign_in_asks_for_the_code_and_the_waiting_sign_in_is_never_a_session() {
    for (backend, site) in sites().await {
        let cookie = site.t.sign_up("sam@example.org").await;
        let on = enrol(&site.t, &cookie).await;

        let r = site.sign_in("sam@example.org", PASSWORD).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}");
        assert_eq!(r.headers["location"], CODE, "{backend}");
        assert_eq!(r.cookie("sid"), None, "{backend}: not signed in yet");
        let set = r
            .headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .find(|c| c.starts_with("two-step="))
            .unwrap();
        assert!(set.contains("HttpOnly"), "{set}");
        assert!(set.contains("SameSite=Strict"), "{set}");
        assert!(set.contains("Max-Age=300"), "{set}");
        let waiting = pending(&r);
        let value = waiting.trim_start_matches("two-step=");

        // The waiting sign-in opens nothing, under its own name or as a session cookie.
        for c in [waiting.clone(), format!("sid={value}")] {
            let page = site.t.get("/settings", Some(&c)).await;
            assert_eq!(page.status, StatusCode::SEE_OTHER, "{backend}: {c}");
            assert_eq!(page.headers["location"], "/signin", "{backend}");
            let api = site.t.get("/api/v1/checkins", Some(&c)).await;
            assert_eq!(api.status, StatusCode::UNAUTHORIZED, "{backend}");
        }

        let page = site.t.get(CODE, Some(&waiting)).await;
        assert_eq!(page.status, StatusCode::OK, "{backend}");
        assert!(
            page.body.contains("autocomplete=\"one-time-code\""),
            "{backend}"
        );
        assert!(page.body.contains("recovery codes"), "{backend}");

        // A wrong code: the same page, kindly, and still no session.
        let r = send_code(&site, &waiting, &wrong_code(&on.secret, 0)).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{backend}");
        assert!(r.body.contains("That code didn"), "{backend}");
        assert_eq!(r.cookie("sid"), None, "{backend}");

        // The right one signs in, and ends the waiting sign-in.
        let r = send_code(&site, &waiting, &code_at(&on.secret, step_now() + 1)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.body);
        assert_eq!(r.headers["location"], "/", "{backend}");
        let sid = format!("sid={}", r.cookie("sid").unwrap());
        assert_eq!(
            r.cookie("two-step").as_deref(),
            Some(""),
            "{backend}: cleared"
        );
        assert_eq!(
            site.t.get("/settings", Some(&sid)).await.status,
            StatusCode::OK,
            "{backend}"
        );
        // Used once: the same cookie leads back to the password.
        let again = site.t.get(CODE, Some(&waiting)).await;
        assert_eq!(again.status, StatusCode::SEE_OTHER, "{backend}");
        assert_eq!(again.headers["location"], "/signin?again=1", "{backend}");
        let r = send_code(&site, &waiting, &code_at(&on.secret, step_now() + 1)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}");
        assert_eq!(r.headers["location"], "/signin?again=1", "{backend}");
        assert_eq!(r.cookie("sid"), None, "{backend}");
        // Without any waiting sign-in, the code page sends the person to sign in.
        let none = site.t.get(CODE, None).await;
        assert_eq!(none.headers["location"], "/signin?again=1", "{backend}");
        let signin = site.t.get("/signin?again=1", None).await;
        assert!(signin.body.contains("please start again"), "{backend}");
    }
}

#[tokio::test]
async fn a_code_is_never_accepted_twice() {
    for (backend, site) in sites().await {
        let cookie = site.t.sign_up("sam@example.org").await;
        let on = enrol(&site.t, &cookie).await;
        // The code that turned it on has been used.
        let r = sign_in_with(&site, "sam@example.org", &code_at(&on.secret, on.step)).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{backend}: replayed");
        // The next step's code works (one step of drift is allowed) — once.
        let next = code_at(&on.secret, step_now() + 1);
        let r = sign_in_with(&site, "sam@example.org", &next).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.body);
        assert!(r.cookie("sid").is_some(), "{backend}");
        let r = sign_in_with(&site, "sam@example.org", &next).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{backend}: replayed");
        // A code two steps away is refused too.
        let far = code_at(&on.secret, step_now() + 3);
        let r = sign_in_with(&site, "sam@example.org", &far).await;
        assert_eq!(
            r.status,
            StatusCode::UNAUTHORIZED,
            "{backend}: too far ahead"
        );
    }
}

#[tokio::test]
async fn a_recovery_code_signs_in_once() {
    for (backend, site) in sites().await {
        let cookie = site.t.sign_up("sam@example.org").await;
        let on = enrol(&site.t, &cookie).await;
        let code = on.recovery_codes[3].clone();
        // Typed in capitals without its dashes, it still counts.
        let typed = code.replace('-', " ").to_uppercase();
        let r = sign_in_with(&site, "sam@example.org", &typed).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.body);
        let sid = format!("sid={}", r.cookie("sid").unwrap());
        let r = sign_in_with(&site, "sam@example.org", &code).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{backend}: used up");
        // An unknown code of the same shape is refused.
        let r = sign_in_with(&site, "sam@example.org", "abcd-efgh-jkmn-pqrs").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{backend}");
        let page = site.t.get(PAGE, Some(&sid)).await;
        assert!(
            page.body.contains("You have 9 unused recovery codes"),
            "{backend}"
        );

        // New codes replace the old ones, after a current code or the password.
        let csrf = hidden(&page.body, "csrf");
        let path = "/settings/account/two-step/recovery-codes";
        let r = site
            .t
            .post_form(path, &sid, &format!("csrf={csrf}&proof=not+my+password"))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        assert!(
            r.body
                .contains("isn&#39;t a current code from your app or your password"),
            "{backend}: {}",
            r.body
        );
        let r = site
            .t
            .post_form(path, &sid, &format!("csrf={csrf}&proof={}", enc(PASSWORD)))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        let fresh = support::two_step::recovery_codes_on_page(&r.body);
        assert_eq!(fresh.len(), 10, "{backend}");
        assert!(
            fresh.iter().all(|c| !on.recovery_codes.contains(c)),
            "{backend}"
        );
        let r = sign_in_with(&site, "sam@example.org", &on.recovery_codes[5]).await;
        assert_eq!(
            r.status,
            StatusCode::UNAUTHORIZED,
            "{backend}: old codes end"
        );
        let r = sign_in_with(&site, "sam@example.org", &fresh[0]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}");
    }
}

#[tokio::test]
async fn wrong_codes_count_toward_the_sign_in_limits() {
    for (backend, site) in slow_limit_sites().await {
        let cookie = site.t.sign_up("sam@example.org").await;
        let on = enrol(&site.t, &cookie).await;
        let wrong = |n: u32| wrong_code(&on.secret, n);
        // Two wrong passwords, then three wrong codes: the five free failures of this
        // email from this address are spent.
        for _ in 0..2 {
            let r = site.sign_in("sam@example.org", "not the password").await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{backend}");
        }
        let r = site.sign_in("sam@example.org", PASSWORD).await;
        let waiting = pending(&r);
        for n in 0..3 {
            let r = send_code(&site, &waiting, &wrong(n)).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{backend}: try {n}");
        }
        // Now even the right code waits, and so does the password step.
        let r = send_code(&site, &waiting, &code_at(&on.secret, step_now() + 1)).await;
        assert_eq!(
            r.status,
            StatusCode::TOO_MANY_REQUESTS,
            "{backend}: {}",
            r.body
        );
        assert!(r.headers.contains_key(header::RETRY_AFTER), "{backend}");
        assert!(r.body.contains("Your account is not locked"), "{backend}");
        assert_eq!(r.cookie("sid"), None, "{backend}");
        let r = site.sign_in("sam@example.org", PASSWORD).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{backend}");
    }
}

#[tokio::test]
async fn a_right_password_does_not_reset_the_count_of_wrong_codes() {
    for (backend, site) in slow_limit_sites().await {
        let cookie = site.t.sign_up("sam@example.org").await;
        let on = enrol(&site.t, &cookie).await;
        let wrong = wrong_code(&on.secret, 0);
        // Each round begins with the right password: the wrong codes still add up.
        for n in 0..5 {
            let r = sign_in_with(&site, "sam@example.org", &wrong).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{backend}: round {n}");
        }
        let r = site.sign_in("sam@example.org", PASSWORD).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{backend}");
    }
}

#[tokio::test]
async fn a_client_turns_it_off_with_a_code_or_the_password() {
    for (backend, site) in sites().await {
        let cookie = site.t.sign_up("sam@example.org").await;
        let on = enrol(&site.t, &cookie).await;
        let page = site.t.get(PAGE, Some(&cookie)).await;
        let csrf = hidden(&page.body, "csrf");
        let off = "/settings/account/two-step/off";
        let r = site
            .t
            .post_form(off, &cookie, &format!("csrf={csrf}&proof=123"))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        assert!(
            r.body.contains("id=\"off-proof-error\""),
            "{backend}: beside its field"
        );
        let r = site
            .t
            .post_form(
                off,
                &cookie,
                &format!("csrf={csrf}&proof={}", code_at(&on.secret, step_now() + 1)),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.body);
        assert_eq!(
            r.headers["location"], "/settings/account?done=two-step-off",
            "{backend}"
        );
        let r = site.sign_in("sam@example.org", PASSWORD).await;
        assert_eq!(
            r.headers["location"], "/",
            "{backend}: only the password now"
        );
        assert!(r.cookie("sid").is_some(), "{backend}");
        // Turning it on again shows a new key.
        let page = site.t.get(PAGE, Some(&cookie)).await;
        assert_ne!(key_on_page(&page.body), on.secret, "{backend}");
    }
}

#[tokio::test]
async fn a_therapist_makes_no_web_token_before_turning_it_on_and_cannot_turn_it_off() {
    for (backend, site) in sites().await {
        therapist(&site, "ada@clinic.example").await;
        let (_, cookie) = site.signed_in("ada@clinic.example").await;

        let page = site.t.get("/settings/tokens", Some(&cookie)).await;
        assert_eq!(page.status, StatusCode::OK, "{backend}");
        assert!(page.body.contains(&format!("href=\"{PAGE}\"")), "{backend}");
        assert!(!page.body.contains("Make the token</button>"), "{backend}");
        let csrf = hidden(&page.body, "csrf");
        let r = site
            .t
            .post_form(
                "/settings/tokens",
                &cookie,
                &format!("csrf={csrf}&name=laptop&expires=30"),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");
        assert!(r.body.contains("Turn on two-step sign-in"), "{backend}");
        assert!(!r.body.contains("btw_"), "{backend}");
        assert!(
            site.app
                .api_tokens_for("ada@clinic.example")
                .await
                .unwrap()
                .is_empty(),
            "{backend}"
        );
        let setup = site.t.get(PAGE, Some(&cookie)).await;
        assert!(
            setup
                .body
                .contains("Therapist accounts need two-step sign-in"),
            "{backend}"
        );

        let on = enrol(&site.t, &cookie).await;
        let r = site
            .t
            .post_form(
                "/settings/tokens",
                &cookie,
                &format!("csrf={csrf}&name=laptop&expires=30"),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        assert!(r.body.contains("btw_"), "{backend}");

        // Once on, a therapist's account keeps it on, and the page says why.
        let page = site.t.get(PAGE, Some(&cookie)).await;
        assert!(
            page.body
                .contains("Therapist accounts keep two-step sign-in on"),
            "{backend}"
        );
        assert!(
            !page.body.contains("/settings/account/two-step/off"),
            "{backend}"
        );
        let r = site
            .t
            .post_form(
                "/settings/account/two-step/off",
                &cookie,
                &format!("csrf={csrf}&proof={}", code_at(&on.secret, step_now() + 1)),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");
        let r = site.sign_in("ada@clinic.example", PASSWORD).await;
        assert_eq!(r.headers["location"], CODE, "{backend}: still on");

        // Lost phone and codes: the operator turns it off (`between user two-step-off`),
        // and the therapist must turn it on again before making a token.
        assert!(
            site.app
                .turn_off_two_step_for("ada@clinic.example")
                .await
                .unwrap()
        );
        assert!(
            !site
                .app
                .turn_off_two_step_for("ada@clinic.example")
                .await
                .unwrap()
        );
        let (_, cookie) = site.signed_in("ada@clinic.example").await;
        let page = site.t.get("/settings/tokens", Some(&cookie)).await;
        assert!(page.body.contains(&format!("href=\"{PAGE}\"")), "{backend}");
        assert!(!page.body.contains("Make the token</button>"), "{backend}");
    }
}

#[tokio::test]
async fn the_second_factor_rule_knows_how_a_request_was_authenticated() {
    for (backend, site) in sites().await {
        therapist(&site, "ada@clinic.example").await;
        // The operator's token works for a therapist who never turned it on: whoever runs
        // the command already holds the database.
        let token = site
            .app
            .create_token_for("ada@clinic.example", Some("script"), None)
            .await
            .unwrap();
        let r = site
            .t
            .send(
                axum::http::Request::get("/api/v1/account/tokens")
                    .header(header::AUTHORIZATION, format!("Bearer {}", token.secret))
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        let by_token = site.app.bearer(&token.secret).await.unwrap();
        assert_eq!(by_token.auth(), app::AuthMethod::Token);
        assert!(!by_token.account().second_factor_enrolled, "{backend}");
        assert!(by_token.second_factor_ok(), "{backend}");

        // A session is not enough until the account has it on.
        let r = site.sign_in("ada@clinic.example", PASSWORD).await;
        let secret = r.cookie("sid").unwrap();
        let by_session = site.app.session(&secret).await.unwrap().unwrap().actor;
        assert_eq!(by_session.auth(), app::AuthMethod::Session);
        assert!(!by_session.second_factor_ok(), "{backend}");
        enrol(&site.t, &format!("sid={secret}")).await;
        let by_session = site.app.session(&secret).await.unwrap().unwrap().actor;
        assert!(by_session.account().second_factor_enrolled, "{backend}");
        assert!(by_session.second_factor_ok(), "{backend}");
    }
}

#[tokio::test]
async fn the_pages_and_forms_are_accessible_and_refuse_stale_forms() {
    for (backend, site) in sites().await {
        let cookie = site.t.sign_up("sam@example.org").await;
        let page = site.t.get(PAGE, Some(&cookie)).await;
        assert!(page.body.contains("<label for=\"code\">"), "{backend}");
        assert!(page.body.contains("<h1>Two-step sign-in</h1>"), "{backend}");
        assert!(
            page.body.contains("href=\"/help\""),
            "{backend}: get help now"
        );
        let r = site
            .t
            .post_form(PAGE, &cookie, "csrf=stale&code=123456")
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");
        assert!(r.body.contains("This form had expired"), "{backend}");
        // Nothing is turned on by a stale form.
        let r = site.sign_in("sam@example.org", PASSWORD).await;
        assert_eq!(r.headers["location"], "/", "{backend}");
        // Signed out, the settings page sends to sign-in.
        let r = site.t.get(PAGE, None).await;
        assert_eq!(r.headers["location"], "/signin", "{backend}");
    }
}
