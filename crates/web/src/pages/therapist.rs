//! What a therapist sees: the caseload at `/therapist`, most urgent first, and one client's
//! shared data at `/therapist/clients/{id}`. Both go through the app's gate, so the client's
//! audit log records each look, and a section the client keeps shows "Not shared".

use app::{Brief, CaseloadEntry, CaseloadGuidance, OpenClient};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use domain::guidance::{Level, summaries_for_therapist};
use domain::sharing::{GrantId, Scope};

use super::errors::{PageError, PageResult};
use super::render;
use crate::AppState;
use crate::chart::{Reader, describe};
use crate::layout::Layout;
use crate::session::SignedIn;

/// The caseload page's route, as audit rows name it.
const CASELOAD_ENDPOINT: &str = "/therapist";
/// The client page's route, as audit rows name it.
const CLIENT_ENDPOINT: &str = "/therapist/clients/{id}";

/// One client on the caseload page.
pub struct ClientRow {
    id: GrantId,
    name: String,
    /// The level's code, for the row's class; empty when not shown.
    level_code: &'static str,
    level: String,
    reasons: Vec<String>,
    last_checkin: String,
    next_session: String,
    mood: String,
}

#[derive(Template)]
#[template(path = "therapist_caseload.html")]
struct CaseloadPage {
    layout: Layout,
    clients: Vec<ClientRow>,
}

fn when(at: DateTime<Utc>, tz: Tz) -> String {
    let local = at.with_timezone(&tz);
    format!("{} {}", local.format("%a %-d %b"), local.format("%H:%M"))
}

fn day(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%a %-d %b").to_string()
}

