//! A journal kept for years: its page, and a search through it. Entries are encrypted in
//! the database, so a search opens them in the server's memory and matches there; its cost
//! grows with the journal, and this measures it where it is largest.

use anyhow::bail;
use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use uuid::Uuid;

use crate::http::{Conn, post_json};
use crate::pages::{latency, measure};

/// Entries in the journal.
pub const ENTRIES: usize = 10_000;
/// One entry in this many holds the word a search finds.
const HIT_EVERY: usize = 100;
/// A word some entries hold.
const HIT: &str = "lighthouse";
/// A word no entry holds: the search reads and opens every entry.
const MISS: &str = "zeppelin";

/// Sentences an entry is made of, a few hundred characters in all, as people write.
const SENTENCES: [&str; 6] = [
    "Woke up tired again and the morning felt heavy.",
    "Talked with my sister on the phone for a while, which helped more than I expected.",
    "The session yesterday brought up old things about school and I kept thinking about them.",
    "Went for a walk by the canal after work; the light was soft and it was quiet.",
    "Tried the breathing exercise before bed and fell asleep a little sooner.",
    "Felt anxious at the shop, left without half the list, and was annoyed with myself.",
];

/// The requests that write the journal: one entry a day or so, newest now, through the API.
pub fn requests(host: &str, token: &str, now: DateTime<Utc>) -> Vec<Vec<u8>> {
    (0..ENTRIES)
        .map(|i| {
            let mut text: Vec<&str> = (0..4)
                .map(|k| SENTENCES[(i + k) % SENTENCES.len()])
                .collect();
            if i % HIT_EVERY == 0 {
                text.push("Thought of the lighthouse we saw as children.");
            }
            let at = now - Duration::hours(i as i64 * 13);
            let body = json!({"client_id": Uuid::new_v4(), "at": at.to_rfc3339(),
                "text": text.join(" ")});
            post_json(host, "/api/v1/journal", Some(token), &body.to_string())
        })
        .collect()
}

/// p50 and p99 in milliseconds of the journal page and of searches.
pub struct JournalFigures {
    pub page: (f64, f64),
    pub hit: (f64, f64),
    pub miss: (f64, f64),
}

/// Measures the page (`requests` times) and each search (a tenth as often: a miss reads
/// every entry).
pub async fn run(
    conn: &mut Conn,
    token: &str,
    cookie: &str,
    requests: usize,
) -> anyhow::Result<JournalFigures> {
    println!("a journal of {ENTRIES} entries, one keep-alive connection:");
    let page = measure(conn, "/journal", Some(cookie), requests).await?;
    println!(
        "  GET /journal                 p50 {:>6.2} ms  p99 {:>6.2} ms",
        page.0, page.1
    );
    let search = |q: &str| {
        post_json(
            &conn.addr,
            "/api/v1/journal/search",
            Some(token),
            &json!({ "q": q }).to_string(),
        )
    };
    let (hit_request, miss_request) = (search(HIT), search(MISS));
    // What is measured must be a search that works: a page of matches, then none.
    for (request, found) in [(&hit_request, true), (&miss_request, false)] {
        let reply = conn.send(request).await?;
        let page: serde_json::Value = serde_json::from_slice(&reply.body)?;
        let entries = page["entries"].as_array().map_or(0, Vec::len);
        if reply.status != 200 || (entries > 0) != found {
            bail!(
                "the search answered {} with {entries} entries",
                reply.status
            );
        }
    }
    let searches = (requests / 10).max(20);
    let hit = latency(conn, "search (found)", &hit_request, searches).await?;
    println!(
        "  search, 1 in {HIT_EVERY} entries match  p50 {:>6.2} ms  p99 {:>6.2} ms",
        hit.0, hit.1
    );
    let miss = latency(conn, "search (not found)", &miss_request, searches).await?;
    println!(
        "  search, no entry matches     p50 {:>6.2} ms  p99 {:>6.2} ms",
        miss.0, miss.1
    );
    Ok(JournalFigures { page, hit, miss })
}
