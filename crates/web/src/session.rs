//! Who is asking: the session cookie for pages, a bearer token or the cookie for the API,
//! and the form tokens that tie each form post to the page that showed it.

use std::net::{IpAddr, SocketAddr};

use app::Actor;
use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

use crate::AppState;

/// The session cookie's name: the `__Host-` prefix (which browsers accept only over HTTPS)
/// pins it to this exact host.
pub fn session_cookie_name(https: bool) -> &'static str {
    if https { "__Host-sid" } else { "sid" }
}

/// The pre-session form-token cookie for the sign-in and sign-up forms.
pub fn form_cookie_name(https: bool) -> &'static str {
    if https { "__Host-form" } else { "form" }
}

fn cookie(name: &'static str, value: String, https: bool, max_age_days: i64) -> Cookie<'static> {
    let mut c = Cookie::new(name, value);
    c.set_http_only(true);
    c.set_same_site(SameSite::Lax);
    c.set_path("/");
    c.set_secure(https);
    c.set_max_age(time_days(max_age_days));
    c
}

fn time_days(days: i64) -> time::Duration {
    time::Duration::days(days)
}

/// A cookie that keeps a new session.
pub fn session_cookie(secret: String, https: bool) -> Cookie<'static> {
    cookie(session_cookie_name(https), secret, https, 30)
}

/// A cookie that clears the session.
pub fn clear_session_cookie(https: bool) -> Cookie<'static> {
    cookie(session_cookie_name(https), String::new(), https, 0)
}

/// A signed-in person on a page; others are sent to the sign-in page.
pub struct SignedIn {
    /// Who is asking.
    pub actor: Actor,
    /// The session's form token.
    pub csrf: String,
    /// The cookie secret, for signing out.
    pub secret: String,
    /// The session's public id, which marks "this device" in the device list.
    pub session_id: String,
}

/// Anyone on a page: signed in or not.
pub struct Visitor {
    /// Who is asking, when signed in.
    pub signed_in: Option<SignedIn>,
}

/// The form token of the session these request headers carry, if it is signed in; for
/// drawing an error page in the signed-in frame. A failed lookup draws the signed-out frame.
pub async fn csrf_for(state: &AppState, headers: &HeaderMap) -> Option<String> {
    match lookup_headers(headers, state).await {
        Ok(found) => found.map(|s| s.csrf),
        Err(_) => None,
    }
}

async fn lookup(parts: &Parts, state: &AppState) -> Result<Option<SignedIn>, Response> {
    lookup_headers(&parts.headers, state).await
}

async fn lookup_headers(
    headers: &HeaderMap,
    state: &AppState,
) -> Result<Option<SignedIn>, Response> {
    let jar = CookieJar::from_headers(headers);
    let Some(secret) = jar
        .get(session_cookie_name(state.config.https))
        .map(|c| c.value().to_string())
        .filter(|v| !v.is_empty())
    else {
        return Ok(None);
    };
    match state.app.session(&secret).await {
        Ok(found) => Ok(found.map(|s| SignedIn {
            actor: s.actor,
            csrf: s.csrf,
            secret,
            session_id: s.id,
        })),
        Err(e) => {
            // The last-resort page: it serves the API's callers too, and needs no session.
            tracing::error!(
                error = %crate::pages::errors::error_chain(&e),
                "looking up a session failed"
            );
            Err(crate::pages::errors::internal_page())
        }
    }
}

impl<S> FromRequestParts<S> for Visitor
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        Ok(Visitor {
            signed_in: lookup(parts, &state).await?,
        })
    }
}

impl<S> FromRequestParts<S> for SignedIn
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        match lookup(parts, &state).await? {
            Some(s) if s.actor.account().is_therapist() && !therapist_page(parts.uri.path()) => {
                Err(Redirect::to(THERAPIST_HOME).into_response())
            }
            Some(s) => Ok(s),
            None => Err(Redirect::to("/signin").into_response()),
        }
    }
}

/// Where a therapist's account starts: their caseload.
pub const THERAPIST_HOME: &str = "/therapist";

