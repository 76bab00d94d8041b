//! Form posts whose token is checked before the handler runs.
//!
//! Every state-changing HTML route takes one of these extractors as its last argument, and
//! [`checked_post`] only accepts such handlers, so a new form cannot forget its CSRF check:
//! - [`CheckedForm`]: signed in, token checked; a stale token gets the "form has expired" page.
//! - [`ReshownForm`]: signed in; a stale token is reported to the handler, which shows the
//!   form again with what the person typed (long forms: a check-in, a plan).
//! - [`SignedOutForm`]: sign-in and sign-up, whose token lives in a pre-session cookie.

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::handler::Handler;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, post};
use axum_extra::extract::Form;
use axum_extra::extract::cookie::CookieJar;
use serde::de::DeserializeOwned;

use crate::AppState;
use crate::pages::TokenForm;
use crate::session::{self, SignedIn};

/// A signed-in person's form whose token matched; a stale one never reaches the handler.
pub struct CheckedForm<T> {
    /// Who sent it.
    pub me: SignedIn,
    /// What was sent.
    pub form: T,
}

/// A signed-in person's form, with whether its token matched: the handler must look at
/// `fresh` and shows the form again with the person's input when it is false.
pub struct ReshownForm<T> {
    /// Who sent it.
    pub me: SignedIn,
    /// What was sent.
    pub form: T,
    /// Whether the form's token matched the session's.
    pub fresh: bool,
}

/// A sign-in or sign-up form, checked against the pre-session form cookie.
pub struct SignedOutForm<T> {
    /// The cookies, with the form cookie set when it was missing.
    pub jar: CookieJar,
    /// The form token to put in a form shown again.
    pub csrf: String,
    /// What was sent.
    pub form: T,
    /// Whether the form's token matched the cookie's.
    pub fresh: bool,
}

/// What a form shown again after its token went stale says beside `field`.
pub fn expired(field: &'static str) -> Vec<domain::checkin::FieldError> {
    vec![domain::checkin::FieldError::new(
        field,
        "This form had expired, so nothing was saved yet. Please check and save again.",
    )]
}

/// Reads the form as `T` (with the framework's own rejections for a wrong type, size or
/// field) and, from the same bytes, its `csrf` field.
async fn read<T: DeserializeOwned>(
    parts: axum::http::request::Parts,
    body: Body,
    state: &AppState,
) -> Result<(T, String), Response> {
    let bytes = Bytes::from_request(Request::from_parts(parts.clone(), body), state)
        .await
        .map_err(IntoResponse::into_response)?;
    let again = |bytes: Bytes| Request::from_parts(parts.clone(), Body::from(bytes));
    let Form(form) = Form::<T>::from_request(again(bytes.clone()), state)
        .await
        .map_err(IntoResponse::into_response)?;
    let posted = Form::<TokenForm>::from_request(again(bytes), state)
        .await
        .map(|Form(t)| t.csrf)
        .unwrap_or_default();
    Ok((form, posted))
}

impl<T: DeserializeOwned + Send> FromRequest<AppState> for CheckedForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let ReshownForm { me, form, fresh } = ReshownForm::from_request(req, state).await?;
        if !fresh {
            return Err(crate::pages::errors::stale_form());
        }
        Ok(CheckedForm { me, form })
    }
}

impl<T: DeserializeOwned + Send> FromRequest<AppState> for ReshownForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let me = SignedIn::from_request_parts(&mut parts, state).await?;
        let (form, posted) = read(parts, body, state).await?;
        let fresh = session::tokens_match(&me.csrf, &posted);
        Ok(ReshownForm { me, form, fresh })
    }
}

impl<T: DeserializeOwned + Send> FromRequest<AppState> for SignedOutForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let jar = CookieJar::from_headers(&parts.headers);
        let (form, posted) = read(parts, body, state).await?;
        let (jar, csrf) = session::form_token(jar, state.config.https);
        let fresh = session::tokens_match(&csrf, &posted);
        Ok(SignedOutForm {
            jar,
            csrf,
            form,
            fresh,
        })
    }
}

/// The extractors that check a form's token.
pub trait FormGuard {}
impl<T> FormGuard for CheckedForm<T> {}
impl<T> FormGuard for ReshownForm<T> {}
impl<T> FormGuard for SignedOutForm<T> {}

/// The argument lists (as axum's `Handler` sees them) whose last extractor is a [`FormGuard`].
pub trait EndsWithFormGuard {}

macro_rules! ends_with_guard {
    ($($arg:ident),*) => {
        impl<M, $($arg,)* G: FormGuard> EndsWithFormGuard for (M, $($arg,)* G) {}
    };
}
ends_with_guard!();
ends_with_guard!(A);
ends_with_guard!(A, B);
ends_with_guard!(A, B, C);
ends_with_guard!(A, B, C, D);

/// A POST route for an HTML form: only handlers whose last argument checks the form token
/// compile here. `tests/routes.rs` fails for any state-changing HTML route that does not use it.
pub fn checked_post<H, T>(handler: H) -> MethodRouter<AppState>
where
    H: Handler<T, AppState>,
    T: EndsWithFormGuard + 'static,
{
    post(handler)
}

/// [`checked_post`] after a `get(..)`.
pub trait CheckedPost {
    /// Adds a POST handler whose last argument checks the form token.
    fn checked_post<H, T>(self, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: EndsWithFormGuard + 'static;
}

impl CheckedPost for MethodRouter<AppState> {
    fn checked_post<H, T>(self, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: EndsWithFormGuard + 'static,
    {
        self.post(handler)
    }
}
