//! The pure parts of the "since my last session" brief: a period's rated days, its runs of low
//! days and how the questionnaire totals moved. The day grouping and the low runs are the
//! guidance engine's own ([`crate::guidance`]), so the brief and the guidance never disagree
//! about which day a check-in belongs to or where a low stretch ends.

use chrono::{DateTime, Days, Duration, NaiveDate, TimeZone as _, Utc};

use crate::checkin::{CheckIn, UsualActivities};
use crate::guidance::days::by_local_day;
use crate::guidance::low_run::low_stretches;
use crate::guidance::stats::mean;
use crate::guidance::{Baseline, GuidanceSettings, personal_baseline};
use crate::history::{History, TimeZone};
use crate::questionnaire::{ChangeCategory, Instrument, Severity};

/// Longest period a brief covers; a year is already more than one page can hold well.
pub const MAX_BRIEF_DAYS: i64 = 366;
/// The period when there is no past session to start from.
pub const DEFAULT_BRIEF_DAYS: i64 = 30;

/// Which period a brief covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BriefRange {
    /// From the start of the latest past session until now (or the last 30 days).
    SinceLastSession,
    /// From the start of the session before the latest past one until now, so the days
    /// before the last session show too (a slide that began then is not cut in half); with
    /// one past session, from it; with none, the last 30 days. The brief's default.
    SinceSessionBeforeLast,
    /// These local calendar days, both included.
    Days {
        /// The first day.
        first: NaiveDate,
        /// The last day.
        last: NaiveDate,
    },
}

/// The instants and the local days a brief covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// The first instant in the period.
    pub from: DateTime<Utc>,
    /// The first instant after it (exclusive).
    pub to: DateTime<Utc>,
    /// The first local day.
    pub first_day: NaiveDate,
    /// The last local day.
    pub last_day: NaiveDate,
}

/// Why a chosen period can't be covered; the message is for the "to" field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    /// The last day is before the first.
    #[error("Please choose a last day on or after the first day.")]
    Backwards,
    /// More than [`MAX_BRIEF_DAYS`] days.
    #[error("Please choose at most {MAX_BRIEF_DAYS} days.")]
    TooLong,
    /// The last day is the last day the calendar can hold.
    #[error("Please choose an earlier last day.")]
    TooLate,
}

impl Period {
    /// These local days, both included: they must run forwards and be at most
    /// [`MAX_BRIEF_DAYS`] long.
    pub fn days(first: NaiveDate, last: NaiveDate, tz: TimeZone) -> Result<Period, PeriodError> {
        if last < first {
            return Err(PeriodError::Backwards);
        }
        if (last - first).num_days() >= MAX_BRIEF_DAYS {
            return Err(PeriodError::TooLong);
        }
        let end = last
            .checked_add_days(Days::new(1))
            .ok_or(PeriodError::TooLate)?;
        Ok(Period {
            from: local_midnight(first, tz),
            to: local_midnight(end, tz),
            first_day: first,
            last_day: last,
        })
    }

    /// From `start` (the start of the latest past session) until now.
    pub fn since(start: DateTime<Utc>, now: DateTime<Utc>, tz: TimeZone) -> Period {
        Period {
            from: start,
            to: until(now),
            first_day: tz.local_day(start),
            last_day: tz.local_day(now),
        }
    }

    /// The last [`DEFAULT_BRIEF_DAYS`] local days, today included, until now.
    pub fn recent(now: DateTime<Utc>, tz: TimeZone) -> Period {
        let today = tz.local_day(now);
        let first = today - Days::new(DEFAULT_BRIEF_DAYS.unsigned_abs() - 1);
        Period {
            from: local_midnight(first, tz),
            to: until(now),
            first_day: first,
            last_day: today,
        }
    }

    /// Whether an instant is in the period.
    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        at >= self.from && at < self.to
    }

    /// The personal baseline as it stood at the end of the period (or now, when sooner).
    pub fn baseline(&self, history: &History, now: DateTime<Utc>) -> Option<Baseline> {
        let at = (self.to - Duration::milliseconds(1)).min(now);
        personal_baseline(history, at, &GuidanceSettings::default())
    }
}

