//! "Since my last session": everything worth bringing to the next session, for one period,
//! gathered in one read so the page (and its printout) can show it.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::brief::{Period, day_baseline, low_runs, rated_days, score_summary};
use domain::coping::ToolStats;
use domain::feedback::{FeedbackNote, ReflectionFeedback};
use domain::guidance::{Baseline, Level, Reason, personal_baseline};
use domain::homework::HomeworkLog;
use domain::questionnaire::Instrument;
use domain::therapy::{AgendaItem, TherapySession};
use store::GuidanceChange;

// The pure parts live in `domain::brief`; these names stay reachable from here.
pub use domain::brief::{
    BriefDay, BriefRange, DEFAULT_BRIEF_DAYS, LowRun, MAX_BRIEF_DAYS, ScoreSummary, local_midnight,
};

use crate::homework::HomeworkStatus;
use crate::{Actor, App, AppError};

/// Tools listed under "what helped".
const TOOLS_SHOWN: usize = 5;
/// Thought records shown at most: the brief is read in minutes before a session.
const THOUGHT_RECORDS_SHOWN: usize = 10;

/// A recorded change of guidance level, with its reasons read back.
#[derive(Debug, Clone, PartialEq)]
pub struct BriefGuidance {
    /// When the level changed.
    pub at: DateTime<Utc>,
    /// The new level.
    pub level: Level,
    /// The reasons, as the engine gave them; empty when they no longer parse.
    pub reasons: Vec<Reason>,
}

impl From<GuidanceChange> for BriefGuidance {
    fn from(c: GuidanceChange) -> BriefGuidance {
        BriefGuidance {
            at: c.at,
            level: c.level,
            reasons: serde_json::from_value(c.reasons).unwrap_or_default(),
        }
    }
}

/// Homework as it went in the period.
#[derive(Debug, Clone, PartialEq)]
pub struct BriefHomework {
    /// The homework, its whole log and today's progress.
    pub status: HomeworkStatus,
    /// The times it was done in the period.
    pub done_in_period: Vec<HomeworkLog>,
}

/// Everything on the "since my last session" page.
#[derive(Debug, Clone, PartialEq)]
pub struct Brief {
    /// The period's first local day.
    pub first_day: NaiveDate,
    /// The period's last local day.
    pub last_day: NaiveDate,
    /// The session the period starts with, when it starts with one.
    pub since_session: Option<TherapySession>,
    /// The latest past session (the same as `since_session` unless the period starts
    /// with the session before it).
    pub last_session: Option<TherapySession>,
    /// The sessions in the period, oldest first, for the chart's markers.
    pub sessions: Vec<TherapySession>,
    /// The next planned session.
    pub next_session: Option<TherapySession>,
    /// Rated days, oldest first.
    pub days: Vec<BriefDay>,
    /// The personal baseline (usual mood and how much it varies) at the end of the period.
    pub baseline: Option<Baseline>,
    /// Runs of low days.
    pub low_runs: Vec<LowRun>,
    /// The level in force when the period began.
    pub level_at_start: Option<BriefGuidance>,
    /// Changes of level in the period.
    pub guidance: Vec<BriefGuidance>,
    /// Tools that eased distress, best first (from the whole toolkit record).
    pub tools: Vec<ToolStats>,
    /// Uses of the toolkit in the period.
    pub tool_uses: usize,
    /// PHQ-9 and GAD-7, when any were filled in the period.
    pub scores: Vec<ScoreSummary>,
    /// The open agenda, in order.
    pub agenda: Vec<AgendaItem>,
    /// Homework still going, or finished in the period.
    pub homework: Vec<BriefHomework>,
    /// Feedback notes written in the period.
    pub feedback: Vec<FeedbackNote>,
    /// Feedback from post-session check-ins in the period.
    pub session_feedback: Vec<ReflectionFeedback>,
    /// Thought records on the agenda, and those finished in the period, newest first.
    pub thought_records: Vec<domain::thought_record::ThoughtRecord>,
}

