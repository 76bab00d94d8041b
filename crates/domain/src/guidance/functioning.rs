//! Can't function: a recent check-in said usual activities were missed.

use chrono::{DateTime, NaiveDate, Utc};

use super::days::days_before;
use super::reason::Reason;
use super::settings::GuidanceSettings;
use crate::history::History;

/// Fires for a missed-activities check-in on today or the days just before.
pub(crate) fn cant_function(
    history: &History,
    at: DateTime<Utc>,
    today: NaiveDate,
    settings: &GuidanceSettings,
) -> Option<Reason> {
    let start = days_before(today, settings.cant_function_window_days.saturating_sub(1));
    history
        .checkins
        .iter()
        .filter(|c| c.at <= at && c.missed_usual_activities == Some(true))
        .map(|c| history.local_day(c.at))
        .filter(|d| *d >= start)
        .max()
        .map(|day| Reason::CantFunction {
            day,
            window_days: settings.cant_function_window_days,
        })
}
