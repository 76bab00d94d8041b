//! Sign-in limits that slow guessing without locking out the right person, the client
//! address behind a trusted proxy, and the host check. The limits are counted in the
//! database, so these run on SQLite and, with `BETWEEN_TEST_DATABASE_URL`, on PostgreSQL.
// Helpers outside `#[test]` fns unwrap too; clippy.toml's test allowances reach only the tests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use support::{Reply, hidden};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const EMAIL: &str = "sam@example.org";
const GOOD: &str = "a long enough password";

/// The default limits with a first delay long enough that a slow test machine still makes
/// its next attempts inside it.
fn patient() -> app::LoginLimits {
    app::LoginLimits {
        first_delay: Duration::from_secs(30),
        ..app::LoginLimits::default()
    }
}

/// One database for a test: a SQLite file in a temporary folder, or a fresh database on the
/// test PostgreSQL server.
struct Database {
    url: store::DatabaseUrl,
    _dir: Option<tempfile::TempDir>,
}

fn sqlite() -> Database {
    let dir = tempfile::tempdir().unwrap();
    Database {
        url: store::DatabaseUrl::sqlite_in(dir.path()),
        _dir: Some(dir),
    }
}

/// A fresh PostgreSQL database (see `store::testing`).
async fn postgres() -> Option<Database> {
    let url = store::testing::postgres_test_database().await?;
    Some(Database {
        url: store::DatabaseUrl::parse(&url).unwrap(),
        _dir: None,
    })
}

/// One instance of the app: its own store connection and App, like a second server
/// process on the same database.
#[derive(Clone)]
struct Site {
    router: Router,
    app: app::App,
    config: web::WebConfig,
}

async fn site(db: &Database, limits: app::LoginLimits, config: web::WebConfig) -> Site {
    let store = store::testing::open(&db.url).await.unwrap();
    let app = app::App::new(
        store,
        app::Settings {
            login_limits: limits,
            ..app::Settings::default()
        },
    );
    let router = web::router(web::AppState {
        app: app.clone(),
        config: config.clone().into(),
    });
    Site {
        router,
        app,
        config,
    }
}

