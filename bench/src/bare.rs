//! `between-bench bare-server --db PATH --listen ADDR`: the baseline Between's writes are
//! measured against. It is the least a durable, idempotent check-in write can cost on this
//! machine: axum parses a small JSON body, one writer thread batches every request waiting
//! into one transaction (group commit) on a SQLite file in WAL mode with `synchronous=FULL`,
//! and each request is answered only after its COMMIT returned. No accounts, no sessions, no
//! guidance: everything Between does beyond this is what the ratio shows.

use std::net::SocketAddr;
use std::sync::mpsc;

use anyhow::{Context, anyhow, bail};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use serde::Deserialize;
use tokio::sync::oneshot;

#[derive(Deserialize)]
struct CheckIn {
    client_id: uuid::Uuid,
    mood: i64,
}

/// One write waiting for the writer; the answer says whether the row was new.
struct Job {
    client_id: uuid::Uuid,
    mood: i64,
    at: i64,
    done: oneshot::Sender<Result<bool, String>>,
}

pub fn main(args: &[String]) -> anyhow::Result<()> {
    let mut db = None;
    let mut listen: SocketAddr = SocketAddr::from(([127, 0, 0, 1], 0));
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--db" => db = it.next().cloned(),
            "--listen" => listen = it.next().context("--listen needs an address")?.parse()?,
            other => bail!("bare-server: unknown argument {other}"),
        }
    }
    let db = db.context("bare-server needs --db PATH")?;
    let conn = open(&db)?;
    let (tx, rx) = mpsc::channel::<Job>();
    std::thread::Builder::new()
        .name("writer".into())
        .spawn(move || writer(conn, rx))?;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(listen).await?;
        // The bench reads this line to learn the port, as it does from `between serve`.
        println!("listening on http://{}/", listener.local_addr()?);
        let app = axum::Router::new()
            .route("/api/v1/checkins", post(create))
            .with_state(tx);
        axum::serve(listener, app).await?;
        anyhow::Ok(())
    })
}

fn open(path: &str) -> anyhow::Result<rusqlite::Connection> {
    let conn = rusqlite::Connection::open(path)?;
    // The settings ENGINEERING.md asks of Between, so the baseline pays the same fsyncs.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS checkins (
             id INTEGER PRIMARY KEY,
             client_id BLOB NOT NULL UNIQUE,
             at INTEGER NOT NULL,
             mood INTEGER NOT NULL
         );",
    )?;
    Ok(conn)
}

async fn create(
    State(writer): State<mpsc::Sender<Job>>,
    Json(input): Json<CheckIn>,
) -> (StatusCode, Json<serde_json::Value>) {
    if !(0..=10).contains(&input.mood) {
        let body = serde_json::json!({"error": "mood is 0–10"});
        return (StatusCode::UNPROCESSABLE_ENTITY, Json(body));
    }
    let (done, answer) = oneshot::channel();
    let job = Job {
        client_id: input.client_id,
        mood: input.mood,
        at: chrono::Utc::now().timestamp_millis(),
        done,
    };
    let outcome = match writer.send(job) {
        Ok(()) => answer.await.map_err(|e| e.to_string()).and_then(|r| r),
        Err(e) => Err(e.to_string()),
    };
    match outcome {
        Ok(new) => {
            let status = if new {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            let body = serde_json::json!({"client_id": input.client_id, "mood": input.mood});
            (status, Json(body))
        }
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(serde_json::json!({"error": e})),
        ),
    }
}

/// The one writer: takes everything queued, writes it in one transaction, answers after
/// COMMIT. One fsync then covers the whole batch, which is what makes group commit fast.
fn writer(mut conn: rusqlite::Connection, jobs: mpsc::Receiver<Job>) {
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        batch.extend(jobs.try_iter());
        match write(&mut conn, &batch) {
            Ok(new) => {
                for (job, new) in batch.into_iter().zip(new) {
                    let _ = job.done.send(Ok(new));
                }
            }
            Err(e) => {
                for job in batch {
                    let _ = job.done.send(Err(e.to_string()));
                }
            }
        }
    }
}

fn write(conn: &mut rusqlite::Connection, batch: &[Job]) -> anyhow::Result<Vec<bool>> {
    let tx = conn.transaction()?;
    let mut new = Vec::with_capacity(batch.len());
    {
        let mut insert = tx.prepare_cached(
            "INSERT INTO checkins (client_id, at, mood) VALUES (?1, ?2, ?3)
             ON CONFLICT (client_id) DO NOTHING",
        )?;
        for job in batch {
            let rows = insert.execute(rusqlite::params![
                job.client_id.as_bytes().as_slice(),
                job.at,
                job.mood
            ])?;
            new.push(rows == 1);
        }
    }
    tx.commit().map_err(|e| anyhow!("commit: {e}"))?;
    Ok(new)
}