/// Whether a page is one a therapist's account uses: their own pages under `/therapist`,
/// and the pages every account shares (help, settings about the account itself, signing
/// out). Everything else is a client's own log, which a therapist's account has none of: it
/// is sent to the caseload instead (303), checked here once for every page.
pub fn therapist_page(path: &str) -> bool {
    let under = |prefix: &str| {
        path.strip_prefix(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    };
    (under(THERAPIST_HOME) || under("/help") || under("/settings") || under("/signout"))
        // Sharing is the client's side of consent: a therapist has nothing to share.
        && !under("/settings/sharing")
}

/// Whether an API route (its path under `/api/v1`) is one a therapist's account may call:
/// the therapist's own routes, and those about the account itself and its own data. Every
/// other route answers a therapist with 403 `clients_only`, checked here once.
pub fn therapist_api(path: &str) -> bool {
    let path = path.strip_prefix("/api/v1").unwrap_or(path);
    let under = |prefix: &str| {
        path.strip_prefix(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    };
    under("/therapist") || under("/account") || under("/export")
}

/// The 403 a therapist's account gets from a client-only API route.
fn clients_only() -> Response {
    crate::api::error::json(
        axum::http::StatusCode::FORBIDDEN,
        "clients_only",
        "This is for a client's own data, and this is a therapist's account.",
        None,
    )
}

/// The account behind an API call: a `Bearer` token, or the session cookie.
pub struct ApiUser(pub Actor);

impl<S> FromRequestParts<S> for ApiUser
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ApiUser(actor) = api_user(parts, state).await?;
        // The path as requested: the API is nested, so `parts.uri` lacks its prefix.
        let path = parts
            .extensions
            .get::<axum::extract::OriginalUri>()
            .map_or_else(|| parts.uri.path().to_string(), |o| o.0.path().to_string());
        if actor.account().is_therapist() && !therapist_api(&path) {
            return Err(clients_only());
        }
        Ok(ApiUser(actor))
    }
}

async fn api_user<S>(parts: &mut Parts, state: &S) -> Result<ApiUser, Response>
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    {
        let state = AppState::from_ref(state);
        if let Some(auth) = parts.headers.get(header::AUTHORIZATION) {
            let token = auth
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(str::trim)
                .unwrap_or("");
            return state
                .app
                .bearer(token)
                .await
                .map(ApiUser)
                .map_err(crate::api::error::from_app);
        }
        match lookup(parts, &state).await {
            Ok(Some(s)) => Ok(ApiUser(s.actor)),
            Ok(None) => Err(crate::api::error::from_app(app::AppError::Unauthenticated)),
            Err(r) => Err(r),
        }
    }
}

/// The request's User-Agent header, read at sign-in only for the coarse browser family the
/// device list shows; the header itself is never stored or logged.
pub fn user_agent(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
}

/// The client's network address, for sign-in limits only (never logged with a person):
/// the connection's peer, or what a trusted proxy says in `X-Forwarded-For`. `None` when the
/// server was not started with connection info (some request tests).
pub struct ClientAddr(pub Option<IpAddr>);

impl<S> FromRequestParts<S> for ClientAddr
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let addr = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(peer)| {
                crate::proxy::client_ip(peer.ip(), &parts.headers, &state.config.trusted_proxies)
            });
        Ok(ClientAddr(addr))
    }
}

/// The pre-session form token from its cookie, or a new one with the cookie to set.
pub fn form_token(jar: CookieJar, https: bool) -> (CookieJar, String) {
    match jar
        .get(form_cookie_name(https))
        .map(|c| c.value().to_string())
    {
        Some(v) if v.len() == 32 => (jar, v),
        _ => {
            let v = random_token();
            (
                jar.add(cookie(form_cookie_name(https), v.clone(), https, 1)),
                v,
            )
        }
    }
}

/// Whether a posted form token matches the expected one, in constant time.
pub fn tokens_match(expected: &str, posted: &str) -> bool {
    let (a, b) = (expected.as_bytes(), posted.as_bytes());
    a.len() == b.len()
        && !a.is_empty()
        && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn random_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}
