//! Headers on every response, and refusal of state-changing requests from other sites.

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_http::trace::TraceLayer;

/// The Content-Security-Policy: only our own files, no inline code, no framing.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; manifest-src 'self'; worker-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// Headers every response carries, whatever it is.
const ALWAYS: [(HeaderName, HeaderValue); 6] = [
    (
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    ),
    (
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    ),
    (
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    ),
    (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
    (
        HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    ),
    (
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    ),
];

/// Over HTTPS: stay on HTTPS for a year, subdomains too.
const HSTS: HeaderValue = HeaderValue::from_static("max-age=31536000; includeSubDomains");

/// Adds the security headers to every response, in one middleware: a layer per header made
/// every request clone and box the whole stack once per header (docs/performance.md).
/// Everything but the static assets is `no-store`: pages and API answers may carry personal
/// data, and a shared computer's cache must not keep it. The asset handler always sets its
/// own Cache-Control, which is left alone; every other answer gets `no-store`.
pub fn with_headers<S>(router: Router<S>, https: bool) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    router.layer(axum::middleware::from_fn(move |req, next| {
        add_headers(https, req, next)
    }))
}

async fn add_headers(https: bool, req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    headers.reserve(ALWAYS.len() + 2);
    for (name, value) in ALWAYS {
        headers.insert(name, value);
    }
    if https {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, HSTS);
    }
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Logs each request with tower-http's `TraceLayer`, as privately as the hand-written log it
/// replaced: one `request` line per answer with the method and the path (never the query
/// string, which may hold a search word or a country; never headers or bodies), the status
/// and the time taken. TraceLayer's default span would record the whole URI, so the span is
/// made here; its per-request, body and failure events are off (failures are logged once,
/// with their cause, where the error is turned into a page or a JSON answer).
pub fn with_request_log<S>(router: Router<S>) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    let span = |req: &Request| tracing::info_span!("request", method = %req.method(), path = %req.uri().path());
    let logged = |res: &Response, latency: std::time::Duration, _: &tracing::Span| {
        tracing::info!(
            status = res.status().as_u16(),
            micros = latency.as_micros() as u64,
            "request"
        );
    };
    router.layer(
        TraceLayer::new_for_http()
            .make_span_with(span)
            .on_request(())
            .on_response(logged)
            .on_body_chunk(())
            .on_eos(())
            .on_failure(()),
    )
}

/// Refuses unsafe methods sent by a browser from another site. Browsers say where a request
/// came from in `Sec-Fetch-Site` (or, older ones, `Origin`); clients that send neither are
/// not browsers and cannot carry a victim's cookies by accident.
pub async fn refuse_cross_site(req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe || is_same_origin(&req) {
        return next.run(req).await;
    }
    tracing::warn!(path = %req.uri().path(), "refused a cross-site request");
    let json = req.uri().path().starts_with("/api/");
    crate::pages::errors::forbidden_cross_site(json).into_response()
}

fn is_same_origin(req: &Request) -> bool {
    let headers = req.headers();
    if let Some(site) = headers.get("sec-fetch-site") {
        return matches!(site.as_bytes(), b"same-origin" | b"none");
    }
    match (headers.get(header::ORIGIN), headers.get(header::HOST)) {
        (Some(origin), Some(host)) => {
            let origin = origin.to_str().unwrap_or("");
            let authority = origin.split_once("://").map(|(_, a)| a).unwrap_or("");
            authority.eq_ignore_ascii_case(host.to_str().unwrap_or("-"))
        }
        (Some(_), None) => false,
        (None, _) => true,
    }
}
