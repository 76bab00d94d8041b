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

/// Signs in through the form over raw HTTP; the session cookie, or `None` when refused
/// (or when the sign-in page had no form to fill).
fn sign_in_over_http(addr: &str, email: &str, password: &str) -> Option<String> {
    let (_, page) = http(
        addr,
        &format!("GET /signin HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"),
    );
    let cookie_value = |response: &str, name: &str| {
        response
            .lines()
            .filter_map(|l| l.strip_prefix("set-cookie: "))
            .find_map(|c| c.strip_prefix(&format!("{name}=")))
            .map(|c| c.split(';').next().unwrap_or("").to_string())
    };
    let form = cookie_value(&page, "form")?;
    let marker = "name=\"csrf\" value=\"";
    let at = page.find(marker)? + marker.len();
    let csrf = &page[at..at + 32];
    let enc = |s: &str| s.replace(' ', "+").replace('@', "%40");
    let body = format!(
        "csrf={csrf}&email={}&password={}",
        enc(email),
        enc(password)
    );
    let (status, answer) = http(
        addr,
        &format!(
            "POST /signin HTTP/1.1\r\nHost: {addr}\r\nCookie: form={form}\r\nContent-Type: application/x-www-form-urlencoded\r\nSec-Fetch-Site: same-origin\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    );
    (status == 303)
        .then(|| cookie_value(&answer, "sid"))
        .flatten()
}

/// The status of the home page for a session cookie: 200 signed in, 303 signed out.
fn home_status(addr: &str, sid: &str) -> u16 {
    http(
        addr,
        &format!(
            "GET / HTTP/1.1\r\nHost: {addr}\r\nCookie: sid={sid}\r\nConnection: close\r\n\r\n"
        ),
    )
    .0
}

#[test]
fn operators_make_list_and_revoke_named_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let token = account_with_token(data, "sam@example.org");
    // Without a name, a second token still works: it is numbered.
    let second = between(data, &["token", "create", "sam@example.org"], None);
    assert!(second.status.success(), "{}", text(&second.stderr));
    assert!(text(&second.stderr).contains("\"personal token 2\""));
    let named = between(
        data,
        &[
            "token",
            "create",
            "sam@example.org",
            "--name",
            "backup script",
            "--expires-in",
            "30d",
        ],
        None,
    );
    assert!(named.status.success(), "{}", text(&named.stderr));
    let named_token = text(&named.stdout).trim().to_string();
    assert!(named_token.starts_with("btw_") && named_token.len() == 36);
    let taken = between(
        data,
        &[
            "token",
            "create",
            "sam@example.org",
            "--name",
            "backup script",
        ],
        None,
    );
    assert!(!taken.status.success());
    assert!(text(&taken.stderr).contains("already have a token called"));
    for bad in ["90", "0d", "1w", "ninety"] {
        let out = between(
            data,
            &["token", "create", "sam@example.org", "--expires-in", bad],
            None,
        );
        assert!(!out.status.success(), "{bad}");
        assert!(
            text(&out.stderr).contains("such as 30d"),
            "{bad}: {}",
            text(&out.stderr)
        );
    }

    let list = between(data, &["token", "list", "sam@example.org"], None);
    assert!(list.status.success(), "{}", text(&list.stderr));
    let table = text(&list.stdout);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 4, "{table}");
    for column in ["NAME", "CREATED", "LAST USED", "EXPIRES"] {
        assert!(lines[0].contains(column), "{table}");
    }
    assert!(lines[1].starts_with("personal token ") && lines[1].ends_with("never"));
    assert!(lines[2].starts_with("personal token 2 "));
    assert!(lines[3].starts_with("backup script ") && !lines[3].ends_with("never"));
    assert!(!table.contains("btw_"), "a listing never shows a token");

    let mut server = serve(data);
    let checkins = |token: &str| {
        http(
            &server.addr,
            &api_request(&server.addr, "GET", "/api/v1/checkins", token, None),
        )
        .0
    };
    assert_eq!(checkins(&named_token), 200);
    assert_eq!(checkins(&token), 200);
    let used = text(&between(data, &["token", "list", "sam@example.org"], None).stdout);
    assert!(
        !used.lines().nth(1).unwrap().contains("never  "),
        "last used is shown once used: {used}"
    );

    let revoke = between(
        data,
        &["token", "revoke", "sam@example.org", "backup script"],
        None,
    );
    assert!(revoke.status.success(), "{}", text(&revoke.stderr));
    assert_eq!(checkins(&named_token), 401);
    assert_eq!(checkins(&token), 200);
    let again = between(
        data,
        &["token", "revoke", "sam@example.org", "backup script"],
        None,
    );
    assert!(!again.status.success());
    assert!(text(&again.stderr).contains("has no token named \"backup script\""));
    let nobody = between(data, &["token", "list", "nobody@example.org"], None);
    assert!(!nobody.status.success());
    assert!(text(&nobody.stderr).contains("No account has that email"));
    server.stop();
}

