//! One story of what every Store must do, told against SQLite and against PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use domain::account::{Email, Role, TherapistContact};
use domain::checkin::{BodySignal, CheckInInput, UsualActivities};
use domain::rating::Rating;
use store::{DatabaseUrl, NewAccount, Store, StoreError, Written};
use uuid::Uuid;

fn new_account(email: &str) -> NewAccount {
    NewAccount {
        email: Email::parse(email).unwrap(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        role: Role::Client,
        country: Some("GB".into()),
        timezone: "Europe/London".into(),
        usual_mood: Some(Rating::new(7).unwrap()),
        therapist: TherapistContact {
            name: Some("Dr Ada Okafor".into()),
            phone: Some("+44 20 7946 0000".into()),
            email: None,
        },
    }
}

async fn story(store: Arc<dyn Store>) {
    // Accounts: a fresh store is empty; emails are unique.
    assert_eq!(store.account_count().await.unwrap(), 0);
    let sam = store
        .create_account(&new_account("sam@example.org"))
        .await
        .unwrap();
    let kim = store
        .create_account(&new_account("kim@example.org"))
        .await
        .unwrap();
    assert_eq!(store.account_count().await.unwrap(), 2);
    assert_eq!(sam.role, Role::Client);
    assert_eq!(sam.usual_mood.map(Rating::get), Some(7));
    assert_eq!(sam.therapist.name.as_deref(), Some("Dr Ada Okafor"));
    assert!(matches!(
        store.create_account(&new_account("SAM@example.org")).await,
        Err(StoreError::Conflict(_))
    ));
    let (found, hash) = store
        .account_for_sign_in(&Email::parse("sam@example.org").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id, sam.id);
    assert!(hash.starts_with("$argon2id$"));
    assert!(
        store
            .account_for_sign_in(&Email::parse("nobody@example.org").unwrap())
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        store.account(kim.id).await.unwrap().unwrap().email,
        kim.email
    );

    // Sessions: found by hash until they expire or are deleted.
    let now = Utc::now();
    store
        .create_session(sam.id, "hash-a", "csrf-a", now + Duration::hours(1))
        .await
        .unwrap();
    store
        .create_session(sam.id, "hash-old", "csrf-old", now - Duration::seconds(1))
        .await
        .unwrap();
    let s = store.session("hash-a", now).await.unwrap().unwrap();
    assert_eq!(s.account.id, sam.id);
    assert_eq!(s.csrf_token, "csrf-a");
    assert!(store.session("hash-old", now).await.unwrap().is_none());
    assert!(
        store
            .session("hash-a", now + Duration::hours(2))
            .await
            .unwrap()
            .is_none()
    );
    store.delete_session("hash-a").await.unwrap();
    assert!(store.session("hash-a", now).await.unwrap().is_none());

    // API tokens.
    store
        .create_api_token(kim.id, "tok-k", "phone")
        .await
        .unwrap();
    assert_eq!(
        store
            .account_for_api_token("tok-k")
            .await
            .unwrap()
            .map(|a| a.id),
        Some(kim.id)
    );
    assert!(
        store
            .account_for_api_token("tok-x")
            .await
            .unwrap()
            .is_none()
    );

    // Check-ins: every field survives; a retry with the same client id is not a duplicate.
    let at = Utc.with_ymd_and_hms(2026, 11, 20, 18, 30, 0).unwrap();
    let full = CheckInInput {
        client_id: Some(Uuid::new_v4()),
        at: Some(at),
        mood: Some(3),
        anxiety: Some(6),
        energy: Some(4),
        body: Some(vec!["fatigue".into(), "tension".into()]),
        usual_activities: Some("partly".into()),
        missed_usual_activities: Some(true),
        harder_today: Some(vec!["getting-up".into(), "Seeing my sister".into()]),
        sleep_hours: Some(6.5),
        substances: Some("two glasses of wine".into()),
        self_harm_thoughts: Some(false),
        note: Some("Heavy after Tuesday — שלום — 🌧️".into()),
    }
    .validate(Utc::now())
    .unwrap();
    let (stored, w) = store.insert_checkin(sam.id, &full).await.unwrap();
    assert_eq!(w, Written::Created);
    assert_eq!(stored.content, full);
    assert_eq!(stored.account_id, sam.id);
    assert_eq!(
        stored.content.body,
        vec![BodySignal::Fatigue, BodySignal::Tension]
    );
    assert_eq!(
        stored.content.usual_activities,
        Some(UsualActivities::Partly)
    );
    let (again, w) = store.insert_checkin(sam.id, &full).await.unwrap();
    assert_eq!(w, Written::Existing);
    assert_eq!(again.id, stored.id);

    // The same client id from another account is that account's own check-in.
    let (kims, w) = store.insert_checkin(kim.id, &full).await.unwrap();
    assert_eq!(w, Written::Created);
    assert_ne!(kims.id, stored.id);

    let minimal = CheckInInput {
        mood: Some(8),
        at: Some(at + Duration::days(1)),
        ..Default::default()
    }
    .validate(Utc::now())
    .unwrap();
    store.insert_checkin(sam.id, &minimal).await.unwrap();

    // Reads are scoped to the account and ordered by time; the range is [from, to).
    let all = store.checkins(sam.id, None, None).await.unwrap();
    assert_eq!(all.len(), 2);
    assert!(all[0].content.at < all[1].content.at);
    assert!(all.iter().all(|c| c.account_id == sam.id));
    let first_day = store
        .checkins(sam.id, Some(at), Some(at + Duration::days(1)))
        .await
        .unwrap();
    assert_eq!(first_day.len(), 1);
    assert_eq!(store.checkins(kim.id, None, None).await.unwrap().len(), 1);

    // Concurrent retries of one client id still store exactly one row.
    let racing = CheckInInput {
        mood: Some(5),
        ..Default::default()
    }
    .validate(Utc::now())
    .unwrap();
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (s, c) = (store.clone(), racing.clone());
        tasks.push(tokio::spawn(
            async move { s.insert_checkin(kim.id, &c).await },
        ));
    }
    let mut ids = Vec::new();
    for t in tasks {
        ids.push(t.await.unwrap().unwrap().0.id);
    }
    ids.dedup();
    assert_eq!(ids.len(), 1);
    assert_eq!(store.checkins(kim.id, None, None).await.unwrap().len(), 2);
}

