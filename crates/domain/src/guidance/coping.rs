//! Coping not working: while low, several exercises that did not bring distress down.

use chrono::{DateTime, Duration, Utc};

use super::baseline::Baseline;
use super::low_run::LowRun;
use super::reason::Reason;
use super::settings::GuidanceSettings;
use super::stats::round2;
use crate::history::History;

/// Fires when the latest rated day is low and enough recent uses brought no relief.
pub(crate) fn coping_not_working(
    history: &History,
    at: DateTime<Utc>,
    run: Option<&LowRun>,
    baseline: &Baseline,
    settings: &GuidanceSettings,
) -> Option<Reason> {
    let run = run?;
    let since = at - Duration::hours(i64::from(settings.coping_window_hours));
    let uses = history
        .coping
        .iter()
        .filter(|c| c.at <= at && c.at >= since && c.brought_no_relief() == Some(true))
        .count();
    let uses = u32::try_from(uses).unwrap_or(u32::MAX);
    (uses >= settings.coping_min_unhelpful_uses).then(|| Reason::CopingNotWorking {
        uses,
        window_hours: settings.coping_window_hours,
        baseline: round2(baseline.value),
        latest_mood: round2(run.latest_mood),
    })
}
