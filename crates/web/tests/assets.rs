//! Asset URLs name the bytes they serve, so a changed file is fetched again by every browser.
// Helpers outside `#[test]` fns unwrap too; clippy.toml's test allowances reach only the tests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use axum::http::{StatusCode, header};
use sha2::{Digest, Sha256};
use support::*;

/// Every `/static/…` URL in `text`, up to its closing quote.
fn asset_urls(text: &str) -> Vec<String> {
    text.match_indices("/static/")
        .map(|(at, _)| {
            text[at..]
                .split(['"', '\''])
                .next()
                .unwrap_or_default()
                .to_string()
        })
        .collect()
}

fn hash_of(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))[..10].to_string()
}

/// Fetches each URL and checks its `v` is the hash of the bytes served, cached for a year.
async fn check_urls(t: &TestApp, urls: &[String]) {
    assert!(!urls.is_empty());
    for url in urls {
        let (_, v) = url
            .split_once("?v=")
            .unwrap_or_else(|| panic!("{url} has no version"));
        let (status, headers, body) = t.get_bytes(url).await;
        assert_eq!(status, StatusCode::OK, "{url}");
        assert_eq!(v, hash_of(&body), "{url} does not name the bytes it serves");
        assert_eq!(
            headers.get(header::CACHE_CONTROL).unwrap(),
            "public, max-age=31536000, immutable",
            "{url}"
        );
    }
}

#[tokio::test]
async fn every_asset_url_carries_the_hash_of_its_bytes() {
    let t = test_app().await;
    let cookie = t.sign_up("ana@example.org").await;
    let mut urls = Vec::new();
    for (page, cookie) in [
        ("/signin", None),
        ("/", Some(cookie.as_str())),
        ("/checkin", Some(cookie.as_str())),
        ("/toolkit/box-breathing", Some(cookie.as_str())),
        ("/questionnaires/phq9", Some(cookie.as_str())),
        ("/brief", Some(cookie.as_str())),
    ] {
        let r = t.get(page, cookie).await;
        assert_eq!(r.status, StatusCode::OK, "{page}");
        urls.extend(asset_urls(&r.body));
    }
    // Each script and the style sheet, from the pages that use them.
    for file in [
        "app.css",
        "offline.js",
        "forms.js",
        "player.js",
        "questionnaire.js",
        "brief.js",
        "icon.svg",
    ] {
        assert!(
            urls.iter()
                .any(|u| u.starts_with(&format!("/static/{file}?v="))),
            "{file}"
        );
    }
    check_urls(&t, &urls).await;

    // The manifest's icons and the service worker's precache list follow the same hashes.
    let manifest = t.get("/manifest.webmanifest", None).await;
    check_urls(&t, &asset_urls(&manifest.body)).await;
    let sw = t.get("/sw.js", None).await;
    let settings = sw
        .body
        .lines()
        .find(|l| l.starts_with("const STATIC_ASSETS = "))
        .unwrap();
    let precache = asset_urls(settings);
    check_urls(&t, &precache).await;
    assert!(precache.iter().any(|u| u.starts_with("/static/app.css?v=")));
}

#[tokio::test]
async fn a_stale_or_missing_version_is_served_but_not_kept() {
    let t = test_app().await;
    for url in ["/static/app.css", "/static/app.css?v=0.1.0"] {
        let (status, headers, body) = t.get_bytes(url).await;
        assert_eq!(status, StatusCode::OK, "{url}");
        assert!(!body.is_empty());
        assert_eq!(
            headers.get(header::CACHE_CONTROL).unwrap(),
            "no-cache",
            "{url}"
        );
    }
}
