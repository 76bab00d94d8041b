//! `serve --trust-proxy` and `serve --public-url`, set through their environment variables,
//! against a spawned server over real HTTP.
// clippy.toml allows these inside #[test] functions only; helpers here use them too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::process::Command;

use support::*;

const EMAIL: &str = "kim@example.org";
const GOOD: &str = "a long enough password";

fn get(addr: &str, host: &str, path: &str) -> (u16, String) {
    http(
        addr,
        &format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"),
    )
}

fn sign_in(addr: &str, forwarded: Option<&str>, password: &str) -> u16 {
    let (status, page) = get(addr, "between.test", "/signin");
    assert_eq!(status, 200, "{page}");
    let token = page
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: form="))
        .and_then(|c| c.split(';').next())
        .unwrap()
        .to_string();
    let marker = "name=\"csrf\" value=\"";
    let csrf = page[page.find(marker).unwrap() + marker.len()..]
        .split('"')
        .next()
        .unwrap();
    let body = format!(
        "csrf={csrf}&email={}&password={}",
        EMAIL.replace('@', "%40"),
        password.replace(' ', "+")
    );
    let xff = forwarded
        .map(|f| format!("X-Forwarded-For: {f}\r\n"))
        .unwrap_or_default();
    http(
        addr,
        &format!(
            "POST /signin HTTP/1.1\r\nHost: between.test\r\n{xff}Cookie: form={token}\r\nSec-Fetch-Site: same-origin\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    )
    .0
}

#[test]
fn a_served_instance_checks_the_host_and_believes_only_its_proxy() {
    let dir = tempfile::tempdir().unwrap();
    let add = between(
        dir.path(),
        &["user", "add", EMAIL],
        Some(&format!("{GOOD}\n")),
    );
    assert!(add.status.success(), "{}", text(&add.stderr));
    let server = serve_with(
        dir.path(),
        &[
            ("BETWEEN_PUBLIC_URL", "http://between.test"),
            ("BETWEEN_TRUST_PROXY", "10.0.0.0/8, 127.0.0.1/32"),
        ],
    );
    assert!(
        server.banner.contains("for http://between.test/"),
        "{}",
        server.banner
    );
    let addr = server.addr.as_str();

    let (status, page) = get(addr, addr, "/signin");
    assert_eq!(status, 421, "{page}");
    assert!(page.contains("href=\"http://between.test/\""), "{page}");
    assert_eq!(get(addr, "between.test", "/signin").0, 200);
    assert_eq!(get(addr, addr, "/healthz").0, 200);

    // The connection comes from 127.0.0.1, a trusted proxy: each forwarded client is
    // counted as itself.
    for _ in 0..5 {
        assert_eq!(sign_in(addr, Some("198.51.100.1"), "not the password"), 401);
    }
    assert_eq!(sign_in(addr, Some("198.51.100.1"), GOOD), 429);
    assert_eq!(sign_in(addr, Some("198.51.100.2"), GOOD), 303);
    assert_eq!(sign_in(addr, None, GOOD), 303);
}

#[test]
fn unreadable_proxy_ranges_and_public_urls_are_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    for (var, value, said) in [
        ("BETWEEN_TRUST_PROXY", "10.0.0.0/40", "not an address range"),
        (
            "BETWEEN_PUBLIC_URL",
            "https://example.org/between",
            "not a public URL",
        ),
    ] {
        let out = Command::new(bin())
            .arg("serve")
            .env("BETWEEN_DATA_DIR", dir.path())
            .env("BETWEEN_LISTEN", "127.0.0.1:0")
            .env_remove("BETWEEN_DATABASE_URL")
            .env(var, value)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{var}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(said), "{var}: {err}");
    }
}
