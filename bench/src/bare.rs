//! `between-bench bare-server --db PATH --listen ADDR`: the baseline Between's writes are
//! measured against. It is the least a durable, idempotent check-in write can cost on this
//! machine: axum parses a small JSON body, one writer thread batches every request waiting
//! into one transaction (group commit) on a SQLite file in WAL mode with `synchronous=FULL`,
//! and each request is answered only after its COMMIT returned. No accounts, no sessions, no
//! guidance: everything Between does beyond this is what the ratio shows.
//!
//! `--driver sqlx` runs the same group commit through sqlx's SQLite driver instead (one
//! connection owned by one task), so the bench also shows what the choice of driver costs.

use std::net::SocketAddr;
use std::str::FromStr;

use anyhow::{Context, anyhow, bail};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use serde::Deserialize;
use sqlx::Connection;
use tokio::sync::{mpsc, oneshot};

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
    let mut sqlx_driver = false;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--db" => db = it.next().cloned(),
            "--listen" => listen = it.next().context("--listen needs an address")?.parse()?,
            "--driver" => match it.next().map(String::as_str) {
                Some("rusqlite") => sqlx_driver = false,
                Some("sqlx") => sqlx_driver = true,
                other => bail!("bare-server: --driver is rusqlite or sqlx, not {other:?}"),
            },
            other => bail!("bare-server: unknown argument {other}"),
        }
    }
    let db = db.context("bare-server needs --db PATH")?;
    // Made by rusqlite either way, so both drivers write the same table.
    let conn = open(&db)?;
    let (tx, rx) = mpsc::unbounded_channel::<Job>();

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    if sqlx_driver {
        drop(conn);
        let options = sqlx::sqlite::SqliteConnectOptions::from_str(&db)?
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
            .synchronous(sqlx::sqlite::SqliteSynchronous::Full)
            .foreign_keys(true);
        let conn = runtime.block_on(sqlx::SqliteConnection::connect_with(&options))?;
        runtime.spawn(sqlx_writer(conn, rx));
    } else {
        std::thread::Builder::new()
            .name("writer".into())
            .spawn(move || writer(conn, rx))?;
    }
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
    State(writer): State<mpsc::UnboundedSender<Job>>,
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
fn writer(mut conn: rusqlite::Connection, mut jobs: mpsc::UnboundedReceiver<Job>) {
    while let Some(first) = jobs.blocking_recv() {
        let mut batch = vec![first];
        while let Ok(job) = jobs.try_recv() {
            batch.push(job);
        }
        let outcome = write(&mut conn, &batch_view(&batch));
        answer(batch, outcome);
    }
}

/// The same writer on sqlx: one task owns the one connection; every statement is a round
/// trip to sqlx's worker thread for that connection.
async fn sqlx_writer(mut conn: sqlx::SqliteConnection, mut jobs: mpsc::UnboundedReceiver<Job>) {
    while let Some(first) = jobs.recv().await {
        let mut batch = vec![first];
        while let Ok(job) = jobs.try_recv() {
            batch.push(job);
        }
        let outcome = sqlx_write(&mut conn, &batch_view(&batch)).await;
        answer(batch, outcome);
    }
}

async fn sqlx_write(
    conn: &mut sqlx::SqliteConnection,
    batch: &[(uuid::Uuid, i64, i64)],
) -> anyhow::Result<Vec<bool>> {
    let mut tx = conn.begin().await?;
    let mut new = Vec::with_capacity(batch.len());
    for (client_id, at, mood) in batch {
        let done = sqlx::query(
            "INSERT INTO checkins (client_id, at, mood) VALUES (?1, ?2, ?3)
             ON CONFLICT (client_id) DO NOTHING",
        )
        .bind(client_id.as_bytes().as_slice())
        .bind(at)
        .bind(mood)
        .execute(&mut *tx)
        .await?;
        new.push(done.rows_affected() == 1);
    }
    tx.commit().await.map_err(|e| anyhow!("commit: {e}"))?;
    Ok(new)
}

/// What each job writes: client id, time, mood.
fn batch_view(batch: &[Job]) -> Vec<(uuid::Uuid, i64, i64)> {
    batch.iter().map(|j| (j.client_id, j.at, j.mood)).collect()
}

/// Answers every job of a batch once its commit returned.
fn answer(batch: Vec<Job>, outcome: anyhow::Result<Vec<bool>>) {
    match outcome {
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

fn write(
    conn: &mut rusqlite::Connection,
    batch: &[(uuid::Uuid, i64, i64)],
) -> anyhow::Result<Vec<bool>> {
    let tx = conn.transaction()?;
    let mut new = Vec::with_capacity(batch.len());
    {
        let mut insert = tx.prepare_cached(
            "INSERT INTO checkins (client_id, at, mood) VALUES (?1, ?2, ?3)
             ON CONFLICT (client_id) DO NOTHING",
        )?;
        for (client_id, at, mood) in batch {
            let rows =
                insert.execute(rusqlite::params![client_id.as_bytes().as_slice(), at, mood])?;
            new.push(rows == 1);
        }
    }
    tx.commit().map_err(|e| anyhow!("commit: {e}"))?;
    Ok(new)
}
