//! Filling accounts through the public API (with `at` in the past), and signing in through
//! the form as a browser does, so any build of Between can be seeded the same way.

use anyhow::{anyhow, bail};
use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use uuid::Uuid;

use crate::http::{Conn, post_json};
use crate::server::PASSWORD;

/// How much history an account holds, in days; the rest scales with it.
pub struct Shape {
    pub days: i64,
}

impl Shape {
    /// Coping uses and questionnaires over the span, scaled so five years hold the 800 and
    /// 260 of the issue's heavy account and shorter spans hold as many per year.
    fn coping_uses(&self) -> i64 {
        (800 * self.days + 5 * 365 - 1) / (5 * 365)
    }

    fn questionnaires(&self) -> i64 {
        (260 * self.days + 5 * 365 - 1) / (5 * 365)
    }
}

/// The requests that give an account `shape` of history ending now: a check-in a day with
/// some variation, a session a week, coping uses and questionnaires spread evenly.
pub fn history_requests(
    host: &str,
    token: &str,
    shape: &Shape,
    now: DateTime<Utc>,
) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let post =
        |path: &str, body: serde_json::Value| post_json(host, path, Some(token), &body.to_string());
    for day in 0..shape.days {
        let at = now - Duration::days(day) - Duration::hours(3 + day % 10);
        out.push(post(
            "/api/v1/checkins",
            json!({
                "client_id": Uuid::new_v4(), "at": at.to_rfc3339(), "mood": 3 + (day * 7) % 6,
                "anxiety": 2 + (day * 5) % 7, "energy": 4 + day % 4, "body": ["fatigue"],
                "usual_activities": "partly", "self_harm_thoughts": false,
                "note": "A note of a realistic length about how the day went, what was hard and what helped.",
            }),
        ));
    }
    for week in 0..shape.days / 7 {
        let at = now - Duration::days(7 * week + 2) - Duration::hours(5);
        out.push(post(
            "/api/v1/sessions",
            json!({"client_id": Uuid::new_v4(), "at": at.to_rfc3339(), "note": "Weekly session"}),
        ));
    }
    let uses = shape.coping_uses();
    let tools = [
        "box-breathing",
        "grounding-5-4-3-2-1",
        "movement-break",
        "body-scan",
    ];
    for i in 0..uses {
        let at = now - Duration::minutes(i * shape.days * 24 * 60 / uses) - Duration::hours(1);
        out.push(post(
            "/api/v1/coping-uses",
            json!({
                "client_id": Uuid::new_v4(), "tool": tools[(i % 4) as usize],
                "started_at": at.to_rfc3339(), "distress_before": 7, "distress_after": 4 + i % 4,
            }),
        ));
    }
    let count = shape.questionnaires();
    for i in 0..count {
        let at = now - Duration::minutes(i * shape.days * 24 * 60 / count) - Duration::hours(2);
        let (instrument, answers) = if i % 2 == 0 {
            ("phq9", json!([1, 1, 2, 1, 0, 1, 1, 0, 0]))
        } else {
            ("gad7", json!([1, 2, 1, 1, 0, 1, 1]))
        };
        out.push(post(
            "/api/v1/questionnaires",
            json!({"client_id": Uuid::new_v4(), "instrument": instrument, "answers": answers, "at": at.to_rfc3339()}),
        ));
    }
    out
}

/// The page-latency account: ninety days of check-ins, two a day, a weekly session, and the
/// toolkit's records (after [`bedtime_routine_request`]).
pub fn pages_requests(host: &str, token: &str, now: DateTime<Utc>) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for day in 0..90i64 {
        for hour in [9, 20] {
            let at = now - Duration::days(day) - Duration::hours(hour);
            let body = json!({
                "client_id": Uuid::new_v4(), "at": at.to_rfc3339(), "mood": 3 + (day % 6),
                "anxiety": 4, "energy": 5, "body": ["fatigue"], "usual_activities": "partly",
                "note": "A note of a realistic length about how the day went, what was hard and what helped.",
                "self_harm_thoughts": false,
            });
            out.push(post_json(
                host,
                "/api/v1/checkins",
                Some(token),
                &body.to_string(),
            ));
        }
    }
    let first = now - Duration::days(84);
    let body = json!({"client_id": Uuid::new_v4(), "at": first.to_rfc3339(), "repeat": "weekly"});
    out.push(post_json(
        host,
        "/api/v1/sessions",
        Some(token),
        &body.to_string(),
    ));
    out.extend(toolkit_requests(host, token, now));
    out
}

/// The bedtime routine of the page-latency account, made before its nights are logged.
pub fn bedtime_routine_request(host: &str, token: &str) -> Vec<u8> {
    let body = json!({"items": ["Put screens away", "Dim the lights", "A page of a book"], "target_time": "22:30"});
    crate::http::put_json(
        host,
        "/api/v1/bedtime-routine",
        Some(token),
        &body.to_string(),
    )
}

