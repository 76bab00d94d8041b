//! The JSON API under `/api/v1`.

mod checkins;
pub mod error;
mod json;

use axum::Router;
use axum::routing::get;

use crate::AppState;

/// The API routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/checkins", get(checkins::list).post(checkins::create))
}
