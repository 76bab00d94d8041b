//! Export and import of a person's data over HTTP: the JSON document, the check-ins CSV,
//! and loading a document into an empty account, on both backends.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::seed::{SEEDED_TABLES, SHARING_TABLES, seed_every_kind};
use support::test_app_with_store;

/// Tables that hold no person's data, or data of the installation rather than of a person.
const NOT_ACCOUNT_DATA: &[&str] = &[
    "_sqlx_migrations",
    "sign_in_failures",
    "vault_state",
    "vault_sealed_columns",
    // Alert emails: they belong to a grant and go with it (tests/alerts.rs).
    "mail_outbox",
];
/// Tables of an account that seeding leaves to signing up and in: the account, its key, its
/// sessions and tokens, its recovery codes and sign-ins waiting for a code.
const SIGN_IN: &[&str] = &[
    "accounts",
    "account_keys",
    "auth_sessions",
    "api_tokens",
    "recovery_codes",
    "second_factor_sign_ins",
];

#[tokio::test]
async fn seeding_reaches_every_table_of_account_data() {
    let (t, store, _) = test_app_with_store().await;
    seed_every_kind(&t, "sam@example.org", "Marker7q").await;
    let mut out = Vec::new();
    let summary = store.backup(&mut out).await.unwrap();
    for table in store.schema_tables().await.unwrap() {
        if NOT_ACCOUNT_DATA.contains(&table.as_str()) || SIGN_IN.contains(&table.as_str()) {
            continue;
        }
        // Seeded apart, with a therapist (see `seed_sharing`), and checked by the deletion
        // test and tests/sharing.rs.
        if SHARING_TABLES.contains(&table.as_str()) {
            continue;
        }
        assert!(
            SEEDED_TABLES.contains(&table.as_str()),
            "seeding does not know table {table}: add it to support/seed.rs"
        );
        // The backup leaves out derived summaries; their rows are checked by the export.
        if let Some(rows) = summary.rows_in(&table) {
            assert!(rows > 0, "seeding wrote no row of {table}");
        }
    }
}

use axum::http::{StatusCode, header};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use support::{TestApp, test_apps};

/// The fields that refer to a row of another table, and that table: ids differ after an
/// import, so a comparison follows them by position.
const REFERENCES: &[(&str, &str)] = &[
    ("session_id", "therapy_sessions"),
    ("homework_id", "homework"),
    ("journal_entry_id", "journal_entries"),
    ("thought_record_id", "thought_records"),
    ("coping_use_id", "coping_uses"),
];

/// The profile's fields. A new column of `accounts` must be put here (it is exported) or in
/// `store::export::NOT_IN_PROFILE` (with the reason it is not), on purpose.
const PROFILE: &[&str] = &[
    "always_ask_safety",
    "country",
    "created_at",
    // Sharing with a therapist: the name the account shows to others.
    "display_name",
    "email",
    // The guidance sensitivity a therapist set for this client.
    "low_day_points_tenths",
    "onboarded_at",
    "persisting_days",
    "role",
    "sensitivity_set_at",
    "sensitivity_set_by",
    "therapist_email",
    "therapist_name",
    "therapist_phone",
    "timezone",
    "usual_mood",
];

