//! `between-bench [--quick] [--database-url postgres://...] [PATH-TO-BETWEEN]`: how fast,
//! how small and how lean Between is, each figure beside a baseline measured in the same run
//! (these machines are shared and noisy, so only same-run ratios mean anything).
//!
//! - Writes: `POST /api/v1/checkins` from 64 connections over 16 accounts against the bench's
//!   own bare axum + SQLite group-commit server (`between-bench bare-server`).
//! - Account size: a five-year account against a 30-day one, for writes and for `GET /`.
//! - Guidance: `domain::guidance::assess` over 100,000 one-year histories on one core.
//! - PostgreSQL: the same writes on a PostgreSQL-backed server, when a URL is given.
//! - Pages: latency against `/healthz`, weight with assets, resident memory.
//! - Caseload: a therapist's `/therapist` and `GET /api/v1/therapist/clients` with 500
//!   clients of a year each, against `/healthz`.
//!   `between-bench caseload [PATH-TO-BETWEEN]` measures only this one.
//!
//! The full run exits 1 when a target is missed; `--quick` (for `scripts/test`) runs short
//! and small and fails only on errors, never on a timing. Either fails on any reply
//! outside 2xx, a crash or a refused connection: correctness is not noise.

mod bare;
// A therapist's caseload.
mod caseload;
mod guidance;
mod http;
mod journal;
mod load;
mod pages;
mod report;
mod scenarios;
mod seed;
mod server;

use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::http::Conn;
use crate::load::Load;
use crate::report::Report;
use crate::scenarios::{checkin_writes, page_reads, show};
use crate::server::{Server, Target, rss_kb};

const PAGE_BUDGET_BYTES: usize = 50 * 1024;
const MEMORY_BUDGET_KB: u64 = 50 * 1024;
const PAGE_P99_MS: f64 = 5.0;
const CASELOAD_P99_MS: f64 = 20.0;
const WRITE_RATIO_MIN: f64 = 0.5;
const WRITE_P99_MS: f64 = 20.0;
const ACCOUNT_SIZE_RATIO_MAX: f64 = 1.25;
const GUIDANCE_SECONDS_PER_CORE: f64 = 1.0;
const WRITE_ACCOUNTS: usize = 16;
const WRITE_CONNECTIONS: usize = 64;
const ACCOUNT_CONNECTIONS: usize = 16;
const SEED_CONNECTIONS: usize = 8;

struct Options {
    bin: String,
    quick: bool,
    database_url: Option<String>,
}

/// How long and how big; quick mode keeps the whole run within about 30 seconds.
struct Plan {
    warmup: Duration,
    duration: Duration,
    page_requests: usize,
    long_account_days: i64,
    histories: usize,
}

impl Plan {
    fn of(quick: bool) -> Plan {
        if quick {
            Plan {
                warmup: Duration::from_millis(300),
                duration: Duration::from_millis(1500),
                page_requests: 200,
                long_account_days: 365,
                histories: 5_000,
            }
        } else {
            Plan {
                warmup: Duration::from_secs(1),
                duration: Duration::from_secs(6),
                page_requests: 2_000,
                long_account_days: 5 * 365,
                histories: 100_000,
            }
        }
    }

