//! Settings → Account and Settings → API tokens, on both backends: changing the password
//! signs out every other device but not this one; the device list signs out one device or
//! every other; tokens are made with a name and an expiry, listed, revoked, refused once
//! expired; and "last seen" / "last used" cost at most one write a minute.
// clippy.toml allows these inside #[test] functions only; helpers here use them too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{Duration, Utc};
use domain::account::{AccountId, Email};
use sha2::{Digest, Sha256};
use store::Store;
use support::*;

const PASSWORD: &str = "a long enough password";
const FIREFOX_ANDROID: &str =
    "Mozilla/5.0 (Android 14; Mobile; rv:128.0) Gecko/128.0 Firefox/128.0";
const SAFARI_IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) \
     AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

/// The app on each backend with its store, to look at what was written.
async fn apps() -> Vec<(&'static str, TestApp, Arc<dyn Store>)> {
    let settings = app::Settings {
        open_signup: true,
        ..Default::default()
    };
    let mut urls = Vec::new();
    let dir = tempfile::tempdir().unwrap();
    urls.push((
        "sqlite",
        store::DatabaseUrl::sqlite_in(dir.path()),
        Some(dir),
    ));
    if let Some(url) = store::testing::postgres_test_database().await {
        urls.push(("postgres", store::DatabaseUrl::parse(&url).unwrap(), None));
    }
    let mut out = Vec::new();
    for (name, url, dir) in urls {
        let store = store::testing::open(&url).await.unwrap();
        let router = web::router(web::AppState {
            app: app::App::new(store.clone(), settings.clone()),
            config: web::WebConfig::default().into(),
        });
        let dir = dir.unwrap_or_else(|| tempfile::tempdir().unwrap());
        out.push((name, TestApp { router, _dir: dir }, store));
    }
    out
}

/// What the database keeps of a secret.
fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// The cookie secret of a `sid=…` cookie header.
fn secret(cookie: &str) -> &str {
    cookie.trim_start_matches("sid=")
}

async fn account_id(store: &Arc<dyn Store>, email: &str) -> AccountId {
    let (account, _) = store
        .account_for_sign_in(&Email::parse(email).unwrap())
        .await
        .unwrap()
        .unwrap();
    account.id
}

/// Signs in through the form from a browser with this User-Agent; the session cookie, or
/// `None` with the status when refused.
async fn sign_in(
    t: &TestApp,
    email: &str,
    password: &str,
    user_agent: &str,
) -> Result<String, StatusCode> {
    let page = t.get("/signin", None).await;
    let form_token = page.cookie("form").unwrap();
    let csrf = hidden(&page.body, "csrf");
    let res = t
        .send(
            Request::post("/signin")
                .header(header::COOKIE, format!("form={form_token}"))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::USER_AGENT, user_agent)
                .header("sec-fetch-site", "same-origin")
                .body(Body::from(format!(
                    "csrf={csrf}&email={}&password={}",
                    enc(email),
                    enc(password)
                )))
                .unwrap(),
        )
        .await;
    match res.status {
        StatusCode::SEE_OTHER => Ok(format!("sid={}", res.cookie("sid").unwrap())),
        other => Err(other),
    }
}

/// Whether a session cookie still opens the home page.
async fn signed_in(t: &TestApp, cookie: &str) -> bool {
    let r = t.get("/", Some(cookie)).await;
    match r.status {
        StatusCode::OK => true,
        StatusCode::SEE_OTHER => {
            assert_eq!(r.headers.get(header::LOCATION).unwrap(), "/signin");
            false
        }
        other => panic!("home answered {other}"),
    }
}

/// The form token of a signed-in page.
async fn csrf(t: &TestApp, cookie: &str) -> String {
    hidden(&t.get("/settings/account", Some(cookie)).await.body, "csrf")
}