async fn therapy_story(store: Arc<dyn Store>) {
    use domain::therapy::{AgendaSource, ReflectionInput};
    use store::GuidanceChange;

    let ana = store
        .create_account(&new_account("ana@example.org"))
        .await
        .unwrap();
    let bo = store
        .create_account(&new_account("bo@example.org"))
        .await
        .unwrap();
    let t0 = Utc.with_ymd_and_hms(2026, 11, 3, 15, 0, 0).unwrap();

    // Sessions: one, and a weekly series; reads are scoped and ordered.
    let one = store
        .add_therapy_sessions(ana.id, &[t0 - Duration::days(30)], Some("intake"), None)
        .await
        .unwrap();
    assert_eq!(one[0].note.as_deref(), Some("intake"));
    let series_id = Uuid::new_v4();
    let weekly: Vec<_> = (0..4).map(|i| t0 + Duration::days(7 * i)).collect();
    let series = store
        .add_therapy_sessions(ana.id, &weekly, None, Some(series_id))
        .await
        .unwrap();
    assert_eq!(series.len(), 4);
    assert!(series.iter().all(|s| s.series == Some(series_id)));
    store
        .add_therapy_sessions(bo.id, &[t0], None, None)
        .await
        .unwrap();
    let all = store.therapy_sessions(ana.id, None, None).await.unwrap();
    assert_eq!(all.len(), 5);
    assert!(all.windows(2).all(|w| w[0].at <= w[1].at));
    assert_eq!(
        store
            .therapy_sessions(ana.id, Some(t0), Some(t0 + Duration::days(8)))
            .await
            .unwrap()
            .len(),
        2
    );
    // Another account cannot delete Ana's sessions.
    assert_eq!(
        store
            .delete_therapy_session(bo.id, series[1].id, true)
            .await
            .unwrap(),
        0
    );
    // Removing the second of the series "and later" leaves the first.
    assert_eq!(
        store
            .delete_therapy_session(ana.id, series[1].id, true)
            .await
            .unwrap(),
        3
    );
    assert_eq!(
        store
            .therapy_sessions(ana.id, None, None)
            .await
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        store
            .delete_therapy_session(ana.id, one[0].id, false)
            .await
            .unwrap(),
        1
    );

    // Reflections: idempotent, topics join the agenda in the same write.
    let r = ReflectionInput {
        client_id: Some(Uuid::new_v4()),
        session_feeling: Some(4),
        came_up: Some(vec!["ran_out_of_time".into()]),
        feedback: Some("the homework felt rushed".into()),
        topics: Some("my sister\nsleep".into()),
    }
    .validate()
    .unwrap();
    let at = t0 + Duration::hours(2);
    let (first, w) = store
        .insert_reflection(ana.id, Some(series[0].id), at, &r)
        .await
        .unwrap();
    assert_eq!(w, Written::Created);
    assert_eq!(first.session_id, Some(series[0].id));
    let (again, w) = store
        .insert_reflection(ana.id, Some(series[0].id), at, &r)
        .await
        .unwrap();
    assert_eq!((again.id, w), (first.id, Written::Existing));
    // A session of another account is not linked.
    let (foreign, _) = store
        .insert_reflection(
            bo.id,
            Some(series[0].id),
            at,
            &ReflectionInput::default().validate().unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(foreign.session_id, None);
    assert_eq!(store.reflections_since(ana.id, t0).await.unwrap().len(), 1);

    let agenda = store.agenda(ana.id, false).await.unwrap();
    let texts: Vec<_> = agenda.iter().map(|a| a.text.as_str()).collect();
    assert_eq!(texts, ["my sister", "sleep"]);
    assert!(agenda.iter().all(|a| a.source == AgendaSource::PostSession));
    let manual = store
        .add_agenda_item(ana.id, "ask for homework", AgendaSource::Manual)
        .await
        .unwrap();
    assert!(
        !store
            .set_agenda_discussed(bo.id, manual.id, Some(at))
            .await
            .unwrap()
    );
    assert!(
        store
            .set_agenda_discussed(ana.id, manual.id, Some(at))
            .await
            .unwrap()
    );
    assert_eq!(store.agenda(ana.id, false).await.unwrap().len(), 2);
    let with_done = store.agenda(ana.id, true).await.unwrap();
    assert_eq!(with_done.len(), 3);
    assert!(with_done.iter().any(|a| a.discussed_at == Some(at)));
    assert!(store.agenda(bo.id, true).await.unwrap().is_empty());

    // Guidance history: latest first on read of the latest, oldest first in the history.
    assert!(store.latest_guidance(ana.id).await.unwrap().is_none());
    let steady = GuidanceChange {
        at: t0,
        level: "steady".into(),
        reasons: serde_json::json!([]),
    };
    let reach = GuidanceChange {
        at: t0 + Duration::days(4),
        level: "reach_out".into(),
        reasons: serde_json::json!([{"code": "persisting", "days": 4}]),
    };
    store.record_guidance(ana.id, &steady).await.unwrap();
    store.record_guidance(ana.id, &reach).await.unwrap();
    assert_eq!(
        store.latest_guidance(ana.id).await.unwrap(),
        Some(reach.clone())
    );
    assert_eq!(
        store.guidance_history(ana.id, None).await.unwrap(),
        vec![steady, reach.clone()]
    );
    assert_eq!(
        store
            .guidance_history(ana.id, Some(t0 + Duration::days(1)))
            .await
            .unwrap(),
        vec![reach]
    );
    assert!(store.latest_guidance(bo.id).await.unwrap().is_none());
}

#[tokio::test]
async fn sqlite_conformance() {
    let dir = tempfile::tempdir().unwrap();
    let store = store::open(&DatabaseUrl::sqlite_in(dir.path()))
        .await
        .unwrap();
    assert_eq!(store.backend(), "sqlite");
    story(store.clone()).await;
    therapy_story(store).await;
}

#[tokio::test]
async fn postgres_conformance() {
    let Some(url) = postgres_test_database().await else {
        return;
    };
    let store = store::open(&DatabaseUrl::parse(&url).unwrap())
        .await
        .unwrap();
    assert_eq!(store.backend(), "postgres");
    story(store.clone()).await;
    therapy_story(store).await;
}

#[tokio::test]
async fn sqlite_is_durable_and_refuses_a_newer_schema() {
    use sqlx::Connection;
    let dir = tempfile::tempdir().unwrap();
    let url = DatabaseUrl::sqlite_in(dir.path());
    drop(store::open(&url).await.unwrap());
    let DatabaseUrl::Sqlite(raw) = &url else {
        unreachable!()
    };
    let mut conn = sqlx::SqliteConnection::connect(raw).await.unwrap();
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(mode, "wal");
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (999999, 'from the future', 1, x'00', 0)",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();
    let err = store::open(&url)
        .await
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("newer than this build"), "{err}");
}