#[test]
fn an_operator_resets_a_password_and_everything_signed_in_ends() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let token = account_with_token(data, "kim@example.org");
    let other = account_with_token(data, "lu@example.org");
    let mut server = serve(data);
    let addr = server.addr.clone();
    let sid = sign_in_over_http(&addr, "kim@example.org", "a long enough password")
        .expect("the first password works");
    assert_eq!(home_status(&addr, &sid), 200);

    let short = between(
        data,
        &["user", "passwd", "kim@example.org"],
        Some("short\n"),
    );
    assert!(!short.status.success());
    assert!(text(&short.stderr).contains("at least 10 characters"));
    let unknown = between(
        data,
        &["user", "passwd", "nobody@example.org"],
        Some("a new long password\n"),
    );
    assert!(!unknown.status.success());
    assert!(text(&unknown.stderr).contains("No account has that email"));
    assert_eq!(
        home_status(&addr, &sid),
        200,
        "a refused reset ends nothing"
    );

    let reset = between(
        data,
        &["user", "passwd", "kim@example.org"],
        Some("a new long password\n"),
    );
    assert!(reset.status.success(), "{}", text(&reset.stderr));
    assert!(text(&reset.stdout).contains("Set a new password for kim@example.org"));

    assert_eq!(home_status(&addr, &sid), 303, "the session ended");
    let api = |token: &str| {
        http(
            &addr,
            &api_request(&addr, "GET", "/api/v1/checkins", token, None),
        )
        .0
    };
    assert_eq!(api(&token), 401, "the token ended");
    assert_eq!(api(&other), 200, "another account's token is untouched");
    assert!(sign_in_over_http(&addr, "kim@example.org", "a long enough password").is_none());
    let new = sign_in_over_http(&addr, "kim@example.org", "a new long password")
        .expect("the new password works");
    assert_eq!(home_status(&addr, &new), 200);
    server.stop();
}

// Issue 14: `user list`, `user delete` and `user add --country --timezone`.

#[test]
fn operators_add_users_with_a_country_and_time_zone_and_bad_ones_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let pw = Some("a long enough password\n");
    let out = between(
        dir.path(),
        &[
            "user",
            "add",
            "ada@example.org",
            "--country",
            "gb",
            "--timezone",
            "Europe/London",
        ],
        pw,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let bad_country = between(
        dir.path(),
        &["user", "add", "bo@example.org", "--country", "Narnia"],
        pw,
    );
    assert!(!bad_country.status.success());
    let err = text(&bad_country.stderr);
    assert!(err.contains("unknown country \"Narnia\""), "{err}");
    assert!(
        err.contains("GB") && err.contains("US"),
        "names the codes: {err}"
    );
    let bad_zone = between(
        dir.path(),
        &[
            "user",
            "add",
            "bo@example.org",
            "--timezone",
            "Mars/Olympus",
        ],
        pw,
    );
    assert!(!bad_zone.status.success());
    let err = text(&bad_zone.stderr);
    assert!(err.contains("unknown time zone \"Mars/Olympus\""), "{err}");
    assert!(err.contains("Europe/London"), "{err}");

    let list = between(dir.path(), &["user", "list"], None);
    assert!(list.status.success(), "{}", text(&list.stderr));
    let listed = text(&list.stdout);
    assert!(!listed.contains("bo@example.org"), "nothing made: {listed}");
    let row = listed
        .lines()
        .find(|l| l.starts_with("ada@example.org"))
        .unwrap_or_else(|| panic!("{listed}"));
    let cells: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(cells[1], "client", "{row}");
    assert_eq!(cells[3], "GB", "{row}");
    assert_eq!(cells[4], "-", "no check-in yet: {row}");
}

