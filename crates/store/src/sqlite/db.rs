//! The embedded database's two ways in: one writer thread that commits whatever writes are
//! waiting as one transaction (group commit), and a small pool of read-only connections
//! that run a read right where it is asked for.
//!
//! Why not a connection pool with a driver thread per connection: every statement would be
//! a hop between threads (a wake-up on each side), and every write its own fsync. Here a
//! write is one hop to the writer and back, however many statements it runs, and one fsync
//! serves every request that arrived while the previous commit was on its way to the disk.
//! The figures are in docs/performance.md.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::mpsc;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};
use tokio::sync::oneshot;

use crate::StoreError;

/// Pages of WAL after which a commit checkpoints them into the main file (SQLite's default,
/// stated so it cannot drift).
pub(crate) const AUTOCHECKPOINT_PAGES: u32 = 1000;
/// Once a checkpoint has copied everything, the WAL file is cut back to this size, so a burst
/// of writes does not leave a large file behind.
pub(crate) const WAL_SIZE_LIMIT_BYTES: u64 = 4 * 1024 * 1024;
/// How long a connection waits for another process's lock (an operator command, a backup)
/// before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// The most writes one transaction carries: enough to absorb any burst a server sees, few
/// enough that a batch's answers do not wait on a very long transaction.
const MAX_BATCH: usize = 512;
/// Read connections kept open between reads; more are opened under load and closed after.
const IDLE_READERS: usize = 8;
/// Prepared statements each connection keeps, so a hot statement is parsed once.
const STATEMENT_CACHE: usize = 128;

/// A write the writer thread runs inside a batch's transaction.
trait Job: Send {
    /// Runs the write; `false` when it failed and its changes must be undone.
    fn run(&mut self, conn: &Connection) -> bool;
    /// Answers the caller once the batch's fate is known: its own result when the batch
    /// committed, the commit's error otherwise.
    fn answer(self: Box<Self>, committed: &Result<(), String>);
}

struct Write<T, F> {
    work: Option<F>,
    result: Option<Result<T, StoreError>>,
    reply: oneshot::Sender<Result<T, StoreError>>,
}

impl<T, F> Job for Write<T, F>
where
    T: Send,
    F: FnOnce(&Connection) -> Result<T, StoreError> + Send,
{
    fn run(&mut self, conn: &Connection) -> bool {
        let Some(work) = self.work.take() else {
            return false;
        };
        // A bug in one write must not take the writer, and every later write, down with it.
        let result = catch_unwind(AssertUnwindSafe(|| work(conn))).unwrap_or_else(|_| {
            Err(StoreError::Corrupt(
                "a write stopped unexpectedly and was undone".into(),
            ))
        });
        let ok = result.is_ok();
        self.result = Some(result);
        ok
    }

    fn answer(self: Box<Self>, committed: &Result<(), String>) {
        let answer = match (committed, self.result) {
            (Ok(()), Some(result)) => result,
            (Err(e), Some(Err(own))) => Err(StoreError::NotCommitted(format!("{own}; {e}"))),
            (Err(e), _) => Err(StoreError::NotCommitted(e.clone())),
            (Ok(()), None) => Err(StoreError::NotCommitted("the write did not run".into())),
        };
        // The caller may have gone (a closed connection); the write stands regardless.
        let _ = self.reply.send(answer);
    }
}

enum Message {
    Write(Box<dyn Job>),
    Close(oneshot::Sender<Result<(), StoreError>>),
}

/// The database file with its writer thread and read connections.
pub(crate) struct Db {
    path: PathBuf,
    writes: mpsc::Sender<Message>,
    readers: Mutex<Vec<Connection>>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").field("path", &self.path).finish()
    }
}

impl Db {
    /// Opens the writer (which starts its thread) on a database whose schema is already up
    /// to date; readers are opened as reads arrive.
    pub(crate) fn open(path: &Path) -> Result<Db, StoreError> {
        let writer = open_writer(path)?;
        let (writes, queue) = mpsc::channel();
        std::thread::Builder::new()
            .name("between-db-writer".into())
            .spawn(move || write_loop(&writer, &queue))?;
        Ok(Db {
            path: path.to_path_buf(),
            writes,
            readers: Mutex::new(Vec::new()),
        })
    }

    /// Runs `work` on the writer inside the next batch's transaction and answers once that
    /// transaction is durable. An error from `work` undoes its own changes only: the other
    /// writes of the batch are kept. `work` must not begin or end transactions itself
    /// (savepoints are fine).
    pub(crate) async fn write<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job = Box::new(Write {
            work: Some(work),
            result: None,
            reply,
        });
        self.writes
            .send(Message::Write(job))
            .map_err(|_| StoreError::Closed)?;
        answer.await.map_err(|_| StoreError::Closed)?
    }

    /// Runs `work` on a read-only connection, here and now: reads are short, bounded
    /// lookups, and a hop to another thread would cost more than most of them take.
    /// Several statements in one `work` may see different commits; none of the store's
    /// reads needs more than one statement to agree.
    pub(crate) fn read<T>(
        &self,
        work: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let conn = match self.lock_readers().pop() {
            Some(conn) => conn,
            None => open_reader(&self.path)?,
        };
        let result = work(&conn);
        let mut idle = self.lock_readers();
        if idle.len() < IDLE_READERS {
            idle.push(conn);
        }
        result
    }

    fn lock_readers(&self) -> std::sync::MutexGuard<'_, Vec<Connection>> {
        // A reader that panicked mid-read left nothing half-done in the list itself.
        self.readers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Closes the readers, lets the writer finish what it was given, folds the WAL into the
    /// database file and stops the writer thread.
    pub(crate) async fn close(&self) -> Result<(), StoreError> {
        // Readers first: a checkpoint cannot reset the WAL while one of them holds a snapshot.
        self.lock_readers().clear();
        let (reply, done) = oneshot::channel();
        if self.writes.send(Message::Close(reply)).is_err() {
            return Ok(());
        }
        done.await.unwrap_or(Ok(()))
    }
}

