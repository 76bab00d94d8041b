//! Between over HTTP: server-rendered pages that work without JavaScript, the `/api/v1`
//! JSON API, and the security middleware around both.
#![warn(missing_docs)]

mod api;
mod assets;
mod chart;
mod form;
mod layout;
mod offline;
mod pages;
pub mod proxy;
pub mod public_url;
mod route_table;
mod security;
mod session;

use axum::Router;
use axum::routing::get;
use domain::plans::{BackslidingPlan, SafetyPlan};
use form::{CheckedPost, checked_post};
use route_table::RouteTable;
use std::sync::Arc;

pub use app::App;

/// How this server is reached, which decides cookie names and HSTS.
#[derive(Debug, Clone, Default)]
pub struct WebConfig {
    /// True when people reach the server over HTTPS (directly or through a proxy).
    pub https: bool,
    /// Reverse proxies whose `X-Forwarded-For` says who the client is.
    pub trusted_proxies: Vec<proxy::Cidr>,
    /// The address people use; when set, requests for any other host are refused.
    pub public_url: Option<public_url::PublicUrl>,
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The use-cases.
    pub app: App,
    /// Transport settings, shared: the state is cloned for every request.
    pub config: Arc<WebConfig>,
}

/// The whole web app as one router.
pub fn router(state: AppState) -> Router {
    let https = state.config.https;
    let public = state.config.public_url.clone();
    let routes = routes()
        .into_router()
        .fallback(pages::errors::not_found)
        .layer(axum::middleware::from_fn(security::refuse_cross_site))
        // Inside the security headers, so the pages it draws carry them too.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            pages::errors::draw,
        ))
        // Before anything else reads the request: a request for another host is answered
        // with 421 and nothing more.
        .layer(axum::middleware::from_fn(move |req, next| {
            public_url::check_host(public.clone(), req, next)
        }));
    let routes = security::with_headers(routes, https);
    security::with_request_log(routes)
        // Pages and assets travel gzipped: a heavy history page shrinks several-fold on a
        // phone's connection. Cross-site requests that could probe compressed secrets are
        // refused above, and form tokens change with every session.
        .layer(tower_http::compression::CompressionLayer::new().gzip(true))
        .with_state(state)
}

/// The path of every route the router serves, pages and API (with its `/api/v1` prefix),
/// in the order they are added; a path's methods are in the `Allow` header of the 405 that
/// answers a method it lacks. Tests that must reach every route start from this list.
pub fn route_paths() -> Vec<String> {
    routes().into_paths()
}

