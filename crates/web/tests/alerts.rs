//! Alert emails to therapists, end to end on both backends: a client's check-ins move their
//! guidance to "reach out" over HTTP, the change writes one message per live grant with
//! alerts on, and the delivery worker hands it to an SMTP server running inside this test
//! process, which keeps what it received. Also: nothing is written without SMTP settings, a
//! mail server that is down is tried again later, a restart does not send twice, a claim
//! that runs out is taken up again, deleting an account takes its messages along, and two
//! workers sharing one PostgreSQL database send each message once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::sync::Arc;

use app::mail::{ALERT_SUBJECT, ALERT_TEXT, MailSettings, Mailer, Round};
use axum::http::StatusCode;
use chrono::{TimeDelta, Utc};
use serde_json::json;
use sqlx::Connection;
use store::{DatabaseUrl, Store};
use support::smtp::SmtpSink;
use support::{TestApp, days_ago};

const LINK: &str = "https://between.example.org/therapist";
const CLIENT: &str = "sam.wilde@example.org";
const CLIENT_NAME: &str = "Samwise";

/// A server on one database: its router, its app and its store.
struct Site {
    t: TestApp,
    app: app::App,
    store: Arc<dyn Store>,
}

/// A fresh database of the backend (its folder too, for SQLite); `None` when PostgreSQL
/// tests were skipped by name.
async fn database(backend: &str) -> Option<(DatabaseUrl, tempfile::TempDir)> {
    let dir = tempfile::tempdir().unwrap();
    match backend {
        "sqlite" => Some((DatabaseUrl::sqlite_in(dir.path()), dir)),
        _ => {
            let url = store::testing::postgres_test_database().await?;
            Some((DatabaseUrl::parse(&url).unwrap(), dir))
        }
    }
}

/// A mailer sending to the sink at `addr`.
fn mailer(addr: std::net::SocketAddr) -> Arc<Mailer> {
    Arc::new(
        Mailer::new(&MailSettings {
            smtp: format!("smtp://{addr}").parse().unwrap(),
            username: None,
            password: None,
            from: "Between <alerts@between.test>".into(),
            link: Some(LINK.into()),
        })
        .unwrap(),
    )
}

/// A server on the database at `url`, sending mail through `mail` if given.
async fn site(url: &DatabaseUrl, mail: Option<Arc<Mailer>>) -> Site {
    let store = store::testing::open(url).await.unwrap();
    let app = app::App::new(
        store.clone(),
        app::Settings {
            open_signup: true,
            mail,
            ..Default::default()
        },
    );
    let router = web::router(web::AppState {
        app: app.clone(),
        config: web::WebConfig::default().into(),
    });
    Site {
        t: TestApp {
            router,
            _dir: tempfile::tempdir().unwrap(),
        },
        app,
        store,
    }
}

/// Runs `$body` with `$c` a connection to the database at `$url`, on either backend.
macro_rules! on_db {
    ($url:expr, |$c:ident| $body:expr) => {
        match $url {
            DatabaseUrl::Sqlite(raw) => {
                let mut $c = sqlx::SqliteConnection::connect(raw).await.unwrap();
                let out = $body;
                $c.close().await.unwrap();
                out
            }
            DatabaseUrl::Postgres(raw) => {
                let mut $c = sqlx::PgConnection::connect(raw).await.unwrap();
                let out = $body;
                $c.close().await.unwrap();
                out
            }
        }
    };
}

/// A therapist's account, made in the store (nobody signs in with it here).
async fn therapist(site: &Site, email: &str) -> i64 {
    site.store
        .create_account(&store::NewAccount {
            email: domain::account::Email::parse(email).unwrap(),
            password_hash: "not a password hash".into(),
            role: domain::account::Role::Therapist,
            country: None,
            timezone: domain::history::TimeZone::parse("UTC").unwrap(),
            usual_mood: None,
            therapist: Default::default(),
        })
        .await
        .unwrap()
        .id
        .0
}

/// A grant from `client` to `therapist`, written as the sharing pages will write it.
async fn grant(url: &DatabaseUrl, client: i64, therapist: i64, alerts: bool, revoked: bool) -> i64 {
    let now = Utc::now().timestamp_millis();
    let sql = "INSERT INTO share_grants \
         (client_id, therapist_id, scopes, display_name, alerts, since_ms, revoked_ms) \
         VALUES ($1, $2, 'checkins', $3, $4, $5, $6) RETURNING id";
    on_db!(url, |c| sqlx::query_scalar::<_, i64>(sql)
        .bind(client)
        .bind(therapist)
        .bind(CLIENT_NAME)
        .bind(alerts)
        .bind(now)
        .bind(revoked.then_some(now))
        .fetch_one(&mut c)
        .await
        .unwrap())
}

