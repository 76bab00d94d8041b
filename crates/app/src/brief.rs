//! "Since my last session": everything worth bringing to the next session, for one period,
//! gathered in one read so the page (and its printout) can show it.

use chrono::{DateTime, Days, Duration, NaiveDate, TimeZone as _, Utc};
use domain::checkin::{CheckIn, UsualActivities};
use domain::coping::ToolStats;
use domain::feedback::{FeedbackNote, ReflectionFeedback};
use domain::guidance::{GuidanceSettings, Reason, personal_baseline};
use domain::history::TimeZone;
use domain::homework::HomeworkLog;
use domain::questionnaire::{ChangeCategory, Instrument, Severity};
use domain::therapy::{AgendaItem, TherapySession};
use store::GuidanceChange;

use crate::homework::HomeworkStatus;
use crate::{Actor, App, AppError};

/// Longest period a brief covers; a year is already more than one page can hold well.
pub const MAX_BRIEF_DAYS: i64 = 366;
/// The period when there is no past session to start from.
pub const DEFAULT_BRIEF_DAYS: i64 = 30;
/// Tools listed under "what helped".
const TOOLS_SHOWN: usize = 5;

/// Which period a brief covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BriefRange {
    /// From the start of the latest past session until now (or the last 30 days).
    SinceLastSession,
    /// These local calendar days, both included.
    Days {
        /// The first day.
        first: NaiveDate,
        /// The last day.
        last: NaiveDate,
    },
}

/// One rated day of the period.
#[derive(Debug, Clone, PartialEq)]
pub struct BriefDay {
    /// The local calendar day.
    pub day: NaiveDate,
    /// Mean mood that day.
    pub mood: f64,
    /// Mean anxiety, when rated.
    pub anxiety: Option<f64>,
    /// Mean energy, when rated.
    pub energy: Option<f64>,
    /// Check-ins that day.
    pub checkins: usize,
    /// Low against the personal baseline of that day.
    pub low: bool,
    /// Missed work, school or plans, or did not manage the usual day.
    pub missed: bool,
    /// Said yes to the safety question.
    pub safety: bool,
}

/// Low days in a row (days without a rating neither break nor lengthen a run).
#[derive(Debug, Clone, PartialEq)]
pub struct LowRun {
    /// The first low day.
    pub first: NaiveDate,
    /// The last low day.
    pub last: NaiveDate,
    /// Rated low days in the run.
    pub days: usize,
    /// The lowest day mood in the run.
    pub lowest: f64,
}

/// A recorded change of guidance level, with its reasons read back.
#[derive(Debug, Clone, PartialEq)]
pub struct BriefGuidance {
    /// When the level changed.
    pub at: DateTime<Utc>,
    /// The level's code.
    pub level: String,
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

/// One questionnaire's totals in the period, and how they moved.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreSummary {
    /// PHQ-9 or GAD-7.
    pub instrument: Instrument,
    /// Totals in the period, oldest first: day, total, band.
    pub scores: Vec<(NaiveDate, u8, Severity)>,
    /// The score the change is measured from: the latest before the period, else the first
    /// in it; with its day.
    pub from: Option<(NaiveDate, u8)>,
    /// The change from `from` to the latest, when there are two scores to compare.
    pub change: Option<(i16, ChangeCategory)>,
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
    /// The session the period starts with, when it is "since the last session".
    pub since_session: Option<TherapySession>,
    /// The next planned session.
    pub next_session: Option<TherapySession>,
    /// Rated days, oldest first.
    pub days: Vec<BriefDay>,
    /// The personal baseline at the end of the period.
    pub baseline: Option<f64>,
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
}

/// The instant a local day starts; in a clock change's gap, the earliest valid one.
pub fn local_midnight(day: NaiveDate, tz: TimeZone) -> DateTime<Utc> {
    let naive = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    tz.tz()
        .from_local_datetime(&naive)
        .earliest()
        .or_else(|| {
            tz.tz()
                .from_local_datetime(&(naive + Duration::hours(1)))
                .earliest()
        })
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&naive))
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, n) = values.fold((0.0, 0u32), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| sum / f64::from(n))
}

