//! The load scenarios: check-in writes against the bare baseline, and a five-year account
//! against a 30-day one. Each returns figures; targets are judged in `main`.

use std::sync::Arc;

use uuid::Uuid;

use crate::http::{get_request, post_json};
use crate::load::{self, Figures, Load};

/// `POST /api/v1/checkins` with a fresh client id each time, connection `i` writing as
/// account `i % tokens.len()`. The bare server ignores the token and reads the same body.
pub async fn checkin_writes(addr: &str, tokens: &[String], load: Load) -> anyhow::Result<Figures> {
    let host = addr.to_string();
    let tokens: Arc<Vec<String>> = Arc::new(tokens.to_vec());
    load::run(addr, load, move |i| {
        let body = format!("{{\"client_id\":\"{}\",\"mood\":6}}", Uuid::new_v4());
        let token = &tokens[i % tokens.len()];
        post_json(&host, "/api/v1/checkins", Some(token), &body)
    })
    .await
}

/// Repeated GETs of one page as a signed-in person.
pub async fn page_reads(
    addr: &str,
    path: &str,
    cookie: &str,
    load: Load,
) -> anyhow::Result<Figures> {
    let request = get_request(addr, path, Some(cookie), false).into_bytes();
    load::run(addr, load, move |_| request.clone()).await
}

/// Prints one measured line under a heading of what it is.
pub fn show(what: &str, figures: &Figures) {
    println!("  {what:<34} {}", figures.line());
}
