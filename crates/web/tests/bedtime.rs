//! The bedtime routine over HTTP, on both backends: the JSON API (the routine, a night ticked
//! off once per night, the comparison), the pages (builder, tonight's checklist, "done
//! tonight", the comparison's two states), and the routine in an export and an import.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::London;
use serde_json::{Value, json};
use support::{Reply, TestApp, enc, hidden, test_apps};

async fn put_json(t: &TestApp, path: &str, cookie: &str, body: &str) -> Reply {
    t.send(
        Request::put(path)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::COOKIE, cookie)
            .body(Body::from(body.to_string()))
            .unwrap(),
    )
    .await
}

async fn csrf(t: &TestApp, cookie: &str) -> String {
    hidden(&t.get("/settings", Some(cookie)).await.body, "csrf")
}

/// The night it is now in London (sign-up's time zone): before 05:00, the evening before.
fn tonight() -> NaiveDate {
    (Utc::now().with_timezone(&London).naive_local() - Duration::hours(5)).date()
}

fn london(day: NaiveDate, h: u32, m: u32) -> DateTime<Utc> {
    London
        .from_local_datetime(&day.and_hms_opt(h, m, 0).unwrap())
        .earliest()
        .unwrap()
        .with_timezone(&Utc)
}

const ROUTINE: &str =
    r#"{"items":["Put screens away","Dim the lights","Tee mit Honig 🌙"],"target_time":"22:30"}"#;

