//! Persistence for Between: the [`Store`] trait with SQLite and PostgreSQL implementations.
//!
//! Every method that reads or writes personal data takes the
//! [`AccountId`](domain::account::AccountId) it acts for, so a query can never reach another
//! account's rows by accident.
//!
//! One module per thing stored, each with its trait and its SQL; [`Store`] is their sum.
#![warn(missing_docs)]

// The macro modules come first: each entity's `impl_*_store!` stamps its shared SQL onto
// both backends (`impl_all_stores!` below stamps them all), and a macro is visible only
// after its module. `account_rows` holds the statements every entity shares.
#[macro_use]
mod account_rows;
#[macro_use]
pub mod vault;
#[macro_use]
pub mod accounts;
#[macro_use]
pub mod sessions;
#[macro_use]
pub mod checkins;
#[macro_use]
pub mod therapy;
#[macro_use]
pub mod agenda;
#[macro_use]
pub mod guidance;
#[macro_use]
pub mod journal;
#[macro_use]
pub mod homework;
#[macro_use]
pub mod feedback;
#[macro_use]
pub mod plans;
#[macro_use]
pub mod coping;
#[macro_use]
pub mod questionnaires;
#[macro_use]
pub mod sign_in_limits;
#[macro_use]
pub mod backup;
// Account deletion, onboarding and the operator's list.
#[macro_use]
pub mod erasure;
#[macro_use]
pub mod onboarding;
#[macro_use]
pub mod roster;
#[macro_use]
pub mod export;
// Bedtime routine.
#[macro_use]
pub mod bedtime;
// The thought record.
#[macro_use]
pub mod thought_records;
// A therapist's access to a client: live grants and the audit log.
#[macro_use]
pub mod access;
#[macro_use]
pub mod caseload;
// What a therapist may change for a client: assigned homework, guidance sensitivity.
#[macro_use]
pub mod therapist_actions;
// Sharing with a therapist: invites, grants, the client's audit log.
#[macro_use]
pub mod sharing;
// Email waiting to be sent.
#[macro_use]
pub mod outbox;
// The second sign-in step.
#[macro_use]
pub mod second_factor;

mod error;
mod open;
mod rows;
mod sealed_search;
mod summaries;
#[cfg(feature = "testing")]
pub mod testing;

use async_trait::async_trait;

// A therapist's access to a client.
pub use access::{AccessStore, LiveGrant, NewAuditEntry};
pub use accounts::{AccountStore, NewAccount, Profile};
pub use agenda::AgendaStore;
pub use backup::{BackupStore, BackupSummary, RestoreMode, TableCount};
pub use bedtime::BedtimeStore;
pub use caseload::{CaseloadRow, CaseloadStore};
pub use checkins::CheckInStore;
pub use coping::CopingStore;
// Plain data the web layer uses too: it lives in `domain`, and is named here for the store's
// own use.
pub use domain::idempotency::Written;
pub use domain::journal::{JournalCursor, JournalPage};
pub use domain::order::Move;
pub use erasure::ErasureStore;
pub use error::StoreError;
pub use export::{ExportDocument, ExportStore, ImportError, ImportSummary};
pub use feedback::FeedbackStore;
pub use guidance::{GuidanceChange, GuidanceStore};
pub use homework::HomeworkStore;
pub use journal::{JournalQuery, JournalStore};
pub use onboarding::OnboardingStore;
pub use open::{DatabaseUrl, KeyFile, open, rotate_master_key};
pub use plans::{PlanStore, StoredPlanVersion};
pub use questionnaires::QuestionnaireStore;
pub use roster::{AccountListing, RosterStore};
pub use second_factor::{PendingSignIn, SecondFactorStore, StoredSecondFactor};
pub use sessions::{ApiToken, AuthSession, DeviceSession, PasswordChange, SessionStore};
pub use sharing::{
    AuditEntry, ClientGrant, GrantChange, Joined, NewInvite, PendingInvite, SharingStore,
};
pub use sign_in_limits::{FailureCount, SignInLimitStore};
pub use therapist_actions::TherapistActionStore;
pub use therapy::{AddedSessions, NewSessions, StoredReflection, TherapyStore};
pub use thought_records::{RecordQuery, ThoughtRecordStore};
// Email waiting to be sent.
pub use outbox::{AlertMail, ClaimedMail, OutboxStore};

/// Everything Between keeps, behind one interface with one implementation per database:
/// the sum of one trait per thing stored.
#[async_trait]
pub trait Store:
    AccountStore
    + SessionStore
    + CheckInStore
    + TherapyStore
    + AgendaStore
    + GuidanceStore
    + JournalStore
    + HomeworkStore
    + FeedbackStore
    + PlanStore
    + CopingStore
    + QuestionnaireStore
    + SignInLimitStore
    + BackupStore
    + ErasureStore
    + OnboardingStore
    + RosterStore
    + ExportStore
    + BedtimeStore
    + ThoughtRecordStore
    + AccessStore
    + CaseloadStore
    + TherapistActionStore
    + SharingStore
    + OutboxStore
    + SecondFactorStore
    + Send
    + Sync
    + 'static
{
    /// Which backend this is, for logs ("sqlite" or "postgres").
    fn backend(&self) -> &'static str;

    /// Ends use of the database at a clean stop: waits for queries in flight and closes every
    /// connection; on SQLite it first folds the write-ahead log into the database file.
    async fn close(&self) -> Result<(), StoreError>;
}

/// Stamps every entity's store, and [`Store`] itself, onto a backend: its type, its name for
/// logs, its sqlx database, and whether it is PostgreSQL (where backup SQL differs).
macro_rules! impl_all_stores {
    ($ty:ty, $name:literal, $db:ty, $postgres:literal) => {
        impl_account_store!($ty, $db);
        impl_session_store!($ty);
        impl_checkin_store!($ty);
        impl_therapy_store!($ty);
        impl_agenda_store!($ty);
        impl_guidance_store!($ty);
        impl_journal_store!($ty, $db);
        impl_homework_store!($ty, $db);
        impl_feedback_store!($ty);
        impl_plan_store!($ty);
        impl_coping_store!($ty);
        impl_questionnaire_store!($ty);
        impl_sign_in_limit_store!($ty);
        impl_backup_store!($ty, $db, $postgres);
        impl_erasure_store!($ty);
        impl_onboarding_store!($ty);
        impl_roster_store!($ty);
        impl_export_store!($ty, $db, $postgres);
        impl_bedtime_store!($ty);
        impl_thought_record_store!($ty);
        impl_access_store!($ty);
        impl_caseload_store!($ty);
        impl_therapist_action_store!($ty);
        impl_sharing_store!($ty);
        impl_outbox_store!($ty);
        impl_second_factor_store!($ty);

        #[async_trait::async_trait]
        impl $crate::Store for $ty {
            fn backend(&self) -> &'static str {
                $name
            }

            async fn close(&self) -> Result<(), $crate::StoreError> {
                self.close_pools().await
            }
        }
    };
}

// After `impl_all_stores!`, which they invoke.
pub mod postgres;
pub mod sqlite;
