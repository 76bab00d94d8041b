//! The coping toolkit over HTTP: every tool's player, saving uses from the form and the API,
//! learning what works, the personal lists, and coping uses feeding the guidance engine.

mod support;
use support::*;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};

/// The tools the guided player plays.
const TOOLS: [&str; 13] = [
    "box-breathing",
    "breathing-4-7-8",
    "progressive-muscle-relaxation",
    "grounding-5-4-3-2-1",
    "sensory-reset",
    "movement-break",
    "guided-imagery",
    "body-scan",
    "park-it",
    "two-good-things",
    "self-care",
    "distraction",
    "self-compassion",
];

/// The tools with pages of their own (tested in their own files).
const OWN_PAGE_TOOLS: [&str; 2] = ["thought-record", "bedtime-routine"];

async fn open_app() -> TestApp {
    test_app_with(app::Settings {
        open_signup: true,
        ..Default::default()
    })
    .await
}

async fn csrf_of(t: &TestApp, cookie: &str, path: &str) -> (String, String) {
    let page = t.get(path, Some(cookie)).await;
    assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
    (hidden(&page.body, "csrf"), hidden(&page.body, "client_id"))
}

/// Uses a tool through its page, as the form posts it.
async fn use_tool(t: &TestApp, cookie: &str, tool: &str, before: &str, after: &str) -> Reply {
    let (csrf, client_id) = csrf_of(t, cookie, &format!("/toolkit/{tool}")).await;
    t.post_form(
        &format!("/toolkit/{tool}"),
        cookie,
        &format!(
            "csrf={csrf}&client_id={client_id}&started_at=&distress_before={before}&distress_after={after}&note="
        ),
    )
    .await
}

async fn use_via_api(t: &TestApp, cookie: &str, body: Value) -> Reply {
    t.post_json("/api/v1/coping-uses", cookie, &body.to_string())
        .await
}

