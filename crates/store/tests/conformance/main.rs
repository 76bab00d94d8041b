//! What every Store must do, told as one story per area, each run against SQLite and against
//! PostgreSQL as its own test (`sqlite_<area>`, `postgres_<area>`), so a failure names both.
//! PostgreSQL tests use `store::testing::postgres_test_database()`: without
//! BETWEEN_TEST_DATABASE_URL they fail, unless BETWEEN_SKIP_POSTGRES=1 skips them on purpose.
// The stories are plain async fns that the test macro calls, not `#[test]` fns, so
// clippy.toml's allowances for tests don't reach them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod accounts;
mod agenda;
// Bedtime routine.
mod bedtime;
mod checkins;
mod coping;
mod erasure;
mod feedback;
mod guidance;
mod homework;
mod journal;
mod plans;
mod questionnaires;
mod schema;
// Sharing with a therapist.
mod sharing;
mod sign_in_limits;
mod stored_values;
mod therapy;
mod thought_records;
// Two-step sign-in.
mod second_factor;

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use domain::account::{Account, Email, Role, TherapistContact};
use domain::checkin::{BodySignal, CheckInInput, UsualActivities};
use domain::rating::Rating;
use domain::therapy::Repeat;
use store::{DatabaseUrl, NewAccount, NewSessions, Store, StoreError, Written};
use uuid::Uuid;

pub(crate) fn new_account(email: &str) -> NewAccount {
    NewAccount {
        email: Email::parse(email).unwrap(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        role: Role::Client,
        country: Some(domain::crisis::Country::Gb),
        timezone: domain::history::TimeZone::parse("Europe/London").unwrap(),
        usual_mood: Some(Rating::new(7).unwrap()),
        therapist: TherapistContact {
            name: Some("Dr Ada Okafor".into()),
            phone: Some("+44 20 7946 0000".into()),
            email: None,
        },
    }
}

/// The two accounts of a story: the one it follows, and another that must see none of it.
pub(crate) async fn two_accounts(
    store: &Arc<dyn Store>,
    one: &str,
    other: &str,
) -> (Account, Account) {
    (
        store.create_account(&new_account(one)).await.unwrap(),
        store.create_account(&new_account(other)).await.unwrap(),
    )
}

/// A request adding sessions, under a new client id.
pub(crate) fn sessions<'a>(
    at: &'a [chrono::DateTime<Utc>],
    note: Option<&'a str>,
    series: Option<Uuid>,
) -> NewSessions<'a> {
    NewSessions {
        client_id: Uuid::new_v4(),
        at,
        note,
        series,
        repeat: if series.is_some() {
            Repeat::Weekly
        } else {
            Repeat::Once
        },
    }
}

/// A store on a fresh SQLite file, with its URL (for raw SQL) and the folder that holds it.
pub(crate) async fn sqlite_store() -> (Arc<dyn Store>, DatabaseUrl, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = DatabaseUrl::sqlite_in(dir.path());
    let store = store::testing::open(&url).await.unwrap();
    assert_eq!(store.backend(), "sqlite");
    (store, url, dir)
}

/// A store on a fresh PostgreSQL database, with its URL; `None` when skipped by name.
pub(crate) async fn postgres_store() -> Option<(Arc<dyn Store>, DatabaseUrl)> {
    let url = DatabaseUrl::parse(&store::testing::postgres_test_database().await?).unwrap();
    let store = store::testing::open(&url).await.unwrap();
    assert_eq!(store.backend(), "postgres");
    Some((store, url))
}

/// One test per backend for a story: `sqlite_<area>` on a fresh file, `postgres_<area>` on a
/// fresh database.
macro_rules! conformance {
    ($($story:path => $sqlite:ident, $postgres:ident;)*) => {$(
        #[tokio::test]
        async fn $sqlite() {
            let (store, _, _dir) = sqlite_store().await;
            $story(store).await;
        }

        #[tokio::test]
        async fn $postgres() {
            if let Some((store, _)) = postgres_store().await {
                $story(store).await;
            }
        }
    )*};
}

conformance! {
    accounts::story => sqlite_accounts, postgres_accounts;
    checkins::story => sqlite_checkins, postgres_checkins;
    checkins::edits => sqlite_checkin_edits, postgres_checkin_edits;
    therapy::story => sqlite_therapy, postgres_therapy;
    agenda::story => sqlite_agenda, postgres_agenda;
    journal::story => sqlite_journal, postgres_journal;
    journal::search_pages => sqlite_journal_search_pages, postgres_journal_search_pages;
    homework::story => sqlite_homework, postgres_homework;
    feedback::story => sqlite_feedback, postgres_feedback;
    plans::story => sqlite_plans, postgres_plans;
    coping::story => sqlite_coping, postgres_coping;
    questionnaires::story => sqlite_questionnaires, postgres_questionnaires;
    guidance::story => sqlite_guidance, postgres_guidance;
    erasure::story => sqlite_erasure, postgres_erasure;
    // Bedtime routine.
    bedtime::story => sqlite_bedtime, postgres_bedtime;
    thought_records::story => sqlite_thought_records, postgres_thought_records;
    // Sharing with a therapist.
    sharing::story => sqlite_sharing, postgres_sharing;
    second_factor::story => sqlite_second_factor, postgres_second_factor;
}
