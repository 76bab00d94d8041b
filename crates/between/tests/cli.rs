//! The binary as an operator meets it: subcommands, environment variables, and a spawned
//! server answering real HTTP.

mod support;

use std::process::Command;
use std::time::Duration;

use support::*;

#[test]
fn unknown_database_schemes_are_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    for cmd in [
        &["migrate"][..],
        &["serve"][..],
        &["token", "create", "a@b.org"][..],
    ] {
        let mut args = vec!["--database-url", "mysql://root@localhost/between"];
        args.extend_from_slice(cmd);
        let out = between(dir.path(), &args, None);
        assert!(!out.status.success(), "{cmd:?}");
        let err = text(&out.stderr);
        assert!(
            err.contains("unsupported database URL scheme \"mysql\""),
            "{cmd:?}: {err}"
        );
    }
}

#[test]
fn migrate_creates_the_data_folder_and_database() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("nested").join("data");
    let out = between(&data, &["migrate"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("up to date (sqlite)"));
    assert!(data.join("between.sqlite3").exists());
    // Running it again is harmless.
    assert!(between(&data, &["migrate"], None).status.success());
}

#[test]
fn operators_add_users_and_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let out = between(
        dir.path(),
        &["user", "add", "ada@example.org", "--role", "therapist"],
        Some("a long enough password\n"),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("Created therapist account ada@example.org"));
    let dup = between(
        dir.path(),
        &["user", "add", "ADA@example.org"],
        Some("another long password\n"),
    );
    assert!(!dup.status.success());
    assert!(text(&dup.stderr).contains("already has an account"));
    let short = between(
        dir.path(),
        &["user", "add", "bo@example.org"],
        Some("short\n"),
    );
    assert!(!short.status.success());
    assert!(text(&short.stderr).contains("at least 10 characters"));
    let role = between(
        dir.path(),
        &["user", "add", "cy@example.org", "--role", "root"],
        Some("x\n"),
    );
    assert!(text(&role.stderr).contains("unknown role"));
    let tok = between(dir.path(), &["token", "create", "ada@example.org"], None);
    assert!(tok.status.success(), "{}", text(&tok.stderr));
    let token = text(&tok.stdout);
    assert!(
        token.trim().starts_with("btw_") && token.trim().len() == 36,
        "{token}"
    );
    let missing = between(dir.path(), &["token", "create", "nobody@example.org"], None);
    assert!(text(&missing.stderr).contains("No account has that email"));
}

#[test]
fn a_spawned_server_takes_bearer_check_ins_and_logs_nothing_personal() {
    let dir = tempfile::tempdir().unwrap();
    let added = between(
        dir.path(),
        &["user", "add", "kim@example.org"],
        Some("a long enough password\n"),
    );
    assert!(added.status.success());
    let token = text(&between(dir.path(), &["token", "create", "kim@example.org"], None).stdout)
        .trim()
        .to_string();
    let server = serve(dir.path());
    let note = "PRIVATE-NOTE-5521 argued with my brother";
    let body = format!(
        r#"{{"client_id":"2b1e6f0a-3c4d-4e5f-8a9b-0c1d2e3f4a5b","mood":2,"self_harm_thoughts":false,"note":"{note}","substances":"PRIVATE-SUBST"}}"#
    );
    let (status, reply) = post_checkin(&server.addr, &token, &body);
    assert_eq!(status, 201, "{reply}");
    let (status, _) = post_checkin(&server.addr, &token, &body);
    assert_eq!(status, 200);
    let (status, reply) = post_checkin(&server.addr, "btw_wrong", &body);
    assert_eq!(status, 401, "{reply}");
    let (status, page) = http(
        &server.addr,
        &format!(
            "GET /help?country=NZ HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            server.addr
        ),
    );
    assert_eq!(status, 200);
    assert!(page.contains("tel:1737"));

    std::thread::sleep(Duration::from_millis(200));
    let log = server.log.lock().unwrap().clone();
    assert!(log.contains("request"), "request logging is on: {log}");
    for secret in [note, "PRIVATE-SUBST", token.as_str(), "kim@example.org"] {
        assert!(!log.contains(secret), "the log leaked {secret:?}");
    }
    assert!(
        !log.contains("mood\":") && !log.contains("mood="),
        "the log leaked a rating"
    );
}

/// Every scenario file gives, through `between assess`, the level and reasons it expects.
#[test]
fn assess_runs_every_scenario_file() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../domain/tests/scenarios");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let scenario: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let at = scenario["at"].as_str().unwrap();
        let out = Command::new(bin())
            .args(["assess", "--input", path.to_str().unwrap(), "--at", at])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}: {}",
            path.display(),
            text(&out.stderr)
        );
        let got: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            got["level"],
            scenario["expect"]["level"],
            "{}",
            path.display()
        );
        let codes: Vec<&str> = got["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["code"].as_str().unwrap())
            .collect();
        let expected: Vec<&str> = scenario["expect"]["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap())
            .collect();
        assert_eq!(codes, expected, "{}", path.display());
        checked += 1;
    }
    assert!(checked >= 11, "only {checked} scenarios found");
}