async fn export(t: &TestApp, cookie: &str) -> Value {
    let r = t.get("/api/v1/export", Some(cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()
}

/// An export with what differs between two accounts of the same data taken out: ids become
/// each row's position in its table (references follow), and the email and the time of the
/// export go.
fn normalised(mut doc: Value) -> Value {
    let data = doc["data"].as_object().unwrap().clone();
    let mut positions: BTreeMap<String, BTreeMap<i64, usize>> = BTreeMap::new();
    for (table, rows) in &data {
        let map = rows
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r["id"].as_i64().map(|id| (id, i)))
            .collect();
        positions.insert(table.clone(), map);
    }
    for (table, rows) in doc["data"].as_object_mut().unwrap() {
        for row in rows.as_array_mut().unwrap() {
            let row = row.as_object_mut().unwrap();
            for (key, value) in row.iter_mut() {
                if key == "id" {
                    *value = json!(positions[table][&value.as_i64().unwrap()]);
                } else if key.ends_with("_id") && key != "client_id" && key != "author_id" {
                    let (_, parent) = REFERENCES
                        .iter()
                        .find(|(k, _)| k == key)
                        .unwrap_or_else(|| panic!("{table}.{key} refers to something the test does not know: add it to REFERENCES"));
                    if let Some(id) = value.as_i64() {
                        *value = json!(positions[*parent][&id]);
                    }
                } else if key == "position" && !value.is_null() {
                    *value = json!("moved");
                }
            }
        }
    }
    let o = doc.as_object_mut().unwrap();
    o.remove("exported_at");
    o["profile"].as_object_mut().unwrap().remove("email");
    doc
}

#[tokio::test]
async fn the_export_holds_every_kind_of_data_and_no_secret() {
    for (backend, t) in test_apps().await {
        let seeded = seed_every_kind(&t, "sam@example.org", "Marker7q").await;
        let r = t.get("/api/v1/export", Some(&seeded.cookie)).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        let disposition = r.headers[header::CONTENT_DISPOSITION].to_str().unwrap();
        let today = chrono::Utc::now()
            .with_timezone(&chrono_tz::Europe::London)
            .date_naive();
        assert_eq!(
            disposition,
            format!("attachment; filename=\"between-export-{today}.json\"")
        );
        assert!(
            r.headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("application/json")
        );
        assert_eq!(r.headers["cache-control"], "no-store", "{backend}");
        let doc = r.json();
        assert_eq!(doc["format"], "between-export");
        assert_eq!(doc["version"], 1);
        assert!(doc["schema"].as_i64().unwrap() >= 11);
        assert!(chrono::DateTime::parse_from_rfc3339(doc["exported_at"].as_str().unwrap()).is_ok());
        // The format name comes first, where a person opening the file sees it.
        assert!(
            r.body
                .trim_start()
                .starts_with("{\n  \"format\": \"between-export\"")
        );

        let profile = doc["profile"].as_object().unwrap();
        let keys: Vec<&str> = profile.keys().map(String::as_str).collect();
        assert_eq!(keys, PROFILE, "{backend}: the profile's fields");
        assert_eq!(profile["email"], "sam@example.org");
        assert_eq!(profile["therapist_name"], "Dr Marker7q");
        assert_eq!(profile["always_ask_safety"], true);
        assert!(!r.body.contains("password") && !r.body.contains("$argon2"));

        for table in SEEDED_TABLES {
            let excluded = doc["not_included"].get(*table).is_some();
            let rows = doc["data"][*table].as_array().map_or(0, Vec::len);
            assert!(
                excluded || rows > 0,
                "{backend}: {table} is neither exported nor listed as not included"
            );
            assert!(!(excluded && rows > 0), "{table}");
        }
        for excluded in ["auth_sessions", "api_tokens", "guidance_summaries"] {
            assert!(doc["not_included"][excluded].is_string(), "{excluded}");
            assert!(doc["data"].get(excluded).is_none());
        }
        // No row names its owner; times are RFC 3339; JSON text is JSON.
        let checkin = &doc["data"]["checkins"][0];
        assert!(checkin.get("account_id").is_none());
        assert!(checkin.get("at_ms").is_none());
        assert!(chrono::DateTime::parse_from_rfc3339(checkin["at"].as_str().unwrap()).is_ok());
        assert!(
            chrono::DateTime::parse_from_rfc3339(checkin["created_at"].as_str().unwrap()).is_ok()
        );
        assert_eq!(checkin["body"], json!(["headache", "tension"]));
        assert_eq!(checkin["missed_usual_activities"], true);
        assert_eq!(checkin["self_harm_thoughts"], false);
        assert_eq!(checkin["note"], "a long day, \"tired\", Marker7q");
        assert_eq!(doc["data"]["checkins"][2]["self_harm_rather_not_say"], true);
        let plans = doc["data"]["plan_versions"].as_array().unwrap();
        assert_eq!(plans.len(), 4, "{backend}: two versions of each plan");
        assert!(plans.iter().all(|p| p["body"].is_object()));
        assert!(plans.iter().all(|p| p["author_id"] == "self"));
        assert!(
            !doc["data"]["guidance_changes"]
                .as_array()
                .unwrap()
                .is_empty(),
            "{backend}"
        );
        // The marker is in every free-text field seeded.
        for (table, field) in [
            ("checkins", "note"),
            ("therapy_sessions", "note"),
            ("reflections", "feedback"),
            ("agenda_items", "text"),
            ("journal_entries", "text"),
            ("homework", "text"),
            ("homework_log", "note"),
            ("feedback_notes", "text"),
            ("coping_uses", "note"),
            ("coping_list_items", "text"),
        ] {
            let rows = doc["data"][table].as_array().unwrap();
            assert!(
                rows.iter()
                    .any(|r| r[field].as_str().is_some_and(|s| s.contains("Marker7q"))),
                "{backend}: {table}.{field}"
            );
        }
        // Someone else's export holds none of it.
        let other = t.sign_up("kim@example.org").await;
        let theirs = t.get("/api/v1/export", Some(&other)).await;
        assert!(!theirs.body.contains("Marker7q"), "{backend}");
        let theirs = theirs.json();
        assert!(
            theirs["data"]
                .as_object()
                .unwrap()
                .values()
                .all(|rows| rows.as_array().unwrap().is_empty())
        );
        // Signed out, nothing.
        assert_eq!(
            t.get("/api/v1/export", None).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
}

#[tokio::test]
async fn every_table_is_exported_or_named_as_not_included() {
    let (t, store, _) = test_app_with_store().await;
    let seeded = seed_every_kind(&t, "sam@example.org", "Marker7q").await;
    let doc = export(&t, &seeded.cookie).await;
    for table in store.schema_tables().await.unwrap() {
        let excluded = doc["not_included"].get(&table).is_some();
        let exported = doc["data"].get(&table).is_some();
        assert!(
            table == "accounts" || excluded != exported,
            "table {table} must be exported or named in store::export::NOT_EXPORTED"
        );
        // Seeded apart, with a therapist: tests/sharing.rs checks their rows are exported.
        if exported && !SHARING_TABLES.contains(&table.as_str()) {
            assert!(
                !doc["data"][&table].as_array().unwrap().is_empty(),
                "seeding wrote no row of {table}: add it to support/seed.rs"
            );
        }
    }
}

/// Seeds an account on `from`, exports it, imports it into a new account on `to`, and
/// exports again.
async fn round_trip(from: &TestApp, to: &TestApp, label: &str) {
    let seeded = seed_every_kind(from, "sam@example.org", "Marker7q").await;
    let first = export(from, &seeded.cookie).await;
    let target = to.sign_up("moving@example.org").await;
    // A new account's first look at home records its first guidance level: that is not
    // data of the person's, and the import replaces it.
    assert_eq!(to.get("/", Some(&target)).await.status, StatusCode::OK);
    let r = to
        .post_json("/api/v1/import", &target, &first.to_string())
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{label}: {}", r.body);
    assert_eq!(
        r.json()["imported"]["checkins"],
        json!(first["data"]["checkins"].as_array().unwrap().len()),
        "{label}"
    );
    let second = export(to, &target).await;
    assert_eq!(second["profile"]["email"], "moving@example.org", "{label}");
    assert_eq!(normalised(second), normalised(first), "{label}");
    // A topic the person moved keeps its place.
    let order = |v: Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["text"].as_str().unwrap().to_string())
            .collect()
    };
    let before = order(
        from.get("/api/v1/agenda", Some(&seeded.cookie))
            .await
            .json(),
    );
    assert!(before[0].starts_with("sleep"), "{before:?}");
    let after = order(to.get("/api/v1/agenda", Some(&target)).await.json());
    assert_eq!(after, before, "{label}");
    // Derived data is rebuilt: what works best, and guidance, read the same.
    for path in ["/api/v1/coping-tools", "/api/v1/guidance"] {
        let before = from.get(path, Some(&seeded.cookie)).await;
        let after = to.get(path, Some(&target)).await;
        assert_eq!(
            after.status,
            StatusCode::OK,
            "{label} {path}: {}",
            after.body
        );
        assert_eq!(after.json(), before.json(), "{label} {path}");
    }
    // The moved account's pages work.
    for page in [
        "/",
        "/history",
        "/journal",
        "/agenda",
        "/homework",
        "/feedback",
        "/sessions",
        "/toolkit",
        "/toolkit/lists",
        "/questionnaires",
        "/safety-plan",
        "/safety-plan/history",
        "/backsliding-plan",
        "/brief",
    ] {
        let r = to.get(page, Some(&target)).await;
        assert_eq!(r.status, StatusCode::OK, "{label} {page}");
    }
    assert!(
        to.get("/journal", Some(&target))
            .await
            .body
            .contains("Walked to the river, Marker7q.")
    );
}

#[tokio::test]
async fn an_export_imported_on_the_other_backend_exports_the_same() {
    let apps = test_apps().await;
    if apps.len() == 2 {
        round_trip(&apps[0].1, &apps[1].1, "sqlite to postgres").await;
        let again = test_apps().await;
        round_trip(&again[1].1, &again[0].1, "postgres to sqlite").await;
    } else {
        let other = support::test_app_with(app::Settings {
            open_signup: true,
            ..Default::default()
        })
        .await;
        round_trip(&apps[0].1, &other, "sqlite to sqlite").await;
    }
}

/// Every row count of an account's export, to show nothing was written.
fn counts(doc: &Value) -> BTreeMap<String, usize> {
    doc["data"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_array().unwrap().len()))
        .collect()
}

