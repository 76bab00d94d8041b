//! The journal, agenda, homework, feedback and the brief over HTTP: the pages without
//! script, the JSON API, one account never reaching another's, and 10,000 entries with
//! long, emoji and right-to-left text.
// Helpers outside `#[test]` fns unwrap too; clippy.toml's test allowances reach only the tests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;
use support::*;

use std::collections::HashSet;
use std::time::Instant;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{Duration, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

fn location(r: &Reply) -> String {
    r.headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

async fn send_json(
    t: &TestApp,
    method: &str,
    path: &str,
    cookie: &str,
    body: Option<Value>,
) -> Reply {
    let mut b = Request::builder()
        .method(method)
        .uri(path)
        .header(header::COOKIE, cookie);
    if body.is_some() {
        b = b.header(header::CONTENT_TYPE, "application/json");
    }
    let body = body
        .map(|v| Body::from(v.to_string()))
        .unwrap_or_else(Body::empty);
    t.send(b.body(body).unwrap()).await
}

async fn open_app() -> TestApp {
    test_app_with(app::Settings {
        open_signup: true,
        ..Default::default()
    })
    .await
}

/// The ids of the entries listed on a journal page, in order.
fn entry_ids(html: &str) -> Vec<i64> {
    html.split("id=\"entry-")
        .skip(1)
        .filter_map(|rest| rest.split('"').next()?.parse().ok())
        .collect()
}

/// The "Older entries" address on a journal page.
fn older_link(html: &str) -> Option<String> {
    let end = html.find("\">Older entries</a>")?;
    let start = html[..end].rfind("href=\"")? + "href=\"".len();
    Some(html[start..end].replace("&amp;", "&"))
}

async fn journal_api_ids(t: &TestApp, cookie: &str) -> Vec<i64> {
    let list: Value = t.get("/api/v1/journal", Some(cookie)).await.json();
    list["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn a_flagged_entry_follows_through_agenda_and_brief() {
    let t = open_app().await;
    let c = t.sign_up("sam@example.org").await;
    let page = t.get("/journal", Some(&c)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_security_headers(&page, true);
    assert!(page.body.contains("<title>Journal · Between</title>"));
    let csrf = hidden(&page.body, "csrf");
    let client_id = hidden(&page.body, "client_id");

    // Nothing written yet: the form comes back with the flags as they were ticked.
    let bad = t
        .post_form(
            "/journal",
            &c,
            &format!("csrf={csrf}&client_id={client_id}&text=%20&bring_to_session=yes"),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Please write something first."));
    assert!(
        bad.body
            .contains("name=\"bring_to_session\" value=\"yes\" checked")
    );
    assert!(!bad.body.contains("name=\"parked\" value=\"yes\" checked"));

    let text = enc("Visit from my sister\nIt went badly and I froze.");
    let form = format!("csrf={csrf}&client_id={client_id}&text={text}&bring_to_session=yes");
    let ok = t.post_form("/journal", &c, &form).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(location(&ok), "/journal?done=written");
    // A double submit stores it once.
    assert_eq!(
        t.post_form("/journal", &c, &form).await.status,
        StatusCode::SEE_OTHER
    );
    let ids = journal_api_ids(&t, &c).await;
    assert_eq!(ids.len(), 1);
    let id = ids[0];

    let list = t.get("/journal?done=written", Some(&c)).await;
    assert!(list.body.contains("Saved in your journal."));
    assert!(list.body.contains("It went badly and I froze."));
    assert!(list.body.contains("dir=\"auto\""));
    assert!(
        list.body
            .contains("<span class=\"tag\">On the agenda</span>")
    );
    assert!(list.body.contains("Park it for the session"));

    let agenda = t.get("/agenda", Some(&c)).await;
    assert!(agenda.body.contains("Visit from my sister"));
    assert!(
        !agenda.body.contains("It went badly"),
        "only the first line is the topic"
    );
    assert!(agenda.body.contains("From your journal,"));
    assert!(agenda.body.contains(&format!("/journal/{id}/edit")));
    let brief = t.get("/brief", Some(&c)).await;
    assert_eq!(brief.status, StatusCode::OK);
    assert!(brief.body.contains("Visit from my sister"));

    // One tap takes it off the agenda, another parks it.
    let off = t
        .post_form(
            &format!("/journal/{id}/flag"),
            &c,
            &format!("csrf={csrf}&flag=bring_to_session&on=0&show=&before="),
        )
        .await;
    assert_eq!(off.status, StatusCode::SEE_OTHER);
    assert!(
        !t.get("/agenda", Some(&c))
            .await
            .body
            .contains("Visit from my sister")
    );
    let park = t
        .post_form(
            &format!("/journal/{id}/flag"),
            &c,
            &format!("csrf={csrf}&flag=parked&on=1&show=parked&before="),
        )
        .await;
    assert_eq!(
        location(&park),
        format!("/journal?show=parked&done=parked#entry-{id}")
    );
    let parked = t.get("/journal?show=parked&done=parked", Some(&c)).await;
    assert!(parked.body.contains("It will wait here for your session"));
    assert!(parked.body.contains("<span class=\"tag\">Parked</span>"));
    assert!(parked.body.contains("aria-current=\"page\">Parked</a>"));
    assert!(!parked.body.contains("Park it for the session<span"));
    let for_session = t.get("/journal?show=bring_to_session", Some(&c)).await;
    assert!(for_session.body.contains("No entries on the agenda yet."));

    // Editing: the text and both flags; the agenda takes the new first line.
    let edit = t.get(&format!("/journal/{id}/edit"), Some(&c)).await;
    assert_eq!(edit.status, StatusCode::OK);
    assert!(edit.body.contains("It went badly and I froze.</textarea>"));
    let empty = t
        .post_form(
            &format!("/journal/{id}/edit"),
            &c,
            &format!("csrf={csrf}&text=&parked=yes"),
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    let saved = t
        .post_form(
            &format!("/journal/{id}/edit"),
            &c,
            &format!(
                "csrf={csrf}&text={}&bring_to_session=yes",
                enc("Sister, again\nstill thinking")
            ),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let agenda = t.get("/agenda", Some(&c)).await;
    assert!(agenda.body.contains("Sister, again"));
    let entry: Value = t
        .get(&format!("/api/v1/journal/{id}"), Some(&c))
        .await
        .json();
    assert_eq!(entry["parked"], false);
    assert_eq!(entry["bring_to_session"], true);

    // Another account can neither see nor change it.
    let bo = t.sign_up("bo@example.org").await;
    let bo_csrf = hidden(&t.get("/journal", Some(&bo)).await.body, "csrf");
    assert_eq!(
        t.get(&format!("/journal/{id}/edit"), Some(&bo))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    for (path, form) in [
        (
            format!("/journal/{id}/flag"),
            format!("csrf={bo_csrf}&flag=parked&on=1"),
        ),
        (
            format!("/journal/{id}/edit"),
            format!("csrf={bo_csrf}&text=mine"),
        ),
        (format!("/journal/{id}/delete"), format!("csrf={bo_csrf}")),
    ] {
        assert_eq!(
            t.post_form(&path, &bo, &form).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    assert!(!t.get("/journal", Some(&bo)).await.body.contains("Sister"));
    // A form from an old tab is refused.
    let stale = t
        .post_form(
            &format!("/journal/{id}/delete"),
            &c,
            "csrf=0123456789abcdef0123456789abcdef",
        )
        .await;
    assert_eq!(stale.status, StatusCode::FORBIDDEN);

    // Deleting asks first, then takes the topic off the agenda too.
    let confirm = t.get(&format!("/journal/{id}/delete"), Some(&c)).await;
    assert!(confirm.body.contains("Delete this entry?"));
    let gone = t
        .post_form(
            &format!("/journal/{id}/delete"),
            &c,
            &format!("csrf={csrf}"),
        )
        .await;
    assert_eq!(location(&gone), "/journal?done=deleted");
    assert!(!t.get("/agenda", Some(&c)).await.body.contains("Sister"));
    assert!(journal_api_ids(&t, &c).await.is_empty());
}

#[tokio::test]
async fn search_runs_from_a_post_and_keeps_words_out_of_addresses() {
    let t = test_app().await;
    let c = t.sign_up("sam@example.org").await;
    for text in [
        "Slept badly again",
        "Walked by the sea",
        "Half done: 50% of it",
        "ÄRGER über alles",
    ] {
        let r = t
            .post_json(
                "/api/v1/journal",
                &c,
                &json!({"client_id": Uuid::new_v4(), "text": text}).to_string(),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let csrf = hidden(&t.get("/journal", Some(&c)).await.body, "csrf");
    let found = t
        .post_form(
            "/journal/search",
            &c,
            &format!("csrf={csrf}&q=SLEPT&show=all"),
        )
        .await;
    assert_eq!(found.status, StatusCode::OK);
    assert!(found.body.contains("Slept badly again"));
    assert!(!found.body.contains("Walked by the sea"));
    assert!(found.body.contains("Search results"));
    assert!(
        found.body.contains("value=\"SLEPT\""),
        "the box keeps the word"
    );
    assert!(!found.body.contains("q=SLEPT"), "never in an address");
    let percent = t
        .post_form("/journal/search", &c, &format!("csrf={csrf}&q=50%25"))
        .await;
    assert_eq!(entry_ids(&percent.body).len(), 1);
    let folded = t
        .post_form(
            "/journal/search",
            &c,
            &format!("csrf={csrf}&q={}", enc("ärger")),
        )
        .await;
    assert_eq!(entry_ids(&folded.body).len(), 1);
    let empty = t
        .post_form("/journal/search", &c, &format!("csrf={csrf}&q=+"))
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("Please type a word to look for."));
    let api: Value = t
        .post_json(
            "/api/v1/journal/search",
            &c,
            &json!({"q": "sea"}).to_string(),
        )
        .await
        .json();
    assert_eq!(api["entries"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn ten_thousand_entries_with_long_emoji_and_rtl_text_paginate() {
    let (t, store, _) = test_app_with_store().await;
    let c = t.sign_up("sam@example.org").await;
    let (account, _) = store
        .account_for_sign_in(&domain::account::Email::parse("sam@example.org").unwrap())
        .await
        .unwrap()
        .unwrap();
    let long = "A long stretch of thinking that goes on and on. ".repeat(400);
    let emoji = "🌧️ rain again 🌈 then 😶‍🌫️ fog, 👩🏽‍⚕️ tomorrow";
    let rtl = "שלום, היום היה קשה מאוד. مرحبا، كان اليوم صعبا";
    let base = Utc::now() - Duration::days(400);
    let seeded = Instant::now();
    for i in 0..10_000i64 {
        let text = match i % 500 {
            0 => format!("{long} #{i}"),
            1 => format!("{emoji} #{i}"),
            2 => format!("{rtl} #{i}"),
            3 => format!("<script>alert({i})</script> & \"quoted\""),
            _ => format!("Entry number {i}"),
        };
        // Pairs of entries share a moment, so pages must break ties by id.
        let at = base + Duration::minutes(i / 2 * 50);
        let entry = domain::journal::JournalInput {
            client_id: Some(Uuid::new_v4()),
            at: Some(at),
            text: Some(text),
            bring_to_session: Some(i % 1000 == 7),
            parked: Some(i % 3 == 0),
        }
        .validate(Utc::now())
        .unwrap();
        store
            .insert_journal_entry(account.id, &entry)
            .await
            .unwrap();
    }
    eprintln!("seeded 10,000 entries in {:?}", seeded.elapsed());

    let started = Instant::now();
    let first = t.get("/journal", Some(&c)).await;
    eprintln!("first page in {:?}", started.elapsed());
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(entry_ids(&first.body).len(), 20);
    assert!(first.body.contains("Entry number 9999"));

    // Walk every page: each entry exactly once, newest first.
    let walked = Instant::now();
    let mut seen = HashSet::new();
    let mut pages = 0;
    let mut next = Some("/journal".to_string());
    let mut slowest = std::time::Duration::ZERO;
    while let Some(path) = next {
        let started = Instant::now();
        let page = t.get(&path, Some(&c)).await;
        slowest = slowest.max(started.elapsed());
        assert_eq!(page.status, StatusCode::OK, "{path}");
        for id in entry_ids(&page.body) {
            assert!(seen.insert(id), "entry {id} listed twice");
        }
        pages += 1;
        next = older_link(&page.body);
    }
    eprintln!(
        "walked {pages} pages in {:?}, slowest {slowest:?}",
        walked.elapsed()
    );
    assert_eq!(pages, 500);
    assert_eq!(seen.len(), 10_000);

    // Long text is shortened in the list and whole on its own page; markup stays text.
    let page = t.get("/journal?before=", Some(&c)).await;
    assert_eq!(page.status, StatusCode::OK);
    let search = |q: &str| {
        let csrf = hidden(&first.body, "csrf");
        format!("csrf={csrf}&q={}", enc(q))
    };
    let long_hits = t.post_form("/journal/search", &c, &search("#9500")).await;
    assert!(long_hits.body.contains("Read all or edit"));
    assert!(long_hits.body.len() < 60_000, "the list shows a preview");
    let long_id = entry_ids(&long_hits.body)[0];
    let whole = t.get(&format!("/journal/{long_id}/edit"), Some(&c)).await;
    assert!(whole.body.contains(&format!("{long} #9500</textarea>")));
    let rtl_hits = t.post_form("/journal/search", &c, &search("שלום")).await;
    assert_eq!(entry_ids(&rtl_hits.body).len(), 20);
    assert!(rtl_hits.body.contains(&format!(
        "<p class=\"journal-text\" dir=\"auto\">{rtl} #9502</p>"
    )));
    assert!(
        !rtl_hits.body.contains("Older results"),
        "exactly one page of them"
    );
    // Many results page on through a form that carries the word, not an address.
    let many = t
        .post_form("/journal/search", &c, &search("number 9"))
        .await;
    assert!(many.body.contains("Older results"));
    let cursor = hidden(
        &many.body[many.body.find("Older results").unwrap() - 400..],
        "before",
    );
    let more = t
        .post_form(
            "/journal/search",
            &c,
            &format!("{}&before={cursor}", search("number 9")),
        )
        .await;
    let (a, b): (HashSet<i64>, HashSet<i64>) = (
        entry_ids(&many.body).into_iter().collect(),
        entry_ids(&more.body).into_iter().collect(),
    );
    assert_eq!((a.len(), b.len()), (20, 20));
    assert!(a.is_disjoint(&b));
    let emoji_hits = t.post_form("/journal/search", &c, &search("😶‍🌫️")).await;
    assert!(emoji_hits.body.contains(&format!("{emoji} #9501")));
    let markup = t
        .post_form("/journal/search", &c, &search("<script>"))
        .await;
    assert!(
        markup
            .body
            .contains("&#60;script&#62;alert(9503)&#60;/script&#62; &#38; &#34;quoted&#34;")
    );
    assert!(!markup.body.contains("<script>alert("));
    let one = t
        .post_form("/journal/search", &c, &search("number 1234"))
        .await;
    assert_eq!(entry_ids(&one.body).len(), 1);

    // The filters, the agenda and the brief stay whole.
    for path in [
        "/journal?show=parked",
        "/journal?show=bring_to_session",
        "/agenda",
        "/brief",
        "/",
    ] {
        let r = t.get(path, Some(&c)).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
    }
    let agenda = t.get("/agenda", Some(&c)).await;
    assert_eq!(agenda.body.matches("From your journal,").count(), 10);
    let api: Value = t
        .get("/api/v1/journal?show=bring_to_session", Some(&c))
        .await
        .json();
    assert_eq!(api["entries"].as_array().unwrap().len(), 10);
    assert!(api["next"].is_null());
}

#[tokio::test]
async fn the_journal_api_is_idempotent_paged_and_scoped() {
    let t = open_app().await;
    let c = t.sign_up("sam@example.org").await;
    let no_id = t
        .post_json("/api/v1/journal", &c, &json!({"text": "hello"}).to_string())
        .await;
    assert_eq!(no_id.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(no_id.json()["error"]["field"], "client_id");
    let unknown = t
        .post_json(
            "/api/v1/journal",
            &c,
            &json!({"client_id": Uuid::new_v4(), "text": "x", "mood": 3}).to_string(),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    let empty = t
        .post_json(
            "/api/v1/journal",
            &c,
            &json!({"client_id": Uuid::new_v4(), "text": " "}).to_string(),
        )
        .await;
    assert_eq!(empty.json()["error"]["field"], "text");

    let body = json!({"client_id": Uuid::new_v4(), "text": "first", "parked": true}).to_string();
    let first = t.post_json("/api/v1/journal", &c, &body).await;
    assert_eq!(first.status, StatusCode::CREATED);
    let again = t.post_json("/api/v1/journal", &c, &body).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(first.json(), again.json());
    let id = first.json()["id"].as_i64().unwrap();
    assert_eq!(first.json()["parked"], true);

    // 24 more: the list is 20 newest, then the rest.
    for i in 0..24 {
        let r = t
            .post_json(
                "/api/v1/journal",
                &c,
                &json!({"client_id": Uuid::new_v4(), "text": format!("entry {i}"), "at": days_ago(0)}).to_string(),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
    }
    let page: Value = t.get("/api/v1/journal", Some(&c)).await.json();
    assert_eq!(page["entries"].as_array().unwrap().len(), 20);
    let next = page["next"].as_str().unwrap().to_string();
    let rest: Value = t
        .get(&format!("/api/v1/journal?before={next}"), Some(&c))
        .await
        .json();
    assert_eq!(rest["entries"].as_array().unwrap().len(), 5);
    assert!(rest["next"].is_null());
    assert_eq!(
        t.get("/api/v1/journal?show=nonsense", Some(&c))
            .await
            .json()["error"]["field"],
        "show"
    );
    assert_eq!(
        t.get("/api/v1/journal?before=yesterday", Some(&c))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );

    // PATCH puts it on the agenda; the agenda API shows where it came from.
    let patched = send_json(
        &t,
        "PATCH",
        &format!("/api/v1/journal/{id}"),
        &c,
        Some(json!({"bring_to_session": true, "text": "first, rewritten"})),
    )
    .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    assert_eq!(patched.json()["bring_to_session"], true);
    let agenda: Value = t.get("/api/v1/agenda", Some(&c)).await.json();
    assert_eq!(agenda["items"][0]["source"], "journal");
    assert_eq!(agenda["items"][0]["journal_entry_id"], id);
    assert_eq!(agenda["items"][0]["text"], "first, rewritten");
    let bad = send_json(
        &t,
        "PATCH",
        &format!("/api/v1/journal/{id}"),
        &c,
        Some(json!({"text": ""})),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Another account: 404 everywhere, in JSON.
    let bo = t.sign_up("bo@example.org").await;
    for (method, body) in [
        ("GET", None),
        ("PATCH", Some(json!({"parked": false}))),
        ("DELETE", None),
    ] {
        let r = send_json(&t, method, &format!("/api/v1/journal/{id}"), &bo, body).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{method}");
        assert_eq!(r.json()["error"]["code"], "not_found");
    }
    assert_eq!(
        send_json(&t, "GET", "/api/v1/journal/abc", &c, None)
            .await
            .json()["error"]["code"],
        "not_found"
    );
    assert!(journal_api_ids(&t, &bo).await.is_empty());

    let deleted = send_json(&t, "DELETE", &format!("/api/v1/journal/{id}"), &c, None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(
        send_json(&t, "GET", &format!("/api/v1/journal/{id}"), &c, None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let agenda: Value = t
        .get("/api/v1/agenda?include=discussed", Some(&c))
        .await
        .json();
    assert!(agenda["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn the_agenda_api_adds_once_moves_and_marks_discussed() {
    let t = open_app().await;
    let c = t.sign_up("sam@example.org").await;
    let add = |text: &str| json!({"client_id": Uuid::new_v4(), "text": text}).to_string();
    let a = t.post_json("/api/v1/agenda", &c, &add("alpha")).await;
    assert_eq!(a.status, StatusCode::CREATED);
    let body = add("bravo");
    let b = t.post_json("/api/v1/agenda", &c, &body).await;
    let b_again = t.post_json("/api/v1/agenda", &c, &body).await;
    assert_eq!(b_again.status, StatusCode::OK);
    assert_eq!(b.json()["id"], b_again.json()["id"]);
    let charlie = t
        .post_json("/api/v1/agenda", &c, &add("charlie"))
        .await
        .json();
    assert_eq!(
        t.post_json("/api/v1/agenda", &c, &json!({"text": "x"}).to_string())
            .await
            .json()["error"]["field"],
        "client_id"
    );
    assert_eq!(
        t.post_json("/api/v1/agenda", &c, &add(&"x".repeat(301)))
            .await
            .json()["error"]["field"],
        "text"
    );
    let order = || async {
        let v: Value = t.get("/api/v1/agenda", Some(&c)).await.json();
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["text"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(order().await, ["alpha", "bravo", "charlie"]);
    let cid = charlie["id"].as_i64().unwrap();
    let moved = send_json(
        &t,
        "PATCH",
        &format!("/api/v1/agenda/{cid}"),
        &c,
        Some(json!({"move": "up"})),
    )
    .await;
    assert_eq!(moved.status, StatusCode::OK);
    assert_eq!(order().await, ["alpha", "charlie", "bravo"]);
    // The page's buttons do the same without script.
    let csrf = hidden(&t.get("/agenda", Some(&c)).await.body, "csrf");
    let down = t
        .post_form(
            &format!("/agenda/{cid}/move"),
            &c,
            &format!("csrf={csrf}&direction=down"),
        )
        .await;
    assert_eq!(location(&down), format!("/agenda#topic-{cid}"));
    assert_eq!(order().await, ["alpha", "bravo", "charlie"]);
    let page = t.get("/agenda", Some(&c)).await.body;
    assert_eq!(page.matches("Move up<span").count(), 2);
    assert_eq!(page.matches("Move down<span").count(), 2);

    let sideways = send_json(
        &t,
        "PATCH",
        &format!("/api/v1/agenda/{cid}"),
        &c,
        Some(json!({"move": "sideways"})),
    )
    .await;
    assert_eq!(sideways.status, StatusCode::UNPROCESSABLE_ENTITY);
    let done = send_json(
        &t,
        "PATCH",
        &format!("/api/v1/agenda/{cid}"),
        &c,
        Some(json!({"discussed": true})),
    )
    .await;
    assert!(done.json()["discussed_at"].is_string());
    assert_eq!(order().await, ["alpha", "bravo"]);
    let all: Value = t
        .get("/api/v1/agenda?include=discussed", Some(&c))
        .await
        .json();
    assert_eq!(all["items"].as_array().unwrap().len(), 3);

    let bo = t.sign_up("bo@example.org").await;
    let aid = a.json()["id"].as_i64().unwrap();
    assert_eq!(
        send_json(&t, "DELETE", &format!("/api/v1/agenda/{aid}"), &bo, None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        send_json(
            &t,
            "PATCH",
            &format!("/api/v1/agenda/{aid}"),
            &bo,
            Some(json!({"move": "down"}))
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        send_json(&t, "DELETE", &format!("/api/v1/agenda/{aid}"), &c, None)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(order().await, ["bravo"]);

    // A check-in's note goes on the agenda from the history page, once.
    let checkin = t
        .post_json(
            "/api/v1/checkins",
            &c,
            &json!({"client_id": Uuid::new_v4(), "mood": 5, "note": "The argument at work\nand more"}).to_string(),
        )
        .await
        .json();
    let history = t.get("/history", Some(&c)).await;
    assert!(history.body.contains("Bring this note to my next session"));
    let checkin_id = checkin["id"].as_i64().unwrap();
    for _ in 0..2 {
        let r = t
            .post_form(
                &format!("/agenda/from-checkin/{checkin_id}"),
                &c,
                &format!("csrf={csrf}"),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
    }
    assert_eq!(order().await, ["bravo", "The argument at work"]);
    assert!(
        t.get("/agenda", Some(&c))
            .await
            .body
            .contains("From a check-in note,")
    );
}

#[tokio::test]
async fn homework_is_logged_shown_at_home_and_finished() {
    let t = open_app().await;
    let c = t.sign_up("sam@example.org").await;
    let page = t.get("/homework", Some(&c)).await;
    assert_eq!(page.status, StatusCode::OK);
    let csrf = hidden(&page.body, "csrf");
    let client_id = hidden(&page.body, "client_id");
    let bad = t
        .post_form(
            "/homework",
            &c,
            &format!("csrf={csrf}&client_id={client_id}&text=&frequency=daily&due_on=soon"),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Please write the task first."));
    assert!(bad.body.contains("<option value=\"daily\" selected>"));
    let added = t
        .post_form(
            "/homework",
            &c,
            &format!(
                "csrf={csrf}&client_id={client_id}&text={}&frequency=daily&due_on=",
                enc("Box breathing, 4 rounds")
            ),
        )
        .await;
    assert_eq!(location(&added), "/homework?done=added");

    let home = t.get("/", Some(&c)).await;
    assert!(home.body.contains("id=\"homework-h\""));
    assert!(home.body.contains("Box breathing, 4 rounds"));
    // Added a moment ago: nothing to count yet, and nothing to scold.
    assert!(
        home.body
            .contains("Just added. Log it here each time you do it.")
    );
    assert!(!home.body.contains("Not done"));
    let id = hidden_after(&home.body, "/homework/", "/done");
    let done_id = hidden(
        &home.body[home.body.find("homework-h").unwrap()..],
        "client_id",
    );
    let done = t
        .post_form(
            &format!("/homework/{id}/done"),
            &c,
            &format!(
                "csrf={csrf}&client_id={done_id}&back=home&note={}",
                enc("calmer after")
            ),
        )
        .await;
    assert_eq!(location(&done), "/?homework=1");
    let home = t.get("/?homework=1", Some(&c)).await;
    assert!(home.body.contains("Well done."));
    assert!(home.body.contains("Done today"));
    assert!(home.body.contains("Done on the day you added it."));
    let list = t.get("/homework", Some(&c)).await;
    assert!(list.body.contains("calmer after"));
    assert!(list.body.contains("Done 1 time"));

    // Once-only homework is finished by doing it, and leaves the home page.
    let api = t
        .post_json(
            "/api/v1/homework",
            &c,
            &json!({"client_id": Uuid::new_v4(), "text": "Write the letter", "frequency": "once", "due_on": (chrono::Utc::now() + chrono::Duration::days(60)).date_naive().to_string()}).to_string(),
        )
        .await;
    assert_eq!(api.status, StatusCode::CREATED, "{}", api.body);
    let letter = api.json()["id"].as_i64().unwrap();
    assert!(t.get("/", Some(&c)).await.body.contains("Write the letter"));
    let log = json!({"client_id": Uuid::new_v4(), "note": "did it"}).to_string();
    let l1 = t
        .post_json(&format!("/api/v1/homework/{letter}/log"), &c, &log)
        .await;
    assert_eq!(l1.status, StatusCode::CREATED);
    let l2 = t
        .post_json(&format!("/api/v1/homework/{letter}/log"), &c, &log)
        .await;
    assert_eq!(l2.status, StatusCode::OK);
    assert_eq!(l1.json()["id"], l2.json()["id"]);
    assert!(!t.get("/", Some(&c)).await.body.contains("Write the letter"));
    let all: Value = t
        .get("/api/v1/homework?include=finished", Some(&c))
        .await
        .json();
    let letter_json = all["homework"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["id"] == letter)
        .unwrap()
        .clone();
    assert!(letter_json["finished_at"].is_string());
    assert_eq!(letter_json["log"].as_array().unwrap().len(), 1);
    assert!(
        t.get("/homework", Some(&c))
            .await
            .body
            .contains("Finished (1)")
    );

    // The API checks what it is sent and keeps accounts apart.
    let wrong = t
        .post_json(
            "/api/v1/homework",
            &c,
            &json!({"client_id": Uuid::new_v4(), "text": "x", "frequency": "hourly"}).to_string(),
        )
        .await;
    assert_eq!(wrong.json()["error"]["field"], "frequency");
    let bo = t.sign_up("bo@example.org").await;
    assert_eq!(
        t.post_json(
            &format!("/api/v1/homework/{id}/log"),
            &bo,
            &json!({"client_id": Uuid::new_v4()}).to_string()
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    let bo_list: Value = t
        .get("/api/v1/homework?include=finished", Some(&bo))
        .await
        .json();
    assert!(bo_list["homework"].as_array().unwrap().is_empty());
    let due = (chrono::Utc::now() + chrono::Duration::days(90))
        .date_naive()
        .to_string();
    let finished = send_json(
        &t,
        "PATCH",
        &format!("/api/v1/homework/{id}"),
        &c,
        Some(json!({"finished": true, "due_on": due.clone()})),
    )
    .await;
    assert_eq!(finished.status, StatusCode::OK);
    assert_eq!(finished.json()["due_on"], due);
    let active: Value = t.get("/api/v1/homework", Some(&c)).await.json();
    assert!(active["homework"].as_array().unwrap().is_empty());
    assert_eq!(
        send_json(&t, "DELETE", &format!("/api/v1/homework/{id}"), &c, None)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    let reopen = t
        .post_form(
            &format!("/homework/{letter}/finish"),
            &c,
            &format!("csrf={csrf}&on=0"),
        )
        .await;
    assert_eq!(location(&reopen), "/homework?done=reopened");
    let removed = t
        .post_form(
            &format!("/homework/{letter}/remove"),
            &c,
            &format!("csrf={csrf}"),
        )
        .await;
    assert_eq!(location(&removed), "/homework?done=removed");
    let none: Value = t
        .get("/api/v1/homework?include=finished", Some(&c))
        .await
        .json();
    assert!(none["homework"].as_array().unwrap().is_empty());
}

/// The text between `prefix` and `suffix` at their first meeting.
fn hidden_after(html: &str, prefix: &str, suffix: &str) -> String {
    let start = html.find(prefix).unwrap() + prefix.len();
    let end = html[start..].find(suffix).unwrap() + start;
    html[start..end].to_string()
}

#[tokio::test]
async fn after_a_session_topics_are_marked_discussed_and_feedback_gathers() {
    let t = open_app().await;
    let c = t.sign_up("sam@example.org").await;
    t.post_json(
        "/api/v1/sessions",
        &c,
        &json!({"client_id": uuid::Uuid::new_v4(), "at": days_ago(1)}).to_string(),
    )
    .await;
    let sessions: Value = t.get("/api/v1/sessions", Some(&c)).await.json();
    let session = sessions["sessions"][0]["id"].as_i64().unwrap();
    let add = |text: &str| json!({"client_id": Uuid::new_v4(), "text": text}).to_string();
    let sleep = t
        .post_json("/api/v1/agenda", &c, &add("sleep"))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    t.post_json("/api/v1/agenda", &c, &add("my sister")).await;

    let form = t
        .get(&format!("/sessions/{session}/reflect"), Some(&c))
        .await;
    assert!(form.body.contains("we talked about this"));
    assert!(
        form.body
            .contains(&format!("name=\"discussed\" value=\"{sleep}\""))
    );
    let csrf = hidden(&form.body, "csrf");
    let client_id = hidden(&form.body, "client_id");
    let sent = t
        .post_form(
            &format!("/sessions/{session}/reflect"),
            &c,
            &format!(
                "csrf={csrf}&client_id={client_id}&session_feeling=6&discussed={sleep}&feedback={}",
                enc("The pace felt rushed at the end")
            ),
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    let agenda: Value = t
        .get("/api/v1/agenda?include=discussed", Some(&c))
        .await
        .json();
    let items = agenda["items"].as_array().unwrap();
    let by_text = |t: &str| items.iter().find(|i| i["text"] == t).unwrap().clone();
    assert!(by_text("sleep")["discussed_at"].is_string());
    assert!(by_text("my sister")["discussed_at"].is_null());

    let page = t.get("/feedback", Some(&c)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("The pace felt rushed at the end"));
    assert!(
        page.body
            .contains(&format!("<option value=\"{session}\" selected>"))
    );
    let fcsrf = hidden(&page.body, "csrf");
    let fid = hidden(&page.body, "client_id");
    let missing = t
        .post_form(
            "/feedback",
            &c,
            &format!("csrf={fcsrf}&client_id={fid}&session_id={session}&text=x"),
        )
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(missing.body.contains("Please choose whether it helped"));
    let saved = t
        .post_form(
            "/feedback",
            &c,
            &format!(
                "csrf={fcsrf}&client_id={fid}&session_id={session}&kind=helped&text={}",
                enc("The imagery exercise helped")
            ),
        )
        .await;
    assert_eq!(location(&saved), "/feedback?done=added");
    let page = t.get("/feedback", Some(&c)).await;
    assert!(page.body.contains("This helped: more of this"));
    assert!(page.body.contains("About the session on"));
    let brief = t.get("/brief", Some(&c)).await;
    assert!(brief.body.contains("The imagery exercise helped"));
    assert!(brief.body.contains("The pace felt rushed at the end"));
    assert!(brief.body.contains("my sister"));
    assert!(
        !brief.body.contains("<li dir=\"auto\">sleep</li>"),
        "discussed topics leave the agenda"
    );

    let bo = t.sign_up("bo@example.org").await;
    assert!(!t.get("/feedback", Some(&bo)).await.body.contains("imagery"));
}

#[tokio::test]
async fn the_brief_shows_the_period_with_chart_table_and_notable_days() {
    let t = test_app().await;
    let c = t.sign_up("sam@example.org").await;
    let empty = t.get("/brief", Some(&c)).await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(empty.body.contains("No past session is recorded"));
    assert!(empty.body.contains("No check-ins in this period."));

    t.post_json(
        "/api/v1/sessions",
        &c,
        &json!({"client_id": uuid::Uuid::new_v4(), "at": days_ago(6)}).to_string(),
    )
    .await;
    let checkin = |days: i64, mood: i64, missed: bool| {
        json!({
            "client_id": Uuid::new_v4(), "mood": mood, "anxiety": 6, "energy": 3,
            "missed_usual_activities": missed, "self_harm_thoughts": false,
            "at": days_ago(days),
        })
        .to_string()
    };
    for (days, mood, missed) in [
        (5, 2, false),
        (4, 2, true),
        (3, 3, false),
        (2, 7, false),
        (1, 6, false),
    ] {
        let r = t
            .post_json("/api/v1/checkins", &c, &checkin(days, mood, missed))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    // A PHQ-9 before the session and one after; three box-breathing uses that helped.
    for (answers, days) in [
        ([2, 2, 2, 2, 2, 1, 1, 1, 0], 10),
        ([1, 1, 1, 1, 1, 1, 0, 0, 0], 1),
    ] {
        let r = t
            .post_json(
                "/api/v1/questionnaires",
                &c,
                &json!({"client_id": Uuid::new_v4(), "instrument": "phq9", "answers": answers, "at": days_ago(days)}).to_string(),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    for days in [3, 2, 1] {
        let r = t
            .post_json(
                "/api/v1/coping-uses",
                &c,
                &json!({"client_id": Uuid::new_v4(), "tool": "box-breathing", "distress_before": 7, "distress_after": 4, "started_at": days_ago(days)}).to_string(),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let brief = t.get("/brief", Some(&c)).await;
    assert_eq!(brief.status, StatusCode::OK);
    assert_security_headers(&brief, true);
    let b = &brief.body;
    assert!(b.contains("<title>Since my last session · Between</title>"));
    // One past session: the default period starts with it.
    assert!(b.contains("Since your last session, on "), "{b}");
    assert!(b.contains("<strong>Mood summary:</strong> 5 days with a check-in. Average mood 4.0."));
    assert!(!b.contains("rated day"), "plain words: {b}");
    assert!(!b.contains("since=last"), "no choice with one past session");
    assert!(b.contains("3 days were lower than usual."));
    assert!(b.contains("<svg class=\"chart\""));
    assert!(b.contains("<title id=\"chart-title\">Mood from"));
    assert!(b.contains("class=\"usual\""), "the usual mood is drawn");
    assert!(b.contains("<caption id=\"days-caption\">"));
    // Five days in the day table; the chart's own table also lists the session's day.
    assert_eq!(b.matches("<td data-label=\"Mood\">").count(), 5);
    assert_eq!(b.matches("<th scope=\"row\">").count(), 5 + 6);
    assert!(b.contains("3 days lower than usual, the lowest at 2."));
    assert!(b.contains("Days I couldn't do my usual day"));
    assert!(
        b.contains("lower than usual; couldn&#39;t do the usual day"),
        "{b}"
    );
    assert!(
        b.contains("Time to reach out"),
        "the guidance change with its reasons: {b}"
    );
    assert!(b.contains("Print or save as PDF"));
    assert!(
        b.contains("Box breathing: distress down by 3 on average, over the 3 times I rated it."),
        "{b}"
    );
    assert!(b.contains("Toolkit used 3 times in this period."));
    assert!(b.contains("<h3>PHQ-9</h3>"));
    assert!(b.contains("(Mild)"));
    assert!(b.contains("Compared with 13 on"));
    assert!(
        b.contains(": -7, clearly better, and out of the higher range."),
        "{b}"
    );
    assert!(b.contains("/static/brief.js"));

    // With a session before that one, the default reaches back to it, so the low days
    // before the last session show; "only since my last session" is a choice.
    t.post_json(
        "/api/v1/sessions",
        &c,
        &json!({"client_id": uuid::Uuid::new_v4(), "at": days_ago(20)}).to_string(),
    )
    .await;
    let r = t
        .post_json("/api/v1/checkins", &c, &checkin(15, 1, false))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let wide = t.get("/brief", Some(&c)).await.body;
    assert!(
        wide.contains("Since the session before last, on "),
        "{wide}"
    );
    assert!(wide.contains("6 days with a check-in."), "{wide}");
    assert_eq!(
        wide.matches("<line class=\"session\"").count(),
        2,
        "both sessions marked"
    );
    assert!(wide.contains("href=\"/brief?since=last\""));
    let narrow = t.get("/brief?since=last", Some(&c)).await.body;
    assert!(narrow.contains("Since your last session, on "), "{narrow}");
    assert!(narrow.contains("5 days with a check-in."), "{narrow}");
    assert!(narrow.contains("href=\"/brief\">Since the session before last"));

    // A chosen period: dates only in the address; a bad one is explained.
    let today = Utc::now().date_naive();
    let from = today - Duration::days(3);
    let chosen = t
        .get(&format!("/brief?from={from}&to={today}"), Some(&c))
        .await;
    assert_eq!(chosen.status, StatusCode::OK);
    assert!(chosen.body.contains("The days you chose (4 days)."));
    let backwards = t
        .get(&format!("/brief?from={today}&to={from}"), Some(&c))
        .await;
    assert_eq!(backwards.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        backwards
            .body
            .contains("Please choose a last day on or after the first day.")
    );
    let garbled = t.get("/brief?from=soon&to=", Some(&c)).await;
    assert_eq!(garbled.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(garbled.body.contains("Please give both days"));
    let long = t
        .get("/brief?from=2020-01-01&to=2026-01-01", Some(&c))
        .await;
    assert!(long.body.contains("Please choose at most 366 days."));
}
