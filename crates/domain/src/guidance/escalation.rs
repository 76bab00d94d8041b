//! The escalation detector: a moving average of daily deviations that stays high.

use chrono::NaiveDate;

use super::baseline::{Baseline, EPSILON};
use super::days::{DayMood, days_before, days_between};
use super::reason::Reason;
use super::settings::GuidanceSettings;
use super::stats::round2;

/// Escalating when the EWMA of daily z, started at 0 over the window's rated days, is above
/// the limit on each of the last few rated days and the latest day is itself below usual.
pub(crate) fn escalating(
    days: &[DayMood],
    baseline: &Baseline,
    today: NaiveDate,
    settings: &GuidanceSettings,
) -> Option<Reason> {
    let start = days_before(today, settings.ewma_window_days.saturating_sub(1));
    let window: Vec<&DayMood> = days
        .iter()
        .filter(|d| d.day >= start && d.day <= today)
        .collect();
    let latest = window.last()?;
    if days_between(latest.day, today) > i64::from(settings.run_max_age_days) {
        return None;
    }
    let needed = usize::try_from(settings.ewma_consecutive_days.max(1)).unwrap_or(usize::MAX);
    let tail_start = window.len().checked_sub(needed)?;
    let lambda = settings.ewma_lambda;
    let mut ewma = 0.0;
    let series: Vec<f64> = window
        .iter()
        .map(|d| {
            ewma = lambda * baseline.z(d.mood) + (1.0 - lambda) * ewma;
            ewma
        })
        .collect();
    let tail = series.get(tail_start..)?;
    let latest_z = baseline.z(latest.mood);
    let above = tail.iter().all(|e| *e > settings.ewma_limit + EPSILON);
    if !above || latest_z < settings.ewma_latest_min_z - EPSILON {
        return None;
    }
    Some(Reason::Escalating {
        days: window.get(tail_start..)?.iter().map(|d| d.day).collect(),
        ewma: tail.iter().map(|e| round2(*e)).collect(),
        limit: settings.ewma_limit,
        latest_z: round2(latest_z),
        baseline: round2(baseline.value),
        latest_mood: round2(latest.mood),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::guidance::baseline::BaselineSource;

    fn day(offset: i64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 1).unwrap() + chrono::Duration::days(offset)
    }

    const B: Baseline = Baseline {
        value: 7.0,
        spread: 1.0,
        source: BaselineSource::UsualDay,
    };

    fn series(moods: &[f64]) -> Vec<DayMood> {
        moods
            .iter()
            .enumerate()
            .map(|(i, m)| DayMood {
                day: day(i as i64),
                mood: *m,
            })
            .collect()
    }

    #[test]
    fn fires_after_a_sustained_slide() {
        let s = GuidanceSettings::default();
        // z = 2.5 every day: EWMA 0.75, 1.28, 1.64, 1.90, 2.08.
        let days = series(&[4.5, 4.5, 4.5, 4.5]);
        assert_eq!(escalating(&days, &B, day(3), &s), None);
        let days = series(&[4.5, 4.5, 4.5, 4.5, 4.5]);
        let r = escalating(&days, &B, day(4), &s).unwrap();
        match r {
            Reason::Escalating { ewma, days, .. } => {
                assert_eq!(ewma, vec![1.64, 1.9, 2.08]);
                assert_eq!(days, vec![day(2), day(3), day(4)]);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn a_lighter_latest_day_stops_it() {
        let s = GuidanceSettings::default();
        // High EWMA but the latest day is only half a spread below usual.
        let days = series(&[2.0, 2.0, 2.0, 2.0, 2.0, 6.5]);
        assert_eq!(escalating(&days, &B, day(5), &s), None);
    }

    #[test]
    fn stale_ratings_do_not_count() {
        let s = GuidanceSettings::default();
        let days = series(&[3.0, 3.0, 3.0, 3.0, 3.0, 3.0]);
        assert!(escalating(&days, &B, day(7), &s).is_some());
        assert_eq!(escalating(&days, &B, day(8), &s), None);
    }
}