    fn load(&self, connections: usize) -> Load {
        Load {
            connections,
            warmup: self.warmup,
            duration: self.duration,
        }
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("bare-server") {
        return match bare::main(&args[1..]) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("bare-server: {e:#}");
                ExitCode::from(2)
            }
        };
    }
    // `between-bench caseload [PATH]`: the caseload alone, for working on it.
    if args.first().map(String::as_str) == Some("caseload") {
        return match caseload_only(&args[1..]) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("caseload: {e:#}");
                ExitCode::from(2)
            }
        };
    }
    let options = match parse(args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("between-bench: {e:#}");
            eprintln!(
                "usage: between-bench [--quick] [--database-url postgres://...] [PATH-TO-BETWEEN]"
            );
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("between-bench: {e}");
            return ExitCode::from(2);
        }
    };
    // One client thread: the load generator costs the baseline and Between the same, and
    // leaves the other core to the server under test.
    let report = match runtime.block_on(bench(&options)) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("\nbench FAILED (an error, not a timing): {e:#}");
            return ExitCode::from(2);
        }
    };
    report.print();
    let missed = report.missed();
    if options.quick {
        println!("\nquick run: figures only, timings are not judged ({missed} would be missed)");
        ExitCode::SUCCESS
    } else if missed > 0 {
        println!("\n{missed} target(s) missed");
        ExitCode::from(1)
    } else {
        println!("\nevery target met");
        ExitCode::SUCCESS
    }
}

/// Measures only the caseload, with the full run's number of requests.
fn caseload_only(args: &[String]) -> anyhow::Result<()> {
    let bin = args
        .first()
        .cloned()
        .unwrap_or_else(|| "target/release/between".to_string());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let dir = tempfile::tempdir()?;
    let requests = Plan::of(false).page_requests / 4;
    runtime.block_on(caseload::run(&bin, dir.path(), requests))?;
    Ok(())
}

fn parse(args: Vec<String>) -> anyhow::Result<Options> {
    let mut options = Options {
        bin: "target/release/between".to_string(),
        quick: false,
        database_url: std::env::var("BETWEEN_BENCH_DATABASE_URL")
            .ok()
            .filter(|u| !u.is_empty()),
    };
    let mut it = args.into_iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--quick" => options.quick = true,
            "--database-url" => {
                options.database_url = Some(it.next().context("--database-url needs a URL")?);
            }
            a if a.starts_with("--") => bail!("unknown option {a}"),
            _ => options.bin = arg,
        }
    }
    if let Some(url) = &options.database_url
        && !url.starts_with("postgres")
    {
        bail!("--database-url must be a postgres:// URL (SQLite is always measured)");
    }
    Ok(options)
}

