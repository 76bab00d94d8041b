//! Two-step sign-in: Settings → Account → Two-step sign-in (turn it on with a QR code or a
//! key, confirm with a first code, see the ten recovery codes once; make new recovery codes;
//! turn it off), and the second step of signing in at `/signin/code`.
//!
//! Between the password and the code, the sign-in waits on the server; the browser holds only
//! a random value naming it, in a five-minute HttpOnly cookie of its own that the session
//! extractors never read, so a half-done sign-in is never a session.

use app::{AppError, Enrolment, PENDING_MINUTES, TwoStepStatus};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use domain::account::Role;
use domain::checkin::FieldError;
use serde::Deserialize;

use super::errors::{PageResult, go};
use super::{DoneQuery, message_for, render};
use crate::AppState;
use crate::form::{ReshownForm, SignedOutForm};
use crate::layout::Layout;
use crate::session::{self, ClientAddr, SignedIn};

/// Where two-step sign-in is turned on and managed.
pub const PATH: &str = "/settings/account/two-step";

/// Where a sign-in asks for its code.
pub const CODE_PATH: &str = "/signin/code";

/// Sends the person to turn two-step sign-in on: for a therapist page opened before it is
/// on, and for anything else [`AppError::SecondFactorNeeded`] refuses.
pub fn enrol_redirect() -> Response {
    Redirect::to(PATH).into_response()
}

/// The cookie naming a sign-in that waits for its code; the `__Host-` prefix over HTTPS pins
/// it to this host, as the session cookie's does.
pub fn pending_cookie_name(https: bool) -> &'static str {
    if https { "__Host-two-step" } else { "two-step" }
}

fn pending_cookie(value: String, https: bool, max_age_secs: i64) -> Cookie<'static> {
    let mut c = Cookie::new(pending_cookie_name(https), value);
    c.set_http_only(true);
    // Only this site's own forms ever send it.
    c.set_same_site(SameSite::Strict);
    c.set_path("/");
    c.set_secure(https);
    c.set_max_age(time::Duration::seconds(max_age_secs));
    c
}

/// Sets the cookie of a sign-in that now waits for its code.
pub fn start_pending(jar: CookieJar, token: app::PendingToken, https: bool) -> CookieJar {
    jar.add(pending_cookie(token.0, https, PENDING_MINUTES * 60))
}

fn clear_pending(jar: CookieJar, https: bool) -> CookieJar {
    jar.add(pending_cookie(String::new(), https, 0))
}

fn pending_of(jar: &CookieJar, https: bool) -> String {
    jar.get(pending_cookie_name(https))
        .map(|c| c.value().to_string())
        .unwrap_or_default()
}

/// Draws a QR code as inline SVG: one path of dark squares on a white square with a quiet
/// zone of four modules (ISO/IEC 18004 asks for four), sized by the page's CSS. The image
/// says what it is, and that the key beside it can be typed instead.
pub fn qr_svg(text: &str) -> Option<String> {
    let code =
        qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M).ok()?;
    let width = code.width();
    let quiet = 4;
    let size = width + 2 * quiet;
    let mut path = String::new();
    for (i, color) in code.to_colors().into_iter().enumerate() {
        if color == qrcode::Color::Dark {
            let (x, y) = (i % width + quiet, i / width + quiet);
            path.push_str(&format!("M{x} {y}h1v1h-1z"));
        }
    }
    Some(format!(
        "<svg class=\"qr\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" \
         role=\"img\" aria-labelledby=\"qr-title\" shape-rendering=\"crispEdges\">\
         <title id=\"qr-title\">QR code for your authenticator app. If you can't scan it, \
         type the key shown below the code into the app instead.</title>\
         <rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/>\
         <path d=\"{path}\" fill=\"#000\"/></svg>"
    ))
}

#[derive(Template)]
#[template(path = "two_step.html")]
struct TwoStepPage {
    layout: Layout,
    notice: Option<&'static str>,
    status: TwoStepStatus,
    therapist: bool,
    /// While turning it on: the QR code (SVG) and the key in groups of four.
    qr: Option<String>,
    key: String,
    /// Just turned on, or made anew: the recovery codes, shown this once.
    recovery_codes: Vec<String>,
    errors: Vec<FieldError>,
}

impl TwoStepPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        message_for(&self.errors, field)
    }
}