#[tokio::test]
async fn a_malformed_document_is_refused_whole_naming_the_field() {
    for (backend, t) in test_apps().await {
        let seeded = seed_every_kind(&t, "sam@example.org", "Marker7q").await;
        let good = export(&t, &seeded.cookie).await;
        let target = t.sign_up("moving@example.org").await;
        let empty = export(&t, &target).await;
        let last_checkin = good["data"]["checkins"].as_array().unwrap().len() - 1;

        let mut cases: Vec<(Value, String)> = Vec::new();
        let mut doc = good.clone();
        doc["format"] = json!("something-else");
        cases.push((doc, "format".into()));
        let mut doc = good.clone();
        doc["version"] = json!(99);
        cases.push((doc, "version".into()));
        let mut doc = good.clone();
        doc["data"]["nonsense"] = json!([]);
        cases.push((doc, "data.nonsense".into()));
        let mut doc = good.clone();
        doc["data"]["auth_sessions"] = json!([]);
        cases.push((doc, "data.auth_sessions".into()));
        let mut doc = good.clone();
        doc["data"]["checkins"][0]["colour"] = json!("blue");
        cases.push((doc, "data.checkins[0].colour".into()));
        // Wrong types late in the document, after other rows went in.
        let mut doc = good.clone();
        doc["data"]["checkins"][last_checkin]["mood"] = json!("high");
        cases.push((doc, format!("data.checkins[{last_checkin}].mood")));
        let mut doc = good.clone();
        doc["data"]["checkins"][last_checkin]["at"] = json!("yesterday");
        cases.push((doc, format!("data.checkins[{last_checkin}].at")));
        let mut doc = good.clone();
        doc["data"]["checkins"][0]["body"] = json!("headache");
        cases.push((doc, "data.checkins[0].body".into()));
        // A rule of the database: a mood is 0 to 10.
        let mut doc = good.clone();
        doc["data"]["checkins"][last_checkin]["mood"] = json!(11);
        cases.push((doc, format!("data.checkins[{last_checkin}]")));
        // A reference to nothing.
        let mut doc = good.clone();
        doc["data"]["reflections"][0]["session_id"] = json!(987_654);
        cases.push((doc, "data.reflections[0].session_id".into()));
        let mut doc = good.clone();
        doc["data"]["homework_log"][0]["homework_id"] = json!(987_654);
        cases.push((doc, "data.homework_log[0].homework_id".into()));
        // Two rows with one id.
        let mut doc = good.clone();
        let first_id = doc["data"]["checkins"][0]["id"].clone();
        doc["data"]["checkins"][1]["id"] = first_id;
        cases.push((doc, "data.checkins[1].id".into()));
        // The profile is checked as the settings page checks it.
        let mut doc = good.clone();
        doc["profile"]["timezone"] = json!("Mars/Base");
        cases.push((doc, "profile.timezone".into()));
        let mut doc = good.clone();
        doc["profile"]["password_hash"] = json!("x");
        cases.push((doc, "profile.password_hash".into()));

        for (doc, path) in cases {
            let r = t
                .post_json("/api/v1/import", &target, &doc.to_string())
                .await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{backend} {path}: {}",
                r.body
            );
            let e = r.json();
            assert_eq!(e["error"]["field"], path.as_str(), "{backend}: {e}");
            assert!(
                e["error"]["message"]
                    .as_str()
                    .unwrap()
                    .contains("Nothing was imported"),
                "{e}"
            );
            assert!(
                !r.body.contains("Marker7q"),
                "an error never quotes the data"
            );
            let now = export(&t, &target).await;
            assert_eq!(
                counts(&now),
                counts(&empty),
                "{backend} {path}: nothing written"
            );
            assert_eq!(now["profile"], empty["profile"], "{backend} {path}");
        }
        // Not JSON at all, or not sent as JSON.
        let r = t.post_json("/api/v1/import", &target, "{").await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        // After all that, the good document still goes in whole.
        let r = t
            .post_json("/api/v1/import", &target, &good.to_string())
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
    }
}

