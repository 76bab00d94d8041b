//! `cargo run --release -p bench`: how fast, how small and how lean Between is.
//!
//! - Latency: each page is requested many times over one keep-alive connection on loopback
//!   against a real server on a real SQLite file holding 90 days of data; p50/p99 are printed
//!   with their ratio to `/healthz` measured in the same run (the cost of HTTP itself).
//! - Size: each page plus every asset it links, against the 50 KB budget.
//! - Memory: the release binary's resident memory after start-up and after the latency run
//!   has warmed it, against the 50 MB budget.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};

const REQUESTS: usize = 2_000;
const PAGE_BUDGET_BYTES: usize = 50 * 1024;
const MEMORY_BUDGET_KB: u64 = 50 * 1024;
const P99_BUDGET_MICROS: f64 = 5_000.0;

fn main() -> anyhow::Result<()> {
    let bin = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/release/between".to_string());
    let dir = tempfile::tempdir()?;
    let data = dir.path().to_str().context("temp path")?;

    let out = run(
        &bin,
        &["user", "add", "bench@example.org"],
        data,
        Some("a long enough password\n"),
    )?;
    if !out.status.success() {
        bail!("user add failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    let token = String::from_utf8(
        run(&bin, &["token", "create", "bench@example.org"], data, None)?.stdout,
    )?
    .trim()
    .to_string();

    let mut server = Command::new(&bin)
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir", data])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("could not start {bin} (build it with cargo build --release)"))?;
    let mut line = String::new();
    BufReader::new(server.stdout.take().context("stdout")?).read_line(&mut line)?;
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .ok_or_else(|| anyhow!("no address in {line:?}"))?
        .to_string();
    let pid = server.id();
    std::thread::sleep(Duration::from_millis(300));
    let idle_kb = rss_kb(pid)?;

    let mut conn = Conn::open(&addr)?;
    seed(&mut conn, &token)?;
    let cookie = sign_in(&mut conn)?;

    println!("latency over {REQUESTS} requests each, one keep-alive connection on loopback:");
    let base = measure(&mut conn, "/healthz", None)?;
    println!(
        "  {:<12} p50 {:>7.0} µs  p99 {:>7.0} µs  (baseline)",
        "/healthz", base.0, base.1
    );
    let pages = [
        "/",
        "/checkin",
        "/history",
        "/help",
        "/sessions",
        "/agenda",
        "/settings",
    ];
    let mut worst_p99: f64 = 0.0;
    for page in pages {
        let (p50, p99) = measure(&mut conn, page, Some(&cookie))?;
        worst_p99 = worst_p99.max(p99);
        println!(
            "  {page:<12} p50 {p50:>7.0} µs  p99 {p99:>7.0} µs  ({:.1}× baseline p99; budget {:.0} µs)",
            p99 / base.1,
            P99_BUDGET_MICROS
        );
    }

    println!(
        "page weight with every linked asset (budget {} KB):",
        PAGE_BUDGET_BYTES / 1024
    );
    let mut heaviest = 0;
    for page in pages.iter().chain(["/signin"].iter()) {
        let cookie = (*page != "/signin").then_some(cookie.as_str());
        let (_, body) = conn.get(page, cookie)?;
        let raw = body.len();
        let mut total = conn.wire_size(page, cookie)?;
        for asset in linked_assets(&body) {
            total += conn.wire_size(&asset, None)?;
        }
        heaviest = heaviest.max(total);
        println!(
            "  {page:<12} {:>6.1} KB on the wire ({:.2}× budget); the page itself {:>6.1} KB uncompressed",
            total as f64 / 1024.0,
            total as f64 / PAGE_BUDGET_BYTES as f64,
            raw as f64 / 1024.0
        );
    }

    let warm_kb = rss_kb(pid)?;
    println!("resident memory (budget {} MB):", MEMORY_BUDGET_KB / 1024);
    println!(
        "  idle after start {:>6.1} MB ({:.2}× budget); after the run {:>6.1} MB ({:.2}× budget)",
        idle_kb as f64 / 1024.0,
        idle_kb as f64 / MEMORY_BUDGET_KB as f64,
        warm_kb as f64 / 1024.0,
        warm_kb as f64 / MEMORY_BUDGET_KB as f64
    );
    let _ = server.kill();
    let _ = server.wait();

    let mut failed = Vec::new();
    if worst_p99 > P99_BUDGET_MICROS {
        failed.push(format!("p99 {worst_p99:.0} µs over {P99_BUDGET_MICROS} µs"));
    }
    if heaviest > PAGE_BUDGET_BYTES {
        failed.push(format!("a page weighs {heaviest} bytes"));
    }
    if warm_kb > MEMORY_BUDGET_KB {
        failed.push(format!("{warm_kb} KB resident"));
    }
    if failed.is_empty() {
        println!("within every budget");
        Ok(())
    } else {
        bail!("over budget: {}", failed.join("; "))
    }
}

fn run(
    bin: &str,
    args: &[&str],
    data: &str,
    stdin: Option<&str>,
) -> anyhow::Result<std::process::Output> {
    let mut child = Command::new(bin)
        .args(args)
        .args(["--data-dir", data])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    if let (Some(input), Some(mut pipe)) = (stdin, child.stdin.take()) {
        pipe.write_all(input.as_bytes())?;
    }
    Ok(child.wait_with_output()?)
}

fn rss_kb(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| anyhow!("no VmRSS"))
}

