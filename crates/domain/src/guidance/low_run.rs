//! The current stretch of low days, and whether it is a post-session dip or persisting.

use chrono::NaiveDate;

use super::baseline::Baseline;
use super::days::{DayMood, days_between};
use super::facts::Older;
use super::reason::Reason;
use super::settings::GuidanceSettings;
use super::stats::round2;

/// The latest rated days, consecutive among rated days, that are all low.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct LowRun {
    /// The first low day of the stretch.
    pub first_day: NaiveDate,
    /// The latest low day (the latest rated day).
    pub latest_day: NaiveDate,
    /// How many rated days the stretch has; missing days in between do not count.
    pub rated_days: u32,
    /// The latest day's mood.
    pub latest_mood: f64,
}

impl LowRun {
    /// Calendar days from the first to the latest low day, both included.
    pub fn calendar_days(&self) -> u32 {
        u32::try_from(days_between(self.first_day, self.latest_day) + 1).unwrap_or(u32::MAX)
    }
}

/// The current low stretch: it must end at the latest rated day, which must be recent.
#[cfg(test)]
pub(crate) fn current_low_run(
    days: &[DayMood],
    baseline: &Baseline,
    today: NaiveDate,
    settings: &GuidanceSettings,
) -> Option<LowRun> {
    current_low_run_with(days, &Older::Nothing, baseline, today, settings)
}

/// The current low stretch over `days` and, when every one of them is low, on into the
/// `older` rated days before them: a stretch has no limit in time, so it may reach back
/// past the days kept at hand.
pub(crate) fn current_low_run_with(
    days: &[DayMood],
    older: &Older<'_>,
    baseline: &Baseline,
    today: NaiveDate,
    settings: &GuidanceSettings,
) -> Option<LowRun> {
    let latest = days.last()?;
    if days_between(latest.day, today) > i64::from(settings.run_max_age_days) {
        return None;
    }
    let low = low_stretches(days, |d| baseline.is_low(d.mood, settings))
        .next_back()
        .filter(|run| run.last().map(|d| d.day) == Some(latest.day))?;
    let first = low.first()?;
    let mut first_day = first.day;
    let mut rated_days = u32::try_from(low.len()).unwrap_or(u32::MAX);
    if low.len() == days.len()
        && let Some((more, oldest)) = older.low_tail(|mood| baseline.is_low(mood, settings))
    {
        rated_days = rated_days.saturating_add(more);
        first_day = oldest;
    }
    Some(LowRun {
        first_day,
        latest_day: latest.day,
        rated_days,
        latest_mood: latest.mood,
    })
}

/// The stretches of low days among rated days (oldest first), oldest stretch first: a rated
/// day that is not low ends a stretch; days without a rating are not in `days`, so they
/// neither end nor lengthen one. Every stretch has at least one day.
pub(crate) fn low_stretches<T>(
    days: &[T],
    mut is_low: impl FnMut(&T) -> bool,
) -> impl DoubleEndedIterator<Item = &[T]> {
    days.split(move |d| !is_low(d))
        .filter(|stretch| !stretch.is_empty())
}

/// A post-session dip when the stretch began within a few days after a session and is
/// still short; otherwise persisting when it has enough rated days; otherwise nothing yet.
pub(crate) fn dip_or_persisting(
    run: &LowRun,
    session_days: &[NaiveDate],
    baseline: &Baseline,
    settings: &GuidanceSettings,
) -> Option<Reason> {
    let session = session_days
        .iter()
        .filter(|s| {
            let after = days_between(**s, run.first_day);
            (0..=i64::from(settings.dip_start_within_days)).contains(&after)
        })
        .max();
    let dip_session = session.filter(|_| run.calendar_days() <= settings.dip_max_days);
    if let Some(session_day) = dip_session {
        return Some(Reason::PostSessionDip {
            session_day: *session_day,
            days: run.rated_days,
            calendar_days: run.calendar_days(),
            first_day: run.first_day,
            latest_day: run.latest_day,
            baseline: round2(baseline.value),
            latest_mood: round2(run.latest_mood),
        });
    }
    (run.rated_days >= settings.persisting_min_rated_days).then(|| Reason::Persisting {
        days: run.rated_days,
        first_day: run.first_day,
        latest_day: run.latest_day,
        baseline: round2(baseline.value),
        latest_mood: round2(run.latest_mood),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::guidance::baseline::BaselineSource;

    fn day(offset: i64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 1).unwrap() + chrono::Duration::days(offset)
    }

    fn rated(pairs: &[(i64, f64)]) -> Vec<DayMood> {
        pairs
            .iter()
            .map(|(d, m)| DayMood {
                day: day(*d),
                mood: *m,
            })
            .collect()
    }

    const B: Baseline = Baseline {
        value: 7.0,
        spread: 1.0,
        source: BaselineSource::UsualDay,
    };

    #[test]
    fn missing_days_neither_reset_nor_count() {
        let s = GuidanceSettings::default();
        let days = rated(&[(1, 7.0), (2, 4.0), (5, 4.0), (6, 3.0)]);
        let run = current_low_run(&days, &B, day(6), &s).unwrap();
        assert_eq!(run.rated_days, 3);
        assert_eq!(run.first_day, day(2));
        assert_eq!(run.calendar_days(), 5);
    }

    #[test]
    fn a_rated_ordinary_day_ends_the_stretch() {
        let s = GuidanceSettings::default();
        let days = rated(&[(1, 4.0), (2, 6.0), (3, 4.0)]);
        let run = current_low_run(&days, &B, day(3), &s).unwrap();
        assert_eq!(run.rated_days, 1);
        let days = rated(&[(1, 4.0), (2, 4.0), (3, 6.0)]);
        assert_eq!(current_low_run(&days, &B, day(3), &s), None);
    }

    #[test]
    fn the_stretch_must_be_recent() {
        let s = GuidanceSettings::default();
        let days = rated(&[(1, 4.0), (2, 4.0), (3, 4.0)]);
        assert!(current_low_run(&days, &B, day(5), &s).is_some());
        assert_eq!(current_low_run(&days, &B, day(6), &s), None);
    }

    #[test]
    fn dip_window_boundaries() {
        let s = GuidanceSettings::default();
        let run = |first: i64, latest: i64, n: u32| LowRun {
            first_day: day(first),
            latest_day: day(latest),
            rated_days: n,
            latest_mood: 4.0,
        };
        let sessions = [day(10)];
        let code = |r: &LowRun| dip_or_persisting(r, &sessions, &B, &s).map(|r| r.code());
        assert_eq!(code(&run(10, 12, 3)), Some("post_session_dip"));
        assert_eq!(code(&run(13, 15, 3)), Some("post_session_dip"));
        assert_eq!(code(&run(14, 16, 3)), Some("persisting"));
        assert_eq!(code(&run(9, 11, 3)), Some("persisting"));
        assert_eq!(code(&run(11, 14, 3)), Some("persisting"));
        assert_eq!(code(&run(11, 14, 2)), None);
        assert_eq!(code(&run(11, 11, 1)), Some("post_session_dip"));
        assert_eq!(code(&run(20, 21, 2)), None);
    }
}