/// Every route, pages and API, without the fallback and the layers around them.
fn routes() -> RouteTable {
    RouteTable::new()
        .route("/", get(pages::home::show))
        .route(
            "/signup",
            get(pages::signup::show).checked_post(pages::signup::submit),
        )
        .route(
            "/signin",
            get(pages::signin::show).checked_post(pages::signin::submit),
        )
        .route("/signout", checked_post(pages::signin::sign_out))
        .route(
            "/checkin",
            get(pages::checkin::show).checked_post(pages::checkin::submit),
        )
        .route(
            "/checkin/{id}",
            get(pages::checkin::edit).checked_post(pages::checkin::update),
        )
        .route("/history", get(pages::history::show))
        // What a therapist sees: the caseload and one client's shared data.
        .route("/therapist", get(pages::therapist::caseload))
        .route("/therapist/clients/{id}", get(pages::therapist::client))
        .route("/help", get(pages::help::show))
        .route("/more", get(pages::more::show))
        .route(
            "/sessions",
            get(pages::sessions::show).checked_post(pages::sessions::add),
        )
        .route(
            "/sessions/{id}/remove",
            get(pages::sessions::confirm_remove),
        )
        .route(
            "/sessions/{id}/delete",
            checked_post(pages::sessions::delete),
        )
        .route(
            "/sessions/{id}/reflect",
            get(pages::sessions::reflect_show).checked_post(pages::sessions::reflect_submit),
        )
        .route(
            "/agenda",
            get(pages::agenda::show).checked_post(pages::agenda::add),
        )
        .route(
            "/agenda/{id}/discussed",
            checked_post(pages::agenda::discussed),
        )
        .route("/agenda/{id}/move", checked_post(pages::agenda::move_item))
        .route("/agenda/{id}/remove", checked_post(pages::agenda::remove))
        .route(
            "/agenda/from-checkin/{id}",
            checked_post(pages::agenda::from_checkin),
        )
        .route(
            "/journal",
            get(pages::journal::show).checked_post(pages::journal::write),
        )
        .route("/journal/search", checked_post(pages::journal::search))
        .route(
            "/journal/{id}/edit",
            get(pages::journal::edit_show).checked_post(pages::journal::edit_save),
        )
        .route("/journal/{id}/flag", checked_post(pages::journal::flag))
        .route(
            "/journal/{id}/delete",
            get(pages::journal::delete_confirm).checked_post(pages::journal::delete),
        )
        .route(
            "/homework",
            get(pages::homework::show).checked_post(pages::homework::add),
        )
        .route("/homework/{id}/done", checked_post(pages::homework::done))
        .route(
            "/homework/{id}/finish",
            checked_post(pages::homework::finish),
        )
        .route(
            "/homework/{id}/remove",
            checked_post(pages::homework::remove),
        )
        .route(
            "/feedback",
            get(pages::feedback::show).checked_post(pages::feedback::add),
        )
        .route(
            "/feedback/{id}/delete",
            checked_post(pages::feedback::remove),
        )
        .route("/brief", get(pages::brief::show))
        .route("/contact", get(pages::contact::show))
        .route("/toolkit", get(pages::toolkit::show))
        .route("/toolkit/lists", get(pages::toolkit::lists))
        .route(
            "/toolkit/lists/{kind}",
            checked_post(pages::toolkit::add_item),
        )
        .route(
            "/toolkit/lists/items/{id}",
            checked_post(pages::toolkit::change_item),
        )
        // Bedtime routine: its own pages, static routes that axum prefers over
        // the player's `/toolkit/{id}`.
        .route(
            "/toolkit/bedtime-routine",
            get(pages::bedtime::show).checked_post(pages::bedtime::log_night),
        )
        .route(
            "/toolkit/bedtime-routine/edit",
            get(pages::bedtime::edit).checked_post(pages::bedtime::save),
        )
        // Thought records: "Untangle a thought" has pages of its own; these static
        // paths come before the guided player's `/toolkit/{id}`.
        .route("/toolkit/thought-record", get(pages::thought_records::show))
        .route(
            "/toolkit/thought-record/search",
            checked_post(pages::thought_records::search),
        )
        .route(
            "/toolkit/thought-record/new",
            get(pages::thought_records::new_show).checked_post(pages::thought_records::create),
        )
        .route(
            "/toolkit/thought-record/{id}",
            get(pages::thought_records::read),
        )
        .route(
            "/toolkit/thought-record/{id}/edit",
            get(pages::thought_records::edit_show).checked_post(pages::thought_records::edit_save),
        )
        .route(
            "/toolkit/thought-record/{id}/bring",
            checked_post(pages::thought_records::bring),
        )
        .route(
            "/toolkit/thought-record/{id}/delete",
            get(pages::thought_records::delete_confirm)
                .checked_post(pages::thought_records::delete),
        )
        .route(
            "/toolkit/{id}",
            get(pages::toolkit::player).checked_post(pages::toolkit::save),
        )
        .route("/questionnaires", get(pages::questionnaires::overview))
        .route(
            "/questionnaires/{code}",
            get(pages::questionnaires::show).checked_post(pages::questionnaires::submit),
        )
        .route(
            "/questionnaires/results/{id}",
            get(pages::questionnaires::result),
        )
        .route(
            "/settings",
            get(pages::settings::show).checked_post(pages::settings::save),
        )
        // Therapist accounts: a therapist's own settings hold the name clients see.
        .route("/settings/name", checked_post(pages::settings::save_name))
        // Account: password and signed-in devices, and API tokens (Settings sub-pages).
        .route("/settings/account", get(pages::account::show))
        .route(
            "/settings/account/password",
            checked_post(pages::account::change_password),
        )
        .route(
            "/settings/account/devices/sign-out-others",
            checked_post(pages::account::sign_out_others),
        )
        .route(
            "/settings/account/devices/{id}/sign-out",
            checked_post(pages::account::sign_out_device),
        )
        // Two-step sign-in: turning it on and managing it, and the sign-in's second step.
        .route(
            pages::two_step::PATH,
            get(pages::two_step::show).checked_post(pages::two_step::confirm),
        )
        .route(
            "/settings/account/two-step/recovery-codes",
            checked_post(pages::two_step::regenerate),
        )
        .route(
            "/settings/account/two-step/off",
            checked_post(pages::two_step::turn_off),
        )
        .route(
            pages::two_step::CODE_PATH,
            get(pages::two_step::show_code).checked_post(pages::two_step::submit_code),
        )
        .route(
            "/settings/tokens",
            get(pages::api_tokens::show).checked_post(pages::api_tokens::create),
        )
        .route(
            "/settings/tokens/{id}/revoke",
            get(pages::api_tokens::confirm_revoke).checked_post(pages::api_tokens::revoke),
        )
        // Your data: download everything, and import a download into an empty account.
        // The upload may be far larger than any other form.
        .route("/settings/data", get(pages::data::show))
        .route(
            "/settings/data/import",
            checked_post(pages::data::import).layer(axum::extract::DefaultBodyLimit::max(
                api::export::MAX_IMPORT_BYTES + 64 * 1024,
            )),
        )
        // Sharing with a therapist: Settings → Sharing (invite, change, stop, cancel, who
        // looked at what), and the therapist's join page.
        .route("/settings/sharing", get(pages::sharing::show))
        .route(
            "/settings/sharing/invites",
            checked_post(pages::sharing::invite),
        )
        .route(
            "/settings/sharing/invites/{handle}/cancel",
            checked_post(pages::sharing::cancel_invite),
        )
        .route(
            "/settings/sharing/{id}",
            checked_post(pages::sharing::save_grant),
        )
        .route(
            "/settings/sharing/{id}/stop",
            get(pages::sharing::confirm_stop).checked_post(pages::sharing::stop),
        )
        .route(
            "/therapist/join",
            get(pages::sharing::join_show).checked_post(pages::sharing::join),
        )
        .route(
            "/safety-plan",
            get(pages::safety_plan::show).checked_post(pages::plans::save::<SafetyPlan>),
        )
        .route("/safety-plan/edit", get(pages::plans::edit::<SafetyPlan>))
        .route(
            "/safety-plan/offline",
            checked_post(pages::safety_plan::offline),
        )
        .route(
            "/safety-plan/history",
            get(pages::plans::history::<SafetyPlan>),
        )
        .route(
            "/safety-plan/history/{version}",
            get(pages::plans::version::<SafetyPlan>),
        )
        .route(
            "/safety-plan/history/{version}/restore",
            checked_post(pages::plans::restore::<SafetyPlan>),
        )
        .route(
            "/backsliding-plan",
            get(pages::backsliding_plan::show).checked_post(pages::plans::save::<BackslidingPlan>),
        )
        .route(
            "/backsliding-plan/edit",
            get(pages::plans::edit::<BackslidingPlan>),
        )
        .route(
            "/backsliding-plan/history",
            get(pages::plans::history::<BackslidingPlan>),
        )
        .route(
            "/backsliding-plan/history/{version}",
            get(pages::plans::version::<BackslidingPlan>),
        )
        .route(
            "/backsliding-plan/history/{version}/restore",
            checked_post(pages::plans::restore::<BackslidingPlan>),
        )
        // Account lifecycle: the welcome questions, choosing a country on "Get
        // help now", deleting one's account and the goodbye page after it.
        .route(
            "/welcome",
            get(pages::welcome::show).checked_post(pages::welcome::save),
        )
        .route("/help/country", checked_post(pages::help::choose_country))
        .route(
            "/settings/delete",
            get(pages::farewell::show).checked_post(pages::farewell::submit),
        )
        .route("/goodbye", get(pages::farewell::goodbye))
        // What a therapist may change for a client: homework, guidance sensitivity.
        .route(
            "/therapist/clients/{id}/homework",
            get(pages::therapist_actions::homework_show)
                .checked_post(pages::therapist_actions::homework_assign),
        )
        .route(
            "/therapist/clients/{id}/sensitivity",
            get(pages::therapist_actions::sensitivity_show)
                .checked_post(pages::therapist_actions::sensitivity_save),
        )
        .route("/offline", get(offline::page))
        .route("/sw.js", get(offline::service_worker))
        .route("/manifest.webmanifest", get(offline::manifest))
        .route("/healthz", get(|| async { "ok" }))
        .route("/static/{file}", get(assets::serve))
        .nest("/api/v1", api::router())
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