/// A response: status, lower-cased headers, body.
type Reply = (u16, Vec<(String, String)>, String);

/// A minimal HTTP/1.1 keep-alive client, so the measurement is of the server, not a library.
struct Conn {
    stream: BufReader<TcpStream>,
    addr: String,
}

impl Conn {
    fn open(addr: &str) -> anyhow::Result<Conn> {
        let stream = TcpStream::connect(addr)?;
        stream.set_nodelay(true)?;
        Ok(Conn {
            stream: BufReader::new(stream),
            addr: addr.to_string(),
        })
    }

    fn send(&mut self, request: &str) -> anyhow::Result<Reply> {
        self.stream.get_mut().write_all(request.as_bytes())?;
        let mut status = String::new();
        self.stream.read_line(&mut status)?;
        let code = status
            .split(' ')
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        let mut headers = Vec::new();
        let mut length = 0;
        let mut chunked = false;
        loop {
            let mut h = String::new();
            self.stream.read_line(&mut h)?;
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    length = v.trim().parse()?;
                }
                if k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked") {
                    chunked = true;
                }
                headers.push((k.to_ascii_lowercase(), v.trim().to_string()));
            }
        }
        let body = if chunked {
            self.read_chunks()?
        } else {
            let mut body = vec![0; length];
            self.stream.read_exact(&mut body)?;
            body
        };
        // Bodies are kept as bytes in a string only to be measured or searched for markers;
        // compressed ones are never read as text.
        Ok((code, headers, String::from_utf8_lossy(&body).into_owned()))
    }

    fn read_chunks(&mut self) -> anyhow::Result<Vec<u8>> {
        let mut body = Vec::new();
        loop {
            let mut size = String::new();
            self.stream.read_line(&mut size)?;
            let n = usize::from_str_radix(size.trim().split(';').next().unwrap_or("0"), 16)?;
            let mut chunk = vec![0; n + 2];
            self.stream.read_exact(&mut chunk)?;
            chunk.truncate(n);
            if n == 0 {
                return Ok(body);
            }
            body.extend_from_slice(&chunk);
        }
    }

    /// Bytes on the wire for a GET with gzip accepted, as a browser would fetch it.
    fn wire_size(&mut self, path: &str, cookie: Option<&str>) -> anyhow::Result<usize> {
        let cookie = cookie
            .map(|c| format!("Cookie: {c}\r\n"))
            .unwrap_or_default();
        self.stream.get_mut().write_all(
            format!(
                "GET {path} HTTP/1.1\r\nHost: {}\r\nAccept-Encoding: gzip\r\n{cookie}\r\n",
                self.addr
            )
            .as_bytes(),
        )?;
        let mut status = String::new();
        self.stream.read_line(&mut status)?;
        let mut length = 0;
        let mut chunked = false;
        loop {
            let mut h = String::new();
            self.stream.read_line(&mut h)?;
            let h = h.trim_end().to_ascii_lowercase();
            if h.is_empty() {
                break;
            }
            if let Some(v) = h.strip_prefix("content-length:") {
                length = v.trim().parse()?;
            }
            if h.starts_with("transfer-encoding:") && h.contains("chunked") {
                chunked = true;
            }
        }
        if chunked {
            Ok(self.read_chunks()?.len())
        } else {
            let mut body = vec![0; length];
            self.stream.read_exact(&mut body)?;
            Ok(length)
        }
    }

    fn get(&mut self, path: &str, cookie: Option<&str>) -> anyhow::Result<(u16, String)> {
        let cookie = cookie
            .map(|c| format!("Cookie: {c}\r\n"))
            .unwrap_or_default();
        let (code, _, body) = self.send(&format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\n{cookie}\r\n",
            self.addr
        ))?;
        Ok((code, body))
    }
}