/// The exclusive end of a period that runs until now. Times are stored to the millisecond:
/// the period runs to the end of this millisecond, so what was written a moment ago is in it.
/// The last session is the latest before it (at or before now), the same session the
/// therapist's caseload counts "since the last session" from.
pub fn until(now: DateTime<Utc>) -> DateTime<Utc> {
    now + Duration::milliseconds(1)
}

/// The personal baseline a day is judged against: as it stood at the end of that day, or
/// now when the day isn't over.
pub fn day_baseline(
    history: &History,
    day: NaiveDate,
    tz: TimeZone,
    now: DateTime<Utc>,
) -> Option<Baseline> {
    let end_of_day = day
        .checked_add_days(Days::new(1))
        .map(|d| local_midnight(d, tz) - Duration::milliseconds(1))
        .unwrap_or(now);
    personal_baseline(history, end_of_day.min(now), &GuidanceSettings::default())
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
    /// Chose "I'd rather not say" to the safety question (and never said yes that day).
    pub declined_safety: bool,
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

/// Each rated day's means and marks, oldest first; `baseline_of` gives the personal baseline
/// of a day, against which the day is low or not under the person's `settings`.
pub fn rated_days(
    checkins: &[CheckIn],
    tz: TimeZone,
    settings: &GuidanceSettings,
    baseline_of: impl Fn(NaiveDate) -> Option<Baseline>,
) -> Vec<BriefDay> {
    by_local_day(checkins, tz, |c| c.content.at)
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
                low: baseline_of(day).is_some_and(|b| b.is_low(mood, settings)),
                missed: cs.iter().any(|c| {
                    c.content.missed_usual_activities == Some(true)
                        || c.content.usual_activities == Some(UsualActivities::No)
                }),
                safety: cs.iter().any(|c| c.content.said_yes()),
                declined_safety: !cs.iter().any(|c| c.content.said_yes())
                    && cs.iter().any(|c| {
                        c.content.self_harm_thoughts
                            == Some(crate::checkin::SafetyAnswer::RatherNotSay)
                    }),
            })
        })
        .collect()
}

/// Groups the low days into runs; a rated day that is not low ends a run.
pub fn low_runs(days: &[BriefDay]) -> Vec<LowRun> {
    low_stretches(days, |d| d.low)
        .filter_map(|run| {
            Some(LowRun {
                first: run.first()?.day,
                last: run.last()?.day,
                days: run.len(),
                lowest: run.iter().map(|d| d.mood).fold(f64::INFINITY, f64::min),
            })
        })
        .collect()
}

