//! A therapist's caseload at scale: one therapist sharing with 500 clients, each with a
//! year of check-ins (about one a day, some days missed), a weekly session and a year of
//! guidance changes. `/therapist` and `GET /api/v1/therapist/clients` are measured against
//! `/healthz` in the same run.
//!
//! The clients are written straight into the SQLite file before the server starts, in one
//! transaction: 180,000 check-ins through HTTP would take minutes and measure the write path,
//! which the write scenarios already do. Only the columns a caseload reads are filled (no
//! sealed words), and each client's guidance changes are written as the store records
//! them, since the caseload reads the latest change and never recomputes it.

use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use rusqlite::params;

use crate::http::Conn;
use crate::pages::{latency, measure};
use crate::server::Target;

/// Clients on the caseload.
pub const CLIENTS: i64 = 500;
/// Days of history each holds.
pub const DAYS: i64 = 365;

/// p50 and p99 in milliseconds of the baseline and both caseload reads.
pub struct CaseloadFigures {
    pub healthz: (f64, f64),
    pub page: (f64, f64),
    pub api: (f64, f64),
    /// p50 and the slowest of `/therapist` as the first look of the hour, which writes a
    /// row to every client's audit log.
    pub first_look: (f64, f64),
    /// One client's page, every section shared: each look appends four audit rows.
    pub client_page: (f64, f64),
    pub checkins: i64,
}

/// The client whose page is measured: a year written through the API, so every field is
/// as the app writes it (the seeded caseload fills only what the list reads).
const CLIENT_PAGE_EMAIL: &str = "client-page@example.org";

/// Gives the client of `client_token` a year of history through the API, and shares every
/// scope with the therapist of `therapist_token` by an invite code; the grant's id.
async fn share_a_year(
    conn: &mut Conn,
    client_token: &str,
    therapist_token: &str,
) -> anyhow::Result<i64> {
    let addr = conn.addr.clone();
    let history = crate::seed::history_requests(
        &addr,
        client_token,
        &crate::seed::Shape { days: DAYS },
        Utc::now(),
    );
    crate::load::send_all(&addr, 8, history).await?;
    let invite = crate::http::post_json(
        &addr,
        "/api/v1/sharing/invites",
        Some(client_token),
        r#"{"scopes":["checkins","questionnaires","session_prep","plans"]}"#,
    );
    let made: serde_json::Value = serde_json::from_str(&conn.send(&invite).await?.text())?;
    let code = made["code"].as_str().context("no invite code")?;
    let join = crate::http::post_json(
        &addr,
        "/api/v1/therapist/clients",
        Some(therapist_token),
        &serde_json::json!({ "code": code }).to_string(),
    );
    let joined: serde_json::Value = serde_json::from_str(&conn.send(&join).await?.text())?;
    joined["client"]["id"]
        .as_i64()
        .context("the therapist did not join")
}

/// First looks measured: each one first clears the note of the last look logged.
const FIRST_LOOKS: usize = 20;

/// `/therapist` as the first look in an hour, `FIRST_LOOKS` times: p50 and slowest, in ms.
/// The note of the last logged look is cleared straight in the database before each.
async fn first_looks(conn: &mut Conn, db: &Path, cookie: &str) -> anyhow::Result<(f64, f64)> {
    let sql = rusqlite::Connection::open(db)?;
    sql.busy_timeout(std::time::Duration::from_secs(10))?;
    let request = crate::http::get_request(&conn.addr, "/therapist", Some(cookie), false);
    let mut times = Vec::with_capacity(FIRST_LOOKS);
    for _ in 0..FIRST_LOOKS {
        sql.execute("UPDATE share_grants SET caseload_logged_ms = NULL", [])?;
        let t = Instant::now();
        let reply = conn.send(request.as_bytes()).await?;
        times.push(t.elapsed().as_secs_f64() * 1e3);
        if reply.status != 200 {
            anyhow::bail!("/therapist answered {}", reply.status);
        }
    }
    times.sort_by(f64::total_cmp);
    Ok((times[FIRST_LOOKS / 2], times[FIRST_LOOKS - 1]))
}