fn configure(conn: &Connection) -> Result<(), StoreError> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(())
}

fn open_writer(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    configure(&conn)?;
    conn.execute_batch(&format!(
        "PRAGMA journal_mode = WAL;
         -- A write is acknowledged only once it is on disk.
         PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         -- Deleted and overwritten content is zeroed in the file, not left in free space.
         PRAGMA secure_delete = ON;
         PRAGMA wal_autocheckpoint = {AUTOCHECKPOINT_PAGES};
         PRAGMA journal_size_limit = {WAL_SIZE_LIMIT_BYTES};"
    ))?;
    Ok(conn)
}

fn open_reader(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    configure(&conn)?;
    Ok(conn)
}

/// The writer thread: waits for a write, takes every other one already waiting, runs them
/// in one transaction, commits once, then answers them all.
fn write_loop(conn: &Connection, queue: &mpsc::Receiver<Message>) {
    let mut batch: Vec<Box<dyn Job>> = Vec::with_capacity(MAX_BATCH);
    let mut closing = None;
    while closing.is_none() {
        let Ok(first) = queue.recv() else {
            break;
        };
        let mut next = Some(first);
        while let Some(message) = next.take() {
            match message {
                Message::Write(job) => batch.push(job),
                Message::Close(reply) => {
                    closing = Some(reply);
                    break;
                }
            }
            if batch.len() < MAX_BATCH {
                next = queue.try_recv().ok();
            }
        }
        if !batch.is_empty() {
            commit_batch(conn, &mut batch);
        }
    }
    let outcome = checkpoint(conn);
    if let Some(reply) = closing {
        let _ = reply.send(outcome);
    }
}

fn commit_batch(conn: &Connection, batch: &mut Vec<Box<dyn Job>>) {
    let outcome = run_batch(conn, batch).map_err(|e| {
        // Nothing of a failed batch may stay half-applied for the next one.
        if !conn.is_autocommit() {
            let _ = conn.execute_batch("ROLLBACK");
        }
        e.to_string()
    });
    for job in batch.drain(..) {
        job.answer(&outcome);
    }
}

fn run_batch(conn: &Connection, batch: &mut [Box<dyn Job>]) -> Result<(), rusqlite::Error> {
    conn.execute_batch("BEGIN IMMEDIATE")?;
    if let [only] = batch {
        // Alone in its transaction, a failed write is undone by rolling the whole back.
        if !only.run(conn) {
            conn.execute_batch("ROLLBACK")?;
            return Ok(());
        }
    } else {
        for job in batch.iter_mut() {
            // Each write in its own savepoint: one that fails is undone, its neighbours kept.
            // Prepared once: these run for every write.
            conn.prepare_cached("SAVEPOINT write")?.execute([])?;
            if !job.run(conn) {
                conn.prepare_cached("ROLLBACK TO write")?.execute([])?;
            }
            conn.prepare_cached("RELEASE write")?.execute([])?;
        }
    }
    conn.execute_batch("COMMIT")
}

/// Folds the whole WAL into the database file at a clean stop, so that the file alone is a
/// complete copy.
fn checkpoint(conn: &Connection) -> Result<(), StoreError> {
    let (busy, log, done): (i64, i64, i64) =
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
    if busy != 0 {
        tracing::warn!(
            wal_frames = log,
            checkpointed = done,
            "the database was busy at shutdown; its write-ahead log is kept and will be folded in at the next start"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sqlite::Sql;

    /// Three writes queued while the writer is busy go into one transaction; the middle one
    /// fails on a unique value, and only its own change is undone.
    #[tokio::test]
    async fn a_failing_write_leaves_the_others_of_its_group() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("t.sqlite3")).unwrap();
        db.write(|c| c.exec("CREATE TABLE t (x INTEGER UNIQUE)", &[]))
            .await
            .unwrap();

        // Hold the writer inside a write until the three others are queued behind it.
        let (started, wait_started) = std::sync::mpsc::channel();
        let (release, wait_release) = std::sync::mpsc::channel::<()>();
        let holding = db.write(move |_| {
            started.send(()).ok();
            wait_release.recv().ok();
            Ok(())
        });
        let insert = |x: i64| db.write(move |c| c.exec("INSERT INTO t (x) VALUES ($1)", &[&x]));
        let (held, first, taken, second, ()) =
            tokio::join!(holding, insert(1), insert(1), insert(2), async {
                // Polled after the three inserts were sent; by then the writer is holding.
                tokio::task::spawn_blocking(move || {
                    wait_started.recv().ok();
                    release.send(()).ok();
                })
                .await
                .unwrap();
            });
        held.unwrap();
        assert_eq!(first.unwrap(), 1);
        assert!(
            matches!(&taken, Err(e) if crate::sqlite::sql::is_unique_violation(e)),
            "{taken:?}"
        );
        assert_eq!(second.unwrap(), 1);
        let kept: Vec<(i64,)> = db
            .read(|c| c.rows("SELECT x FROM t ORDER BY x", &[]))
            .unwrap();
        assert_eq!(kept, [(1,), (2,)]);
        db.close().await.unwrap();
    }
}