/// The notices after a redirect, by `?done=`.
const NOTICES: [(&str, &str); 1] = [("on", "Two-step sign-in is already on for your account.")];

async fn page(
    state: &AppState,
    me: &SignedIn,
    notice: Option<&'static str>,
    recovery_codes: Vec<String>,
    errors: Vec<FieldError>,
) -> Result<TwoStepPage, AppError> {
    let status = state.app.two_step_status(&me.actor).await?;
    let (qr, key) = if status.enrolled {
        (None, String::new())
    } else {
        let Enrolment { key, uri } = state.app.begin_two_step(&me.actor).await?;
        let qr = qr_svg(&uri).ok_or_else(|| AppError::internal("the QR code could not be made"))?;
        (Some(qr), app::totp::grouped(&key))
    };
    Ok(TwoStepPage {
        layout: Layout::signed_in(&me.csrf, "settings"),
        notice,
        therapist: me.actor.account().role == Role::Therapist,
        status,
        qr,
        key,
        recovery_codes,
        errors,
    })
}

/// Shows where two-step sign-in stands: the QR code and key to turn it on, or, once it is
/// on, the recovery codes left and the forms to make new ones and to turn it off.
pub async fn show(
    State(state): State<AppState>,
    me: SignedIn,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let p = page(&state, &me, q.notice(&NOTICES), Vec::new(), Vec::new()).await?;
    Ok(render(StatusCode::OK, &p))
}

/// A code typed to confirm the app, or a code or password to prove it is the person.
#[derive(Deserialize)]
pub struct CodePost {
    #[serde(default)]
    code: String,
}

/// A current code, or the password.
#[derive(Deserialize)]
pub struct ProofPost {
    #[serde(default)]
    proof: String,
}

async fn again(
    state: &AppState,
    me: &SignedIn,
    status: StatusCode,
    errors: Vec<FieldError>,
) -> PageResult {
    let p = page(state, me, None, Vec::new(), errors).await?;
    Ok(render(status, &p))
}

/// Turns two-step sign-in on once the typed code matches, and shows the recovery codes once;
/// a wrong code shows the same QR code again with a kind word.
pub async fn confirm(
    State(state): State<AppState>,
    ReshownForm { me, form, fresh }: ReshownForm<CodePost>,
) -> PageResult {
    if !fresh {
        return again(
            &state,
            &me,
            StatusCode::FORBIDDEN,
            crate::form::expired("code"),
        )
        .await;
    }
    match state.app.confirm_two_step(&me.actor, &form.code).await {
        Ok(codes) => {
            // The account now reads as enrolled: the page shows it on, with the codes.
            let me = refreshed(&state, me).await?;
            let p = page(&state, &me, None, codes, Vec::new()).await?;
            Ok(render(StatusCode::OK, &p))
        }
        Err(AppError::Invalid(errors)) => {
            again(&state, &me, StatusCode::UNPROCESSABLE_ENTITY, errors).await
        }
        // Turned on a moment ago, from another tab.
        Err(AppError::Forbidden) => go(&format!("{PATH}?done=on")),
        Err(AppError::NotFound) => go(PATH),
        Err(e) => Err(e.into()),
    }
}

/// The signed-in person as the session reads now (after turning the second step on).
async fn refreshed(state: &AppState, me: SignedIn) -> Result<SignedIn, AppError> {
    Ok(match state.app.session(&me.secret).await? {
        Some(s) => SignedIn {
            actor: s.actor,
            csrf: s.csrf,
            secret: me.secret,
            session_id: s.id,
        },
        None => me,
    })
}

/// What a refused proof (a wrong code or password, or too many tries) shows.
async fn refused(state: &AppState, me: &SignedIn, e: AppError) -> PageResult {
    match e {
        AppError::Invalid(errors) => {
            again(state, me, StatusCode::UNPROCESSABLE_ENTITY, errors).await
        }
        AppError::RateLimited { retry_after_secs } => {
            let message = format!(
                "That was too many tries, so this is paused for a little while. Please try \
                 again in {}. You are still signed in.",
                super::signin::wait_words(retry_after_secs)
            );
            let mut res = again(
                state,
                me,
                StatusCode::TOO_MANY_REQUESTS,
                vec![FieldError::new("proof", message)],
            )
            .await?;
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            Ok(res)
        }
        e => Err(e.into()),
    }
}

