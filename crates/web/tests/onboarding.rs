//! The first-run questions for an account made without them (`between user add`, or an
//! older account): asked after sign-in, skippable, asked again while incomplete; and "Get
//! help now" asking for the country first. On both backends.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use axum::http::StatusCode;
use support::enc;
use support::lifecycle::{Site, sites};

/// Sends the welcome form.
async fn welcome(site: &Site, cookie: &str, fields: &str) -> support::Reply {
    let csrf = site.csrf(cookie, "/welcome").await;
    site.t
        .post_form("/welcome", cookie, &format!("csrf={csrf}&{fields}"))
        .await
}

/// Whether any option of a select in the page is chosen.
fn any_selected(html: &str) -> bool {
    html.contains("\" selected>")
}

#[tokio::test]
async fn an_account_made_without_country_is_welcomed_after_sign_in_until_it_answers() {
    for (backend, site) in sites().await {
        site.add_user("sam@example.org", None, None).await;
        let (to, cookie) = site.signed_in("sam@example.org").await;
        assert_eq!(to, "/welcome", "{backend}");

        let page = site.t.get("/welcome", Some(&cookie)).await;
        assert_eq!(page.status, StatusCode::OK, "{backend}");
        // No country is picked for the person, "Choose…" comes first, and the time zone is
        // left for the browser's script (or the country) rather than the default UTC.
        assert!(!any_selected(&page.body), "{backend}: nothing preselected");
        let choose = page
            .body
            .find("<option value=\"\">Choose…</option>")
            .unwrap();
        assert!(
            choose < page.body.find("<option value=\"AU\"").unwrap(),
            "{backend}"
        );
        assert!(page.body.contains("value=\"\" data-timezone"), "{backend}");
        assert!(page.body.contains("href=\"/safety-plan\""), "{backend}");
        assert!(page.body.contains("Not now"), "{backend}");

        // "Not now" goes home, and home does not send the person back.
        assert_eq!(site.t.get("/", Some(&cookie)).await.status, StatusCode::OK);
        // Asked again at the next sign-in.
        assert_eq!(site.signed_in("sam@example.org").await.0, "/welcome");

        // A time zone nobody knows is refused, keeping what was typed.
        let bad = welcome(
            &site,
            &cookie,
            "country=US&timezone=Mars%2FOlympus&usual_mood=",
        )
        .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        assert!(bad.body.contains("value=\"Mars/Olympus\""), "{backend}");
        assert!(
            bad.body.contains("<option value=\"US\" selected>"),
            "{backend}"
        );

        let done = welcome(
            &site,
            &cookie,
            &format!(
                "country=US&timezone={}&usual_mood=6&therapist_name={}&therapist_phone=&therapist_email=",
                enc("America/Chicago"),
                enc("Dr Lee")
            ),
        )
        .await;
        assert_eq!(
            done.status,
            StatusCode::SEE_OTHER,
            "{backend}: {}",
            done.body
        );
        assert_eq!(done.headers["location"], "/", "{backend}");
        let account = site.app.account_by_email("sam@example.org").await.unwrap();
        assert_eq!(account.country.map(|c| c.code()), Some("US"), "{backend}");
        assert_eq!(account.timezone.name(), "America/Chicago", "{backend}");
        assert_eq!(account.usual_mood.map(|r| r.get()), Some(6), "{backend}");
        assert_eq!(
            account.therapist.name.as_deref(),
            Some("Dr Lee"),
            "{backend}"
        );
        // Answered: the next sign-in goes straight home.
        assert_eq!(site.signed_in("sam@example.org").await.0, "/", "{backend}");
    }
}

#[tokio::test]
async fn without_a_script_an_empty_time_zone_is_taken_from_the_country() {
    for (backend, site) in sites().await {
        site.add_user("sam@example.org", None, None).await;
        let (_, cookie) = site.signed_in("sam@example.org").await;
        let r = welcome(&site, &cookie, "country=GB&timezone=&usual_mood=").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.body);
        let account = site.app.account_by_email("sam@example.org").await.unwrap();
        assert_eq!(account.timezone.name(), "Europe/London", "{backend}");
        assert_eq!(site.signed_in("sam@example.org").await.0, "/", "{backend}");
    }
}

#[tokio::test]
async fn accounts_made_with_the_answers_are_not_asked() {
    for (backend, site) in sites().await {
        // `between user add --country GB --timezone Europe/London`
        site.add_user("kim@example.org", Some("gb"), Some("Europe/London"))
            .await;
        assert_eq!(site.signed_in("kim@example.org").await.0, "/", "{backend}");
        // Sign-up asks the questions itself.
        site.t.sign_up("sam@example.org").await;
        assert_eq!(site.signed_in("sam@example.org").await.0, "/", "{backend}");
        // A country alone leaves the time zone unchosen: asked.
        site.add_user("ana@example.org", Some("FR"), None).await;
        assert_eq!(site.signed_in("ana@example.org").await.0, "/welcome");
    }
}

