//! The one way a therapist reaches a client's data: [`App::open_client`] checks the role,
//! the second factor, the live grant and the scope, and appends the audit row the client
//! reads, before anything of the client's is read. Every therapist read and action goes
//! through it; what it returns, an [`OpenClient`], can only be made here.

use chrono::{DateTime, Utc};
use domain::account::{Account, Role};
use domain::sharing::{AuditKind, GrantId, Scope, Scopes};
use store::{LiveGrant, NewAuditEntry};

use crate::{Actor, App, AppError};

/// A client the therapist may read, under a live grant that was checked and audited: the
/// proof, carried into every therapist use-case, that the gate was passed.
#[derive(Debug, Clone)]
pub struct OpenClient {
    therapist: Actor,
    grant: LiveGrant,
    client: Actor,
}

impl OpenClient {
    /// The grant's id: the id the therapist knows the client by.
    pub fn id(&self) -> GrantId {
        self.grant.id
    }

    /// The name the client chose for the therapist to see.
    pub fn display_name(&self) -> &str {
        &self.grant.display_name
    }

    /// What the client shares.
    pub fn scopes(&self) -> Scopes {
        self.grant.scopes
    }

    /// Whether the client shares `scope`.
    pub fn shares(&self, scope: Scope) -> bool {
        self.grant.scopes.contains(scope)
    }

    /// When the client began sharing.
    pub fn since(&self) -> DateTime<Utc> {
        self.grant.since
    }

    /// The client as the client's own use-cases take them, for the read-only use-cases a
    /// therapist may run (only inside this crate).
    pub(crate) fn client(&self) -> &Actor {
        &self.client
    }

    /// The client's account, for the parts of it a page needs (the time zone days are
    /// counted in); only inside this crate.
    pub(crate) fn client_account(&self) -> &Account {
        &self.client.account
    }

    /// The time zone the client's days are counted in, so a therapist reads their days as
    /// the client lived them.
    pub fn client_timezone(&self) -> domain::history::TimeZone {
        self.client.account.timezone
    }
}

impl App {
    /// Opens a client for a therapist's read: the actor must be a therapist
    /// ([`AppError::Forbidden`] otherwise) who passed the second factor
    /// ([`AppError::SecondFactorNeeded`] otherwise, see [`Actor::second_factor_ok`]), hold
    /// a live grant with this id ([`AppError::NotFound`] otherwise: revoked, another
    /// therapist's and unknown are one answer), and, when `need` names a scope, be shared it ([`AppError::NotShared`]).
    /// Then one audit row is appended — kind read, `what` (a scope code or a short kind such
    /// as `caseload`), and the route pattern `endpoint` — before anything is read.
    pub async fn open_client(
        &self,
        actor: &Actor,
        grant: GrantId,
        need: Option<Scope>,
        what: &str,
        endpoint: &str,
    ) -> Result<OpenClient, AppError> {
        let open = self.check_client(actor, grant, need).await?;
        self.audit(&open, AuditKind::Read, what, endpoint).await?;
        Ok(open)
    }

    /// Opens a client for a therapist's action, with the same checks as
    /// [`App::open_client`] but no audit row yet: the action appends its own with
    /// [`App::audit_action`] once it is done, so the log names only what happened.
    pub async fn open_client_to_act(
        &self,
        actor: &Actor,
        grant: GrantId,
        need: Option<Scope>,
    ) -> Result<OpenClient, AppError> {
        self.check_client(actor, grant, need).await
    }

    /// Appends the audit row of an action a therapist took on an opened client.
    pub async fn audit_action(
        &self,
        open: &OpenClient,
        what: &str,
        endpoint: &str,
    ) -> Result<(), AppError> {
        self.audit(open, AuditKind::Action, what, endpoint).await
    }

    /// Opens a client for a page that shows several sections at once: the same checks as
    /// [`App::open_client`] without a scope, then one audit row per section the client
    /// shares (`what` each scope's code), appended together before anything is read.
    pub async fn open_client_sections(
        &self,
        actor: &Actor,
        grant: GrantId,
        endpoint: &str,
    ) -> Result<OpenClient, AppError> {
        let open = self.check_client(actor, grant, None).await?;
        let at = Utc::now();
        let rows: Vec<NewAuditEntry<'_>> = open
            .grant
            .scopes
            .iter()
            .map(|scope| NewAuditEntry {
                client: open.grant.client,
                therapist: open.therapist.account.id,
                therapist_name: &open.grant.therapist_name,
                grant: open.grant.id,
                at,
                kind: AuditKind::Read,
                what: scope.code(),
                endpoint,
            })
            .collect();
        self.store.append_audits(&rows).await?;
        Ok(open)
    }

