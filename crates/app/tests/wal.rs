//! Years of writes on the embedded database: the write-ahead log stays small while the app
//! runs, and after a clean stop the database file alone holds everything.

use std::path::Path;
use std::str::FromStr;

use app::{App, NewUser, Settings};
use chrono::{Duration, TimeZone, Utc};
use domain::account::Role;
use domain::checkin::CheckInInput;
use sqlx::ConnectOptions;
use sqlx::sqlite::SqliteConnectOptions;
use store::DatabaseUrl;
use uuid::Uuid;

const CHECKINS: i64 = 20_000;
const WAL_LIMIT: u64 = 16 * 1024 * 1024;
/// Check-ins sent together after the first tenth, which goes one at a time.
const AT_ONCE: i64 = 64;

fn size(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wal_stays_bounded_and_a_clean_stop_leaves_one_complete_file() {
    let dir = tempfile::tempdir().unwrap();
    let store = store::testing::open(&DatabaseUrl::sqlite_in(dir.path()))
        .await
        .unwrap();
    let app = App::new(store.clone(), Settings::default());
    app.add_user(NewUser {
        email: "sam@example.org".into(),
        password: "a long enough password".into(),
        role: Role::Client,
        country: None,
        timezone: None,
    })
    .await
    .unwrap();
    let actor = app.operator_actor("sam@example.org").await.unwrap();

    let wal = dir.path().join("between.sqlite3-wal");
    let mut largest = 0;
    // Hourly check-ins from 2020 on: years of a committed user's history, each with a note
    // so that pages fill quickly, written as a busy server writes them: many at once, so
    // the writer commits them in groups, as well as one at a time.
    let start = Utc.with_ymd_and_hms(2020, 1, 1, 8, 0, 0).unwrap();
    let mut i = 0;
    while i < CHECKINS {
        let at_once = if i < CHECKINS / 100 { 1 } else { AT_ONCE };
        let mut writes = tokio::task::JoinSet::new();
        for j in i..(i + at_once).min(CHECKINS) {
            let (app, actor) = (app.clone(), actor.clone());
            writes.spawn(async move {
                app.record_checkin(
                    &actor,
                    CheckInInput {
                        client_id: Some(Uuid::new_v4()),
                        at: Some(start + Duration::hours(j)),
                        mood: Some(j % 11),
                        note: Some(format!("check-in {j}: a few words about the day")),
                        ..CheckInInput::default()
                    },
                )
                .await
                .map(|_| ())
            });
        }
        while let Some(done) = writes.join_next().await {
            done.unwrap().unwrap();
        }
        i += at_once;
        largest = largest.max(size(&wal));
    }
    assert!(
        largest <= WAL_LIMIT,
        "the WAL reached {largest} bytes over {CHECKINS} check-ins"
    );
    assert!(largest > 0, "the database did not run in WAL mode");

    store.close().await.unwrap();
    assert_eq!(size(&wal), 0, "the WAL still holds data after a clean stop");
    assert!(!dir.path().join("between.sqlite3-shm").exists() || size(&wal) == 0);

    // The database file alone, copied elsewhere and opened read-only, holds every row.
    let copy = tempfile::tempdir().unwrap();
    let lone = copy.path().join("copy.sqlite3");
    std::fs::copy(dir.path().join("between.sqlite3"), &lone).unwrap();
    let mut conn = SqliteConnectOptions::from_str(&format!("sqlite://{}", lone.display()))
        .unwrap()
        .read_only(true)
        .connect()
        .await
        .unwrap();
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM checkins")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(rows, CHECKINS);
    let accounts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM accounts")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(accounts, 1);
    println!("largest WAL over {CHECKINS} check-ins: {largest} bytes");
}
