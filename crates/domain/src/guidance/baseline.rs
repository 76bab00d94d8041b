//! The personal baseline: a person's typical mood and how much it usually varies.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::days::{DayMood, day_moods, days_before};
use super::settings::GuidanceSettings;
use super::stats::{median, median_absolute_deviation};
use crate::history::History;
use crate::rating::Rating;

/// Comparisons allow for the rounding of floating-point sums.
pub(crate) const EPSILON: f64 = 1e-9;

/// Where the baseline came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum BaselineSource {
    /// The median of recent rated days.
    RecentDays {
        /// Rated days in the window.
        rated_days: u32,
        /// The window's first day.
        from: NaiveDate,
        /// The window's last day.
        to: NaiveDate,
    },
    /// The "usual day" rating given at onboarding, while there are too few ratings.
    UsualDay,
}

/// A typical mood and spread to compare each day against.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Baseline {
    /// The typical day mood.
    pub value: f64,
    /// How much day moods usually vary, in rating points (never below the floor).
    pub spread: f64,
    /// Where the numbers came from.
    pub source: BaselineSource,
}

impl Baseline {
    /// How many spreads below the baseline a day mood is (positive = worse).
    pub fn z(&self, mood: f64) -> f64 {
        (self.value - mood) / self.spread
    }

    /// The usual mood as the guidance evidence says it: "7", or "6.5".
    pub fn in_words(&self) -> String {
        super::reason::mood(self.value)
    }

    /// Whether a day mood is low: far enough below the baseline both in spreads and in points.
    pub fn is_low(&self, mood: f64, settings: &GuidanceSettings) -> bool {
        self.z(mood) >= settings.low_z - EPSILON
            && self.value - mood >= settings.low_points - EPSILON
    }
}

/// The baseline at a moment, or `None` when there are too few ratings and no usual-day rating.
pub fn personal_baseline(
    history: &History,
    at: DateTime<Utc>,
    settings: &GuidanceSettings,
) -> Option<Baseline> {
    let days = day_moods(history, at);
    from_days(&days, history.local_day(at), history.usual_mood, settings)
}

/// The baseline from already computed day moods (oldest first).
pub(crate) fn from_days(
    days: &[DayMood],
    today: NaiveDate,
    usual_mood: Option<Rating>,
    settings: &GuidanceSettings,
) -> Option<Baseline> {
    let to = days_before(today, settings.baseline_gap_days);
    let from = days_before(to, settings.baseline_window_days.saturating_sub(1));
    let window: Vec<f64> = days
        .iter()
        .filter(|d| d.day >= from && d.day <= to)
        .map(|d| d.mood)
        .collect();
    let rated_days = u32::try_from(window.len()).unwrap_or(u32::MAX);
    if rated_days >= settings.baseline_min_rated_days.max(1) {
        let value = median(&window)?;
        let mad = median_absolute_deviation(&window, value)?;
        return Some(Baseline {
            value,
            spread: (settings.mad_scale * mad).max(settings.spread_floor),
            source: BaselineSource::RecentDays {
                rated_days,
                from,
                to,
            },
        });
    }
    usual_mood.map(|usual| Baseline {
        value: f64::from(usual.get()),
        spread: settings.spread_floor,
        source: BaselineSource::UsualDay,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(offset: i64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 1).unwrap() + chrono::Duration::days(offset)
    }

    fn s() -> GuidanceSettings {
        GuidanceSettings::default()
    }

    #[test]
    fn window_is_today_minus_34_to_today_minus_7() {
        let today = day(40);
        // One rated day per day, mood = 5 inside the window and 0 outside.
        let days: Vec<DayMood> = (0..=40)
            .map(|i| DayMood {
                day: day(i),
                mood: if (6..=33).contains(&i) { 5.0 } else { 0.0 },
            })
            .collect();
        let b = from_days(&days, today, None, &s()).unwrap();
        assert_eq!(b.value, 5.0);
        assert_eq!(b.spread, 0.75);
        assert_eq!(
            b.source,
            BaselineSource::RecentDays {
                rated_days: 28,
                from: day(6),
                to: day(33)
            }
        );
    }

    #[test]
    fn needs_fourteen_rated_days_else_usual_day() {
        let today = day(40);
        let days: Vec<DayMood> = (20..33)
            .map(|i| DayMood {
                day: day(i),
                mood: 6.0,
            })
            .collect();
        assert_eq!(from_days(&days, today, None, &s()), None);
        let b = from_days(&days, today, Rating::new(8).ok(), &s()).unwrap();
        assert_eq!(
            (b.value, b.spread, b.source),
            (8.0, 0.75, BaselineSource::UsualDay)
        );
        let mut more = days.clone();
        more.push(DayMood {
            day: day(33),
            mood: 6.0,
        });
        let b = from_days(&more, today, Rating::new(8).ok(), &s()).unwrap();
        assert_eq!(b.value, 6.0);
    }

    #[test]
    fn spread_is_scaled_mad() {
        let today = day(40);
        let moods = [
            4.0, 5.0, 6.0, 7.0, 8.0, 5.0, 6.0, 7.0, 4.0, 8.0, 6.0, 6.0, 5.0, 7.0,
        ];
        let days: Vec<DayMood> = moods
            .iter()
            .enumerate()
            .map(|(i, m)| DayMood {
                day: day(10 + i as i64),
                mood: *m,
            })
            .collect();
        let b = from_days(&days, today, None, &s()).unwrap();
        assert_eq!(b.value, 6.0);
        assert!((b.spread - 1.4826).abs() < 1e-12);
    }

    #[test]
    fn low_needs_both_conditions() {
        let b = Baseline {
            value: 7.0,
            spread: 1.0,
            source: BaselineSource::UsualDay,
        };
        assert!(b.is_low(5.0, &s()));
        assert!(!b.is_low(5.5, &s()));
        let wide = Baseline { spread: 2.0, ..b };
        // Two points below but only one spread: not low.
        assert!(!wide.is_low(5.0, &s()));
        assert!(wide.is_low(4.0, &s()));
    }
}