    /// The actor must be a therapist ([`AppError::Forbidden`]) past the second factor
    /// ([`AppError::SecondFactorNeeded`]): every therapist read, action and join asks here,
    /// so no client's data reaches a therapist who has not turned two-step sign-in on.
    pub(crate) fn require_therapist(&self, actor: &Actor) -> Result<(), AppError> {
        if actor.account.role != Role::Therapist {
            return Err(AppError::Forbidden);
        }
        if !actor.second_factor_ok() {
            return Err(AppError::SecondFactorNeeded);
        }
        Ok(())
    }

    async fn check_client(
        &self,
        actor: &Actor,
        grant: GrantId,
        need: Option<Scope>,
    ) -> Result<OpenClient, AppError> {
        self.require_therapist(actor)?;
        let grant = self
            .store
            .live_grant(actor.account.id, grant)
            .await?
            .ok_or(AppError::NotFound)?;
        if let Some(scope) = need
            && !grant.scopes.contains(scope)
        {
            return Err(AppError::NotShared);
        }
        // The grant's client always has an account: grants go with it.
        let account = self
            .store
            .account(grant.client)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(OpenClient {
            therapist: actor.clone(),
            grant,
            // The client's data is read for the therapist who passed this gate, not by a
            // sign-in of the client's: the app itself, like the operator, stands behind it.
            client: Actor::new(account, crate::AuthMethod::Operator),
        })
    }

    async fn audit(
        &self,
        open: &OpenClient,
        kind: AuditKind,
        what: &str,
        endpoint: &str,
    ) -> Result<(), AppError> {
        self.store
            .append_audit(&NewAuditEntry {
                client: open.grant.client,
                therapist: open.therapist.account.id,
                therapist_name: &open.grant.therapist_name,
                grant: open.grant.id,
                at: Utc::now(),
                kind,
                what,
                endpoint,
            })
            .await?;
        Ok(())
    }
}

/// One client on a therapist's caseload. Fields of a scope the client does not share are
/// `None`; see docs/caseload.md for what each means.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseloadEntry {
    /// The grant's id: the id the therapist knows the client by.
    pub id: GrantId,
    /// The name the client chose for the therapist to see.
    pub display_name: String,
    /// What the client shares.
    pub scopes: Scopes,
    /// The level as last assessed, with its reasons and since when it has held (`checkins`;
    /// `None` too before the client's first check-in).
    pub guidance: Option<CaseloadGuidance>,
    /// When the client last checked in (`checkins`).
    pub last_checkin_at: Option<DateTime<Utc>>,
    /// The next planned session (`checkins` or `session_prep`).
    pub next_session_at: Option<DateTime<Utc>>,
    /// Mood since the last session (`checkins`, and only once there was a session).
    pub mood_since_last_session: Option<MoodSinceSession>,
}

/// The level a client is at, as last assessed.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseloadGuidance {
    /// The level.
    pub level: domain::guidance::Level,
    /// Its reasons, highest level first; empty when they no longer parse.
    pub reasons: Vec<domain::guidance::Reason>,
    /// When the client reached this level.
    pub since: DateTime<Utc>,
}

/// How check-ins went since the last session, beside how they went before it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MoodSinceSession {
    /// The last session, which "since" counts from.
    pub since: DateTime<Utc>,
    /// The average mood (0–10) of the check-ins since, to one decimal; `None` with none.
    pub average: Option<f64>,
    /// How many check-ins since.
    pub checkins: i64,
    /// The average mood of the check-ins in the four weeks before that session, to one
    /// decimal: what is usual for this client lately. `None` with fewer than
    /// [`USUAL_MIN_CHECKINS`] of them.
    pub usual: Option<f64>,
}

/// Check-ins needed in the weeks before a session for their average to say what is usual.
pub const USUAL_MIN_CHECKINS: i64 = store::caseload::USUAL_MIN_CHECKINS;

/// How often a look at the caseload is written to each client's audit log: the first look,
/// then the first one an hour or more after the last written. A caseload is looked at often
/// and shows hundreds of clients at once; writing every look would append a row to every
/// client's log each time (at 500 clients, megabytes a look), and a client reads one line an
/// hour as well as twenty. Every other read (a client's page, each API read) is written each
/// time.
pub const CASELOAD_LOOK_LOGGED_EVERY: chrono::Duration = chrono::Duration::hours(1);