/// The level a client ends the year at, and its reasons as the engine serializes them: one
/// urgent in 25, one to reach out to in 10, one in a post-session dip in 8, the rest steady.
fn final_level(i: i64, day: &str) -> (&'static str, String) {
    if i % 25 == 0 {
        (
            "urgent",
            format!(r#"[{{"code":"self_harm_thoughts","day":"{day}"}}]"#),
        )
    } else if i % 10 == 0 {
        (
            "reach_out",
            format!(r#"[{{"code":"cant_function","day":"{day}","window_days":7}}]"#),
        )
    } else if i % 8 == 0 {
        (
            "expected_dip",
            format!(
                r#"[{{"code":"post_session_dip","session_day":"{day}","days":1,"calendar_days":1,"first_day":"{day}","latest_day":"{day}","baseline":6.0,"latest_mood":3.0}}]"#
            ),
        )
    } else {
        ("steady", "[]".to_string())
    }
}

/// Writes the clients, their year and their grants to the therapist; the check-ins written.
fn seed(db: &Path, therapist: &str, now: DateTime<Utc>) -> anyhow::Result<i64> {
    let mut conn = rusqlite::Connection::open(db)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    let tx = conn.transaction()?;
    let now_ms = now.timestamp_millis();
    let therapist_id: i64 = tx.query_row(
        "SELECT id FROM accounts WHERE email = ?1",
        [therapist],
        |r| r.get(0),
    )?;
    let mut checkins = 0;
    {
        let mut account = tx.prepare(
            "INSERT INTO accounts (email, password_hash, role, country, timezone, usual_mood, \
             created_ms) VALUES (?1, 'not-a-password', 'client', 'GB', 'Europe/London', 6, ?2) \
             RETURNING id",
        )?;
        let mut checkin = tx.prepare(
            "INSERT INTO checkins (account_id, client_id, at_ms, mood, anxiety, energy, \
             self_harm_thoughts, created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?3)",
        )?;
        let mut session = tx.prepare(
            "INSERT INTO therapy_sessions (account_id, client_id, at_ms, created_ms) \
             VALUES (?1, ?2, ?3, ?3)",
        )?;
        let mut change = tx.prepare(
            "INSERT INTO guidance_changes (account_id, at_ms, level, reasons) \
             VALUES (?1, ?2, ?3, ?4)",
        )?;
        let mut grant = tx.prepare(
            "INSERT INTO share_grants (client_id, therapist_id, scopes, display_name, alerts, \
             since_ms) VALUES (?1, ?2, 'checkins,questionnaires,session_prep,plans', ?3, 0, ?4)",
        )?;
        let start = now - Duration::days(DAYS);
        for i in 0..CLIENTS {
            let id: i64 = account.query_row(
                params![
                    format!("client{i:03}@example.org"),
                    start.timestamp_millis()
                ],
                |r| r.get(0),
            )?;
            for day in 0..DAYS {
                // About one day in seven missed, differently for each client.
                if (day * 31 + i * 17) % 7 == 0 {
                    continue;
                }
                let at = now - Duration::days(day) - Duration::hours(2 + (day + i) % 10);
                checkin.execute(params![
                    id,
                    uuid::Uuid::new_v4().to_string(),
                    at.timestamp_millis(),
                    3 + (day * 7 + i) % 6,
                    2 + (day * 5 + i) % 7,
                    4 + (day + i) % 4,
                ])?;
                checkins += 1;
            }
            // A session a week, the latest a few days ago, and the next one coming.
            for week in -1..DAYS / 7 {
                let at = now - Duration::days(7 * week + 1 + i % 6) - Duration::hours(5);
                session.execute(params![
                    id,
                    uuid::Uuid::new_v4().to_string(),
                    at.timestamp_millis()
                ])?;
            }
            // A change of level about once a month, ending at the client's level now.
            for month in (1..12).rev() {
                let at = now - Duration::days(30 * month + i % 30);
                let level = if month % 2 == 0 {
                    "expected_dip"
                } else {
                    "steady"
                };
                let reasons = if level == "steady" {
                    "[]".to_string()
                } else {
                    final_level(8, "2025-01-01").1
                };
                change.execute(params![id, at.timestamp_millis(), level, reasons])?;
            }
            let at = now - Duration::days(i % 20) - Duration::hours(1);
            let day = at.format("%Y-%m-%d").to_string();
            let (level, reasons) = final_level(i, &day);
            change.execute(params![id, at.timestamp_millis(), level, reasons])?;
            grant.execute(params![
                id,
                therapist_id,
                format!("Client {i:03}"),
                start.timestamp_millis()
            ])?;
        }
    }
    tx.commit()?;
    let _ = now_ms;
    Ok(checkins)
}

/// Seeds the caseload in its own database, starts a server on it and measures.
pub async fn run(bin: &str, dir: &Path, requests: usize) -> anyhow::Result<CaseloadFigures> {
    let data = dir.join("caseload");
    std::fs::create_dir(&data)?;
    let target = Target {
        bin: bin.to_string(),
        data_dir: data.to_str().context("temp path")?.to_string(),
        database_url: None,
    };
    let email = "therapist@example.org";
    let token = target.account_with_role(email, "therapist")?;
    let client_token = target.account(CLIENT_PAGE_EMAIL)?;
    let seeding = Instant::now();
    let checkins = seed(&data.join("between.sqlite3"), email, Utc::now())?;
    println!(
        "seeded a caseload of {CLIENTS} clients with {DAYS} days each ({checkins} check-ins) in {:.1} s",
        seeding.elapsed().as_secs_f64()
    );
    let server = target.serve(&dir.join("between-caseload.log"))?;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let mut conn = Conn::open(&server.addr).await?;
    let cookie = crate::seed::sign_in(&mut conn, email).await?;
    crate::seed::enrol_two_step(&mut conn, &cookie).await?;
    println!("caseload of {CLIENTS} clients, {requests} requests each, one keep-alive connection:");
    let healthz = measure(&mut conn, "/healthz", None, requests).await?;
    let page = measure(&mut conn, "/therapist", Some(&cookie), requests).await?;
    let api_request = format!(
        "GET /api/v1/therapist/clients HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\n\r\n",
        server.addr
    );
    let api = latency(
        &mut conn,
        "GET /api/v1/therapist/clients",
        api_request.as_bytes(),
        requests,
    )
    .await?;
    let first_look = first_looks(&mut conn, &data.join("between.sqlite3"), &cookie).await?;
    let grant = share_a_year(&mut conn, &client_token, &token).await?;
    let client = format!("/therapist/clients/{grant}");
    let client_page = measure(&mut conn, &client, Some(&cookie), requests).await?;
    for (what, (p50, p99)) in [
        ("/healthz", healthz),
        ("/therapist", page),
        ("GET /api/v1/therapist/clients", api),
        ("/therapist/clients/{id}", client_page),
    ] {
        println!(
            "  {what:<32} p50 {p50:>6.2} ms  p99 {p99:>6.2} ms  ({:.1}× /healthz p99)",
            p99 / healthz.1
        );
    }
    println!(
        "  {:<32} p50 {:>6.2} ms  max {:>6.2} ms  ({FIRST_LOOKS} looks, each writing {CLIENTS} audit rows)",
        "/therapist, first look of the hour", first_look.0, first_look.1
    );
    Ok(CaseloadFigures {
        healthz,
        page,
        api,
        first_look,
        client_page,
        checkins,
    })
}
