//! Two-step sign-in in tests: codes worked out here from the key the page shows, with an
//! implementation of TOTP (RFC 6238: HMAC-SHA-1, 30-second steps, 6 digits) separate from
//! the app's own, and turning it on through the settings page.

use axum::http::StatusCode;
use hmac::{Hmac, Mac};
use sha1::Sha1;

use super::{TestApp, hidden};

/// The page where two-step sign-in is turned on.
pub const PAGE: &str = "/settings/account/two-step";

/// Reads a base32 key (RFC 4648), ignoring spaces.
pub fn base32_decode(key: &str) -> Vec<u8> {
    const ALPHABET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut bits = String::new();
    for c in key.chars().filter(|c| !c.is_whitespace()) {
        let v = ALPHABET.find(c.to_ascii_uppercase()).expect("base32");
        bits.push_str(&format!("{v:05b}"));
    }
    bits.as_bytes()
        .chunks(8)
        .filter(|c| c.len() == 8)
        .map(|c| u8::from_str_radix(std::str::from_utf8(c).unwrap(), 2).unwrap())
        .collect()
}

/// The current 30-second step.
pub fn step_now() -> i64 {
    chrono::Utc::now().timestamp() / 30
}

/// The six-digit code of a step (RFC 4226 section 5.3 truncation, over RFC 6238 steps).
pub fn code_at(secret: &[u8], step: i64) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(secret).unwrap();
    mac.update(&(step as u64).to_be_bytes());
    let h = mac.finalize().into_bytes();
    let o = (h[19] & 0x0f) as usize;
    let n = u32::from_be_bytes([h[o] & 0x7f, h[o + 1], h[o + 2], h[o + 3]]);
    format!("{:06}", n % 1_000_000)
}

/// The key a setup page shows, read back to bytes.
pub fn key_on_page(html: &str) -> Vec<u8> {
    let start = html.find("class=\"setup-key\"").expect("a key on the page");
    let text = &html[start..];
    let text = &text[text.find('>').unwrap() + 1..];
    base32_decode(&text[..text.find('<').unwrap()])
}

/// The recovery codes a page shows.
pub fn recovery_codes_on_page(html: &str) -> Vec<String> {
    html.split("<li><code>")
        .skip(1)
        .map(|s| s.split('<').next().unwrap().to_string())
        .collect()
}

/// What turning it on gave.
pub struct Enrolled {
    /// The shared secret.
    pub secret: Vec<u8>,
    /// The ten recovery codes.
    pub recovery_codes: Vec<String>,
    /// The step whose code confirmed it (already used).
    pub step: i64,
}

/// Turns two-step sign-in on for the session `cookie`, through the page.
pub async fn enrol(t: &TestApp, cookie: &str) -> Enrolled {
    let page = t.get(PAGE, Some(cookie)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let secret = key_on_page(&page.body);
    let csrf = hidden(&page.body, "csrf");
    let step = step_now();
    let r = t
        .post_form(
            PAGE,
            cookie,
            &format!("csrf={csrf}&code={}", code_at(&secret, step)),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let recovery_codes = recovery_codes_on_page(&r.body);
    assert_eq!(recovery_codes.len(), 10, "{}", r.body);
    Enrolled {
        secret,
        recovery_codes,
        step,
    }
}