async fn bench(options: &Options) -> anyhow::Result<Report> {
    let plan = Plan::of(options.quick);
    let mut report = Report::new();
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("sqlite");
    std::fs::create_dir(&data)?;
    let target = Target {
        bin: options.bin.clone(),
        data_dir: data.to_str().context("temp path")?.to_string(),
        database_url: None,
    };

    let started = Instant::now();
    let pages_token = target.account("bench@example.org")?;
    let write_tokens = (0..WRITE_ACCOUNTS)
        .map(|i| target.account(&format!("writer{i:02}@example.org")))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let long_token = target.account("long@example.org")?;
    let short_token = target.account("short@example.org")?;
    let journal_token = target.account("journal@example.org")?;
    println!(
        "{} accounts made in {:.1} s",
        WRITE_ACCOUNTS + 4,
        started.elapsed().as_secs_f64()
    );

    let mut between = target.serve(&dir.path().join("between.log"))?;
    let addr = between.addr.clone();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let idle_kb = rss_kb(between.pid())?;

    // Pages, page weight and memory, on a 90-day account.
    let now = chrono::Utc::now();
    load::send_all(
        &addr,
        1,
        vec![seed::bedtime_routine_request(&addr, &pages_token)],
    )
    .await?;
    load::send_all(
        &addr,
        SEED_CONNECTIONS,
        seed::pages_requests(&addr, &pages_token, now),
    )
    .await?;
    let mut conn = Conn::open(&addr).await?;
    let cookie = seed::sign_in(&mut conn, "bench@example.org").await?;
    let pages = pages::run(&mut conn, &cookie, plan.page_requests).await?;
    // A journal of 10,000 entries: its page and searches through it.
    let seeding = Instant::now();
    load::send_all(
        &addr,
        SEED_CONNECTIONS,
        journal::requests(&addr, &journal_token, now),
    )
    .await?;
    println!(
        "seeded {} journal entries in {:.1} s",
        journal::ENTRIES,
        seeding.elapsed().as_secs_f64()
    );
    let journal_cookie = seed::sign_in(&mut conn, "journal@example.org").await?;
    let journal = journal::run(
        &mut conn,
        &journal_token,
        &journal_cookie,
        plan.page_requests,
    )
    .await?;
    drop(conn);
    let warm_kb = rss_kb(between.pid())?;
    println!(
        "resident memory: idle after start {:.1} MB; after the page run {:.1} MB",
        idle_kb as f64 / 1024.0,
        warm_kb as f64 / 1024.0
    );

    // Writes against the bare group-commit baseline, the baseline first on an idle machine.
    println!(
        "check-in writes, {WRITE_CONNECTIONS} connections over {WRITE_ACCOUNTS} accounts, unique client ids, {:.1} s each:",
        plan.duration.as_secs_f64()
    );
    let write_load = plan.load(WRITE_CONNECTIONS);
    let bare_run = |driver: &'static str| {
        let db = dir.path().join(format!("bare-{driver}.sqlite3"));
        let log = dir.path().join(format!("bare-{driver}.log"));
        let tokens = &write_tokens;
        async move {
            let mut bare = Server::bare(&db, &log, driver)?;
            let f = checkin_writes(&bare.addr, tokens, write_load).await?;
            bare.check_alive("the bare server")?;
            f.require_2xx("bare server POST")?;
            anyhow::Ok(f)
        }
    };
    let bare_figures = bare_run("rusqlite").await?;
    show("bare axum + SQLite group commit", &bare_figures);
    // The same baseline through sqlx's SQLite driver: what the choice of driver alone costs.
    let sqlx_figures = bare_run("sqlx").await?;
    show("  the same through sqlx's driver", &sqlx_figures);
    println!(
        "  driver ratio sqlx/rusqlite: {:.3}×",
        sqlx_figures.per_sec / bare_figures.per_sec
    );
    let writes = checkin_writes(&addr, &write_tokens, write_load).await?;
    writes.require_2xx("POST /api/v1/checkins")?;
    between.check_alive("between serve")?;
    show("between POST /api/v1/checkins", &writes);
    let ratio = writes.per_sec / bare_figures.per_sec;
    println!("  ratio between/bare: {ratio:.3}×");

    // A long account against a 30-day one, in the same server.
    let long_days = plan.long_account_days;
    let seeding = Instant::now();
    let long_requests =
        seed::history_requests(&addr, &long_token, &seed::Shape { days: long_days }, now);
    let seeded = long_requests.len();
    load::send_all(&addr, SEED_CONNECTIONS, long_requests).await?;
    load::send_all(
        &addr,
        SEED_CONNECTIONS,
        seed::history_requests(&addr, &short_token, &seed::Shape { days: 30 }, now),
    )
    .await?;
    println!(
        "seeded a {long_days}-day account ({seeded} requests) and a 30-day one in {:.1} s",
        seeding.elapsed().as_secs_f64()
    );
    let long_cookie = seed::sign_in(&mut Conn::open(&addr).await?, "long@example.org").await?;
    let short_cookie = seed::sign_in(&mut Conn::open(&addr).await?, "short@example.org").await?;
    let long_name = format!("{}-year account", long_days / 365);
    println!("{long_name} vs 30-day account:");
    let short_get = page_reads(&addr, "/", &short_cookie, plan.load(1)).await?;
    short_get.require_2xx("GET / (30 days)")?;
    show("GET / 30-day, 1 connection", &short_get);
    let long_get = page_reads(&addr, "/", &long_cookie, plan.load(1)).await?;
    long_get.require_2xx("GET / (long)")?;
    show(&format!("GET / {long_name}, 1 connection"), &long_get);
    let account_load = plan.load(ACCOUNT_CONNECTIONS);
    let short_post = checkin_writes(&addr, &[short_token], account_load).await?;
    short_post.require_2xx("POST (30 days)")?;
    show("POST 30-day, 16 connections", &short_post);
    let long_post = checkin_writes(&addr, &[long_token], account_load).await?;
    long_post.require_2xx("POST (long)")?;
    show(&format!("POST {long_name}, 16 connections"), &long_post);
    between.check_alive("between serve")?;
    let post_slowdown = short_post.per_sec / long_post.per_sec;
    let get_slowdown = long_get.p99_ms / short_get.p99_ms;

    // PostgreSQL, when asked: the same writes on a second server.
    let pg_ratio = match &options.database_url {
        Some(url) => Some(postgres(options, url, &dir, write_load, &writes).await?),
        None => None,
    };
    drop(between);

    // A therapist's caseload of 500 one-year clients, in a database of its own.
    let caseload = caseload::run(&options.bin, dir.path(), plan.page_requests / 4).await?;

    println!(
        "guidance over {} one-year histories, one thread:",
        plan.histories
    );
    let g = guidance::run(plan.histories)?;
    println!(
        "  {:.3} s in all, {:.1} µs per history; {:.2} s per core for 100,000",
        g.total.as_secs_f64(),
        g.micros_per_history(),
        g.seconds_per_100k()
    );

    report.target(
        format!("POST /api/v1/checkins ≥ {WRITE_RATIO_MIN}× bare group commit"),
        format!(
            "{ratio:.3}× ({:.0} vs {:.0} req/s)",
            writes.per_sec, bare_figures.per_sec
        ),
        ratio >= WRITE_RATIO_MIN,
    );
    report.target(
        format!("POST /api/v1/checkins p99 ≤ {WRITE_P99_MS} ms"),
        format!(
            "{:.1} ms (bare {:.1} ms)",
            writes.p99_ms, bare_figures.p99_ms
        ),
        writes.p99_ms <= WRITE_P99_MS,
    );
    report.target(
        format!("{long_name}: POST throughput within {ACCOUNT_SIZE_RATIO_MAX}× of 30-day"),
        format!(
            "{post_slowdown:.2}× slower ({:.0} vs {:.0} req/s)",
            long_post.per_sec, short_post.per_sec
        ),
        post_slowdown <= ACCOUNT_SIZE_RATIO_MAX,
    );
    report.target(
        format!("{long_name}: GET / p99 within {ACCOUNT_SIZE_RATIO_MAX}× of 30-day"),
        format!(
            "{get_slowdown:.2}× ({:.2} vs {:.2} ms)",
            long_get.p99_ms, short_get.p99_ms
        ),
        get_slowdown <= ACCOUNT_SIZE_RATIO_MAX,
    );
    report.target(
        format!("{long_name}: GET / p99 < {PAGE_P99_MS} ms"),
        format!("{:.2} ms", long_get.p99_ms),
        long_get.p99_ms < PAGE_P99_MS,
    );
    report.target(
        format!("guidance, 100,000 one-year histories < {GUIDANCE_SECONDS_PER_CORE} s per core"),
        format!(
            "{:.2} s ({:.1} µs each, {} measured)",
            g.seconds_per_100k(),
            g.micros_per_history(),
            g.histories
        ),
        g.seconds_per_100k() < GUIDANCE_SECONDS_PER_CORE,
    );
    report.target(
        format!("page p99 < {PAGE_P99_MS} ms (90-day account)"),
        format!("{:.2} ms ({})", pages.worst_p99_ms, pages.worst_page),
        pages.worst_p99_ms < PAGE_P99_MS,
    );
    report.target(
        format!(
            "GET /journal p99 < {PAGE_P99_MS} ms ({} entries)",
            journal::ENTRIES
        ),
        format!("{:.2} ms", journal.page.1),
        journal.page.1 < PAGE_P99_MS,
    );
    report.info(
        format!("journal search p50 / p99 ({} entries)", journal::ENTRIES),
        format!(
            "{:.1} / {:.1} ms with matches; {:.1} / {:.1} ms with none",
            journal.hit.0, journal.hit.1, journal.miss.0, journal.miss.1
        ),
    );
    report.info(
        "/therapist/clients/{id} p50 / p99 (one client's year, every scope)",
        format!(
            "{:.1} / {:.1} ms ({:.1}× /healthz p99)",
            caseload.client_page.0,
            caseload.client_page.1,
            caseload.client_page.1 / caseload.healthz.1
        ),
    );
    for (what, (_, p99)) in [
        ("/therapist", caseload.page),
        ("GET /api/v1/therapist/clients", caseload.api),
    ] {
        report.target(
            format!(
                "{what} p99 < {CASELOAD_P99_MS} ms ({} clients, {} check-ins)",
                caseload::CLIENTS,
                caseload.checkins
            ),
            format!(
                "{p99:.2} ms ({:.1}× /healthz p99)",
                p99 / caseload.healthz.1
            ),
            p99 < CASELOAD_P99_MS,
        );
    }
    report.info(
        format!(
            "/therapist as the first look of the hour ({} audit rows written)",
            caseload::CLIENTS
        ),
        format!(
            "p50 {:.1} ms, slowest {:.1} ms",
            caseload.first_look.0, caseload.first_look.1
        ),
    );
    report.target(
        format!("page with assets < {} KB", PAGE_BUDGET_BYTES / 1024),
        format!(
            "{:.1} KB ({})",
            pages.heaviest_bytes as f64 / 1024.0,
            pages.heaviest_page
        ),
        pages.heaviest_bytes < PAGE_BUDGET_BYTES,
    );
    report.target(
        format!("idle memory < {} MB", MEMORY_BUDGET_KB / 1024),
        format!("{:.1} MB", idle_kb as f64 / 1024.0),
        idle_kb < MEMORY_BUDGET_KB,
    );
    report.target(
        format!("memory after the page run < {} MB", MEMORY_BUDGET_KB / 1024),
        format!("{:.1} MB", warm_kb as f64 / 1024.0),
        warm_kb < MEMORY_BUDGET_KB,
    );
    if let Some((pg, ratio)) = pg_ratio {
        report.info(
            "PostgreSQL POST throughput / SQLite",
            format!("{ratio:.2}× ({pg:.0} vs {:.0} req/s)", writes.per_sec),
        );
    }
    Ok(report)
}