#[tokio::test]
async fn every_tool_has_a_player_that_reads_without_script() {
    let t = test_app().await;
    let cookie = t.sign_up("sam@example.org").await;
    let home = t.get("/", Some(&cookie)).await;
    assert!(home.body.contains("<a href=\"/toolkit\""), "nav link");

    let toolkit = t.get("/toolkit", Some(&cookie)).await;
    assert_eq!(toolkit.status, StatusCode::OK);
    assert_security_headers(&toolkit, true);
    assert!(
        toolkit
            .body
            .contains("<a href=\"/toolkit\" aria-current=\"page\"")
    );
    assert!(
        toolkit
            .body
            .contains("Try a few and we'll learn what helps you")
    );
    for tool in TOOLS {
        assert!(
            toolkit.body.contains(&format!("href=\"/toolkit/{tool}\"")),
            "{tool} not listed"
        );
        let page = t.get(&format!("/toolkit/{tool}"), Some(&cookie)).await;
        assert_eq!(page.status, StatusCode::OK, "{tool}");
        assert_security_headers(&page, true);
        // The steps are an ordered list with their durations, in the page itself.
        assert!(page.body.contains("<ol class=\"steps\""), "{tool}");
        assert!(page.body.contains("<span class=\"secs\">("), "{tool}");
        assert!(page.body.contains("name=\"distress_before\""), "{tool}");
        assert!(page.body.contains("name=\"distress_after\""), "{tool}");
        assert!(page.body.contains("/static/player.js?v="), "{tool}");
        assert!(
            !page.body.contains("style="),
            "{tool} has a style attribute"
        );
        assert!(
            !page.body.contains("<script>"),
            "{tool} has an inline script"
        );
    }
    let boxed = t.get("/toolkit/box-breathing", Some(&cookie)).await;
    assert!(boxed.body.contains("data-cue=\"in\" data-seconds=\"4\""));
    assert!(boxed.body.contains("<strong>Breathe in.</strong>"));
    assert!(boxed.body.contains("(4 seconds)"));
    assert!(boxed.body.contains("aria-live=\"polite\""));
    let four_seven_eight = t.get("/toolkit/breathing-4-7-8", Some(&cookie)).await;
    assert!(
        four_seven_eight
            .body
            .contains("data-cue=\"hold\" data-seconds=\"7\"")
    );
    assert!(
        four_seven_eight
            .body
            .contains("data-cue=\"out\" data-seconds=\"8\"")
    );

    assert_eq!(
        t.get("/toolkit/deep-sighing", Some(&cookie)).await.status,
        StatusCode::NOT_FOUND
    );
    // Signed out, the toolkit sends people to sign in.
    assert_eq!(
        t.get("/toolkit/box-breathing", None).await.status,
        StatusCode::SEE_OTHER
    );

    let js = t.get("/static/player.js", None).await;
    assert_eq!(js.status, StatusCode::OK);
    assert!(
        js.headers
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    assert!(js.body.contains("prefers-reduced-motion"));
}

#[tokio::test]
async fn rated_uses_teach_the_toolkit_what_works() {
    let t = test_app().await;
    let cookie = t.sign_up("sam@example.org").await;

    // Two rated uses are not enough to rank a tool.
    for (before, after) in [("7", "4"), ("6", "5")] {
        let r = use_tool(&t, &cookie, "box-breathing", before, after).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(
            r.headers.get("location").unwrap(),
            "/toolkit?saved=1",
            "no health data in the URL"
        );
    }
    let saved = t.get("/toolkit?saved=1", Some(&cookie)).await;
    assert!(
        saved
            .body
            .contains("Saved. Box breathing: distress 6 before, 5 after."),
        "{}",
        saved.body
    );
    assert!(saved.body.contains("Try a few and we'll learn"));
    assert!(saved.body.contains("Box breathing: 2 of 3 rated uses"));

    // Skipped ratings still count as a use, not as a rated one.
    let skipped = use_tool(&t, &cookie, "box-breathing", "", "").await;
    assert_eq!(skipped.status, StatusCode::SEE_OTHER);
    let still = t.get("/toolkit", Some(&cookie)).await;
    assert!(still.body.contains("Box breathing: 2 of 3 rated uses"));

    // The third rated use ranks it; a second tool with less relief comes after it.
    use_tool(&t, &cookie, "box-breathing", "8", "4").await;
    for _ in 0..3 {
        use_tool(&t, &cookie, "grounding-5-4-3-2-1", "6", "5").await;
    }
    let ranked = t.get("/toolkit", Some(&cookie)).await;
    assert!(!ranked.body.contains("Try a few"));
    let boxed = ranked
        .body
        .find("<a href=\"/toolkit/box-breathing\">Box breathing</a>");
    let grounding = ranked
        .body
        .find("<a href=\"/toolkit/grounding-5-4-3-2-1\">5-4-3-2-1 grounding</a>");
    assert!(boxed.is_some() && grounding.is_some(), "{}", ranked.body);
    assert!(boxed < grounding, "best first");
    // (3 + 1 + 4) / 3 = 2.7 over three rated of four uses.
    assert!(
        ranked
            .body
            .contains("eased distress by 2.7 on average · 3 rated of 4 uses"),
        "{}",
        ranked.body
    );
    assert!(ranked.body.contains("eased distress by 1.0 on average"));
    let player = t.get("/toolkit/box-breathing", Some(&cookie)).await;
    assert!(
        player
            .body
            .contains("Your record: eased distress by 2.7 on average (3 rated of 4 uses)")
    );

    // Grounding overtakes once it helps more.
    for _ in 0..6 {
        use_tool(&t, &cookie, "grounding-5-4-3-2-1", "9", "3").await;
    }
    let overtaken = t.get("/toolkit", Some(&cookie)).await;
    let boxed = overtaken
        .body
        .find("<a href=\"/toolkit/box-breathing\">Box breathing</a>");
    let grounding = overtaken
        .body
        .find("<a href=\"/toolkit/grounding-5-4-3-2-1\">5-4-3-2-1 grounding</a>");
    assert!(grounding < boxed, "{}", overtaken.body);
}

#[tokio::test]
async fn a_bad_rating_keeps_what_was_typed() {
    let t = test_app().await;
    let cookie = t.sign_up("sam@example.org").await;
    let (csrf, client_id) = csrf_of(&t, &cookie, "/toolkit/body-scan").await;
    let r = t
        .post_form(
            "/toolkit/body-scan",
            &cookie,
            &format!(
                "csrf={csrf}&client_id={client_id}&distress_before=12&distress_after=3&note=felt+my+feet"
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Distress is a whole number from 0 to 10."));
    assert!(r.body.contains(">felt my feet</textarea>"));
    assert!(r.body.contains("value=\"3\" checked"));
    assert!(r.body.contains(&format!("value=\"{client_id}\"")));
    // A stale form token is refused and nothing is stored.
    let stale = t
        .post_form(
            "/toolkit/body-scan",
            &cookie,
            &format!("csrf=nope&client_id={client_id}&distress_before=5"),
        )
        .await;
    assert_eq!(stale.status, StatusCode::FORBIDDEN);
    let uses: Value = t.get("/api/v1/coping-uses", Some(&cookie)).await.json();
    assert_eq!(uses["coping_uses"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn park_it_puts_the_thought_on_the_agenda() {
    let t = test_app().await;
    let cookie = t.sign_up("sam@example.org").await;
    let (csrf, client_id) = csrf_of(&t, &cookie, "/toolkit/park-it").await;
    let form = format!(
        "csrf={csrf}&client_id={client_id}&distress_before=6&distress_after=4&note=what+my+sister+said"
    );
    let r = t.post_form("/toolkit/park-it", &cookie, &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers.get("location").unwrap(), "/toolkit?parked=1");
    let agenda = t.get("/agenda", Some(&cookie)).await;
    let shown = agenda.body.matches("what my sister said").count();
    assert!(shown > 0, "{}", agenda.body);
    assert!(agenda.body.contains("Parked "));
    // Sending the same form again (a double tap) parks nothing twice.
    t.post_form("/toolkit/park-it", &cookie, &form).await;
    let agenda = t.get("/agenda", Some(&cookie)).await;
    assert_eq!(agenda.body.matches("what my sister said").count(), shown);
    let parked = t.get("/toolkit?parked=1", Some(&cookie)).await;
    assert!(
        parked
            .body
            .contains("It is on your agenda for your next session")
    );

    // Two good things are kept together as the use's note.
    let (csrf, client_id) = csrf_of(&t, &cookie, "/toolkit/two-good-things").await;
    let r = t
        .post_form(
            "/toolkit/two-good-things",
            &cookie,
            &format!("csrf={csrf}&client_id={client_id}&good_1=a+warm+drink&good_2=a+text+from+Jo"),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let uses: Value = t.get("/api/v1/coping-uses", Some(&cookie)).await.json();
    let last = uses["coping_uses"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["tool"], "two-good-things");
    assert_eq!(last["note"], "a warm drink\na text from Jo");
    assert_eq!(
        t.get("/agenda", Some(&cookie))
            .await
            .body
            .matches("what my sister said")
            .count(),
        shown
    );
}

#[tokio::test]
async fn coping_uses_api_contract_holds() {
    let t = open_app().await;
    let cookie = t.sign_up("sam@example.org").await;
    let id = uuid::Uuid::new_v4();
    let started = days_ago(1);
    let body = json!({"client_id": id, "tool": "breathing-4-7-8", "started_at": started,
        "distress_before": 8, "distress_after": 5, "note": "slower"});
    let created = use_via_api(&t, &cookie, body.clone()).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let c = created.json();
    assert_eq!(c["client_id"], id.to_string());
    assert_eq!(c["tool"], "breathing-4-7-8");
    assert_eq!(c["distress_before"], 8);
    assert_eq!(c["distress_after"], 5);
    assert_eq!(c["note"], "slower");
    assert!(c["id"].is_i64() && c["created_at"].is_string());
    assert!(c.get("account_id").is_none());

    // Same client id and body: 200 with the stored use. A different body under it is a
    // conflict that stores nothing, so a changed answer is never silently dropped.
    let again = use_via_api(&t, &cookie, body.clone()).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.json(), c);
    let mut changed = body.clone();
    changed["distress_after"] = json!(1);
    let conflict = use_via_api(&t, &cookie, changed).await;
    assert_eq!(conflict.status, StatusCode::CONFLICT, "{}", conflict.body);
    assert_eq!(conflict.json()["error"]["code"], "client_id_conflict");
    assert_eq!(use_via_api(&t, &cookie, body.clone()).await.json(), c);

    // Only the tool (and the client id) are needed.
    let minimal = use_via_api(
        &t,
        &cookie,
        json!({"client_id": uuid::Uuid::new_v4(), "tool": "movement-break"}),
    )
    .await;
    assert_eq!(minimal.status, StatusCode::CREATED);
    assert_eq!(minimal.json()["distress_before"], Value::Null);

    let cases = [
        (json!({"tool": "body-scan"}), "client_id"),
        (
            json!({"client_id": uuid::Uuid::new_v4(), "tool": "4-7-8-breathing"}),
            "tool",
        ),
        (json!({"client_id": uuid::Uuid::new_v4()}), "tool"),
        (
            json!({"client_id": uuid::Uuid::new_v4(), "tool": "body-scan", "distress_after": 11}),
            "distress_after",
        ),
        (
            json!({"client_id": uuid::Uuid::new_v4(), "tool": "body-scan", "started_at": "2999-01-01T00:00:00Z"}),
            "started_at",
        ),
        (
            json!({"client_id": uuid::Uuid::new_v4(), "tool": "body-scan", "mood": 3}),
            "",
        ),
    ];
    for (body, field) in cases {
        let r = use_via_api(&t, &cookie, body.clone()).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            r.body
        );
        if !field.is_empty() {
            assert_eq!(r.json()["error"]["field"], field, "{body}");
        }
    }
    let malformed = t.post_json("/api/v1/coping-uses", &cookie, "{").await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);

    let list: Value = t.get("/api/v1/coping-uses", Some(&cookie)).await.json();
    let uses = list["coping_uses"].as_array().unwrap();
    assert_eq!(uses.len(), 2);
    assert_eq!(uses[0]["client_id"], id.to_string(), "oldest first");
    let recent: Value = t
        .get(
            &format!(
                "/api/v1/coping-uses?from={}",
                urlencode(&chrono::Utc::now().to_rfc3339())
            ),
            Some(&cookie),
        )
        .await
        .json();
    assert_eq!(recent["coping_uses"].as_array().unwrap().len(), 0);
    let bad = t
        .get("/api/v1/coping-uses?from=yesterday", Some(&cookie))
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    let tools: Value = t.get("/api/v1/coping-tools", Some(&cookie)).await.json();
    let all = tools["tools"].as_array().unwrap();
    assert_eq!(all.len(), TOOLS.len() + OWN_PAGE_TOOLS.len());
    let breathing = all.iter().find(|t| t["id"] == "breathing-4-7-8").unwrap();
    assert_eq!(breathing["steps"][1]["cue"], "hold");
    assert_eq!(breathing["steps"][1]["seconds"], 7);
    assert_eq!(breathing["stats"]["rated_uses"], 1);
    assert_eq!(tools["ranked"], json!([]));

    // Another account sees none of it; without a session there is no API.
    let kim = t.sign_up("kim@example.org").await;
    let theirs: Value = t.get("/api/v1/coping-uses", Some(&kim)).await.json();
    assert_eq!(theirs["coping_uses"], json!([]));
    let reused = use_via_api(&t, &kim, body).await;
    assert_eq!(
        reused.status,
        StatusCode::CREATED,
        "client ids are per account"
    );
    assert_eq!(
        t.get("/api/v1/coping-uses", None).await.status,
        StatusCode::UNAUTHORIZED
    );
}

fn urlencode(s: &str) -> String {
    s.replace('+', "%2B").replace(':', "%3A")
}

#[tokio::test]
async fn three_unhelpful_uses_while_low_mean_coping_is_not_working() {
    let t = test_app().await;
    let cookie = t.sign_up("sam@example.org").await;
    // A usual day is 7; today is a 3.
    let low = json!({"client_id": uuid::Uuid::new_v4(), "mood": 3, "self_harm_thoughts": false});
    assert_eq!(
        t.post_json("/api/v1/checkins", &cookie, &low.to_string())
            .await
            .status,
        StatusCode::CREATED
    );
    let before: Value = t.get("/api/v1/guidance", Some(&cookie)).await.json();
    assert_eq!(before["level"], "steady", "{before}");

    // Two exercises without relief are not yet a pattern; a helpful one does not count.
    for (tool, b, a) in [
        ("box-breathing", 7, 7),
        ("grounding-5-4-3-2-1", 7, 8),
        ("movement-break", 8, 4),
    ] {
        let r = use_via_api(
            &t,
            &cookie,
            json!({"client_id": uuid::Uuid::new_v4(), "tool": tool, "started_at": chrono::Utc::now().to_rfc3339(),
                   "distress_before": b, "distress_after": a}),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED);
    }
    let two: Value = t.get("/api/v1/guidance", Some(&cookie)).await.json();
    assert_eq!(two["level"], "steady", "{two}");

    // The third, through the form as the player sends it.
    let r = use_tool(&t, &cookie, "sensory-reset", "8", "8").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let g: Value = t.get("/api/v1/guidance", Some(&cookie)).await.json();
    assert_eq!(g["level"], "reach_out", "{g}");
    let reason = g["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "coping_not_working")
        .unwrap_or_else(|| panic!("no coping_not_working in {g}"));
    assert_eq!(reason["uses"], 3);
    let home = t.get("/", Some(&cookie)).await;
    assert!(
        home.body
            .contains("It would be good to contact your therapist")
    );
    // Low, nothing learned yet: quick steadying tools are offered.
    assert!(
        home.body.contains("To steady yourself now"),
        "{}",
        home.body
    );
}

#[tokio::test]
async fn home_suggests_tools_by_guidance_level() {
    let t = test_app().await;
    let cookie = t.sign_up("sam@example.org").await;
    let home = t.get("/", Some(&cookie)).await;
    assert!(home.body.contains("Your toolkit"));
    assert!(home.body.contains("href=\"/toolkit/box-breathing\""));
    let guidance = home.body.find("id=\"guidance-h\"").unwrap();
    let toolkit = home.body.find("id=\"toolkit-h\"").unwrap();
    assert!(guidance < toolkit, "the guidance card stays first");

    // After a session with a dip: a closing ritual.
    let session = json!({"client_id": uuid::Uuid::new_v4(), "at": days_ago(1)}).to_string();
    assert_eq!(
        t.post_json("/api/v1/sessions", &cookie, &session)
            .await
            .status,
        StatusCode::CREATED
    );
    let low = json!({"client_id": uuid::Uuid::new_v4(), "mood": 3, "self_harm_thoughts": false});
    t.post_json("/api/v1/checkins", &cookie, &low.to_string())
        .await;
    let dip = t.get("/", Some(&cookie)).await;
    assert!(dip.body.contains("Common after a session"), "{}", dip.body);
    assert!(dip.body.contains("A closing ritual for your session"));
    for tool in ["self-compassion", "body-scan", "park-it"] {
        assert!(
            dip.body.contains(&format!("href=\"/toolkit/{tool}\"")),
            "{tool}"
        );
    }
    assert!(!dip.body.contains("You slept little last night"));

    // After a short night, the bedtime routine takes the last place, and says why.
    let short = json!({"client_id": uuid::Uuid::new_v4(), "mood": 3, "sleep_hours": 4.5, "self_harm_thoughts": false});
    t.post_json("/api/v1/checkins", &cookie, &short.to_string())
        .await;
    let tired = t.get("/", Some(&cookie)).await;
    let card = &tired.body[tired.body.find("id=\"toolkit-h\"").unwrap()..];
    let card = &card[..card.find("</section>").unwrap()];
    assert!(card.contains("You slept little last night"));
    let offered: Vec<&str> = card
        .split("class=\"button\" href=\"/toolkit/")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap()])
        .collect();
    assert_eq!(offered, ["self-compassion", "body-scan", "bedtime-routine"]);
}

#[tokio::test]
async fn personal_lists_can_be_added_edited_reordered_and_removed() {
    let t = open_app().await;
    let cookie = t.sign_up("sam@example.org").await;
    let page = t.get("/toolkit/lists", Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Nothing here yet"));
    let csrf = hidden(&page.body, "csrf");
    for text in ["a+warm+bath", "a+funny+video", "my+book"] {
        let r = t
            .post_form(
                "/toolkit/lists/self_care",
                &cookie,
                &format!("csrf={csrf}&text={text}"),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    t.post_form(
        "/toolkit/lists/distraction",
        &cookie,
        &format!("csrf={csrf}&text=the+dishes"),
    )
    .await;
    let empty = t
        .post_form(
            "/toolkit/lists/distraction",
            &cookie,
            &format!("csrf={csrf}&text=++"),
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("Please write something first."));
    assert_eq!(
        t.post_form(
            "/toolkit/lists/hobbies",
            &cookie,
            &format!("csrf={csrf}&text=x")
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );

    let order = |body: &str| -> Vec<String> {
        [
            "a warm bath",
            "a long warm bath",
            "a funny video",
            "my book",
        ]
        .iter()
        .filter_map(|t| {
            body.find(&format!("value=\"{t}\""))
                .map(|i| (i, t.to_string()))
        })
        .collect::<std::collections::BTreeMap<_, _>>()
        .into_values()
        .collect()
    };
    let item_id = |body: &str, text: &str| -> String {
        let at = body.find(&format!("value=\"{text}\"")).unwrap();
        let before = &body[..at];
        let start = before.rfind("id=\"item-text-").unwrap() + "id=\"item-text-".len();
        before[start..].split('"').next().unwrap().to_string()
    };
    let page = t.get("/toolkit/lists", Some(&cookie)).await;
    assert_eq!(
        order(&page.body),
        ["a warm bath", "a funny video", "my book"]
    );
    assert!(page.body.contains("value=\"the dishes\""));

    let book = item_id(&page.body, "my book");
    let moved = t
        .post_form(
            &format!("/toolkit/lists/items/{book}"),
            &cookie,
            &format!("csrf={csrf}&text=my+book&action=up"),
        )
        .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER);
    let page = t.get("/toolkit/lists?done=moved", Some(&cookie)).await;
    assert!(page.body.contains("Moved."));
    assert_eq!(
        order(&page.body),
        ["a warm bath", "my book", "a funny video"]
    );

    let bath = item_id(&page.body, "a warm bath");
    t.post_form(
        &format!("/toolkit/lists/items/{bath}"),
        &cookie,
        &format!("csrf={csrf}&text=a+long+warm+bath&action=save"),
    )
    .await;
    t.post_form(
        &format!("/toolkit/lists/items/{bath}"),
        &cookie,
        &format!("csrf={csrf}&text=ignored&action=down"),
    )
    .await;
    let page = t.get("/toolkit/lists", Some(&cookie)).await;
    assert_eq!(
        order(&page.body),
        ["my book", "a long warm bath", "a funny video"]
    );
    let blank = t
        .post_form(
            &format!("/toolkit/lists/items/{bath}"),
            &cookie,
            &format!("csrf={csrf}&text=&action=save"),
        )
        .await;
    assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(blank.body.contains(&format!("id=\"item-error-{bath}\"")));

    // Someone else can neither change nor remove it.
    let kim = t.sign_up("kim@example.org").await;
    let kim_csrf = hidden(&t.get("/toolkit/lists", Some(&kim)).await.body, "csrf");
    let theirs = t
        .post_form(
            &format!("/toolkit/lists/items/{bath}"),
            &kim,
            &format!("csrf={kim_csrf}&action=remove"),
        )
        .await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);

    let removed = t
        .post_form(
            &format!("/toolkit/lists/items/{bath}"),
            &cookie,
            &format!("csrf={csrf}&action=remove"),
        )
        .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    let page = t.get("/toolkit/lists", Some(&cookie)).await;
    assert_eq!(order(&page.body), ["my book", "a funny video"]);

    // The self-care tool shows the list to pick from.
    let tool = t.get("/toolkit/self-care", Some(&cookie)).await;
    assert!(tool.body.contains("<li dir=\"auto\">my book</li>"));
    let other = t.get("/toolkit/distraction", Some(&kim)).await;
    assert!(other.body.contains("Some ideas to start with"));
}

#[tokio::test]
async fn copies_kept_for_offline_use_carry_no_personal_numbers() {
    let t = test_app().await;
    let cookie = t.sign_up("sam@example.org").await;
    for _ in 0..3 {
        let body = json!({"client_id": uuid::Uuid::new_v4(), "tool": "box-breathing",
            "distress_before": 7, "distress_after": 4})
        .to_string();
        assert_eq!(
            t.post_json("/api/v1/coping-uses", &cookie, &body)
                .await
                .status,
            StatusCode::CREATED
        );
    }
    let online = t.get("/toolkit/box-breathing", Some(&cookie)).await;
    assert!(
        online.body.contains("Your record"),
        "the person sees their own numbers"
    );
    for path in ["/toolkit", "/toolkit/box-breathing"] {
        let copy = t
            .send(
                Request::get(path)
                    .header(header::COOKIE, &cookie)
                    .header("between-offline-copy", "1")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(copy.status, StatusCode::OK, "{path}");
        assert!(!copy.body.contains("Your record"), "{path}");
        assert!(!copy.body.contains("3.0"), "{path} shows no relief figure");
    }
}

#[tokio::test]
async fn a_self_compassion_break_can_keep_its_kind_words() {
    let t = test_app().await;
    let cookie = t.sign_up("sam@example.org").await;
    let page = t.get("/toolkit/self-compassion", Some(&cookie)).await;
    // The three movements, the rounds to choose from, and the kind sentence afterwards.
    assert!(page.body.contains("this is a hard moment"));
    assert!(page.body.contains("you are not the only one"));
    assert!(page.body.contains("what you would say to a good friend"));
    assert!(page.body.contains("<select id=\"rounds\" data-rounds>"));
    assert!(page.body.contains("One kind sentence to yourself"));
    assert!(page.body.contains("name=\"keep\" value=\"yes\""));

    // Too long to keep on the list: nothing is saved and everything typed comes back.
    let long = "kind ".repeat(30);
    let (csrf, client_id) = csrf_of(&t, &cookie, "/toolkit/self-compassion").await;
    let r = t
        .post_form(
            "/toolkit/self-compassion",
            &cookie,
            &format!(
                "csrf={csrf}&client_id={client_id}&distress_before=7&distress_after=5&note={}&keep=yes",
                long.replace(' ', "+")
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("To keep it on your self-care list"));
    assert!(r.body.contains(&format!(">{long}</textarea>")));
    assert!(r.body.contains("name=\"keep\" value=\"yes\" checked"));
    let uses: Value = t.get("/api/v1/coping-uses", Some(&cookie)).await.json();
    assert_eq!(uses["coping_uses"].as_array().unwrap().len(), 0);

    // Kept: the use is saved with the words as its note, and they join the self-care list
    // once, however often the same form is sent.
    let form = format!(
        "csrf={csrf}&client_id={client_id}&distress_before=7&distress_after=5&note=You+are+doing+your+best&keep=yes"
    );
    for _ in 0..2 {
        let r = t
            .post_form("/toolkit/self-compassion", &cookie, &form)
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(
            r.headers.get("location").unwrap(),
            "/toolkit?saved=1&kept=1"
        );
    }
    let lists = t.get("/toolkit/lists", Some(&cookie)).await;
    assert_eq!(lists.body.matches("You are doing your best").count(), 1);
    let uses: Value = t.get("/api/v1/coping-uses", Some(&cookie)).await.json();
    let uses = uses["coping_uses"].as_array().unwrap();
    assert_eq!(uses.len(), 1);
    assert_eq!(uses[0]["tool"], "self-compassion");
    assert_eq!(uses[0]["note"], "You are doing your best");
    let notice = t.get("/toolkit?saved=1&kept=1", Some(&cookie)).await;
    assert!(
        notice
            .body
            .contains("Your kind words are on your self-care list.")
    );

    // Not ticked: the words stay with the use only.
    let (csrf, client_id) = csrf_of(&t, &cookie, "/toolkit/self-compassion").await;
    let r = t
        .post_form(
            "/toolkit/self-compassion",
            &cookie,
            &format!("csrf={csrf}&client_id={client_id}&note=Just+for+today"),
        )
        .await;
    assert_eq!(r.headers.get("location").unwrap(), "/toolkit?saved=1");
    let lists = t.get("/toolkit/lists", Some(&cookie)).await;
    assert!(!lists.body.contains("Just for today"));

    // The catalogue says it repeats, once by default.
    let tools: Value = t.get("/api/v1/coping-tools", Some(&cookie)).await.json();
    let sc = tools["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "self-compassion")
        .unwrap();
    assert_eq!(sc["guide"]["kind"], "repeated");
    assert_eq!(sc["rounds"], 1);
}

#[tokio::test]
async fn tools_with_pages_of_their_own_are_not_posted_as_loose_uses() {
    let t = test_app().await;
    let cookie = t.sign_up("sam@example.org").await;
    for (tool, endpoint) in [
        ("thought-record", "/api/v1/thought-records"),
        ("bedtime-routine", "/api/v1/bedtime-routine/nights"),
    ] {
        let r = use_via_api(
            &t,
            &cookie,
            json!({"client_id": uuid::Uuid::new_v4(), "tool": tool, "distress_before": 6, "distress_after": 3}),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{tool}");
        let body: Value = r.json();
        assert_eq!(body["error"]["field"], "tool", "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains(endpoint),
            "{body}"
        );
    }
    let uses: Value = t.get("/api/v1/coping-uses", Some(&cookie)).await.json();
    assert_eq!(uses["coping_uses"].as_array().unwrap().len(), 0);
}