#[test]
fn assess_explains_a_malformed_file_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            r#"{"checkins":[{"at":"2026-03-01T10:00:00Z","mood":12}]}"#,
            "checkins[0].mood",
        ),
        (r#"{"checkins":[{"mood":5}]}"#, "at"),
        (r#"{"timezone":"Mars/Base","checkins":[]}"#, "timezone"),
        (
            r#"{"checkins":[{"at":"2026-03-01T10:00:00Z","mood":5}],"questionnaires":[{"at":"2026-03-01T10:00:00Z","instrument":"phq9","answers":[1,2]}]}"#,
            "questionnaires[0]",
        ),
        ("not json", "line 1"),
    ];
    for (body, names) in cases {
        let path = dir.path().join("h.json");
        std::fs::write(&path, body).unwrap();
        let out = Command::new(bin())
            .args(["assess", "--input", path.to_str().unwrap()])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{body}");
        assert!(
            text(&out.stderr).contains(names),
            "{body}: {}",
            text(&out.stderr)
        );
    }
}

#[test]
fn export_writes_the_whole_account_and_assess_reads_it() {
    let dir = tempfile::tempdir().unwrap();
    assert!(
        between(
            dir.path(),
            &["user", "add", "lu@example.org"],
            Some("a long enough password\n")
        )
        .status
        .success()
    );
    let token = text(&between(dir.path(), &["token", "create", "lu@example.org"], None).stdout)
        .trim()
        .to_string();
    let server = serve(dir.path());
    for (i, mood) in [3, 2, 3].iter().enumerate() {
        let at = chrono::Utc::now() - chrono::Duration::days(2 - i as i64);
        let body = format!(
            r#"{{"client_id":"{}","mood":{mood},"self_harm_thoughts":false,"at":"{}"}}"#,
            uuid_like(i),
            at.to_rfc3339()
        );
        assert_eq!(post_checkin(&server.addr, &token, &body).0, 201);
    }
    // A PHQ-9 with item 9 above 0 travels in the file and makes the assessment urgent.
    let phq9 = r#"{"client_id":"00000000-0000-4000-8000-000000000099","instrument":"phq9","answers":[1,1,1,1,0,0,0,0,1]}"#;
    let (status, reply) = http(
        &server.addr,
        &format!(
            "POST /api/v1/questionnaires HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{phq9}",
            server.addr,
            phq9.len()
        ),
    );
    assert_eq!(status, 201, "{reply}");
    drop(server);
    // The export document, as Settings → "Your data" gives it.
    let file = dir.path().join("export.json");
    let out = between(
        dir.path(),
        &["export", "lu@example.org", "--out", file.to_str().unwrap()],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let written = std::fs::read_to_string(&file).unwrap();
    let export: serde_json::Value = serde_json::from_str(&written).unwrap();
    assert_eq!(export["format"], "between-export");
    assert_eq!(export["version"], 1);
    assert_eq!(export["profile"]["email"], "lu@example.org");
    assert_eq!(export["data"]["checkins"].as_array().unwrap().len(), 3);
    assert_eq!(export["data"]["checkins"][0]["mood"], 3);
    assert_eq!(export["data"]["questionnaires"][0]["instrument"], "phq9");
    assert_eq!(
        export["data"]["questionnaires"][0]["answers"],
        serde_json::json!([1, 1, 1, 1, 0, 0, 0, 0, 1])
    );
    assert!(export["not_included"]["api_tokens"].is_string());
    assert!(!written.contains("password") && !written.contains("btw_"));
    // The older spelling writes the same to standard output.
    let out = between(dir.path(), &["export", "--user", "lu@example.org"], None);
    let again: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(again["data"], export["data"]);
    // assess reads the export, and the history format `--history` writes, alike.
    let history = dir.path().join("history.json");
    let out = between(
        dir.path(),
        &[
            "export",
            "lu@example.org",
            "--history",
            "--output",
            history.to_str().unwrap(),
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let h: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&history).unwrap()).unwrap();
    assert_eq!(h["checkins"].as_array().unwrap().len(), 3);
    for input in [&file, &history] {
        let assessed = Command::new(bin())
            .args(["assess", "--input", input.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(assessed.status.success(), "{}", text(&assessed.stderr));
        let g: serde_json::Value = serde_json::from_slice(&assessed.stdout).unwrap();
        assert_eq!(g["level"], "urgent", "{g}");
        assert_eq!(g["reasons"][0]["code"], "phq9_item9");
    }
    let missing = between(
        dir.path(),
        &["export", "--user", "nobody@example.org"],
        None,
    );
    assert!(!missing.status.success());
}

fn uuid_like(i: usize) -> String {
    format!("00000000-0000-4000-8000-{i:012}")
}