/// Scenario 1's writes on a PostgreSQL-backed server; returns its requests/s and its ratio
/// to the SQLite run. Emails carry a run id, since the database may outlive the run.
async fn postgres(
    options: &Options,
    url: &str,
    dir: &tempfile::TempDir,
    load: Load,
    sqlite: &load::Figures,
) -> anyhow::Result<(f64, f64)> {
    let data = dir.path().join("postgres");
    std::fs::create_dir(&data)?;
    let target = Target {
        bin: options.bin.clone(),
        data_dir: data.to_str().context("temp path")?.to_string(),
        database_url: Some(url.to_string()),
    };
    let run = uuid::Uuid::new_v4().simple().to_string();
    let tokens = (0..WRITE_ACCOUNTS)
        .map(|i| target.account(&format!("writer{i:02}-{}@example.org", &run[..8])))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mut server = target.serve(&dir.path().join("between-postgres.log"))?;
    println!("check-in writes on PostgreSQL, same load:");
    let figures = checkin_writes(&server.addr, &tokens, load).await?;
    figures.require_2xx("POST /api/v1/checkins (PostgreSQL)")?;
    server.check_alive("between serve (PostgreSQL)")?;
    show("between POST on PostgreSQL", &figures);
    let ratio = figures.per_sec / sqlite.per_sec;
    println!("  ratio PostgreSQL/SQLite: {ratio:.2}×");
    Ok((figures.per_sec, ratio))
}