#[tokio::test]
async fn the_routine_is_read_and_replaced_and_bad_input_is_named() {
    for (backend, t) in test_apps().await {
        let c = t.sign_up("ada@example.org").await;
        let r = t.get("/api/v1/bedtime-routine", Some(&c)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}");
        assert_eq!(r.json()["error"]["code"], "not_found");

        for (body, status, field) in [
            ("{", StatusCode::BAD_REQUEST, None),
            (
                r#"{"items":3,"target_time":"22:30"}"#,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("items"),
            ),
            (
                r#"{"items":["a"],"bedtime":"22:30"}"#,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
            ),
            (
                r#"{"target_time":"22:30"}"#,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("items"),
            ),
            (
                r#"{"items":["a"],"target_time":"25:00"}"#,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("target_time"),
            ),
            (
                r#"{"items":["a"],"target_time":2230}"#,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("target_time"),
            ),
        ] {
            let r = put_json(&t, "/api/v1/bedtime-routine", &c, body).await;
            assert_eq!(r.status, status, "{backend}: {body}: {}", r.body);
            let e = r.json();
            assert!(e["error"]["message"].is_string(), "{backend}: {body}");
            if let Some(field) = field {
                assert_eq!(e["error"]["field"], field, "{backend}: {body}");
            }
        }
        let eleven: Vec<String> = (0..11).map(|i| format!("step {i}")).collect();
        let r = put_json(
            &t,
            "/api/v1/bedtime-routine",
            &c,
            &json!({"items": eleven, "target_time": "22:30"}).to_string(),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        assert_eq!(r.json()["error"]["field"], "items");
        assert_eq!(
            t.get("/api/v1/bedtime-routine", Some(&c)).await.status,
            StatusCode::NOT_FOUND,
            "{backend}: nothing was stored"
        );

        let r = put_json(&t, "/api/v1/bedtime-routine", &c, ROUTINE).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        let saved = r.json();
        assert_eq!(
            saved["items"],
            json!(["Put screens away", "Dim the lights", "Tee mit Honig 🌙"])
        );
        assert_eq!(saved["target_time"], "22:30");
        assert_eq!(
            t.get("/api/v1/bedtime-routine", Some(&c)).await.json(),
            saved
        );

        let r = put_json(
            &t,
            "/api/v1/bedtime-routine",
            &c,
            r#"{"items":["Read a page"],"target_time":"7:05"}"#,
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");
        let got = t.get("/api/v1/bedtime-routine", Some(&c)).await.json();
        assert_eq!(got["items"], json!(["Read a page"]));
        assert_eq!(got["target_time"], "07:05");

        // Someone else has none, and signed out there is nothing.
        let other = t.sign_up("bo@example.org").await;
        assert_eq!(
            t.get("/api/v1/bedtime-routine", Some(&other)).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            t.get("/api/v1/bedtime-routine", None).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
}

#[tokio::test]
async fn a_night_is_logged_once_as_a_coping_use() {
    for (backend, t) in test_apps().await {
        let c = t.sign_up("ada@example.org").await;
        // No routine yet: nothing to tick off.
        let r = t
            .post_json("/api/v1/bedtime-routine/nights", &c, r#"{"ticked":[0]}"#)
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        assert_eq!(r.json()["error"]["field"], "ticked");
        put_json(&t, "/api/v1/bedtime-routine", &c, ROUTINE).await;

        for (body, status, field) in [
            ("[", StatusCode::BAD_REQUEST, None),
            (
                r#"{"ticked":[]}"#,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("ticked"),
            ),
            (
                r#"{"ticked":[3]}"#,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("ticked"),
            ),
            (
                r#"{"ticked":[-1]}"#,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("ticked[0]"),
            ),
            (
                r#"{"ticked":["Go for a run"]}"#,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("ticked"),
            ),
            (
                r#"{"ticked":[true]}"#,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
            ),
            (
                r#"{"ticked":[0],"client_id":"0f8fad5b-d9cb-469f-a165-70867728950e"}"#,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("client_id"),
            ),
            (
                r#"{"ticked":[0],"client_id":"nope"}"#,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("client_id"),
            ),
            (
                r#"{"ticked":[0],"at":"2099-01-01T00:00:00Z"}"#,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("at"),
            ),
            (
                r#"{"ticked":[0],"mood":3}"#,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
            ),
        ] {
            let r = t
                .post_json("/api/v1/bedtime-routine/nights", &c, body)
                .await;
            assert_eq!(r.status, status, "{backend}: {body}: {}", r.body);
            assert!(r.json()["error"]["message"].is_string());
            if let Some(field) = field {
                assert_eq!(r.json()["error"]["field"], field, "{backend}: {body}");
            }
        }

        let r = t
            .post_json(
                "/api/v1/bedtime-routine/nights",
                &c,
                r#"{"ticked":["tee mit honig 🌙", 0]}"#,
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let first = r.json();
        assert_eq!(first["night"], tonight().to_string());
        assert_eq!(
            first["ticked"],
            json!(["Put screens away", "Tee mit Honig 🌙"])
        );
        assert_eq!(first["coping_use"]["tool"], "bedtime-routine");
        assert_eq!(
            first["coping_use"]["note"],
            "Put screens away\nTee mit Honig 🌙"
        );

        // The same night again is the first log, unchanged: 200, nothing new.
        let client_id = first["coping_use"]["client_id"].as_str().unwrap();
        let r = t
            .post_json(
                "/api/v1/bedtime-routine/nights",
                &c,
                &json!({"ticked": [1], "client_id": client_id}).to_string(),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        assert_eq!(r.json(), first);

        // Another night is another use; a log at 01:30 belongs to the evening before.
        let earlier = tonight() - Duration::days(3);
        let at = london(earlier + Duration::days(1), 1, 30);
        let r = t
            .post_json(
                "/api/v1/bedtime-routine/nights",
                &c,
                &json!({"ticked": [1], "at": at}).to_string(),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        assert_eq!(r.json()["night"], earlier.to_string());

        let uses = t.get("/api/v1/coping-uses", Some(&c)).await.json();
        let uses = uses["coping_uses"].as_array().unwrap();
        assert_eq!(uses.len(), 2, "{backend}: one use per night");
        assert!(uses.iter().all(|u| u["tool"] == "bedtime-routine"));
        // The toolkit counts them among the tool's uses.
        let tools = t.get("/api/v1/coping-tools", Some(&c)).await.json();
        let routine = tools["tools"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"] == "bedtime-routine")
            .unwrap()
            .clone();
        assert_eq!(routine["stats"]["uses"], 2, "{backend}: {routine}");
    }
}

/// Nights of the comparison, made through the API: `with` nights log the routine at 22:00,
/// and every night gets a check-in at 08:00 the day after with the given mood and sleep.
async fn seed_nights(t: &TestApp, c: &str, nights: &[(NaiveDate, bool, i64, Option<f64>)]) {
    for (night, with, mood, sleep) in nights {
        if *with {
            let r = t
                .post_json(
                    "/api/v1/bedtime-routine/nights",
                    c,
                    &json!({"ticked": [0], "at": london(*night, 22, 0)}).to_string(),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        }
        let mut checkin = json!({"client_id": uuid::Uuid::new_v4(), "mood": mood,
            "at": london(*night + Duration::days(1), 8, 0)});
        if let Some(h) = sleep {
            checkin["sleep_hours"] = json!(h);
        }
        let r = t
            .post_json("/api/v1/checkins", c, &checkin.to_string())
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
}

#[tokio::test]
async fn enough_nights_of_each_show_means_with_their_counts() {
    for (backend, t) in test_apps().await {
        let c = t.sign_up("ada@example.org").await;
        put_json(&t, "/api/v1/bedtime-routine", &c, ROUTINE).await;
        // 8 nights with the routine (mood 7, 8 hours), 9 without (mood 5, 6 hours, one
        // without hours), in the 20 nights before tonight; 3 nights have no check-in after.
        let mut nights = Vec::new();
        for k in 1..=20 {
            let night = tonight() - Duration::days(k);
            match k {
                1..=8 => nights.push((night, true, 7, Some(8.0))),
                9 => nights.push((night, false, 5, None)),
                10..=17 => nights.push((night, false, 5, Some(6.0))),
                _ => {}
            }
        }
        // Six of the "with" nights first: not enough yet.
        seed_nights(&t, &c, &nights[2..]).await;
        let page = t.get("/toolkit/bedtime-routine", Some(&c)).await;
        assert!(
            page.body
                .contains("1 more night with your routine still needed."),
            "{backend}: {}",
            page.body
        );
        assert!(!page.body.contains("out of 10 on average"));
        let r = t.get("/api/v1/bedtime-routine/comparison", Some(&c)).await;
        assert_eq!(r.status, StatusCode::OK);
        let waiting = r.json();
        assert_eq!(waiting["ready"], false);
        assert_eq!(waiting["needed_with"], 1);
        assert_eq!(waiting["needed_without"], 0);

        seed_nights(&t, &c, &nights[..2]).await;
        let r = t.get("/api/v1/bedtime-routine/comparison", Some(&c)).await;
        let ready = r.json();
        assert_eq!(ready["ready"], true, "{backend}: {ready}");
        assert_eq!(ready["with_routine"]["nights"], 8);
        assert_eq!(ready["with_routine"]["mean_mood"], 7.0);
        assert_eq!(ready["with_routine"]["mean_sleep_hours"], 8.0);
        assert_eq!(ready["without_routine"]["nights"], 9);
        assert_eq!(ready["without_routine"]["nights_with_sleep"], 8);
        assert_eq!(ready["without_routine"]["mean_sleep_hours"], 6.0);
        assert_eq!(ready["without_routine"]["mean_mood"], 5.0);

        let page = t.get("/toolkit/bedtime-routine", Some(&c)).await;
        assert_eq!(page.status, StatusCode::OK);
        for line in [
            "On 8 nights with your routine, your mood the next day was 7.0 out of 10 on \
             average, and you slept 8.0 hours on average.",
            "On 9 nights without it, your mood the next day was 5.0 out of 10 on average, and \
             you slept 6.0 hours on average (on the 8 nights you said how long).",
            "This shows what happened, not why",
        ] {
            assert!(page.body.contains(line), "{backend}: {line}\n{}", page.body);
        }
        assert!(!page.body.contains("still needed"));
        let toolkit = t.get("/toolkit", Some(&c)).await;
        // Nights are not rated before and after, so the routine is never "still learning".
        assert!(!toolkit.body.contains("Bedtime routine: 0 of"), "{backend}");
        assert!(
            toolkit.body.contains(
                "On 8 nights with it, 8.0 hours sleep and mood 7.0 the next day; on 9 nights \
                 without it, 6.0 hours sleep and mood 5.0. This shows what happened, not why."
            ),
            "{backend}: {}",
            toolkit.body
        );
    }
}

#[tokio::test]
async fn the_pages_build_a_routine_tick_it_off_and_say_done() {
    for (backend, t) in test_apps().await {
        let c = t.sign_up("ada@example.org").await;
        let token = csrf(&t, &c).await;
        // No routine yet: the builder, with the suggestions to tick.
        let page = t.get("/toolkit/bedtime-routine", Some(&c)).await;
        assert_eq!(page.status, StatusCode::OK, "{backend}");
        assert!(page.body.contains("Your bedtime routine"));
        assert!(page.body.contains(r#"value="Put screens away""#));
        assert!(page.body.contains(r#"value="22:30""#));
        assert!(!page.body.contains("Done for tonight"));
        // The toolkit says nothing of a routine not made.
        let toolkit = t.get("/toolkit", Some(&c)).await;
        assert!(!toolkit.body.contains("bedtime-works"), "{backend}");

        // Nothing chosen and a wrong time: both named, what was typed kept.
        let r = t
            .post_form(
                "/toolkit/bedtime-routine/edit",
                &c,
                &format!("csrf={token}&own=&target_time=half+ten"),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        assert!(r.body.contains("error-summary"));
        assert!(r.body.contains(r##"href="#items""##));
        assert!(r.body.contains(r##"href="#target_time""##));
        assert!(r.body.contains(r#"value="half ten""#));
        let r = t
            .post_form(
                "/toolkit/bedtime-routine/edit",
                &c,
                &format!(
                    "csrf={token}&suggested={}&own={}&target_time=half+ten",
                    enc("Dim the lights"),
                    enc("Stretch <gently>")
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains(r#"value="Dim the lights" checked"#),
            "{}",
            r.body
        );
        assert!(
            r.body.contains(r#"value="Stretch &#60;gently&#62;""#)
                || r.body.contains(r#"value="Stretch &lt;gently&gt;""#),
            "{}",
            r.body
        );

        let r = t
            .post_form(
                "/toolkit/bedtime-routine/edit",
                &c,
                &format!(
                    "csrf={token}&suggested={}&suggested={}&own={}&own=&target_time=22%3A15",
                    enc("Put screens away"),
                    enc("A round of slow breathing"),
                    enc("Stretch gently"),
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.body);
        assert_eq!(
            r.headers.get(header::LOCATION).unwrap(),
            "/toolkit/bedtime-routine?done=saved"
        );
        let page = t.get("/toolkit/bedtime-routine?done=saved", Some(&c)).await;
        assert!(page.body.contains("Your routine is saved."));
        assert!(page.body.contains("Done for tonight"));
        assert!(page.body.contains("<strong>22:15</strong>"));
        assert!(page.body.contains("Stretch gently"));
        // The breathing step links its tool.
        assert!(page.body.contains(r#"href="/toolkit/breathing-4-7-8""#));
        assert!(page.body.contains(
            "7 more nights with your routine and 7 more nights without it still needed."
        ));
        let toolkit = t.get("/toolkit", Some(&c)).await;
        assert!(
            toolkit.body.contains(
                "7 more nights with your routine and 7 more nights without it still needed"
            ),
            "{backend}"
        );

        // Nothing ticked: asked again, nothing logged.
        let r = t
            .post_form("/toolkit/bedtime-routine", &c, &format!("csrf={token}"))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        assert!(
            r.body
                .contains("Please tick at least one thing you did tonight.")
        );
        let r = t
            .post_form(
                "/toolkit/bedtime-routine",
                &c,
                &format!("csrf={token}&ticked=0&ticked=2"),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.body);
        let page = t
            .get("/toolkit/bedtime-routine?done=logged", Some(&c))
            .await;
        let now = Utc::now()
            .with_timezone(&London)
            .format("%H:%M")
            .to_string();
        let before = (Utc::now() - Duration::minutes(1))
            .with_timezone(&London)
            .format("%H:%M")
            .to_string();
        assert!(
            page.body.contains(&format!("Done tonight at {now}"))
                || page.body.contains(&format!("Done tonight at {before}")),
            "{backend}: {}",
            page.body
        );
        assert!(page.body.contains("<li dir=\"auto\">Put screens away</li>"));
        assert!(page.body.contains("<li dir=\"auto\">Stretch gently</li>"));
        assert!(!page.body.contains("Done for tonight"));
        // A second press (an old tab) stores nothing new.
        let r = t
            .post_form(
                "/toolkit/bedtime-routine",
                &c,
                &format!("csrf={token}&ticked=1"),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let uses = t.get("/api/v1/coping-uses", Some(&c)).await.json();
        assert_eq!(
            uses["coping_uses"].as_array().unwrap().len(),
            1,
            "{backend}"
        );
        assert_eq!(
            uses["coping_uses"][0]["note"],
            "Put screens away\nStretch gently"
        );

        // "Change my routine" shows it filled in.
        let edit = t.get("/toolkit/bedtime-routine/edit", Some(&c)).await;
        assert_eq!(edit.status, StatusCode::OK);
        assert!(edit.body.contains("Change my routine"));
        assert!(edit.body.contains(r#"value="Put screens away" checked"#));
        assert!(edit.body.contains(r#"value="Dim the lights">"#));
        assert!(edit.body.contains(r#"value="Stretch gently""#));
        assert!(edit.body.contains(r#"value="22:15""#));

        // Without a token, nothing is saved.
        let r = t
            .post_form(
                "/toolkit/bedtime-routine/edit",
                &c,
                "own=x&target_time=22%3A00",
            )
            .await;
        assert_ne!(r.status, StatusCode::SEE_OTHER);
        // Signed out, the page asks to sign in.
        let r = t.get("/toolkit/bedtime-routine", None).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
    }
}

#[tokio::test]
async fn the_routine_moves_with_an_export_and_older_exports_still_import() {
    for (backend, t) in test_apps().await {
        let c = t.sign_up("ada@example.org").await;
        put_json(&t, "/api/v1/bedtime-routine", &c, ROUTINE).await;
        let doc: Value = t.get("/api/v1/export", Some(&c)).await.json();
        let rows = doc["data"]["bedtime_routines"].as_array().unwrap().clone();
        assert_eq!(rows.len(), 1, "{backend}");
        assert_eq!(
            rows[0]["items"],
            json!(["Put screens away", "Dim the lights", "Tee mit Honig 🌙"])
        );
        assert_eq!(rows[0]["target_time"], "22:30");

        // Into another account, whole.
        let moved = t.sign_up("moved@example.org").await;
        let r = t
            .post_json("/api/v1/import", &moved, &doc.to_string())
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let got = t.get("/api/v1/bedtime-routine", Some(&moved)).await.json();
        assert_eq!(got["items"], rows[0]["items"]);
        assert_eq!(got["target_time"], "22:30");

        // A routine the pages could not show is refused, naming the field.
        let target = t.sign_up("target@example.org").await;
        for (field, value) in [
            ("items", json!([])),
            ("items", json!(["a", 3])),
            ("items", json!(["x".repeat(121)])),
            ("target_time", json!("25:00")),
        ] {
            let mut bad = doc.clone();
            bad["data"]["bedtime_routines"][0][field] = value;
            let r = t
                .post_json("/api/v1/import", &target, &bad.to_string())
                .await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{backend}: {field}"
            );
            assert_eq!(
                r.json()["error"]["field"],
                format!("data.bedtime_routines[0].{field}")
            );
        }
        // An export from before the routine existed still imports.
        let mut older = doc.clone();
        older["data"]
            .as_object_mut()
            .unwrap()
            .remove("bedtime_routines");
        older["schema"] = json!(14);
        let r = t
            .post_json("/api/v1/import", &target, &older.to_string())
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        assert_eq!(
            t.get("/api/v1/bedtime-routine", Some(&target)).await.status,
            StatusCode::NOT_FOUND
        );
    }
}