/// A bearer GET.
async fn bearer_get(t: &TestApp, path: &str, token: &str) -> Reply {
    t.send(
        Request::get(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

/// A bearer DELETE.
async fn bearer_delete(t: &TestApp, path: &str, token: &str) -> Reply {
    t.send(
        Request::delete(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

/// Makes a token through the settings page; its secret.
async fn make_token(t: &TestApp, cookie: &str, name: &str, expires: &str) -> String {
    let csrf = csrf(t, cookie).await;
    let r = t
        .post_form(
            "/settings/tokens",
            cookie,
            &format!("csrf={csrf}&name={}&expires={expires}", enc(name)),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let at = r.body.find(">btw_").expect("the new token is shown") + 1;
    r.body[at..].split('<').next().unwrap().to_string()
}

#[tokio::test]
async fn changing_the_password_ends_every_other_session_but_this_one() {
    for (backend, t, _) in apps().await {
        let here = t.sign_up("sam@example.org").await;
        let phone = sign_in(&t, "sam@example.org", PASSWORD, FIREFOX_ANDROID)
            .await
            .unwrap();
        let csrf = csrf(&t, &here).await;

        // A wrong current password: a kind message, nothing typed shown again, nothing ended.
        let wrong = t
            .post_form(
                "/settings/account/password",
                &here,
                &format!(
                    "csrf={csrf}&current_password=not+my+password+at+all&new_password={}",
                    enc("a brand new password")
                ),
            )
            .await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        assert!(
            wrong
                .body
                .contains("That isn&#39;t the password you use now")
                || wrong.body.contains("That isn't the password you use now"),
            "{backend}: {}",
            wrong.body
        );
        assert!(!wrong.body.contains("not my password at all"), "{backend}");
        assert!(!wrong.body.contains("a brand new password"), "{backend}");
        assert!(wrong.body.contains("id=\"current_password\""), "{backend}");
        assert!(signed_in(&t, &phone).await, "{backend}");

        // A new password that is too short is refused the same way.
        let short = t
            .post_form(
                "/settings/account/password",
                &here,
                &format!(
                    "csrf={csrf}&current_password={}&new_password=short",
                    enc(PASSWORD)
                ),
            )
            .await;
        assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        assert!(short.body.contains("at least 10 characters"), "{backend}");
        assert!(signed_in(&t, &phone).await, "{backend}");

        let done = t
            .post_form(
                "/settings/account/password",
                &here,
                &format!(
                    "csrf={csrf}&current_password={}&new_password={}",
                    enc(PASSWORD),
                    enc("a brand new password")
                ),
            )
            .await;
        assert_eq!(
            done.status,
            StatusCode::SEE_OTHER,
            "{backend}: {}",
            done.body
        );
        assert_eq!(
            done.headers.get(header::LOCATION).unwrap(),
            "/settings/account?done=password"
        );
        assert!(
            signed_in(&t, &here).await,
            "{backend}: this session goes on"
        );
        assert!(
            !signed_in(&t, &phone).await,
            "{backend}: the other one ended"
        );
        let page = t.get("/settings/account?done=password", Some(&here)).await;
        assert!(page.body.contains("Your password is changed"), "{backend}");
        assert!(!page.body.contains("Firefox on Android"), "{backend}");

        assert_eq!(
            sign_in(&t, "sam@example.org", PASSWORD, SAFARI_IPHONE).await,
            Err(StatusCode::UNAUTHORIZED),
            "{backend}: the old password no longer works"
        );
        assert!(
            sign_in(&t, "sam@example.org", "a brand new password", SAFARI_IPHONE)
                .await
                .is_ok(),
            "{backend}"
        );
    }
}

#[tokio::test]
async fn the_device_list_signs_out_one_device_or_every_other() {
    for (backend, t, store) in apps().await {
        let here = t.sign_up("sam@example.org").await;
        let phone = sign_in(&t, "sam@example.org", PASSWORD, FIREFOX_ANDROID)
            .await
            .unwrap();
        let tablet = sign_in(&t, "sam@example.org", PASSWORD, SAFARI_IPHONE)
            .await
            .unwrap();
        let kim = t.sign_up("kim@example.org").await;

        let page = t.get("/settings/account", Some(&here)).await;
        assert_eq!(page.status, StatusCode::OK, "{backend}");
        assert_security_headers(&page, true);
        assert!(page.body.contains("Firefox on Android"), "{backend}");
        assert!(page.body.contains("Safari on iPhone"), "{backend}");
        assert_eq!(page.body.matches("This device").count(), 1, "{backend}");
        assert!(page.body.contains("Sign out everywhere else"), "{backend}");
        // Neither the raw User-Agent nor a token hash is kept or shown.
        assert!(!page.body.contains("Gecko/128.0"), "{backend}");
        assert!(!page.body.contains(&hash(secret(&phone))), "{backend}");

        let sam = account_id(&store, "sam@example.org").await;
        let devices = store.device_sessions(sam, Utc::now()).await.unwrap();
        assert_eq!(devices.len(), 3, "{backend}");
        let phone_id = devices
            .iter()
            .find(|d| d.device == "Firefox on Android")
            .unwrap()
            .id
            .clone();
        assert!(
            page.body
                .contains(&format!("/settings/account/devices/{phone_id}/sign-out")),
            "{backend}"
        );

        // Someone else's session is not theirs to end.
        let kim_csrf = csrf(&t, &kim).await;
        let theirs = t
            .post_form(
                &format!("/settings/account/devices/{phone_id}/sign-out"),
                &kim,
                &format!("csrf={kim_csrf}"),
            )
            .await;
        assert_eq!(theirs.status, StatusCode::NOT_FOUND, "{backend}");
        assert!(signed_in(&t, &phone).await, "{backend}");

        let csrf = csrf(&t, &here).await;
        let one = t
            .post_form(
                &format!("/settings/account/devices/{phone_id}/sign-out"),
                &here,
                &format!("csrf={csrf}"),
            )
            .await;
        assert_eq!(one.status, StatusCode::SEE_OTHER, "{backend}");
        assert!(!signed_in(&t, &phone).await, "{backend}");
        assert!(signed_in(&t, &tablet).await, "{backend}");
        assert!(signed_in(&t, &here).await, "{backend}");

        let others = t
            .post_form(
                "/settings/account/devices/sign-out-others",
                &here,
                &format!("csrf={csrf}"),
            )
            .await;
        assert_eq!(others.status, StatusCode::SEE_OTHER, "{backend}");
        assert!(!signed_in(&t, &tablet).await, "{backend}");
        assert!(signed_in(&t, &here).await, "{backend}");
        assert!(
            signed_in(&t, &kim).await,
            "{backend}: another account is untouched"
        );
        let page = t.get("/settings/account?done=others", Some(&here)).await;
        assert!(
            page.body.contains("signed in on this device only"),
            "{backend}"
        );

        // The same through the API: list, and end one session.
        let token = make_token(&t, &here, "script", "30").await;
        let phone = sign_in(&t, "sam@example.org", PASSWORD, FIREFOX_ANDROID)
            .await
            .unwrap();
        let list = bearer_get(&t, "/api/v1/account/sessions", &token).await;
        assert_eq!(list.status, StatusCode::OK, "{backend}");
        let sessions = list.json()["sessions"].as_array().unwrap().clone();
        assert_eq!(sessions.len(), 2, "{backend}");
        let phone_id = sessions
            .iter()
            .find(|s| s["device"] == "Firefox on Android")
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let path = format!("/api/v1/account/sessions/{phone_id}");
        assert_eq!(
            bearer_delete(&t, &path, &token).await.status,
            StatusCode::NO_CONTENT
        );
        assert!(!signed_in(&t, &phone).await, "{backend}");
        let again = bearer_delete(&t, &path, &token).await;
        assert_eq!(again.status, StatusCode::NOT_FOUND, "{backend}");
        assert_eq!(again.json()["error"]["code"], "not_found");
    }
}

#[tokio::test]
async fn tokens_are_made_listed_and_revoked() {
    for (backend, t, _) in apps().await {
        let cookie = t.sign_up("sam@example.org").await;
        let empty = t.get("/settings/tokens", Some(&cookie)).await;
        assert_eq!(empty.status, StatusCode::OK, "{backend}");
        assert!(empty.body.contains("You have no tokens"), "{backend}");
        let settings = t.get("/settings", Some(&cookie)).await;
        assert!(settings.body.contains("href=\"/settings/tokens\""));
        assert!(settings.body.contains("href=\"/settings/account\""));

        let token = make_token(&t, &cookie, "mood export", "90").await;
        assert!(token.starts_with("btw_") && token.len() == 36, "{token}");
        assert_eq!(
            bearer_get(&t, "/api/v1/checkins", &token).await.status,
            StatusCode::OK,
            "{backend}"
        );
        let list = t.get("/settings/tokens", Some(&cookie)).await;
        assert!(list.body.contains(">mood export<"), "{backend}");
        assert!(!list.body.contains(&token), "{backend}: shown only once");
        assert!(list.body.contains("Last used"), "{backend}");

        // A name already in use is refused kindly, keeping what was typed.
        let csrf = csrf(&t, &cookie).await;
        let taken = t
            .post_form(
                "/settings/tokens",
                &cookie,
                &format!("csrf={csrf}&name=mood+export&expires=never"),
            )
            .await;
        assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        assert!(
            taken.body.contains("You already have a token called"),
            "{backend}"
        );
        assert!(taken.body.contains("value=\"mood export\""), "{backend}");
        let nameless = t
            .post_form(
                "/settings/tokens",
                &cookie,
                &format!("csrf={csrf}&name=+&expires=30"),
            )
            .await;
        assert_eq!(nameless.status, StatusCode::UNPROCESSABLE_ENTITY);
        let odd = t
            .post_form(
                "/settings/tokens",
                &cookie,
                &format!("csrf={csrf}&name=other&expires=12"),
            )
            .await;
        assert_eq!(odd.status, StatusCode::UNPROCESSABLE_ENTITY);

        let api = bearer_get(&t, "/api/v1/account/tokens", &token).await;
        let tokens = api.json()["tokens"].as_array().unwrap().clone();
        assert_eq!(tokens.len(), 1, "{backend}");
        assert_eq!(tokens[0]["name"], "mood export");
        assert!(tokens[0]["expires_at"].is_string());
        assert!(!api.body.contains(&token));
        let id = tokens[0]["id"].as_str().unwrap().to_string();

        let confirm = t
            .get(&format!("/settings/tokens/{id}/revoke"), Some(&cookie))
            .await;
        assert_eq!(confirm.status, StatusCode::OK, "{backend}");
        assert!(confirm.body.contains("Revoke the token"), "{backend}");
        let kim = t.sign_up("kim@example.org").await;
        assert_eq!(
            t.get(&format!("/settings/tokens/{id}/revoke"), Some(&kim))
                .await
                .status,
            StatusCode::NOT_FOUND,
            "{backend}: not someone else's to revoke"
        );
        let revoked = t
            .post_form(
                &format!("/settings/tokens/{id}/revoke"),
                &cookie,
                &format!("csrf={csrf}"),
            )
            .await;
        assert_eq!(revoked.status, StatusCode::SEE_OTHER, "{backend}");
        let refused = bearer_get(&t, "/api/v1/checkins", &token).await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{backend}");
        let list = t.get("/settings/tokens?done=revoked", Some(&cookie)).await;
        assert!(list.body.contains("The token is revoked"), "{backend}");
        assert!(!list.body.contains(">mood export<"), "{backend}");
    }
}

#[tokio::test]
async fn an_expired_token_is_refused_with_json() {
    for (backend, t, store) in apps().await {
        t.sign_up("sam@example.org").await;
        let sam = account_id(&store, "sam@example.org").await;
        let old = format!("btw_{}", "0123456789abcdef".repeat(2));
        let fresh = format!("btw_{}", "fedcba9876543210".repeat(2));
        store
            .add_api_token(
                sam,
                &hash(&old),
                "old",
                Some(Utc::now() - Duration::seconds(1)),
            )
            .await
            .unwrap();
        store
            .add_api_token(
                sam,
                &hash(&fresh),
                "fresh",
                Some(Utc::now() + Duration::days(1)),
            )
            .await
            .unwrap();
        let r = bearer_get(&t, "/api/v1/checkins", &old).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{backend}");
        assert_eq!(r.json()["error"]["code"], "unauthenticated", "{backend}");
        assert_eq!(
            bearer_get(&t, "/api/v1/checkins", &fresh).await.status,
            StatusCode::OK,
            "{backend}"
        );
        // The expired one was not marked as used.
        let tokens = store.api_tokens(sam).await.unwrap();
        let old = tokens.iter().find(|t| t.name == "old").unwrap();
        assert_eq!(old.last_used_at, None, "{backend}");
    }
}

#[tokio::test]
async fn last_used_and_last_seen_are_written_at_most_once_a_minute() {
    for (backend, t, store) in apps().await {
        let cookie = t.sign_up("sam@example.org").await;
        let sam = account_id(&store, "sam@example.org").await;
        let token = make_token(&t, &cookie, "script", "never").await;
        let last_used = || async {
            store.api_tokens(sam).await.unwrap()[0]
                .last_used_at
                .expect("used")
        };

        // The first use is written; the next, a moment later, is not.
        assert_eq!(
            bearer_get(&t, "/api/v1/checkins", &token).await.status,
            StatusCode::OK
        );
        let first = last_used().await;
        assert!(Utc::now() - first < Duration::seconds(30), "{backend}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        bearer_get(&t, "/api/v1/checkins", &token).await;
        assert_eq!(last_used().await, first, "{backend}: no second write");

        // Once the stored value is over a minute old, the next use writes it again.
        let aged = Utc::now() - Duration::minutes(5);
        store.touch_api_token(&hash(&token), aged).await.unwrap();
        bearer_get(&t, "/api/v1/checkins", &token).await;
        let second = last_used().await;
        assert!(second > aged + Duration::minutes(4), "{backend}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        bearer_get(&t, "/api/v1/checkins", &token).await;
        assert_eq!(last_used().await, second, "{backend}");

        // The same for a browser session's "last seen".
        let last_seen =
            || async { store.device_sessions(sam, Utc::now()).await.unwrap()[0].last_seen_at };
        store
            .touch_session(&hash(secret(&cookie)), aged)
            .await
            .unwrap();
        assert!(signed_in(&t, &cookie).await);
        let seen = last_seen().await;
        assert!(seen > aged + Duration::minutes(4), "{backend}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        assert!(signed_in(&t, &cookie).await);
        assert!(signed_in(&t, &cookie).await);
        assert_eq!(
            last_seen().await,
            seen,
            "{backend}: no write on every request"
        );
    }
}

#[tokio::test]
async fn guessing_the_current_password_is_paused_like_signing_in() {
    for (backend, t, _) in apps().await {
        let here = t.sign_up("sam@example.org").await;
        let phone = sign_in(&t, "sam@example.org", PASSWORD, FIREFOX_ANDROID)
            .await
            .unwrap();
        let csrf = csrf(&t, &here).await;
        let attempt = |current: &'static str| {
            let (t, here, csrf) = (&t, &here, &csrf);
            async move {
                t.post_form(
                    "/settings/account/password",
                    here,
                    &format!(
                        "csrf={csrf}&current_password={}&new_password={}",
                        enc(current),
                        enc("a brand new password")
                    ),
                )
                .await
            }
        };
        let mut paused = None;
        for n in 1..=8 {
            let r = attempt("a wrong guess at it").await;
            if r.status == StatusCode::TOO_MANY_REQUESTS {
                paused = Some((n, r));
                break;
            }
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        }
        let (n, r) = paused.expect("guesses are paused");
        assert!(n > 5, "{backend}: the first five are free ({n})");
        assert!(r.headers.get(header::RETRY_AFTER).is_some(), "{backend}");
        assert!(r.body.contains("You are still signed in"), "{backend}");
        // While paused even the right password is not checked, and nothing changes.
        assert_eq!(
            attempt(PASSWORD).await.status,
            StatusCode::TOO_MANY_REQUESTS,
            "{backend}"
        );
        assert!(signed_in(&t, &phone).await, "{backend}");
        assert!(signed_in(&t, &here).await, "{backend}");
    }
}