#[test]
fn user_list_is_a_plain_table_and_user_delete_needs_yes() {
    let dir = tempfile::tempdir().unwrap();
    let empty = between(dir.path(), &["user", "list"], None);
    assert!(empty.status.success(), "{}", text(&empty.stderr));
    assert!(text(&empty.stdout).contains("No accounts yet."));
    for email in ["kim@example.org", "lu@example.org"] {
        let out = between(
            dir.path(),
            &["user", "add", email],
            Some("a long enough password\n"),
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    let list = text(&between(dir.path(), &["user", "list"], None).stdout);
    let lines: Vec<&str> = list.lines().collect();
    assert!(
        lines[0].starts_with("EMAIL") && lines[0].contains("LAST CHECK-IN"),
        "{list}"
    );
    assert!(lines[1].starts_with("kim@example.org"), "{list}");
    assert!(lines[2].starts_with("lu@example.org"), "{list}");
    // Without a country the column says so plainly.
    assert_eq!(lines[1].split_whitespace().nth(3), Some("-"), "{list}");

    let refused = between(dir.path(), &["user", "delete", "kim@example.org"], None);
    assert_eq!(refused.status.code(), Some(2));
    let err = text(&refused.stderr);
    assert!(err.contains("nothing was deleted"), "{err}");
    assert!(
        err.contains("check-ins") && err.contains("journal"),
        "{err}"
    );
    assert!(err.contains("--yes"), "{err}");
    let still = text(&between(dir.path(), &["user", "list"], None).stdout);
    assert!(still.contains("kim@example.org"), "{still}");

    let done = between(
        dir.path(),
        &["user", "delete", "kim@example.org", "--yes"],
        None,
    );
    assert!(done.status.success(), "{}", text(&done.stderr));
    assert!(text(&done.stdout).contains("Deleted the account kim@example.org"));
    let after = text(&between(dir.path(), &["user", "list"], None).stdout);
    assert!(!after.contains("kim@example.org"), "{after}");
    assert!(after.contains("lu@example.org"), "{after}");

    let again = between(
        dir.path(),
        &["user", "delete", "kim@example.org", "--yes"],
        None,
    );
    assert!(!again.status.success());
    assert!(text(&again.stderr).contains("No account has that email"));
}

/// `user two-step-off`: says whether there was anything to turn off, and refuses an unknown
/// account. (Turning it off for an account that had it on is tested through the app in
/// crates/web/tests/two_step.rs.)
#[test]
fn operators_turn_two_step_sign_in_off() {
    let dir = tempfile::tempdir().unwrap();
    let out = between(
        dir.path(),
        &["user", "add", "ada@example.org", "--role", "therapist"],
        Some("a long enough password\n"),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let off = between(
        dir.path(),
        &["user", "two-step-off", "ada@example.org"],
        None,
    );
    assert!(off.status.success(), "{}", text(&off.stderr));
    assert!(text(&off.stdout).contains("did not have two-step sign-in on"));
    let unknown = between(
        dir.path(),
        &["user", "two-step-off", "nobody@example.org"],
        None,
    );
    assert!(!unknown.status.success());
    assert!(text(&unknown.stderr).contains("No account has that email"));
}
