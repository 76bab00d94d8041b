//! The load generator: N keep-alive connections on loopback, each sending requests back to
//! back for a fixed time after a warm-up, recording every latency. There is no wrk on these
//! machines, and one generator used for the baseline and for Between alike keeps the ratio fair.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::http::Conn;

/// A reply slower than this means the server is stuck, not slow: fail instead of hanging.
const REPLY_TIMEOUT: Duration = Duration::from_secs(20);

/// One request and its reply, or an error when the reply doesn't come in time.
async fn exchange(conn: &mut Conn, bytes: &[u8]) -> anyhow::Result<crate::http::Reply> {
    tokio::time::timeout(REPLY_TIMEOUT, conn.send(bytes))
        .await
        .map_err(|_| anyhow::anyhow!("no reply within {} s", REPLY_TIMEOUT.as_secs()))?
}

/// How hard and how long to push.
#[derive(Clone, Copy)]
pub struct Load {
    pub connections: usize,
    pub warmup: Duration,
    pub duration: Duration,
}

/// What one run measured. Latencies are of requests that both started and finished inside
/// the measured window, so the warm-up and the ragged end don't count.
pub struct Figures {
    pub requests: usize,
    pub per_sec: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// Replies outside 2xx over the whole run, warm-up included.
    pub not_2xx: usize,
    pub first_not_2xx: Option<String>,
}

impl Figures {
    /// A correctness failure is never noise: any non-2xx fails every kind of run.
    pub fn require_2xx(&self, what: &str) -> anyhow::Result<()> {
        if self.not_2xx > 0 {
            bail!(
                "{what}: {} replies outside 2xx, the first: {}",
                self.not_2xx,
                self.first_not_2xx.as_deref().unwrap_or("?")
            );
        }
        if self.requests == 0 {
            bail!("{what}: no request completed in the measured window");
        }
        Ok(())
    }

    pub fn line(&self) -> String {
        format!(
            "{:>8.0} req/s  p50 {:>7.2} ms  p99 {:>7.2} ms  ({} requests)",
            self.per_sec, self.p50_ms, self.p99_ms, self.requests
        )
    }
}

struct ConnResult {
    latencies_us: Vec<u32>,
    not_2xx: usize,
    first_not_2xx: Option<String>,
}

/// Runs the load. `request(i)` makes the next request's bytes for connection `i`; it is
/// called before each request so every one can carry a fresh client id.
pub async fn run<F>(addr: &str, load: Load, request: F) -> anyhow::Result<Figures>
where
    F: Fn(usize) -> Vec<u8> + Send + Sync + 'static,
{
    let request = Arc::new(request);
    let start = Instant::now();
    let measure_from = start + load.warmup;
    let end = measure_from + load.duration;
    let mut tasks = Vec::with_capacity(load.connections);
    for i in 0..load.connections {
        let request = Arc::clone(&request);
        let addr = addr.to_string();
        tasks.push(tokio::spawn(async move {
            let mut conn = Conn::open(&addr).await?;
            let mut out = ConnResult {
                latencies_us: Vec::new(),
                not_2xx: 0,
                first_not_2xx: None,
            };
            loop {
                let bytes = request(i);
                let sent = Instant::now();
                if sent >= end {
                    break;
                }
                let reply = exchange(&mut conn, &bytes).await?;
                let done = Instant::now();
                if !(200..300).contains(&reply.status) {
                    out.not_2xx += 1;
                    if out.first_not_2xx.is_none() {
                        out.first_not_2xx = Some(format!("{} {}", reply.status, reply.text()));
                    }
                }
                if sent >= measure_from && done <= end {
                    let us = done.duration_since(sent).as_micros();
                    out.latencies_us.push(u32::try_from(us).unwrap_or(u32::MAX));
                }
            }
            anyhow::Ok(out)
        }));
    }
    let mut latencies = Vec::new();
    let mut not_2xx = 0;
    let mut first_not_2xx = None;
    for task in tasks {
        let r = task.await.context("a load connection stopped")??;
        latencies.extend(r.latencies_us);
        not_2xx += r.not_2xx;
        first_not_2xx = first_not_2xx.or(r.first_not_2xx);
    }
    latencies.sort_unstable();
    Ok(Figures {
        requests: latencies.len(),
        per_sec: latencies.len() as f64 / load.duration.as_secs_f64(),
        p50_ms: percentile_ms(&latencies, 50),
        p99_ms: percentile_ms(&latencies, 99),
        not_2xx,
        first_not_2xx,
    })
}

/// Sends every request in `requests` over `connections` connections, failing on the first
/// reply outside 2xx: seeding, where all that matters is that it's done soon and right.
pub async fn send_all(
    addr: &str,
    connections: usize,
    requests: Vec<Vec<u8>>,
) -> anyhow::Result<()> {
    let queue = Arc::new(std::sync::Mutex::new(requests));
    let mut tasks = Vec::new();
    for _ in 0..connections.max(1) {
        let queue = Arc::clone(&queue);
        let addr = addr.to_string();
        tasks.push(tokio::spawn(async move {
            let mut conn = Conn::open(&addr).await?;
            loop {
                let next = match queue.lock() {
                    Ok(mut q) => q.pop(),
                    Err(_) => bail!("seeding queue poisoned"),
                };
                let Some(bytes) = next else {
                    return anyhow::Ok(());
                };
                let reply = exchange(&mut conn, &bytes).await?;
                if !(200..300).contains(&reply.status) {
                    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(60)]).into_owned();
                    bail!("{head:?}… answered {}: {}", reply.status, reply.text());
                }
            }
        }));
    }
    for task in tasks {
        task.await.context("a seeding connection stopped")??;
    }
    Ok(())
}

fn percentile_ms(sorted_us: &[u32], pct: usize) -> f64 {
    if sorted_us.is_empty() {
        return f64::NAN;
    }
    let i = (sorted_us.len() * pct / 100).min(sorted_us.len() - 1);
    f64::from(sorted_us[i]) / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_pick_from_the_sorted_latencies() {
        let us: Vec<u32> = (1..=100).map(|i| i * 1000).collect();
        assert_eq!(percentile_ms(&us, 50), 51.0);
        assert_eq!(percentile_ms(&us, 99), 100.0);
        assert!(percentile_ms(&[], 99).is_nan());
    }
}
