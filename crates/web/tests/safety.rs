//! The safety plan, the backsliding plan and offline support, over HTTP.
// Helpers outside `#[test]` fns unwrap too; clippy.toml's test allowances reach only the tests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;
use support::*;

use axum::http::{StatusCode, header};
use serde_json::{Value, json};

/// A form body from pairs, repeated names allowed.
fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

async fn csrf(t: &TestApp, cookie: &str) -> String {
    let home = t.get("/", Some(cookie)).await;
    hidden(&home.body, "csrf")
}

fn location(r: &Reply) -> &str {
    r.headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// Saves a filled-in safety plan through the form.
async fn save_safety_plan(t: &TestApp, cookie: &str, reasons: &str) -> Reply {
    let csrf = csrf(t, cookie).await;
    let body = form(&[
        ("csrf", &csrf),
        ("warning_signs", "Not sleeping\nPulling away from Jo"),
        ("on_my_own", "Box breathing\nCold water on my wrists"),
        ("distractions", "The library café"),
        ("helper_name", "Jo (sister)"),
        ("helper_phone", "07700 900123"),
        ("helper_name", ""),
        ("helper_phone", ""),
        ("professional_name", "GP surgery"),
        ("professional_phone", "+44 20 7946 0001"),
        ("safer_surroundings", "Give the spare tablets to Jo"),
        ("reasons_for_living", reasons),
        ("made_with_therapist_on", "2026-03-10"),
        ("review_on", ""),
    ]);
    t.post_form("/safety-plan", cookie, &body).await
}

#[tokio::test]
async fn a_new_safety_plan_starts_with_the_therapist_and_crisis_lines() {
    let t = test_app().await;
    let cookie = t.sign_up("ana@example.org").await;
    let page = t.get("/safety-plan", Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_security_headers(&page, true);
    assert!(page.body.contains("Make my safety plan"));
    // Step 5 is there before anything is written: the UK lines for this GB account.
    assert!(page.body.contains("href=\"tel:116123\""), "{}", page.body);
    assert!(page.body.contains("href=\"sms:85258?&#38;body=SHOUT\""));
    assert!(page.body.contains("href=\"tel:999\""));
    assert_eq!(page.headers.get("between-plan-offline").unwrap(), "drop");

    let edit = t.get("/safety-plan/edit", Some(&cookie)).await;
    assert_eq!(edit.status, StatusCode::OK);
    for label in [
        "Warning signs",
        "Things I can do on my own",
        "People and places that take my mind off things",
        "People I can ask for help",
        "Professionals and crisis lines",
        "Making my surroundings safer",
        "My reasons for living",
        "Made with my therapist on",
    ] {
        assert!(edit.body.contains(label), "{label}");
    }
    // Signed out, the plan is not there to read.
    let anon = t.get("/safety-plan", None).await;
    assert_eq!(anon.status, StatusCode::SEE_OTHER);
    assert_eq!(location(&anon), "/signin");
}

#[tokio::test]
async fn the_safety_plan_is_saved_in_versions_with_one_tap_links() {
    let t = test_app().await;
    let cookie = t.sign_up("ana@example.org").await;
    let saved = save_safety_plan(&t, &cookie, "My cat, Miso").await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    // Nothing the person wrote travels in the address.
    assert_eq!(location(&saved), "/safety-plan?saved=1");

    let page = t.get("/safety-plan?saved=1", Some(&cookie)).await;
    assert!(page.body.contains("Your safety plan is saved."));
    for text in [
        "Not sleeping",
        "Pulling away from Jo",
        "Cold water on my wrists",
        "The library café",
        "Give the spare tablets to Jo",
        "My cat, Miso",
        "Made with my therapist on 10 March 2026",
        "Jo (sister)",
        "GP surgery",
    ] {
        assert!(page.body.contains(text), "{text}");
    }
    for link in [
        "href=\"tel:07700900123\"",
        "href=\"sms:07700900123\"",
        "href=\"tel:+442079460001\"",
    ] {
        assert!(page.body.contains(link), "{link}");
    }
    assert!(page.body.contains(">Call Jo (sister)<"));
    assert!(page.body.contains(">Call 116 123<"));

    // Saving the same plan again adds no version; a change adds one.
    assert_eq!(
        save_safety_plan(&t, &cookie, "My cat, Miso").await.status,
        StatusCode::SEE_OTHER
    );
    save_safety_plan(&t, &cookie, "My cat, Miso\nSeeing the sea again").await;
    let history = t.get("/safety-plan/history", Some(&cookie)).await;
    assert_eq!(history.status, StatusCode::OK);
    assert!(
        history.body.contains("Version 2</strong> (current)"),
        "{}",
        history.body
    );
    assert!(history.body.contains("Version 1</strong>"));
    assert!(!history.body.contains("Version 3"));
    assert!(history.body.contains("Saved by you"));
    assert!(history.body.contains("Changed: My reasons for living."));

    // An older version reads as it was, and can become the plan again.
    let v1 = t.get("/safety-plan/history/1", Some(&cookie)).await;
    assert_eq!(v1.status, StatusCode::OK);
    assert!(v1.body.contains("This is version 1 of your plan"));
    assert!(v1.body.contains("It is not your current plan."));
    assert!(!v1.body.contains("Seeing the sea again"));
    let token = csrf(&t, &cookie).await;
    let restored = t
        .post_form(
            "/safety-plan/history/1/restore",
            &cookie,
            &format!("csrf={token}"),
        )
        .await;
    assert_eq!(location(&restored), "/safety-plan?restored=1");
    let now = t.get("/safety-plan", Some(&cookie)).await;
    assert!(!now.body.contains("Seeing the sea again"));
    let history = t.get("/safety-plan/history", Some(&cookie)).await;
    assert!(history.body.contains("Version 3</strong> (current)"));
    assert!(history.body.contains("Brought back version 1."));
    assert_eq!(
        t.get("/safety-plan/history/9", Some(&cookie)).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_therapist_from_settings_is_in_step_five() {
    let t = test_app().await;
    let cookie = t.sign_up("ana@example.org").await;
    let token = csrf(&t, &cookie).await;
    let settings = form(&[
        ("csrf", &token),
        ("country", "US"),
        ("timezone", "America/New_York"),
        ("usual_mood", "7"),
        ("therapist_name", "Dr Ada Okafor"),
        ("therapist_phone", "+1 (555) 010-2030"),
        ("therapist_email", ""),
    ]);
    let r = t.post_form("/settings", &cookie, &settings).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    save_safety_plan(&t, &cookie, "Miso").await;
    let page = t.get("/safety-plan", Some(&cookie)).await;
    assert!(page.body.contains("Dr Ada Okafor"));
    assert!(page.body.contains("href=\"tel:+15550102030\""));
    assert!(page.body.contains("href=\"sms:+15550102030\""));
    // The US lines replace the UK ones when the country changes.
    assert!(page.body.contains("href=\"tel:988\""));
    assert!(page.body.contains("href=\"sms:741741?&#38;body=HOME\""));
    assert!(page.body.contains("href=\"tel:911\""));
    assert!(!page.body.contains("tel:116123"));
}

#[tokio::test]
async fn a_plan_with_problems_keeps_what_was_typed_and_saves_nothing() {
    let t = test_app().await;
    let cookie = t.sign_up("ana@example.org").await;
    let token = csrf(&t, &cookie).await;
    let body = form(&[
        ("csrf", &token),
        ("warning_signs", "Lying awake at 3am"),
        ("helper_name", ""),
        ("helper_phone", "07700 900123"),
        ("professional_name", "Crisis team"),
        ("professional_phone", "ask reception"),
        ("made_with_therapist_on", "2999-01-01"),
    ]);
    let r = t.post_form("/safety-plan", &cookie, &body).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Please check 3 things"), "{}", r.body);
    assert!(r.body.contains("Lying awake at 3am"));
    assert!(r.body.contains("value=\"07700 900123\""));
    assert!(r.body.contains("value=\"ask reception\""));
    assert!(r.body.contains("href=\"#helpers\""));
    let history = t.get("/safety-plan/history", Some(&cookie)).await;
    assert!(history.body.contains("Nothing saved yet"));

    // A form from an old tab (wrong token) saves nothing either.
    let stale = t
        .post_form(
            "/safety-plan",
            &cookie,
            "csrf=wrong&warning_signs=from+an+old+tab",
        )
        .await;
    assert_eq!(stale.status, StatusCode::FORBIDDEN);
    assert!(stale.body.contains("from an old tab"));
    let history = t.get("/safety-plan/history", Some(&cookie)).await;
    assert!(history.body.contains("Nothing saved yet"));
}

#[tokio::test]
async fn plans_are_private_to_their_account() {
    let t = test_app_with(app::Settings {
        open_signup: true,
        ..Default::default()
    })
    .await;
    let ana = t.sign_up("ana@example.org").await;
    let bo = t.sign_up("bo@example.org").await;
    save_safety_plan(&t, &ana, "Miso").await;
    let page = t.get("/safety-plan", Some(&bo)).await;
    assert!(!page.body.contains("Miso"));
    assert!(page.body.contains("Make my safety plan"));
    assert_eq!(
        t.get("/safety-plan/history/1", Some(&bo)).await.status,
        StatusCode::NOT_FOUND
    );
    let token = csrf(&t, &bo).await;
    let restore = t
        .post_form(
            "/safety-plan/history/1/restore",
            &bo,
            &format!("csrf={token}"),
        )
        .await;
    assert_eq!(restore.status, StatusCode::NOT_FOUND);
    assert!(
        t.get("/safety-plan", Some(&ana))
            .await
            .body
            .contains("Miso")
    );
}

async fn answer_yes_to_the_safety_question(t: &TestApp, cookie: &str) -> Reply {
    let page = t.get("/checkin", Some(cookie)).await;
    let body = format!(
        "csrf={}&client_id={}&mood=1&self_harm_thoughts=yes",
        hidden(&page.body, "csrf"),
        hidden(&page.body, "client_id")
    );
    t.post_form("/checkin", cookie, &body).await
}

#[tokio::test]
async fn after_a_yes_the_plan_comes_first() {
    let t = test_app().await;
    let cookie = t.sign_up("ana@example.org").await;

    // Without a plan: crisis lines first, and a gentle offer to make one.
    answer_yes_to_the_safety_question(&t, &cookie).await;
    let help = t.get("/help?from=checkin", Some(&cookie)).await;
    assert!(help.body.contains("tel:999"));
    assert!(!help.body.contains("plan-first"));
    let home = t.get("/", Some(&cookie)).await;
    assert!(home.body.contains("Please get support now"));
    assert!(
        home.body
            .contains("a <a href=\"/safety-plan\">safety plan</a>")
    );

    save_safety_plan(&t, &cookie, "My cat, Miso").await;
    let yes = answer_yes_to_the_safety_question(&t, &cookie).await;
    assert_eq!(location(&yes), "/help?from=checkin");
    let help = t.get("/help?from=checkin", Some(&cookie)).await;
    let plan_at = help.body.find("My safety plan").expect("the plan is shown");
    let emergency_at = help.body.find("If you are in danger right now").unwrap();
    assert!(
        plan_at < emergency_at,
        "the plan comes before the crisis lines"
    );
    assert!(help.body.contains("Cold water on my wrists"));
    assert!(help.body.contains("href=\"tel:07700900123\""));
    assert!(help.body.contains("My cat, Miso"));
    assert!(help.body.contains("Open my full safety plan"));

    // On the home page the numbers open the urgent card and the plan follows: a whole plan
    // is taller than a phone screen, and the call buttons must be on the first one.
    let home = t.get("/", Some(&cookie)).await;
    let card_at = home.body.find("Please get support now").unwrap();
    let plan_at = home.body.find("Your safety plan").unwrap();
    let call_at = home.body.find(">Call 999<").unwrap();
    let welcome_at = home.body.find("Welcome back").unwrap();
    assert!(card_at < call_at && call_at < plan_at && plan_at < welcome_at);
    assert!(home.body.contains("Box breathing"));

    // "Get help now" without a check-in links to the plan rather than showing it.
    let plain = t.get("/help", Some(&cookie)).await;
    assert!(plain.body.contains("Open my safety plan"));
    assert!(!plain.body.contains("Cold water on my wrists"));
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
async fn the_backsliding_plan_is_offered_when_low_days_persist() {
    let t = test_app().await;
    let cookie = t.sign_up("ana@example.org").await;
    let home = t.get("/", Some(&cookie)).await;
    assert!(!home.body.contains("href=\"/backsliding-plan\" "));
    assert!(!home.body.contains("Make my backsliding plan"));
    for n in [3, 2, 1, 0] {
        low_day(&t, &cookie, n).await;
    }
    let guidance: Value = t.get("/api/v1/guidance", Some(&cookie)).await.json();
    assert_eq!(guidance["reasons"][0]["code"], "persisting");
    let home = t.get("/", Some(&cookie)).await;
    assert!(
        home.body.contains("Make my backsliding plan"),
        "{}",
        home.body
    );

    let token = csrf(&t, &cookie).await;
    let body = form(&[
        ("csrf", &token),
        ("warning_signs", "Cancelling on friends"),
        ("stressors", "new_job"),
        ("stressors", "move"),
        ("own_stressors", "Exams in May"),
        ("coping_skills", "Walk after lunch"),
        ("next_steps", "Text Ali tonight"),
        ("goal", "Sleep before midnight most nights"),
        ("net_name", "Ali"),
        ("net_phone", "+44 7700 900456"),
        ("past_wins", "Went back to work after the winter"),
        ("prevention", "Keep Sunday evenings free"),
    ]);
    let saved = t.post_form("/backsliding-plan", &cookie, &body).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(location(&saved), "/backsliding-plan?saved=1");
    let page = t.get("/backsliding-plan", Some(&cookie)).await;
    assert_security_headers(&page, true);
    for text in [
        "A new job or a big change at work",
        "Moving home",
        "Exams in May",
        "Walk after lunch",
        "Text Ali tonight",
        "Sleep before midnight most nights",
        "Went back to work after the winter",
        "Keep Sunday evenings free",
        "href=\"tel:+447700900456\"",
        "I have made changes before",
        "What I will put in place so this is less likely next time",
    ] {
        assert!(page.body.contains(text), "{text}");
    }
    let home = t.get("/", Some(&cookie)).await;
    assert!(home.body.contains("Open my backsliding plan"));
    let history = t.get("/backsliding-plan/history", Some(&cookie)).await;
    assert!(history.body.contains("Version 1</strong> (current)"));
    assert!(history.body.contains("The first version."));

    let bad = t
        .post_form(
            "/backsliding-plan",
            &cookie,
            &form(&[("csrf", &token), ("stressors", "aliens"), ("goal", "kept")]),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Please choose from the list."));
    assert!(bad.body.contains(">kept</textarea>"));
}

#[tokio::test]
async fn plans_start_from_what_helped_in_the_toolkit() {
    let t = test_app().await;
    let cookie = t.sign_up("ana@example.org").await;
    let empty = t.get("/backsliding-plan/edit", Some(&cookie)).await;
    assert!(empty.body.contains("id=\"coping_skills\""));
    assert!(!empty.body.contains("We started this with the exercises"));
    for (before, after) in [("8", "4"), ("7", "3"), ("6", "3")] {
        let page = t.get("/toolkit/box-breathing", Some(&cookie)).await;
        let body = format!(
            "csrf={}&client_id={}&started_at=&distress_before={before}&distress_after={after}&note=",
            hidden(&page.body, "csrf"),
            hidden(&page.body, "client_id")
        );
        let r = t.post_form("/toolkit/box-breathing", &cookie, &body).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    let edit = t.get("/backsliding-plan/edit", Some(&cookie)).await;
    assert!(edit.body.contains("We started this with the exercises"));
    assert!(
        edit.body.contains(">Box breathing</textarea>"),
        "{}",
        edit.body
    );
    let safety = t.get("/safety-plan/edit", Some(&cookie)).await;
    assert!(safety.body.contains(">Box breathing</textarea>"));
}

async fn sign_in_again(t: &TestApp, email: &str) -> String {
    let page = t.get("/signin", None).await;
    let token = page.cookie("form").unwrap();
    let body = format!(
        "csrf={}&email={}&password=a+long+enough+password",
        hidden(&page.body, "csrf"),
        enc(email)
    );
    let ok = t
        .post_form("/signin", &format!("form={token}"), &body)
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    format!("sid={}", ok.cookie("sid").unwrap())
}

#[tokio::test]
async fn keeping_the_plan_offline_is_a_choice_for_one_browser() {
    let t = test_app().await;
    let phone = t.sign_up("ana@example.org").await;
    save_safety_plan(&t, &phone, "Miso").await;
    let page = t.get("/safety-plan", Some(&phone)).await;
    assert_eq!(page.headers.get("between-plan-offline").unwrap(), "drop");
    assert!(page.body.contains("Keep it on this device"));
    assert!(page.body.contains("stored on this device"));

    let token = hidden(&page.body, "csrf");
    let on = t
        .post_form(
            "/safety-plan/offline",
            &phone,
            &format!("csrf={token}&keep=on"),
        )
        .await;
    assert_eq!(location(&on), "/safety-plan?offline=on#offline");
    let kept = t.get("/safety-plan", Some(&phone)).await;
    assert_eq!(kept.headers.get("between-plan-offline").unwrap(), "keep");
    assert!(kept.body.contains("data-plan-offline=\"keep\""));
    assert!(kept.body.contains("Remove it from this device"));

    // The same person on a laptop has not chosen it there.
    let laptop = sign_in_again(&t, "ana@example.org").await;
    let there = t.get("/safety-plan", Some(&laptop)).await;
    assert_eq!(there.headers.get("between-plan-offline").unwrap(), "drop");

    // A form from another site or an old tab changes nothing.
    let stale = t
        .post_form("/safety-plan/offline", &phone, "csrf=wrong&keep=off")
        .await;
    assert_eq!(stale.status, StatusCode::FORBIDDEN);
    let off = t
        .post_form(
            "/safety-plan/offline",
            &phone,
            &format!("csrf={token}&keep=off"),
        )
        .await;
    assert_eq!(location(&off), "/safety-plan?offline=off#offline");
    let dropped = t.get("/safety-plan", Some(&phone)).await;
    assert_eq!(dropped.headers.get("between-plan-offline").unwrap(), "drop");

    // Signing out asks the browser to delete what the site stored on the device.
    let token = csrf(&t, &laptop).await;
    let out = t
        .post_form("/signout", &laptop, &format!("csrf={token}"))
        .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(
        out.headers.get("clear-site-data").unwrap(),
        "\"cache\", \"storage\""
    );
    // The sign-in page (shown only to a browser without a session) clears offline copies.
    let signed_out = t.get("/signin?signed_out=1", None).await;
    assert!(signed_out.body.contains("<h1 data-signed-out>"));
}

#[tokio::test]
async fn the_app_is_installable_and_has_an_offline_page() {
    let t = test_app().await;
    let manifest = t.get("/manifest.webmanifest", None).await;
    assert_eq!(manifest.status, StatusCode::OK);
    assert_eq!(
        manifest.headers.get(header::CONTENT_TYPE).unwrap(),
        "application/manifest+json"
    );
    let m = manifest.json();
    assert_eq!(m["start_url"], "/");
    assert_eq!(m["display"], "standalone");
    let icons = m["icons"].as_array().unwrap();
    assert!(icons.iter().any(|i| i["sizes"] == "192x192"));
    assert!(icons.iter().any(|i| i["sizes"] == "512x512"));
    for icon in icons {
        let src = icon["src"].as_str().unwrap();
        let r = t.get(src, None).await;
        assert_eq!(r.status, StatusCode::OK, "{src}");
        assert_eq!(
            r.headers.get(header::CONTENT_TYPE).unwrap(),
            icon["type"].as_str().unwrap()
        );
    }

    let sw = t.get("/sw.js", None).await;
    assert_eq!(sw.status, StatusCode::OK);
    assert!(
        sw.headers
            .get(header::CONTENT_TYPE)
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    assert_eq!(sw.headers.get(header::CACHE_CONTROL).unwrap(), "no-store");
    assert!(
        sw.body
            .contains("const CORE_PAGES = [\"/offline\",\"/help\"]")
    );
    assert!(sw.body.contains("\"/toolkit/box-breathing\""));
    assert!(!sw.body.contains("/toolkit/self-care"));
    assert!(!sw.body.contains("/toolkit/lists"));
    assert!(!sw.body.contains("\"/checkin\"") && !sw.body.contains("\"/history\""));

    let js = t.get("/static/offline.js", None).await;
    assert_eq!(js.status, StatusCode::OK);

    // The offline page is the same for everyone: no account's details, every emergency number.
    let cookie = t.sign_up("ana@example.org").await;
    let offline = t.get("/offline", Some(&cookie)).await;
    assert_eq!(offline.status, StatusCode::OK);
    assert_security_headers(&offline, false);
    assert!(offline.body.contains("You are offline"));
    for tel in ["tel:911", "tel:999", "tel:112", "tel:000", "tel:111"] {
        assert!(offline.body.contains(tel), "{tel}");
    }
    assert!(!offline.body.contains("name=\"csrf\""));
    assert!(!offline.body.contains("ana@example.org"));

    // Every page offers the manifest and the offline script.
    let home = t.get("/", Some(&cookie)).await;
    assert!(
        home.body
            .contains("<link rel=\"manifest\" href=\"/manifest.webmanifest\">")
    );
    assert!(home.body.contains("/static/offline.js?v="));
    assert!(home.body.contains("href=\"/safety-plan\""));
}