/// Whether a caseload entry with these scopes shows any of the client's data (the level,
/// mood, check-in or session times), beyond their name and what they share.
fn shows_data(scopes: Scopes) -> bool {
    scopes.contains(Scope::Checkins) || scopes.contains(Scope::SessionPrep)
}

fn one_decimal(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

impl CaseloadGuidance {
    fn from_change(g: store::GuidanceChange) -> CaseloadGuidance {
        CaseloadGuidance {
            level: g.level,
            reasons: serde_json::from_value(g.reasons).unwrap_or_default(),
            since: g.at,
        }
    }
}

impl CaseloadEntry {
    fn from_row(row: store::CaseloadRow) -> CaseloadEntry {
        let mood_since_last_session = row.last_session_at.map(|since| {
            let (average, checkins) = row
                .since_session
                .map_or((None, 0), |(avg, n)| (Some(one_decimal(avg)), n));
            MoodSinceSession {
                since,
                average,
                checkins,
                usual: row
                    .before_session
                    .filter(|(_, n)| *n >= USUAL_MIN_CHECKINS)
                    .map(|(avg, _)| one_decimal(avg)),
            }
        });
        CaseloadEntry {
            id: row.grant,
            display_name: row.display_name,
            scopes: row.scopes,
            guidance: row.guidance.map(CaseloadGuidance::from_change),
            last_checkin_at: row.last_checkin_at,
            next_session_at: row.next_session_at,
            mood_since_last_session,
        }
    }

    /// Whether anything of the client's data is shown in this entry (beyond the name and
    /// what they share): such an entry is a read the client's audit log records.
    pub fn shows_data(&self) -> bool {
        shows_data(self.scopes)
    }
}

/// The caseload's order: the most urgent level first (a client without a level, not shared
/// or not assessed yet, last); within a level, the one who has been at it longest first,
/// since a level that has held longest has waited longest for the therapist's attention and
/// a fresh change is not yet news that waiting makes worse; then by name.
fn caseload_order(a: &CaseloadEntry, b: &CaseloadEntry) -> std::cmp::Ordering {
    let level = |e: &CaseloadEntry| e.guidance.as_ref().map(|g| g.level);
    let since = |e: &CaseloadEntry| e.guidance.as_ref().map(|g| g.since);
    level(b)
        .cmp(&level(a))
        .then_with(|| since(a).cmp(&since(b)))
        .then_with(|| {
            a.display_name
                .to_lowercase()
                .cmp(&b.display_name.to_lowercase())
        })
        .then_with(|| a.id.cmp(&b.id))
}

impl App {
    /// The therapist's caseload as of `now`, most urgent first, then longest at their level, then by name.
    /// One audit row is appended, in one batch, for each client whose data the list shows
    /// (`what` "caseload", `endpoint` the route pattern) and whose log has no look at the
    /// caseload from the last [`CASELOAD_LOOK_LOGGED_EVERY`].
    pub async fn caseload(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
        endpoint: &str,
    ) -> Result<Vec<CaseloadEntry>, AppError> {
        self.require_therapist(actor)?;
        let rows = self.store.caseload(actor.account.id, now).await?;
        let mut entries: Vec<CaseloadEntry> =
            rows.iter().cloned().map(CaseloadEntry::from_row).collect();
        entries.sort_by(caseload_order);
        let audit: Vec<NewAuditEntry<'_>> = rows
            .iter()
            .filter(|r| shows_data(r.scopes))
            .filter(|r| {
                r.caseload_logged_at
                    .is_none_or(|logged| now - logged >= CASELOAD_LOOK_LOGGED_EVERY)
            })
            .map(|r| NewAuditEntry {
                client: r.client,
                therapist: actor.account.id,
                therapist_name: &r.therapist_name,
                grant: r.grant,
                at: now,
                kind: AuditKind::Read,
                what: "caseload",
                endpoint,
            })
            .collect();
        self.store.log_caseload_look(&audit).await?;
        Ok(entries)
    }
}

/// What the therapist sees of a client's session preparation.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionPrep {
    /// The next planned session.
    pub next_session: Option<domain::therapy::TherapySession>,
    /// The latest past session.
    pub last_session: Option<domain::therapy::TherapySession>,
    /// The open agenda, in the client's order.
    pub agenda: Vec<domain::therapy::AgendaItem>,
    /// Homework still going, and finished in the last [`PREP_LOOKS_BACK_DAYS`] days.
    pub homework: Vec<crate::HomeworkStatus>,
    /// Feedback notes of the last [`PREP_LOOKS_BACK_DAYS`] days.
    pub feedback: Vec<domain::feedback::FeedbackNote>,
    /// Feedback from post-session check-ins of the last [`PREP_LOOKS_BACK_DAYS`] days.
    pub session_feedback: Vec<domain::feedback::ReflectionFeedback>,
}