async fn with_account(db: &Database, limits: app::LoginLimits, config: web::WebConfig) -> Site {
    let s = site(db, limits, config).await;
    s.app
        .add_user(app::NewUser {
            email: EMAIL.into(),
            password: GOOD.into(),
            role: domain::account::Role::Client,
            country: None,
            timezone: None,
        })
        .await
        .unwrap();
    s
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

impl Site {
    async fn send(&self, req: Request<Body>) -> Reply {
        support::send(&self.router, req).await
    }

    /// Posts the sign-in form as a browser at `peer` would, with an optional
    /// `X-Forwarded-For`.
    async fn sign_in(&self, peer: &str, forwarded: Option<&str>, password: &str) -> Reply {
        let form = self.form().await;
        self.post_sign_in(peer, forwarded, password, form).await
    }

    /// A fresh sign-in form: its cookie token and form token.
    async fn form(&self) -> (String, String) {
        let page = self
            .send(
                Request::get("/signin")
                    .header(header::HOST, "between.test")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        (page.cookie("form").unwrap(), hidden(&page.body, "csrf"))
    }

    async fn post_sign_in(
        &self,
        peer: &str,
        forwarded: Option<&str>,
        password: &str,
        form: (String, String),
    ) -> Reply {
        self.post_sign_in_as(EMAIL, peer, forwarded, password, form)
            .await
    }

    async fn post_sign_in_as(
        &self,
        email: &str,
        peer: &str,
        forwarded: Option<&str>,
        password: &str,
        (token, csrf): (String, String),
    ) -> Reply {
        let form = format!(
            "csrf={csrf}&email={}&password={}",
            email.replace('@', "%40"),
            password.replace(' ', "+")
        );
        let mut req = Request::post("/signin")
            .header(header::HOST, "between.test")
            .header(header::COOKIE, format!("form={token}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin");
        if let Some(f) = forwarded {
            req = req.header("x-forwarded-for", f);
        }
        let mut req = req.body(Body::from(form)).unwrap();
        req.extensions_mut()
            .insert(ConnectInfo(SocketAddr::new(ip(peer), 50_000)));
        self.send(req).await
    }
}

fn retry_after(r: &Reply) -> u64 {
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    r.headers
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no Retry-After: {:?}", r.headers))
}

/// Twelve wrong passwords from one address: the first five are checked, then that address
/// is asked to wait (with a time, and a kind word), and the right password from another
/// address still signs in at once.
async fn wrong_passwords_elsewhere_never_lock_out(db: Database) {
    let s = with_account(&db, patient(), web::WebConfig::default()).await;
    let mut statuses = Vec::new();
    for _ in 0..12 {
        statuses.push(
            s.sign_in("127.0.0.1", None, "not the password")
                .await
                .status,
        );
    }
    assert_eq!(&statuses[..5], [StatusCode::UNAUTHORIZED; 5]);
    assert_eq!(&statuses[5..], [StatusCode::TOO_MANY_REQUESTS; 7]);
    let paused = s.sign_in("127.0.0.1", None, GOOD).await;
    assert!((1..=30).contains(&retry_after(&paused)));
    assert!(
        paused.body.contains("Please try again in "),
        "{}",
        paused.body
    );
    assert!(paused.body.contains("Your account is not locked"));

    let ok = s.sign_in("127.0.0.2", None, GOOD).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    assert!(ok.cookie("sid").is_some());

    // An email without an account is counted and paused the same way, so the answers do
    // not tell whether it has one.
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let form = s.form().await;
        let r = s
            .post_sign_in_as("nobody@example.org", "127.0.0.3", None, GOOD, form)
            .await;
        statuses.push(r.status);
    }
    assert_eq!(&statuses[..5], [StatusCode::UNAUTHORIZED; 5]);
    assert_eq!(statuses[5], StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn sqlite_wrong_passwords_elsewhere_never_lock_out() {
    wrong_passwords_elsewhere_never_lock_out(sqlite()).await;
}

#[tokio::test]
async fn postgres_wrong_passwords_elsewhere_never_lock_out() {
    if let Some(db) = postgres().await {
        wrong_passwords_elsewhere_never_lock_out(db).await;
    }
}

/// Delays double with each failure past the free ones; successes are never counted, and a
/// success forgets that address's failures for the account.
async fn delays_grow_and_successes_do_not_count(db: Database) {
    let limits = app::LoginLimits {
        free_per_account_address: 2,
        free_per_address: 3,
        ..app::LoginLimits::default()
    };
    let s = with_account(&db, limits, web::WebConfig::default()).await;
    let wrong = "not the password";
    for _ in 0..2 {
        assert_eq!(
            s.sign_in("127.0.0.1", None, wrong).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(retry_after(&s.sign_in("127.0.0.1", None, wrong).await), 1);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(
        s.sign_in("127.0.0.1", None, wrong).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(retry_after(&s.sign_in("127.0.0.1", None, GOOD).await), 2);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(
        s.sign_in("127.0.0.1", None, wrong).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(retry_after(&s.sign_in("127.0.0.1", None, wrong).await), 4);

    // Six good sign-ins from one address, twice its free failures: none is counted.
    for i in 0..6 {
        let r = s.sign_in("127.0.0.3", None, GOOD).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "sign-in {i}: {}", r.body);
    }
    // A success clears the account's failures from that address: fail, succeed, fail,
    // fail would be four failures (paused) if the success had not.
    for (password, status) in [
        (wrong, StatusCode::UNAUTHORIZED),
        (GOOD, StatusCode::SEE_OTHER),
        (wrong, StatusCode::UNAUTHORIZED),
        (GOOD, StatusCode::SEE_OTHER),
    ] {
        assert_eq!(s.sign_in("127.0.0.4", None, password).await.status, status);
    }
}

#[tokio::test]
async fn sqlite_delays_grow_and_successes_do_not_count() {
    delays_grow_and_successes_do_not_count(sqlite()).await;
}

#[tokio::test]
async fn postgres_delays_grow_and_successes_do_not_count() {
    if let Some(db) = postgres().await {
        delays_grow_and_successes_do_not_count(db).await;
    }
}

/// Two instances on one database: failures counted by one pause the other.
async fn instances_share_counts(db: Database) {
    let a = with_account(&db, patient(), web::WebConfig::default()).await;
    let b = site(&db, patient(), web::WebConfig::default()).await;
    for _ in 0..5 {
        assert_eq!(
            a.sign_in("127.0.0.1", None, "not the password")
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
    }
    assert!((1..=30).contains(&retry_after(&b.sign_in("127.0.0.1", None, GOOD).await)));
    assert_eq!(
        b.sign_in("127.0.0.2", None, GOOD).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn sqlite_instances_share_counts() {
    instances_share_counts(sqlite()).await;
}

#[tokio::test]
async fn postgres_instances_share_counts() {
    if let Some(db) = postgres().await {
        instances_share_counts(db).await;
    }
}

/// Twenty guesses sent at once: the ones still being checked count as failures, so no more
/// than the free five are checked, rather than all twenty passing the check before the
/// first failure is recorded.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_simultaneous_guesses_gets_only_the_free_tries() {
    let db = sqlite();
    let s = with_account(&db, patient(), web::WebConfig::default()).await;
    let mut forms = Vec::new();
    for _ in 0..20 {
        forms.push(s.form().await);
    }
    let mut burst = tokio::task::JoinSet::new();
    for form in forms {
        let s = s.clone();
        burst.spawn(async move {
            s.post_sign_in("127.0.0.1", None, "not the password", form)
                .await
                .status
        });
    }
    let statuses = burst.join_all().await;
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let paused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    // An attempt that finishes while another is being checked may briefly count twice for
    // that other one, so fewer than five may be checked; never more.
    assert!((1..=5).contains(&checked), "{statuses:?}");
    assert_eq!(checked + paused, 20, "{statuses:?}");
}

#[tokio::test]
async fn forwarded_for_counts_only_from_a_trusted_proxy() {
    let db = sqlite();
    let config = web::WebConfig {
        trusted_proxies: vec!["10.0.0.0/8".parse().unwrap()],
        ..web::WebConfig::default()
    };
    let s = with_account(&db, patient(), config).await;
    // From an untrusted peer the header is ignored: a new address in it each time does
    // not escape the count.
    for i in 0..5 {
        let xff = format!("198.51.100.{i}");
        let r = s
            .sign_in("203.0.113.5", Some(&xff), "not the password")
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let r = s.sign_in("203.0.113.5", Some("198.51.100.99"), GOOD).await;
    assert!(retry_after(&r) >= 1);

    // Through the trusted proxy each client is itself, whatever the client wrote to the
    // left of what the proxy appended.
    for _ in 0..5 {
        let r = s
            .sign_in("10.0.0.2", Some("198.51.100.2, 198.51.100.1"), "no")
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let paused = s
        .sign_in("10.0.0.3", Some("203.0.113.9, 198.51.100.1"), GOOD)
        .await;
    assert!(retry_after(&paused) >= 1);
    let ok = s.sign_in("10.0.0.2", Some("198.51.100.2"), GOOD).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    // And the proxy's own address was never the one counted.
    assert_eq!(
        s.sign_in("10.0.0.2", None, GOOD).await.status,
        StatusCode::SEE_OTHER
    );
}

/// A minimal HTTP/1.1 exchange from a socket bound to `from`.
async fn http_from(from: &str, to: SocketAddr, request: String) -> (u16, String) {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::new(ip(from), 0)).unwrap();
    let mut stream = socket.connect(to).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    stream.read_to_end(&mut out).await.unwrap();
    let out = String::from_utf8_lossy(&out).into_owned();
    let status = out
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, out)
}

fn set_cookie(response: &str, name: &str) -> Option<String> {
    response
        .lines()
        .filter_map(|l| l.strip_prefix("set-cookie: "))
        .find_map(|c| c.strip_prefix(&format!("{name}=")))
        .map(|c| c.split(';').next().unwrap_or("").to_string())
}

async fn sign_in_over_socket(from: &str, to: SocketAddr, password: &str) -> (u16, String) {
    let (status, page) = http_from(
        from,
        to,
        format!("GET /signin HTTP/1.1\r\nHost: {to}\r\nConnection: close\r\n\r\n"),
    )
    .await;
    assert_eq!(status, 200, "{page}");
    let token = set_cookie(&page, "form").unwrap();
    let body = format!(
        "csrf={}&email={}&password={}",
        hidden(&page, "csrf"),
        EMAIL.replace('@', "%40"),
        password.replace(' ', "+")
    );
    http_from(
        from,
        to,
        format!(
            "POST /signin HTTP/1.1\r\nHost: {to}\r\nCookie: form={token}\r\nSec-Fetch-Site: same-origin\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    )
    .await
}

/// The same story over real connections: the server sees 127.0.0.1 and 127.0.0.2 as the
/// two addresses they are.
#[tokio::test]
async fn over_real_connections_another_address_still_signs_in() {
    let db = sqlite();
    let s = with_account(&db, patient(), web::WebConfig::default()).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(web::serve(
        listener,
        web::AppState {
            app: s.app.clone(),
            config: s.config.clone().into(),
        },
        async {
            let _ = stopped.await;
        },
    ));
    let mut statuses = Vec::new();
    for _ in 0..12 {
        statuses.push(
            sign_in_over_socket("127.0.0.1", addr, "not the password")
                .await
                .0,
        );
    }
    assert_eq!(&statuses[..5], [401; 5]);
    assert_eq!(&statuses[5..], [429; 7]);
    let (status, paused) = sign_in_over_socket("127.0.0.1", addr, GOOD).await;
    assert_eq!(status, 429);
    assert!(paused.contains("retry-after: "), "{paused}");
    let (status, ok) = sign_in_over_socket("127.0.0.2", addr, GOOD).await;
    assert_eq!(status, 303, "{ok}");
    assert!(set_cookie(&ok, "sid").is_some_and(|s| s.len() > 10));
    let _ = stop.send(());
    server.await.unwrap().unwrap();
}

async fn get_with_host(s: &Site, path: &str, host: Option<&str>) -> Reply {
    let mut req = Request::get(path);
    if let Some(h) = host {
        req = req.header(header::HOST, h);
    }
    s.send(req.body(Body::empty()).unwrap()).await
}

#[tokio::test]
async fn a_public_url_refuses_other_hosts_with_421() {
    let db = sqlite();
    let config = web::WebConfig {
        public_url: Some("https://between.example.org".parse().unwrap()),
        ..web::WebConfig::default()
    };
    let s = with_account(&db, app::LoginLimits::default(), config).await;
    for host in [Some("evil.example"), Some("127.0.0.1:8080"), None] {
        let page = get_with_host(&s, "/signin", host).await;
        assert_eq!(page.status, StatusCode::MISDIRECTED_REQUEST, "{host:?}");
        assert!(
            page.body
                .contains("<a href=\"https://between.example.org/\">"),
            "{}",
            page.body
        );
        assert!(
            page.body
                .contains("href=\"https://between.example.org/help\"")
        );
        support::assert_security_headers(&page, true);
        let api = get_with_host(&s, "/api/v1/checkins", host).await;
        assert_eq!(api.status, StatusCode::MISDIRECTED_REQUEST);
        assert_eq!(api.json()["error"]["code"], "wrong_host");
    }
    // A form post for another host is refused before anything reads it.
    let post = s
        .send(
            Request::post("/signin")
                .header(header::HOST, "evil.example")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from("email=x"))
                .unwrap(),
        )
        .await;
    assert_eq!(post.status, StatusCode::MISDIRECTED_REQUEST);

    for host in ["between.example.org", "Between.Example.org:443"] {
        let page = get_with_host(&s, "/signin", Some(host)).await;
        assert_eq!(page.status, StatusCode::OK, "{host}");
    }
    // A load balancer may probe the health check by the instance's own address.
    let health = get_with_host(&s, "/healthz", Some("10.0.0.7:8080")).await;
    assert_eq!(health.status, StatusCode::OK);
}

#[tokio::test]
async fn without_a_public_url_any_host_is_served() {
    let db = sqlite();
    let s = with_account(&db, app::LoginLimits::default(), web::WebConfig::default()).await;
    for host in [Some("evil.example"), Some("127.0.0.1:8080"), None] {
        let page = get_with_host(&s, "/signin", host).await;
        assert_eq!(page.status, StatusCode::OK, "{host:?}");
    }
}
