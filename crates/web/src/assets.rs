//! Static files compiled into the binary, so a self-hoster deploys one file.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

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

/// Serves one embedded file. URLs carry the version, so browsers may cache for a year.
pub async fn serve(Path(file): Path<String>) -> Response {
    match FILES.iter().find(|(name, _, _)| *name == file) {
        Some((_, mime, body)) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(mime)),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=31536000, immutable"),
                ),
            ],
            *body,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
