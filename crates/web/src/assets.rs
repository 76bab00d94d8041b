//! Static files compiled into the binary, so a self-hoster deploys one file.

//!
//! Every asset URL carries a hash of the file's bytes (`/static/app.css?v=<10 hex>`), so a
//! changed file gets a new URL and a browser that cached the old one for a year fetches it.

use std::sync::LazyLock;

use axum::extract::{Path, Query};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

const FILES: &[(&str, &str, &[u8])] = &[
    (
        "app.css",
        "text/css; charset=utf-8",
        include_bytes!("../static/app.css"),
    ),
    (
        "forms.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/forms.js"),
    ),
    (
        "brief.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/brief.js"),
    ),
    (
        "player.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/player.js"),
    ),
    (
        "questionnaire.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/questionnaire.js"),
    ),
    // The thought record's form.
    (
        "thought-record.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/thought-record.js"),
    ),
    (
        "offline.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/offline.js"),
    ),
    (
        "icon.svg",
        "image/svg+xml",
        include_bytes!("../static/icon.svg"),
    ),
    (
        "icon-192.png",
        "image/png",
        include_bytes!("../static/icon-192.png"),
    ),
    (
        "icon-512.png",
        "image/png",
        include_bytes!("../static/icon-512.png"),
    ),
    (
        "icon-maskable-512.png",
        "image/png",
        include_bytes!("../static/icon-maskable-512.png"),
    ),
    (
        "apple-touch-icon.png",
        "image/png",
        include_bytes!("../static/apple-touch-icon.png"),
    ),
];

/// One embedded file with the URL that names its bytes.
struct Asset {
    name: &'static str,
    mime: &'static str,
    body: &'static [u8],
    hash: String,
    url: String,
}

/// The files and their hashes, computed once on first use.
static ASSETS: LazyLock<Vec<Asset>> = LazyLock::new(|| {
    FILES
        .iter()
        .map(|(name, mime, body)| {
            let hash = content_hash(body);
            Asset {
                name,
                mime,
                body,
                url: format!("/static/{name}?v={hash}"),
                hash,
            }
        })
        .collect()
});

/// The first 10 hex digits of the SHA-256 of `bytes`: enough to tell versions apart.
pub fn content_hash(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut hex = hex::encode(digest);
    hex.truncate(10);
    hex
}

/// The URL of an embedded file, carrying its hash. An unknown name (a typo in a template)
/// still gets a plain URL, which then answers 404 so a test notices.
pub fn url(name: &str) -> String {
    ASSETS
        .iter()
        .find(|a| a.name == name)
        .map(|a| a.url.clone())
        .unwrap_or_else(|| format!("/static/{name}"))
}

/// One hash over every asset: the service worker names its cache after it, so any changed
/// file starts a fresh cache.
pub fn bundle_hash() -> String {
    let all: String = ASSETS.iter().map(|a| a.hash.as_str()).collect();
    content_hash(all.as_bytes())
}

/// The `?v=` of an asset URL.
#[derive(serde::Deserialize)]
pub struct Version {
    v: Option<String>,
}

/// Serves one embedded file. Asked for by the URL that names these exact bytes, it may be
/// cached for a year. Asked for with another or no `v` (a page rendered by an older or newer
/// release, during a rolling update, or a hand-typed URL), the file is still served but must
/// be revalidated: caching it `immutable` would pin these bytes to a URL that names others,
/// which is the stale-asset bug the hashes exist to prevent.
pub async fn serve(Path(file): Path<String>, Query(version): Query<Version>) -> Response {
    let Some(asset) = ASSETS.iter().find(|a| a.name == file) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let cache = if version.v.as_deref() == Some(asset.hash.as_str()) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(asset.mime)),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
        ],
        asset.body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_bytes_change_the_url() {
        let a = content_hash(b"body { color: black }");
        let b = content_hash(b"body { color: navy }");
        assert_eq!(a.len(), 10);
        assert_ne!(a, b);
        assert_eq!(a, content_hash(b"body { color: black }"));
        // The known SHA-256 of "abc" starts ba7816bf8f.
        assert_eq!(content_hash(b"abc"), "ba7816bf8f");
    }

    #[test]
    fn every_file_has_a_hashed_url() {
        for (name, _, body) in FILES {
            assert_eq!(
                url(name),
                format!("/static/{name}?v={}", content_hash(body))
            );
        }
    }
}
