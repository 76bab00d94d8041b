//! Coping not working: while low, several exercises that did not bring distress down.

use super::baseline::Baseline;
use super::low_run::LowRun;
use super::reason::Reason;
use super::settings::GuidanceSettings;
use super::stats::round2;

/// Fires when the latest rated day is low and enough recent uses (`uses`, counted in the
/// window up to the moment) brought no relief.
pub(crate) fn coping_not_working(
    uses: u32,
    run: Option<&LowRun>,
    baseline: &Baseline,
    settings: &GuidanceSettings,
) -> Option<Reason> {
    let run = run?;
    (uses >= settings.coping_min_unhelpful_uses).then(|| Reason::CopingNotWorking {
        uses,
        window_hours: settings.coping_window_hours,
        baseline: round2(baseline.value),
        latest_mood: round2(run.latest_mood),
    })
}