fn one_decimal(v: f64) -> String {
    let s = format!("{v:.1}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

const NOT_SHARED: &str = "Not shared";
const NO_CHECKINS: &str = "No check-ins yet";

/// The level as the caseload and the client page both show it: the latest recorded one,
/// since when it has held, and its reasons. A client who has never checked in has nothing
/// to be steady about, so that is said instead; a level raised without check-ins (by a
/// questionnaire) still shows.
fn level_view(
    g: Option<&CaseloadGuidance>,
    checked_in: bool,
    tz: Tz,
) -> (&'static str, String, Vec<String>) {
    match g {
        Some(g) if checked_in || g.level != Level::Steady => (
            g.level.code(),
            format!("{} (since {})", g.level.for_therapist(), day(g.since, tz)),
            summaries_for_therapist(&g.reasons),
        ),
        _ => ("", NO_CHECKINS.to_string(), Vec::new()),
    }
}

/// "Since the last session", as both pages name its start: the latest session at or before
/// now, which the period on each runs from.
fn since_session(at: DateTime<Utc>, tz: Tz) -> String {
    format!("since the session on {}", when(at, tz))
}

fn row(e: &CaseloadEntry, tz: Tz) -> ClientRow {
    let checkins = e.scopes.contains(Scope::Checkins);
    let (level_code, level, reasons) = if checkins {
        level_view(e.guidance.as_ref(), e.last_checkin_at.is_some(), tz)
    } else {
        ("", NOT_SHARED.to_string(), Vec::new())
    };
    let mood = match (&e.mood_since_last_session, checkins) {
        (Some(m), _) => {
            let avg = match m.average {
                Some(a) => format!(
                    "{} on average over {} check-in{}",
                    one_decimal(a),
                    m.checkins,
                    if m.checkins == 1 { "" } else { "s" }
                ),
                None => "No check-ins".to_string(),
            };
            let usual = m
                .usual
                .map(|u| format!("; usually about {}", one_decimal(u)))
                .unwrap_or_default();
            format!("{avg} {}{usual}", since_session(m.since, tz))
        }
        (None, true) => "No past session recorded".to_string(),
        (None, false) => NOT_SHARED.to_string(),
    };
    ClientRow {
        id: e.id,
        name: e.display_name.clone(),
        level_code,
        level,
        reasons,
        last_checkin: match (e.last_checkin_at, checkins) {
            (Some(at), _) => when(at, tz),
            (None, true) => "None yet".to_string(),
            (None, false) => NOT_SHARED.to_string(),
        },
        next_session: match e.next_session_at {
            Some(at) => when(at, tz),
            None if checkins || e.scopes.contains(Scope::SessionPrep) => "None planned".to_string(),
            None => NOT_SHARED.to_string(),
        },
        mood,
    }
}

/// `/therapist`: the caseload, most urgent first.
pub async fn caseload(State(state): State<AppState>, me: SignedIn) -> PageResult {
    let entries = state
        .app
        .caseload(&me.actor, Utc::now(), CASELOAD_ENDPOINT)
        .await?;
    // Times are the therapist's own: the list is read at one desk, in one zone.
    let tz = me.actor.account().timezone.tz();
    let page = CaseloadPage {
        layout: Layout::therapist(&me.csrf, "caseload"),
        clients: entries.iter().map(|e| row(e, tz)).collect(),
    };
    Ok(render(StatusCode::OK, &page))
}

/// One change of guidance level.
pub struct ChangeRow {
    when: String,
    level: &'static str,
    reasons: Vec<String>,
}

/// The check-ins section.
pub struct CheckinsView {
    level: String,
    level_code: &'static str,
    reasons: Vec<String>,
    chart: String,
    mood_summary: String,
    usual: Option<String>,
    period_note: String,
    low_runs: Vec<String>,
    changes: Vec<ChangeRow>,
}

/// One questionnaire's trend.
pub struct ScoreView {
    name: &'static str,
    scores: Vec<String>,
    change: Option<String>,
}

/// Homework as the client keeps it.
pub struct HomeworkRow {
    text: String,
    how_often: &'static str,
    status: String,
}

/// The session preparation section.
pub struct PrepView {
    next_session: Option<String>,
    agenda: Vec<String>,
    homework: Vec<HomeworkRow>,
    feedback: Vec<String>,
}

/// A plan's titled lists.
pub struct PlanView {
    saved: String,
    parts: Vec<(&'static str, Vec<String>)>,
}

#[derive(Template)]
#[template(path = "therapist_client.html")]
struct ClientPage {
    layout: Layout,
    id: GrantId,
    name: String,
    since: String,
    shared: Vec<&'static str>,
    checkins: Option<CheckinsView>,
    questionnaires: Option<Vec<ScoreView>>,
    prep: Option<PrepView>,
    plans: Option<(Option<PlanView>, Option<PlanView>)>,
}

fn long_day(d: NaiveDate) -> String {
    d.format("%A %-d %B %Y").to_string()
}

/// The check-ins section: days are the client's (`tz`), while the level's "since" and the
/// session the period starts at are instants said in the therapist's zone (`own_tz`), in the
/// same words as on the caseload.
fn checkins_view(g: &app::ClientGuidance, b: &Brief, tz: Tz, own_tz: Tz) -> CheckinsView {
    let (chart_days, chart) = crate::pages::brief::mood_chart(b, tz, Reader::Therapist);
    let (level_code, level, reasons) = match &g.recorded {
        Some(recorded) => level_view(Some(recorded), g.last_checkin_at.is_some(), own_tz),
        // Reading the level records it, so this is only a store without a record.
        None if g.last_checkin_at.is_none() => ("", NO_CHECKINS.to_string(), Vec::new()),
        None => (
            g.now.level.code(),
            g.now.level.for_therapist().to_string(),
            summaries_for_therapist(&g.now.reasons),
        ),
    };
    // The chart reaches back to the session before last, as the client's own brief does, so
    // a slide that began before the last session is seen whole; "since the last session"
    // names the same session as the caseload's mood.
    let period_note = match (&b.since_session, &b.last_session) {
        (Some(start), Some(last)) if start.at != last.at => format!(
            "From the session before last, {}, to {}. Mood {} is to the right of the last \
             dotted upright line.",
            when(start.at, own_tz),
            long_day(b.last_day),
            since_session(last.at, own_tz),
        ),
        (Some(start), _) => format!(
            "Mood {} ({} to {}).",
            since_session(start.at, own_tz),
            long_day(b.first_day),
            long_day(b.last_day)
        ),
        (None, _) => format!(
            "No past session is recorded, so this covers {} to {}.",
            long_day(b.first_day),
            long_day(b.last_day)
        ),
    };
    CheckinsView {
        level,
        level_code,
        reasons,
        chart,
        mood_summary: describe(&chart_days)
            .unwrap_or_else(|| "No check-ins in this period.".to_string()),
        usual: b.baseline.map(|u| one_decimal(u.value)),
        period_note,
        low_runs: b
            .low_runs
            .iter()
            .map(|r| {
                format!(
                    "{} to {}: {} day{} lower than usual, the lowest at {}.",
                    r.first.format("%a %-d %b"),
                    r.last.format("%a %-d %b"),
                    r.days,
                    if r.days == 1 { "" } else { "s" },
                    one_decimal(r.lowest)
                )
            })
            .collect(),
        changes: g
            .changes
            .iter()
            .rev()
            .map(|c| ChangeRow {
                when: when(c.at, tz),
                // Before any check-in, "steady" only means nothing to go on yet.
                level: if c.level == Level::Steady && g.last_checkin_at.is_none() {
                    NO_CHECKINS
                } else {
                    level_words(c.level)
                },
                reasons: c
                    .reasons
                    .iter()
                    .map(|r| r.summary_for_therapist())
                    .collect(),
            })
            .collect(),
    }
}

fn level_words(level: Level) -> &'static str {
    level.for_therapist()
}

fn scores_view(t: &app::QuestionnaireTrend) -> Vec<ScoreView> {
    t.trends
        .iter()
        .map(|s| ScoreView {
            name: s.instrument.name(),
            scores: s
                .scores
                .iter()
                .map(|(d, total, band)| format!("{total} on {} ({})", long_day(*d), band.label()))
                .collect(),
            change: match (s.from, s.change) {
                (Some((d, from)), Some((delta, category))) => Some(format!(
                    "From {from} on {} to the latest: {}{delta}, {}.",
                    long_day(d),
                    if delta > 0 { "+" } else { "" },
                    category.label().to_lowercase()
                )),
                _ => None,
            },
        })
        .collect()
}

fn prep_view(p: &app::SessionPrep, tz: Tz) -> PrepView {
    PrepView {
        next_session: p.next_session.as_ref().map(|s| when(s.at, tz)),
        agenda: p.agenda.iter().map(|a| a.text.clone()).collect(),
        homework: p
            .homework
            .iter()
            .map(|h| HomeworkRow {
                text: h.homework.text.clone(),
                how_often: h.homework.frequency.label(),
                status: match h.homework.finished_at {
                    Some(f) => format!("Finished on {}.", day(f, tz)),
                    None => h.progress.sentence_for_therapist(h.homework.frequency),
                },
            })
            .collect(),
        feedback: p
            .feedback
            .iter()
            .map(|n| format!("{}: {}", n.kind.label(), n.text))
            .chain(
                p.session_feedback
                    .iter()
                    .map(|r| format!("After the session: {}", r.text)),
            )
            .collect(),
    }
}

fn contacts(c: &[domain::plans::PlanContact]) -> Vec<String> {
    c.iter()
        .map(|c| match &c.phone {
            Some(p) => format!("{} ({p})", c.name),
            None => c.name.clone(),
        })
        .collect()
}

fn plans_view(p: &app::ClientPlans, tz: Tz) -> (Option<PlanView>, Option<PlanView>) {
    let safety = p.safety.as_ref().map(|(at, s)| PlanView {
        saved: day(*at, tz),
        parts: vec![
            ("Warning signs", s.warning_signs.clone()),
            ("Things they can do on their own", s.on_my_own.clone()),
            (
                "People and places that take their mind off things",
                s.distractions.clone(),
            ),
            ("People they can ask for help", contacts(&s.helpers)),
            ("Professionals", contacts(&s.professionals)),
            (
                "Making their surroundings safer",
                s.safer_surroundings.clone(),
            ),
            ("Reasons for living", s.reasons_for_living.clone()),
        ],
    });
    let backsliding = p.backsliding.as_ref().map(|(at, b)| PlanView {
        saved: day(*at, tz),
        parts: vec![
            ("Warning signs", b.warning_signs.clone()),
            (
                "Stressors",
                b.stressors
                    .iter()
                    .map(|s| s.label().to_string())
                    .chain(b.own_stressors.iter().cloned())
                    .collect(),
            ),
            ("Coping skills that helped", b.coping_skills.clone()),
            ("Next steps", b.next_steps.clone()),
            ("Goal", b.goal.iter().cloned().collect()),
            ("Safety net", contacts(&b.safety_net)),
            ("Changes made before", b.past_wins.clone()),
            ("Making a setback less likely", b.prevention.clone()),
        ],
    });
    (safety, backsliding)
}

/// `/therapist/clients/{id}`: only what the client shares, each section audited.
pub async fn client(
    State(state): State<AppState>,
    me: SignedIn,
    Path(raw): Path<String>,
) -> PageResult {
    let id: GrantId = raw.parse().map_err(|_| PageError::NotFound)?;
    let open: OpenClient = super::errors::found(
        state
            .app
            .open_client_sections(&me.actor, id, CLIENT_ENDPOINT)
            .await,
    )?;
    let now = Utc::now();
    // The client's days, as they lived them.
    let tz = open.client_timezone().tz();
    // Instants the caseload also shows are said as it says them, in the therapist's zone.
    let own_tz = me.actor.account().timezone.tz();
    let brief = if open.shares(Scope::Checkins) {
        Some(state.app.client_brief(&open, now).await?)
    } else {
        None
    };
    let checkins = match &brief {
        Some(b) => {
            let g = state
                .app
                .client_guidance(&open, Some(now - chrono::Duration::days(90)), now)
                .await?;
            Some(checkins_view(&g, b, tz, own_tz))
        }
        None => None,
    };
    let questionnaires = if open.shares(Scope::Questionnaires) {
        Some(scores_view(
            &state.app.client_questionnaires(&open, now).await?,
        ))
    } else {
        None
    };
    let prep = if open.shares(Scope::SessionPrep) {
        Some(prep_view(
            &state.app.client_session_prep(&open, now).await?,
            tz,
        ))
    } else {
        None
    };
    let plans = if open.shares(Scope::Plans) {
        Some(plans_view(&state.app.client_plans(&open).await?, tz))
    } else {
        None
    };
    let page = ClientPage {
        layout: Layout::therapist(&me.csrf, "caseload"),
        id: open.id(),
        name: open.display_name().to_string(),
        since: day(open.since(), tz),
        shared: open.scopes().iter().map(Scope::for_therapist).collect(),
        checkins,
        questionnaires,
        prep,
        plans,
    };
    Ok(render(StatusCode::OK, &page))
}