/// Groups the low days into runs; a rated day that is not low ends a run.
fn low_runs(days: &[BriefDay]) -> Vec<LowRun> {
    let mut runs: Vec<LowRun> = Vec::new();
    let mut in_run = false;
    for d in days {
        match (d.low, in_run, runs.last_mut()) {
            (true, true, Some(run)) => {
                run.last = d.day;
                run.days += 1;
                run.lowest = run.lowest.min(d.mood);
            }
            (true, _, _) => {
                runs.push(LowRun {
                    first: d.day,
                    last: d.day,
                    days: 1,
                    lowest: d.mood,
                });
                in_run = true;
            }
            (false, _, _) => in_run = false,
        }
    }
    runs
}

fn score_summary(
    instrument: Instrument,
    all: &[(DateTime<Utc>, u8)],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    tz: TimeZone,
) -> Option<ScoreSummary> {
    let in_period: Vec<(DateTime<Utc>, u8)> = all
        .iter()
        .copied()
        .filter(|(at, _)| *at >= from && *at < to)
        .collect();
    let latest = in_period.last()?;
    let before = all.iter().copied().rfind(|(at, _)| *at < from);
    let base = before.or_else(|| (in_period.len() > 1).then(|| in_period[0]));
    Some(ScoreSummary {
        instrument,
        scores: in_period
            .iter()
            .map(|(at, t)| (tz.local_day(*at), *t, instrument.severity(*t)))
            .collect(),
        from: base.map(|(at, t)| (tz.local_day(at), t)),
        change: base.map(|(_, t)| {
            (
                i16::from(latest.1) - i16::from(t),
                instrument.change(t, latest.1).category(),
            )
        }),
    })
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
        let tz = crate::guidance::timezone_of(&actor.account);
        let today = tz.local_day(now);
        // Times are stored to the millisecond, and `to` is exclusive: the period runs to the
        // end of this millisecond, so what was written a moment ago is in it.
        let until_now = now + Duration::milliseconds(1);
        let (from, to, first_day, last_day, since_session) = match range {
            BriefRange::SinceLastSession => {
                let last = self
                    .sessions(actor, None, Some(now))
                    .await?
                    .into_iter()
                    .next_back();
                match last {
                    Some(s) => (s.at, until_now, tz.local_day(s.at), today, Some(s)),
                    None => {
                        let first = today - Days::new(DEFAULT_BRIEF_DAYS.unsigned_abs() - 1);
                        (local_midnight(first, tz), until_now, first, today, None)
                    }
                }
            }
            BriefRange::Days { first, last } => {
                if last < first {
                    return Err(AppError::field(
                        "to",
                        "Please choose a last day on or after the first day.",
                    ));
                }
                if (last - first).num_days() >= MAX_BRIEF_DAYS {
                    return Err(AppError::field(
                        "to",
                        format!("Please choose at most {MAX_BRIEF_DAYS} days."),
                    ));
                }
                let end = last
                    .checked_add_days(Days::new(1))
                    .ok_or_else(|| AppError::field("to", "Please choose an earlier last day."))?;
                (
                    local_midnight(first, tz),
                    local_midnight(end, tz),
                    first,
                    last,
                    None,
                )
            }
        };

        // The baseline of a day looks back 35 days; read that much before the period.
        let history_from = from - Duration::days(60);
        let (history, checkins, changes, agenda, next_session) = tokio::try_join!(
            self.history(actor, Some(history_from)),
            self.checkins(actor, Some(from), Some(to)),
            self.guidance_history(actor, None),
            self.agenda(actor, false),
            self.next_session(actor, now),
        )?;
        let settings = GuidanceSettings::default();
        let days = rated_days(&checkins, tz, |day| {
            let end_of_day = day
                .checked_add_days(Days::new(1))
                .map(|d| local_midnight(d, tz) - Duration::milliseconds(1))
                .unwrap_or(now);
            personal_baseline(&history, end_of_day.min(now), &settings)
        });
        let baseline = personal_baseline(
            &history,
            (to - Duration::milliseconds(1)).min(now),
            &settings,
        )
        .map(|b| b.value);
        let level_at_start = changes
            .iter()
            .rfind(|c| c.at < from)
            .cloned()
            .map(BriefGuidance::from);
        let guidance = changes
            .into_iter()
            .filter(|c| c.at >= from && c.at < to)
            .map(BriefGuidance::from)
            .collect();

        let (tools, uses, questionnaires, homework, logs, feedback, session_feedback) = tokio::try_join!(
            self.ranked_tools(actor),
            self.coping_uses(actor, Some(from), Some(to)),
            self.questionnaires(actor, None, None),
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
        let scores = Instrument::ALL
            .into_iter()
            .filter_map(|instrument| {
                let all: Vec<(DateTime<Utc>, u8)> = questionnaires
                    .iter()
                    .filter(|q| q.instrument() == instrument)
                    .map(|q| (q.content.at, q.total()))
                    .collect();
                score_summary(instrument, &all, from, to, tz)
            })
            .collect();
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
            first_day,
            last_day,
            since_session,
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
        })
    }
}

