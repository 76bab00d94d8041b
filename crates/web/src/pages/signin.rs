//! Signing in and out.

use app::{AppError, SignInStep};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use serde::Deserialize;

use super::errors::PageResult;
use super::{TokenForm, render};
use crate::AppState;
use crate::form::{CheckedForm, SignedOutForm};
use crate::layout::Layout;
use crate::session::{self, ClientAddr, Visitor};

#[derive(Template)]
#[template(path = "signin.html")]
struct SignInPage {
    layout: Layout,
    csrf: String,
    email: String,
    message: Option<String>,
    signed_out: bool,
    signup_open: bool,
    again: bool,
}

/// Query flags for the sign-in page.
#[derive(Deserialize)]
pub struct SignInQuery {
    #[serde(default)]
    signed_out: Option<String>,
    /// Sent back from the code step, whose sign-in had expired or was never begun.
    #[serde(default)]
    again: Option<String>,
}

/// The form as posted.
#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

/// Shows the sign-in form; a fresh install goes to sign-up instead.
pub async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
    jar: CookieJar,
    Query(q): Query<SignInQuery>,
) -> Response {
    if visitor.signed_in.is_some() {
        return Redirect::to("/").into_response();
    }
    if let Ok(true) = state.app.is_fresh_install().await {
        return Redirect::to("/signup").into_response();
    }
    let signup_open = state.app.sign_up_open().await.unwrap_or(false);
    let (jar, csrf) = session::form_token(jar, state.config.https);
    let page = SignInPage {
        layout: Layout::anonymous(),
        csrf,
        email: String::new(),
        message: None,
        signed_out: q.signed_out.is_some(),
        signup_open,
        again: q.again.is_some(),
    };
    (jar, render(StatusCode::OK, &page)).into_response()
}

/// Checks the password and starts a session.
pub async fn submit(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    headers: axum::http::HeaderMap,
    SignedOutForm {
        jar,
        csrf,
        form,
        fresh,
    }: SignedOutForm<SignInForm>,
) -> PageResult {
    let https = state.config.https;
    let again = |status: StatusCode, message: String, jar: CookieJar, csrf: String| {
        let page = SignInPage {
            layout: Layout::anonymous(),
            csrf,
            email: form.email.clone(),
            message: Some(message),
            signed_out: false,
            signup_open: false,
            again: false,
        };
        (jar, render(status, &page)).into_response()
    };
    if !fresh {
        return Ok(again(
            StatusCode::FORBIDDEN,
            "This form had expired. Please sign in again.".into(),
            jar,
            csrf,
        ));
    }
    match state
        .app
        .sign_in(
            &form.email,
            form.password.clone(),
            addr,
            session::user_agent(&headers),
        )
        .await
    {
        // The password was right, and the account asks for a code too: no session yet.
        Ok(SignInStep::NeedsCode(token)) => Ok((
            super::two_step::start_pending(jar, token, https),
            Redirect::to(super::two_step::CODE_PATH),
        )
            .into_response()),
        Ok(SignInStep::Done(account, token)) => {
            let jar = jar.add(session::session_cookie(token.secret, https));
            // An account without a country or a chosen time zone is asked for them first.
            let to = if state.app.needs_welcome(&account).await? {
                "/welcome"
            } else {
                "/"
            };
            Ok((jar, Redirect::to(to)).into_response())
        }
        Err(AppError::Unauthenticated) => Ok(again(
            StatusCode::UNAUTHORIZED,
            "That email and password don't match an account. Please check them and try again."
                .into(),
            jar,
            csrf,
        )),
        Err(AppError::RateLimited { retry_after_secs }) => {
            let mut res = again(
                StatusCode::TOO_MANY_REQUESTS,
                format!(
                    "Too many tries from here, so sign-in is paused for a little while. \
                     Please try again in {}. Your account is not locked.",
                    wait_words(retry_after_secs)
                ),
                jar,
                csrf,
            );
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}

/// A wait in words: "3 seconds", "1 minute", "15 minutes".
pub(crate) fn wait_words(secs: u64) -> String {
    let plural = |n: u64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    if secs < 60 {
        plural(secs.max(1), "second")
    } else {
        plural(secs.div_ceil(60), "minute")
    }
}

/// Ends the session and clears the cookie.
pub async fn sign_out(
    State(state): State<AppState>,
    jar: CookieJar,
    CheckedForm { me, .. }: CheckedForm<TokenForm>,
) -> PageResult {
    state.app.sign_out(&me.secret).await?;
    let jar = jar.add(session::clear_session_cookie(state.config.https));
    // The browser itself then deletes everything this site stored on the device: the offline
    // copies (the safety plan among them) and the service worker, which the next page
    // registers again. The worker and the sign-in page also delete the personal copies, for
    // browsers that do not honour this header.
    Ok((
        jar,
        [(
            axum::http::HeaderName::from_static("clear-site-data"),
            axum::http::HeaderValue::from_static("\"cache\", \"storage\""),
        )],
        Redirect::to("/signin?signed_out=1"),
    )
        .into_response())
}