/// How far back session preparation reaches for feedback and finished homework: the weeks
/// between sessions and a few more, so a fortnightly rhythm is covered.
pub const PREP_LOOKS_BACK_DAYS: i64 = 42;

/// What the therapist sees of a client's plans: the latest version of each, and when it
/// was saved.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientPlans {
    /// The safety plan, when there is one.
    pub safety: Option<(DateTime<Utc>, domain::plans::SafetyPlan)>,
    /// The backsliding plan, when there is one.
    pub backsliding: Option<(DateTime<Utc>, domain::plans::BackslidingPlan)>,
}

/// A client's questionnaires and how their totals moved.
#[derive(Debug, Clone, PartialEq)]
pub struct QuestionnaireTrend {
    /// Every questionnaire, oldest first.
    pub questionnaires: Vec<domain::questionnaire::Questionnaire>,
    /// Per instrument filled in: each total with its band, and the change from the first to
    /// the latest with its reliable-change category.
    pub trends: Vec<domain::brief::ScoreSummary>,
}

/// The guidance a therapist sees: the level now and every change of level with its reasons.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientGuidance {
    /// The level now and its reasons.
    pub now: domain::guidance::Guidance,
    /// The latest recorded change of level, as the caseload shows it: the level (the same as
    /// `now`'s, since reading `now` records a change first), the reasons it was reached
    /// with, and since when it has held. `None` before the first assessment.
    pub recorded: Option<CaseloadGuidance>,
    /// When the client last checked in; `None` before their first check-in.
    pub last_checkin_at: Option<DateTime<Utc>>,
    /// Changes of level since `from`, oldest first.
    pub changes: Vec<crate::BriefGuidance>,
}

