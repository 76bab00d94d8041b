//! Between's use-cases. Each takes the [`Actor`] it acts for, checks input with `domain`,
//! persists with `store`, and returns domain types. The web server and the CLI call only this.
#![warn(missing_docs)]

mod account_life;
mod accounts;
// Bedtime routine.
mod bedtime;
mod brief;
mod checkins;
mod coping;
mod devices;
mod error;
mod export;
mod feedback;
mod guidance;
mod homework;
mod journal;
mod passwords;
mod plans;
mod questionnaires;
mod rate_limit;
// Sharing with a therapist: invites, grants, the audit log, joining.
mod sharing;
mod therapy;
// What a therapist sees: the one gate to a client's data, and the caseload.
mod therapist;
// What a therapist may change for a client.
mod therapist_actions;
mod thought_records;
mod tokens;
// Alert emails and their delivery.
pub mod mail;
// Two-step sign-in: the TOTP algorithm, and the use-cases around it.
pub mod totp;
mod two_step;

use std::sync::Arc;

use domain::account::Account;
use store::Store;

pub use accounts::{NewUser, SignUp};
pub use bedtime::Tonight;
pub use brief::{
    Brief, BriefDay, BriefGuidance, BriefHomework, BriefRange, DEFAULT_BRIEF_DAYS, LowRun,
    MAX_BRIEF_DAYS, ScoreSummary, USUAL_MOOD_LOOKS_BACK, local_midnight, usual_mood_of,
};
pub use devices::{CurrentSession, PasswordForm, browser_family};
pub use domain::profile::ProfileInput;
pub use error::AppError;
pub use homework::HomeworkStatus;
pub use plans::{BEST_TOOLS_OFFERED, PlanChange, PlanVersion};
pub use questionnaires::QuestionnaireDue;
pub use rate_limit::LoginLimits;
pub use sharing::{
    AUDIT_PAGE_ROWS, GrantInput, InviteInput, InviteMade, MAX_DISPLAY_NAME_CHARS, Sharing,
};
pub use store::{ApiToken, DeviceSession};
pub use store::{AuditEntry, ClientGrant, Joined, PendingInvite};
pub use store::{ExportDocument, ImportError, ImportSummary};
// What a therapist sees.
pub use therapist::{
    CASELOAD_LOOK_LOGGED_EVERY, CaseloadEntry, CaseloadGuidance, ClientGuidance, ClientPlans,
    MoodSinceSession, OpenClient, PREP_LOOKS_BACK_DAYS, QuestionnaireTrend, SessionPrep,
    USUAL_MIN_CHECKINS,
};
pub use therapist_actions::{
    AUDIT_HOMEWORK, AUDIT_SENSITIVITY, AssignedHomework, ClientSensitivity,
};
pub use therapy::{REFLECTION_OFFSET_DAYS, ReflectionDue};
pub use tokens::{
    DEFAULT_TOKEN_NAME, MAX_TOKEN_DAYS, MAX_TOKEN_NAME_CHARS, NewApiToken, OFFERED_TOKEN_DAYS,
    SessionToken, parse_expiry_days,
};
pub use two_step::{
    Enrolment, PENDING_MINUTES, PendingToken, RECOVERY_CODES, SignInStep, TwoStepStatus,
};

/// Who is asking: every use-case that touches personal data takes one.
#[derive(Debug, Clone)]
pub struct Actor {
    account: Account,
    // How the request proved who it is, which the second-factor rule depends on.
    auth: AuthMethod,
}

/// How an [`Actor`] was authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    /// A browser session, begun by signing in (with the second step, when it is on).
    Session,
    /// A personal API token. A web-made token can only exist once its maker passed the
    /// second-factor rule, and an operator-made one was made by whoever holds the database.
    Token,
    /// The operator on the command line, who already holds the database.
    Operator,
}

impl Actor {
    /// An actor for `account`, authenticated by `auth`.
    pub(crate) fn new(account: Account, auth: AuthMethod) -> Actor {
        Actor { account, auth }
    }

    /// The signed-in account.
    pub fn account(&self) -> &Account {
        &self.account
    }

    /// How this request was authenticated.
    pub fn auth(&self) -> AuthMethod {
        self.auth
    }

    /// Whether this actor passes the second-factor rule that guards client data shown to a
    /// therapist: the account has the second sign-in step on, or the request came with an API
    /// token (see [`AuthMethod::Token`]) or from the operator's command line.
    pub fn second_factor_ok(&self) -> bool {
        self.account.second_factor_enrolled
            || matches!(self.auth, AuthMethod::Token | AuthMethod::Operator)
    }
}

/// The application: the store plus the shared limits on expensive or abusable work. Cloned
/// for every request (the web layer's state), so a clone is one reference count.
#[derive(Clone)]
pub struct App(Arc<Parts>);

/// What the app holds.
pub struct Parts {
    store: Arc<dyn Store>,
    passwords: passwords::Hasher,
    login_limits: LoginLimits,
    sign_ins_in_flight: Arc<rate_limit::InFlight>,
    open_signup: bool,
    // Alert emails: how they are sent, when the server has SMTP settings.
    mail: Option<Arc<mail::Mailer>>,
}

impl std::ops::Deref for App {
    type Target = Parts;

    fn deref(&self) -> &Parts {
        &self.0
    }
}

/// Operator choices that shape the app's behaviour.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Sign-in attempt limits.
    pub login_limits: LoginLimits,
    /// Whether anyone may create an account after the first one.
    pub open_signup: bool,
    /// How alert emails are sent; without it no alert is offered or written.
    pub mail: Option<Arc<mail::Mailer>>,
}

impl App {
    /// Builds the app on an opened store.
    pub fn new(store: Arc<dyn Store>, settings: Settings) -> App {
        // A change of guidance level writes alerts only when they can be sent.
        store.set_alert_mail(settings.mail.as_ref().map(|m| m.alert().clone()));
        App(Arc::new(Parts {
            store,
            passwords: passwords::Hasher::new(),
            login_limits: settings.login_limits,
            sign_ins_in_flight: Arc::default(),
            open_signup: settings.open_signup,
            mail: settings.mail,
        }))
    }

    /// Whether this server can send alert emails (the operator gave SMTP settings): without
    /// them, alerts are not offered to clients.
    pub fn mail_configured(&self) -> bool {
        self.mail.is_some()
    }

    /// The worker that delivers alert emails, when mail is configured.
    pub fn mail_worker(&self) -> Option<mail::MailWorker> {
        self.mail
            .as_ref()
            .map(|m| mail::MailWorker::new(self.store.clone(), m.clone()))
    }

    /// The store's backend name, for the start-up line.
    pub fn backend(&self) -> &'static str {
        self.store.backend()
    }
}