#[tokio::test]
async fn the_operator_gets_clear_errors_for_an_unknown_country_or_time_zone() {
    for (backend, site) in sites().await {
        let refused = site
            .app
            .add_user(app::NewUser {
                email: "sam@example.org".into(),
                password: support::lifecycle::PASSWORD.into(),
                role: domain::account::Role::Client,
                country: Some("XX".into()),
                timezone: Some("Europe/Nowhere".into()),
            })
            .await;
        let Err(app::AppError::Invalid(errors)) = refused else {
            panic!("{backend}: accepted");
        };
        assert_eq!(errors[0].field, "country", "{backend}");
        assert!(
            errors[0].message.contains("GB"),
            "{backend}: names the codes"
        );
        assert_eq!(errors[1].field, "timezone", "{backend}");
        assert!(errors[1].message.contains("Europe/London"), "{backend}");
        assert!(site.app.account_by_email("sam@example.org").await.is_err());
    }
}

#[tokio::test]
async fn help_asks_for_the_country_first_and_shows_international_lines_meanwhile() {
    for (backend, site) in sites().await {
        site.add_user("sam@example.org", None, None).await;
        let (_, cookie) = site.signed_in("sam@example.org").await;
        let help = site.t.get("/help", Some(&cookie)).await;
        assert_eq!(help.status, StatusCode::OK, "{backend}");
        let ask = help.body.find("action=\"/help/country\"").unwrap();
        assert!(ask < help.body.find("If you are in danger right now").unwrap());
        assert!(!any_selected(&help.body), "{backend}: nothing preselected");
        // The international fallback is shown until then.
        assert!(help.body.contains("tel:112"), "{backend}");

        let csrf = site.csrf(&cookie, "/help").await;
        let r = site
            .t
            .post_form("/help/country", &cookie, &format!("csrf={csrf}&country=GB"))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}");
        let help = site.t.get("/help", Some(&cookie)).await;
        assert!(!help.body.contains("action=\"/help/country\""), "{backend}");
        assert!(help.body.contains("Samaritans"), "{backend}");
        assert!(help.body.contains("tel:999"), "{backend}");

        // The country was the only thing saved: the time zone is still to be chosen.
        assert_eq!(site.signed_in("sam@example.org").await.0, "/welcome");
    }
}

#[tokio::test]
async fn pickers_never_choose_a_country_on_their_own() {
    for (backend, site) in sites().await {
        // Signed out, "Get help now" offers "Choose…" first, with nothing selected.
        let anon = site.t.get("/help", None).await;
        assert!(anon.body.contains("<option value=\"\">Choose…</option>"));
        assert!(!any_selected(&anon.body), "{backend}");
        // Settings of an account without a country.
        site.add_user("sam@example.org", None, None).await;
        let (_, cookie) = site.signed_in("sam@example.org").await;
        let settings = site.t.get("/settings", Some(&cookie)).await;
        assert!(
            settings
                .body
                .contains("<option value=\"\">Choose…</option>")
        );
        assert!(!any_selected(&settings.body), "{backend}");
    }
}

/// The welcome page doesn't ask about the safety question, so answering it keeps the
/// account's choice.
#[tokio::test]
async fn the_welcome_page_keeps_the_safety_question_setting() {
    for (backend, site) in sites().await {
        site.add_user("ana@example.org", None, None).await;
        let (_, cookie) = site.signed_in("ana@example.org").await;
        let csrf = site.csrf(&cookie, "/settings").await;
        let saved = site
            .t
            .post_form(
                "/settings",
                &cookie,
                &format!("csrf={csrf}&country=&timezone=UTC&usual_mood=&always_ask_safety=yes"),
            )
            .await;
        assert_eq!(
            saved.status,
            StatusCode::SEE_OTHER,
            "{backend}: {}",
            saved.body
        );
        let account = site.app.account_by_email("ana@example.org").await.unwrap();
        assert!(account.always_ask_safety, "{backend}");

        let done = welcome(&site, &cookie, "country=DE&timezone=Europe%2FBerlin").await;
        assert_eq!(
            done.status,
            StatusCode::SEE_OTHER,
            "{backend}: {}",
            done.body
        );
        let account = site.app.account_by_email("ana@example.org").await.unwrap();
        assert_eq!(account.country.map(|c| c.code()), Some("DE"), "{backend}");
        assert!(account.always_ask_safety, "{backend}: still asked");
    }
}