impl App {
    /// The client's check-ins with `from <= at < to` (scope `checkins`).
    pub async fn client_checkins(
        &self,
        open: &OpenClient,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Vec<domain::checkin::CheckIn>, AppError> {
        need(open, Scope::Checkins)?;
        self.checkins(open.client(), from, to).await
    }

    /// The client's guidance now, and its changes since `from` (scope `checkins`).
    pub async fn client_guidance(
        &self,
        open: &OpenClient,
        from: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<ClientGuidance, AppError> {
        need(open, Scope::Checkins)?;
        // First, so a level that time alone has changed is recorded before the record is read:
        // the level shown is then the one the caseload shows from this moment on.
        let now = self.guidance(open.client(), now).await?;
        let id = open.client().account.id;
        let (latest, last_checkin, changes) = tokio::try_join!(
            async { Ok::<_, AppError>(self.store.latest_guidance(id).await?) },
            self.last_checkin(open.client()),
            self.guidance_history(open.client(), from),
        )?;
        Ok(ClientGuidance {
            now,
            recorded: latest.map(CaseloadGuidance::from_change),
            last_checkin_at: last_checkin.map(|c| c.content.at),
            changes: changes
                .into_iter()
                .map(crate::BriefGuidance::from)
                .collect(),
        })
    }

    /// The client's questionnaires and their trend (scope `questionnaires`).
    pub async fn client_questionnaires(
        &self,
        open: &OpenClient,
        now: DateTime<Utc>,
    ) -> Result<QuestionnaireTrend, AppError> {
        need(open, Scope::Questionnaires)?;
        let questionnaires = self.questionnaires(open.client(), None, None).await?;
        let tz = open.client_account().timezone;
        let trends = domain::questionnaire::Instrument::ALL
            .into_iter()
            .filter_map(|instrument| {
                let all: Vec<(DateTime<Utc>, u8)> = questionnaires
                    .iter()
                    .filter(|q| q.instrument() == instrument)
                    .map(|q| (q.content.at, q.total()))
                    .collect();
                // The whole record is the period: the change is from the first to the latest.
                let first = all.first()?.0;
                domain::brief::score_summary(
                    instrument,
                    &all,
                    first,
                    now.max(first) + chrono::Duration::milliseconds(1),
                    tz,
                )
            })
            .collect();
        Ok(QuestionnaireTrend {
            questionnaires,
            trends,
        })
    }

    /// The client's session preparation (scope `session_prep`).
    pub async fn client_session_prep(
        &self,
        open: &OpenClient,
        now: DateTime<Utc>,
    ) -> Result<SessionPrep, AppError> {
        need(open, Scope::SessionPrep)?;
        let client = open.client();
        let since = Some(now - chrono::Duration::days(PREP_LOOKS_BACK_DAYS));
        let (next_session, last_session, agenda, homework, feedback, session_feedback) = tokio::try_join!(
            self.next_session(client, now),
            async {
                Ok::<_, AppError>(
                    self.store
                        .previous_therapy_session(client.account.id, domain::brief::until(now))
                        .await?,
                )
            },
            self.agenda(client, false),
            self.homework(client, true, now),
            self.feedback_notes(client, since, None),
            self.session_feedback(client, since, None),
        )?;
        let homework = homework
            .into_iter()
            .filter(|h| {
                h.homework
                    .finished_at
                    .is_none_or(|f| since.is_none_or(|s| f >= s))
            })
            .collect();
        Ok(SessionPrep {
            next_session: next_session.map(without_note),
            last_session: last_session.map(without_note),
            agenda,
            homework,
            feedback,
            session_feedback,
        })
    }

    /// The client's safety and backsliding plans (scope `plans`).
    pub async fn client_plans(&self, open: &OpenClient) -> Result<ClientPlans, AppError> {
        need(open, Scope::Plans)?;
        let (safety, backsliding) = tokio::try_join!(
            self.plan::<domain::plans::SafetyPlan>(open.client()),
            self.plan::<domain::plans::BackslidingPlan>(open.client()),
        )?;
        Ok(ClientPlans {
            safety: safety.map(|v| (v.saved_at, v.plan)),
            backsliding: backsliding.map(|v| (v.saved_at, v.plan)),
        })
    }

    /// The client's "since my last session" brief as the therapist may see it: the parts
    /// of scopes the client does not share are left empty, and the parts no scope covers
    /// (the toolkit, thought records) are never included.
    pub async fn client_brief(
        &self,
        open: &OpenClient,
        now: DateTime<Utc>,
    ) -> Result<crate::Brief, AppError> {
        let mut brief = self
            .brief(
                open.client(),
                // From the session before last, as the client's own brief: a slide that began
                // before the last session is then seen from its start.
                domain::brief::BriefRange::SinceSessionBeforeLast,
                now,
            )
            .await?;
        brief.tools.clear();
        brief.tool_uses = 0;
        brief.thought_records.clear();
        brief.since_session = brief.since_session.map(without_note);
        brief.last_session = brief.last_session.map(without_note);
        brief.next_session = brief.next_session.map(without_note);
        brief.sessions = brief.sessions.into_iter().map(without_note).collect();
        if !open.shares(Scope::Checkins) {
            brief.days.clear();
            brief.baseline = None;
            brief.low_runs.clear();
            brief.level_at_start = None;
            brief.guidance.clear();
        }
        if !open.shares(Scope::Questionnaires) {
            brief.scores.clear();
        }
        if !open.shares(Scope::SessionPrep) {
            brief.agenda.clear();
            brief.homework.clear();
            brief.feedback.clear();
            brief.session_feedback.clear();
        }
        if !(open.shares(Scope::Checkins) || open.shares(Scope::SessionPrep)) {
            brief.since_session = None;
            brief.last_session = None;
            brief.sessions.clear();
            brief.next_session = None;
        }
        Ok(brief)
    }
}

/// A use-case of one scope refuses an opened client without it: the gate already checked
/// when it was asked to, and this keeps a handler that asked for less from reading more.
fn need(open: &OpenClient, scope: Scope) -> Result<(), AppError> {
    if open.shares(scope) {
        Ok(())
    } else {
        Err(AppError::NotShared)
    }
}

/// A session without the client's private note: no scope shares it.
fn without_note(session: domain::therapy::TherapySession) -> domain::therapy::TherapySession {
    domain::therapy::TherapySession {
        note: None,
        ..session
    }
}