/// One questionnaire's summary for the period `[from, to)`, from all its totals (oldest
/// first); `None` when none falls in the period.
pub fn score_summary(
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
            declined_safety: false,
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
        assert!(low_runs(&[]).is_empty());
    }

    #[test]
    fn low_runs_take_the_lowest_mood_wherever_it_falls() {
        let days = [
            day(1, 1.0, true),
            day(2, 3.0, true),
            day(3, 2.0, true),
            day(4, 7.0, false),
            day(5, 6.0, false),
        ];
        let runs = low_runs(&days);
        assert_eq!(runs.len(), 1);
        assert_eq!((runs[0].days, runs[0].lowest), (3, 1.0));
        assert_eq!(runs[0].last.day(), 3);
    }

    #[test]
    fn rated_days_average_each_local_day_and_mark_it() {
        use crate::checkin::NewCheckIn;
        use crate::rating::Rating;
        let tz = TimeZone::parse("America/New_York").unwrap();
        let checkin = |at: &str, mood: i64, anxiety: Option<i64>, safety: bool| {
            let content = NewCheckIn {
                client_id: uuid::Uuid::nil(),
                at: at.parse().unwrap(),
                mood: Rating::new(mood).unwrap(),
                anxiety: anxiety.map(|a| Rating::new(a).unwrap()),
                energy: None,
                body: Vec::new(),
                usual_activities: None,
                missed_usual_activities: None,
                harder_today: Vec::new(),
                sleep_hours: None,
                substances: None,
                self_harm_thoughts: Some(if safety {
                    crate::checkin::SafetyAnswer::Yes
                } else {
                    crate::checkin::SafetyAnswer::No
                }),
                note: None,
            };
            CheckIn {
                id: crate::checkin::CheckInId(1),
                account_id: crate::account::AccountId(1),
                content,
                created_at: at.parse().unwrap(),
            }
        };
        let checkins = [
            checkin("2026-03-05T14:00:00Z", 4, Some(6), false),
            // 02:00 UTC on the 6th is still the 5th in New York.
            checkin("2026-03-06T02:00:00Z", 7, None, true),
            checkin("2026-03-06T15:00:00Z", 3, None, false),
        ];
        let baseline = Baseline {
            value: 7.0,
            spread: 1.0,
            source: crate::guidance::BaselineSource::UsualDay,
        };
        let days = rated_days(&checkins, tz, &GuidanceSettings::default(), |_| {
            Some(baseline)
        });
        assert_eq!(days.len(), 2);
        assert_eq!(days[0].day, NaiveDate::from_ymd_opt(2026, 3, 5).unwrap());
        assert_eq!(
            (days[0].mood, days[0].anxiety, days[0].checkins),
            (5.5, Some(6.0), 2)
        );
        assert!(days[0].safety && !days[0].low);
        assert_eq!((days[1].mood, days[1].anxiety), (3.0, None));
        assert!(days[1].low && !days[1].safety);
        assert!(
            rated_days(&checkins, tz, &GuidanceSettings::default(), |_| None)
                .iter()
                .all(|d| !d.low)
        );
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
    fn chosen_days_run_forwards_and_are_at_most_a_year_or_so() {
        let tz = TimeZone::parse("Europe/London").unwrap();
        let d = |m: u32, day: u32| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        let p = Period::days(d(7, 1), d(7, 3), tz).unwrap();
        assert_eq!(p.from, Utc.with_ymd_and_hms(2026, 6, 30, 23, 0, 0).unwrap());
        assert_eq!(p.to, Utc.with_ymd_and_hms(2026, 7, 3, 23, 0, 0).unwrap());
        assert_eq!((p.first_day, p.last_day), (d(7, 1), d(7, 3)));
        assert!(p.contains(p.from) && !p.contains(p.to));
        assert!(Period::days(d(7, 1), d(7, 1), tz).is_ok());
        assert_eq!(
            Period::days(d(7, 2), d(7, 1), tz),
            Err(PeriodError::Backwards)
        );
        let a_year_on = d(7, 1) + Days::new(365);
        assert!(Period::days(d(7, 1), a_year_on, tz).is_ok());
        assert_eq!(
            Period::days(d(7, 1), a_year_on + Days::new(1), tz),
            Err(PeriodError::TooLong)
        );
        assert_eq!(
            Period::days(NaiveDate::MAX, NaiveDate::MAX, tz),
            Err(PeriodError::TooLate)
        );
        assert_eq!(
            PeriodError::TooLong.to_string(),
            "Please choose at most 366 days."
        );
    }

    #[test]
    fn periods_until_now_include_this_millisecond() {
        let tz = TimeZone::parse("America/New_York").unwrap();
        let now = Utc.with_ymd_and_hms(2026, 11, 30, 3, 0, 0).unwrap();
        let session = Utc.with_ymd_and_hms(2026, 11, 20, 15, 0, 0).unwrap();
        let since = Period::since(session, now, tz);
        assert!(since.contains(session) && since.contains(now));
        // 03:00 UTC on the 30th is still the 29th in New York.
        let day = |d: u32| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        assert_eq!((since.first_day, since.last_day), (day(20), day(29)));
        // Thirty days, today included.
        let recent = Period::recent(now, tz);
        let october_31 = NaiveDate::from_ymd_opt(2026, 10, 31).unwrap();
        assert_eq!((recent.first_day, recent.last_day), (october_31, day(29)));
        assert_eq!(recent.from, local_midnight(october_31, tz));
        assert!(recent.contains(now));
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
