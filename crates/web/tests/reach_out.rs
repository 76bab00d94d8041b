//! Reaching out, over HTTP: the guidance card puts the action before the reasons, the
//! contact page's Text and Email links carry the drafted message, and "Get help now" offers
//! the person's own therapist without raw sources on every card.
// Helpers outside `#[test]` fns unwrap too; clippy.toml's test allowances reach only the tests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;
use support::*;

use axum::http::StatusCode;
use serde_json::{Value, json};

/// Saves the therapist's details (and a UK account) through the settings form.
async fn set_therapist(t: &TestApp, cookie: &str, name: &str, phone: &str, email: &str) {
    let page = t.get("/settings", Some(cookie)).await;
    let body = [
        ("csrf", hidden(&page.body, "csrf")),
        ("country", "GB".to_string()),
        ("timezone", "Europe/London".to_string()),
        ("usual_mood", "7".to_string()),
        ("therapist_name", name.to_string()),
        ("therapist_phone", phone.to_string()),
        ("therapist_email", email.to_string()),
    ]
    .iter()
    .map(|(k, v)| format!("{k}={}", enc(v)))
    .collect::<Vec<_>>()
    .join("&");
    let r = t.post_form("/settings", cookie, &body).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
}

async fn low_day(t: &TestApp, cookie: &str, n: i64) {
    let body = json!({"client_id": uuid::Uuid::new_v4(), "mood": 2, "at": days_ago(n),
        "self_harm_thoughts": false, "missed_usual_activities": true})
    .to_string();
    let r = t.post_json("/api/v1/checkins", cookie, &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
}

/// The value of the first `href` whose value starts with `prefix`, as written in the HTML.
fn href_starting(html: &str, prefix: &str) -> String {
    let needle = format!("href=\"{prefix}");
    let at = html
        .find(&needle)
        .unwrap_or_else(|| panic!("no link starting {prefix}"));
    let rest = &html[at + 6..];
    rest[..rest.find('"').unwrap()].to_string()
}

#[tokio::test]
async fn the_reach_out_card_puts_the_contact_button_before_short_reasons() {
    let t = test_app().await;
    let cookie = t.sign_up("kai@example.org").await;
    for n in (0..5).rev() {
        low_day(&t, &cookie, n).await;
    }
    let g: Value = t.get("/api/v1/guidance", Some(&cookie)).await.json();
    assert_eq!(g["level"], "reach_out", "{g}");
    let codes: Vec<&str> = g["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"persisting"), "{codes:?}");

    let home = t.get("/", Some(&cookie)).await;
    let b = &home.body;
    let card = b.find("id=\"guidance-h\"").unwrap();
    let button = b.find(">Contact my therapist</a>").unwrap();
    let noticed = b.find("What we noticed").unwrap();
    let details = b.find("More about what we saw").unwrap();
    assert!(
        card < button && button < noticed && noticed < details,
        "{b}"
    );
    // Short, plain lines; the evidence with its dates sits in the disclosure.
    assert!(b.contains("much lower than usual on each of the last 5 days you checked in."));
    assert!(b.contains("You missed work, school or plans because of how you felt."));
    assert!(b.contains("your mood was much lower than your usual 7; the latest was 2 out of 10."));
    assert!(b.contains("Where this comes from: therapists usually advise"));
    assert!(!b.contains("rated day"), "no engine words on home");
    // One line for low mood, however many rules saw it.
    let list = &b[noticed..details];
    let low_lines = list.matches("<li>Your mood").count();
    assert_eq!(low_lines, 1, "{list}");
}

#[tokio::test]
async fn the_contact_page_links_carry_the_draft_and_take_no_query() {
    let t = test_app().await;
    let cookie = t.sign_up("kai@example.org").await;
    set_therapist(
        &t,
        &cookie,
        "Dr Ada Okafor",
        "+44 7700 900123",
        "ada@example.org",
    )
    .await;
    for n in (0..4).rev() {
        low_day(&t, &cookie, n).await;
    }
    let page = t.get("/contact", Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_security_headers(&page, true);
    let sms = href_starting(&page.body, "sms:");
    // askama writes & as &#38; in attributes; the browser reads it back as &.
    assert!(
        sms.starts_with("sms:+447700900123?&#38;body=Hi%20Dr%20Ada%20Okafor%2C%0A%0A"),
        "{sms}"
    );
    let mail = href_starting(&page.body, "mailto:");
    assert!(
        mail.starts_with(
            "mailto:ada@example.org?subject=Before%20our%20next%20session&#38;body=Hi%20Dr%20Ada%20Okafor%2C%0D%0A%0D%0A"
        ),
        "{mail}"
    );
    assert!(sms.contains("much%20lower%20than%20usual"), "{sms}");
    assert!(
        page.body
            .contains(">Call <bdi>+44 7700 900123</bdi></span></a>")
    );
    assert!(
        page.body
            .contains("Between never sees or keeps your changes")
    );

    // A draft in the address is ignored: the page never takes the message from a query.
    let with_query = t
        .get("/contact?draft=MARKER-7f3a&body=MARKER-7f3a", Some(&cookie))
        .await;
    assert_eq!(with_query.status, StatusCode::OK);
    assert!(!with_query.body.contains("MARKER-7f3a"));
}

#[tokio::test]
async fn without_contact_details_the_page_offers_settings_and_copy() {
    let t = test_app().await;
    let cookie = t.sign_up("kai@example.org").await;
    let page = t.get("/contact", Some(&cookie)).await;
    assert!(page.body.contains("Add them in settings"));
    assert!(!page.body.contains("href=\"sms:"));
    assert!(!page.body.contains("href=\"mailto:"));
    assert!(page.body.contains("data-copy"));
}

#[tokio::test]
async fn help_offers_the_therapist_after_the_crisis_lines_when_a_number_is_held() {
    let t = test_app().await;
    // Signed out: the lines, their sources once at the bottom, no therapist.
    let out = t.get("/help?country=GB", None).await;
    assert!(!out.body.contains("therapist-h"));
    for raw in [
        ">https://",
        ">http://",
        "Source: ",
        "Verified on",
        "2026-11-24",
    ] {
        assert!(!out.body.contains(raw), "{raw} on the help page");
    }

    let cookie = t.sign_up("kai@example.org").await;
    let before = t.get("/help", Some(&cookie)).await;
    assert!(!before.body.contains("therapist-h"), "no number held yet");
    assert!(before.body.contains("href=\"/contact\""));

    set_therapist(&t, &cookie, "Dr Ada Okafor", "+44 7700 900123", "").await;
    let help = t.get("/help", Some(&cookie)).await;
    let b = &help.body;
    let emergency = b.find("href=\"tel:999\"").unwrap();
    let line = b.find("href=\"tel:116123\"").unwrap();
    let therapist = b
        .find("href=\"tel:+447700900123\"><bdi>Call Dr Ada Okafor</bdi>")
        .expect("a call button for the therapist");
    let sources = b.find("Where these numbers come from").unwrap();
    assert!(
        emergency < line && line < therapist && therapist < sources,
        "{b}"
    );
    assert!(b.contains("href=\"sms:+447700900123\"><bdi>Text Dr Ada Okafor</bdi>"));
}

#[tokio::test]
async fn after_a_yes_the_numbers_are_above_a_long_safety_plan() {
    let t = test_app().await;
    let cookie = t.sign_up("kai@example.org").await;
    let page = t.get("/safety-plan/edit", Some(&cookie)).await;
    let body = [
        ("csrf", hidden(&page.body, "csrf")),
        ("warning_signs", "Not sleeping".to_string()),
        ("on_my_own", "Cold water\nA walk\nMusic".to_string()),
        ("distractions", "Call Jo".to_string()),
        ("reasons_for_living", "My cat".to_string()),
    ]
    .iter()
    .map(|(k, v)| format!("{k}={}", enc(v)))
    .collect::<Vec<_>>()
    .join("&");
    let saved = t.post_form("/safety-plan", &cookie, &body).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let help = t.get("/help?from=checkin", Some(&cookie)).await;
    let b = &help.body;
    let call = b.find("href=\"tel:999\"").unwrap();
    let plan = b.find("plan-first-h").unwrap();
    assert!(call < plan, "a call button comes before the plan");
}