#[tokio::test]
async fn an_account_with_data_refuses_an_import() {
    for (backend, t) in test_apps().await {
        let seeded = seed_every_kind(&t, "sam@example.org", "Marker7q").await;
        let doc = export(&t, &seeded.cookie).await;
        let r = t
            .post_json("/api/v1/import", &seeded.cookie, &doc.to_string())
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{backend}: {}", r.body);
        assert_eq!(r.json()["error"]["code"], "not_empty");
        let after = export(&t, &seeded.cookie).await;
        assert_eq!(counts(&after), counts(&doc), "{backend}: nothing added");

        // One check-in is data enough.
        let other = t.sign_up("kim@example.org").await;
        let body = json!({"client_id": uuid::Uuid::new_v4(), "mood": 5});
        t.post_json("/api/v1/checkins", &other, &body.to_string())
            .await;
        let r = t
            .post_json("/api/v1/import", &other, &doc.to_string())
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{backend}");
        assert_eq!(counts(&export(&t, &other).await)["checkins"], 1);
    }
}

#[tokio::test]
async fn checkins_come_as_csv_with_rfc_4180_quoting() {
    for (backend, t) in test_apps().await {
        let c = t.sign_up("sam@example.org").await;
        let note = "He said \"no, not now\"\nthen left";
        let body = json!({"client_id": uuid::Uuid::new_v4(), "mood": 4, "anxiety": 6,
            "body": ["headache", "tension"], "self_harm_thoughts": false, "note": note,
            "at": "2026-06-01T08:30:00Z"});
        let r = t.post_json("/api/v1/checkins", &c, &body.to_string()).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let plain = json!({"client_id": uuid::Uuid::new_v4(), "mood": 7,
            "at": "2026-06-02T20:00:00Z"});
        t.post_json("/api/v1/checkins", &c, &plain.to_string())
            .await;

        let r = t.get("/api/v1/export/checkins.csv", Some(&c)).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");
        assert_eq!(r.headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
        let disposition = r.headers[header::CONTENT_DISPOSITION].to_str().unwrap();
        assert!(
            disposition.starts_with("attachment; filename=\"between-checkins-")
                && disposition.ends_with(".csv\""),
            "{disposition}"
        );
        let lines: Vec<&str> = r.body.split("\r\n").collect();
        assert_eq!(
            lines[0],
            "id,at,mood,anxiety,energy,body,usual_activities,missed_usual_activities,harder_today,sleep_hours,substances,self_harm_thoughts,note,created_at"
        );
        // The note's quotes are doubled and the field quoted, its line break kept inside it;
        // times are in the person's own time zone (London: summer time).
        assert!(
            lines[1].contains(
                ",2026-06-01T09:30:00+01:00,4,6,,headache;tension,,,,,,no,\"He said \"\"no, not now\"\"\nthen left\","
            ),
            "{}",
            r.body
        );
        assert!(
            lines[2].contains(",2026-06-02T21:00:00+01:00,7,"),
            "{}",
            r.body
        );
        assert_eq!(lines.len(), 4, "two records and the final line break");
        assert_eq!(lines[3], "");
        assert_eq!(
            t.get("/api/v1/export/checkins.csv", None).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
}

/// A multipart body with the form token and one file.
fn upload(csrf: &str, file: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----betweenTestBoundary7q";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"between.json\"\r\n\
             Content-Type: application/json\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn post_upload(t: &TestApp, cookie: &str, csrf: &str, file: &[u8]) -> support::Reply {
    let (content_type, body) = upload(csrf, file);
    t.send(
        axum::http::Request::post("/settings/data/import")
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, content_type)
            .header("sec-fetch-site", "same-origin")
            .body(axum::body::Body::from(body))
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn the_settings_page_downloads_and_imports_without_javascript() {
    for (backend, t) in test_apps().await {
        let seeded = seed_every_kind(&t, "sam@example.org", "Marker7q").await;
        let settings = t.get("/settings", Some(&seeded.cookie)).await;
        assert!(settings.body.contains("href=\"/settings/data\""));
        let page = t.get("/settings/data", Some(&seeded.cookie)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Download all my data"));
        assert!(page.body.contains("href=\"/api/v1/export\""));
        assert!(page.body.contains("enctype=\"multipart/form-data\""));
        let file = t.get("/api/v1/export", Some(&seeded.cookie)).await.body;

        let target = t.sign_up("moving@example.org").await;
        let csrf = support::hidden(&t.get("/settings/data", Some(&target)).await.body, "csrf");
        // A stale token changes nothing.
        let stale = post_upload(&t, &target, "wrong", file.as_bytes()).await;
        assert_eq!(stale.status, StatusCode::FORBIDDEN, "{backend}");
        // Not a Between file: said plainly, nothing written.
        let bad = post_upload(&t, &target, &csrf, b"hello").await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            bad.body.contains("This file is not a Between download"),
            "{}",
            bad.body
        );
        let wrong = file.replace("\"mood\": 6", "\"mood\": \"six\"");
        let bad = post_upload(&t, &target, &csrf, wrong.as_bytes()).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("data.checkins[0].mood"), "{}", bad.body);
        assert_eq!(counts(&export(&t, &target).await)["checkins"], 0);

        let ok = post_upload(&t, &target, &csrf, file.as_bytes()).await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{backend}: {}", ok.body);
        assert_eq!(ok.headers[header::LOCATION], "/settings/data?imported=1");
        let done = t.get("/settings/data?imported=1", Some(&target)).await;
        assert!(done.body.contains("Your data is imported"));
        assert_eq!(counts(&export(&t, &target).await)["checkins"], 3);

        // A second time, the account holds data.
        let again = post_upload(&t, &target, &csrf, file.as_bytes()).await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        assert!(again.body.contains("already holds data"));
    }
}

#[tokio::test]
async fn an_import_reads_up_to_20_mb() {
    let t = support::test_app().await;
    let c = t.sign_up("sam@example.org").await;
    // Far more than any other request may send, yet read whole: refused for what it is.
    let big = format!(
        "{{\"format\": \"between-export\", \"padding\": \"{}\"}}",
        "x".repeat(5 * 1024 * 1024)
    );
    let r = t.post_json("/api/v1/import", &c, &big).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let huge = format!("{{\"padding\": \"{}\"}}", "x".repeat(21 * 1024 * 1024));
    let r = t.post_json("/api/v1/import", &c, &huge).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.json()["error"]["code"], "too_large");
}

#[tokio::test]
async fn values_the_pages_could_not_show_are_refused() {
    let t = support::test_app_with(app::Settings {
        open_signup: true,
        ..Default::default()
    })
    .await;
    let seeded = seed_every_kind(&t, "sam@example.org", "Marker7q").await;
    let good = export(&t, &seeded.cookie).await;
    let target = t.sign_up("moving@example.org").await;
    for (table, field, value, message) in [
        ("checkins", "body", json!(["nonsense"]), "body signals"),
        ("checkins", "client_id", json!("not-a-uuid"), "UUID"),
        ("questionnaires", "answers", json!([1]), "0 to 3"),
        (
            "questionnaires",
            "answers",
            json!([9, 9, 9, 9, 9, 9, 9, 9, 9]),
            "0 to 3",
        ),
        ("reflections", "came_up", json!(["zzz"]), "known answers"),
        ("homework", "due_on", json!("soon"), "a day"),
        ("coping_uses", "tool", json!("nothing"), "toolkit"),
        ("therapy_sessions", "repeats", json!("yearly"), "weekly"),
    ] {
        let mut doc = good.clone();
        doc["data"][table][0][field] = value;
        let r = t
            .post_json("/api/v1/import", &target, &doc.to_string())
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{table}.{field}"
        );
        let e = r.json();
        assert_eq!(e["error"]["field"], format!("data.{table}[0].{field}"));
        assert!(
            e["error"]["message"].as_str().unwrap().contains(message),
            "{e}"
        );
    }
    assert_eq!(counts(&export(&t, &target).await)["checkins"], 0);
}
