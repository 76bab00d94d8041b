//! A site for the account-lifecycle tests (deletion, onboarding): the router together with
//! its app, for operator-made accounts, and its database's address, for counting rows.

use axum::http::StatusCode;

use super::{Reply, TestApp, enc, hidden};

/// One app on one database.
pub struct Site {
    /// The router and the temporary folder of a SQLite database.
    pub t: TestApp,
    /// The same app the router serves, for what the operator's commands do.
    pub app: app::App,
    /// The database, for [`store::testing::census`].
    pub url: store::DatabaseUrl,
}

/// The password every account of these tests has.
pub const PASSWORD: &str = "a long enough password";

fn settings() -> app::Settings {
    app::Settings {
        open_signup: true,
        ..Default::default()
    }
}

/// A site on a fresh database of `backend` ("sqlite" or "postgres"); `None` when
/// PostgreSQL tests were skipped by name (see `store::testing`).
pub async fn site_on(backend: &str) -> Option<Site> {
    site_on_with(backend, settings()).await
}

/// [`site_on`] with the app's settings given.
pub async fn site_on_with(backend: &str, settings: app::Settings) -> Option<Site> {
    let (url, dir) = match backend {
        "sqlite" => {
            let dir = tempfile::tempdir().unwrap();
            (store::DatabaseUrl::sqlite_in(dir.path()), dir)
        }
        _ => {
            let raw = store::testing::postgres_test_database().await?;
            (
                store::DatabaseUrl::parse(&raw).unwrap(),
                tempfile::tempdir().unwrap(),
            )
        }
    };
    let store = store::testing::open(&url).await.unwrap();
    let app = app::App::new(store, settings);
    let router = web::router(web::AppState {
        app: app.clone(),
        config: web::WebConfig::default().into(),
    });
    Some(Site {
        t: TestApp { router, _dir: dir },
        app,
        url,
    })
}

/// A site on each backend that is not skipped.
pub async fn sites() -> Vec<(&'static str, Site)> {
    sites_with(settings()).await
}

/// [`sites`] with the app's settings given.
pub async fn sites_with(settings: app::Settings) -> Vec<(&'static str, Site)> {
    let mut all = Vec::new();
    for backend in ["sqlite", "postgres"] {
        if let Some(site) = site_on_with(backend, settings.clone()).await {
            all.push((backend, site));
        }
    }
    all
}

impl Site {
    /// Makes an account as `between user add` does, with `--country` and `--timezone` when
    /// given.
    pub async fn add_user(&self, email: &str, country: Option<&str>, timezone: Option<&str>) {
        self.app
            .add_user(app::NewUser {
                email: email.into(),
                password: PASSWORD.into(),
                role: domain::account::Role::Client,
                country: country.map(str::to_string),
                timezone: timezone.map(str::to_string),
            })
            .await
            .unwrap();
    }

    /// Sends the sign-in form; the answer is the redirect (or the form again).
    pub async fn sign_in(&self, email: &str, password: &str) -> Reply {
        let page = self.t.get("/signin", None).await;
        assert_eq!(page.status, StatusCode::OK, "{:?}", page.headers);
        let form = page.cookie("form").unwrap();
        let csrf = hidden(&page.body, "csrf");
        self.t
            .post_form(
                "/signin",
                &format!("form={form}"),
                &format!(
                    "csrf={csrf}&email={}&password={}",
                    enc(email),
                    enc(password)
                ),
            )
            .await
    }

    /// Signs in and returns where it sent the person and the session cookie.
    pub async fn signed_in(&self, email: &str) -> (String, String) {
        let r = self.sign_in(email, PASSWORD).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let to = r.headers["location"].to_str().unwrap().to_string();
        (to, format!("sid={}", r.cookie("sid").unwrap()))
    }

    /// The form token of a signed-in page.
    pub async fn csrf(&self, cookie: &str, path: &str) -> String {
        hidden(&self.t.get(path, Some(cookie)).await.body, "csrf")
    }
}
