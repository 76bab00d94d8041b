//! PHQ-9 and GAD-7 over HTTP: the pages, the API contract, the crisis path for item 9, and
//! how scores reach guidance.

mod support;

use axum::http::{StatusCode, header};
use serde_json::{Value, json};
use support::*;

const PHQ9_STEM: &str =
    "Over the last 2 weeks, how often have you been bothered by any of the following problems?";
const DIFFICULTY: &str = "If you checked off any problems, how difficult have these problems made it for you to do your work, take care of things at home, or get along with other people?";

async fn post_questionnaire(
    t: &TestApp,
    cookie: &str,
    instrument: &str,
    answers: &[u8],
    days_back: i64,
) -> Reply {
    let body = json!({"client_id": uuid::Uuid::new_v4(), "instrument": instrument,
        "answers": answers, "at": days_ago(days_back)})
    .to_string();
    t.post_json("/api/v1/questionnaires", cookie, &body).await
}

/// An app where anyone may sign up, for tests with several accounts.
async fn open_app() -> TestApp {
    test_app_with(app::Settings {
        open_signup: true,
        ..app::Settings::default()
    })
    .await
}

/// The form fields for a set of answers, with the page's tokens.
fn answers_form(page: &str, answers: &[u8], extra: &str) -> String {
    let csrf = hidden(page, "csrf");
    let client_id = hidden(page, "client_id");
    let items: Vec<String> = answers
        .iter()
        .enumerate()
        .map(|(i, v)| format!("item{}={v}", i + 1))
        .collect();
    format!(
        "csrf={csrf}&client_id={client_id}&{}{extra}",
        items.join("&")
    )
}

#[tokio::test]
async fn the_forms_carry_the_standard_wording_and_the_unscored_difficulty_question() {
    let t = test_app().await;
    let cookie = t.sign_up("sam@example.org").await;
    let phq = t.get("/questionnaires/phq9", Some(&cookie)).await;
    assert_eq!(phq.status, StatusCode::OK);
    assert_security_headers(&phq, true);
    assert!(phq.body.contains(PHQ9_STEM));
    for item in domain::questionnaire::Instrument::Phq9.items() {
        assert!(phq.body.contains(item), "missing item {item}");
    }
    for label in [
        "Not at all",
        "Several days",
        "More than half the days",
        "Nearly every day",
    ] {
        assert!(phq.body.contains(label));
    }
    assert!(phq.body.contains(DIFFICULTY));
    for label in [
        "Not difficult at all",
        "Somewhat difficult",
        "Very difficult",
        "Extremely difficult",
    ] {
        assert!(phq.body.contains(label));
    }
    assert!(phq.body.contains("not a diagnosis"));
    assert!(phq.body.contains("/static/questionnaire.js"));
    assert!(!phq.body.contains("style="));
    assert_eq!(
        phq.body.matches("type=\"radio\" name=\"item").count(),
        9 * 4
    );

    let gad = t.get("/questionnaires/gad7", Some(&cookie)).await;
    assert!(gad.body.contains(
        "Over the last 2 weeks, how often have you been bothered by the following problems?"
    ));
    assert!(gad.body.contains("Feeling nervous, anxious, or on edge"));
    assert!(gad.body.contains("<span>Not at all</span>"));
    assert!(
        !gad.body.contains(DIFFICULTY),
        "the GAD-7 page asks only its 7"
    );
    assert_eq!(
        gad.body.matches("type=\"radio\" name=\"item").count(),
        7 * 4
    );

    assert_eq!(
        t.get("/questionnaires/phq8", Some(&cookie)).await.status,
        StatusCode::NOT_FOUND
    );
    let signed_out = t.get("/questionnaires/phq9", None).await;
    assert_eq!(signed_out.status, StatusCode::SEE_OTHER);
    let asset = t.get("/static/questionnaire.js", None).await;
    assert_eq!(asset.status, StatusCode::OK);
    assert!(asset.body.contains("data-questionnaire"));
}