impl App {
    /// Gathers the brief for a period. Days are the actor's local days; a chosen period must
    /// run forwards and be at most [`MAX_BRIEF_DAYS`] long.
    pub async fn brief(
        &self,
        actor: &Actor,
        range: BriefRange,
        now: DateTime<Utc>,
    ) -> Result<Brief, AppError> {
        let tz = actor.account.timezone;
        let last_session = self
            .store
            .previous_therapy_session(actor.account.id, domain::brief::until(now))
            .await?;
        let start_session = match (range, &last_session) {
            (BriefRange::SinceSessionBeforeLast, Some(last)) => self
                .store
                .previous_therapy_session(actor.account.id, last.at)
                .await?
                .or_else(|| Some(last.clone())),
            (BriefRange::SinceLastSession, last) => last.clone(),
            _ => None,
        };
        let (period, since_session) = match (range, start_session) {
            (BriefRange::Days { first, last }, _) => (
                Period::days(first, last, tz).map_err(|e| AppError::field("to", e.to_string()))?,
                None,
            ),
            (_, Some(s)) => (Period::since(s.at, now, tz), Some(s)),
            (_, None) => (Period::recent(now, tz), None),
        };
        let Period { from, to, .. } = period;

        // The baseline of a day looks back 35 days; read that much before the period.
        let history_from = from - Duration::days(60);
        let (history, checkins, changes, at_start, agenda, next_session, sessions) = tokio::try_join!(
            self.history(actor, Some(history_from)),
            self.checkins(actor, Some(from), Some(to)),
            self.guidance_history(actor, Some(from)),
            async { Ok(self.store.guidance_before(actor.account.id, from).await?) },
            self.agenda(actor, false),
            self.next_session(actor, now),
            self.sessions(actor, Some(from), Some(to)),
        )?;
        let settings = actor.account.guidance_settings();
        let days = rated_days(&checkins, tz, &settings, |day| {
            day_baseline(&history, day, tz, now)
        });
        let baseline = period.baseline(&history, now);
        let level_at_start = at_start.map(BriefGuidance::from);
        let guidance = changes
            .into_iter()
            .filter(|c| period.contains(c.at))
            .map(BriefGuidance::from)
            .collect();

        let (tools, uses, questionnaires, homework, logs, feedback, session_feedback) = tokio::try_join!(
            self.ranked_tools(actor),
            self.coping_uses(actor, Some(from), Some(to)),
            self.questionnaires(actor, None, Some(from)),
            self.homework(actor, true, now),
            async {
                Ok::<_, AppError>(
                    self.store
                        .homework_logs(actor.account.id, Some(from), Some(to))
                        .await?,
                )
            },
            self.feedback_notes(actor, Some(from), Some(to)),
            self.session_feedback(actor, Some(from), Some(to)),
        )?;
        let thought_records = self
            .store
            .thought_records_for_brief(actor.account.id, from, to, THOUGHT_RECORDS_SHOWN)
            .await?;
        // Each instrument's scores in the period, after the last one before it (the one a
        // change is measured from).
        let mut scores = Vec::new();
        for instrument in Instrument::ALL {
            let before = self
                .store
                .latest_questionnaire(
                    actor.account.id,
                    instrument,
                    from - Duration::milliseconds(1),
                )
                .await?;
            let all: Vec<(DateTime<Utc>, u8)> = before
                .iter()
                .chain(
                    questionnaires
                        .iter()
                        .filter(|q| q.instrument() == instrument),
                )
                .map(|q| (q.content.at, q.total()))
                .collect();
            scores.extend(score_summary(instrument, &all, from, to, tz));
        }
        let homework = homework
            .into_iter()
            .filter(|h| {
                h.homework.created_at < to && h.homework.finished_at.is_none_or(|f| f >= from)
            })
            .map(|status| BriefHomework {
                done_in_period: logs
                    .iter()
                    .filter(|l| l.homework_id == status.homework.id)
                    .cloned()
                    .collect(),
                status,
            })
            .collect();

        Ok(Brief {
            first_day: period.first_day,
            last_day: period.last_day,
            since_session,
            last_session,
            sessions,
            next_session,
            low_runs: low_runs(&days),
            days,
            baseline,
            level_at_start,
            guidance,
            tools: tools
                .into_iter()
                .filter(ToolStats::helps)
                .take(TOOLS_SHOWN)
                .collect(),
            tool_uses: uses.len(),
            scores,
            agenda,
            homework,
            feedback,
            session_feedback,
            thought_records,
        })
    }
}

/// How far back the usual mood looks: the baseline's window is 35 days before the day it
/// judges; 60 leaves room for days without a check-in.
pub const USUAL_MOOD_LOOKS_BACK: Duration = Duration::days(60);

impl App {
    /// The person's usual mood and how much it varies, as guidance judges days against it
    /// at `at`: the band the charts shade. `None` until there is enough to say.
    pub async fn usual_mood(
        &self,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<Option<Baseline>, AppError> {
        let checkins = self
            .store
            .checkin_records(actor.account.id, Some(at - USUAL_MOOD_LOOKS_BACK), None)
            .await?;
        Ok(usual_mood_of(actor, checkins, at))
    }
}

/// The usual mood at `at` from check-ins already read, which must reach back
/// [`USUAL_MOOD_LOOKS_BACK`] before `at`. Only check-ins and the person's usual-day rating
/// go into it, so nothing else is read.
pub fn usual_mood_of(
    actor: &Actor,
    checkins: Vec<domain::history::CheckInRecord>,
    at: DateTime<Utc>,
) -> Option<Baseline> {
    let account = actor.account();
    let mut history = domain::history::History::new(account.timezone);
    history.usual_mood = account.usual_mood;
    history.checkins = checkins;
    personal_baseline(&history, at, &account.guidance_settings())
}
