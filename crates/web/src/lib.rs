//! Between over HTTP: server-rendered pages that work without JavaScript, the `/api/v1`
//! JSON API, and the security middleware around both.

mod api;
mod assets;
mod chart;
mod layout;
mod pages;
mod security;
mod session;

use axum::Router;
use axum::routing::{get, post};

pub use app::App;

/// How this server is reached, which decides cookie names and HSTS.
#[derive(Debug, Clone, Default)]
pub struct WebConfig {
    /// True when people reach the server over HTTPS (directly or through a proxy).
    pub https: bool,
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The use-cases.
    pub app: App,
    /// Transport settings.
    pub config: WebConfig,
}

/// The whole web app as one router.
pub fn router(state: AppState) -> Router {
    let https = state.config.https;
    Router::new()
        .route("/", get(pages::home::show))
        .route(
            "/signup",
            get(pages::signup::show).post(pages::signup::submit),
        )
        .route(
            "/signin",
            get(pages::signin::show).post(pages::signin::submit),
        )
        .route("/signout", post(pages::signin::sign_out))
        .route(
            "/checkin",
            get(pages::checkin::show).post(pages::checkin::submit),
        )
        .route("/history", get(pages::history::show))
        .route("/help", get(pages::help::show))
        .route(
            "/sessions",
            get(pages::sessions::show).post(pages::sessions::add),
        )
        .route("/sessions/{id}/delete", post(pages::sessions::delete))
        .route(
            "/sessions/{id}/reflect",
            get(pages::sessions::reflect_show).post(pages::sessions::reflect_submit),
        )
        .route("/agenda", get(pages::agenda::show).post(pages::agenda::add))
        .route("/agenda/{id}/discussed", post(pages::agenda::discussed))
        .route("/contact", get(pages::contact::show))
        .route(
            "/settings",
            get(pages::settings::show).post(pages::settings::save),
        )
        .route("/healthz", get(|| async { "ok" }))
        .route("/static/{file}", get(assets::serve))
        .nest("/api/v1", api::router())
        .fallback(pages::errors::not_found)
        .layer(axum::middleware::from_fn(security::refuse_cross_site))
        .layer(axum::middleware::from_fn(move |req, next| {
            security::headers(https, req, next)
        }))
        .layer(axum::middleware::from_fn(security::log_requests))
        .with_state(state)
}

/// Serves the app on a bound listener until `shutdown` completes, finishing requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
