//! Page latency, page weight and memory: each page requested many times over one keep-alive
//! connection, with its ratio to `/healthz` (the cost of HTTP itself) in the same run; each
//! page with every asset it links against the 50 KB budget.

use std::time::Instant;

use anyhow::bail;

use crate::http::{Conn, get_request};

const PAGES: [&str; 10] = [
    "/",
    "/checkin",
    "/history",
    "/help",
    "/sessions",
    "/agenda",
    "/settings",
    "/toolkit",
    "/toolkit/thought-record",
    "/toolkit/bedtime-routine",
];

/// The worst page p99 and the heaviest page with its assets.
pub struct PageFigures {
    pub worst_p99_ms: f64,
    pub worst_page: &'static str,
    pub heaviest_bytes: usize,
    pub heaviest_page: &'static str,
}

pub async fn run(conn: &mut Conn, cookie: &str, requests: usize) -> anyhow::Result<PageFigures> {
    println!("page latency over {requests} requests each, one keep-alive connection on loopback:");
    let base = measure(conn, "/healthz", None, requests).await?;
    println!(
        "  {:<12} p50 {:>6.2} ms  p99 {:>6.2} ms  (baseline)",
        "/healthz", base.0, base.1
    );
    let mut figures = PageFigures {
        worst_p99_ms: 0.0,
        worst_page: "/",
        heaviest_bytes: 0,
        heaviest_page: "/",
    };
    for page in PAGES {
        let (p50, p99) = measure(conn, page, Some(cookie), requests).await?;
        if p99 > figures.worst_p99_ms {
            figures.worst_p99_ms = p99;
            figures.worst_page = page;
        }
        println!(
            "  {page:<12} p50 {p50:>6.2} ms  p99 {p99:>6.2} ms  ({:.1}× /healthz p99)",
            p99 / base.1
        );
    }

    println!("page weight with every linked asset, gzip accepted:");
    for page in PAGES.iter().chain(["/signin"].iter()) {
        let cookie = (*page != "/signin").then_some(cookie);
        let plain = conn.get(page, cookie).await?;
        let mut total = wire_size(conn, page, cookie).await?;
        for asset in linked_assets(&plain.text()) {
            total += wire_size(conn, &asset, None).await?;
        }
        if total > figures.heaviest_bytes {
            figures.heaviest_bytes = total;
            figures.heaviest_page = page;
        }
        println!(
            "  {page:<12} {:>6.1} KB on the wire; the page itself {:>6.1} KB uncompressed",
            total as f64 / 1024.0,
            plain.body.len() as f64 / 1024.0
        );
    }
    Ok(figures)
}

/// p50 and p99 in milliseconds of `requests` GETs after a short warm-up.
pub async fn measure(
    conn: &mut Conn,
    path: &str,
    cookie: Option<&str>,
    requests: usize,
) -> anyhow::Result<(f64, f64)> {
    let request = get_request(&conn.addr, path, cookie, false);
    latency(conn, path, request.as_bytes(), requests).await
}

/// p50 and p99 in milliseconds of `requests` sendings of `request` (named `what` in an
/// error) after a short warm-up; every answer must be 200.
pub async fn latency(
    conn: &mut Conn,
    what: &str,
    request: &[u8],
    requests: usize,
) -> anyhow::Result<(f64, f64)> {
    for _ in 0..requests / 20 {
        conn.send(request).await?;
    }
    let mut times = Vec::with_capacity(requests);
    for _ in 0..requests {
        let t = Instant::now();
        let reply = conn.send(request).await?;
        times.push(t.elapsed().as_secs_f64() * 1e3);
        if reply.status != 200 {
            bail!("{what} answered {}: {}", reply.status, reply.text());
        }
    }
    times.sort_by(f64::total_cmp);
    let at = |pct: usize| times[(requests * pct / 100).min(requests - 1)];
    Ok((at(50), at(99)))
}

/// Bytes of body on the wire for a GET with gzip accepted, as a browser fetches it.
async fn wire_size(conn: &mut Conn, path: &str, cookie: Option<&str>) -> anyhow::Result<usize> {
    let request = get_request(&conn.addr, path, cookie, true);
    let reply = conn.send(request.as_bytes()).await?;
    if reply.status != 200 {
        bail!("{path} answered {}", reply.status);
    }
    Ok(reply.body.len())
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