/// Each rated day's means and marks; `baseline_of` gives the personal baseline of a day.
fn rated_days(
    checkins: &[CheckIn],
    tz: TimeZone,
    baseline_of: impl Fn(NaiveDate) -> Option<domain::guidance::Baseline>,
) -> Vec<BriefDay> {
    let settings = GuidanceSettings::default();
    let mut by_day: std::collections::BTreeMap<NaiveDate, Vec<&CheckIn>> = Default::default();
    for c in checkins {
        by_day
            .entry(tz.local_day(c.content.at))
            .or_default()
            .push(c);
    }
    by_day
        .into_iter()
        .filter_map(|(day, cs)| {
            let mood = mean(cs.iter().map(|c| f64::from(c.content.mood.get())))?;
            Some(BriefDay {
                day,
                mood,
                anxiety: mean(
                    cs.iter()
                        .filter_map(|c| c.content.anxiety)
                        .map(|r| f64::from(r.get())),
                ),
                energy: mean(
                    cs.iter()
                        .filter_map(|c| c.content.energy)
                        .map(|r| f64::from(r.get())),
                ),
                checkins: cs.len(),
                low: baseline_of(day).is_some_and(|b| b.is_low(mood, &settings)),
                missed: cs.iter().any(|c| {
                    c.content.missed_usual_activities == Some(true)
                        || c.content.usual_activities == Some(UsualActivities::No)
                }),
                safety: cs
                    .iter()
                    .any(|c| c.content.self_harm_thoughts == Some(true)),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Datelike;

    fn day(d: u32, mood: f64, low: bool) -> BriefDay {
        BriefDay {
            day: NaiveDate::from_ymd_opt(2026, 11, d).unwrap(),
            mood,
            anxiety: None,
            energy: None,
            checkins: 1,
            low,
            missed: false,
            safety: false,
        }
    }

    #[test]
    fn low_runs_skip_missing_days_and_end_on_a_good_day() {
        let days = [
            day(1, 3.0, true),
            day(3, 2.0, true), // 2 November had no rating: the run goes on
            day(4, 7.0, false),
            day(6, 3.5, true),
        ];
        let runs = low_runs(&days);
        assert_eq!(runs.len(), 2);
        assert_eq!((runs[0].first.day(), runs[0].last.day()), (1, 3));
        assert_eq!((runs[0].days, runs[0].lowest), (2, 2.0));
        assert_eq!((runs[1].first.day(), runs[1].days), (6, 1));
        assert!(low_runs(&[day(1, 7.0, false)]).is_empty());
    }

    #[test]
    fn scores_compare_with_the_one_before_the_period() {
        let tz = TimeZone::UTC;
        let at = |d: u32| Utc.with_ymd_and_hms(2026, 11, d, 9, 0, 0).unwrap();
        let all = [(at(1), 15), (at(10), 12), (at(20), 8)];
        let s = score_summary(Instrument::Phq9, &all, at(5), at(25), tz).unwrap();
        assert_eq!(s.scores.len(), 2);
        assert_eq!(s.from.map(|(_, t)| t), Some(15));
        assert_eq!(s.change.map(|(d, _)| d), Some(-7));
        let none = score_summary(Instrument::Gad7, &all, at(21), at(25), tz);
        assert!(none.is_none());
        let single = score_summary(Instrument::Phq9, &all[..1], at(1), at(2), tz).unwrap();
        assert_eq!((single.from, single.change), (None, None));
    }

    #[test]
    fn midnight_in_a_clock_change_gap_is_the_first_valid_instant() {
        // In summer, London's midnight is 23:00 UTC the day before.
        let tz = TimeZone::parse("Europe/London").unwrap();
        let d = NaiveDate::from_ymd_opt(2026, 7, 1).unwrap();
        assert_eq!(
            local_midnight(d, tz),
            Utc.with_ymd_and_hms(2026, 6, 30, 23, 0, 0).unwrap()
        );
    }
}
