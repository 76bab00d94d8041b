//! `serve --smtp-url` and `--mail-from`, set through their environment variables: a spawned
//! server delivers an alert email to an SMTP server run by this test when a client's
//! check-ins move their guidance to "reach out", and refuses unusable settings at start
//! without repeating a password.
// clippy.toml allows these inside #[test] functions only; helpers here use them too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use support::*;

const CLIENT: &str = "sam@example.org";
const THERAPIST: &str = "dr.lee@example.org";

/// The messages a sink accepted: (recipients, data).
type Inbox = Arc<Mutex<Vec<(Vec<String>, String)>>>;

/// A minimal SMTP server on a thread: accepts every message and keeps it.
fn smtp_sink() -> (String, Inbox) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let inbox: Inbox = Arc::default();
    let kept = inbox.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut out) = stream else { return };
            let mut lines = BufReader::new(out.try_clone().unwrap());
            let inbox = kept.clone();
            std::thread::spawn(move || {
                let mut to = Vec::new();
                let mut line = String::new();
                out.write_all(b"220 sink ESMTP\r\n").unwrap();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let upper = line.trim_end().to_ascii_uppercase();
                    let reply: &[u8] = if upper.starts_with("EHLO") {
                        b"250-sink\r\n250 8BITMIME\r\n"
                    } else if let Some(rcpt) = upper.strip_prefix("RCPT TO:") {
                        to.push(rcpt.trim_matches(['<', '>', ' ']).to_ascii_lowercase());
                        b"250 OK\r\n"
                    } else if upper == "DATA" {
                        out.write_all(b"354 go on\r\n").unwrap();
                        let mut data = String::new();
                        loop {
                            line.clear();
                            lines.read_line(&mut line).unwrap();
                            if line == ".\r\n" {
                                break;
                            }
                            data.push_str(&line);
                        }
                        inbox.lock().unwrap().push((std::mem::take(&mut to), data));
                        b"250 queued\r\n"
                    } else if upper == "QUIT" {
                        let _ = out.write_all(b"221 bye\r\n");
                        return;
                    } else {
                        b"250 OK\r\n"
                    };
                    out.write_all(reply).unwrap();
                }
            });
        }
    });
    (addr, inbox)
}

/// A grant with alerts on, written into the SQLite database as the sharing pages will.
fn grant_with_alerts(dir: &std::path::Path) {
    let url = format!("sqlite://{}", dir.join("between.sqlite3").display());
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            use sqlx::Connection;
            let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
            sqlx::query(
                "INSERT INTO share_grants \
                 (client_id, therapist_id, scopes, display_name, alerts, since_ms) \
                 SELECT c.id, t.id, 'checkins', 'Sam', 1, 0 FROM accounts c, accounts t \
                 WHERE c.email = $1 AND t.email = $2",
            )
            .bind(CLIENT)
            .bind(THERAPIST)
            .execute(&mut c)
            .await
            .unwrap();
            c.close().await.unwrap();
        });
}

#[test]
fn a_served_instance_emails_the_therapist_when_a_client_needs_them() {
    let dir = tempfile::tempdir().unwrap();
    let token = account_with_token(dir.path(), CLIENT);
    let added = between(
        dir.path(),
        &["user", "add", THERAPIST, "--role", "therapist"],
        Some("a long enough password\n"),
    );
    assert!(added.status.success(), "{}", text(&added.stderr));
    grant_with_alerts(dir.path());
    let (smtp, inbox) = smtp_sink();
    let mut server = serve_with(
        dir.path(),
        &[
            ("BETWEEN_SMTP_URL", &format!("smtp://{smtp}")),
            ("BETWEEN_MAIL_FROM", "Between <alerts@between.test>"),
        ],
    );
    let addr = server.addr.clone();
    for n in (0..5).rev() {
        let at = (chrono::Utc::now() - chrono::Duration::days(n)).to_rfc3339();
        let body = format!(
            r#"{{"client_id":"00000000-0000-4000-8000-00000000000{n}","mood":2,"at":"{at}","self_harm_thoughts":false,"missed_usual_activities":true}}"#
        );
        let (status, answer) = post_checkin(&addr, &token, &body);
        assert_eq!(status, 201, "{answer}");
    }
    // The worker looks every 10 seconds.
    let deadline = Instant::now() + Duration::from_secs(30);
    while inbox.lock().unwrap().is_empty() {
        assert!(
            Instant::now() < deadline,
            "no email arrived; the server said:\n{}",
            server.log.lock().unwrap()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(300));
    let got = inbox.lock().unwrap().clone();
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, [THERAPIST]);
    assert!(
        got[0]
            .1
            .contains("A client you work with may want to hear from you."),
        "{}",
        got[0].1
    );
    assert!(!got[0].1.contains("sam"), "{}", got[0].1);
    assert!(server.stop().success(), "the worker stops with the server");
    let log = server.log.lock().unwrap().clone();
    assert!(log.contains("alert emails on"), "{log}");
    for private in [CLIENT, THERAPIST, "dr.lee", "hear from you"] {
        assert!(!log.contains(private), "{private} in the log: {log}");
    }
}

#[test]
fn unusable_smtp_settings_are_refused_at_start_without_repeating_a_password() {
    let dir = tempfile::tempdir().unwrap();
    for (env, said) in [
        (
            vec![
                ("BETWEEN_SMTP_URL", "smtp://me:hunter2@mail example.org"),
                ("BETWEEN_MAIL_FROM", "alerts@example.org"),
            ],
            "SMTP URL",
        ),
        (
            vec![
                ("BETWEEN_SMTP_URL", "imap://me:hunter2@mail.example.org"),
                ("BETWEEN_MAIL_FROM", "alerts@example.org"),
            ],
            "smtp or smtps",
        ),
        (
            vec![
                ("BETWEEN_SMTP_URL", "smtp://me:hunter2@mail.example.org"),
                ("BETWEEN_MAIL_FROM", "not an address"),
            ],
            "--mail-from must be an email address",
        ),
        (
            vec![("BETWEEN_SMTP_URL", "smtp://me:hunter2@mail.example.org")],
            "--mail-from",
        ),
        (
            vec![("BETWEEN_MAIL_FROM", "alerts@example.org")],
            "--smtp-url",
        ),
    ] {
        let out = Command::new(bin())
            .arg("serve")
            .env("BETWEEN_DATA_DIR", dir.path())
            .env("BETWEEN_LISTEN", "127.0.0.1:0")
            .env_remove("BETWEEN_DATABASE_URL")
            .envs(env.iter().copied())
            .output()
            .unwrap();
        assert!(!out.status.success(), "{env:?}");
        let err = text(&out.stderr);
        assert!(err.contains(said), "{env:?}: {err}");
        assert!(!err.contains("hunter2"), "{env:?}: {err}");
    }
}
