//! Can't function: a recent check-in said usual activities were missed.

use super::days::days_before;
use super::facts::Facts;
use super::reason::Reason;
use super::settings::GuidanceSettings;

/// Fires for a missed-activities check-in on today or the days just before.
pub(crate) fn cant_function(facts: &Facts<'_>, settings: &GuidanceSettings) -> Option<Reason> {
    let start = days_before(
        facts.today,
        settings.cant_function_window_days.saturating_sub(1),
    );
    facts
        .missed_day
        .filter(|d| *d >= start)
        .map(|day| Reason::CantFunction {
            day,
            window_days: settings.cant_function_window_days,
        })
}
