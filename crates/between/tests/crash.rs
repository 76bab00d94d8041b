//! Power-cut safety: concurrent writers, the server killed with SIGKILL at random moments,
//! restarted each time. No acknowledged check-in may be lost, none may be stored twice, and
//! the database must pass SQLite's integrity check after every crash.
//!
//! `scripts/test` runs it against the release binary (`BETWEEN_TEST_BIN`); the seed is
//! printed so a failing run can be repeated with `BETWEEN_CRASH_SEED`.
// clippy.toml allows these inside #[test] functions only; helpers here use them too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use sqlx::ConnectOptions;
use sqlx::sqlite::SqliteConnectOptions;
use support::*;

const CYCLES: usize = 20;
// Enough at once that the writer commits them in groups, as a busy server does.
const WRITERS: usize = 16;

/// A small, seedable generator: enough to pick kill moments and ratings.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// One check-in a writer means to store, with the body it sends on every try.
#[derive(Clone)]
struct Write {
    client_id: String,
    body: String,
}

#[derive(Default)]
struct Ledger {
    /// Client id → the mood the server acknowledged (201 or 200).
    acknowledged: HashMap<String, i64>,
    /// Sent but never answered: a crash came first. Retried with the same id and body.
    pending: Vec<Write>,
}

fn new_write(rng: &mut Rng, writer: usize, n: usize) -> Write {
    let client_id = format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        rng.next() as u32,
        writer,
        n % 0xfff,
        rng.below(0xfff),
        rng.next() & 0xffff_ffff_ffff
    );
    let mood = rng.below(11);
    let body = format!(
        r#"{{"client_id":"{client_id}","mood":{mood},"note":"crash test writer {writer} item {n}"}}"#
    );
    Write { client_id, body }
}

fn mood_of(body: &str) -> i64 {
    let json: serde_json::Value = serde_json::from_str(body).unwrap();
    json["mood"].as_i64().unwrap()
}

/// Writes until told to stop or the server goes away; retries pending writes first.
fn writer(
    addr: String,
    token: String,
    ledger: Arc<Mutex<Ledger>>,
    stop: Arc<AtomicBool>,
    id: usize,
    seed: u64,
) {
    let mut rng = Rng(seed | 1);
    let mut n = 0;
    while !stop.load(Ordering::Relaxed) {
        let write = ledger.lock().unwrap().pending.pop().unwrap_or_else(|| {
            n += 1;
            new_write(&mut rng, id, n)
        });
        let request = api_request(&addr, "POST", "/api/v1/checkins", &token, Some(&write.body));
        match try_http(&addr, &request) {
            Ok((201 | 200, reply)) => {
                let stored = json_body(&reply);
                assert_eq!(stored["client_id"].as_str(), Some(write.client_id.as_str()));
                ledger
                    .lock()
                    .unwrap()
                    .acknowledged
                    .insert(write.client_id.clone(), mood_of(&write.body));
            }
            Ok((0, _)) | Err(_) => {
                // No answer: the write may or may not have landed. Keep it for a retry.
                ledger.lock().unwrap().pending.push(write);
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                std::thread::sleep(Duration::from_millis(5));
            }
            Ok((status, reply)) => {
                panic!("a write or its retry was refused with {status}: {reply}");
            }
        }
    }
}

async fn integrity(db: &Path) -> String {
    let mut conn = SqliteConnectOptions::from_str(&format!("sqlite://{}", db.display()))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let ok: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    ok
}

/// Every check-in the server holds: client id → mood, failing on a duplicate.
fn stored(addr: &str, token: &str) -> (HashMap<String, i64>, usize) {
    let (status, reply) = http(
        addr,
        &api_request(addr, "GET", "/api/v1/checkins", token, None),
    );
    assert_eq!(status, 200, "{reply}");
    let body = json_body(&reply);
    let list = body["checkins"].as_array().unwrap();
    let mut seen = HashMap::new();
    let mut duplicates = 0;
    for c in list {
        let id = c["client_id"].as_str().unwrap().to_string();
        if seen.insert(id, c["mood"].as_i64().unwrap()).is_some() {
            duplicates += 1;
        }
    }
    (seen, duplicates)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_acknowledged_write_is_lost_or_doubled_across_kill_9() {
    let seed = std::env::var("BETWEEN_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    println!("crash test seed {seed} (repeat with BETWEEN_CRASH_SEED={seed})");
    let mut rng = Rng(seed | 1);

    let base = tempfile::tempdir().unwrap();
    let data = base.path().join("data");
    let token = account_with_token(&data, "crash@example.org");
    let db = data.join("between.sqlite3");
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let started = Instant::now();
    let mut pending_at_crash = 0;

    for cycle in 0..=CYCLES {
        let mut server = serve(&data);
        let addr = server.addr.clone();

        // What was acknowledged before is all there, exactly once.
        let (held, duplicates) = stored(&addr, &token);
        assert_eq!(duplicates, 0, "cycle {cycle}: duplicate check-ins");
        let acknowledged = ledger.lock().unwrap().acknowledged.clone();
        for (id, mood) in &acknowledged {
            assert_eq!(
                held.get(id),
                Some(mood),
                "cycle {cycle}: acknowledged {id} lost"
            );
        }
        if cycle == CYCLES {
            // The last round: retry what was never answered, without a crash, and check again.
            let pending: Vec<Write> = std::mem::take(&mut ledger.lock().unwrap().pending);
            for w in pending {
                let (status, reply) = post_checkin(&addr, &token, &w.body);
                assert!(status == 200 || status == 201, "retry refused: {reply}");
                ledger
                    .lock()
                    .unwrap()
                    .acknowledged
                    .insert(w.client_id.clone(), mood_of(&w.body));
            }
            let (held, duplicates) = stored(&addr, &token);
            assert_eq!(duplicates, 0, "duplicates after the final retries");
            let acknowledged = ledger.lock().unwrap().acknowledged.clone();
            let extra: HashSet<_> = held
                .keys()
                .filter(|k| !acknowledged.contains_key(*k))
                .collect();
            assert!(extra.is_empty(), "check-ins nobody sent: {extra:?}");
            assert_eq!(held.len(), acknowledged.len());
            assert!(server.stop().success());
            break;
        }

        let stop = Arc::new(AtomicBool::new(false));
        let writers: Vec<_> = (0..WRITERS)
            .map(|w| {
                let (addr, token, ledger, stop) =
                    (addr.clone(), token.clone(), ledger.clone(), stop.clone());
                let seed = rng.next() ^ (cycle as u64) << 8 ^ w as u64;
                std::thread::spawn(move || writer(addr, token, ledger, stop, w, seed))
            })
            .collect();
        std::thread::sleep(Duration::from_millis(150 + rng.below(450)));
        server.crash();
        stop.store(true, Ordering::Relaxed);
        for w in writers {
            w.join().unwrap();
        }
        pending_at_crash += ledger.lock().unwrap().pending.len();
        let check = integrity(&db).await;
        assert_eq!(
            check, "ok",
            "cycle {cycle}: integrity check after the crash"
        );
    }

    let l = ledger.lock().unwrap();
    println!(
        "crash test: {CYCLES} kill -9 cycles in {:.1} s, {} writes acknowledged, 0 lost, 0 duplicated, {} unanswered at a crash (retried with the same id), integrity ok after every crash",
        started.elapsed().as_secs_f64(),
        l.acknowledged.len(),
        pending_at_crash,
    );
    assert!(
        l.acknowledged.len() >= CYCLES * 10,
        "too few writes to mean anything"
    );
}