/// The toolkit's own pages at their heaviest: the bedtime routine ticked off on two nights in
/// three over the ninety days its comparison reads, and a hundred thought records, each with
/// its use of the tool.
fn toolkit_requests(host: &str, token: &str, now: DateTime<Utc>) -> Vec<Vec<u8>> {
    let post =
        |path: &str, body: serde_json::Value| post_json(host, path, Some(token), &body.to_string());
    let mut out = Vec::new();
    for night in (1..=90i64).filter(|n| n % 3 != 0) {
        let at = now - Duration::days(night) - Duration::hours(2);
        out.push(post(
            "/api/v1/bedtime-routine/nights",
            json!({"at": at.to_rfc3339(), "ticked": [0, 1, 2]}),
        ));
    }
    for _ in 0..100 {
        out.push(post(
            "/api/v1/thought-records",
            json!({
                "client_id": Uuid::new_v4(),
                "situation": "A message that went unanswered for most of the afternoon.",
                "feelings": [{"name": "Anxious", "before": 80, "after": 40}, {"name": "Sad", "before": 60, "after": 50}],
                "thought": "She is annoyed with me.", "evidence_for": "She usually answers quickly.",
                "evidence_against": "She said this week was busy.", "traps": ["mind_reading"],
                "balanced": "She is probably busy; I can ask her at the weekend.",
            }),
        ));
    }
    out
}

/// Signs in through the form (with its CSRF token) and returns the session cookie.
pub async fn sign_in(conn: &mut Conn, email: &str) -> anyhow::Result<String> {
    let page = conn.get("/signin", None).await?;
    let form = page
        .headers_named("set-cookie")
        .find(|v| v.starts_with("form="))
        .and_then(|v| v.split(';').next())
        .ok_or_else(|| anyhow!("no form cookie on /signin"))?
        .to_string();
    let text = page.text();
    let csrf = text
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .ok_or_else(|| anyhow!("no csrf field on /signin"))?;
    let body = format!(
        "csrf={csrf}&email={}&password={}",
        email.replace('@', "%40"),
        PASSWORD.replace(' ', "+")
    );
    let request = format!(
        "POST /signin HTTP/1.1\r\nHost: {}\r\nCookie: {form}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        conn.addr,
        body.len()
    );
    let reply = conn.send(request.as_bytes()).await?;
    if reply.status != 303 {
        bail!("sign-in as {email} answered {}", reply.status);
    }
    reply
        .headers_named("set-cookie")
        .find(|v| v.starts_with("sid=") || v.starts_with("__Host-sid="))
        .and_then(|v| v.split(';').next())
        .map(str::to_string)
        .ok_or_else(|| anyhow!("no session cookie after signing in as {email}"))
}

/// Turns on two-step sign-in for the session `cookie` through its settings page, as a
/// therapist must before seeing any client: reads the key the page shows and answers with the
/// code an authenticator app would compute from it.
pub async fn enrol_two_step(conn: &mut Conn, cookie: &str) -> anyhow::Result<()> {
    const PAGE: &str = "/settings/account/two-step";
    let page = conn.get(PAGE, Some(cookie)).await?;
    if page.status != 200 {
        bail!("{PAGE} answered {}", page.status);
    }
    let text = page.text();
    let between = |from: &str, to: &str| {
        text.split(from)
            .nth(1)
            .and_then(|r| r.split(to).next())
            .map(str::to_string)
    };
    let key =
        between("<code class=\"setup-key\">", "<").ok_or_else(|| anyhow!("no key on {PAGE}"))?;
    let csrf =
        between("name=\"csrf\" value=\"", "\"").ok_or_else(|| anyhow!("no csrf on {PAGE}"))?;
    let secret = app::totp::from_base32(&key).ok_or_else(|| anyhow!("the key is not base32"))?;
    let body = format!(
        "csrf={csrf}&code={}",
        app::totp::code_at(&secret, Utc::now().timestamp())
    );
    let request = format!(
        "POST {PAGE} HTTP/1.1\r\nHost: {}\r\nCookie: {cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        conn.addr,
        body.len()
    );
    let reply = conn.send(request.as_bytes()).await?;
    if reply.status != 200 || !reply.text().contains("Your recovery codes") {
        bail!("turning on two-step sign-in answered {}", reply.status);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_years_hold_the_issues_heavy_account() {
        let now = Utc::now();
        let shape = Shape { days: 5 * 365 };
        assert_eq!(shape.coping_uses(), 800);
        assert_eq!(shape.questionnaires(), 260);
        let requests = history_requests("h", "t", &shape, now);
        assert_eq!(requests.len(), 1825 + 260 + 800 + 260);
    }
}