/// Makes ten new recovery codes (the old ones stop working) and shows them once.
pub async fn regenerate(
    State(state): State<AppState>,
    ReshownForm { me, form, fresh }: ReshownForm<ProofPost>,
) -> PageResult {
    if !fresh {
        return again(
            &state,
            &me,
            StatusCode::FORBIDDEN,
            crate::form::expired("proof"),
        )
        .await;
    }
    match state
        .app
        .regenerate_recovery_codes(&me.actor, &form.proof)
        .await
    {
        Ok(codes) => {
            let p = page(&state, &me, None, codes, Vec::new()).await?;
            Ok(render(StatusCode::OK, &p))
        }
        Err(e) => refused(&state, &me, e).await,
    }
}

/// Turns two-step sign-in off; a therapist's account may not.
pub async fn turn_off(
    State(state): State<AppState>,
    ReshownForm { me, form, fresh }: ReshownForm<ProofPost>,
) -> PageResult {
    if !fresh {
        return again(
            &state,
            &me,
            StatusCode::FORBIDDEN,
            crate::form::expired("proof"),
        )
        .await;
    }
    match state.app.turn_off_two_step(&me.actor, &form.proof).await {
        Ok(()) => go("/settings/account?done=two-step-off"),
        Err(AppError::Forbidden) => {
            let errors = vec![FieldError::new(
                "proof",
                "Therapist accounts keep two-step sign-in on, because they can see what \
                 clients share.",
            )];
            again(&state, &me, StatusCode::FORBIDDEN, errors).await
        }
        Err(e) => refused(&state, &me, e).await,
    }
}

#[derive(Template)]
#[template(path = "signin_code.html")]
struct CodePage {
    layout: Layout,
    csrf: String,
    message: Option<String>,
}

/// Asks for the code of a sign-in that waits for one; without one, back to signing in.
pub async fn show_code(State(state): State<AppState>, jar: CookieJar) -> PageResult {
    let https = state.config.https;
    if !state.app.sign_in_waiting(&pending_of(&jar, https)).await? {
        return go("/signin?again=1");
    }
    let (jar, csrf) = session::form_token(jar, https);
    let page = CodePage {
        layout: Layout::anonymous(),
        csrf,
        message: None,
    };
    Ok((jar, render(StatusCode::OK, &page)).into_response())
}

/// Checks the code (or a recovery code) and finishes signing in.
pub async fn submit_code(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    SignedOutForm {
        jar,
        csrf,
        form,
        fresh,
    }: SignedOutForm<CodePost>,
) -> PageResult {
    let https = state.config.https;
    let again = |status: StatusCode, message: String, jar: CookieJar, csrf: String| {
        let page = CodePage {
            layout: Layout::anonymous(),
            csrf,
            message: Some(message),
        };
        (jar, render(status, &page)).into_response()
    };
    if !fresh {
        return Ok(again(
            StatusCode::FORBIDDEN,
            "This form had expired. Please type the code again.".into(),
            jar,
            csrf,
        ));
    }
    let pending = pending_of(&jar, https);
    if pending.is_empty() {
        return go("/signin?again=1");
    }
    match state.app.finish_sign_in(&pending, &form.code, addr).await {
        Ok((account, token)) => {
            let jar = clear_pending(jar, https).add(session::session_cookie(token.secret, https));
            let to = if state.app.needs_welcome(&account).await? {
                "/welcome"
            } else {
                "/"
            };
            Ok((jar, Redirect::to(to)).into_response())
        }
        Err(AppError::NotFound) => {
            Ok((clear_pending(jar, https), Redirect::to("/signin?again=1")).into_response())
        }
        Err(AppError::Unauthenticated) => Ok(again(
            StatusCode::UNAUTHORIZED,
            "That code didn't work. Codes change every 30 seconds, so please type the one \
             your app shows now. A recovery code works too, once."
                .into(),
            jar,
            csrf,
        )),
        Err(AppError::RateLimited { retry_after_secs }) => {
            let mut res = again(
                StatusCode::TOO_MANY_REQUESTS,
                format!(
                    "Too many tries from here, so signing in is paused for a little while. \
                     Please try again in {}. Your account is not locked.",
                    super::signin::wait_words(retry_after_secs)
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