fn measure(conn: &mut Conn, path: &str, cookie: Option<&str>) -> anyhow::Result<(f64, f64)> {
    for _ in 0..100 {
        conn.get(path, cookie)?;
    }
    let mut times = Vec::with_capacity(REQUESTS);
    for _ in 0..REQUESTS {
        let t = Instant::now();
        let (code, _) = conn.get(path, cookie)?;
        times.push(t.elapsed().as_secs_f64() * 1e6);
        if code != 200 {
            bail!("{path} answered {code}");
        }
    }
    times.sort_by(f64::total_cmp);
    Ok((times[REQUESTS / 2], times[REQUESTS * 99 / 100]))
}

/// Ninety days of check-ins (two a day), weekly sessions and agenda topics: a heavy user.
fn seed(conn: &mut Conn, token: &str) -> anyhow::Result<()> {
    let now = chrono::Utc::now();
    let post = |conn: &mut Conn, path: &str, body: String| -> anyhow::Result<()> {
        let (code, _, reply) = conn.send(&format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            conn.addr,
            body.len()
        ))?;
        if code != 201 {
            bail!("{path} answered {code}: {reply}");
        }
        Ok(())
    };
    for day in 0..90i64 {
        for hour in [9, 20] {
            let at = now - chrono::Duration::days(day) - chrono::Duration::hours(hour);
            let body = serde_json::json!({
                "client_id": uuid::Uuid::new_v4(), "at": at.to_rfc3339(), "mood": 3 + (day % 6),
                "anxiety": 4, "energy": 5, "body": ["fatigue"], "usual_activities": "partly",
                "note": "A note of a realistic length about how the day went, what was hard and what helped.",
                "self_harm_thoughts": false,
            });
            post(conn, "/api/v1/checkins", body.to_string())?;
        }
    }
    let first = now - chrono::Duration::days(84);
    post(
        conn,
        "/api/v1/sessions",
        serde_json::json!({"client_id": uuid::Uuid::new_v4(), "at": first.to_rfc3339(), "repeat": "weekly"})
            .to_string(),
    )
}

fn sign_in(conn: &mut Conn) -> anyhow::Result<String> {
    let (_, headers, body) = conn.send(&format!(
        "GET /signin HTTP/1.1\r\nHost: {}\r\n\r\n",
        conn.addr
    ))?;
    let form = headers
        .iter()
        .find(|(k, v)| k == "set-cookie" && v.starts_with("form="))
        .and_then(|(_, v)| v.split(';').next())
        .ok_or_else(|| anyhow!("no form cookie"))?
        .to_string();
    let csrf = body
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .ok_or_else(|| anyhow!("no csrf"))?;
    let form_body =
        format!("csrf={csrf}&email=bench%40example.org&password=a+long+enough+password");
    let (code, headers, _) = conn.send(&format!(
        "POST /signin HTTP/1.1\r\nHost: {}\r\nCookie: {form}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{form_body}",
        conn.addr,
        form_body.len()
    ))?;
    if code != 303 {
        bail!("sign-in answered {code}");
    }
    headers
        .iter()
        .find(|(k, v)| k == "set-cookie" && v.starts_with("sid="))
        .and_then(|(_, v)| v.split(';').next())
        .map(str::to_string)
        .ok_or_else(|| anyhow!("no session cookie"))
}

/// Stylesheets and scripts a page links to (our pages link nothing else).
fn linked_assets(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for marker in ["href=\"/static/", "src=\"/static/"] {
        for part in html.split(marker).skip(1) {
            if let Some(rest) = part.split('"').next() {
                out.push(format!("/static/{rest}"));
            }
        }
    }
    out
}