#[tokio::test]
async fn a_form_with_missing_answers_comes_back_with_what_was_chosen() {
    let t = test_app().await;
    let cookie = t.sign_up("sam@example.org").await;
    let page = t.get("/questionnaires/phq9", Some(&cookie)).await;
    let csrf = hidden(&page.body, "csrf");
    let client_id = hidden(&page.body, "client_id");
    let res = t
        .post_form(
            "/questionnaires/phq9",
            &cookie,
            &format!(
                "csrf={csrf}&client_id={client_id}&item1=2&item2=1&item4=7&difficulty=very_difficult"
            ),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("Please answer question 3."));
    assert!(
        res.body
            .contains("The answer to question 4 must be 0, 1, 2 or 3; 7 is not one of them.")
    );
    assert!(
        res.body.contains("href=\"#item-3\""),
        "errors link to their question"
    );
    assert!(
        res.body
            .contains("name=\"item1\" value=\"2\" required checked")
    );
    assert!(
        res.body
            .contains("name=\"item2\" value=\"1\" required checked")
    );
    assert!(res.body.contains("value=\"very_difficult\" checked"));
    assert_eq!(
        hidden(&res.body, "client_id"),
        client_id,
        "a retry stays one questionnaire"
    );
    assert!(res.body.contains("Please check 7 things"));

    // A stale form keeps the answers and saves nothing.
    let stale = t
        .post_form(
            "/questionnaires/phq9",
            &cookie,
            &answers_form(&page.body, &[1; 9], "").replace(&csrf, "wrong"),
        )
        .await;
    assert_eq!(stale.status, StatusCode::FORBIDDEN);
    assert!(stale.body.contains("Nothing was saved yet"));
    assert!(
        stale
            .body
            .contains("name=\"item9\" value=\"1\" required checked")
    );
    let list: Value = t.get("/api/v1/questionnaires", Some(&cookie)).await.json();
    assert_eq!(list["questionnaires"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn a_form_without_item_nine_goes_to_the_result_with_its_band_in_words() {
    let t = open_app().await;
    let cookie = t.sign_up("sam@example.org").await;
    let page = t.get("/questionnaires/phq9", Some(&cookie)).await;
    let res = t
        .post_form(
            "/questionnaires/phq9",
            &cookie,
            &answers_form(
                &page.body,
                &[2, 2, 2, 1, 1, 2, 1, 1, 0],
                "&difficulty=somewhat_difficult",
            ),
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let location = res.headers.get(header::LOCATION).unwrap().to_str().unwrap();
    assert!(
        location.starts_with("/questionnaires/results/"),
        "{location}"
    );
    let result = t.get(location, Some(&cookie)).await;
    assert_eq!(result.status, StatusCode::OK);
    assert_security_headers(&result, true);
    assert!(result.body.contains("<strong class=\"total\">12</strong>"));
    assert!(
        result
            .body
            .contains("On the PHQ-9, 10 to 14 is the moderate range.")
    );
    assert!(
        result.body.contains(
            "That is 10 or more: the higher range, where services usually offer therapy."
        )
    );
    // The source of the line is a small note, not the message.
    assert!(
        result
            .body
            .contains("Where this comes from: the ranges are")
    );
    assert!(
        result
            .body
            .contains("A screening result to discuss with your therapist, not a diagnosis.")
    );
    assert!(result.body.contains("This is your first PHQ-9."));
    assert!(result.body.contains("<title id=\"phq9-chart-title\">"));
    assert!(result.body.contains("class=\"caseness\""));
    assert!(result.body.contains("Somewhat difficult"));
    assert!(!result.body.contains("Please talk to someone now"));

    // Another account cannot open it.
    let other = t.sign_up("kim@example.org").await;
    assert_eq!(
        t.get(location, Some(&other)).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn phq9_item_nine_above_zero_goes_to_the_crisis_path_first_and_makes_guidance_urgent() {
    let t = test_app().await;
    let cookie = t.sign_up("sam@example.org").await;
    let page = t.get("/questionnaires/phq9", Some(&cookie)).await;
    let res = t
        .post_form(
            "/questionnaires/phq9",
            &cookie,
            &answers_form(&page.body, &[0, 1, 0, 0, 0, 0, 0, 0, 1], ""),
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(
        res.headers.get(header::LOCATION).unwrap(),
        "/help?from=questionnaire"
    );
    let help = t.get("/help?from=questionnaire", Some(&cookie)).await;
    let message = help
        .body
        .find("You said you have had thoughts that you would be better off dead")
        .expect("the kind, urgent message");
    assert!(message < help.body.find("If you are in danger right now").unwrap());
    assert!(help.body.contains("href=\"tel:116123\""));
    assert!(help.body.contains("see your questionnaire result"));

    let guidance: Value = t.get("/api/v1/guidance", Some(&cookie)).await.json();
    assert_eq!(guidance["level"], "urgent");
    assert_eq!(guidance["reasons"][0]["code"], "phq9_item9");
    assert_eq!(guidance["reasons"][0]["item9"], 1);

    let home = t.get("/", Some(&cookie)).await;
    let crisis = home.body.find("Please get support now").unwrap();
    assert!(crisis < home.body.find("<h1>").unwrap());
    assert!(
        home.body
            .contains("PHQ-9 answers included thoughts of hurting yourself")
    );

    // The result page, reached later, keeps the crisis path on top.
    let list: Value = t.get("/api/v1/questionnaires", Some(&cookie)).await.json();
    let id = list["questionnaires"][0]["id"].as_i64().unwrap();
    let result = t
        .get(&format!("/questionnaires/results/{id}"), Some(&cookie))
        .await;
    let top = result.body.find("Please talk to someone now").unwrap();
    assert!(top < result.body.find("<h1>").unwrap());
}

#[tokio::test]
async fn the_api_stores_once_scores_and_lists() {
    let t = test_app().await;
    let cookie = t.sign_up("sam@example.org").await;
    let client_id = uuid::Uuid::new_v4();
    let body = json!({"client_id": client_id, "instrument": "gad7",
        "answers": [2, 2, 1, 1, 1, 1, 1], "difficulty": "very_difficult"})
    .to_string();
    let created = t.post_json("/api/v1/questionnaires", &cookie, &body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let v = created.json();
    assert_eq!(v["instrument"], "gad7");
    assert_eq!(v["total"], 9);
    assert_eq!(v["max_total"], 21);
    assert_eq!(v["severity"], "mild");
    assert_eq!(v["severity_label"], "Mild");
    assert_eq!(v["caseness"], true);
    assert_eq!(v["show_crisis_path"], false);
    assert_eq!(v["difficulty"], "very_difficult");
    assert_eq!(v["answers"], json!([2, 2, 1, 1, 1, 1, 1]));
    assert_eq!(v["client_id"], client_id.to_string());
    assert!(v["note"].as_str().unwrap().contains("not a diagnosis"));

    let again = t.post_json("/api/v1/questionnaires", &cookie, &body).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.json(), v);

    let phq = post_questionnaire(&t, &cookie, "phq9", &[3, 3, 3, 3, 3, 3, 3, 3, 0], 3).await;
    assert_eq!(phq.status, StatusCode::CREATED);
    assert_eq!(phq.json()["severity"], "severe");
    assert_eq!(phq.json()["difficulty"], Value::Null);

    let all: Value = t.get("/api/v1/questionnaires", Some(&cookie)).await.json();
    let list = all["questionnaires"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["instrument"], "phq9", "oldest first");
    let gad: Value = t
        .get("/api/v1/questionnaires?instrument=gad7", Some(&cookie))
        .await
        .json();
    assert_eq!(gad["questionnaires"].as_array().unwrap().len(), 1);
    let bad = t
        .get("/api/v1/questionnaires?instrument=oq45", Some(&cookie))
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.json()["error"]["field"], "instrument");
    assert_eq!(
        t.get("/api/v1/questionnaires", None).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn wrong_answer_counts_and_values_are_clear_errors() {
    let t = test_app().await;
    let cookie = t.sign_up("sam@example.org").await;
    let send = |body: Value| {
        let t = &t;
        let cookie = cookie.clone();
        async move {
            t.post_json("/api/v1/questionnaires", &cookie, &body.to_string())
                .await
        }
    };
    let id = || uuid::Uuid::new_v4();

    let r =
        send(json!({"client_id": id(), "instrument": "phq9", "answers": [0, 0, 0, 0, 0, 0, 0, 0]}))
            .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let e = &r.json()["error"];
    assert_eq!(e["field"], "answers");
    assert_eq!(
        e["message"],
        "The PHQ-9 has 9 questions, so it needs exactly 9 answers; 8 were sent."
    );

    let r = send(
        json!({"client_id": id(), "instrument": "gad7", "answers": [0, 0, 0, 0, 0, 0, 0, 0, 0]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("exactly 7 answers; 9 were sent")
    );

    let r =
        send(json!({"client_id": id(), "instrument": "gad7", "answers": [0, 0, 4, 0, 0, 0, 0]}))
            .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let e = &r.json()["error"];
    assert_eq!(e["field"], "answers[2]");
    assert_eq!(
        e["message"],
        "The answer to question 3 must be 0, 1, 2 or 3; 4 is not one of them."
    );

    let r =
        send(json!({"client_id": id(), "instrument": "gad7", "answers": [0, 0, 0, 0, 0, 0, -1]}))
            .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["field"], "answers[6]");

    let r = send(
        json!({"client_id": id(), "instrument": "gad7", "answers": [0, 0, "often", 0, 0, 0, 0]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["field"], "answers[2]");

    let r = send(json!({"client_id": id(), "instrument": "gad7"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["field"], "answers");

    let r =
        send(json!({"client_id": id(), "instrument": "core10", "answers": vec![0u8; 10]})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["field"], "instrument");

    let r = send(json!({"client_id": id(), "instrument": "phq9", "answers": vec![0u8; 9], "difficulty": "awful"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["field"], "difficulty");

    let r = send(json!({"instrument": "phq9", "answers": vec![0u8; 9]})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["field"], "client_id");

    let r =
        send(json!({"client_id": id(), "instrument": "phq9", "answers": vec![0u8; 9], "total": 0}))
            .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown fields are refused"
    );

    let r = send(
        json!({"client_id": id(), "instrument": "phq9", "answers": vec![0u8; 9],
        "at": (chrono::Utc::now() + chrono::Duration::days(2)).to_rfc3339()}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["field"], "at");

    let list: Value = t.get("/api/v1/questionnaires", Some(&cookie)).await.json();
    assert_eq!(
        list["questionnaires"].as_array().unwrap().len(),
        0,
        "nothing stored"
    );
}

#[tokio::test]
async fn a_reliable_rise_is_a_rise_worth_talking_about_in_guidance_and_on_the_pages() {
    let t = test_app().await;
    let cookie = t.sign_up("sam@example.org").await;
    // PHQ-9 5 three weeks ago, then 11 now: a rise of 6, the reliable change amount.
    let first = post_questionnaire(&t, &cookie, "phq9", &[1, 1, 1, 1, 1, 0, 0, 0, 0], 21).await;
    assert_eq!(first.status, StatusCode::CREATED);
    let g: Value = t.get("/api/v1/guidance", Some(&cookie)).await.json();
    assert_eq!(g["level"], "steady");
    let middle = post_questionnaire(&t, &cookie, "phq9", &[1, 1, 1, 1, 1, 1, 1, 0, 0], 7).await;
    assert_eq!(middle.status, StatusCode::CREATED);
    let latest = post_questionnaire(&t, &cookie, "phq9", &[2, 2, 2, 1, 1, 1, 1, 1, 0], 0).await;
    assert_eq!(latest.json()["total"], 11);

    let g: Value = t.get("/api/v1/guidance", Some(&cookie)).await.json();
    assert_eq!(g["level"], "reach_out", "{g}");
    let reason = &g["reasons"][0];
    assert_eq!(reason["code"], "reliable_deterioration");
    assert_eq!(reason["instrument"], "phq9");
    assert_eq!(reason["first_total"], 5);
    assert_eq!(reason["latest_total"], 11);
    assert_eq!(reason["rise"], 6);

    let id = latest.json()["id"].as_i64().unwrap();
    let result = t
        .get(&format!("/questionnaires/results/{id}"), Some(&cookie))
        .await;
    assert!(
        result
            .body
            .contains("5 to 11: up 6 points. <strong>A rise worth talking about</strong>.")
    );
    assert!(
        result
            .body
            .contains("7 to 11: up 4 points. <strong>Within everyday ups and downs</strong>.")
    );
    // The service's names for the categories stay in the docs.
    assert!(!result.body.contains("eliable"));
    assert!(!result.body.contains("eterioration"));
    assert!(
        result.body.contains("3 scores: 5 on"),
        "the chart describes all three"
    );

    let overview = t.get("/questionnaires", Some(&cookie)).await;
    assert_eq!(overview.status, StatusCode::OK);
    assert!(
        overview
            .body
            .contains("aria-current=\"page\">Questionnaires</a>")
    );
    assert!(
        overview
            .body
            .contains("Latest: <strong>11 out of 27, moderate, today at")
    );
    assert!(overview.body.contains("A rise worth talking about"));
    assert!(!overview.body.contains("eliable"));
    assert!(overview.body.contains("<title id=\"phq9-chart-title\">"));
    assert!(overview.body.contains("All PHQ-9 results (3)"));
    assert!(overview.body.contains("href=\"/questionnaires/gad7\""));

    // The history file (export and assess) carries the questionnaires too.
    let home = t.get("/", Some(&cookie)).await;
    assert!(
        home.body
            .contains("Your PHQ-9 (low mood) score has gone up from 5 to 11.")
    );
    assert!(
        home.body
            .contains("Your PHQ-9 (low mood) score went from 5 on")
    );
}

#[tokio::test]
async fn reliable_recovery_reads_as_such() {
    let t = test_app().await;
    let cookie = t.sign_up("sam@example.org").await;
    post_questionnaire(&t, &cookie, "gad7", &[2, 2, 2, 2, 2, 2, 1], 28).await; // 13
    let latest = post_questionnaire(&t, &cookie, "gad7", &[1, 1, 1, 1, 0, 0, 0], 0).await; // 4
    let id = latest.json()["id"].as_i64().unwrap();
    let result = t
        .get(&format!("/questionnaires/results/{id}"), Some(&cookie))
        .await;
    assert!(result.body.contains(
        "13 to 4: down 9 points. <strong>Clearly better, and out of the higher range</strong>."
    ));
    assert!(
        result
            .body
            .contains("On the GAD-7, 0 to 4 is the minimal range.")
    );
    assert!(
        result
            .body
            .contains("That is under 8, where the higher range starts.")
    );
}

#[tokio::test]
async fn home_offers_the_questionnaires_gently_and_on_schedule() {
    let t = open_app().await;
    let cookie = t.sign_up("sam@example.org").await;
    let home = t.get("/", Some(&cookie)).await;
    let guidance = home.body.find("id=\"guidance-h\"").unwrap();
    let card = home
        .body
        .find("Two short questionnaires")
        .expect("offered from the start");
    assert!(guidance < card, "the guidance card stays first");
    assert!(home.body.contains("href=\"/questionnaires/phq9\""));
    assert!(home.body.contains("href=\"/questionnaires/gad7\""));

    // Both filled in 3 days ago: nothing to offer.
    post_questionnaire(&t, &cookie, "phq9", &[0; 9], 3).await;
    post_questionnaire(&t, &cookie, "gad7", &[0; 7], 3).await;
    let home = t.get("/", Some(&cookie)).await;
    assert!(!home.body.contains("id=\"questionnaires-h\""));

    // A fortnight since the GAD-7: only it is offered.
    let other = t.sign_up("kim@example.org").await;
    post_questionnaire(&t, &other, "phq9", &[0; 9], 2).await;
    post_questionnaire(&t, &other, "gad7", &[0; 7], 15).await;
    let home = t.get("/", Some(&other)).await;
    assert!(
        home.body
            .contains("Time for your fortnightly questionnaires")
    );
    assert!(
        home.body
            .contains("It has been 15 days since you last filled in the GAD-7.")
    );
    assert!(!home.body.contains("href=\"/questionnaires/phq9\""));

    // A session tomorrow and the last ones 8 days old: offered before the session.
    let third = t.sign_up("lee@example.org").await;
    post_questionnaire(&t, &third, "phq9", &[0; 9], 8).await;
    post_questionnaire(&t, &third, "gad7", &[0; 7], 8).await;
    let session =
        json!({"client_id": uuid::Uuid::new_v4(), "at": (chrono::Utc::now() + chrono::Duration::hours(26)).to_rfc3339()}).to_string();
    assert_eq!(
        t.post_json("/api/v1/sessions", &third, &session)
            .await
            .status,
        StatusCode::CREATED
    );
    let home = t.get("/", Some(&third)).await;
    assert!(
        home.body.contains("Before your next session"),
        "{}",
        home.body
    );
    assert!(
        home.body
            .contains("Filling in the PHQ-9 and GAD-7 beforehand")
    );
}
