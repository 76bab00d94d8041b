//! What makes Between installable and usable without a network: the web app manifest, the
//! service worker (served from the root so it may look after every page) and the page it
//! shows when a page is not available offline.

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::coping::{Kind, catalogue};
use domain::crisis::{Country, directory_for};

use crate::assets;
use crate::layout::Layout;
use crate::pages::help::Dial;
use crate::pages::render;

/// Pages every browser keeps for offline use.
const CORE_PAGES: [&str; 2] = ["/offline", "/help"];

/// The embedded files the offline pages need before anything else is fetched.
const STATIC_FILES: [&str; 6] = [
    "app.css",
    "offline.js",
    "icon.svg",
    "icon-192.png",
    "icon-512.png",
    "icon-maskable-512.png",
];

/// The toolkit pages kept offline: the list and each guided exercise. The tools that open
/// the person's own lists, records or routine are left out, because those pages show their
/// personal text.
pub fn toolkit_pages() -> Vec<String> {
    std::iter::once("/toolkit".to_string())
        .chain(
            catalogue()
                .filter(|t| !matches!(t.kind, Kind::List { .. }) && !t.has_own_pages())
                .map(|t| format!("/toolkit/{}", t.id.code())),
        )
        .collect()
}

fn static_assets() -> Vec<String> {
    STATIC_FILES
        .iter()
        .map(|f| assets::url(f))
        .chain(std::iter::once("/manifest.webmanifest".to_string()))
        .collect()
}

/// The service worker: its settings written by the server, then the embedded script. It is
/// not cached by the browser (the security headers make it `no-store`). Its cache is named
/// after the hash of every asset, and its precache list carries each asset's hashed URL, so
/// any changed file changes this script's bytes: the browser installs the new worker, which
/// fills a fresh cache and deletes the old one.
pub async fn service_worker() -> Response {
    let list = |items: Vec<String>| serde_json::to_string(&items).unwrap_or_else(|_| "[]".into());
    let body = format!(
        "const VERSION = {};\nconst CORE_PAGES = {};\nconst TOOLKIT_PAGES = {};\nconst STATIC_ASSETS = {};\n{}",
        serde_json::to_string(&assets::bundle_hash()).unwrap_or_else(|_| "\"0\"".into()),
        list(CORE_PAGES.iter().map(|s| s.to_string()).collect()),
        list(toolkit_pages()),
        list(static_assets()),
        include_str!("../static/sw.js"),
    );
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/javascript; charset=utf-8"),
        )],
        body,
    )
        .into_response()
}

/// The web app manifest, so the app can be installed to a home screen.
pub async fn manifest() -> Response {
    let icon = |file: &str, sizes: &str, kind: &str, purpose: &str| {
        serde_json::json!({
            "src": assets::url(file),
            "sizes": sizes,
            "type": kind,
            "purpose": purpose,
        })
    };
    let manifest = serde_json::json!({
        "name": "Between",
        "short_name": "Between",
        "description": "A companion for the days between therapy sessions.",
        "id": "/",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#f7f5f1",
        "theme_color": "#2f6f6a",
        "lang": "en",
        "icons": [
            icon("icon-192.png", "192x192", "image/png", "any"),
            icon("icon-512.png", "512x512", "image/png", "any"),
            icon("icon-maskable-512.png", "512x512", "image/png", "maskable"),
            icon("icon.svg", "any", "image/svg+xml", "any"),
        ],
        "shortcuts": [
            { "name": "Get help now", "url": "/help" },
            { "name": "My safety plan", "url": "/safety-plan" },
        ],
    });
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/manifest+json"),
        )],
        manifest.to_string(),
    )
        .into_response()
}

/// One country's emergency number for the offline page.
pub struct EmergencyRow {
    country: &'static str,
    numbers: Vec<Dial>,
}

#[derive(Template)]
#[template(path = "offline.html")]
struct OfflinePage {
    layout: Layout,
    emergency: Vec<EmergencyRow>,
}

/// The page shown for anything not kept offline. It is the same for everyone (it is stored
/// on the device), so it carries no account's details: every country's emergency number,
/// and links to what the device holds.
pub async fn page() -> Response {
    let emergency = Country::all()
        .iter()
        .map(|c| EmergencyRow {
            country: c.name(),
            numbers: directory_for(*c)
                .emergency_numbers()
                .map(|n| Dial::new(n.tel_href(), n.display().to_string()))
                .collect(),
        })
        .collect();
    render(
        StatusCode::OK,
        &OfflinePage {
            layout: Layout::anonymous(),
            emergency,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_lists_are_never_kept_offline() {
        let pages = toolkit_pages();
        assert!(pages.contains(&"/toolkit/box-breathing".to_string()));
        assert!(
            !pages
                .iter()
                .any(|p| p.ends_with("/self-care") || p.ends_with("/distraction"))
        );
        assert!(!pages.iter().any(|p| p.contains("lists")));
    }
}