#[tokio::test]
async fn postgres_refuses_a_newer_schema() {
    let Some(url) = postgres_test_database().await else {
        return;
    };
    let parsed = DatabaseUrl::parse(&url).unwrap();
    drop(store::open(&parsed).await.unwrap());
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (999999, 'from the future', true, '\\x00', 0)",
    )
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;
    let err = store::open(&parsed)
        .await
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("newer than this build"), "{err}");
}

/// A fresh database on the test PostgreSQL server. Without `BETWEEN_TEST_DATABASE_URL` the
/// test fails, unless the developer opted out by name with `BETWEEN_SKIP_POSTGRES=1`.
async fn postgres_test_database() -> Option<String> {
    let Ok(admin_url) = std::env::var("BETWEEN_TEST_DATABASE_URL") else {
        if std::env::var("BETWEEN_SKIP_POSTGRES").as_deref() == Ok("1") {
            eprintln!("PostgreSQL tests skipped: BETWEEN_SKIP_POSTGRES=1");
            return None;
        }
        panic!(
            "BETWEEN_TEST_DATABASE_URL is not set: run scripts/test (it starts a throwaway \
             PostgreSQL), or set BETWEEN_SKIP_POSTGRES=1 to skip these tests on purpose"
        );
    };
    let name = format!("between_test_{}", Uuid::new_v4().simple());
    let pool = sqlx::PgPool::connect(&admin_url).await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let (base, _) = admin_url.rsplit_once('/').unwrap();
    Some(format!("{base}/{name}"))
}
