//! Settings → "Your data": download everything (JSON) or the check-ins (CSV), and bring a
//! download from another Between into an account that has no data yet. The upload is a
//! plain multipart form, so it works without JavaScript.

use app::ImportError;
use askama::Template;
use axum::extract::{FromRequest, FromRequestParts, Multipart, Query, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::errors::{PageResult, go};
use super::render;
use crate::AppState;
use crate::api::export::NOT_EMPTY;
use crate::layout::Layout;
use crate::session::{self, SignedIn};

#[derive(Template)]
#[template(path = "data.html")]
struct DataPage {
    layout: Layout,
    imported: bool,
    problem: Option<String>,
}

fn page(me: &SignedIn, imported: bool, problem: Option<String>) -> DataPage {
    DataPage {
        layout: Layout::for_user(me, "settings"),
        imported,
        problem,
    }
}

/// Notices after a redirect.
#[derive(Deserialize)]
pub struct DataQuery {
    #[serde(default)]
    imported: Option<String>,
}

/// The "Your data" page.
pub async fn show(me: SignedIn, Query(q): Query<DataQuery>) -> Response {
    render(StatusCode::OK, &page(&me, q.imported.is_some(), None))
}

/// An uploaded file with the form's token checked; a stale token never reaches the handler.
pub struct CheckedUpload {
    /// Who sent it.
    pub me: SignedIn,
    /// The chosen file's bytes; `None` when no file was chosen or it could not be read.
    pub file: Option<Vec<u8>>,
}

impl crate::form::FormGuard for CheckedUpload {}

impl FromRequest<AppState> for CheckedUpload {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let me = SignedIn::from_request_parts(&mut parts, state).await?;
        let req = Request::from_parts(parts, body);
        let mut form = Multipart::from_request(req, state)
            .await
            .map_err(|_| crate::pages::errors::stale_form())?;
        let mut csrf = String::new();
        let mut file = None;
        // A field that cannot be read (a file over the limit, a cut-off upload) ends the
        // reading: the token read so far decides, and the file counts as not received.
        while let Ok(Some(field)) = form.next_field().await {
            match field.name() {
                Some("csrf") => csrf = field.text().await.unwrap_or_default(),
                Some("file") => {
                    file = field.bytes().await.ok().map(|b| b.to_vec());
                }
                _ => {}
            }
        }
        if !session::tokens_match(&me.csrf, &csrf) {
            return Err(crate::pages::errors::stale_form());
        }
        Ok(CheckedUpload { me, file })
    }
}

/// What the page says about a file that is not an export at all.
const NOT_OURS: &str = "This file is not a Between download, so nothing was changed. Choose the \
     file that \"Download all my data\" gave you: its name starts with between-export.";

/// Imports an uploaded export into the account, or shows the page again saying why not.
pub async fn import(State(state): State<AppState>, upload: CheckedUpload) -> PageResult {
    let CheckedUpload { me, file } = upload;
    let again = |status, problem: String| Ok(render(status, &page(&me, false, Some(problem))));
    let Some(bytes) = file.filter(|b| !b.is_empty()) else {
        return again(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Please choose the file you downloaded (it is smaller than 20 MB and ends in .json)."
                .to_string(),
        );
    };
    let Ok(document) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return again(StatusCode::UNPROCESSABLE_ENTITY, NOT_OURS.to_string());
    };
    match state.app.import_data(&me.actor, &document).await {
        Ok(_) => go("/settings/data?imported=1"),
        Err(ImportError::NotEmpty) => again(StatusCode::CONFLICT, NOT_EMPTY.to_string()),
        Err(ImportError::Invalid { path, .. }) if path == "format" || path == "$" => {
            again(StatusCode::UNPROCESSABLE_ENTITY, NOT_OURS.to_string())
        }
        Err(ImportError::Invalid { path, message }) => again(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "This file could not be imported, so nothing was changed. Something in it is \
                 not as Between wrote it: {path} {message}."
            ),
        ),
        Err(ImportError::Store(e)) => Err(app::AppError::from(e).into()),
    }
}
