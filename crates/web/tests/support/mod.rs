//! The request-test harness shared by the web test files: a router on a fresh SQLite
//! database, requests with cookies, and small readers for the answers.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

pub mod lifecycle;
pub mod seed;
// Alert emails: an SMTP server inside the test process.
pub mod smtp;
// Two-step sign-in.
pub mod two_step;

pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; manifest-src 'self'; worker-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

pub struct TestApp {
    pub router: Router,
    pub _dir: tempfile::TempDir,
}

pub async fn test_app() -> TestApp {
    test_app_with(app::Settings::default()).await
}

/// A test app, its store and its database file, for tests that seed more data than HTTP
/// could send in reasonable time.
pub async fn test_app_with_store() -> (TestApp, std::sync::Arc<dyn store::Store>, String) {
    let dir = tempfile::tempdir().unwrap();
    let url = store::DatabaseUrl::sqlite_in(dir.path());
    let store = store::testing::open(&url).await.unwrap();
    let app = app::App::new(store.clone(), app::Settings::default());
    let router = web::router(web::AppState {
        app,
        config: web::WebConfig::default().into(),
    });
    let store::DatabaseUrl::Sqlite(raw) = url else {
        unreachable!()
    };
    (TestApp { router, _dir: dir }, store, raw)
}

/// The same app on each backend: SQLite always, and PostgreSQL on a fresh database of the
/// server in `BETWEEN_TEST_DATABASE_URL` (as `scripts/test` sets it). Without it the test
/// fails, unless the developer opted out by name with `BETWEEN_SKIP_POSTGRES=1`.
pub async fn test_apps() -> Vec<(&'static str, TestApp)> {
    let settings = app::Settings {
        open_signup: true,
        ..Default::default()
    };
    let mut apps = vec![("sqlite", test_app_with(settings.clone()).await)];
    let Some(url) = store::testing::postgres_test_database().await else {
        return apps;
    };
    apps.push(("postgres", postgres_app(&url, settings).await));
    apps
}

/// An app on the PostgreSQL database at `url` (one of
/// [`store::testing::postgres_test_database`]).
pub async fn postgres_app(url: &str, settings: app::Settings) -> TestApp {
    let url = store::DatabaseUrl::parse(url).unwrap();
    let store = store::testing::open(&url).await.unwrap();
    let router = web::router(web::AppState {
        app: app::App::new(store, settings),
        config: web::WebConfig::default().into(),
    });
    TestApp {
        router,
        _dir: tempfile::tempdir().unwrap(),
    }
}

pub async fn test_app_with(settings: app::Settings) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let store = store::testing::open(&store::DatabaseUrl::sqlite_in(dir.path()))
        .await
        .unwrap();
    let app = app::App::new(store, settings);
    let router = web::router(web::AppState {
        app,
        config: web::WebConfig::default().into(),
    });
    TestApp { router, _dir: dir }
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|_| panic!("not JSON: {}", self.body))
    }
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with(&format!("{name}=")))
            .map(|c| {
                c.split(';')
                    .next()
                    .unwrap_or("")
                    .split_once('=')
                    .unwrap()
                    .1
                    .to_string()
            })
    }
}

/// Sends one request through a router and reads the whole answer.
pub async fn send(router: &Router, req: Request<Body>) -> Reply {
    let res = router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

impl TestApp {
    pub async fn send(&self, req: Request<Body>) -> Reply {
        send(&self.router, req).await
    }

    /// A GET whose body is kept as bytes (for images).
    pub async fn get_bytes(&self, path: &str) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        let req = Request::get(path).body(Body::empty()).unwrap();
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        (status, headers, bytes.to_vec())
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> Reply {
        let mut b = Request::get(path);
        if let Some(c) = cookie {
            b = b.header(header::COOKIE, c);
        }
        self.send(b.body(Body::empty()).unwrap()).await
    }

    pub async fn post_form(&self, path: &str, cookie: &str, form: &str) -> Reply {
        self.send(
            Request::post(path)
                .header(header::COOKIE, cookie)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header("sec-fetch-site", "same-origin")
                .body(Body::from(form.to_string()))
                .unwrap(),
        )
        .await
    }

    pub async fn post_json(&self, path: &str, auth: &str, body: &str) -> Reply {
        let mut b = Request::post(path).header(header::CONTENT_TYPE, "application/json");
        b = if auth.starts_with("btw_") {
            b.header(header::AUTHORIZATION, format!("Bearer {auth}"))
        } else {
            b.header(header::COOKIE, auth)
        };
        self.send(b.body(Body::from(body.to_string())).unwrap())
            .await
    }

    /// Signs up through the form and returns the session cookie header value.
    pub async fn sign_up(&self, email: &str) -> String {
        let page = self.get("/signup", None).await;
        assert_eq!(page.status, StatusCode::OK);
        let form_token = page.cookie("form").unwrap();
        let csrf = hidden(&page.body, "csrf");
        let res = self
            .post_form(
                "/signup",
                &format!("form={form_token}"),
                &format!(
                    "csrf={csrf}&email={email}&password=a+long+enough+password&country=GB&usual_mood=7&timezone=Europe%2FLondon"
                ),
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        format!("sid={}", res.cookie("sid").unwrap())
    }
}

/// Percent-encodes a form value (everything but unreserved characters).
pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

pub fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in page"))
        + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

pub fn assert_security_headers(r: &Reply, personal: bool) {
    assert_eq!(r.headers.get("content-security-policy").unwrap(), CSP);
    assert_eq!(r.headers.get("x-content-type-options").unwrap(), "nosniff");
    assert_eq!(r.headers.get("referrer-policy").unwrap(), "no-referrer");
    assert_eq!(r.headers.get("x-frame-options").unwrap(), "DENY");
    assert_eq!(
        r.headers.get("permissions-policy").unwrap(),
        "camera=(), microphone=(), geolocation=(), interest-cohort=()"
    );
    assert_eq!(
        r.headers.get("cross-origin-opener-policy").unwrap(),
        "same-origin"
    );
    // Only a server told it is reached over HTTPS asks browsers to stay on HTTPS.
    assert!(r.headers.get("strict-transport-security").is_none());
    if personal {
        assert_eq!(r.headers.get("cache-control").unwrap(), "no-store");
    }
}

/// An RFC 3339 time `n` days before now.
pub fn days_ago(n: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::days(n)).to_rfc3339()
}
