//! The JSON API under `/api/v1`.

mod checkins;
pub mod error;
mod guidance;
mod json;
mod sessions;

use axum::Router;
use axum::routing::get;

use crate::AppState;

/// The API routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/checkins", get(checkins::list).post(checkins::create))
        .route("/sessions", get(sessions::list).post(sessions::create))
        .route("/guidance", get(guidance::show))
}
