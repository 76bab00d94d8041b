//! The JSON API under `/api/v1`.

mod account;
mod agenda;
// Bedtime routine.
mod bedtime;
mod checkins;
mod coping;
pub mod error;
pub mod export;
mod guidance;
mod homework;
mod journal;
mod json;
mod questionnaires;
mod requests;
mod sessions;
// What a therapist may change for a client.
mod therapist_actions;
// Sharing with a therapist: the client's side, and joining.
mod sharing;
// What a therapist reads.
pub mod therapist;
mod thought_records;

use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, patch, post};

use crate::route_table::RouteTable;

/// The API routes.
pub fn router() -> RouteTable {
    RouteTable::new()
        .route("/checkins", get(checkins::list).post(checkins::create))
        .route("/sessions", get(sessions::list).post(sessions::create))
        .route("/guidance", get(guidance::show))
        .route("/journal", get(journal::list).post(journal::create))
        .route("/journal/search", post(journal::search))
        .route(
            "/journal/{id}",
            get(journal::show)
                .patch(journal::update)
                .delete(journal::delete),
        )
        .route("/agenda", get(agenda::list).post(agenda::create))
        .route("/agenda/{id}", patch(agenda::update).delete(agenda::delete))
        .route("/homework", get(homework::list).post(homework::create))
        .route(
            "/homework/{id}",
            patch(homework::update).delete(homework::delete),
        )
        .route("/homework/{id}/log", post(homework::log))
        .route("/coping-uses", get(coping::list).post(coping::create))
        .route("/coping-tools", get(coping::tools))
        // Bedtime routine.
        .route("/bedtime-routine", get(bedtime::show).put(bedtime::save))
        .route("/bedtime-routine/nights", post(bedtime::log_night))
        .route("/bedtime-routine/comparison", get(bedtime::comparison))
        .route(
            "/questionnaires",
            get(questionnaires::list).post(questionnaires::create),
        )
        // Account: signed-in devices and API tokens.
        .route("/account/sessions", get(account::sessions))
        .route(
            "/account/sessions/{id}",
            axum::routing::delete(account::end_session),
        )
        .route("/account/tokens", get(account::tokens))
        .route(
            "/account/tokens/{id}",
            axum::routing::delete(account::revoke_token),
        )
        // Account lifecycle: deleting one's own account.
        .route("/account", delete(account::delete))
        // Your data: the whole account out as one document, check-ins as CSV, and a document
        // in. An import may be far larger than any other request.
        .route("/export", get(export::export))
        .route("/export/checkins.csv", get(export::checkins_csv))
        // Thought records.
        .route(
            "/thought-records",
            get(thought_records::list).post(thought_records::create),
        )
        .route("/thought-records/search", post(thought_records::search))
        .route(
            "/thought-records/{id}",
            get(thought_records::show)
                .patch(thought_records::update)
                .delete(thought_records::delete),
        )
        // Sharing with a therapist: the client's invites, grants and audit log, and a
        // therapist joining a client with a code.
        .route("/sharing", get(sharing::overview))
        .route("/sharing/invites", post(sharing::create_invite))
        .route("/sharing/audit", get(sharing::audit))
        .route(
            "/sharing/{id}",
            patch(sharing::change).delete(sharing::revoke),
        )
        .route("/therapist/clients", post(sharing::join))
        // What a therapist reads: the caseload and one client's shared data by scope.
        .route("/therapist/clients", get(therapist::caseload))
        .route("/therapist/clients/{id}/checkins", get(therapist::checkins))
        .route("/therapist/clients/{id}/guidance", get(therapist::guidance))
        .route(
            "/therapist/clients/{id}/questionnaires",
            get(therapist::questionnaires),
        )
        .route(
            "/therapist/clients/{id}/session-prep",
            get(therapist::session_prep),
        )
        .route("/therapist/clients/{id}/plans", get(therapist::plans))
        .route(
            "/import",
            post(export::import).layer(DefaultBodyLimit::max(export::MAX_IMPORT_BYTES)),
        )
        // What a therapist may change for a client: homework, guidance sensitivity.
        .route(
            "/therapist/clients/{id}/homework",
            post(therapist_actions::assign_homework),
        )
        .route(
            "/therapist/clients/{id}/sensitivity",
            get(therapist_actions::sensitivity).put(therapist_actions::set_sensitivity),
        )
}