/// An outbox row: grant, recipient, attempts, next attempt, sent, given up, last error.
type Row = (
    i64,
    String,
    i64,
    i64,
    Option<i64>,
    Option<i64>,
    Option<String>,
);

/// Every outbox row, oldest first.
async fn outbox(url: &DatabaseUrl) -> Vec<Row> {
    let sql = "SELECT grant_id, recipient, attempts, next_attempt_ms, sent_ms, gave_up_ms, \
               last_error FROM mail_outbox ORDER BY id";
    on_db!(url, |c| sqlx::query_as::<_, Row>(sql)
        .fetch_all(&mut c)
        .await
        .unwrap())
}

/// Signs the client up and returns their session cookie and account id.
async fn client(site: &Site) -> (String, i64) {
    let cookie = site.t.sign_up(CLIENT).await;
    let id = site.app.account_by_email(CLIENT).await.unwrap().id.0;
    (cookie, id)
}

/// A low check-in `n` days ago.
async fn low_day(site: &Site, cookie: &str, n: i64, self_harm: bool) {
    let body = json!({"client_id": uuid::Uuid::new_v4(), "mood": 2, "at": days_ago(n),
        "self_harm_thoughts": self_harm, "missed_usual_activities": true})
    .to_string();
    let r = site.t.post_json("/api/v1/checkins", cookie, &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
}

/// Five low days in a row: enough for "reach out" (as in tests/reach_out.rs).
async fn reach_out(site: &Site, cookie: &str) {
    for n in (0..5).rev() {
        low_day(site, cookie, n, false).await;
    }
    assert_eq!(level(site, cookie).await, "reach_out");
}

async fn level(site: &Site, cookie: &str) -> String {
    let g = site.t.get("/api/v1/guidance", Some(cookie)).await.json();
    g["level"].as_str().unwrap().to_string()
}

/// Both backends (PostgreSQL unless skipped by name).
async fn backends() -> Vec<(&'static str, DatabaseUrl, tempfile::TempDir)> {
    let mut out = Vec::new();
    for backend in ["sqlite", "postgres"] {
        if let Some((url, dir)) = database(backend).await {
            out.push((backend, url, dir));
        }
    }
    out
}

#[tokio::test]
async fn a_change_to_reach_out_emails_each_therapist_with_alerts_on_once() {
    for (backend, url, _dir) in backends().await {
        let sink = SmtpSink::start().await;
        let s = site(&url, Some(mailer(sink.addr()))).await;
        assert!(s.app.mail_configured());
        let (cookie, client_id) = client(&s).await;
        let on = therapist(&s, "dr.on@example.org").await;
        let off = therapist(&s, "dr.off@example.org").await;
        let gone = therapist(&s, "dr.gone@example.org").await;
        let on_grant = grant(&url, client_id, on, true, false).await;
        grant(&url, client_id, off, false, false).await;
        grant(&url, client_id, gone, true, true).await;

        reach_out(&s, &cookie).await;
        let worker = s.app.mail_worker().unwrap();
        let round = worker.deliver_due(Utc::now()).await.unwrap();
        assert_eq!(
            round,
            Round {
                sent: 1,
                ..Round::default()
            },
            "{backend}"
        );
        let got = sink.messages();
        assert_eq!(got.len(), 1, "{backend}: {got:?}");
        let m = &got[0];
        assert_eq!(m.to, ["dr.on@example.org"], "{backend}");
        assert_eq!(m.from, "alerts@between.test", "{backend}");
        assert_eq!(
            m.header("Subject").as_deref(),
            Some(ALERT_SUBJECT),
            "{backend}"
        );
        assert_eq!(
            m.body(),
            format!("{}\r\n\r\n{LINK}\r\n", ALERT_TEXT.replace('\n', "\r\n")),
            "{backend}"
        );
        assert_eq!(
            m.header("Content-Transfer-Encoding").as_deref(),
            Some("7bit"),
            "{backend}: plain text as it is"
        );
        // Nothing of the client's: not their address, name or display name, nor the level
        // or anything about how they are.
        let lower = m.data.to_lowercase();
        for word in [
            "sam", "wilde", "reach", "urgent", "mood", "low", "harm", "check",
        ] {
            assert!(!lower.contains(word), "{backend}: {word:?} in {}", m.data);
        }
        let rows = outbox(&url).await;
        assert_eq!(rows.len(), 1, "{backend}: {rows:?}");
        assert_eq!(rows[0].0, on_grant);
        assert!(rows[0].4.is_some(), "{backend}: marked sent");

        // Another low day at the same level: no second email.
        low_day(&s, &cookie, 0, false).await;
        assert_eq!(level(&s, &cookie).await, "reach_out");
        assert_eq!(
            worker.deliver_due(Utc::now()).await.unwrap(),
            Round::default()
        );
        assert_eq!(sink.messages().len(), 1, "{backend}");
        assert_eq!(outbox(&url).await.len(), 1, "{backend}");

        // A restart: a new server on the same database sends nothing again.
        s.store.close().await.unwrap();
        drop(s);
        let s = site(&url, Some(mailer(sink.addr()))).await;
        let worker = s.app.mail_worker().unwrap();
        assert_eq!(
            worker.deliver_due(Utc::now()).await.unwrap(),
            Round::default(),
            "{backend}"
        );
        assert_eq!(sink.messages().len(), 1, "{backend}");

        // Becoming urgent is a new change: one more email, in the same words.
        low_day(&s, &cookie, 0, true).await;
        assert_eq!(level(&s, &cookie).await, "urgent");
        assert_eq!(worker.deliver_due(Utc::now()).await.unwrap().sent, 1);
        let got = sink.messages();
        assert_eq!(got.len(), 2, "{backend}");
        assert_eq!(got[1].to, ["dr.on@example.org"]);
        assert_eq!(got[1].body(), got[0].body(), "{backend}");
        assert_eq!(got[1].header("Subject"), got[0].header("Subject"));
    }
}

#[tokio::test]
async fn without_smtp_settings_no_alert_is_offered_or_written() {
    for (backend, url, _dir) in backends().await {
        let s = site(&url, None).await;
        assert!(!s.app.mail_configured(), "{backend}");
        assert!(s.app.mail_worker().is_none(), "{backend}");
        let (cookie, client_id) = client(&s).await;
        let on = therapist(&s, "dr.on@example.org").await;
        grant(&url, client_id, on, true, false).await;
        reach_out(&s, &cookie).await;
        assert_eq!(outbox(&url).await, Vec::<Row>::new(), "{backend}");
    }
}

#[tokio::test]
async fn a_mail_server_that_is_down_is_tried_again_later_then_given_up_after_a_day() {
    for (backend, url, _dir) in backends().await {
        let addr = SmtpSink::start().await.stop().await;
        let s = site(&url, Some(mailer(addr))).await;
        let (cookie, client_id) = client(&s).await;
        let on = therapist(&s, "dr.on@example.org").await;
        grant(&url, client_id, on, true, false).await;
        reach_out(&s, &cookie).await;
        let worker = s.app.mail_worker().unwrap();

        let now = Utc::now();
        let round = worker.deliver_due(now).await.unwrap();
        assert_eq!(round.retrying, 1, "{backend}: {round:?}");
        let rows = outbox(&url).await;
        let (_, _, attempts, next, sent, gave_up, error) = rows[0].clone();
        assert_eq!((attempts, sent, gave_up), (1, None, None), "{backend}");
        assert_eq!(
            next,
            (now + TimeDelta::minutes(1)).timestamp_millis(),
            "{backend}"
        );
        let error = error.unwrap();
        assert!(
            error.contains("connection failed") && !error.contains('@'),
            "{backend}: {error}"
        );

        // Not yet due: nothing is tried.
        let early = worker
            .deliver_due(now + TimeDelta::seconds(30))
            .await
            .unwrap();
        assert_eq!(early, Round::default(), "{backend}");
        // Still down when due: the next wait is twice as long.
        let later = now + TimeDelta::seconds(61);
        assert_eq!(worker.deliver_due(later).await.unwrap().retrying, 1);
        let rows = outbox(&url).await;
        assert_eq!(rows[0].2, 2, "{backend}");
        assert_eq!(
            rows[0].3,
            (later + TimeDelta::minutes(2)).timestamp_millis()
        );

        // The server comes back: the message goes out at its next attempt.
        let sink = SmtpSink::start_on(addr).await;
        let back = later + TimeDelta::minutes(2);
        assert_eq!(worker.deliver_due(back).await.unwrap().sent, 1, "{backend}");
        assert_eq!(sink.messages().len(), 1, "{backend}");
        assert_eq!(sink.messages()[0].to, ["dr.on@example.org"]);
        let rows = outbox(&url).await;
        assert!(
            rows[0].4.is_some() && rows[0].6.is_none(),
            "{backend}: {rows:?}"
        );

        // Down again for a new change: after a day of trying, the message is given up.
        sink.stop().await;
        low_day(&s, &cookie, 0, true).await;
        assert_eq!(level(&s, &cookie).await, "urgent");
        let start = Utc::now();
        assert_eq!(worker.deliver_due(start).await.unwrap().retrying, 1);
        let day = start + TimeDelta::hours(24) + TimeDelta::seconds(1);
        let round = worker.deliver_due(day).await.unwrap();
        assert_eq!(round.given_up, 1, "{backend}: {round:?}");
        let sink = SmtpSink::start_on(addr).await;
        assert_eq!(
            worker.deliver_due(day + TimeDelta::hours(2)).await.unwrap(),
            Round::default()
        );
        assert!(sink.messages().is_empty(), "{backend}");
        let rows = outbox(&url).await;
        assert!(
            rows[1].5.is_some() && rows[1].4.is_none(),
            "{backend}: {rows:?}"
        );
    }
}

#[tokio::test]
async fn a_claim_that_runs_out_is_taken_up_again_and_only_its_holder_marks_the_row() {
    for (backend, url, _dir) in backends().await {
        let sink = SmtpSink::start().await;
        let s = site(&url, Some(mailer(sink.addr()))).await;
        let (cookie, client_id) = client(&s).await;
        let on = therapist(&s, "dr.on@example.org").await;
        grant(&url, client_id, on, true, false).await;
        reach_out(&s, &cookie).await;

        let now = Utc::now();
        let lease = TimeDelta::minutes(5);
        let first = s.store.claim_mail(now, now + lease, 10).await.unwrap();
        assert_eq!(first.len(), 1, "{backend}");
        assert_eq!(first[0].attempts, 1);
        // Held: another worker finds nothing, even the worker of this very server.
        let held = s
            .store
            .claim_mail(now + TimeDelta::minutes(1), now + lease, 10)
            .await;
        assert!(held.unwrap().is_empty(), "{backend}");
        let round = s.app.mail_worker().unwrap().deliver_due(now).await.unwrap();
        assert_eq!(round, Round::default(), "{backend}");
        // The first worker stopped mid-send: once its claim runs out, the row is due again.
        let then = now + TimeDelta::minutes(6);
        let second = s.store.claim_mail(then, then + lease, 10).await.unwrap();
        assert_eq!(second.len(), 1, "{backend}");
        assert_eq!((second[0].id, second[0].attempts), (first[0].id, 2));
        assert_ne!(second[0].claim, first[0].claim);
        // The first worker, late, cannot mark it; the holder can.
        assert!(
            !s.store
                .mail_sent(first[0].id, &first[0].claim, then)
                .await
                .unwrap()
        );
        let failed = s
            .store
            .mail_failed(first[0].id, &first[0].claim, then, None, "late")
            .await
            .unwrap();
        assert!(!failed, "{backend}");
        assert!(
            s.store
                .mail_sent(second[0].id, &second[0].claim, then)
                .await
                .unwrap()
        );
        let later = then + TimeDelta::hours(1);
        assert!(
            s.store
                .claim_mail(later, later + lease, 10)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            sink.messages().is_empty(),
            "the test claimed it; nothing was sent"
        );

        // Old rows are forgotten after a week.
        let week = now + TimeDelta::days(8);
        assert_eq!(s.store.forget_old_mail(week).await.unwrap(), 1, "{backend}");
        assert!(outbox(&url).await.is_empty(), "{backend}");
    }
}

#[tokio::test]
async fn a_grant_revoked_or_with_alerts_turned_off_before_sending_is_not_emailed() {
    for (backend, url, _dir) in backends().await {
        let sink = SmtpSink::start().await;
        let s = site(&url, Some(mailer(sink.addr()))).await;
        let (cookie, client_id) = client(&s).await;
        let a = therapist(&s, "dr.a@example.org").await;
        let b = therapist(&s, "dr.b@example.org").await;
        let ga = grant(&url, client_id, a, true, false).await;
        let gb = grant(&url, client_id, b, true, false).await;
        reach_out(&s, &cookie).await;
        assert_eq!(outbox(&url).await.len(), 2, "{backend}");
        let now = Utc::now().timestamp_millis();
        on_db!(&url, |c| {
            sqlx::query("UPDATE share_grants SET revoked_ms = $1 WHERE id = $2")
                .bind(now)
                .bind(ga)
                .execute(&mut c)
                .await
                .unwrap();
            sqlx::query("UPDATE share_grants SET alerts = $1 WHERE id = $2")
                .bind(false)
                .bind(gb)
                .execute(&mut c)
                .await
                .unwrap();
        });
        let worker = s.app.mail_worker().unwrap();
        assert_eq!(
            worker.deliver_due(Utc::now()).await.unwrap(),
            Round::default()
        );
        assert!(sink.messages().is_empty(), "{backend}");
    }
}

#[tokio::test]
async fn deleting_either_account_removes_its_alert_emails() {
    for (backend, url, _dir) in backends().await {
        let sink = SmtpSink::start().await;
        let s = site(&url, Some(mailer(sink.addr()))).await;
        let (cookie, client_id) = client(&s).await;
        let a = therapist(&s, "dr.a@example.org").await;
        let b = therapist(&s, "dr.b@example.org").await;
        grant(&url, client_id, a, true, false).await;
        let gb = grant(&url, client_id, b, true, false).await;
        reach_out(&s, &cookie).await;
        assert_eq!(outbox(&url).await.len(), 2, "{backend}");
        let id = domain::account::AccountId(a);
        assert!(s.store.delete_account(id).await.unwrap());
        let rows = outbox(&url).await;
        assert_eq!(rows.len(), 1, "{backend}");
        assert_eq!(rows[0].0, gb);
        let client = domain::account::AccountId(client_id);
        assert!(s.store.delete_account(client).await.unwrap());
        assert!(outbox(&url).await.is_empty(), "{backend}");
        assert!(sink.messages().is_empty());
    }
}

/// Two servers sharing one PostgreSQL database, each with its own store handle and worker,
/// deliver at the same moment: every message goes out exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_on_one_postgres_send_each_message_once() {
    let Some((url, _dir)) = database("postgres").await else {
        return;
    };
    let sink = SmtpSink::start().await;
    let one = site(&url, Some(mailer(sink.addr()))).await;
    let two = site(&url, Some(mailer(sink.addr()))).await;
    let (cookie, client_id) = client(&one).await;
    // More messages than one worker claims at a time, so both have a share to take.
    let mut addresses = Vec::new();
    for i in 0..45 {
        let email = format!("dr.{i}@example.org");
        let t = therapist(&one, &email).await;
        grant(&url, client_id, t, true, false).await;
        addresses.push(email);
    }
    reach_out(&one, &cookie).await;
    assert_eq!(outbox(&url).await.len(), 45);

    let now = Utc::now();
    let (w1, w2) = (
        one.app.mail_worker().unwrap(),
        two.app.mail_worker().unwrap(),
    );
    let a = tokio::spawn(async move { w1.deliver_due(now).await.unwrap() });
    let b = tokio::spawn(async move { w2.deliver_due(now).await.unwrap() });
    let (a, b) = (a.await.unwrap(), b.await.unwrap());
    assert_eq!(a.sent + b.sent, 45, "{a:?} {b:?}");
    let mut got: Vec<String> = sink.messages().into_iter().flat_map(|m| m.to).collect();
    got.sort();
    addresses.sort();
    assert_eq!(got, addresses, "each therapist once");

    // The claim itself, raced many times over: no row is ever claimed by both.
    low_day(&one, &cookie, 0, true).await;
    assert_eq!(level(&one, &cookie).await, "urgent");
    let claimer = |store: Arc<dyn Store>| {
        tokio::spawn(async move {
            let mut ids = Vec::new();
            loop {
                let now = Utc::now();
                let got = store
                    .claim_mail(now, now + TimeDelta::minutes(5), 1)
                    .await
                    .unwrap();
                if got.is_empty() {
                    return ids;
                }
                ids.extend(got.into_iter().map(|m| m.id));
            }
        })
    };
    let (x, y) = (claimer(one.store.clone()), claimer(two.store.clone()));
    let (x, y) = (x.await.unwrap(), y.await.unwrap());
    assert_eq!(x.len() + y.len(), 45, "{} + {}", x.len(), y.len());
    let mut all: Vec<i64> = x.iter().chain(&y).copied().collect();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 45, "a row was claimed twice");
}
